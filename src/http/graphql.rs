//! GraphQL over HTTP: reading the request within limits, authenticating it, rate limiting it, and
//! running it within a deadline.
//!
//! async-graphql-axum reads request bodies without a size cap, so the body is read here: at most
//! `maxBodyBytes` (413 beyond, chunked bodies included), JSON only (415 otherwise), and every
//! malformed request gets a 400 with a GraphQL-shaped body that says what is wrong.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use async_graphql::{
    BatchRequest, BatchResponse, Executor as _, Request, Variables,
    parser::types::{DocumentOperations, OperationType},
};
use axum::{
    body::Body,
    extract::{ConnectInfo, Query, State},
    http::{HeaderMap, HeaderValue, header},
    response::Response,
};
use serde_json::Value;

use super::{
    AppState, error_body, negotiate,
    observe::Outcome,
    rate_limit::Client,
    response_cache::{Key, Lookup},
};
use crate::{
    auth,
    error::{ApiError, ErrorCode},
    replicas::Lsn,
};

/// The consistency token: sent with every mutation's answer when read replicas are configured
/// (the primary's WAL position after the write), and sent back by a client whose next query must
/// see that write ([`crate::replicas`]).
pub const CONSISTENCY: axum::http::HeaderName =
    axum::http::HeaderName::from_static("x-talent-consistency");

/// The parameters of GraphQL over GET, as GraphQL-over-HTTP names them (`operationName`;
/// async-graphql's own parser only reads `operation_name`, which is kept as an alias).
#[derive(Debug, serde::Deserialize)]
pub struct GetParams {
    #[serde(default)]
    query: String,
    #[serde(rename = "operationName", alias = "operation_name")]
    operation_name: Option<String>,
    variables: Option<String>,
    /// JSON, as Apollo's clients send `{"persistedQuery":{"version":1,"sha256Hash":"..."}}`.
    extensions: Option<String>,
}

/// GraphQL over POST: a JSON object, or an array of them (a batch). The body is read first,
/// within its own deadline and before the request takes a slot: a client that sends slowly holds
/// its connection, never one of the server's request slots.
pub async fn post(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let read =
        Duration::from_millis(state.http.body_read_timeout_ms).min(state.http.request_timeout());
    let batch = match tokio::time::timeout(read, read_body(&state, &headers, body)).await {
        Ok(Ok(batch)) => batch,
        Ok(Err(refusal)) => return refusal.response(),
        Err(_) => return body_timed_out(read),
    };
    let client = state.http.client_of(peer.ip(), &headers);
    let Some(_slots) = state.slots.take(client) else {
        return busy();
    };
    let deadline = state.http.request_timeout();
    tokio::time::timeout(
        deadline.saturating_sub(started.elapsed()),
        run(&state, client, &headers, batch, false),
    )
    .await
    .unwrap_or_else(|_| timed_out(deadline))
}

/// GraphQL over GET: queries only. A mutation sent with GET (a link, an image tag) would be a
/// cross-site request forgery; GraphQL-over-HTTP says to refuse it with 405.
pub async fn get(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(params): Query<GetParams>,
) -> Response {
    let variables = match params
        .variables
        .as_deref()
        .map(serde_json::from_str::<Variables>)
        .transpose()
    {
        Ok(variables) => variables.unwrap_or_default(),
        Err(_) => return bad_request("`variables` is not a JSON object"),
    };
    let extensions = match params
        .extensions
        .as_deref()
        .map(serde_json::from_str::<async_graphql::Extensions>)
        .transpose()
    {
        Ok(extensions) => extensions.unwrap_or_default(),
        Err(_) => return bad_request("`extensions` is not a JSON object"),
    };
    let mut request = Request::new(params.query).variables(variables);
    request.extensions = extensions;
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    let client = state.http.client_of(peer.ip(), &headers);
    let Some(_slots) = state.slots.take(client) else {
        return busy();
    };
    let deadline = state.http.request_timeout();
    tokio::time::timeout(
        deadline,
        run(
            &state,
            client,
            &headers,
            BatchRequest::Single(request),
            true,
        ),
    )
    .await
    .unwrap_or_else(|_| timed_out(deadline))
}

/// 408: the body did not arrive within its deadline.
fn body_timed_out(read: Duration) -> Response {
    error_body(
        ErrorCode::BodyTimeout,
        &format!(
            "the request body did not arrive within {} ms",
            read.as_millis()
        ),
    )
}

