#!/usr/bin/env python3
"""The benchmark: the release binary on a large generated directory, driven over HTTP by wrk from
a separate process, on SQLite and PostgreSQL, beside the floor (the same data fetched by minimal
hand-written SQL, bench/floor). Writes bench/results/report.md and report.json.

Run it with bench/run (which builds what it needs); see the README's "Benchmark" section.
Settings come from the environment:
  BENCH_SCALE        seed scale (default 334: 100,200 developers, 50,100 vacancies)
  BENCH_SECONDS      seconds per measurement (default 10)
  BENCH_CONNECTIONS  concurrency levels, e.g. "1 16" (default)
  BENCH_ENGINES      "sqlite postgres" (default; postgres needs BENCH_POSTGRES_URL or
                     TALENT_TEST_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/test)
  BENCH_OPERATIONS   operations to run by number, e.g. "1 2 4a" (default: all; for profiling one)
  BENCH_WARMUP       seconds each read runs, unmeasured, before it is measured (default 3): a
                     measurement starts from warm caches, whatever ran before it (the first search
                     after the point lookups read its full-text index cold: p99 410 ms against
                     120 ms in the runs after it, at 1 connection on PostgreSQL)
  BENCH_ROUNDS       rounds of the deep-page pair and of op 2 (default 4): 4a and 4b, and op 2 and
                     its floor, are measured alternately, BENCH_SECONDS / 2 each round, so that
                     their ratio does not carry the drift of a shared machine between two runs a
                     minute apart
"""

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "talent-api"
FLOOR = ROOT / "target" / "release" / "floor"
CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "lua"

SCALE = int(os.environ.get("BENCH_SCALE", "334"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "1 16").split()]
ENGINES = os.environ.get("BENCH_ENGINES", "sqlite postgres").split()
OPERATIONS = os.environ.get("BENCH_OPERATIONS", "").split()
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "3"))
PG_URL = os.environ.get(
    "BENCH_POSTGRES_URL",
    os.environ.get("TALENT_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"),
)


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def database_url(engine):
    if engine == "sqlite":
        return f"sqlite://{CACHE}/talent-{SCALE}.db"
    return re.sub(r"/[^/]*$", f"/talent_bench_{SCALE}", PG_URL)


def seeded(engine):
    """Seeds the directory once per engine and scale; later runs reuse it."""
    marker = CACHE / f"seeded-{engine}-{SCALE}.json"
    info = json.loads(marker.read_text()) if marker.exists() else seed(engine, marker)
    if engine == "postgres":
        # Write the dirty buffers out now: a seed leaves gigabytes of them (the load and its
        # VACUUM) to the background checkpointer, which would be flushing them while we measure
        # (op 1 at 16 connections measured 1,449 req/s right after a seed, 2,500 later).
        subprocess.run(["psql", database_url(engine), "-qc", "CHECKPOINT"], check=True)
    return info


