//! The GraphiQL playground, served from assets compiled into the binary (pinned npm releases,
//! vendored in `assets/playground` by `scripts/vendor-playground.sh`): it works offline, and its
//! page allows scripts from this server only.

use std::{
    io::Write as _,
    sync::{Once, OnceLock},
};

use axum::{
    extract::Path,
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

/// The playground page.
pub async fn page() -> Response {
    (
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
        include_bytes!("../../assets/playground/index.html").as_slice(),
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

/// One file of the playground, or 404: compressed as `Accept-Encoding` allows, from the forms made
/// once when they are ready.
pub async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let Some(index) = ASSETS.iter().position(|(file, _, _)| *file == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let (_, content_type, bytes) = ASSETS[index];
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
    let mut response = (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (header::VARY, HeaderValue::from_static("accept-encoding")),
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
