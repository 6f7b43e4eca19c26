//! Accepting connections within limits: the server's own accept loop on hyper's HTTP/1 builder.
//!
//! `axum::serve` sets no header-read timeout, no idle timeout and no cap on connections, so a
//! client that opens connections and sends a header byte now and then keeps them forever (the
//! audit held 2,000 open for 120 s, and with a lower file limit the server stopped accepting).
//! Here every connection:
//! - must send a request's line and headers within `--header-read-timeout-ms` (hyper's timer);
//! - is closed once no byte has moved either way for `--idle-timeout-ms` (after its in-flight
//!   request, if any, is answered);
//! - counts against `--max-connections` (the loop stops accepting at the cap, so clients wait in
//!   the kernel's backlog instead of the server running out of file descriptors) and against
//!   `--max-connections-per-address` (one past it is closed at once, so one address, or a few,
//!   cannot take every connection).
//!
//! Request bodies have their own deadline, applied where they are read ([`super::graphql`]).

use std::{
    collections::HashMap,
    io,
    net::{IpAddr, SocketAddr},
    pin::{Pin, pin},
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    task::{Context, Poll},
    time::{Duration, Instant},
};

use axum::{Router, extract::ConnectInfo};
use hyper::{Request, body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::{Semaphore, watch},
};

use crate::config::Http;

/// The connection limits of [`serve`].
#[derive(Clone, Copy, Debug)]
pub struct ConnectionLimits {
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_connections: usize,
    pub max_connections_per_address: usize,
}

/// File descriptors kept free of connections: the database pool, logs, the listener.
const RESERVED_FILES: usize = 128;

impl ConnectionLimits {
    /// The connection limits `limits` configures (each at least 1 ms / 1 connection), with the
    /// connection cap lowered below the process's open-file limit where that is lower: past it,
    /// accepting fails with "Too many open files" and nothing else can open a file either.
    pub fn new(limits: &Http) -> Self {
        let mut max_connections = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
        if let Some(files) = open_file_limit() {
            let room = files.saturating_sub(RESERVED_FILES).max(1);
            if room < max_connections {
                tracing::warn!(
                    configured = max_connections,
                    open_file_limit = files,
                    used = room,
                    "--max-connections is above what the open-file limit allows; lowering it"
                );
                max_connections = room;
            }
        }
        Self {
            header_read_timeout: Duration::from_millis(limits.header_read_timeout_ms.max(1)),
            idle_timeout: Duration::from_millis(limits.idle_timeout_ms.max(1)),
            max_connections,
            max_connections_per_address: limits.max_connections_per_address.max(1),
        }
    }
}

/// The soft limit on open files of this process (Linux: `/proc/self/limits`); None elsewhere or
/// when unlimited.
fn open_file_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    soft_open_files(&limits)
}

/// The soft "Max open files" of a `/proc/<pid>/limits` text.
fn soft_open_files(limits: &str) -> Option<usize> {
    limits
        .lines()
        .find_map(|line| line.strip_prefix("Max open files"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|soft| soft.parse().ok())
}

/// The address that per-address limits count a peer under: an IPv4 address as it is (an
/// IPv4-mapped IPv6 one as IPv4), an IPv6 address by its /64 network, which one subscriber
/// usually holds whole (counting each of its 2^64 addresses apart would make the limits moot).
pub fn client_address(peer: IpAddr) -> IpAddr {
    match peer {
        IpAddr::V4(_) => peer,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(
                u128::from(v6) & !((1u128 << 64) - 1),
            )),
        },
    }
}

/// Counts per client address, each count held by a [`Counted`] guard.
#[derive(Clone, Debug, Default)]
pub struct PerAddress(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// One unit of a [`PerAddress`] count, given back when dropped.
#[derive(Debug)]
pub struct Counted {
    table: PerAddress,
    address: IpAddr,
}

impl PerAddress {
    /// One more for `address`, unless it holds `cap` already.
    pub fn take(&self, address: IpAddr, cap: usize) -> Option<Counted> {
        let mut table = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = table.entry(address).or_insert(0);
        if *count >= cap {
            return None;
        }
        *count += 1;
        Some(Counted {
            table: self.clone(),
            address,
        })
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut table = self
            .table
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = table.get_mut(&self.address) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                table.remove(&self.address);
            }
        }
    }
}

