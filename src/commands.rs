//! What each subcommand does.

use std::io::Write as _;

use anyhow::{Context as _, bail};

use crate::{
    auth::{Secret, store as tokens},
    cli::{Cli, Command, CreateTokenArgs, SchemaFormat, TokenCommand, TokenRoleArg},
    config::{DatabaseUrl, ServerConfig},
    db, demo, schema,
    startup::{Application, shutdown_signal},
};

/// Runs the command named on the command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        None => serve(ServerConfig::new(&cli, &cli.serve)).await,
        Some(Command::Serve(args)) => serve(ServerConfig::new(&cli, args)).await,
        Some(Command::Migrate) => {
            let db = connect(&cli.database_url, 1).await?;
            db::migrate(&db)
                .await
                .context("cannot migrate the database")?;
            tracing::info!(database = %cli.database_url, "migrations applied");
            Ok(())
        }
        Some(Command::Seed { scale }) => {
            // One connection: the load is one transaction, and its schema changes (ANALYZE) are
            // then seen by every statement after it.
            let db = connect(&cli.database_url, 1).await?;
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
            let started = std::time::Instant::now();
            let bar = progress_bar();
            let summary = demo::seed_scale(&db, *scale as usize, |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            })
            .await
            .context("cannot load the generated directory")?;
            bar.finish_and_clear();
            tracing::info!(
                %summary,
                scale,
                seconds = format!("{:.1}", started.elapsed().as_secs_f64()),
                database = %cli.database_url,
                "directory loaded"
            );
            Ok(())
        }
        Some(Command::Token(command)) => {
            // One connection, as for `migrate` and `seed`: a pooled SQLite connection that loaded
            // the schema before a migration changed it can refuse the migration's next statement
            // (seen: "trigger ... already exists" right after its `DROP TRIGGER`, run on another
            // connection of the pool), and a token needs no more.
            let db = connect(&cli.database_url, 1).await?;
            db::migrate(&db)
                .await
                .context("cannot migrate the database")?;
            let outcome = token(&db, command).await;
            db.close().await.ok();
            outcome
        }
        Some(Command::ExportSchema { out, format }) => {
            let text = match format {
                SchemaFormat::Sdl => schema::sdl(),
                SchemaFormat::Json => {
                    let introspection = schema::introspection()
                        .await
                        .map_err(|err| anyhow::anyhow!("cannot introspect the schema: {err}"))?;
                    let mut text = serde_json::to_string_pretty(&introspection)
                        .context("cannot encode the introspection result")?;
                    text.push('\n');
                    text
                }
            };
            match out {
                Some(path) => std::fs::write(path, &text)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => std::io::stdout()
                    .write_all(text.as_bytes())
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
        database = %config.database.url,
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

/// `token create|list|revoke`.
async fn token(db: &sea_orm::DatabaseConnection, command: &TokenCommand) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    match command {
        TokenCommand::Create(args) => {
            let new = new_token(db, args, now).await?;
            let secret = Secret::generate().context("no randomness for a new token")?;
            let row = tokens::create(db, new, &secret, now)
                .await
                .context("cannot create the token")?;
            tracing::info!(token.id = row.id, token.hint = %row.hint, role = ?row.role, "API token created; it is printed once, on stdout");
            writeln!(std::io::stdout(), "{}", secret.expose())
                .context("cannot write the token to stdout")?;
            Ok(())
        }
        TokenCommand::List { all } => {
            let rows = tokens::list(db, *all)
                .await
                .context("cannot read the tokens")?;
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{:<5} {:<12} {:<24} {:<10} {:<24} {:<20} {:<20} {:<20} STATUS",
                "ID", "HINT", "NAME", "ROLE", "OWNER", "CREATED", "EXPIRES", "LAST USED"
            )?;
            for row in rows {
                let owner = owner_name(db, &row).await?;
                let time = |at: Option<chrono::DateTime<chrono::Utc>>| {
                    at.map_or_else(
                        || "-".to_owned(),
                        |at| at.format("%Y-%m-%d %H:%M").to_string(),
                    )
                };
                let status = if row.revoked_at.is_some() {
                    "revoked"
                } else if tokens::is_active(&row, now) {
                    "active"
                } else {
                    "expired"
                };
                writeln!(
                    out,
                    "{:<5} {:<12} {:<24} {:<10} {:<24} {:<20} {:<20} {:<20} {status}",
                    row.id,
                    format!("{}…", row.hint),
                    row.name,
                    format!("{:?}", row.role).to_lowercase(),
                    owner,
                    time(Some(row.created_at)),
                    time(row.expires_at),
                    time(row.last_used_at),
                )?;
            }
            Ok(())
        }
        TokenCommand::Revoke { id } => {
            let key = id
                .parse::<i64>()
                .ok()
                .or_else(|| {
                    toolkit::id::decode_id(&id.as_str().into(), crate::ids::NodeKind::ApiToken, &[])
                        .ok()
                })
                .with_context(|| format!("`{id}` is not a token number or token ID"))?;
            match tokens::revoke(db, key, now)
                .await
                .context("cannot revoke the token")?
            {
                Some(row) => {
                    tracing::info!(token.id = row.id, token.hint = %row.hint, "API token revoked");
                    Ok(())
                }
                None => bail!("there is no token {key}"),
            }
        }
    }
}