/// 503: every slot among the requests served at once is taken, or every slot of the caller's
/// address.
fn busy() -> Response {
    let mut response = error_body(
        ErrorCode::ServerBusy,
        "the server is answering as many requests as it can; retry shortly",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

/// 400 with a GraphQL-shaped body.
fn bad_request(message: &str) -> Response {
    error_body(ErrorCode::BadRequest, message)
}

/// 503: the request took longer than the deadline.
fn timed_out(deadline: Duration) -> Response {
    error_body(
        ErrorCode::Timeout,
        &format!(
            "the request took longer than {} ms and was stopped",
            deadline.as_millis()
        ),
    )
}

/// Why a POST body was refused.
enum Refusal {
    /// Not JSON.
    MediaType,
    /// Compressed: the body limit is the limit of what the server reads, so a body that would
    /// grow past it once inflated is not read at all.
    Encoded,
    /// Over the body limit.
    TooLarge(usize),
    /// Malformed; the message says how.
    Malformed(String),
}

impl Refusal {
    fn response(self) -> Response {
        match self {
            Self::MediaType => error_body(
                ErrorCode::UnsupportedMediaType,
                "send the request as JSON, with `Content-Type: application/json`",
            ),
            Self::Encoded => error_body(
                ErrorCode::UnsupportedMediaType,
                "send the request body uncompressed (no `Content-Encoding`)",
            ),
            Self::TooLarge(limit) => error_body(
                ErrorCode::PayloadTooLarge,
                &format!("the request body is larger than {limit} bytes"),
            ),
            Self::Malformed(message) => bad_request(&message),
        }
    }
}

/// The batch in a POST body.
async fn read_body(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<BatchRequest, Refusal> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim();
            mime.eq_ignore_ascii_case("application/json")
                || mime.eq_ignore_ascii_case("application/graphql-response+json")
        });
    if !json {
        return Err(Refusal::MediaType);
    }
    let encoded = headers
        .get(header::CONTENT_ENCODING)
        .is_some_and(|value| !value.as_bytes().eq_ignore_ascii_case(b"identity"));
    if encoded {
        return Err(Refusal::Encoded);
    }
    let limit = state.limits.max_body_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(Refusal::TooLarge(limit));
    }
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(err) => {
            let length_limit = std::error::Error::source(&err)
                .is_some_and(|source| source.is::<http_body_util::LengthLimitError>());
            return Err(if length_limit {
                Refusal::TooLarge(limit)
            } else {
                Refusal::Malformed("the request body could not be read".to_owned())
            });
        }
    };
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|err| Refusal::Malformed(format!("the body is not valid JSON: {err}")))?;
    let request = |value: Value| {
        serde_json::from_value::<Request>(value)
            .map_err(|err| Refusal::Malformed(format!("the body is not a GraphQL request: {err}")))
    };
    match value {
        Value::Object(_) => Ok(BatchRequest::Single(request(value)?)),
        Value::Array(items) if items.is_empty() => {
            Err(Refusal::Malformed("the batch is empty".to_owned()))
        }
        Value::Array(items) if items.len() > state.limits.max_batch => {
            Err(Refusal::Malformed(format!(
                "a batch holds at most {} operations; this one has {}",
                state.limits.max_batch,
                items.len()
            )))
        }
        Value::Array(items) => Ok(BatchRequest::Batch(
            items.into_iter().map(request).collect::<Result<_, _>>()?,
        )),
        _ => Err(Refusal::Malformed(
            "the body must be a JSON object with a `query`, or an array of them".to_owned(),
        )),
    }
}

/// What the HTTP layer needs to know of one operation before running it.
struct Operation {
    name: String,
    mutation: bool,
}

/// Reads the operation `request` would run. Documents over the size or token limits are not parsed
/// here: execution refuses them before parsing.
fn operation(state: &AppState, request: &mut Request) -> Operation {
    let mut name = request.operation_name.clone();
    let mut mutation = false;
    if let Some(document) = state.schema.parse(request) {
        match &document.operations {
            DocumentOperations::Single(operation) => {
                mutation = operation.node.ty == OperationType::Mutation;
            }
            DocumentOperations::Multiple(operations) => {
                for (operation_name, operation) in operations {
                    if name
                        .as_deref()
                        .is_none_or(|name| operation_name.as_str() == name)
                    {
                        mutation |= operation.node.ty == OperationType::Mutation;
                        name.get_or_insert_with(|| operation_name.to_string());
                    }
                }
            }
        }
    }
    Operation {
        name: name
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| "anonymous".to_owned()),
        mutation,
    }
}

