//! Managing employers: create, update and delete them.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use dbkit::{batch::Item, write::Written};
use entity::employer;
use sea_orm::ActiveValue::Set;
use toolkit::{
    db, payload,
    validation::{MAX_NAME, MAX_TEXT, UserError, UserErrorCode, Validator, taken_or_failed},
};

use super::{CompanySize, Employer, Industry, store};
use crate::{
    auth::{policy, viewer},
    db::in_write,
    ids::NodeKind,
};

/// A new employer.
#[derive(InputObject, Clone, Debug)]
pub struct CreateEmployerInput {
    /// Unique key: 2 to 40 of `a-z`, `0-9` and `-`, e.g. `northwind-logistics`.
    pub slug: String,
    /// The employer's name, at most 200 characters.
    pub name: String,
    /// The industry it works in.
    pub industry: Industry,
    /// How big it is.
    pub size: CompanySize,
    /// Its website: an http:// or https:// address.
    pub website: Option<String>,
    /// What it does, at most 10,000 characters.
    #[graphql(default)]
    pub description: String,
    /// City of its head office.
    pub city: String,
    /// Country of its head office: ISO 3166-1 alpha-2 code.
    pub country_code: String,
}

/// Changes to an employer; fields left out stay as they are.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateEmployerInput {
    /// The employer's global ID.
    pub id: ID,
    /// The version the change is based on; if the employer has moved on, nothing is written and
    /// the payload carries a `STALE_VERSION` error.
    pub expected_version: Option<i32>,
    /// New unique key.
    pub slug: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New industry.
    pub industry: Option<Industry>,
    /// New size.
    pub size: Option<CompanySize>,
    /// New website; an empty string removes it.
    pub website: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New city.
    pub city: Option<String>,
    /// New country code.
    pub country_code: Option<String>,
}

/// An employer to delete, with its draft and closed vacancies. Refused with `IN_USE` while it has
/// OPEN vacancies (close them first).
#[derive(InputObject, Clone, Debug)]
pub struct DeleteEmployerInput {
    /// The employer's global ID.
    pub id: ID,
    /// The version the deletion is based on.
    pub expected_version: Option<i32>,
}

payload!(
    /// The result of `createEmployer`.
    CreateEmployerPayload,
    employer: Employer
);

payload!(
    /// The result of `updateEmployer`.
    UpdateEmployerPayload,
    employer: Employer
);

/// The result of `deleteEmployer`.
#[derive(SimpleObject)]
pub struct DeleteEmployerPayload {
    /// The global ID of the deleted employer; null when there are user errors.
    pub deleted_employer_id: Option<ID>,
    /// What to fix in the input; empty on success.
    pub user_errors: Vec<UserError>,
}

impl CreateEmployerInput {
    /// The row this input creates, each field checked (problems go to `v`).
    fn to_row(&self, v: &mut Validator) -> employer::ActiveModel {
        employer::ActiveModel {
            slug: Set(v.slug(&["slug"], &self.slug)),
            name: Set(v.text(&["name"], &self.name, MAX_NAME)),
            industry: Set(self.industry.into()),
            size: Set(self.size.into()),
            website: Set(self
                .website
                .as_deref()
                .and_then(|url| v.website(&["website"], url))),
            description: Set(v.optional_text(&["description"], &self.description, MAX_TEXT)),
            city: Set(v.text(&["city"], &self.city, MAX_NAME)),
            country_code: Set(v.country(&["countryCode"], &self.country_code)),
            ..Default::default()
        }
    }
}

impl UpdateEmployerInput {
    /// The changes this input asks for: only the fields it gives are `Set`, each checked
    /// (problems go to `v`).
    fn changes(&self, v: &mut Validator) -> employer::ActiveModel {
        let mut row = employer::ActiveModel::default();
        if let Some(value) = &self.slug {
            row.slug = Set(v.slug(&["slug"], value));
        }
        if let Some(value) = &self.name {
            row.name = Set(v.text(&["name"], value, MAX_NAME));
        }
        if let Some(value) = self.industry {
            row.industry = Set(value.into());
        }
        if let Some(value) = self.size {
            row.size = Set(value.into());
        }
        if let Some(value) = &self.website {
            row.website = Set(v.website(&["website"], value));
        }
        if let Some(value) = &self.description {
            row.description = Set(v.optional_text(&["description"], value, MAX_TEXT));
        }
        if let Some(value) = &self.city {
            row.city = Set(v.text(&["city"], value, MAX_NAME));
        }
        if let Some(value) = &self.country_code {
            row.country_code = Set(v.country(&["countryCode"], value));
        }
        row
    }
}