def seed(engine, marker):
    """Seeds `engine` at SCALE and records how long it took in `marker`."""
    url = database_url(engine)
    CACHE.mkdir(parents=True, exist_ok=True)
    if engine == "sqlite":
        for leftover in CACHE.glob(f"talent-{SCALE}.db*"):
            leftover.unlink()
    else:
        name = url.rsplit("/", 1)[1]
        subprocess.run(["psql", PG_URL, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True)
        subprocess.run(["psql", PG_URL, "-qc", f"CREATE DATABASE {name}"], check=True)
    log(f"seeding scale {SCALE} on {engine} (once; cached in {marker.name})")
    started = time.monotonic()
    subprocess.run(
        [str(BIN), "--database-url", url, "seed", "--scale", str(SCALE)],
        check=True,
        env={**os.environ, "RUST_LOG": "warn"},
    )
    info = {"seconds": round(time.monotonic() - started, 1)}
    marker.write_text(json.dumps(info))
    return info


class Server:
    """The release binary serving `url`, on a free port; its response cache is off unless `cached`
    (every measured request then runs in full, as a request never seen before does)."""

    def __init__(self, url, cached=False):
        self.log = tempfile.NamedTemporaryFile("w+", suffix=".log")
        self.process = subprocess.Popen(
            [
                str(BIN), "--database-url", url, "--log-format", "json",
                "serve", "--addr", "127.0.0.1:0", "--no-demo",
                "--rate-limit-per-second", "0", "--max-cost", "1000000",
                "--response-cache-bytes", str(64 * 1024 * 1024 if cached else 0),
            ],
            stderr=self.log,
            env={**os.environ, "RUST_LOG": "warn,talent_api=info"},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self.log.seek(0)
            found = re.search(r"listening on (http://[0-9.:]+)", self.log.read())
            if found:
                self.base = found.group(1)
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.log.seek(0)
        raise SystemExit(f"the server did not start:\n{self.log.read()}")

    def graphql(self, query, variables=None, token=None):
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        request = urllib.request.Request(f"{self.base}/graphql", data=body, headers=headers)
        with urllib.request.urlopen(request) as response:
            answer = json.load(response)
        if answer.get("errors"):
            raise SystemExit(f"{query}: {answer['errors']}")
        return answer["data"]

    def counters(self):
        """(HTTP requests answered, SQL statements run) so far."""
        with urllib.request.urlopen(f"{self.base}/metrics") as response:
            text = response.read().decode()
        requests = sum(
            float(v) for v in re.findall(r"^talent_http_requests_total\{[^}]*\} (\S+)$", text, re.M)
        )
        statements = float(re.search(r"^talent_db_statements_total (\S+)$", text, re.M).group(1))
        return requests, statements

    def cpu_seconds(self):
        """CPU time (user + system) the server process has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def size(self, body, encoding):
        """Bytes of the answer to `body` (a JSON request) as sent with `Accept-Encoding: encoding`."""
        request = urllib.request.Request(
            f"{self.base}/graphql", data=body.encode(),
            headers={"content-type": "application/json", "accept-encoding": encoding},
        )
        with urllib.request.urlopen(request) as response:
            sent = response.headers.get("content-encoding") or "identity"
            if sent != encoding:
                raise SystemExit(f"asked for {encoding}, got {sent}")
            return len(response.read())

    def rss_mb(self, field="VmRSS"):
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1)) / 1024

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


DEVELOPER = "query($handle: String!) { developer(handle: $handle) { id name headline seniority countryCode skills { level years skill { slug name } } } }"
VACANCIES = "{ vacancies(first: 50) { nodes { id title seniority workplace salary { min max currency period } employer { name } skills { required minLevel skill { slug name } } } } }"
FILTERED = 'query($after: String) { developers(first: 20, after: $after, filter: { skills: [{ slug: "postgresql", minLevel: 2 }, { slug: "docker", minLevel: 2 }, { slug: "git" }], seniority: [MIDDLE, SENIOR], countryCodes: ["US", "DE", "GB", "PL", "IN"] }) { totalCount pageInfo { endCursor } nodes { id handle name seniority } } }'
PAGE = "query($after: String) { developers(first: 20, after: $after) { pageInfo { endCursor } nodes { id handle name seniority } } }"
SEARCH = 'query($q: String!) { developers(first: 20, search: $q) { nodes { id handle name headline } } }'
MATCHING = "query($id: ID!) { vacancy(id: $id) { matchingDevelopers(first: 20) { nodes { score developer { handle } } } } }"


def prepare(server, token):
    """Request bodies for each operation, from the data the server holds."""
    handles = [n["handle"] for n in server.graphql(
        "{ developers(first: 100, orderBy: { field: CREATED_AT, direction: DESC }) { nodes { handle } } }"
    )["developers"]["nodes"]]
    # The cursor after 40,000 developers by name: walk there 100 at a time.
    after = None
    for _ in range(400):
        after = server.graphql(
            "query($after: String) { developers(first: 100, after: $after) { pageInfo { endCursor } } }",
            {"after": after},
        )["developers"]["pageInfo"]["endCursor"]
    vacancies = [n["id"] for n in server.graphql(
        '{ vacancies(first: 50, filter: { anySkills: ["rust", "go", "java", "python"] }) { nodes { id } } }'
    )["vacancies"]["nodes"]]
    developers = server.graphql(
        "{ developers(first: 100, orderBy: { field: YEARS_OF_EXPERIENCE, direction: DESC }) { nodes { id version } } }",
        token=token,
    )["developers"]["nodes"]
    body = lambda query, variables=None: json.dumps({"query": query, "variables": variables or {}})
    return {
        "1 developer(handle:) with skills": [body(DEVELOPER, {"handle": h}) for h in handles],
        "2 vacancies(first: 50) with employer and skills": [body(VACANCIES)],
        "3 developers, 3 skills + seniority + countries, totalCount": [body(FILTERED)],
        "4a developers(first: 20), first page": [body(PAGE)],
        "4b developers(first: 20) after 40,000 rows": [body(PAGE, {"after": after})],
        "5 search developers, two words": [
            body(SEARCH, {"q": q}) for q in ["senior java", "rust postgres", "kafka spring", "python django", "go kubernetes"]
        ],
        "6 Vacancy.matchingDevelopers(first: 20)": [body(MATCHING, {"id": v}) for v in vacancies],
        "7 updateDeveloper with expectedVersion": ("update", [f"{d['id']} {d['version']}" for d in developers]),
        "8 vacancies within 100 km of a city, nearest first": [
            body(NEAR_VACANCIES, {"near": {**place, "radiusKm": 100}, "from": place}) for place in PLACES
        ],
        "9 developers within 50 km of a city, nearest first, totalCount": [
            body(NEAR_DEVELOPERS, {"near": {**place, "radiusKm": 50}, "from": place}) for place in PLACES
        ],
    }


# Distance search (ops 8 and 9): around cities the data uses, on both sides of the Atlantic.
PLACES = [
    {"city": "Berlin", "countryCode": "DE"}, {"city": "London", "countryCode": "GB"},
    {"city": "New York", "countryCode": "US"}, {"city": "Toronto", "countryCode": "CA"},
    {"city": "Amsterdam", "countryCode": "NL"},
]
NEAR_VACANCIES = (
    "query($near: NearFilter!, $from: PlaceInput!) { vacancies(first: 20, filter: { near: $near }, "
    "orderBy: { field: DISTANCE }) { nodes { id title city distanceKm(from: $from) employer { name } } } }"
)
NEAR_DEVELOPERS = (
    "query($near: NearFilter!, $from: PlaceInput!) { developers(first: 20, filter: { near: $near }, "
    "orderBy: { field: DISTANCE }) { totalCount nodes { handle city distanceKm(from: $from) } } }"
)


def wrk(server, script, data, token, connections, seconds=SECONDS):
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as file:
        file.write("\n".join(data) + "\n")
        file.flush()
        threads = min(connections, 2)
        out = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
             "--timeout", "10s", "-s", str(LUA / script), server.base, "--", file.name, token or ""],
            capture_output=True, text=True, check=True,
        ).stdout
    return json.loads(re.search(r"^RESULT (.*)$", out, re.M).group(1))


def floor(engine, operation, connections, seconds=SECONDS):
    """The floor of an operation: its minimal SQL run by bench/floor at the same concurrency."""
    if not FLOOR.exists():
        return None
    out = subprocess.run(
        [str(FLOOR), "--database-url", database_url(engine), "--operation", operation,
         "--connections", str(connections), "--seconds", str(seconds)],
        capture_output=True, text=True,
    )
    if out.returncode != 0:
        log(f"floor {operation} failed: {out.stderr.strip()[:300]}")
        return None
    return json.loads(out.stdout)


FLOOR_OPERATIONS = {"1": "developer", "2": "vacancies", "3": "filtered", "4a": "page", "4b": "deep-page", "5": "search", "6": "matching"}


# Measured alternately in rounds (see BENCH_ROUNDS): the first page and the deep page.
PAIR = ("4a", "4b")


def measure(engine):
    seed = seeded(engine)
    url = database_url(engine)
    token = subprocess.run(
        [str(BIN), "--database-url", url, "token", "create", "--role", "admin", "--name", f"bench-{int(time.time())}"],
        capture_output=True, text=True, check=True, env={**os.environ, "RUST_LOG": "warn"},
    ).stdout.strip()
    server = Server(url)
    rows = []
    try:
        operations = prepare(server, token)
        page_sizes = statements_by_page_size(server, operations)
        chosen = {
            name.split(" ")[0]: (name, bodies) for name, bodies in operations.items()
            if not OPERATIONS or name.split(" ")[0] in OPERATIONS
        }
        paired = all(key in chosen for key in PAIR)
        for key, (name, bodies) in chosen.items():
            if paired and key == PAIR[1]:
                continue  # measured with its pair
            for connections in CONNECTIONS:
                if paired and key == PAIR[0]:
                    results = measure_pair(server, engine, [chosen[k] for k in PAIR], connections)
                elif key in ALTERNATED:
                    results = measure_pair(server, engine, [chosen[key]], connections)
                else:
                    results = [measure_one(server, engine, key, name, bodies, token, connections)]
                for row in results:
                    log(json.dumps(row))
                    rows.append(row)
        peak = round(server.rss_mb("VmHWM"), 1)
        sizes = response_sizes(server, operations)
    finally:
        server.stop()
    rows += measure_cached(url, engine, operations)
    return {
        "engine": engine, "seed": seed, "peak_rss_mb": peak, "page_sizes": page_sizes,
        "response_sizes": sizes, "rows": rows,
    }


# Measured again on a server with its response cache on (a warm-up fills it).
CACHED = ("1", "2")

# Measured in rounds alternating with their floor, as the pair is: the target "op 2 at 60% of the
# floor" is a ratio, and this machine's speed moves by a third between runs a minute apart (the
# same binary's CPU per request: 2.18 ms in one run, 2.90 in the next; bench/NOTES.md).
ALTERNATED = ("2",)


def measure_cached(url, engine, operations):
    """The reads of CACHED, answered from the response cache: anonymous, as a public directory's
    readers are, after a warm-up that fills it."""
    chosen = [
        (name, bodies) for name, bodies in operations.items()
        if name.split(" ")[0] in CACHED and (not OPERATIONS or name.split(" ")[0] in OPERATIONS)
    ]
    if not chosen:
        return []
    rows = []
    server = Server(url, cached=True)
    try:
        for name, bodies in chosen:
            key = name.split(" ")[0]
            for connections in CONNECTIONS:
                row = measure_one(server, engine, f"{key}c", f"{key}c {name.split(' ', 1)[1]}, cached", bodies, None,
                                  connections, with_floor=False)
                log(json.dumps(row))
                rows.append(row)
    finally:
        server.stop()
    return rows


def response_sizes(server, operations):
    """Bytes of one answer of op 1 and op 2 as sent uncompressed, gzipped and with brotli."""
    sizes = {}
    for name, bodies in operations.items():
        key = name.split(" ")[0]
        if key in CACHED:
            sizes[key] = {encoding: server.size(bodies[0], encoding) for encoding in ("identity", "gzip", "br")}
    return sizes


def measure_one(server, engine, key, name, bodies, token, connections, seconds=SECONDS, with_floor=True, warmup=WARMUP):
    """One wrk run of an operation, after `warmup` seconds of it unmeasured (reads only: the
    writes' versions would go stale), with its statements per request, the server's RSS and the
    floor (which runs right after, on the caches the run left warm)."""
    script, data = ("update.lua", bodies[1]) if isinstance(bodies, tuple) else ("graphql.lua", bodies)
    if warmup and script == "graphql.lua":
        wrk(server, script, data, None, connections, warmup)
    before = server.counters()
    cpu = server.cpu_seconds()
    # Reads go out anonymous, as a public directory's readers do; the writes carry the admin token
    # (one statement of theirs is its lookup).
    result = wrk(server, script, data, token if script == "update.lua" else None, connections, seconds)
    cpu = server.cpu_seconds() - cpu
    after = server.counters()
    result["statements"] = after[1] - before[1]
    result["answered"] = max(after[0] - before[0], 1)
    result["statements_per_request"] = round(result["statements"] / result["answered"], 2)
    # The server's own CPU per answer (the database's is apart, in its own processes).
    result["cpu_ms_per_request"] = round(1000 * cpu / result["answered"], 3)
    result["rss_mb"] = round(server.rss_mb(), 1)
    if with_floor and key in FLOOR_OPERATIONS:
        result["floor"] = floor(engine, FLOOR_OPERATIONS[key], connections, seconds)
    return {"engine": engine, "operation": name, "connections": connections, **result}


def measure_pair(server, engine, pair, connections):
    """The operations of `pair` (the two of PAIR, or one of ALTERNATED) measured alternately for
    ROUNDS rounds, the server and then the floor, each run half of SECONDS: a drift of the machine
    reaches both alike. Requests per second
    are over all rounds; latency percentiles are the median of the rounds'."""
    seconds = max(SECONDS // 2, 1)
    runs = {name: [] for name, _ in pair}
    floors = {name: [] for name, _ in pair}
    for index in range(ROUNDS):
        for name, bodies in pair:
            key = name.split(" ")[0]
            warmup = WARMUP if index == 0 else 0
            runs[name].append(measure_one(server, engine, key, name, bodies, None, connections, seconds, False, warmup))
        for name, _ in pair:
            floors[name].append(floor(engine, FLOOR_OPERATIONS[name.split(" ")[0]], connections, seconds))
    return [
        {
            "engine": engine, "operation": name, "connections": connections,
            **combine(runs[name]),
            "floor": combine(floors[name]) if all(floors[name]) else None,
        }
        for name, _ in pair
    ]


def combine(runs):
    """One result from several runs of the same operation."""
    requests = sum(r["requests"] for r in runs)
    # wrk reports its run's length; the floor, its requests and their rate.
    seconds = sum(r.get("seconds") or r["requests"] / r["rps"] for r in runs)
    result = {
        "requests": requests,
        "seconds": round(seconds, 3),
        "rps": round(requests / seconds, 1),
        "rounds_rps": [r["rps"] for r in runs],
        **{p: round(statistics.median(r[p] for r in runs), 3) for p in ("p50_ms", "p95_ms", "p99_ms")},
    }
    if "errors" in runs[0]:
        result["errors"] = sum(r["errors"] for r in runs)
        result["socket_errors"] = sum(r.get("socket_errors", 0) for r in runs)
        result["example_error"] = next((r["example_error"] for r in runs if r.get("example_error")), "")
        statements, answered = sum(r["statements"] for r in runs), sum(r["answered"] for r in runs)
        result["statements_per_request"] = round(statements / answered, 2)
        result["cpu_ms_per_request"] = round(
            sum(r["cpu_ms_per_request"] * r["answered"] for r in runs) / answered, 3
        )
        result["rss_mb"] = max(r["rss_mb"] for r in runs)
    return result


SIZED = {
    "2": (VACANCIES, "first: 50"),
    "3": (FILTERED, "first: 20"),
    "4a": (PAGE, "first: 20"),
    "6": (MATCHING, "first: 20"),
}


def statements_by_page_size(server, operations):
    """SQL statements of one request of each list operation with pages of 5 and of 50."""
    counts = {}
    for name, bodies in operations.items():
        key = name.split(" ")[0]
        if key not in SIZED:
            continue
        query, size = SIZED[key]
        variables = json.loads(bodies[0])["variables"]
        counts[key] = {}
        for first in (5, 50):
            before = server.counters()[1]
            server.graphql(query.replace(size, f"first: {first}"), variables)
            counts[key][first] = server.counters()[1] - before
    return counts


def machine():
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
        platform.processor(),
    )
    memory = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 1024 // 1024
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory, "kernel": platform.release()}


def markdown(report):
    lines = [
        "# Benchmark report",
        "",
        f"Machine: {report['machine']['cpu']}, {report['machine']['cores']} cores, {report['machine']['memory_gb']} GB "
        f"(load generator on the same machine). Scale {report['scale']}; {report['seconds']} s per measurement; "
        f"wrk with {', '.join(map(str, report['connections']))} connections. Generated by `bench/run` on {report['date']}.",
        "",
        (f"Each read runs {report['warmup']} s unmeasured before it is measured. " if report.get("warmup") else "")
        + (f"Operations 2, 4a and 4b (and their floors) are measured alternately, {report['rounds']} rounds of "
           f"{max(report['seconds'] // 2, 1)} s each, so that their ratio does not carry the machine's drift: req/s over "
           "all rounds, latencies the median of the rounds'." if report.get("rounds") else ""),
        "",
    ]
    for run in report["runs"]:
        lines += [
            f"## {run['engine']}",
            "",
            f"Seeded in {run['seed']['seconds']} s; server peak RSS {run['peak_rss_mb']} MB.",
            "",
            "| operation | conn | req/s | p50 ms | p95 ms | p99 ms | errors | SQL/req | CPU ms/req | floor req/s | of floor | floor p99 ms |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in run["rows"]:
            floor_rps = row.get("floor", {}) and row["floor"].get("rps")
            share = f"{100 * row['rps'] / floor_rps:.0f}%" if floor_rps else ""
            floor_p99 = row.get("floor", {}) and row["floor"].get("p99_ms")
            lines.append(
                f"| {row['operation']} | {row['connections']} | {row['rps']:.0f} | {row['p50_ms']:.2f} | {row['p95_ms']:.2f} | "
                f"{row['p99_ms']:.2f} | {row['errors']} | {row['statements_per_request']} | "
                f"{row.get('cpu_ms_per_request', '')} | "
                f"{floor_rps and f'{floor_rps:.0f}' or ''} | {share} | {floor_p99 and f'{floor_p99:.2f}' or ''} |"
            )
        lines.append("")
        if run.get("response_sizes"):
            lines += [
                "Bytes of one answer (cached rows: `c`, from the response cache, same bytes):",
                "",
                "| operation | identity | gzip | br |",
                "|---|---:|---:|---:|",
            ]
            for key, size in run["response_sizes"].items():
                lines.append(
                    f"| op {key} | {size['identity']:,} | {size['gzip']:,} ({100 * size['gzip'] / size['identity']:.0f}%) "
                    f"| {size['br']:,} ({100 * size['br'] / size['identity']:.0f}%) |"
                )
            lines.append("")
    lines += targets(report)
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text().strip(), ""]
    return "\n".join(lines)


def targets(report):
    """The issue's targets, each against the figures of this run, beside the floor's own figure
    for the same measure where it has one (what the SQL alone reaches on this machine)."""
    lines = [
        "## Targets",
        "",
        "| target | engine | measured | floor (SQL alone) | met |",
        "|---|---|---|---|---|",
    ]

    def add(target, engine, measured, met, floor=""):
        lines.append(f"| {target} | {engine} | {measured} | {floor} | {'yes' if met else '**no**'} |")

    def floor_p99(r):
        return f"{r['floor']['p99_ms']:.1f} ms" if r.get("floor") else ""

    def row(run, key, connections):
        return next(
            (r for r in run["rows"] if r["operation"].split(" ")[0] == key and r["connections"] == connections),
            None,
        )

    most = max(report["connections"])
    for run in report["runs"]:
        engine = run["engine"]
        for connections in report["connections"]:
            r = row(run, "2", connections)
            if r and r.get("floor"):
                share = r["rps"] / r["floor"]["rps"]
                add(f"op 2 at least 60% of the floor ({connections} conn)", engine, f"{100 * share:.0f}%",
                    share >= 0.6, f"{r['floor']['rps']:.0f} req/s")
        for key in CACHED:
            uncached, cached = row(run, key, most), row(run, f"{key}c", most)
            if uncached and cached:
                gain = cached["rps"] / uncached["rps"]
                add(f"op {key} from the response cache faster than computed ({most} conn)", engine,
                    f"{cached['rps']:.0f} against {uncached['rps']:.0f} req/s, p99 {cached['p99_ms']:.1f} ms",
                    gain > 1)
        for key, size in run.get("response_sizes", {}).items():
            add(f"op {key} answer compressed (br)", engine,
                f"{size['identity']:,} -> {size['br']:,} bytes", size["br"] < size["identity"])
        if engine == "postgres":
            r = row(run, "2", most)
            if r:
                add(f"op 2 p99 under 25 ms at {most} conn", engine, f"{r['p99_ms']:.1f} ms", r["p99_ms"] < 25, floor_p99(r))
        r = row(run, "1", most)
        if r:
            add(f"op 1 p99 under 5 ms at {most} conn", engine, f"{r['p99_ms']:.1f} ms", r["p99_ms"] < 5, floor_p99(r))
        for connections in report["connections"]:
            first, deep = row(run, "4a", connections), row(run, "4b", connections)
            if first and deep:
                ratio = deep["rps"] / first["rps"]
                floor = (
                    f"{100 * deep['floor']['rps'] / first['floor']['rps']:.0f}%"
                    if first.get("floor") and deep.get("floor") else ""
                )
                add(f"op 4 deep page within 20% of the first ({connections} conn)", engine,
                    f"{100 * ratio:.0f}% of its req/s", ratio >= 0.8, floor)
        add("peak RSS under 150 MB", engine, f"{run['peak_rss_mb']} MB", run["peak_rss_mb"] < 150)
        # Keys are ints in a fresh run and strings when read back from report.json.
        sizes = {k: {int(n): c for n, c in v.items()} for k, v in run.get("page_sizes", {}).items()}
        if sizes:
            flat = all(c[5] == c[50] for c in sizes.values())
            measured = ", ".join(f"op {k}: {c[5]:.0f} / {c[50]:.0f}" for k, c in sizes.items())
            add("statements do not grow with the page size (5 / 50 rows)", engine, measured, flat)
    return lines


def main():
    CACHE.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "scale": SCALE,
        "seconds": SECONDS,
        "connections": CONNECTIONS,
        "rounds": ROUNDS,
        "warmup": WARMUP,
        "runs": [measure(engine) for engine in ENGINES],
    }
    (RESULTS / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    (RESULTS / "report.md").write_text(markdown(report) + "\n")
    print(markdown(report))


if __name__ == "__main__":
    main()
