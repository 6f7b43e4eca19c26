//! GraphQL over HTTP's media types and status codes (the GraphQL-over-HTTP draft, "Accept",
//! "Legacy Watershed" and "Status Codes"), checked in CI by the `graphql-http` audit suite.
//!
//! - The answer is `application/graphql-response+json` when the client prefers it (highest
//!   `q`, the first listed on a tie), else `application/json`: when asked for, when `Accept` is
//!   missing or empty, and for `*/*` or `application/*` (legacy clients that predate the new
//!   type). An `Accept` that allows neither is refused with 406.
//! - Under `application/json` every well-formed request is answered 200, GraphQL errors
//!   included. Under `application/graphql-response+json` a request that fails before execution
//!   (parse, validation, variable coercion, a query limit) has no `data` entry and is answered
//!   400; a response with `data` (null too, after an error reached the root) is 200.

use async_graphql::{BatchResponse, Response as GraphQLResponse, Value};
use axum::{
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

/// The media type of an answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaType {
    /// `application/graphql-response+json`: status codes tell request errors apart.
    GraphQLResponse,
    /// `application/json`: 200 for every well-formed request.
    Json,
}

impl MediaType {
    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::GraphQLResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        })
    }
}

/// The media type to answer a request with `headers` in; None when its `Accept` allows
/// neither (406).
pub fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let accept: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|range| !range.is_empty())
        .collect();
    if accept.is_empty() {
        return Some(MediaType::Json);
    }
    let mut best: Option<(f32, MediaType)> = None;
    for range in accept {
        let mut parts = range.split(';').map(str::trim);
        let mime = parts.next().unwrap_or_default().to_ascii_lowercase();
        let quality = parts
            .filter_map(|parameter| parameter.split_once('='))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
            .and_then(|(_, value)| value.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let media = match mime.as_str() {
            "application/graphql-response+json" => MediaType::GraphQLResponse,
            "application/json" | "application/*" | "*/*" => MediaType::Json,
            _ => continue,
        };
        if quality > 0.0 && best.is_none_or(|(best, _)| quality > best) {
            best = Some((quality, media));
        }
    }
    best.map(|(_, media)| media)
}

/// A response as its JSON is written: whole, or without its `data` entry.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Body<'a> {
    Whole(&'a GraphQLResponse),
    /// A request error under `application/graphql-response+json`.
    WithoutData {
        errors: &'a [async_graphql::ServerError],
        #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
        extensions: &'a std::collections::BTreeMap<String, Value>,
    },
}

/// `response` as written in `media`: without its `data` entry when it is a request error under
/// `application/graphql-response+json`. Serialized straight from the response, so object keys
/// keep the order of the selection set.
fn body(response: &GraphQLResponse, media: MediaType) -> Body<'_> {
    if media == MediaType::GraphQLResponse && crate::schema::is_request_error(response) {
        Body::WithoutData {
            errors: &response.errors,
            extensions: &response.extensions,
        }
    } else {
        Body::Whole(response)
    }
}

/// How an answer may be cached: only a query sent with GET and no token can be shared.
#[derive(Clone, Copy, Debug, Default)]
pub struct Caching<'a> {
    /// Sent with GET and without `Authorization`.
    pub public_get: bool,
    /// The request's `If-None-Match`, answered 304 when it names this answer's `ETag`.
    pub if_none_match: Option<&'a HeaderValue>,
}

/// The HTTP answer carrying `answer` in `media`, with its status code, caching headers and the
/// headers resolvers set.
///
/// A public GET answer that read only public types, without errors, gets `Cache-Control: public,
/// max-age=N` from the types' cache hints (the shortest of those it read), a strong `ETag` over
/// the body, and 304 without a body when `If-None-Match` names it; every other answer is
/// `private, no-store`. `Vary` names what changes the body: `Accept`, `Authorization` (and the
/// compression layer adds `Accept-Encoding`).
pub fn respond(answer: &BatchResponse, media: MediaType, caching: Caching<'_>) -> Response {
    let (json, status) = match answer {
        BatchResponse::Single(response) => {
            let status = if media == MediaType::GraphQLResponse
                && crate::schema::is_request_error(response)
            {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            (serde_json::to_vec(&body(response, media)), status)
        }
        BatchResponse::Batch(responses) => (
            serde_json::to_vec(
                &responses
                    .iter()
                    .map(|response| body(response, media))
                    .collect::<Vec<_>>(),
            ),
            StatusCode::OK,
        ),
    };
    let json = json.unwrap_or_else(|err| {
        tracing::error!(error = %err, "cannot serialize a GraphQL response");
        br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#.to_vec()
    });
    let hint = answer.cache_control();
    let shared = caching.public_get
        && status == StatusCode::OK
        && answer.is_ok()
        && hint.public
        && hint.max_age > 0;
    let etag = shared.then(|| etag(&json));
    let not_modified = etag
        .as_ref()
        .is_some_and(|etag| names(caching.if_none_match, etag));
    let mut response = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (status, axum::body::Body::from(json)).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, media.content_type());
    headers.append(
        header::VARY,
        HeaderValue::from_static("Accept, Authorization"),
    );
    let cache_control = if shared {
        format!("public, max-age={}", hint.max_age)
    } else {
        "private, no-store".to_owned()
    };
    if let Ok(value) = HeaderValue::from_str(&cache_control) {
        headers.insert(header::CACHE_CONTROL, value);
    }
    if let Some(value) = etag.and_then(|etag| HeaderValue::from_str(&etag).ok()) {
        headers.insert(header::ETAG, value);
    }
    headers.extend(answer.http_headers());
    response
}

/// A strong entity tag of `body`: the first 128 bits of its SHA-256, quoted.
pub fn etag(body: &[u8]) -> String {
    let hex = toolkit::persisted::sha256_hex(body);
    format!("\"{}\"", &hex[..32])
}

/// Whether `if_none_match` (the header's value, if sent) names `etag`, or any tag (`*`).
pub fn names(if_none_match: Option<&HeaderValue>, etag: &str) -> bool {
    if_none_match
        .and_then(|value| value.to_str().ok())
        .is_some_and(|names| {
            names
                .split(',')
                .any(|name| name.trim() == etag || name.trim() == "*")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> Option<MediaType> {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(header::ACCEPT, value);
        }
        negotiate(&headers)
    }

    #[test]
    fn the_preferred_type_is_the_highest_quality_then_the_first_listed() {
        use MediaType::{GraphQLResponse, Json};
        assert_eq!(
            accept("application/graphql-response+json"),
            Some(GraphQLResponse)
        );
        assert_eq!(accept("application/json"), Some(Json));
        assert_eq!(
            accept("application/graphql-response+json, application/json;q=0.9"),
            Some(GraphQLResponse)
        );
        assert_eq!(
            accept("application/json, application/graphql-response+json"),
            Some(Json)
        );
        assert_eq!(
            accept("application/json;q=0.5, application/graphql-response+json"),
            Some(GraphQLResponse)
        );
        assert_eq!(accept("*/*"), Some(Json));
        assert_eq!(accept("application/*;q=0.1"), Some(Json));
        assert_eq!(accept("text/html, */*;q=0.8"), Some(Json));
        assert_eq!(
            accept("Application/GraphQL-Response+JSON; charset=utf-8"),
            Some(GraphQLResponse)
        );
    }

    #[test]
    fn a_missing_accept_is_json_and_an_unsatisfiable_one_is_refused() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(MediaType::Json));
        assert_eq!(accept(""), Some(MediaType::Json));
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json;q=0"), None);
    }
}
