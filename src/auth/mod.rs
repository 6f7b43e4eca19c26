//! Who is calling: API tokens, the viewer they stand for, and the rules of what a viewer may see
//! and do.
//!
//! The HTTP layer turns the `Authorization` header into a [`Viewer`] with [`authenticate`] before
//! the schema runs, and hands it to the request as data. Resolvers ask [`viewer`] for it and the
//! [`policy`] module for a decision: every rule lives there, once.

pub mod live;
mod mutation;
pub mod policy;
mod query;
pub mod store;
pub mod token;
mod types;

use async_graphql::Context;
use chrono::{DateTime, Utc};
pub use mutation::TokenMutation;
pub use query::TokenQuery;
use sea_orm::DatabaseConnection;
pub use token::Secret;
pub use types::{ApiToken, SignedIn, TokenRole};

use crate::error::ApiError;

/// How long `lastUsedAt` may lag behind: a token's row is written at most once per interval, not
/// on every request.
pub const LAST_USED_PRECISION: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

/// What a signed-in caller acts as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// May do everything.
    Admin,
    /// Acts for the employer with this id.
    Employer(i64),
    /// Acts for the developer with this id.
    Developer(i64),
}

impl Role {
    /// The role of a stored token, or None when its owner columns do not fit its role (the
    /// database's CHECK rules that out).
    fn of(token: &entity::api_token::Model) -> Option<Self> {
        use entity::TokenRole;
        match (token.role, token.employer_id, token.developer_id) {
            (TokenRole::Admin, None, None) => Some(Self::Admin),
            (TokenRole::Employer, Some(employer), None) => Some(Self::Employer(employer)),
            (TokenRole::Developer, None, Some(developer)) => Some(Self::Developer(developer)),
            _ => None,
        }
    }
}

/// A signed-in caller: the token it presented and the role that token carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Session {
    /// The id of the token.
    pub token_id: i64,
    /// What the token may do.
    pub role: Role,
}

/// The caller of a request: anonymous, or signed in with a token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Viewer(Option<Session>);

/// The viewer of requests that carry none: anonymous.
static ANONYMOUS: Viewer = Viewer(None);

impl Viewer {
    /// The anonymous viewer.
    pub const fn anonymous() -> Self {
        Self(None)
    }

    /// A viewer signed in with `session`.
    pub const fn signed_in(session: Session) -> Self {
        Self(Some(session))
    }

    /// The session, or None when anonymous.
    pub fn session(&self) -> Option<&Session> {
        self.0.as_ref()
    }

    /// The role, or None when anonymous.
    pub fn role(&self) -> Option<Role> {
        self.0.map(|session| session.role)
    }
}

/// The viewer of the request being resolved; anonymous when the request carries none (a schema
/// executed without the HTTP layer).
pub fn viewer<'a>(ctx: &Context<'a>) -> &'a Viewer {
    ctx.data_opt::<Viewer>().unwrap_or(&ANONYMOUS)
}

/// Why credentials were refused. The message is safe to show: it never repeats the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The `Authorization` header is not `Bearer <token>`.
    #[error("the Authorization header must be `Bearer <token>`")]
    NotBearer,
    /// The token does not have the shape of a talent-api token.
    #[error("the bearer token is malformed: talent-api tokens start with `tal_`")]
    Malformed,
    /// No token has this value.
    #[error("the bearer token is not valid")]
    Unknown,
    /// The token was revoked.
    #[error("the bearer token has been revoked")]
    Revoked,
    /// The token is past its expiry time.
    #[error("the bearer token has expired")]
    Expired,
}

impl From<Refused> for ApiError {
    fn from(refused: Refused) -> Self {
        Self::Unauthenticated(refused.to_string())
    }
}

/// The token of an `Authorization` header value: `Bearer <token>`, the token well-formed.
fn bearer(header: &[u8]) -> Result<Secret, Refused> {
    let header = std::str::from_utf8(header).map_err(|_| Refused::NotBearer)?;
    let (scheme, token) = header.trim().split_once(' ').ok_or(Refused::NotBearer)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Refused::NotBearer);
    }
    Secret::parse(token.trim()).ok_or(Refused::Malformed)
}

/// Whether the `Authorization` header value `header` holds a token found active within the last
/// [`live::LOOKUP_TTL`] (from the cache alone: no statement).
pub fn recently_valid(cache: &live::TokenCache, header: &[u8]) -> bool {
    bearer(header)
        .ok()
        .and_then(|secret| cache.get(&secret.hash(), std::time::Instant::now()))
        .flatten()
        .is_some_and(|token| store::is_active(&token, Utc::now()))
}

/// The viewer an `Authorization` header value stands for. No header is the anonymous viewer; a
/// header that is not a valid token is an `UNAUTHENTICATED` error, never silently anonymous.
///
/// Costs one indexed lookup per token per [`live::LOOKUP_TTL`] (lookups, found or not, are kept
/// in `cache`), and a write of `last_used_at` only when the stored value is older than
/// [`LAST_USED_PRECISION`].
pub async fn authenticate(
    db: &DatabaseConnection,
    cache: &live::TokenCache,
    authorization: Option<&[u8]>,
    now: DateTime<Utc>,
) -> Result<Viewer, ApiError> {
    let Some(header) = authorization else {
        return Ok(Viewer::anonymous());
    };
    let secret = bearer(header)?;
    let hash = secret.hash();
    let looked_up = std::time::Instant::now();
    let (token, fresh) = match cache.get(&hash, looked_up) {
        Some(token) => (token, false),
        None => {
            let token = store::find_by_secret(db, &secret).await?;
            cache.put(hash, token.clone(), looked_up);
            (token, true)
        }
    };
    let token = token.ok_or(Refused::Unknown)?;
    if token.revoked_at.is_some() {
        return Err(Refused::Revoked.into());
    }
    if token.expires_at.is_some_and(|at| at <= now) {
        return Err(Refused::Expired.into());
    }
    let role = Role::of(&token).ok_or_else(|| {
        ApiError::internal(format!("token {} has a role without its owner", token.id))
    })?;
    // Only after a lookup from the database: a cached row's `last_used_at` is as old as the
    // cache entry, and the next lookup comes within a second.
    if fresh
        && token
            .last_used_at
            .is_none_or(|at| now - at >= LAST_USED_PRECISION)
        && let Err(err) = store::touch(db, token.id, now).await
    {
        tracing::warn!(token.id = token.id, error = %err, "cannot record when a token was last used");
    }
    Ok(Viewer::signed_in(Session {
        token_id: token.id,
        role,
    }))
}
