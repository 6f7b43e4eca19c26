//! Enumerations and scalars shared by several domains.

use async_graphql::{
    Enum, InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject, Value,
};
use chrono::{DateTime, SecondsFormat, Utc};

/// An instant: written as RFC 3339 in UTC with millisecond precision, always three fractional
/// digits and `Z` (`2026-12-01T21:55:44.523Z`), so every client parses every value the same way
/// (Python's `datetime.fromisoformat` before 3.11 refuses nine digits). Read from any RFC 3339
/// date-time with an offset (`2026-12-01T22:55:44+01:00`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub DateTime<Utc>);

/// An instant, in RFC 3339: written in UTC with millisecond precision
/// (`2026-12-01T21:55:44.523Z`), read with any offset.
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339"
)]
impl ScalarType for Timestamp {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => DateTime::parse_from_rfc3339(text)
                .map(|at| Self(at.with_timezone(&Utc)))
                .map_err(|_| {
                    InputValueError::custom(format!(
                        "`{text}` is not an RFC 3339 date-time, e.g. 2026-12-01T21:55:44.523Z"
                    ))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    /// Lets validation refuse a malformed literal as a request error, before anything runs.
    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(text) if DateTime::parse_from_rfc3339(text).is_ok())
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Self {
        Self(at)
    }
}

/// A sort direction.
#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OrderDirection {
    /// Smallest first (A to Z, oldest first).
    #[default]
    Asc,
    /// Largest first (Z to A, newest first).
    Desc,
}

impl From<OrderDirection> for sea_orm::Order {
    fn from(direction: OrderDirection) -> Self {
        match direction {
            OrderDirection::Asc => Self::Asc,
            OrderDirection::Desc => Self::Desc,
        }
    }
}

/// When a record was created and last changed, and its version: flattened into each type.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct Audit {
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
    /// Incremented on every change; send it back as `expectedVersion` to update safely.
    pub version: i32,
}
