//! The floor of the benchmark: for one operation of `bench/bench.py`, the same data fetched by the
//! minimal hand-written SQL (the statements a careful programmer would write by hand, with the
//! same indexes), from `--connections` tasks for `--seconds`, straight through the database
//! driver: no GraphQL, no HTTP, no JSON. Prints `{"rps", "p50_ms", "p95_ms", "p99_ms"}`.

use std::time::{Duration, Instant};

use clap::Parser;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DbErr,
    Statement, Value,
};

#[derive(Parser)]
struct Args {
    #[arg(long)]
    database_url: String,
    /// developer, vacancies, filtered, page, deep-page or search.
    #[arg(long)]
    operation: String,
    #[arg(long, default_value_t = 16)]
    connections: u32,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
}

/// One operation: its statements, each with the positions of the parameters it takes.
#[derive(Clone)]
struct Operation {
    backend: DatabaseBackend,
    kind: Kind,
    /// Handles, search texts or a deep cursor, rotated through.
    params: Vec<Vec<Value>>,
}

#[derive(Clone, Copy)]
enum Kind {
    Developer,
    Vacancies,
    Filtered,
    Page,
    DeepPage,
    Search,
}

impl Operation {
    /// `?` placeholders written as the engine wants them.
    fn sql(&self, text: &str) -> String {
        match self.backend {
            DatabaseBackend::Postgres => {
                let mut out = String::new();
                let mut n = 0;
                for c in text.chars() {
                    if c == '?' {
                        n += 1;
                        out.push_str(&format!("${n}"));
                    } else {
                        out.push(c);
                    }
                }
                out
            }
            _ => text.to_owned(),
        }
    }

    fn statement(&self, text: &str, values: Vec<Value>) -> Statement {
        Statement::from_sql_and_values(self.backend, self.sql(text), values)
    }

    /// Runs the operation once with parameter set `i`.
    async fn run(&self, db: &DatabaseConnection, i: usize) -> Result<(), DbErr> {
        let params = self
            .params
            .get(i % self.params.len().max(1))
            .cloned()
            .unwrap_or_default();
        match self.kind {
            Kind::Developer => {
                let rows = db
                    .query_all_raw(self.statement(
                        "SELECT id, name, headline, seniority, country_code FROM developers WHERE handle = ?",
                        params,
                    ))
                    .await?;
                let id: i64 = rows
                    .first()
                    .map(|r| r.try_get("", "id"))
                    .transpose()?
                    .unwrap_or(0);
                db.query_all_raw(self.statement(
                    "SELECT ds.level, ds.years, s.slug, s.name FROM developer_skills ds JOIN skills s ON s.id = ds.skill_id WHERE ds.developer_id = ? ORDER BY ds.level DESC, s.name, s.id",
                    vec![id.into()],
                ))
                .await?;
            }
            Kind::Vacancies => {
                let rows = db
                    .query_all_raw(self.statement(
                        "SELECT id, employer_id, title, seniority, workplace, salary_min, salary_max, salary_currency, salary_period FROM vacancies WHERE status = 'OPEN' ORDER BY published_at DESC, id DESC LIMIT 51",
                        vec![],
                    ))
                    .await?;
                let mut vacancies = Vec::new();
                let mut employers = Vec::new();
                for row in rows.iter().take(50) {
                    vacancies.push(row.try_get::<i64>("", "id")?);
                    employers.push(row.try_get::<i64>("", "employer_id")?);
                }
                employers.sort_unstable();
                employers.dedup();
                let list =
                    |ids: &[i64]| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
                db.query_all_raw(self.statement(
                    &format!(
                        "SELECT id, name FROM employers WHERE id IN ({})",
                        list(&employers)
                    ),
                    vec![],
                ))
                .await?;
                db.query_all_raw(self.statement(
                    &format!(
                        "SELECT vs.vacancy_id, vs.required, vs.min_level, s.slug, s.name FROM vacancy_skills vs JOIN skills s ON s.id = vs.skill_id WHERE vs.vacancy_id IN ({}) ORDER BY vs.vacancy_id, vs.required DESC, vs.min_level DESC, s.name",
                        list(&vacancies)
                    ),
                    vec![],
                ))
                .await?;
            }
            Kind::Filtered => {
                let filter = "FROM developers d WHERE d.seniority IN ('MIDDLE', 'SENIOR') AND d.country_code IN ('US', 'DE', 'GB', 'PL', 'IN') \
                    AND EXISTS (SELECT 1 FROM developer_skills a JOIN skills s ON s.id = a.skill_id WHERE a.developer_id = d.id AND s.slug = 'postgresql' AND a.level >= 2) \
                    AND EXISTS (SELECT 1 FROM developer_skills a JOIN skills s ON s.id = a.skill_id WHERE a.developer_id = d.id AND s.slug = 'docker' AND a.level >= 2) \
                    AND EXISTS (SELECT 1 FROM developer_skills a JOIN skills s ON s.id = a.skill_id WHERE a.developer_id = d.id AND s.slug = 'git')";
                db.query_all_raw(self.statement(
                    &format!("SELECT d.id, d.handle, d.name, d.seniority {filter} ORDER BY d.name, d.id LIMIT 21"),
                    vec![],
                ))
                .await?;
                db.query_all_raw(self.statement(&format!("SELECT COUNT(*) {filter}"), vec![]))
                    .await?;
            }
            Kind::Page => {
                db.query_all_raw(self.statement(
                    "SELECT id, handle, name, seniority FROM developers ORDER BY name, id LIMIT 21",
                    vec![],
                ))
                .await?;
            }
            Kind::DeepPage => {
                db.query_all_raw(self.statement(
                    "SELECT id, handle, name, seniority FROM developers WHERE (name, id) > (?, ?) ORDER BY name, id LIMIT 21",
                    params,
                ))
                .await?;
            }
            Kind::Search => {
                let text = match self.backend {
                    DatabaseBackend::Postgres => {
                        "SELECT d.id, d.handle, d.name, d.headline FROM developer_search x JOIN developers d ON d.id = x.developer_id WHERE x.document @@ to_tsquery('simple', unaccent(?)) ORDER BY ts_rank(x.document, to_tsquery('simple', unaccent(?))) DESC, d.id LIMIT 21"
                    }
                    _ => {
                        "SELECT d.id, d.handle, d.name, d.headline FROM developer_search JOIN developers d ON d.id = developer_search.rowid WHERE developer_search MATCH ? ORDER BY bm25(developer_search, 10.0, 10.0, 4.0, 4.0, 1.0), d.id LIMIT 21"
                    }
                };
                db.query_all_raw(self.statement(text, params)).await?;
            }
        }
        Ok(())
    }
}

