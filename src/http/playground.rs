//! The GraphiQL playground, served from assets compiled into the binary (pinned npm releases,
//! vendored in `assets/playground` by `scripts/vendor-playground.sh`): it works offline, and its
//! page allows scripts from this server only.
//!
//! The page names each asset with its version, the start of its SHA-256
//! (`/playground/graphiql.min.js?v=1a2b3c4d5e6f`): under that URL an asset never changes, so it
//! is cached for a year (`immutable`); the page itself and an asset asked for without its current
//! version are revalidated (`no-cache`) by their `ETag`, answered 304 when unchanged. A new build
//! changes the versions the page names, so a browser never mixes old and new assets.

use std::{
    io::Write as _,
    sync::{LazyLock, Once, OnceLock},
};

use axum::{
    extract::{Path, Query},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

/// The page's Content-Security-Policy: scripts, styles, fonts and connections from this server
/// only (GraphiQL sets element styles, hence `'unsafe-inline'` for styles alone).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                   img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:; \
                   frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The files of the playground: name, content type, bytes.
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/playground/graphiql.min.js"),
    ),
    (
        "graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/playground/graphiql.min.css"),
    ),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/playground/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/playground/react-dom.production.min.js"),
    ),
    (
        "graphql-ws.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/playground/graphql-ws.min.js"),
    ),
    (
        "playground.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/playground/playground.js"),
    ),
    (
        "playground.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/playground/playground.css"),
    ),
    (
        "THIRD-PARTY-LICENSES.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../../assets/playground/THIRD-PARTY-LICENSES.txt"),
    ),
];

/// How long a versioned asset may be kept: a year, the longest RFC 9111 caches are asked to honour.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// What the page and an unversioned asset say: keep, but ask (by `ETag`) before each use.
const REVALIDATE: &str = "no-cache";

/// The version of each asset: the first 12 hex digits of its SHA-256.
static VERSIONS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|(_, _, bytes)| toolkit::persisted::sha256_hex(bytes)[..12].to_owned())
        .collect()
});

/// The page, each asset named with its version, and the page's `ETag`.
static PAGE: LazyLock<(String, String)> = LazyLock::new(|| {
    let mut html = include_str!("../../assets/playground/index.html").to_owned();
    for ((name, _, _), version) in ASSETS.iter().zip(VERSIONS.iter()) {
        html = html.replace(
            &format!("\"/playground/{name}\""),
            &format!("\"/playground/{name}?v={version}\""),
        );
    }
    let etag = super::negotiate::etag(html.as_bytes());
    (html, etag)
});

/// The playground page, or 304 when `If-None-Match` names its `ETag`.
pub async fn page(headers: HeaderMap) -> Response {
    let (html, etag) = &*PAGE;
    let matched = super::negotiate::names(headers.get(header::IF_NONE_MATCH), etag);
    let tag = HeaderValue::from_str(matched.as_deref().unwrap_or(etag))
        .unwrap_or(HeaderValue::from_static("\"\""));
    let caching = [
        (header::ETAG, tag),
        (header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE)),
    ];
    if matched.is_some() {
        return (StatusCode::NOT_MODIFIED, caching).into_response();
    }
    (
        caching,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CSP),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        html.clone(),
    )
        .into_response()
}

/// An asset's compressed forms.
struct Compressed {
    gzip: Vec<u8>,
    br: Vec<u8>,
}

/// Each asset's compressed forms, made once and harder (gzip level 9, brotli quality 9), off
/// the request path, the first time the asset is asked for: the GraphiQL bundle (3.5 MB) is about
/// 0.7 MB so, and costs no compression per request after that. Until they are ready the
/// compression layer compresses that asset on the fly.
static COMPRESSED: [OnceLock<Compressed>; ASSETS.len()] = [const { OnceLock::new() }; ASSETS.len()];
/// Whether the forms of each asset are being made.
static STARTED: [Once; ASSETS.len()] = [const { Once::new() }; ASSETS.len()];

