//! Building and running the server. `main` and the integration tests go through the same
//! [`Application::build`].

use std::{future::Future, io, net::SocketAddr};

use anyhow::Context as _;
use axum::Router;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::{
    config::ServerConfig,
    db::{self, StatementCounter},
    demo, graphql, http,
};

/// A server that is ready to serve: database migrated, listener bound.
pub struct Application {
    listener: TcpListener,
    router: Router,
    db: DatabaseConnection,
    statements: StatementCounter,
}

impl Application {
    /// Connects to and migrates the database, loads the demo dataset into an empty one when asked,
    /// and binds the listener.
    pub async fn build(config: &ServerConfig) -> anyhow::Result<Self> {
        let mut db = db::connect(&config.database_url, config.db_max_connections)
            .await
            .with_context(|| {
                format!("cannot connect to the database at {}", config.database_url)
            })?;
        let statements = StatementCounter::default();
        statements.install(&mut db);
        db::migrate(&db)
            .await
            .context("cannot migrate the database")?;
        if config.load_demo
            && db::is_empty(&db)
                .await
                .context("cannot read the database")?
        {
            let summary = demo::seed(&db)
                .await
                .context("cannot load the demo dataset")?;
            tracing::info!(%summary, "loaded the demo dataset into the empty database");
        }
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("cannot listen on {}", config.addr))?;
        let router = http::router(graphql::build_schema(db.clone()), db.clone());
        Ok(Self {
            listener,
            router,
            db,
            statements,
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

    /// Serves until `shutdown` completes, then finishes in-flight requests and closes the pool.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown)
            .await
            .context("the server stopped with an error")?;
        self.db
            .close()
            .await
            .context("cannot close the database pool")?;
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