/// The token `args` asks for, with its owner looked up.
async fn new_token(
    db: &sea_orm::DatabaseConnection,
    args: &CreateTokenArgs,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<tokens::NewToken> {
    let name = args.name.trim();
    if name.is_empty() || name.chars().count() > tokens::MAX_NAME {
        bail!("--name must be 1 to {} characters", tokens::MAX_NAME);
    }
    let (role, employer_id, developer_id) = match (args.role, &args.employer, &args.developer) {
        (TokenRoleArg::Admin, None, None) => (entity::TokenRole::Admin, None, None),
        (TokenRoleArg::Employer, Some(slug), None) => {
            let employer = crate::employer::store::find_by_slug(db, slug)
                .await?
                .with_context(|| format!("there is no employer with slug `{slug}`"))?;
            (entity::TokenRole::Employer, Some(employer.id), None)
        }
        (TokenRoleArg::Developer, None, Some(handle)) => {
            let developer = crate::developer::store::find_by_handle(db, handle)
                .await?
                .with_context(|| format!("there is no developer with handle `{handle}`"))?;
            (entity::TokenRole::Developer, None, Some(developer.id))
        }
        _ => bail!(
            "an admin token has no owner; an employer token needs --employer SLUG, a developer token --developer HANDLE, and nothing else"
        ),
    };
    Ok(tokens::NewToken {
        name: name.to_owned(),
        role,
        employer_id,
        developer_id,
        expires_at: args
            .expires_in_days
            .map(|days| now + chrono::TimeDelta::days(i64::from(days))),
    })
}

/// The slug or handle of a token's owner, `-` for admin tokens.
async fn owner_name(
    db: &sea_orm::DatabaseConnection,
    token: &entity::api_token::Model,
) -> anyhow::Result<String> {
    use sea_orm::EntityTrait;
    if let Some(id) = token.employer_id {
        let employer = entity::employer::Entity::find_by_id(id).one(db).await?;
        return Ok(employer.map_or_else(
            || format!("employer {id}"),
            |e| format!("employer:{}", e.slug),
        ));
    }
    if let Some(id) = token.developer_id {
        let developer = entity::developer::Entity::find_by_id(id).one(db).await?;
        return Ok(developer.map_or_else(
            || format!("developer {id}"),
            |d| format!("developer:{}", d.handle),
        ));
    }
    Ok("-".to_owned())
}

/// A progress bar on stderr for `seed`; indicatif draws nothing when stderr is not a terminal.
fn progress_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} seeding {bar:40} {pos}/{len} developers and vacancies ({eta} left)",
    ) {
        bar.set_style(style);
    }
    bar
}
