//! Checking filter arguments: every error names the argument path, e.g.
//! `["filter", "skills", "2", "slug"]`.

use crate::{
    error::{ApiError, ApiResult},
    iso,
};

/// The path of the `filter` argument's field `name`, element `index`, subfield `sub`.
pub fn path(name: &str, index: Option<usize>, sub: Option<&str>) -> Vec<String> {
    let mut path = vec!["filter".to_owned(), name.to_owned()];
    path.extend(index.map(|i| i.to_string()));
    path.extend(sub.map(str::to_owned));
    path
}

/// ISO 3166-1 alpha-2 codes in upper case; `name` is the filter field.
pub fn country_codes(codes: &[String], name: &str) -> ApiResult<Vec<String>> {
    codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            iso::country(code).ok_or_else(|| {
                ApiError::bad_input(
                    path(name, Some(i), None),
                    format!("`{code}` is not an ISO 3166-1 alpha-2 country code"),
                )
            })
        })
        .collect()
}

/// An ISO 4217 code in upper case, at `at`.
pub fn currency_code(code: &str, at: Vec<String>) -> ApiResult<String> {
    iso::currency(code).ok_or_else(|| {
        ApiError::bad_input(at, format!("`{code}` is not an ISO 4217 currency code"))
    })
}

/// A skill level from 1 to 5, at `at`.
pub fn level(value: i32, at: Vec<String>) -> ApiResult<i16> {
    i16::try_from(value)
        .ok()
        .filter(|level| (1..=5).contains(level))
        .ok_or_else(|| ApiError::bad_input(at, format!("a skill level is 1 to 5, got {value}")))
}
