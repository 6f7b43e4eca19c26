//! Public job pages for search engines: `/jobs/{slug}` shows an OPEN vacancy as a small HTML page
//! carrying its schema.org `JobPosting` JSON-LD (see `vacancy::posting`), and
//! `/jobs/sitemap.xml` lists the pages of every OPEN vacancy.
//!
//! Drafts do not exist here (404, like a vacancy that never did); a CLOSED vacancy answers 410
//! Gone, which tells a crawler to drop the page. A page asked for by an old slug (the title
//! changed) is redirected (301) to the current one. Pages and sitemaps may be cached for five
//! minutes. Absolute URLs start with `--public-url`, or without it with the request's `Host`.

use axum::{
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use entity::VacancyStatus;

use super::AppState;
use crate::vacancy::{posting, store};

/// Most URLs a sitemap file may list (sitemaps.org); more make a sitemap index.
const SITEMAP_LIMIT: u64 = 50_000;

/// How long browsers and CDNs may keep a page or a sitemap.
const CACHE: &str = "public, max-age=300";

/// `https://host` for absolute URLs: `--public-url`, else the request's `Host` (when it is a
/// plain host name or address), else the address the server listens on.
fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.http.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .filter(|host| {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        });
    match host {
        Some(host) => format!("http://{host}"),
        None => format!("http://{}", state.http.addr),
    }
}

/// A small HTML page with `status`, `title` and a sentence.
fn notice(status: StatusCode, title: &str, text: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <meta name=\"robots\" content=\"noindex\"></head><body><h1>{title}</h1><p>{text}</p></body></html>",
        title = posting::escape(title),
        text = posting::escape(text),
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// The database could not answer: 503, try again shortly (nothing of the error is shown).
fn unavailable(err: &sea_orm::DbErr) -> Response {
    tracing::warn!(error = %err, "a job page could not be read");
    let mut response = notice(
        StatusCode::SERVICE_UNAVAILABLE,
        "Try again shortly",
        "The job directory cannot be read right now.",
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

/// `/jobs/{key}`: the page of an OPEN vacancy (`key` is its slug ending in its id, or the id);
/// also the parts of a sitemap index, `/jobs/sitemap-{n}.xml`.
pub async fn page(
    State(state): State<AppState>,
    Path(key): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(part) = key
        .strip_prefix("sitemap-")
        .and_then(|rest| rest.strip_suffix(".xml"))
        .and_then(|n| n.parse::<u64>().ok())
        .filter(|n| *n >= 1)
    {
        return sitemap_part(&state, &headers, part).await;
    }
    let missing = || {
        notice(
            StatusCode::NOT_FOUND,
            "No such job",
            "There is no open job at this address.",
        )
    };
    let Some(id) = posting::id_of_page(&key) else {
        return missing();
    };
    let page = match posting::load(&state.db, id).await {
        Ok(Some(page)) => page,
        Ok(None) => return missing(),
        Err(err) => return unavailable(&err),
    };
    match page.vacancy.status {
        VacancyStatus::Draft => return missing(),
        VacancyStatus::Closed => {
            return notice(
                StatusCode::GONE,
                "This job is closed",
                "The employer no longer takes applications for it.",
            );
        }
        VacancyStatus::Open => {}
    }
    let path = posting::page_path(page.vacancy.id, &page.vacancy.title);
    if path != format!("/jobs/{key}") {
        return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, path)]).into_response();
    }
    let url = format!("{}{path}", base_url(&state, &headers));
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        posting::html(&page, &url),
    )
        .into_response()
}

/// `/jobs/sitemap.xml`: every OPEN vacancy's page, or when there are more than a sitemap may
/// hold, an index of the parts that list them.
pub async fn sitemap(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let base = base_url(&state, &headers);
    let open = match store::open_count(&state.db).await {
        Ok(open) => open,
        Err(err) => return unavailable(&err),
    };
    if open <= SITEMAP_LIMIT {
        return sitemap_part(&state, &headers, 1).await;
    }
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for part in 1..=open.div_ceil(SITEMAP_LIMIT) {
        xml.push_str(&format!(
            "<sitemap><loc>{}</loc></sitemap>\n",
            posting::escape(&format!("{base}/jobs/sitemap-{part}.xml"))
        ));
    }
    xml.push_str("</sitemapindex>\n");
    xml_response(xml)
}

/// Part `part` (from 1) of the sitemap: up to [`SITEMAP_LIMIT`] OPEN vacancies by id.
async fn sitemap_part(state: &AppState, headers: &HeaderMap, part: u64) -> Response {
    let base = base_url(state, headers);
    let listed =
        match store::open_listing(&state.db, (part - 1) * SITEMAP_LIMIT, SITEMAP_LIMIT).await {
            Ok(listed) => listed,
            Err(err) => return unavailable(&err),
        };
    if listed.is_empty() && part > 1 {
        return notice(
            StatusCode::NOT_FOUND,
            "No such sitemap",
            "The sitemap has fewer parts.",
        );
    }
    let mut xml = String::with_capacity(listed.len() * 120 + 200);
    xml.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (id, title, changed) in listed {
        xml.push_str("<url><loc>");
        let path = posting::page_path(id, &title);
        xml.push_str(&posting::escape(&format!("{base}{path}")));
        xml.push_str("</loc><lastmod>");
        xml.push_str(&changed.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        xml.push_str("</lastmod></url>\n");
    }
    xml.push_str("</urlset>\n");
    xml_response(xml)
}

fn xml_response(xml: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/xml; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        xml,
    )
        .into_response()
}