/// The compressed forms of asset `index`, once made; the first call starts making them.
fn compressed(index: usize) -> Option<&'static Compressed> {
    let (cell, started, (_, _, bytes)) = (
        COMPRESSED.get(index)?,
        STARTED.get(index)?,
        ASSETS.get(index)?,
    );
    started.call_once(|| {
        tokio::task::spawn_blocking(move || {
            let gzip = {
                let mut encoder =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                encoder.write_all(bytes).and_then(|()| encoder.finish())
            };
            let mut br = Vec::new();
            let params = brotli::enc::BrotliEncoderParams {
                quality: 9,
                ..Default::default()
            };
            let brotli = brotli::BrotliCompress(&mut &bytes[..], &mut br, &params);
            if let (Ok(gzip), Ok(_)) = (gzip, brotli) {
                cell.set(Compressed { gzip, br }).ok();
            }
        });
    });
    cell.get()
}

/// The encoding to send an asset in: brotli if `accept` (an `Accept-Encoding` value) allows it,
/// else gzip if it allows that, else none.
fn preferred(accept: &str) -> Option<&'static str> {
    let allows = |wanted: &str| {
        accept.split(',').any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|param| {
                param
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case(wanted) && !refused
        })
    };
    ["br", "gzip"].into_iter().find(|encoding| allows(encoding))
}

/// The query of an asset's URL: `v`, the version the page named.
#[derive(Debug, serde::Deserialize)]
pub struct Version {
    v: Option<String>,
}

/// One file of the playground, or 404: compressed as `Accept-Encoding` allows, from the forms made
/// once when they are ready; kept a year under its current version, revalidated otherwise; 304
/// when `If-None-Match` names its `ETag` (the version, suffixed by the coding when compressed here
/// or by the compression layer, see [`super::negotiate::tag_encoding`]).
pub async fn asset(
    Path(name): Path<String>,
    Query(version): Query<Version>,
    headers: HeaderMap,
) -> Response {
    let Some(index) = ASSETS.iter().position(|(file, _, _)| *file == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (_, content_type, bytes) = ASSETS[index];
    let current = &VERSIONS[index];
    let cache_control = if version.v.as_deref() == Some(current.as_str()) {
        IMMUTABLE
    } else {
        REVALIDATE
    };
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let encoded = preferred(accept).and_then(|encoding| {
        let forms = compressed(index)?;
        Some(match encoding {
            "br" => (encoding, forms.br.as_slice()),
            _ => (encoding, forms.gzip.as_slice()),
        })
    });
    let etag = match encoded {
        Some((encoding, _)) => format!("\"{current}-{encoding}\""),
        None => format!("\"{current}\""),
    };
    let matched = super::negotiate::names(
        headers.get(header::IF_NONE_MATCH),
        &format!("\"{current}\""),
    );
    let tag = HeaderValue::from_str(matched.as_deref().unwrap_or(&etag))
        .unwrap_or(HeaderValue::from_static("\"\""));
    let caching = [
        (header::ETAG, tag),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control),
        ),
        (header::VARY, HeaderValue::from_static("accept-encoding")),
    ];
    if matched.is_some() {
        return (StatusCode::NOT_MODIFIED, caching).into_response();
    }
    let mut response = (
        caching,
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        encoded.map_or(bytes, |(_, body)| body),
    )
        .into_response();
    if let Some((encoding, _)) = encoded {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::preferred;

    #[test]
    fn brotli_is_preferred_then_gzip_and_q_zero_refuses() {
        assert_eq!(preferred("gzip, deflate, br"), Some("br"));
        assert_eq!(preferred("gzip"), Some("gzip"));
        assert_eq!(preferred("br;q=0, gzip;q=0.5"), Some("gzip"));
        assert_eq!(preferred("identity"), None);
        assert_eq!(preferred(""), None);
    }
}