/// Runs a parsed batch: checks it, authenticates and rate limits the caller, executes it.
async fn run(
    state: &AppState,
    client: std::net::IpAddr,
    headers: &HeaderMap,
    mut batch: BatchRequest,
    queries_only: bool,
) -> Response {
    let Some(media) = negotiate::negotiate(headers) else {
        return error_body(
            ErrorCode::NotAcceptable,
            "the server answers in application/graphql-response+json or application/json; accept one of them",
        );
    };
    // A consistency token means something only where there are replicas to choose among.
    let consistency = match (&state.reads, headers.get(&CONSISTENCY)) {
        (Some(_), Some(value)) => match value.to_str().map(str::parse::<Lsn>) {
            Ok(Ok(token)) => Some(token),
            Ok(Err(message)) => return error_body(ErrorCode::BadRequest, &message),
            Err(_) => {
                return error_body(
                    ErrorCode::BadRequest,
                    "the consistency token is not text (like `16/B374D848`)",
                );
            }
        },
        _ => None,
    };
    let persisted = state.schema.persisted();
    // Without a token no bypass applies: a document outside the manifest is refused before it
    // is parsed.
    let anonymous = !headers.contains_key(header::AUTHORIZATION);
    let mut operations = Vec::new();
    for request in batch.iter_mut() {
        let admitted = persisted.lookup(request).and_then(|()| {
            if anonymous {
                persisted.admit(request, false)
            } else {
                Ok(())
            }
        });
        if let Err(error) = admitted {
            return refused_document(error, media);
        }
        if request.query.trim().is_empty() {
            return bad_request("the request has no `query`");
        }
        operations.push(operation(state, request));
    }
    if queries_only && operations.iter().any(|operation| operation.mutation) {
        let mut response = error_body(
            ErrorCode::MethodNotAllowed,
            "mutations must be sent with POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(HeaderValue::as_bytes);
    let address = Client::Address(client);
    let refused_tokens = Client::RefusedTokens(client);
    // Each refused token is charged to its address; once that bucket is empty, a token is refused
    // before it is looked up, unless it was found valid within the last second: a stream of
    // random tokens costs no statement past the burst.
    if let (Some(limiter), Some(header)) = (&state.rate_limiter, authorization)
        && !auth::recently_valid(state.schema.tokens(), header)
        && let Err(wait) = limiter.has_left(refused_tokens, Instant::now())
    {
        state.metrics.rate_limited();
        return rate_limited(wait);
    }
    let viewer = match auth::authenticate(
        &state.db,
        state.schema.tokens(),
        authorization,
        chrono::Utc::now(),
    )
    .await
    {
        Ok(viewer) => viewer,
        Err(err) => {
            if let (Some(limiter), ApiError::Unauthenticated(_)) = (&state.rate_limiter, &err) {
                limiter.take(refused_tokens, 1, Instant::now()).ok();
            }
            return refused(&err);
        }
    };
    if persisted.trusted_only() && !anonymous {
        let admin = viewer.role() == Some(auth::Role::Admin);
        if let Some(error) = batch
            .iter_mut()
            .find_map(|request| persisted.admit(request, admin).err())
        {
            return refused_document(error, media);
        }
    }
    let mut quota = None;
    if let Some(limiter) = &state.rate_limiter {
        let client = viewer
            .session()
            .map_or(address, |session| Client::Token(session.token_id));
        let cost = operations
            .iter()
            .map(|operation| {
                if operation.mutation {
                    state.limits.mutation_cost
                } else {
                    1
                }
            })
            .sum();
        match limiter.spend(client, cost).await {
            Ok(left) => quota = Some((limiter.policy(), limiter.state(left))),
            Err(wait) => {
                state.metrics.rate_limited();
                let mut response = rate_limited(wait);
                let state = super::rate_limit::RateLimiter::refused_state(wait);
                rate_limit_headers(&mut response, limiter.policy(), &state);
                return response;
            }
        }
    }
    let outcome_name = operations
        .iter()
        .map(|operation| operation.name.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let caching = negotiate::Caching {
        public_get: queries_only && anonymous,
        if_none_match: headers.get(header::IF_NONE_MATCH),
    };
    // Only an anonymous query can be answered from the cache: a token may see private fields.
    let cache = state
        .responses
        .as_deref()
        .filter(|_| anonymous && operations.iter().all(|operation| !operation.mutation));
    // A caller that carries a consistency token reads past the cache: an entry may predate its
    // write until the write's notification reaches this instance.
    let cache = cache.filter(|_| consistency.is_none());
    let mut pending = None;
    if let (Some(cache), BatchRequest::Single(request)) = (cache, &mut batch) {
        match cache.lookup(Key::of(request), || state.schema.reads(request)) {
            Lookup::Hit(entry) => {
                state.metrics.response_cache("hit");
                let age = entry.read_at.elapsed();
                let kept = negotiate::Kept {
                    etag: &entry.etag,
                    age: Some(age),
                };
                let ttl = entry.max_age.saturating_sub(age).as_secs();
                let mut response = negotiate::Encoded::kept(entry.body.clone(), entry.max_age)
                    .respond(media, caching, Some(kept));
                cache_status(&mut response, &format!("talent-api; hit; ttl={ttl}"));
                return finish(response, quota, outcome_name, Vec::new());
            }
            Lookup::Miss(miss) => {
                state
                    .metrics
                    .response_cache(if miss.stale { "stale" } else { "miss" });
                pending = Some(miss);
            }
        }
    }
    let mutation = operations.iter().any(|operation| operation.mutation);
    let mut answer = execute(
        state,
        batch,
        viewer,
        mutation || pending.is_some(),
        consistency,
    )
    .await;
    let mut token = None;
    if mutation && let Some(reads) = &state.reads {
        match reads.position().await {
            Ok(position) => {
                let position = position.to_string();
                consistency_token(&mut answer, &position);
                token = Some(position);
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot read the WAL position for a consistency token")
            }
        }
    }
    let error_codes = error_codes(&answer);
    let encoded = negotiate::encode(&answer, media);
    // A kept answer's tag is computed once, for the cache and for this response alike.
    let mut etag = None;
    let mut status = None;
    if let Some(pending) = pending {
        let forwarded = pending.forwarded();
        status = Some(format!("talent-api; fwd={forwarded}"));
        if let (Some(cache), Some(max_age)) = (cache, encoded.public_for) {
            let tag = negotiate::etag(&encoded.body);
            let (key, entry) = pending.entry(encoded.body.clone(), tag.clone(), max_age);
            if cache.keep(key, entry) {
                status = Some(format!("talent-api; fwd={forwarded}; stored"));
            }
            etag = Some(tag);
        }
    }
    let kept = etag
        .as_deref()
        .map(|etag| negotiate::Kept { etag, age: None });
    let mut response = encoded.respond(media, caching, kept);
    if let Some(token) = token
        && let Ok(value) = HeaderValue::from_str(&token)
    {
        response.headers_mut().insert(CONSISTENCY, value);
    }
    if let Some(status) = status {
        cache_status(&mut response, &status);
    }
    finish(response, quota, outcome_name, error_codes)
}

/// `response` with the caller's rate-limit headers, and what the request log and metrics record.
fn finish(
    mut response: Response,
    quota: Option<(&str, String)>,
    operation: String,
    error_codes: Vec<String>,
) -> Response {
    if let Some((policy, state)) = quota {
        rate_limit_headers(&mut response, policy, &state);
    }
    response.extensions_mut().insert(Outcome {
        operation,
        error_codes,
    });
    response
}

/// `Cache-Status` (RFC 9211): what the response cache did with the request.
fn cache_status(response: &mut Response, status: &str) {
    if let Ok(value) = HeaderValue::from_str(status) {
        response.headers_mut().insert("cache-status", value);
    }
}

/// `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers) for the caller's
/// bucket, so a client can pace itself before it sees a 429.
fn rate_limit_headers(response: &mut Response, policy: &str, state: &str) {
    let headers = response.headers_mut();
    for (name, value) in [("ratelimit-policy", policy), ("ratelimit", state)] {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
}

/// A request whose document cannot run (`PERSISTED_QUERY_NOT_FOUND`, `PERSISTED_QUERY_NOT_ALLOWED`,
/// a `persistedQuery` that is malformed or not its text's): a request error, answered as one.
fn refused_document(error: async_graphql::ServerError, media: negotiate::MediaType) -> Response {
    let answer = BatchResponse::Single(async_graphql::Response::from_errors(vec![error]));
    let error_codes = error_codes(&answer);
    let mut response = negotiate::respond(&answer, media, negotiate::Caching::default());
    response.extensions_mut().insert(Outcome {
        operation: "persisted".to_owned(),
        error_codes,
    });
    response
}

/// 429 with `Retry-After`: the caller has spent its requests for `wait`.
fn rate_limited(wait: Duration) -> Response {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut response = error_body(
        ErrorCode::RateLimited,
        &format!("too many requests: retry in {seconds} s"),
    );
    if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// Runs `batch` on the primary when it must (`on_primary`: it writes, or its answer is to be kept
/// by the response cache) or no replica is in use, else on a replica
/// ([`crate::replicas::Reads::choose`]). A query that fails on a replica for want of the database
/// runs again on the primary, and the replica is out of use until the watcher hears from it: a
/// replica stopping costs its callers time, never an error.
async fn execute(
    state: &AppState,
    batch: BatchRequest,
    viewer: auth::Viewer,
    on_primary: bool,
    consistency: Option<Lsn>,
) -> BatchResponse {
    let replica = match &state.reads {
        Some(reads) if !on_primary => reads
            .choose(consistency)
            .await
            .map(|replica| (reads, replica)),
        _ => None,
    };
    let Some((reads, replica)) = replica else {
        if state.reads.is_some() && !on_primary {
            state.metrics.read_on("primary");
        }
        return state.schema.execute_batch(batch.data(viewer)).await;
    };
    let again = copy(&batch).data(viewer);
    let on_replica = batch
        .data(viewer)
        .data(toolkit::ReadFrom(replica.database().clone()));
    let answer = state.schema.execute_batch(on_replica).await;
    let unavailable = codes(&answer).any(|code| {
        code == ErrorCode::ServiceUnavailable.as_str() || code == ErrorCode::Internal.as_str()
    });
    if !unavailable {
        state.metrics.read_on("replica");
        return answer;
    }
    state.metrics.read_on("primary_after_replica_failed");
    reads.failed(&replica, "a query failed on it");
    state.schema.execute_batch(again).await
}

/// What is needed to run `batch` again: its documents, operation names, variables and extensions.
fn copy(batch: &BatchRequest) -> BatchRequest {
    let one = |request: &Request| {
        let mut copy = Request::new(request.query.clone()).variables(request.variables.clone());
        copy.operation_name.clone_from(&request.operation_name);
        copy.extensions.clone_from(&request.extensions);
        copy
    };
    match batch {
        BatchRequest::Single(request) => BatchRequest::Single(one(request)),
        BatchRequest::Batch(requests) => BatchRequest::Batch(requests.iter().map(one).collect()),
    }
}

/// Puts the consistency `token` in the `extensions` of every response in `answer`.
fn consistency_token(answer: &mut BatchResponse, token: &str) {
    let responses = match answer {
        BatchResponse::Single(response) => std::slice::from_mut(response),
        BatchResponse::Batch(responses) => responses.as_mut_slice(),
    };
    for response in responses {
        response.extensions.insert(
            "consistency".to_owned(),
            async_graphql::Value::String(token.to_owned()),
        );
    }
}

/// The `extensions.code` of every error in `answer`.
fn error_codes(answer: &BatchResponse) -> Vec<String> {
    codes(answer).map(str::to_owned).collect()
}

/// The `extensions.code` of every error in `answer`, borrowed: an error without one was refused by
/// validation.
fn codes(answer: &BatchResponse) -> impl Iterator<Item = &str> {
    let responses = match answer {
        BatchResponse::Single(response) => std::slice::from_ref(response),
        BatchResponse::Batch(responses) => responses.as_slice(),
    };
    responses
        .iter()
        .flat_map(|response| &response.errors)
        .map(|error| {
            error
                .extensions
                .as_ref()
                .and_then(|extensions| extensions.get("code"))
                .and_then(|code| match code {
                    async_graphql::Value::String(code) => Some(code.as_str()),
                    _ => None,
                })
                .unwrap_or(ErrorCode::GraphqlValidationFailed.as_str())
        })
}

/// The response refusing credentials: 401 with a Bearer challenge (RFC 6750), or 503 when the
/// database cannot tell.
fn refused(err: &ApiError) -> Response {
    err.log();
    let mut response = error_body(err.code(), &err.to_string());
    if matches!(err, ApiError::Unauthenticated(_)) {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"talent-api\", error=\"invalid_token\""),
        );
    }
    response
}
