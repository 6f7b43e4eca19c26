//! What every mutation shares: typed user errors, the validator that collects them, and the
//! mapping of constraint violations to them.
//!
//! A mutation answers what the caller can fix with `userErrors` in its payload (the Shopify
//! convention) and what it cannot (a broken server) with a GraphQL error. Input is validated
//! completely before anything is written, and every error is reported, not just the first.

use async_graphql::{Enum, SimpleObject};
use dbkit::violation::UniqueKey;
use sea_orm::DbErr;

use crate::{
    error::ApiError,
    id::Kind,
    iso,
    values::{Checked, Email, Handle, HttpUrl, Slug},
};

/// Longest name (developer, employer, skill, alias).
pub const MAX_NAME: usize = 200;
/// Longest headline.
pub const MAX_HEADLINE: usize = 300;
/// Longest description or bio.
pub const MAX_TEXT: usize = 10_000;

/// What is wrong with an input value.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserErrorCode {
    /// A value is missing or blank.
    Required,
    /// A value is malformed (a slug with capitals, an unknown country code, a malformed ID).
    Invalid,
    /// A text is longer than allowed.
    TooLong,
    /// A number is outside its range.
    OutOfRange,
    /// The value must be unique and another record has it.
    Taken,
    /// The record referred to does not exist.
    NotFound,
    /// The record cannot move to that state from its current one.
    InvalidTransition,
    /// The record is still referred to and cannot be removed.
    InUse,
    /// The record changed since the `expectedVersion` the caller sent; nothing was written.
    StaleVersion,
}

/// A problem with the input that the caller can fix.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct UserError {
    /// The path of the input field, e.g. `["input", "salary", "max"]`.
    pub field: Vec<String>,
    /// What is wrong, for programs.
    pub code: UserErrorCode,
    /// What is wrong, for people.
    pub message: String,
}

impl UserError {
    /// An error at `field` (path inside `input`).
    pub fn new(field: &[&str], code: UserErrorCode, message: impl Into<String>) -> Self {
        let mut path = vec!["input".to_owned()];
        path.extend(field.iter().map(|part| (*part).to_owned()));
        Self {
            field: path,
            code,
            message: message.into(),
        }
    }
}

impl UserError {
    /// `expectedVersion` no longer matches the `what`, now at version `current`.
    pub fn stale(what: &str, current: i32) -> Self {
        Self::new(
            &["expectedVersion"],
            UserErrorCode::StaleVersion,
            format!(
                "the {what} has changed since; it is at version {current}: reload it and try again"
            ),
        )
    }

    /// No `what` has the ID at `field`.
    pub fn not_found(field: &str, what: &str) -> Self {
        Self::new(
            &[field],
            UserErrorCode::NotFound,
            format!("there is no such {what}"),
        )
    }

    /// Another `what` already has `value` at `field`.
    pub fn taken(field: &str, what: &str, value: &str) -> Self {
        Self::new(
            &[field],
            UserErrorCode::Taken,
            format!("another {what} has the {field} `{value}`"),
        )
    }
}

