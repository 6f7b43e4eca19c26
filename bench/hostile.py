#!/usr/bin/env python3
"""The threat model's attacks against a running server, with the figures they give.

Usage: start the release server (e.g. `cargo run --release -- --database-url sqlite:///tmp/h.db`),
then `python3 bench/hostile.py [BASE_URL]` (default http://127.0.0.1:8000). Attackers connect from
127.0.0.2 and up, so the server's per-address limits see them apart from the measuring client on
127.0.0.1. Every loop is bounded in count and time, and all traffic stays on this machine.

Prints, per attack: how long the attack's own requests took to be refused, and how long /health
and a small GraphQL query took for a legitimate client while the attack was in flight.
"""

import json
import socket
import statistics
import sys
import threading
import time
import urllib.request

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
HOST, PORT = BASE.split("//")[1].split(":")[0], int(BASE.rsplit(":", 1)[1])


def fan_out(levels):
    parts = ["{ ...Y%d }" % levels, "fragment Y0 on Query { developers(first:100){nodes{bio}} }"]
    for level in range(1, levels + 1):
        parts.append("fragment Y%d on Query { ...Y%d ...Y%d ...Y%d }" % (level, level - 1, level - 1, level - 1))
    return " ".join(parts)


def post(query, timeout=30):
    body = json.dumps({"query": query}).encode()
    request = urllib.request.Request(BASE + "/graphql", data=body, headers={"content-type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        answer = json.loads(response.read())
    return time.perf_counter() - started, answer


def health(timeout=10):
    started = time.perf_counter()
    with urllib.request.urlopen(BASE + "/health", timeout=timeout) as response:
        response.read()
    return time.perf_counter() - started


def ms(seconds):
    return "%.1f ms" % (seconds * 1000)


def legit_latencies(count=20):
    """/health and `{ __typename }` from 127.0.0.1, one after the other."""
    healths, queries = [], []
    for _ in range(count):
        healths.append(health())
        queries.append(post("{ __typename }")[0])
    return "health p50 %s max %s; query p50 %s max %s" % (
        ms(statistics.median(healths)), ms(max(healths)), ms(statistics.median(queries)), ms(max(queries)))


def connect_from(host_byte):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.%d" % host_byte, 0))
    sock.settimeout(5)
    sock.connect((HOST, PORT))
    return sock


def fan_outs():
    for levels in (14, 19, 30):
        document = fan_out(levels)
        took = [post(document)[0] for _ in range(5)]
        code = post(document)[1]["errors"][0]["extensions"]["code"]
        print("fan-out %2d levels (%d bytes): %s, median %s, max %s" % (
            levels, len(document), code, ms(statistics.median(took)), ms(max(took))))
    # Eight at once, while /health is measured.
    document = fan_out(19)
    done = []
    threads = [threading.Thread(target=lambda: done.append(post(document)[0])) for _ in range(8)]
    for thread in threads:
        thread.start()
    during = [health() for _ in range(10)]
    for thread in threads:
        thread.join()
    print("8 fan-outs of 19 levels in flight: slowest refusal %s; /health max %s" % (ms(max(done)), ms(max(during))))


def slow_headers(count=2000, seconds=12):
    sockets = []
    for i in range(count):
        try:
            sock = connect_from(2 + i % 4)
            sock.send(b"G")
            sockets.append(sock)
        except OSError:
            pass
    print("slow headers: %d connections opened from 4 addresses" % len(sockets))
    print("  while they trickle: " + legit_latencies())
    deadline = time.time() + seconds
    while time.time() < deadline:
        for sock in sockets:
            try:
                sock.send(b"E")
            except OSError:
                pass
        time.sleep(2)
    still_open = 0
    for sock in sockets:
        sock.settimeout(0.01)
        try:
            if sock.recv(1024):
                still_open += 1
        except socket.timeout:
            still_open += 1
        except OSError:
            pass
        sock.close()
    print("  after %d s: %d of %d still open" % (seconds, still_open, len(sockets)))


def slow_bodies(count=270):
    sockets = []
    for i in range(count):
        try:
            sock = connect_from(2 + i % 3)
            sock.send(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{")
            sockets.append(sock)
        except OSError:
            pass
    print("slow bodies: %d connections from 3 addresses" % len(sockets))
    print("  while they hold: " + legit_latencies())
    for sock in sockets:
        sock.close()


def invalid_tokens(count=300):
    statuses = {}
    for n in range(count):
        request = urllib.request.Request(
            BASE + "/graphql", data=b'{"query":"{ __typename }"}',
            headers={"content-type": "application/json", "authorization": "Bearer tal_%042dA" % n})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        statuses[status] = statuses.get(status, 0) + 1
    print("%d random tokens: %s" % (count, ", ".join("%d x %d" % (n, s) for s, n in sorted(statuses.items()))))


if __name__ == "__main__":
    print("idle: " + legit_latencies())
    fan_outs()
    slow_headers()
    slow_bodies()
    invalid_tokens()
