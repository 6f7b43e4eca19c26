//! Posting and managing vacancies: create (as a draft), update, set skills, publish, close, delete.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use dbkit::{
    batch::Item,
    write::{Guarded, Written},
};
use entity::vacancy;
use sea_orm::{ActiveValue::Set, ConnectionTrait};
use toolkit::{
    db, payload,
    scalars::Timestamp,
    validation::{MAX_HEADLINE, MAX_NAME, MAX_TEXT, UserError, UserErrorCode, Validator},
};

use super::{EmploymentType, SalaryPeriod, Vacancy, VacancyStatus, store};
use crate::{
    auth::{
        policy::{self, VacancyAccess},
        viewer,
    },
    db::in_write,
    developer::{Seniority, Workplace},
    error::{ApiError, ApiResult},
    events::{Change, Events, VacancyEvent},
    ids::NodeKind,
};

/// Most skills a vacancy may ask for.
const MAX_SKILLS: usize = 100;
/// Most responsibilities a vacancy may list.
const MAX_RESPONSIBILITIES: usize = 30;

/// A skill a vacancy asks for.
#[derive(InputObject, Clone, Debug)]
pub struct VacancySkillInput {
    /// The skill's slug, e.g. `postgresql`.
    pub slug: String,
    /// True for a must-have (the default), false for a nice-to-have.
    #[graphql(default = true)]
    pub required: bool,
    /// The lowest level accepted, 1 to 5.
    #[graphql(default = 1)]
    pub min_level: i32,
}

/// A gross salary range.
#[derive(InputObject, Clone, Debug)]
pub struct SalaryRangeInput {
    /// Lowest amount, whole units, more than 0.
    pub min: i64,
    /// Highest amount, at least `min`.
    pub max: i64,
    /// ISO 4217 currency code, e.g. `USD`.
    pub currency: String,
    /// The period the amounts are for; YEAR when not given.
    #[graphql(default_with = "SalaryPeriod::Year")]
    pub period: SalaryPeriod,
}

/// A new vacancy; it starts as a DRAFT.
#[derive(InputObject, Clone, Debug)]
pub struct CreateVacancyInput {
    /// The global ID of the employer posting it.
    pub employer_id: ID,
    /// Job title, at most 200 characters.
    pub title: String,
    /// What the job is about, at most 10,000 characters.
    #[graphql(default)]
    pub description: String,
    /// What the person hired will do (at most 30 items of 300 characters).
    #[graphql(default)]
    pub responsibilities: Vec<String>,
    /// The career level sought.
    pub seniority: Seniority,
    /// The contract offered.
    pub employment_type: EmploymentType,
    /// Where the work happens.
    pub workplace: Workplace,
    /// City of the workplace; may be left out for remote vacancies.
    pub city: Option<String>,
    /// Country of employment: ISO 3166-1 alpha-2 code.
    pub country_code: String,
    /// The salary range offered.
    pub salary: Option<SalaryRangeInput>,
    /// Until when applications are accepted; must be in the future.
    pub valid_through: Option<Timestamp>,
    /// The skills asked for, at most 100.
    #[graphql(default)]
    pub skills: Vec<VacancySkillInput>,
}

/// Changes to a vacancy; fields left out stay as they are. Its state changes only through
/// `publishVacancy` and `closeVacancy`.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateVacancyInput {
    /// The vacancy's global ID.
    pub id: ID,
    /// The version the change is based on; if the vacancy has moved on, nothing is written and
    /// the payload carries a `STALE_VERSION` error.
    pub expected_version: Option<i32>,
    /// New title.
    pub title: Option<String>,
    /// New description.
    pub description: Option<String>,
    /// New responsibilities (replacing the old ones).
    pub responsibilities: Option<Vec<String>>,
    /// New career level.
    pub seniority: Option<Seniority>,
    /// New contract.
    pub employment_type: Option<EmploymentType>,
    /// New workplace.
    pub workplace: Option<Workplace>,
    /// New city; `null` removes it.
    pub city: MaybeUndefined<String>,
    /// New country code.
    pub country_code: Option<String>,
    /// New salary range; `null` removes it.
    pub salary: MaybeUndefined<SalaryRangeInput>,
    /// New closing time; `null` removes it.
    pub valid_through: MaybeUndefined<Timestamp>,
}

