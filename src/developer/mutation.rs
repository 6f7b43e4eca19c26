//! Keeping developer profiles current: create, update, delete, and set their skills.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use dbkit::{batch::Item, write::Written};
use entity::developer;
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use toolkit::{
    db, payload,
    validation::{
        MAX_HEADLINE, MAX_NAME, MAX_TEXT, UserError, UserErrorCode, Validator, taken_or_failed,
    },
    values::HttpUrl,
};

use super::{
    Developer,
    import::{ImportResumeInput, ImportResumePayload},
    store,
};
use crate::{
    auth::{policy, viewer},
    db::in_write,
    developer::{Seniority, Workplace},
    error::{ApiError, ApiResult},
    ids::NodeKind,
};

/// Most skills a developer may list.
pub(super) const MAX_SKILLS: usize = 100;
/// Most profile links a developer may have (the database holds it too).
pub(super) const MAX_LINKS: usize = 10;

/// A skill a developer has.
#[derive(InputObject, Clone, Debug)]
pub struct DeveloperSkillInput {
    /// The skill's slug, e.g. `postgresql`.
    pub slug: String,
    /// Level from 1 (basic) to 5 (expert).
    pub level: i32,
    /// Years of hands-on use, 0 to 60.
    #[graphql(default)]
    pub years: i32,
}

/// A salary expectation: a yearly gross amount in whole currency units.
#[derive(InputObject, Clone, Debug)]
pub struct SalaryExpectationInput {
    /// Yearly gross amount, more than 0.
    pub amount: i64,
    /// ISO 4217 currency code, e.g. `EUR`.
    pub currency: String,
}

/// A new developer profile.
#[derive(InputObject, Clone, Debug)]
pub struct CreateDeveloperInput {
    /// Unique handle: 2 to 40 of `a-z`, `0-9` and `-`.
    pub handle: String,
    /// Full name, at most 200 characters.
    pub name: String,
    /// Email address (private, unique).
    pub email: String,
    /// One-line summary, at most 300 characters.
    pub headline: String,
    /// About them, at most 10,000 characters.
    #[graphql(default)]
    pub bio: String,
    /// Career level.
    pub seniority: Seniority,
    /// Years of professional experience, 0 to 60.
    pub years_of_experience: i32,
    /// City they live in.
    pub city: String,
    /// Country they live in: ISO 3166-1 alpha-2 code.
    pub country_code: String,
    /// Where they prefer to work.
    pub remote_preference: Workplace,
    /// Whether they are open to offers now.
    #[graphql(default = true)]
    pub open_to_work: bool,
    /// Their salary expectation (private).
    pub salary_expectation: Option<SalaryExpectationInput>,
    /// Their public profile URLs (GitHub, LinkedIn, a portfolio): http or https, at most 10.
    #[graphql(default)]
    pub links: Vec<String>,
    /// Their skills, at most 100.
    #[graphql(default)]
    pub skills: Vec<DeveloperSkillInput>,
}

/// Changes to a developer profile; fields left out stay as they are.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateDeveloperInput {
    /// The developer's global ID.
    pub id: ID,
    /// The version the change is based on; if the profile has moved on, nothing is written and
    /// the payload carries a `STALE_VERSION` error.
    pub expected_version: Option<i32>,
    /// New handle.
    pub handle: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New email address.
    pub email: Option<String>,
    /// New headline.
    pub headline: Option<String>,
    /// New bio.
    pub bio: Option<String>,
    /// New career level.
    pub seniority: Option<Seniority>,
    /// New years of experience.
    pub years_of_experience: Option<i32>,
    /// New city.
    pub city: Option<String>,
    /// New country code.
    pub country_code: Option<String>,
    /// New workplace preference.
    pub remote_preference: Option<Workplace>,
    /// Whether they are open to offers now.
    pub open_to_work: Option<bool>,
    /// New salary expectation; `null` removes it.
    pub salary_expectation: MaybeUndefined<SalaryExpectationInput>,
    /// The whole new list of public profile URLs (http or https, at most 10); `[]` removes them.
    pub links: Option<Vec<String>>,
}

/// A developer profile to delete, with its skills.
#[derive(InputObject, Clone, Debug)]
pub struct DeleteDeveloperInput {
    /// The developer's global ID.
    pub id: ID,
    /// The version the deletion is based on.
    pub expected_version: Option<i32>,
}

