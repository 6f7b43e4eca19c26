//! `talent-api token create|list|revoke`, and tokens kept out of every log line.

use std::{
    process::Stdio,
    sync::{Arc, Mutex},
    time::Duration,
};

use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::Command,
    sync::oneshot,
};

const BIN: &str = env!("CARGO_BIN_EXE_talent-api");

/// The binary, run in `dir` on its default database (`sqlite://talent.db` there).
fn talent_api(dir: &std::path::Path) -> Command {
    let mut command = Command::new(BIN);
    command
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("TALENT_ADDR")
        .env_remove("TALENT_NO_DEMO")
        .env("RUST_LOG", "info")
        .kill_on_drop(true);
    command
}

/// Runs the binary with `args` in `dir`: exit success, stdout, stderr.
async fn run(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let output = talent_api(dir)
        .args(args)
        .output()
        .await
        .expect("the binary runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The line of `token list` output naming `name`.
fn listed<'a>(list: &'a str, name: &str) -> Option<&'a str> {
    list.lines()
        .find(|line| line.split_whitespace().nth(2) == Some(name))
}

#[tokio::test]
async fn token_create_prints_the_token_once_and_list_shows_only_its_hint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (seeded, _, stderr) = run(dir.path(), &["seed"]).await;
    assert!(seeded, "{stderr}");
    let (created, stdout, stderr) = run(
        dir.path(),
        &[
            "token",
            "create",
            "--role",
            "employer",
            "--employer",
            "quillstack",
            "--name",
            "ats",
            "--expires-in-days",
            "30",
        ],
    )
    .await;
    assert!(created, "{stderr}");
    let token = stdout.trim();
    assert!(token.starts_with("tal_") && token.len() == 47, "{stdout:?}");
    assert!(!stderr.contains(token), "the token is in the log: {stderr}");

    let (_, list, _) = run(dir.path(), &["token", "list"]).await;
    let line = listed(&list, "ats").unwrap_or_else(|| panic!("not listed: {list}"));
    assert!(
        line.contains("employer:quillstack") && line.contains("active"),
        "{line}"
    );
    assert!(line.contains(&token[..10]), "no hint: {line}");
    assert!(!list.contains(token), "the list shows the token: {list}");

    let id = line.split_whitespace().next().expect("an id");
    let (revoked, _, stderr) = run(dir.path(), &["token", "revoke", id]).await;
    assert!(revoked, "{stderr}");
    let (_, list, _) = run(dir.path(), &["token", "list"]).await;
    assert!(
        listed(&list, "ats").is_none(),
        "a revoked token is listed: {list}"
    );
    let (_, all, _) = run(dir.path(), &["token", "list", "--all"]).await;
    assert!(
        listed(&all, "ats").is_some_and(|line| line.ends_with("revoked")),
        "{all}"
    );
}

#[tokio::test]
async fn token_create_refuses_an_owner_that_does_not_fit_the_role() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (seeded, _, stderr) = run(dir.path(), &["seed"]).await;
    assert!(seeded, "{stderr}");
    for (args, says) in [
        (
            &["--role", "admin", "--employer", "quillstack"][..],
            "no owner",
        ),
        (&["--role", "employer"][..], "--employer"),
        (
            &["--role", "developer", "--developer", "nobody-here"][..],
            "no developer with handle `nobody-here`",
        ),
        (
            &["--role", "employer", "--employer", "acme"][..],
            "no employer with slug `acme`",
        ),
    ] {
        let mut command = vec!["token", "create", "--name", "x"];
        command.extend_from_slice(args);
        let (ok, stdout, stderr) = run(dir.path(), &command).await;
        assert!(!ok, "{args:?} was accepted");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    let (_, list, _) = run(dir.path(), &["token", "list", "--all"]).await;
    assert_eq!(list.lines().count(), 1, "only the header: {list}");
}

/// Posts `query` to `base` with `token` (if any); returns the status and body.
async fn post(base: &str, token: Option<&str>, query: &str) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": query }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