/// The whole new set of a vacancy's skills (replacing the old one).
#[derive(InputObject, Clone, Debug)]
pub struct SetVacancySkillsInput {
    /// The vacancy's global ID.
    pub id: ID,
    /// The version the change is based on.
    pub expected_version: Option<i32>,
    /// Every skill asked for, at most 100.
    pub skills: Vec<VacancySkillInput>,
}

/// A vacancy to move to another state, or to delete.
#[derive(InputObject, Clone, Debug)]
pub struct VacancyRefInput {
    /// The vacancy's global ID.
    pub id: ID,
    /// The version the change is based on.
    pub expected_version: Option<i32>,
}

payload!(
    /// The result of `createVacancy`.
    CreateVacancyPayload,
    vacancy: Vacancy
);
payload!(
    /// The result of `updateVacancy`.
    UpdateVacancyPayload,
    vacancy: Vacancy
);
payload!(
    /// The result of `setVacancySkills`.
    SetVacancySkillsPayload,
    vacancy: Vacancy
);
payload!(
    /// The result of `publishVacancy`.
    PublishVacancyPayload,
    vacancy: Vacancy
);
payload!(
    /// The result of `closeVacancy`.
    CloseVacancyPayload,
    vacancy: Vacancy
);

/// The result of `deleteVacancy`.
#[derive(SimpleObject)]
pub struct DeleteVacancyPayload {
    /// The global ID of the deleted vacancy; null when there are user errors.
    pub deleted_vacancy_id: Option<ID>,
    /// What to fix in the input; empty on success.
    pub user_errors: Vec<UserError>,
}

fn posting(row: entity::vacancy::Model) -> Vacancy {
    Vacancy(Item::one(row))
}

/// Checks a list of skills and resolves their slugs (one statement): `(skill id, required, minimum level)`.
async fn skills(
    v: &mut Validator,
    db: &impl ConnectionTrait,
    skills: &[VacancySkillInput],
) -> ApiResult<Vec<(i64, bool, i16)>> {
    let slugs: Vec<&str> = skills.iter().map(|skill| skill.slug.as_str()).collect();
    let ids = crate::skill::skill_refs(v, db, &slugs, MAX_SKILLS).await?;
    let mut out = Vec::new();
    for (i, (skill, id)) in skills.iter().zip(ids).enumerate() {
        v.range(
            &["skills", &i.to_string(), "minLevel"],
            skill.min_level.into(),
            1,
            5,
        );
        out.extend(id.map(|id| (id, skill.required, skill.min_level.clamp(1, 5) as i16)));
    }
    Ok(out)
}

/// A salary range: positive amounts, min ≤ max, an ISO currency.
fn salary(v: &mut Validator, salary: &SalaryRangeInput) -> store::Salary {
    v.range(&["salary", "min"], salary.min, 1, 1_000_000_000);
    v.range(&["salary", "max"], salary.max, 1, 1_000_000_000);
    if salary.min > salary.max {
        v.error(
            &["salary", "max"],
            UserErrorCode::OutOfRange,
            format!("must be at least `min` ({})", salary.min),
        );
    }
    let currency = v.currency(&["salary", "currency"], &salary.currency);
    (salary.min, salary.max, currency, salary.period.into())
}

/// Responsibilities: each not blank and at most 300 characters; at most 30.
fn responsibilities(v: &mut Validator, items: &[String]) -> Vec<String> {
    if items.len() > MAX_RESPONSIBILITIES {
        v.error(
            &["responsibilities"],
            UserErrorCode::OutOfRange,
            format!("at most {MAX_RESPONSIBILITIES} items"),
        );
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| v.text(&["responsibilities", &i.to_string()], item, MAX_HEADLINE))
        .collect()
}