/// The whole new set of a developer's skills (replacing the old one).
#[derive(InputObject, Clone, Debug)]
pub struct SetDeveloperSkillsInput {
    /// The developer's global ID.
    pub id: ID,
    /// The version the change is based on.
    pub expected_version: Option<i32>,
    /// Every skill they have, at most 100.
    pub skills: Vec<DeveloperSkillInput>,
}

payload!(
    /// The result of `createDeveloper`.
    CreateDeveloperPayload,
    developer: Developer
);
payload!(
    /// The result of `updateDeveloper`.
    UpdateDeveloperPayload,
    developer: Developer
);
payload!(
    /// The result of `setDeveloperSkills`.
    SetDeveloperSkillsPayload,
    developer: Developer
);

/// The result of `deleteDeveloper`.
#[derive(SimpleObject)]
pub struct DeleteDeveloperPayload {
    /// The global ID of the deleted developer; null when there are user errors.
    pub deleted_developer_id: Option<ID>,
    /// What to fix in the input; empty on success.
    pub user_errors: Vec<UserError>,
}

pub(super) fn profile(row: entity::developer::Model) -> Developer {
    Developer(Item::one(row))
}

/// Checks a list of skills and resolves their slugs (one statement): `(skill id, level, years)`.
async fn skills(
    v: &mut Validator,
    db: &impl ConnectionTrait,
    skills: &[DeveloperSkillInput],
) -> ApiResult<Vec<(i64, i16, i32)>> {
    let slugs: Vec<&str> = skills.iter().map(|skill| skill.slug.as_str()).collect();
    let ids = crate::skill::skill_refs(v, db, &slugs, MAX_SKILLS).await?;
    let mut out = Vec::new();
    for (i, (skill, id)) in skills.iter().zip(ids).enumerate() {
        let at = i.to_string();
        v.range(&["skills", &at, "level"], skill.level.into(), 1, 5);
        v.range(&["skills", &at, "years"], skill.years.into(), 0, 60);
        out.extend(id.map(|id| (id, skill.level.clamp(1, 5) as i16, skill.years)));
    }
    Ok(out)
}

/// A salary expectation: a positive amount and an ISO currency.
fn salary(validator: &mut Validator, salary: &SalaryExpectationInput) -> (i64, String) {
    validator.range(
        &["salaryExpectation", "amount"],
        salary.amount,
        1,
        1_000_000_000,
    );
    (
        salary.amount,
        validator.currency(&["salaryExpectation", "currency"], &salary.currency),
    )
}

/// How many email changes a developer may try per [`EMAIL_CHANGE_WINDOW`] (admins: any).
pub const EMAIL_CHANGES_PER_WINDOW: usize = 5;
/// The window of [`EMAIL_CHANGES_PER_WINDOW`].
pub const EMAIL_CHANGE_WINDOW: std::time::Duration = std::time::Duration::from_secs(3600);

/// The email changes each developer tried lately.
///
/// Email addresses are unique, so a change to an address another developer has must fail, and
/// saying so (`TAKEN`) confirms that the address is registered here. The decision: the answer
/// stays `TAKEN` (the caller must be told why the change failed, and it never says whose address
/// it is), and a developer may try at most [`EMAIL_CHANGES_PER_WINDOW`] changes per
/// [`EMAIL_CHANGE_WINDOW`], answered `RATE_LIMITED` past it, so the oracle tells a developer token
/// about 5 addresses an hour rather than one per request. Admins, who can list developers, are not
/// limited.
#[derive(Debug, Default)]
pub struct EmailChanges(std::sync::Mutex<std::collections::HashMap<i64, Vec<std::time::Instant>>>);

impl EmailChanges {
    /// Records an email change tried by developer `id` at `now`; false (nothing recorded) when
    /// it has tried its share within the window.
    pub fn take(&self, id: i64, now: std::time::Instant) -> bool {
        let mut tried = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if tried.len() > 10_000 {
            tried.retain(|_, times| {
                times
                    .last()
                    .is_some_and(|at| now.saturating_duration_since(*at) < EMAIL_CHANGE_WINDOW)
            });
        }
        let times = tried.entry(id).or_default();
        times.retain(|at| now.saturating_duration_since(*at) < EMAIL_CHANGE_WINDOW);
        if times.len() >= EMAIL_CHANGES_PER_WINDOW {
            return false;
        }
        times.push(now);
        true
    }
}