/// Serves `router` on `listener` within `limits` until `stop` turns true; then stops accepting,
/// lets each connection finish its in-flight request, and returns once all have closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    mut stop: watch::Receiver<bool>,
) {
    let open = Arc::new(Semaphore::new(limits.max_connections));
    let per_address = PerAddress::default();
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&open).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = stopped(&mut stop) => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    accept_failed(&err).await;
                    continue;
                }
            },
            () = stopped(&mut stop) => break,
        };
        let client = client_address(peer.ip());
        let Some(counted) = per_address.take(client, limits.max_connections_per_address) else {
            tracing::debug!(client = %peer.ip(), "too many connections from one address: closed");
            continue;
        };
        tracing::trace!(client = %peer, "connection accepted");
        stream.set_nodelay(true).ok();
        let router = router.clone();
        let stop = stop.clone();
        tokio::spawn(async move {
            connection(stream, peer, router, limits, stop).await;
            drop((permit, counted));
        });
    }
    // Every connection holds a permit until it has closed.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    open.acquire_many(all).await.ok();
}

/// Completes once `stop` is true (or its sender is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    stop.wait_for(|stopping| *stopping).await.ok();
}

/// After a failed accept: a connection that went away before it was accepted is nothing; running
/// out of file descriptors (or another error) is logged, and the loop pauses before trying again
/// so it does not spin.
async fn accept_failed(err: &io::Error) {
    if matches!(
        err.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    ) {
        return;
    }
    tracing::warn!(error = %err, "cannot accept a connection; pausing 100 ms");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

/// Serves one connection until it closes, the client stays silent past the idle timeout, or the
/// server stops.
async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: ConnectionLimits,
    mut stop: watch::Receiver<bool>,
) {
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        inner: stream,
        activity: Arc::clone(&activity),
    });
    let router = TowerToHyperService::new(router);
    let service = service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        hyper::service::Service::call(&router, request)
    });
    let mut connection = pin!(
        http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout)
            .keep_alive(true)
            .serve_connection(io, service)
            .with_upgrades()
    );
    let mut closing = false;
    loop {
        let idle_left = limits.idle_timeout.saturating_sub(activity.idle());
        tokio::select! {
            served = connection.as_mut() => {
                if let Err(err) = served {
                    tracing::debug!(client = %peer, error = %err, "connection ended with an error");
                }
                return;
            }
            () = stopped(&mut stop), if !closing => {
                closing = true;
                connection.as_mut().graceful_shutdown();
            }
            () = tokio::time::sleep(idle_left), if !closing => {
                if activity.idle() >= limits.idle_timeout {
                    tracing::debug!(client = %peer, "idle connection closed");
                    closing = true;
                    connection.as_mut().graceful_shutdown();
                }
            }
        }
    }
}

/// When a connection last moved a byte.
struct Activity {
    start: Instant,
    /// Milliseconds since `start`.
    last: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            last: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let now = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last.store(now, Ordering::Relaxed);
    }

    /// How long since a byte last moved.
    fn idle(&self) -> Duration {
        self.start
            .elapsed()
            .saturating_sub(Duration::from_millis(self.last.load(Ordering::Relaxed)))
    }
}

/// A socket that records when bytes move through it.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let read = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        read
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        written
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_peers_count_by_their_64_network_and_mapped_ipv4_as_ipv4() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1"
            .parse()
            .unwrap_or(IpAddr::V4([0; 4].into()));
        let two: IpAddr = "2001:db8:1:2:bbbb::2"
            .parse()
            .unwrap_or(IpAddr::V4([0; 4].into()));
        let other: IpAddr = "2001:db8:1:3::1"
            .parse()
            .unwrap_or(IpAddr::V4([0; 4].into()));
        assert_eq!(client_address(one), client_address(two));
        assert_ne!(client_address(one), client_address(other));
        let mapped: IpAddr = "::ffff:192.0.2.7"
            .parse()
            .unwrap_or(IpAddr::V4([0; 4].into()));
        assert_eq!(client_address(mapped), IpAddr::V4([192, 0, 2, 7].into()));
        let v4 = IpAddr::V4([192, 0, 2, 7].into());
        assert_eq!(client_address(v4), v4);
    }

    #[test]
    fn the_soft_open_file_limit_is_read_from_proc() {
        let limits = "Limit                     Soft Limit           Hard Limit           Units\n\
                      Max processes             127390               127390               processes\n\
                      Max open files            1024                 524288               files\n";
        assert_eq!(soft_open_files(limits), Some(1024));
        let unlimited =
            "Max open files            unlimited            unlimited            files\n";
        assert_eq!(soft_open_files(unlimited), None);
    }

    #[test]
    fn the_connection_cap_stays_under_the_open_file_limit() {
        let limits = ConnectionLimits::new(&Http {
            max_connections: usize::MAX,
            ..Http::default()
        });
        if let Some(files) = open_file_limit() {
            assert!(limits.max_connections <= files - RESERVED_FILES);
        }
    }
}