/// A closing time in the future.
fn valid_through(v: &mut Validator, at: DateTime<Utc>) -> DateTime<Utc> {
    if at <= Utc::now() {
        v.error(
            &["validThrough"],
            UserErrorCode::OutOfRange,
            "must be in the future",
        );
    }
    at
}

/// What a write to an existing vacancy came to, as user errors; `transition` names a state change.
async fn outcome(
    db: &impl ConnectionTrait,
    id: i64,
    written: Guarded<entity::vacancy::Model>,
    transition: Option<(&str, VacancyStatus)>,
) -> ApiResult<Result<Vacancy, Vec<UserError>>> {
    Ok(match written {
        Guarded::Written(Written::Done(row)) => Ok(posting(row)),
        Guarded::Written(Written::NotFound) => Err(vec![UserError::not_found("id", "vacancy")]),
        Guarded::Written(Written::Stale { current }) => {
            Err(vec![UserError::stale("vacancy", current)])
        }
        Guarded::Refused => {
            let current = store::status(db, id)
                .await?
                .map_or("deleted", |status| state(status.into()));
            let (verb, from) = transition
                .ok_or_else(|| ApiError::internal("an unconditional write was refused"))?;
            Err(vec![UserError::new(
                &["id"],
                UserErrorCode::InvalidTransition,
                format!(
                    "only {} vacancies can be {verb}; this one is {current}",
                    state(from)
                ),
            )])
        }
    })
}

/// Whether the caller may change vacancy `id` (None when the ID sent is malformed): None to go
/// ahead, or the user error to answer, since a draft the caller may not see does not exist for
/// it. Other denials are errors.
async fn authorize(
    ctx: &Context<'_>,
    db: &impl ConnectionTrait,
    id: Option<i64>,
) -> ApiResult<Option<UserError>> {
    let viewer = viewer(ctx);
    let row = match id {
        Some(id) => store::find(db, id).await?,
        None => None,
    };
    let Some(row) = row else {
        // Malformed or missing: validation or the write reports it, to a caller of the right role.
        policy::act_for_employer(viewer, None)?;
        return Ok(None);
    };
    Ok(match policy::manage_vacancy(viewer, &row)? {
        VacancyAccess::Allowed => None,
        VacancyAccess::Hidden => Some(UserError::not_found("id", "vacancy")),
    })
}

/// Sets the coordinate columns of `row` to `at`.
fn place(row: &mut vacancy::ActiveModel, at: crate::geo::Located) {
    row.latitude = Set(at.latitude);
    row.longitude = Set(at.longitude);
    row.geo_x = Set(at.vector.map(|v| v[0]));
    row.geo_y = Set(at.vector.map(|v| v[1]));
    row.geo_z = Set(at.vector.map(|v| v[2]));
}

/// Tells subscribers, on every instance, that vacancy `id` changed.
async fn tell(ctx: &Context<'_>, id: i64, change: Change) {
    tell_event(
        ctx,
        VacancyEvent {
            id,
            change,
            publication: None,
        },
    )
    .await;
}

/// Tells subscribers, on every instance, about `event`.
async fn tell_event(ctx: &Context<'_>, event: VacancyEvent) {
    match ctx.data::<Events>() {
        Ok(events) => events.publish(event).await,
        Err(_) => tracing::error!("the schema was built without an event bus"),
    }
}

/// The name of a state, as the schema spells it.
fn state(status: VacancyStatus) -> &'static str {
    match status {
        VacancyStatus::Draft => "DRAFT",
        VacancyStatus::Open => "OPEN",
        VacancyStatus::Closed => "CLOSED",
    }
}

