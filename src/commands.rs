//! What each subcommand does.

use std::io::Write as _;

use anyhow::{Context as _, bail};

use crate::{
    config::{Cli, Command, DatabaseUrl, ServerConfig},
    db, demo, graphql,
    startup::{Application, shutdown_signal},
};

/// Runs the command named on the command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        None => serve(ServerConfig::new(&cli, &cli.serve)).await,
        Some(Command::Serve(args)) => serve(ServerConfig::new(&cli, args)).await,
        Some(Command::Migrate) => {
            let db = connect(&cli.database_url, cli.db_max_connections).await?;
            db::migrate(&db)
                .await
                .context("cannot migrate the database")?;
            tracing::info!(database = %cli.database_url, "migrations applied");
            Ok(())
        }
        Some(Command::Seed) => {
            let db = connect(&cli.database_url, cli.db_max_connections).await?;
            db::migrate(&db)
                .await
                .context("cannot migrate the database")?;
            if !db::is_empty(&db)
                .await
                .context("cannot read the database")?
            {
                bail!(
                    "the database at {} already holds data: `seed` only fills an empty database",
                    cli.database_url
                );
            }
            let summary = demo::seed(&db)
                .await
                .context("cannot load the demo dataset")?;
            tracing::info!(%summary, database = %cli.database_url, "demo dataset loaded");
            Ok(())
        }
        Some(Command::ExportSchema { out }) => {
            let sdl = graphql::sdl();
            match out {
                Some(path) => std::fs::write(path, &sdl)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => std::io::stdout()
                    .write_all(sdl.as_bytes())
                    .context("cannot write the schema to stdout")?,
            }
            Ok(())
        }
    }
}

async fn serve(config: ServerConfig) -> anyhow::Result<()> {
    let app = Application::build(&config).await?;
    let addr = app
        .local_addr()
        .context("cannot read the listening address")?;
    tracing::info!(
        database = %config.database_url,
        "talent-api listening on http://{addr}; playground at http://{addr}/, GraphQL at http://{addr}/graphql"
    );
    app.run_until_stopped(shutdown_signal()).await
}

async fn connect(
    url: &DatabaseUrl,
    max_connections: u32,
) -> anyhow::Result<sea_orm::DatabaseConnection> {
    db::connect(url, max_connections)
        .await
        .with_context(|| format!("cannot connect to the database at {url}"))
}
