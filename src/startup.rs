//! Building and running the server. `main` and the integration tests go through the same
//! [`Application::build`].

use std::{future::Future, io, net::SocketAddr};

use anyhow::Context as _;
use axum::Router;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use toolkit::persisted::{Persisted, Trusted};

use crate::{
    config::ServerConfig,
    db::{self, StatementCounter},
    demo,
    events::Events,
    http, schema,
};

/// How long the start waits for the PostgreSQL `LISTEN` connection (see [`Events`]).
const LISTEN_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A server that is ready to serve: database migrated, listener bound.
pub struct Application {
    listener: TcpListener,
    router: Router,
    db: DatabaseConnection,
    statements: StatementCounter,
    shutdown_timeout: std::time::Duration,
    drain: std::time::Duration,
    draining: http::Draining,
    connections: http::serve::ConnectionLimits,
}

impl Application {
    /// Connects to and migrates the database, loads the demo dataset into an empty one when asked,
    /// and binds the listener.
    pub async fn build(config: &ServerConfig) -> anyhow::Result<Self> {
        let persisted = persisted_documents(&config.limits)?;
        let connect = |max_connections| async move {
            db::connect(&config.database.url, max_connections)
                .await
                .with_context(|| {
                    format!("cannot connect to the database at {}", config.database.url)
                })
        };
        // Migrations and the demo load change the schema (and ANALYZE its statistics): they run
        // on a connection of their own. A SQLite connection that loaded the schema before such a
        // change can fail its next statement with "no such table" (seen: 1 run in 5 of a delete
        // whose triggers and foreign keys span several tables), so the serving pool opens after.
        let setup = connect(1).await?;
        crate::geo::warm();
        db::migrate(&setup)
            .await
            .context("cannot migrate the database")?;
        if config.database.load_demo
            && db::is_empty(&setup)
                .await
                .context("cannot read the database")?
        {
            let summary = demo::seed(&setup)
                .await
                .context("cannot load the demo dataset")?;
            tracing::info!(%summary, "loaded the demo dataset into the empty database");
        }
        let mut db = if config.database.url.is_sqlite_memory() {
            // The database lives in that one connection.
            setup
        } else {
            setup.close().await.ok();
            connect(config.database.max_connections).await?
        };
        let statements = StatementCounter::default();
        statements.install(&mut db);
        if !config.replication.read_urls.is_empty()
            && !matches!(config.database.url, crate::config::DatabaseUrl::Postgres(_))
        {
            anyhow::bail!("read replicas (--database-read-url) need a PostgreSQL primary");
        }
        if config.limits.rate_limit_store == Some(crate::config::RateLimitStore::Database)
            && !matches!(config.database.url, crate::config::DatabaseUrl::Postgres(_))
        {
            anyhow::bail!(
                "--rate-limit-store database needs PostgreSQL: on SQLite the buckets are kept in memory"
            );
        }
        let reads = crate::replicas::Reads::start(
            &db,
            &config.replication.read_urls,
            config.database.max_connections,
            std::time::Duration::from_millis(config.replication.replica_max_lag_ms),
            std::time::Duration::from_millis(config.replication.replica_wait_ms),
            &statements,
        )
        .await
        .context("cannot open the read replicas")?;
        let listener = TcpListener::bind(config.http.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.http.addr))?;
        let events = Events::start(&db);
        if !events.listening_within(LISTEN_WAIT).await {
            tracing::warn!(
                "not yet listening for other instances' writes: the response cache stays off until then"
            );
        }
        let draining = http::Draining::default();
        let router = http::router(
            schema::build_schema(db.clone(), events, &config.limits, persisted, &config.http),
            db.clone(),
            reads,
            &statements,
            draining.clone(),
            config,
        );
        Ok(Self {
            listener,
            router,
            db,
            statements,
            shutdown_timeout: std::time::Duration::from_millis(config.http.shutdown_timeout_ms),
            drain: std::time::Duration::from_millis(config.http.drain_ms),
            draining,
            connections: http::serve::ConnectionLimits::new(&config.http),
        })
    }

    /// The server's database pool.
    pub fn database(&self) -> DatabaseConnection {
        self.db.clone()
    }

    /// The count of SQL statements the server has run.
    pub fn statements(&self) -> StatementCounter {
        self.statements.clone()
    }

    /// The address the server listens on (with the real port when port 0 was asked for).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` completes, then drains (keeps serving with `/ready` at 503 for the
    /// drain time, so a load balancer stops sending requests), stops accepting connections, lets
    /// in-flight requests finish for at most the shutdown timeout, and closes the pool.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let mut stopping = stop_rx.clone();
        let (draining, drain) = (self.draining.clone(), self.drain);
        tokio::spawn(async move {
            shutdown.await;
            draining.start();
            if !drain.is_zero() {
                tracing::info!(
                    drain_ms = drain.as_millis() as u64,
                    "draining: /ready answers 503 until the listener closes"
                );
                tokio::time::sleep(drain).await;
            }
            stop_tx.send(true).ok();
            // Keep the sender until the server is gone, so receivers never see it closed.
            stop_tx.closed().await;
        });
        let server = http::serve::serve(self.listener, self.router, self.connections, stop_rx);
        let drain = async move {
            if stopping.wait_for(|stopping| *stopping).await.is_ok() {
                tokio::time::sleep(self.shutdown_timeout).await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = server => {}
            () = drain => tracing::warn!(
                timeout_ms = self.shutdown_timeout.as_millis() as u64,
                "requests were still running when the shutdown timeout ran out; stopping anyway"
            ),
        }
        // WebSockets outlive the connections `serve` waits for: they were told to go (1012) when
        // draining started; their tasks end quickly, and must not see the pool closed first.
        let sockets = self.draining.sockets_closed();
        if tokio::time::timeout(self.shutdown_timeout, sockets)
            .await
            .is_err()
        {
            tracing::warn!("WebSockets were still open when the shutdown timeout ran out");
        }
        self.db
            .close()
            .await
            .context("cannot close the database pool")?;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

/// The persisted documents `limits` configure; a trusted-documents manifest that cannot be read
/// stops the start, rather than serving without the protection the operator asked for.
fn persisted_documents(limits: &crate::config::Limits) -> anyhow::Result<Persisted> {
    let trusted = match &limits.trusted_documents {
        None => None,
        Some(path) => {
            let manifest = std::fs::read_to_string(path).with_context(|| {
                format!("cannot read the trusted documents at {}", path.display())
            })?;
            let trusted = Trusted::from_manifest(&manifest).map_err(|err| {
                anyhow::anyhow!("the trusted documents at {}: {err}", path.display())
            })?;
            tracing::info!(documents = trusted.len(), manifest = %path.display(), "running trusted documents only");
            Some(trusted)
        }
    };
    Ok(Persisted::new(
        limits.persisted_queries_bytes,
        trusted,
        limits.trusted_documents_admin_bypass,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits_with(manifest: &std::path::Path) -> crate::config::Limits {
        crate::config::Limits {
            trusted_documents: Some(manifest.to_owned()),
            ..crate::config::Limits::default()
        }
    }

    #[test]
    fn a_trusted_documents_manifest_that_cannot_be_read_stops_the_start() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let missing = dir.path().join("no-such-manifest.json");
        let refused = persisted_documents(&limits_with(&missing)).map(|_| ());
        assert!(refused.is_err_and(|err| err.to_string().contains("cannot read")));
        let malformed = dir.path().join("manifest.json");
        std::fs::write(&malformed, "[\"{ skills { totalCount } }\"]")?;
        let refused = persisted_documents(&limits_with(&malformed)).map(|_| ());
        assert!(refused.is_err_and(|err| err.to_string().contains("JSON object")));
        Ok(())
    }
}