/// Counts an email change the viewer tries against their budget ([`EmailChanges`]):
/// `RATE_LIMITED` past it. Only developers have a budget.
pub(super) fn email_change(ctx: &Context<'_>) -> ApiResult<()> {
    if let Some(crate::auth::Role::Developer(developer)) = viewer(ctx).role()
        && let Ok(budget) = ctx.data::<std::sync::Arc<EmailChanges>>()
        && !budget.take(developer, std::time::Instant::now())
    {
        return Err(ApiError::RateLimited);
    }
    Ok(())
}

/// Where an input gives a developer's email address: `input.email` in the profile mutations.
const EMAIL_AT: &[&str] = &["email"];

/// The TAKEN error for an email address another developer has, at `email_at` (a path inside
/// `input`; it never says whose address it is).
fn email_taken(email_at: &[&str]) -> UserError {
    UserError::new(
        email_at,
        UserErrorCode::Taken,
        "another developer has this email address",
    )
}

/// TAKEN errors for the unique values another developer has; the email address's at `email_at`.
pub(super) async fn taken(
    db: &impl ConnectionTrait,
    handle: Option<&str>,
    email: Option<&str>,
    except: Option<i64>,
    email_at: &[&str],
) -> ApiResult<Vec<UserError>> {
    let (handle_taken, email_taken_by_another) = store::taken(db, handle, email, except).await?;
    let mut errors = Vec::new();
    if let (true, Some(handle)) = (handle_taken, handle) {
        errors.push(UserError::taken("handle", "developer", handle));
    }
    if email_taken_by_another {
        errors.push(email_taken(email_at));
    }
    Ok(errors)
}

/// A unique-constraint race lost after the checks: which value it was, by the key the database
/// reports broken (the email address's error at `email_at`).
pub(super) fn race(
    err: sea_orm::DbErr,
    handle: &str,
    email_at: &[&str],
) -> Result<UserError, ApiError> {
    if store::EMAIL.broken_by(&err) {
        return Ok(email_taken(email_at));
    }
    taken_or_failed(
        err,
        store::HANDLE,
        UserError::taken("handle", "developer", handle),
    )
}

impl CreateDeveloperInput {
    /// The row this input creates, each field checked (problems go to `v`); the skills are
    /// resolved apart ([`skills`]).
    fn to_row(&self, v: &mut Validator) -> developer::ActiveModel {
        v.range(
            &["yearsOfExperience"],
            self.years_of_experience.into(),
            0,
            60,
        );
        let (amount, currency) = match &self.salary_expectation {
            Some(expectation) => {
                let (amount, currency) = salary(v, expectation);
                (Some(amount), Some(currency))
            }
            None => (None, None),
        };
        developer::ActiveModel {
            handle: Set(v.handle(&["handle"], &self.handle)),
            name: Set(v.text(&["name"], &self.name, MAX_NAME)),
            email: Set(v.email(&["email"], &self.email)),
            headline: Set(v.text(&["headline"], &self.headline, MAX_HEADLINE)),
            bio: Set(v.optional_text(&["bio"], &self.bio, MAX_TEXT)),
            seniority: Set(self.seniority.into()),
            years_of_experience: Set(self.years_of_experience),
            city: Set(v.text(&["city"], &self.city, MAX_NAME)),
            country_code: Set(v.country(&["countryCode"], &self.country_code)),
            remote_preference: Set(self.remote_preference.into()),
            open_to_work: Set(self.open_to_work),
            salary_expectation_amount: Set(amount),
            salary_expectation_currency: Set(currency),
            links: Set(v.list::<HttpUrl>("links", &self.links, MAX_LINKS).into()),
            ..Default::default()
        }
    }
}