/// Part of the root `Mutation` type, documented on its `#[Object]` impl.
#[derive(Default)]
pub struct EmployerMutation;

/// The employer part of the mutation root.
#[Object]
impl EmployerMutation {
    /// Adds an employer to the directory.
    async fn create_employer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new employer.")] input: CreateEmployerInput,
    ) -> Result<CreateEmployerPayload> {
        policy::admin(viewer(ctx), "add employers")?;
        let failed = |user_errors| CreateEmployerPayload::failed(user_errors);
        let mut validator = Validator::default();
        let mut new = input.to_row(&mut validator);
        let at = crate::geo::check(&mut validator, Some(&input.city), &input.country_code);
        new.latitude = Set(at.latitude);
        new.longitude = Set(at.longitude);
        let new = match validator.finish(new) {
            Ok(new) => new,
            Err(errors) => return Ok(failed(errors)),
        };
        let slug = new.slug.try_as_ref().cloned().unwrap_or_default();
        match store::create(db(ctx)?, new).await {
            Ok(row) => Ok(CreateEmployerPayload::done(Employer(Item::one(row)))),
            Err(err) => Ok(failed(vec![taken_or_failed(
                err,
                store::SLUG,
                UserError::taken("slug", "employer", &slug),
            )?])),
        }
    }

    /// Changes an employer. Send `expectedVersion` to be sure nobody changed it since you read it.
    async fn update_employer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The employer, and only the fields to change.")]
        input: UpdateEmployerInput,
    ) -> Result<UpdateEmployerPayload> {
        let failed = |user_errors| UpdateEmployerPayload::failed(user_errors);
        let mut validator = Validator::default();
        let id = validator.id("id", &input.id, NodeKind::Employer);
        policy::act_for_employer(viewer(ctx), validator.clean(id))?;
        let mut changes = input.changes(&mut validator);
        let city = input.city.as_deref().map(Some);
        let country = input.country_code.as_deref();
        if let Some(at) =
            crate::geo::store::relocated(db(ctx)?, &mut validator, "employers", id, city, country)
                .await
                .map_err(crate::error::ApiError::from)?
        {
            changes.latitude = Set(at.latitude);
            changes.longitude = Set(at.longitude);
        }
        let slug = changes.slug.try_as_ref().cloned().unwrap_or_default();
        let changes = match validator.finish(changes) {
            Ok(changes) => changes,
            Err(errors) => return Ok(failed(errors)),
        };
        Ok(
            match in_write(db(ctx)?, async |txn| {
                store::update(txn, id, input.expected_version, changes).await
            })
            .await
            {
                Ok(Written::Done(row)) => UpdateEmployerPayload::done(Employer(Item::one(row))),
                Ok(Written::NotFound) => failed(vec![UserError::not_found("id", "employer")]),
                Ok(Written::Stale { current }) => {
                    failed(vec![UserError::stale("employer", current)])
                }
                Err(err) => failed(vec![taken_or_failed(
                    err,
                    store::SLUG,
                    UserError::taken("slug", "employer", &slug),
                )?]),
            },
        )
    }

    /// Deletes an employer with its draft and closed vacancies; refused while it has OPEN ones.
    async fn delete_employer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The employer to delete.")] input: DeleteEmployerInput,
    ) -> Result<DeleteEmployerPayload> {
        policy::admin(viewer(ctx), "delete employers")?;
        let failed = |user_errors| DeleteEmployerPayload {
            deleted_employer_id: None,
            user_errors,
        };
        let mut validator = Validator::default();
        let id = validator.id("id", &input.id, NodeKind::Employer);
        if let Err(errors) = validator.finish(()) {
            return Ok(failed(errors));
        }
        let deleted = in_write(db(ctx)?, async |txn| {
            store::delete(txn, id, input.expected_version).await
        })
        .await
        .map_err(crate::error::ApiError::from)?;
        Ok(match deleted {
            Ok(()) => {
                crate::auth::live::owner_deleted(ctx, crate::auth::Role::Employer(id));
                DeleteEmployerPayload {
                    deleted_employer_id: Some(input.id),
                    user_errors: Vec::new(),
                }
            }
            Err(store::Kept::NotFound) => failed(vec![UserError::not_found("id", "employer")]),
            Err(store::Kept::Stale { current }) => {
                failed(vec![UserError::stale("employer", current)])
            }
            Err(store::Kept::OpenVacancies(open)) => failed(vec![UserError::new(
                &["id"],
                UserErrorCode::InUse,
                format!("the employer has {open} open vacancies: close them first"),
            )]),
        })
    }
}