#[tokio::test]
async fn tokens_never_appear_in_the_logs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (created, stdout, cli_log) = run(
        dir.path(),
        &["token", "create", "--role", "admin", "--name", "ops"],
    )
    .await;
    assert!(created, "{cli_log}");
    let admin = stdout.trim().to_owned();

    let mut server = talent_api(dir.path())
        .env("TALENT_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "trace")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let stderr = server.stderr.take().expect("piped stderr");
    let log = Arc::new(Mutex::new(String::new()));
    let (url_tx, url_rx) = oneshot::channel();
    let reader = tokio::spawn({
        let log = Arc::clone(&log);
        async move {
            let mut url_tx = Some(url_tx);
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(rest) = line.split("listening on ").nth(1)
                    && let Some(tx) = url_tx.take()
                {
                    tx.send(rest.split(';').next().unwrap_or_default().to_owned())
                        .ok();
                }
                let mut log = log.lock().expect("log lock");
                log.push_str(&line);
                log.push('\n');
            }
        }
    });
    let base = tokio::time::timeout(Duration::from_secs(60), url_rx)
        .await
        .expect("started in time")
        .expect("a URL");

    let (status, _) = post(&base, Some(&admin), "{ viewer { role } }").await;
    assert_eq!(status, 200);
    let (_, created) = post(&base, Some(&admin), "mutation { createApiToken(input: { name: \"second\", role: ADMIN }) { token apiToken { id } } }").await;
    let second = created["data"]["createApiToken"]["token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let second_id = created["data"]["createApiToken"]["apiToken"]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    assert_eq!(
        post(&base, Some(&second), "{ viewer { role } }").await.0,
        200
    );
    let unknown = format!("tal_{}A", "Zk".repeat(21));
    assert_eq!(
        post(&base, Some(&unknown), "{ viewer { role } }").await.0,
        401
    );
    let malformed = "tal_short-and-secret";
    assert_eq!(
        post(&base, Some(malformed), "{ viewer { role } }").await.0,
        401
    );
    let revoke = format!(
        "mutation {{ revokeApiToken(input: {{ id: \"{second_id}\" }}) {{ apiToken {{ revokedAt }} }} }}"
    );
    assert_eq!(post(&base, Some(&admin), &revoke).await.0, 200);
    assert_eq!(
        post(&base, Some(&second), "{ viewer { role } }").await.0,
        401
    );

    let pid = server.id().expect("running").to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("kill runs");
    assert!(killed.success());
    tokio::time::timeout(Duration::from_secs(20), server.wait())
        .await
        .expect("stopped in time")
        .expect("exit status");
    reader.await.expect("the log reader ends");

    let log = log.lock().expect("log lock").clone();
    assert!(
        log.contains("API token created"),
        "the log was not captured: {log}"
    );
    assert!(log.contains(" TRACE "), "trace logging is on: {log}");
    for secret in [admin.as_str(), second.as_str(), unknown.as_str(), malformed] {
        let body = &secret[4..];
        assert!(!cli_log.contains(body), "a token is in the CLI log");
        assert!(
            !log.contains(body),
            "a token is in the server log: {secret}"
        );
    }
}

#[tokio::test]
async fn json_logs_have_one_line_per_request_with_its_id_operation_status_and_duration() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = talent_api(dir.path())
        .args(["--log-format", "json", "--no-demo"])
        .env("TALENT_ADDR", "127.0.0.1:0")
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let mut lines = BufReader::new(server.stderr.take().expect("piped stderr")).lines();
    let base = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                return format!("http://{}", rest.split(';').next().unwrap_or_default());
            }
        }
        panic!("the server never said where it listens")
    })
    .await
    .expect("started in time");
    let response = reqwest::Client::new()
        .post(format!("{base}/graphql"))
        .header("x-request-id", "fuzzy-42")
        .json(&json!({ "query": "query Census { skills { totalCount } }" }))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.headers()["x-request-id"], "fuzzy-42");
    let line = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(line)) = lines.next_line().await {
            if line.contains("fuzzy-42") {
                return line;
            }
        }
        panic!("no log line for the request")
    })
    .await
    .expect("logged in time");
    let entry: Value =
        serde_json::from_str(&line).unwrap_or_else(|err| panic!("not JSON ({err}): {line}"));
    assert_eq!(entry["fields"]["operation"], "Census", "{entry:#}");
    assert_eq!(entry["fields"]["status"], 200, "{entry:#}");
    assert!(entry["fields"]["duration_ms"].is_u64(), "{entry:#}");
    assert_eq!(entry["span"]["request_id"], "fuzzy-42", "{entry:#}");
    assert_eq!(entry["span"]["method"], "POST", "{entry:#}");
    server.kill().await.ok();
}