impl UpdateDeveloperInput {
    /// The changes this input asks for: only the fields it gives are `Set`, each checked
    /// (problems go to `v`).
    fn changes(&self, v: &mut Validator) -> developer::ActiveModel {
        let mut row = developer::ActiveModel::default();
        let text = |v: &mut Validator, field: &str, value: &Option<String>, max: usize| {
            value.as_deref().map(|value| v.text(&[field], value, max))
        };
        if let Some(value) = &self.handle {
            row.handle = Set(v.handle(&["handle"], value));
        }
        if let Some(value) = &self.email {
            row.email = Set(v.email(&["email"], value));
        }
        if let Some(value) = text(v, "name", &self.name, MAX_NAME) {
            row.name = Set(value);
        }
        if let Some(value) = text(v, "headline", &self.headline, MAX_HEADLINE) {
            row.headline = Set(value);
        }
        if let Some(value) = &self.bio {
            row.bio = Set(v.optional_text(&["bio"], value, MAX_TEXT));
        }
        if let Some(value) = self.seniority {
            row.seniority = Set(value.into());
        }
        if let Some(value) = self.years_of_experience {
            v.range(&["yearsOfExperience"], value.into(), 0, 60);
            row.years_of_experience = Set(value);
        }
        if let Some(value) = text(v, "city", &self.city, MAX_NAME) {
            row.city = Set(value);
        }
        if let Some(value) = &self.country_code {
            row.country_code = Set(v.country(&["countryCode"], value));
        }
        if let Some(value) = self.remote_preference {
            row.remote_preference = Set(value.into());
        }
        if let Some(value) = self.open_to_work {
            row.open_to_work = Set(value);
        }
        if let Some(links) = &self.links {
            row.links = Set(v.list::<HttpUrl>("links", links, MAX_LINKS).into());
        }
        match &self.salary_expectation {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => {
                row.salary_expectation_amount = Set(None);
                row.salary_expectation_currency = Set(None);
            }
            MaybeUndefined::Value(value) => {
                let (amount, currency) = salary(v, value);
                row.salary_expectation_amount = Set(Some(amount));
                row.salary_expectation_currency = Set(Some(currency));
            }
        }
        row
    }
}

/// Sets the coordinate columns of `row` to `at`.
pub(super) fn place(row: &mut developer::ActiveModel, at: crate::geo::Located) {
    row.latitude = Set(at.latitude);
    row.longitude = Set(at.longitude);
    row.geo_x = Set(at.vector.map(|v| v[0]));
    row.geo_y = Set(at.vector.map(|v| v[1]));
    row.geo_z = Set(at.vector.map(|v| v[2]));
}

/// Part of the root `Mutation` type, documented on its `#[Object]` impl.
#[derive(Default)]
pub struct DeveloperMutation;