/// Declares the payload type of a mutation: the record written (null on failure) and the user
/// errors.
#[macro_export]
macro_rules! payload {
    ($(#[$doc:meta])* $name:ident, $field:ident: $ty:ty) => {
        $(#[$doc])*
        #[derive(async_graphql::SimpleObject)]
        pub struct $name {
            /// The record as written; null when there are user errors.
            pub $field: Option<$ty>,
            /// What to fix in the input; empty on success.
            pub user_errors: Vec<$crate::validation::UserError>,
        }

        impl $name {
            /// A success.
            pub fn done(value: $ty) -> Self {
                Self { $field: Some(value), user_errors: Vec::new() }
            }

            /// A failure.
            pub fn failed(user_errors: Vec<$crate::validation::UserError>) -> Self {
                Self { $field: None, user_errors }
            }
        }
    };
}

/// Collects every problem of one input.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<UserError>,
}

impl Validator {
    /// Records an error.
    pub fn error(&mut self, field: &[&str], code: UserErrorCode, message: impl Into<String>) {
        self.errors.push(UserError::new(field, code, message));
    }

    /// `value` when nothing is wrong so far, else None: for checks that need a valid ID.
    pub fn clean<T>(&self, value: T) -> Option<T> {
        self.errors.is_empty().then_some(value)
    }

    /// The errors so far, or `value` when there are none.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<UserError>> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(self.errors)
        }
    }

    /// A required text: trimmed, not blank, at most `max` characters.
    pub fn text(&mut self, field: &[&str], value: &str, max: usize) -> String {
        let value = value.trim();
        if value.is_empty() {
            self.error(field, UserErrorCode::Required, "must not be blank");
        } else if value.chars().count() > max {
            self.error(
                field,
                UserErrorCode::TooLong,
                format!("must be at most {max} characters"),
            );
        }
        value.to_owned()
    }

    /// An optional text: trimmed, at most `max` characters (may be empty).
    pub fn optional_text(&mut self, field: &[&str], value: &str, max: usize) -> String {
        let value = value.trim();
        if value.chars().count() > max {
            self.error(
                field,
                UserErrorCode::TooLong,
                format!("must be at most {max} characters"),
            );
        }
        value.to_owned()
    }

    /// `raw` read as a `T` by its rules, or None with the error recorded at `field`.
    pub fn check<T: Checked>(&mut self, field: &[&str], raw: &str) -> Option<T> {
        T::parse(raw)
            .map_err(|invalid| self.error(field, invalid.code, invalid.message))
            .ok()
    }

    /// `raw` read as a `T` by its rules, as stored; on an error (recorded at `field`), `raw`
    /// trimmed, which [`finish`](Self::finish) never lets through.
    fn checked<T: Checked>(&mut self, field: &[&str], raw: &str) -> String {
        self.check::<T>(field, raw)
            .map_or_else(|| raw.trim().to_owned(), Checked::into_string)
    }

    /// A slug ([`Slug`]): 2 to 40 of `a-z`, `0-9` and `-`.
    pub fn slug(&mut self, field: &[&str], raw: &str) -> String {
        self.checked::<Slug>(field, raw)
    }

    /// A developer's handle ([`Handle`]): the rules of a slug.
    pub fn handle(&mut self, field: &[&str], raw: &str) -> String {
        self.checked::<Handle>(field, raw)
    }

    /// At most `max` values, each read as a `T` at `[field.., i]`; those in error are left out.
    pub fn list<T: Checked>(&mut self, field: &str, raw: &[String], max: usize) -> Vec<String> {
        if raw.len() > max {
            self.error(
                &[field],
                UserErrorCode::OutOfRange,
                format!("at most {max} items"),
            );
        }
        raw.iter()
            .enumerate()
            .filter_map(|(i, item)| self.check::<T>(&[field, &i.to_string()], item))
            .map(Checked::into_string)
            .collect()
    }

    /// A whole number in `lo..=hi`.
    pub fn range(&mut self, field: &[&str], value: i64, lo: i64, hi: i64) {
        if !(lo..=hi).contains(&value) {
            self.error(
                field,
                UserErrorCode::OutOfRange,
                format!("must be between {lo} and {hi}"),
            );
        }
    }

    /// An ISO 3166-1 alpha-2 country code, upper case.
    pub fn country(&mut self, field: &[&str], value: &str) -> String {
        iso::country(value).unwrap_or_else(|| {
            self.error(
                field,
                UserErrorCode::Invalid,
                format!("`{value}` is not an ISO 3166-1 alpha-2 country code"),
            );
            value.to_owned()
        })
    }

    /// The primary key in a global ID of `kind` at `field`, or an `INVALID` error (and 0).
    pub fn id<K: Kind>(&mut self, field: &str, id: &async_graphql::ID, kind: K) -> i64 {
        crate::id::decode_id(id, kind, &[]).unwrap_or_else(|_| {
            self.error(
                &[field],
                UserErrorCode::Invalid,
                format!("`{}` is not a valid ID here", id.as_str()),
            );
            0
        })
    }

    /// An email address ([`Email`]): trimmed and lower-cased, one `@`, a dotted domain.
    pub fn email(&mut self, field: &[&str], raw: &str) -> String {
        self.checked::<Email>(field, raw)
    }

    /// An optional website: empty clears it; otherwise an [`HttpUrl`].
    pub fn website(&mut self, field: &[&str], raw: &str) -> Option<String> {
        if raw.trim().is_empty() {
            return None;
        }
        Some(self.checked::<HttpUrl>(field, raw))
    }

    /// An ISO 4217 currency code, upper case.
    pub fn currency(&mut self, field: &[&str], value: &str) -> String {
        iso::currency(value).unwrap_or_else(|| {
            self.error(
                field,
                UserErrorCode::Invalid,
                format!("`{value}` is not an ISO 4217 currency code"),
            );
            value.to_owned()
        })
    }
}

/// A write that lost a race for a unique value after its checks passed: `taken` when the database
/// reports `key` broken (by constraint name, see [`UniqueKey`]), otherwise the failure is ours.
pub fn taken_or_failed(
    err: DbErr,
    key: UniqueKey,
    taken: UserError,
) -> Result<UserError, ApiError> {
    if key.broken_by(&err) {
        Ok(taken)
    } else {
        Err(ApiError::from(err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_of_an_input_is_reported() {
        let mut validator = Validator::default();
        validator.text(&["name"], "   ", MAX_NAME);
        validator.slug(&["slug"], "Not A Slug");
        validator.range(&["level"], 9, 1, 5);
        let errors = validator.finish(()).expect_err("three errors");
        let codes: Vec<UserErrorCode> = errors.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            [
                UserErrorCode::Required,
                UserErrorCode::Invalid,
                UserErrorCode::OutOfRange
            ]
        );
        assert_eq!(errors[0].field, ["input", "name"]);
    }

    #[test]
    fn texts_are_trimmed_and_measured_in_characters() {
        let mut validator = Validator::default();
        assert_eq!(validator.text(&["name"], "  Zoë  ", 3), "Zoë");
        assert!(validator.finish(()).is_ok());
        let mut validator = Validator::default();
        validator.text(&["name"], "abcd", 3);
        assert_eq!(
            validator.finish(()).expect_err("too long")[0].code,
            UserErrorCode::TooLong
        );
    }
}
