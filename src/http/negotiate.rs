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

use std::time::Duration;

use async_graphql::{BatchResponse, Response as GraphQLResponse, Value};
use axum::{
    body::Bytes,
    extract::Request,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    middleware::Next,
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

/// An answer written out, before its HTTP headers.
#[derive(Debug)]
pub struct Encoded {
    /// The JSON body.
    pub body: Bytes,
    status: StatusCode,
    /// How long it may be shared: the shortest max-age of the types it read, when it has no error,
    /// read no private field, and every type it read allows sharing.
    pub public_for: Option<Duration>,
    /// Headers the resolvers set.
    headers: HeaderMap,
}

/// `answer` written in `media`, with its status code.
pub fn encode(answer: &BatchResponse, media: MediaType) -> Encoded {
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
    let public = status == StatusCode::OK && answer.is_ok() && hint.public && hint.max_age > 0;
    Encoded {
        body: Bytes::from(json),
        status,
        public_for: public.then(|| Duration::from_secs(hint.max_age.unsigned_abs().into())),
        headers: answer.http_headers(),
    }
}

/// The HTTP answer carrying `answer` in `media`: see [`Encoded::respond`].
pub fn respond(answer: &BatchResponse, media: MediaType, caching: Caching<'_>) -> Response {
    encode(answer, media).respond(media, caching, None)
}

/// An answer the response cache keeps: its tag, computed once, and its age when served again.
#[derive(Debug)]
pub struct Kept<'a> {
    /// Its `ETag`, computed when it was kept.
    pub etag: &'a str,
    /// How long ago its read began, for an answer served from the cache: sent as `Age`, so that a
    /// browser or CDN keeps it no longer than its max-age from then. None for one just computed.
    pub age: Option<Duration>,
}

impl Encoded {
    /// A kept answer's body, as it was first sent: 200, public for `max_age`.
    pub fn kept(body: Bytes, max_age: Duration) -> Self {
        Self {
            body,
            status: StatusCode::OK,
            public_for: Some(max_age),
            headers: HeaderMap::new(),
        }
    }

    /// The HTTP answer, with its status code, caching headers and the headers resolvers set.
    ///
    /// A public GET answer that can be shared ([`Encoded::public_for`]) gets `Cache-Control:
    /// public, max-age=N`, a strong `ETag` over the body (`kept`'s, for a kept answer, with its
    /// `Age`), and 304 without a body when `If-None-Match` names it, or the tag the compression
    /// layer gave its compressed form ([`tag_encoding`]); every other answer is `private,
    /// no-store`. `Vary` names what changes the body: `Accept`, `Authorization` (and the
    /// compression layer adds `Accept-Encoding`).
    pub fn respond(
        self,
        media: MediaType,
        caching: Caching<'_>,
        kept: Option<Kept<'_>>,
    ) -> Response {
        let shared = caching.public_get.then_some(self.public_for).flatten();
        let etag = shared.map(|_| match &kept {
            Some(kept) => kept.etag.to_owned(),
            None => etag(&self.body),
        });
        let matched = etag
            .as_deref()
            .and_then(|etag| names(caching.if_none_match, etag));
        let mut response = if matched.is_some() {
            StatusCode::NOT_MODIFIED.into_response()
        } else {
            (self.status, axum::body::Body::from(self.body)).into_response()
        };
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, media.content_type());
        headers.append(
            header::VARY,
            HeaderValue::from_static("Accept, Authorization"),
        );
        let cache_control = match shared {
            Some(max_age) => format!("public, max-age={}", max_age.as_secs()),
            None => "private, no-store".to_owned(),
        };
        if let Ok(value) = HeaderValue::from_str(&cache_control) {
            headers.insert(header::CACHE_CONTROL, value);
        }
        if let Some(value) = matched
            .or(etag)
            .and_then(|etag| HeaderValue::from_str(&etag).ok())
        {
            headers.insert(header::ETAG, value);
        }
        if let (Some(_), Some(age)) = (shared, kept.and_then(|kept| kept.age)) {
            headers.insert(header::AGE, HeaderValue::from(age.as_secs()));
        }
        headers.extend(self.headers);
        response
    }
}

/// A strong entity tag of `body`: the first 128 bits of its SHA-256, quoted.
pub fn etag(body: &[u8]) -> String {
    let hex = toolkit::persisted::sha256_hex(body);
    format!("\"{}\"", &hex[..32])
}

/// The content codings the compression layer may apply, as they suffix a compressed
/// representation's entity tag.
const CODINGS: [&str; 2] = ["br", "gzip"];

/// The tag of `if_none_match` (the header's value, if sent) that names `etag`: `etag` itself, the
/// tag of one of its compressed forms ([`tag_encoding`]), or `*`, answered with `etag`.
pub fn names(if_none_match: Option<&HeaderValue>, etag: &str) -> Option<String> {
    let names = if_none_match?.to_str().ok()?;
    let bare = etag.strip_suffix('"')?;
    names.split(',').map(str::trim).find_map(|name| {
        if name == etag || name == "*" {
            return Some(etag.to_owned());
        }
        let coding = name
            .strip_prefix(bare)?
            .strip_suffix('"')?
            .strip_prefix('-')?;
        CODINGS.contains(&coding).then(|| name.to_owned())
    })
}

/// Gives a compressed representation its own strong entity tag: `"tag"` sent as `br` becomes
/// `"tag-br"` (as Apache's mod_deflate does), so that a strong tag never names two different byte
/// sequences; [`names`] matches both forms. Runs outside the compression layer.
pub async fn tag_encoding(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let coding = response
        .headers()
        .get(header::CONTENT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .filter(|coding| CODINGS.contains(coding))
        .map(str::to_owned);
    if let Some(coding) = coding {
        let tagged = response
            .headers()
            .get(header::ETAG)
            .and_then(|value| value.to_str().ok())
            .filter(|etag| etag.starts_with('"'))
            .and_then(|etag| etag.strip_suffix('"'))
            // A handler that compressed its body itself tagged it already.
            .filter(|bare| !bare.ends_with(&format!("-{coding}")))
            .and_then(|bare| HeaderValue::from_str(&format!("{bare}-{coding}\"")).ok());
        if let Some(tagged) = tagged {
            response.headers_mut().insert(header::ETAG, tagged);
        }
    }
    response
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