impl CreateVacancyInput {
    /// The row this input creates, each field checked (problems go to `v`); the employer and
    /// the skills are resolved apart, and a new vacancy is a DRAFT.
    fn to_row(&self, v: &mut Validator) -> vacancy::ActiveModel {
        let mut row = vacancy::ActiveModel {
            title: Set(v.text(&["title"], &self.title, MAX_NAME)),
            description: Set(v.optional_text(&["description"], &self.description, MAX_TEXT)),
            responsibilities: Set(responsibilities(v, &self.responsibilities).into()),
            seniority: Set(self.seniority.into()),
            employment_type: Set(self.employment_type.into()),
            workplace: Set(self.workplace.into()),
            city: Set(self
                .city
                .as_deref()
                .map(|city| v.text(&["city"], city, MAX_NAME))),
            country_code: Set(v.country(&["countryCode"], &self.country_code)),
            status: Set(entity::VacancyStatus::Draft),
            published_at: Set(None),
            valid_through: Set(self.valid_through.map(|at| valid_through(v, at.0))),
            ..Default::default()
        };
        set_salary(&mut row, self.salary.as_ref().map(|range| salary(v, range)));
        row
    }
}

/// Sets (or, with None, clears) the four salary columns of `row`.
fn set_salary(row: &mut vacancy::ActiveModel, salary: Option<store::Salary>) {
    let (min, max, currency, period) = match salary {
        Some((min, max, currency, period)) => (Some(min), Some(max), Some(currency), Some(period)),
        None => (None, None, None, None),
    };
    row.salary_min = Set(min);
    row.salary_max = Set(max);
    row.salary_currency = Set(currency);
    row.salary_period = Set(period);
}

impl UpdateVacancyInput {
    /// The changes this input asks for: only the fields it gives are `Set`, each checked
    /// (problems go to `v`). The state changes only through publish and close.
    fn changes(&self, v: &mut Validator) -> vacancy::ActiveModel {
        let mut row = vacancy::ActiveModel::default();
        if let Some(value) = &self.title {
            row.title = Set(v.text(&["title"], value, MAX_NAME));
        }
        if let Some(value) = &self.description {
            row.description = Set(v.optional_text(&["description"], value, MAX_TEXT));
        }
        if let Some(value) = &self.responsibilities {
            row.responsibilities = Set(responsibilities(v, value).into());
        }
        if let Some(value) = self.seniority {
            row.seniority = Set(value.into());
        }
        if let Some(value) = self.employment_type {
            row.employment_type = Set(value.into());
        }
        if let Some(value) = self.workplace {
            row.workplace = Set(value.into());
        }
        match &self.city {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => row.city = Set(None),
            MaybeUndefined::Value(city) => row.city = Set(Some(v.text(&["city"], city, MAX_NAME))),
        }
        if let Some(value) = &self.country_code {
            row.country_code = Set(v.country(&["countryCode"], value));
        }
        match &self.salary {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => set_salary(&mut row, None),
            MaybeUndefined::Value(range) => set_salary(&mut row, Some(salary(v, range))),
        }
        match self.valid_through {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => row.valid_through = Set(None),
            MaybeUndefined::Value(at) => row.valid_through = Set(Some(valid_through(v, at.0))),
        }
        row
    }
}

/// Part of the root `Mutation` type, documented on its `#[Object]` impl.
#[derive(Default)]
pub struct VacancyMutation;