/// The developer part of the mutation root.
#[Object]
impl DeveloperMutation {
    /// Adds a developer profile, with its skills, in one transaction.
    async fn create_developer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new profile and its skills.")] input: CreateDeveloperInput,
    ) -> Result<CreateDeveloperPayload> {
        policy::admin(viewer(ctx), "create developer profiles")?;
        type P = CreateDeveloperPayload;
        let db = db(ctx)?;
        let mut v = Validator::default();
        let mut row = input.to_row(&mut v);
        place(
            &mut row,
            crate::geo::check(&mut v, Some(&input.city), &input.country_code),
        );
        let skills = skills(&mut v, db, &input.skills).await?;
        let row = match v.finish(row) {
            Ok(row) => row,
            Err(errors) => return Ok(P::failed(errors)),
        };
        let handle = row.handle.try_as_ref().cloned().unwrap_or_default();
        let email = row.email.try_as_ref().cloned().unwrap_or_default();
        let conflicts = taken(db, Some(&handle), Some(&email), None, EMAIL_AT).await?;
        if !conflicts.is_empty() {
            return Ok(P::failed(conflicts));
        }
        Ok(
            // `Some`: an insert is always done ([`Outcome`] of an `Option`).
            match in_write(db, async |txn| {
                store::create(txn, row, &skills).await.map(Some)
            })
            .await
            {
                Ok(row) => {
                    P::done(profile(row.ok_or_else(|| {
                        ApiError::internal("an insert returned no row")
                    })?))
                }
                Err(err) => P::failed(vec![race(err, &handle, EMAIL_AT)?]),
            },
        )
    }

    /// Changes a developer profile. Send `expectedVersion` to be sure nobody changed it since you
    /// read it.
    async fn update_developer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The developer, and only the fields to change.")]
        input: UpdateDeveloperInput,
    ) -> Result<UpdateDeveloperPayload> {
        type P = UpdateDeveloperPayload;
        let db = db(ctx)?;
        let mut v = Validator::default();
        let id = v.id("id", &input.id, NodeKind::Developer);
        policy::act_for_developer(viewer(ctx), v.clean(id))?;
        if input.email.is_some() {
            email_change(ctx)?;
        }
        let mut changes = input.changes(&mut v);
        let city = input.city.as_deref().map(Some);
        let country = input.country_code.as_deref();
        if let Some(at) = crate::geo::store::relocated(db, &mut v, "developers", id, city, country)
            .await
            .map_err(ApiError::from)?
        {
            place(&mut changes, at);
        }
        let handle = changes.handle.try_as_ref().cloned();
        let email = changes.email.try_as_ref().cloned();
        let changes = match v.finish(changes) {
            Ok(changes) => changes,
            Err(errors) => return Ok(P::failed(errors)),
        };
        let conflicts = taken(db, handle.as_deref(), email.as_deref(), Some(id), EMAIL_AT).await?;
        if !conflicts.is_empty() {
            return Ok(P::failed(conflicts));
        }
        let expected = input.expected_version;
        let written = in_write(db, async |txn| {
            store::update(txn, id, expected, changes, None).await
        })
        .await;
        Ok(match written {
            Ok(Written::Done(row)) => P::done(profile(row)),
            Ok(Written::NotFound) => P::failed(vec![UserError::not_found("id", "developer")]),
            Ok(Written::Stale { current }) => {
                P::failed(vec![UserError::stale("developer", current)])
            }
            Err(err) => P::failed(vec![race(
                err,
                handle.as_deref().unwrap_or_default(),
                EMAIL_AT,
            )?]),
        })
    }

    /// Replaces a developer's whole set of skills, in one transaction; bumps their version.
    async fn set_developer_skills(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The developer and the whole new list of skills.")]
        input: SetDeveloperSkillsInput,
    ) -> Result<SetDeveloperSkillsPayload> {
        type P = SetDeveloperSkillsPayload;
        let db = db(ctx)?;
        let mut v = Validator::default();
        let id = v.id("id", &input.id, NodeKind::Developer);
        policy::act_for_developer(viewer(ctx), v.clean(id))?;
        let skills = skills(&mut v, db, &input.skills).await?;
        let skills = match v.finish(skills) {
            Ok(skills) => skills,
            Err(errors) => return Ok(P::failed(errors)),
        };
        let expected = input.expected_version;
        let outcome = in_write(db, async |txn| {
            let unchanged = developer::ActiveModel::default();
            store::update(txn, id, expected, unchanged, Some(&skills)).await
        })
        .await
        .map_err(ApiError::from)?;
        Ok(match outcome {
            Written::Done(row) => P::done(profile(row)),
            Written::NotFound => P::failed(vec![UserError::not_found("id", "developer")]),
            Written::Stale { current } => P::failed(vec![UserError::stale("developer", current)]),
        })
    }

    /// Creates or updates a developer profile from a JSON Resume document, with its skills, in one
    /// transaction. The document's skills are matched to the taxonomy by slug, name or alias
    /// (never invented: the names that match none come back in `unmatchedSkills`); a malformed
    /// document is `userErrors` at its JSON paths, and nothing is written. Creating needs an
    /// admin; a developer may import onto their own profile.
    async fn import_resume(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The document, and the profile it is for.")] input: ImportResumeInput,
    ) -> Result<ImportResumePayload> {
        super::import::import_resume(ctx, input).await
    }

    /// Deletes a developer profile with its skills.
    async fn delete_developer(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The developer to delete.")] input: DeleteDeveloperInput,
    ) -> Result<DeleteDeveloperPayload> {
        let failed = |user_errors| DeleteDeveloperPayload {
            deleted_developer_id: None,
            user_errors,
        };
        let mut v = Validator::default();
        let id = v.id("id", &input.id, NodeKind::Developer);
        policy::act_for_developer(viewer(ctx), v.clean(id))?;
        if let Err(errors) = v.finish(()) {
            return Ok(failed(errors));
        }
        Ok(
            match in_write(db(ctx)?, async |txn| {
                store::delete(txn, id, input.expected_version).await
            })
            .await
            .map_err(ApiError::from)?
            {
                Written::Done(()) => {
                    crate::auth::live::owner_deleted(ctx, crate::auth::Role::Developer(id));
                    DeleteDeveloperPayload {
                        deleted_developer_id: Some(input.id),
                        user_errors: Vec::new(),
                    }
                }
                Written::NotFound => failed(vec![UserError::not_found("id", "developer")]),
                Written::Stale { current } => failed(vec![UserError::stale("developer", current)]),
            },
        )
    }
}
