//! The one error type of the API and the catalog of its stable codes.
//!
//! Every resolver returns [`ApiError`] (through `async_graphql::Result`). The conversion into a
//! GraphQL error is the boundary: it sets `extensions.code`, and for internal failures it logs the
//! cause once and shows the client a generic message. async-graphql's blanket `From<impl Display>`
//! conversion is switched off (feature `custom-error-conversion`), so a database error cannot reach
//! a client by a stray `?`: it has to pass through [`ApiError::from`].

use std::sync::Arc;

use sea_orm::DbErr;

/// Declares the error catalog: each code once, with the HTTP statuses it comes with (under
/// `application/graphql-response+json`; none: only in WebSocket messages) and its meaning, which
/// is also the variant's documentation and the README's "Errors" table (a test compares them).
macro_rules! catalog {
    ($($variant:ident = $code:literal, [$($status:literal),*], $meaning:literal;)*) => {
        /// A stable, machine-readable error code, sent as `extensions.code`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum ErrorCode {
            $(#[doc = $meaning] $variant,)*
        }

        impl ErrorCode {
            /// Every code, in the README's order.
            pub const ALL: &[ErrorCode] = &[$(Self::$variant),*];

            /// The code as sent to clients.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)*
                }
            }

            /// The HTTP statuses a response carrying it can have; empty when it only comes in
            /// WebSocket messages.
            pub fn statuses(self) -> &'static [u16] {
                match self {
                    $(Self::$variant => &[$($status),*],)*
                }
            }

            /// What it means, for the README and the variant's documentation.
            pub fn meaning(self) -> &'static str {
                match self {
                    $(Self::$variant => $meaning,)*
                }
            }
        }
    };
}

catalog! {
    BadUserInput = "BAD_USER_INPUT", [200, 400], "an argument is malformed; `extensions.field` names it (e.g. `[\"id\"]` for a malformed ID); 400 when a variable or argument holds a NUL character";
    NotFound = "NOT_FOUND", [], "a subscription to something that does not exist or the caller may not see (`vacancyUpdated`)";
    Unauthenticated = "UNAUTHENTICATED", [200, 401], "no token where one is needed (a field error), or a token that is not valid (401, nothing runs)";
    Forbidden = "FORBIDDEN", [200], "signed in, but not allowed (also on a private field, whose value is then `null`)";
    RateLimited = "RATE_LIMITED", [200, 429], "too many requests (429 with `Retry-After`), or an action's own budget spent (email changes)";
    ServiceUnavailable = "SERVICE_UNAVAILABLE", [200, 503], "the database is unreachable; retry later (503 when the request's token cannot be checked)";
    Internal = "INTERNAL", [200, 500], "a failure on our side; the message is generic and the cause is only in the server log";
    OperationNotFound = "OPERATION_NOT_FOUND", [400], "`operationName` names no operation of the document (`extensions.operationName`); a request error";
    OperationNameRequired = "OPERATION_NAME_REQUIRED", [400], "the document holds several operations and `operationName` is missing (an empty one counts as missing); a request error";
    VariableMissing = "VARIABLE_MISSING", [400], "a variable the operation requires (non-null, no default) was left out or sent as null (`extensions.variable`); a request error";
    GraphqlParseFailed = "GRAPHQL_PARSE_FAILED", [400], "the document is not GraphQL; a request error";
    GraphqlValidationFailed = "GRAPHQL_VALIDATION_FAILED", [400], "the document asks for something the schema does not have, or a variable has the wrong type; a request error";
    QueryTooLarge = "QUERY_TOO_LARGE", [400], "the document is longer than `--max-query-bytes`";
    TooManyTokens = "TOO_MANY_TOKENS", [400], "the document has more tokens than `--max-query-tokens`";
    TooManyAliases = "TOO_MANY_ALIASES", [400], "more aliases than `--max-aliases`";
    TooManyDirectives = "TOO_MANY_DIRECTIVES", [400], "more directives than `--max-directives`";
    QueryTooDeep = "QUERY_TOO_DEEP", [400], "fields nested deeper than `--max-depth`";
    QueryTooCostly = "QUERY_TOO_COSTLY", [400], "cost above `--max-cost` (`extensions.cost`, `extensions.limit`)";
    IntrospectionDisabled = "INTROSPECTION_DISABLED", [400], "introspection when `--disable-introspection` is on";
    TooManySubscriptions = "TOO_MANY_SUBSCRIPTIONS", [], "more subscriptions on one connection than `--max-subscriptions-per-connection`";
    SubscriptionOverflow = "SUBSCRIPTION_OVERFLOW", [], "a `vacancyUpdated` subscriber fell more than 256 events behind; its subscription ends";
    BadRequest = "BAD_REQUEST", [400], "malformed JSON, not a request object, an empty `query`, an empty or too large batch, a malformed `persistedQuery` or one whose hash is not its text's, a malformed `x-talent-consistency` token";
    PersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND", [400], "a `persistedQuery` hash sent alone that the server does not know (message `PersistedQueryNotFound`): send it again with its `query`";
    PersistedQueryNotAllowed = "PERSISTED_QUERY_NOT_ALLOWED", [400], "with `--trusted-documents`, a document that is not in the manifest (by hash or identical text); admins may when `--trusted-documents-admin-bypass` is on";
    MethodNotAllowed = "METHOD_NOT_ALLOWED", [405], "a mutation over GET (`Allow: POST`)";
    NotAcceptable = "NOT_ACCEPTABLE", [406], "`Accept` allows neither `application/graphql-response+json` nor `application/json`";
    BodyTimeout = "BODY_TIMEOUT", [408], "the body did not arrive within `--body-read-timeout-ms`";
    PayloadTooLarge = "PAYLOAD_TOO_LARGE", [413], "the body is larger than `--max-body-bytes`";
    UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE", [415], "the body is not `application/json`, or is compressed (`Content-Encoding`)";
    ServerBusy = "SERVER_BUSY", [503], "every request slot is taken (`Retry-After: 1`)";
    Timeout = "TIMEOUT", [503], "the request took longer than `--request-timeout-ms`";
}