/// The vacancy part of the mutation root.
#[Object]
impl VacancyMutation {
    /// Posts a new vacancy as a DRAFT, with its skills, in one transaction.
    async fn create_vacancy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new vacancy, its employer and its skills.")]
        input: CreateVacancyInput,
    ) -> Result<CreateVacancyPayload> {
        let db = db(ctx)?;
        let mut v = Validator::default();
        let employer_id = v.id("employerId", &input.employer_id, NodeKind::Employer);
        policy::act_for_employer(viewer(ctx), v.clean(employer_id))?;
        let mut new = input.to_row(&mut v);
        place(
            &mut new,
            crate::geo::check(&mut v, input.city.as_deref(), &input.country_code),
        );
        let skills = skills(&mut v, db, &input.skills).await?;
        let new = match v.finish(new) {
            Ok(new) => new,
            Err(errors) => return Ok(CreateVacancyPayload::failed(errors)),
        };
        Ok(
            match in_write(db, async |txn| {
                store::create(txn, employer_id, new, &skills).await
            })
            .await
            .map_err(ApiError::from)?
            {
                Some(row) => CreateVacancyPayload::done(posting(row)),
                None => CreateVacancyPayload::failed(vec![UserError::not_found(
                    "employerId",
                    "employer",
                )]),
            },
        )
    }

    /// Changes a vacancy. Send `expectedVersion` to be sure nobody changed it since you read it.
    async fn update_vacancy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The vacancy, and only the fields to change.")] input: UpdateVacancyInput,
    ) -> Result<UpdateVacancyPayload> {
        let db = db(ctx)?;
        let mut v = Validator::default();
        let id = v.id("id", &input.id, NodeKind::Vacancy);
        if let Some(hidden) = authorize(ctx, db, v.clean(id)).await? {
            return Ok(UpdateVacancyPayload::failed(vec![hidden]));
        }
        let mut changes = input.changes(&mut v);
        let city = match &input.city {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(city) => Some(Some(city.as_str())),
        };
        let country = input.country_code.as_deref();
        if let Some(at) = crate::geo::store::relocated(db, &mut v, "vacancies", id, city, country)
            .await
            .map_err(ApiError::from)?
        {
            place(&mut changes, at);
        }
        let changes = match v.finish(changes) {
            Ok(changes) => changes,
            Err(errors) => return Ok(UpdateVacancyPayload::failed(errors)),
        };
        let expected = input.expected_version;
        let written = in_write(db, async |txn| {
            store::update(txn, id, expected, None, changes, None).await
        })
        .await
        .map_err(ApiError::from)?;
        Ok(match outcome(db, id, written, None).await? {
            Ok(vacancy) => {
                tell(ctx, id, Change::Updated).await;
                UpdateVacancyPayload::done(vacancy)
            }
            Err(errors) => UpdateVacancyPayload::failed(errors),
        })
    }

    /// Replaces a vacancy's whole set of skills, in one transaction; bumps its version.
    async fn set_vacancy_skills(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The vacancy and the whole new list of skills it asks for.")]
        input: SetVacancySkillsInput,
    ) -> Result<SetVacancySkillsPayload> {
        let db = db(ctx)?;
        let mut v = Validator::default();
        let id = v.id("id", &input.id, NodeKind::Vacancy);
        if let Some(hidden) = authorize(ctx, db, v.clean(id)).await? {
            return Ok(SetVacancySkillsPayload::failed(vec![hidden]));
        }
        let skills = skills(&mut v, db, &input.skills).await?;
        let skills = match v.finish(skills) {
            Ok(skills) => skills,
            Err(errors) => return Ok(SetVacancySkillsPayload::failed(errors)),
        };
        let expected = input.expected_version;
        let written = in_write(db, async |txn| {
            let unchanged = vacancy::ActiveModel::default();
            store::update(txn, id, expected, None, unchanged, Some(&skills)).await
        })
        .await
        .map_err(ApiError::from)?;
        Ok(match outcome(db, id, written, None).await? {
            Ok(vacancy) => {
                tell(ctx, id, Change::Updated).await;
                SetVacancySkillsPayload::done(vacancy)
            }
            Err(errors) => SetVacancySkillsPayload::failed(errors),
        })
    }

    /// Publishes a DRAFT vacancy: it becomes OPEN and gets its `publishedAt`.
    async fn publish_vacancy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The DRAFT vacancy to publish.")] input: VacancyRefInput,
    ) -> Result<PublishVacancyPayload> {
        let db = db(ctx)?;
        let mut v = Validator::default();
        let id = v.id("id", &input.id, NodeKind::Vacancy);
        if let Some(hidden) = authorize(ctx, db, v.clean(id)).await? {
            return Ok(PublishVacancyPayload::failed(vec![hidden]));
        }
        if let Err(errors) = v.finish(()) {
            return Ok(PublishVacancyPayload::failed(errors));
        }
        let changes = vacancy::ActiveModel {
            status: Set(entity::VacancyStatus::Open),
            published_at: Set(Some(Utc::now())),
            ..Default::default()
        };
        let expected = input.expected_version;
        let written = in_write(db, async |txn| {
            let from = Some(entity::VacancyStatus::Draft);
            let mut written = store::update(txn, id, expected, from, changes, None).await?;
            if let Guarded::Written(Written::Done(row)) = &mut written {
                row.publication_seq = Some(store::number_publication(txn, row.id).await?);
            }
            Ok(written)
        })
        .await
        .map_err(ApiError::from)?;
        let publication = match &written {
            Guarded::Written(Written::Done(row)) => row.publication_seq,
            _ => None,
        };
        Ok(
            match outcome(db, id, written, Some(("published", VacancyStatus::Draft))).await? {
                Ok(vacancy) => {
                    let event = VacancyEvent {
                        id,
                        change: Change::Published,
                        publication,
                    };
                    tell_event(ctx, event).await;
                    PublishVacancyPayload::done(vacancy)
                }
                Err(errors) => PublishVacancyPayload::failed(errors),
            },
        )
    }

    /// Closes an OPEN vacancy: it stops accepting applications.
    async fn close_vacancy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The OPEN vacancy to close.")] input: VacancyRefInput,
    ) -> Result<CloseVacancyPayload> {
        let db = db(ctx)?;
        let mut v = Validator::default();
        let id = v.id("id", &input.id, NodeKind::Vacancy);
        if let Some(hidden) = authorize(ctx, db, v.clean(id)).await? {
            return Ok(CloseVacancyPayload::failed(vec![hidden]));
        }
        if let Err(errors) = v.finish(()) {
            return Ok(CloseVacancyPayload::failed(errors));
        }
        let changes = vacancy::ActiveModel {
            status: Set(entity::VacancyStatus::Closed),
            ..Default::default()
        };
        let expected = input.expected_version;
        let written = in_write(db, async |txn| {
            let from = Some(entity::VacancyStatus::Open);
            store::update(txn, id, expected, from, changes, None).await
        })
        .await
        .map_err(ApiError::from)?;
        Ok(
            match outcome(db, id, written, Some(("closed", VacancyStatus::Open))).await? {
                Ok(vacancy) => {
                    tell(ctx, id, Change::Updated).await;
                    CloseVacancyPayload::done(vacancy)
                }
                Err(errors) => CloseVacancyPayload::failed(errors),
            },
        )
    }

    /// Deletes a vacancy with its skills, in any state.
    async fn delete_vacancy(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The vacancy to delete.")] input: VacancyRefInput,
    ) -> Result<DeleteVacancyPayload> {
        let failed = |user_errors| DeleteVacancyPayload {
            deleted_vacancy_id: None,
            user_errors,
        };
        let mut v = Validator::default();
        let id = v.id("id", &input.id, NodeKind::Vacancy);
        if let Some(hidden) = authorize(ctx, db(ctx)?, v.clean(id)).await? {
            return Ok(failed(vec![hidden]));
        }
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
                    tell(ctx, id, Change::Deleted).await;
                    DeleteVacancyPayload {
                        deleted_vacancy_id: Some(input.id),
                        user_errors: Vec::new(),
                    }
                }
                Written::NotFound => failed(vec![UserError::not_found("id", "vacancy")]),
                Written::Stale { current } => failed(vec![UserError::stale("vacancy", current)]),
            },
        )
    }
}
