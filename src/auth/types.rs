//! The API token's GraphQL types: `ApiToken`, its role, and `SignedIn` (the viewer).

use async_graphql::{Context, Enum, ID, Object, Result};
use chrono::Utc;
use dbkit::batch::{ByKey, Item, find_by_ids};
use entity::{api_token, developer, employer};
use toolkit::{boxed, db, id::encode_id, scalars::Timestamp};

use super::store;
use crate::{developer::Developer, employer::Employer, error::ApiError, ids::NodeKind};

/// What an API token may do.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "Role", remote = "entity::TokenRole")]
pub enum TokenRole {
    /// Everything: the skill taxonomy, every profile, employer and vacancy, and tokens.
    Admin,
    /// Act for one employer: edit it and manage its vacancies, drafts included.
    Employer,
    /// Act for one developer: edit its profile and skills, see its private fields, delete it.
    Developer,
}

/// The GraphQL `ApiToken` object, documented on its `#[Object]` impl.
pub struct ApiToken(pub(crate) Item<api_token::Model>);

/// An API token: its name, role, owner and use. The token itself is shown only once, by
/// `createApiToken`; what is kept is a hash.
#[Object]
impl ApiToken {
    /// Opaque global ID.
    pub(crate) async fn id(&self) -> ID {
        encode_id(NodeKind::ApiToken, self.0.id)
    }

    /// What the token is for, e.g. `ops` or `acme-ats`.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the token may do.
    async fn role(&self) -> TokenRole {
        self.0.role.into()
    }

    /// The first characters of the token, e.g. `tal_AbC123`, to tell tokens apart.
    async fn hint(&self) -> &str {
        &self.0.hint
    }

    /// The employer an EMPLOYER token acts for; null for other roles.
    async fn employer(&self, ctx: &Context<'_>) -> Result<Option<Employer>> {
        let Some(key) = self.0.employer_id else {
            return Ok(None);
        };
        let db = db(ctx)?;
        let employers = boxed(self.0.batch().relation("employer", |tokens| async move {
            let ids = tokens.iter().filter_map(|token| token.employer_id);
            Ok(ByKey::new(find_by_ids::<employer::Entity>(db, ids).await?))
        }))
        .await
        .map_err(ApiError::from)?;
        Ok(employers.get(key).map(Employer))
    }

    /// The developer a DEVELOPER token acts for; null for other roles.
    async fn developer(&self, ctx: &Context<'_>) -> Result<Option<Developer>> {
        let Some(key) = self.0.developer_id else {
            return Ok(None);
        };
        let db = db(ctx)?;
        let developers = boxed(self.0.batch().relation("developer", |tokens| async move {
            let ids = tokens.iter().filter_map(|token| token.developer_id);
            Ok(ByKey::new(find_by_ids::<developer::Entity>(db, ids).await?))
        }))
        .await
        .map_err(ApiError::from)?;
        Ok(developers.get(key).map(Developer))
    }

    /// When it was created.
    async fn created_at(&self) -> Timestamp {
        self.0.created_at.into()
    }

    /// When it stops working; null if never.
    async fn expires_at(&self) -> Option<Timestamp> {
        self.0.expires_at.map(Timestamp)
    }

    /// When it was revoked; null while it is not.
    async fn revoked_at(&self) -> Option<Timestamp> {
        self.0.revoked_at.map(Timestamp)
    }

    /// When it was last used, to the minute (not every use is written); null if never.
    async fn last_used_at(&self) -> Option<Timestamp> {
        self.0.last_used_at.map(Timestamp)
    }

    /// Whether it is accepted now: neither revoked nor expired.
    async fn active(&self) -> bool {
        store::is_active(&self.0, Utc::now())
    }
}

/// The GraphQL `SignedIn` object, documented on its `#[Object]` impl.
pub struct SignedIn {
    pub(super) token: ApiToken,
}

/// The caller of the request: the token it signed in with, and whom it acts for.
#[Object(name = "Viewer")]
impl SignedIn {
    /// What the caller may do.
    async fn role(&self) -> TokenRole {
        self.token.0.role.into()
    }

    /// The employer the caller acts for (EMPLOYER role); null otherwise.
    async fn employer(&self, ctx: &Context<'_>) -> Result<Option<Employer>> {
        self.token.employer(ctx).await
    }

    /// The developer the caller acts for (DEVELOPER role); null otherwise.
    async fn developer(&self, ctx: &Context<'_>) -> Result<Option<Developer>> {
        self.token.developer(ctx).await
    }

    /// The token the caller signed in with.
    async fn token(&self) -> ApiToken {
        ApiToken(self.token.0.clone())
    }
}
