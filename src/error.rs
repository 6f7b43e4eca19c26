//! The one error type of the API and its mapping to stable GraphQL error codes.
//!
//! Every resolver returns [`ApiError`] (through `async_graphql::Result`). The conversion into a
//! GraphQL error is the boundary: it sets `extensions.code`, and for internal failures it logs the
//! cause once and shows the client a generic message. async-graphql's blanket `From<impl Display>`
//! conversion is switched off (feature `custom-error-conversion`), so a database error cannot reach
//! a client by a stray `?`: it has to pass through [`ApiError::from`].

use std::sync::Arc;

use sea_orm::DbErr;

/// A stable, machine-readable error code, sent as `extensions.code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// The thing asked for does not exist.
    NotFound,
    /// An argument is malformed or out of range; `extensions.field` names it when known.
    BadUserInput,
    /// The request carries no valid credentials.
    Unauthenticated,
    /// The caller is known but not allowed to do this.
    Forbidden,
    /// The caller sent too many requests.
    RateLimited,
    /// The database is unreachable; retrying later may succeed.
    ServiceUnavailable,
    /// A subscriber fell too far behind the events; the subscription ends.
    SubscriptionOverflow,
    /// Something failed on our side; details are in the server log only.
    Internal,
    /// The request's `operationName` names no operation of its document.
    OperationNotFound,
    /// The document holds several operations and the request names none.
    OperationNameRequired,
    /// A variable the operation requires (non-null, no default) was not given, or given null.
    VariableMissing,
}

impl ErrorCode {
    /// The code as sent to clients.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "NOT_FOUND",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::RateLimited => "RATE_LIMITED",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Self::SubscriptionOverflow => "SUBSCRIPTION_OVERFLOW",
            Self::Internal => "INTERNAL",
            Self::OperationNotFound => "OPERATION_NOT_FOUND",
            Self::OperationNameRequired => "OPERATION_NAME_REQUIRED",
            Self::VariableMissing => "VARIABLE_MISSING",
        }
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

    /// The HTTP status of a response refused with this error before GraphQL runs.
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self.code() {
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::BadUserInput
            | ErrorCode::OperationNotFound
            | ErrorCode::OperationNameRequired
            | ErrorCode::VariableMissing => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::SubscriptionOverflow | ErrorCode::Internal => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
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