async fn prepare(db: &DatabaseConnection, name: &str) -> Result<Operation, String> {
    let backend = db.get_database_backend();
    let mut operation = Operation {
        backend,
        kind: Kind::Page,
        params: Vec::new(),
    };
    let rows = |text: &str| {
        let statement = Statement::from_string(backend, text.to_owned());
        async move { db.query_all_raw(statement).await.map_err(|e| e.to_string()) }
    };
    match name {
        "developer" => {
            operation.kind = Kind::Developer;
            for row in
                rows("SELECT handle FROM developers ORDER BY created_at DESC, id DESC LIMIT 100")
                    .await?
            {
                let handle: String = row.try_get("", "handle").map_err(|e| e.to_string())?;
                operation.params.push(vec![handle.into()]);
            }
        }
        "vacancies" => operation.kind = Kind::Vacancies,
        "filtered" => operation.kind = Kind::Filtered,
        "page" => operation.kind = Kind::Page,
        "deep-page" => {
            operation.kind = Kind::DeepPage;
            for row in
                rows("SELECT name, id FROM developers ORDER BY name, id LIMIT 1 OFFSET 39999")
                    .await?
            {
                let name: String = row.try_get("", "name").map_err(|e| e.to_string())?;
                let id: i64 = row.try_get("", "id").map_err(|e| e.to_string())?;
                operation.params.push(vec![name.into(), id.into()]);
            }
        }
        "search" => {
            operation.kind = Kind::Search;
            for words in [
                ["senior", "java"],
                ["rust", "postgres"],
                ["kafka", "spring"],
                ["python", "django"],
                ["go", "kubernetes"],
            ] {
                let (query, twice) = match backend {
                    DatabaseBackend::Postgres => (format!("{}:* & {}:*", words[0], words[1]), true),
                    _ => (format!("\"{}\"* \"{}\"*", words[0], words[1]), false),
                };
                let mut values: Vec<Value> = vec![query.clone().into()];
                if twice {
                    values.push(query.into());
                }
                operation.params.push(values);
            }
        }
        other => return Err(format!("no floor for `{other}`")),
    }
    Ok(operation)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Args::parse();
    let mut options = ConnectOptions::new(args.database_url.clone());
    options
        .max_connections(args.connections)
        .min_connections(args.connections)
        .sqlx_logging(false);
    let db = Database::connect(options)
        .await
        .map_err(|e| e.to_string())?;
    let operation = prepare(&db, &args.operation).await?;
    // One untimed round, so the pool is warm.
    operation.run(&db, 0).await.map_err(|e| e.to_string())?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let mut tasks = Vec::new();
    for task in 0..args.connections as usize {
        let (db, operation) = (db.clone(), operation.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut i = task;
            while Instant::now() < deadline {
                let began = Instant::now();
                operation.run(&db, i).await.map_err(|e| e.to_string())?;
                latencies.push(began.elapsed());
                i += args.connections as usize;
            }
            Ok::<_, String>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.map_err(|e| e.to_string())??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let report = serde_json::json!({
        "requests": latencies.len(),
        "rps": latencies.len() as f64 / elapsed,
        "p50_ms": percentile(&latencies, 0.50),
        "p95_ms": percentile(&latencies, 0.95),
        "p99_ms": percentile(&latencies, 0.99),
    });
    #[allow(clippy::print_stdout)]
    {
        println!("{report}");
    }
    Ok(())
}