impl ErrorCode {
    /// The status of a response that refuses the whole request with this code: its one status
    /// other than 200 (500 for a code that has none).
    pub fn refusal_status(self) -> u16 {
        self.statuses()
            .iter()
            .copied()
            .find(|status| *status != 200)
            .unwrap_or(500)
    }

    /// The README's "Errors" table, as the catalog writes it.
    pub fn readme_table() -> String {
        let mut table = String::from("| code | HTTP status | meaning |\n|---|---|---|\n");
        for code in Self::ALL {
            let statuses = match code.statuses() {
                [] => "WebSocket".to_owned(),
                statuses => statuses
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            table.push_str(&format!(
                "| `{}` | {statuses} | {} |\n",
                code.as_str(),
                code.meaning()
            ));
        }
        table
    }
}

/// Everything that can go wrong while answering a request.
#[derive(Clone, Debug, thiserror::Error)]
pub enum ApiError {
    /// The thing asked for does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// An argument is malformed or out of range.
    #[error("{message}")]
    BadUserInput {
        /// What is wrong, for a person to read.
        message: String,
        /// The argument path, e.g. `["filter", "countryCodes", "0"]`, when known.
        field: Vec<String>,
    },
    /// No valid credentials: none where some are needed, or a token that is not valid.
    #[error("{0}")]
    Unauthenticated(String),
    /// The caller is known but not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
    /// Too many requests.
    #[error("rate limit exceeded")]
    RateLimited,
    /// The database cannot be reached.
    #[error("the database is unavailable, try again later")]
    ServiceUnavailable(Arc<DbErr>),
    /// A subscriber missed this many events by falling behind.
    #[error("the subscriber fell behind and missed {0} events; subscribe again")]
    SubscriptionOverflow(u64),
    /// An unexpected failure; the cause is logged, never shown.
    #[error("internal error")]
    Internal(Arc<anyhow::Error>),
}

impl ApiError {
    /// A `BAD_USER_INPUT` error about the argument at `field`.
    pub fn bad_input<S: Into<String>>(
        field: impl IntoIterator<Item = S>,
        message: impl Into<String>,
    ) -> Self {
        Self::BadUserInput {
            message: message.into(),
            field: field.into_iter().map(Into::into).collect(),
        }
    }

    /// An `INTERNAL` error with `cause` for the log.
    pub fn internal(cause: impl Into<String>) -> Self {
        Self::Internal(Arc::new(anyhow::anyhow!(cause.into())))
    }

    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::BadUserInput { .. } => ErrorCode::BadUserInput,
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::RateLimited => ErrorCode::RateLimited,
            Self::ServiceUnavailable(_) => ErrorCode::ServiceUnavailable,
            Self::SubscriptionOverflow(_) => ErrorCode::SubscriptionOverflow,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl ApiError {
    /// Logs the cause of a failure on our side, once, where it leaves for a client; errors about
    /// the request itself are not logged.
    pub fn log(&self) {
        match self {
            Self::Internal(cause) => {
                tracing::error!(error = %format!("{cause:#}"), "internal error while resolving a request");
            }
            Self::ServiceUnavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable while resolving a request");
            }
            _ => {}
        }
    }
}

/// A database failure as the caller sees it. A unique or foreign-key violation that reaches this
/// point is ours (every write names the field of a value already taken in its `userErrors`), so it
/// is `INTERNAL` like any other unexpected failure.
impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        if matches!(err, DbErr::RecordNotFound(_)) {
            return Self::NotFound("record");
        }
        if matches!(err, DbErr::Conn(_) | DbErr::ConnectionAcquire(_)) {
            return Self::ServiceUnavailable(Arc::new(err));
        }
        Self::Internal(Arc::new(anyhow::Error::new(err)))
    }
}

/// Page arguments the caller has to fix.
impl From<dbkit::keyset::BadPage> for ApiError {
    fn from(err: dbkit::keyset::BadPage) -> Self {
        Self::bad_input([err.argument], err.message)
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(err: ApiError) -> Self {
        err.log();
        let mut error = async_graphql::Error::new(err.to_string());
        let mut extensions = async_graphql::ErrorExtensionValues::default();
        extensions.set("code", err.code().as_str());
        if let ApiError::BadUserInput { field, .. } = &err
            && !field.is_empty()
        {
            extensions.set("field", field.clone());
        }
        error.extensions = Some(extensions);
        error
    }
}

/// The result type of data access and resolvers.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod catalog_tests {
    use super::ErrorCode;

    #[test]
    fn the_readme_errors_table_is_the_catalog() {
        let readme = include_str!("../../README.md");
        let table = ErrorCode::readme_table();
        assert!(
            readme.contains(&table),
            "README.md's Errors table differs from the catalog in src/error.rs; it should read:\n\n{table}"
        );
    }

    #[test]
    fn codes_are_unique_upper_snake_case() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} twice");
            assert!(
                text.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
                "{text}"
            );
        }
    }
}
