//! The vacancy's GraphQL types: `Vacancy` and its skills, salary, status and employment type, and the filter and order of a list.

use async_graphql::{Context, Enum, ID, InputObject, Json, Object, Result, SimpleObject};
use dbkit::{
    batch::{ByKey, Item, Keyed, find_by_ids_without},
    columns::Unread,
};
use entity::{employer, skill, vacancy, vacancy_skill};
use toolkit::{
    boxed,
    connection::Conn,
    db, filter,
    id::{decode_id, encode_id},
    lookahead::UnreadOf,
    scalars::{Audit, OrderDirection, Timestamp},
};

use super::{posting, store};
use crate::{
    developer::{Seniority, Workplace},
    employer::Employer,
    error::{ApiError, ApiResult},
    ids::{LogKind, NodeKind},
    schema::PublicUrl,
    skill::Skill,
};

/// The contract a vacancy offers (the values of schema.org `employmentType`).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::EmploymentType")]
pub enum EmploymentType {
    /// Permanent, full-time employment.
    FullTime,
    /// Permanent, part-time employment.
    PartTime,
    /// A contract for a freelancer or contractor.
    Contractor,
    /// A fixed-term position.
    Temporary,
    /// An internship.
    Intern,
}

/// Where a vacancy is in its life: DRAFT, then OPEN once published, then CLOSED.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::VacancyStatus")]
pub enum VacancyStatus {
    /// Being written; not published yet.
    Draft,
    /// Published and accepting applications.
    Open,
    /// No longer accepting applications.
    Closed,
}

/// The period a salary amount is paid for (schema.org `unitText`).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::SalaryPeriod")]
pub enum SalaryPeriod {
    /// Per hour.
    Hour,
    /// Per day.
    Day,
    /// Per week.
    Week,
    /// Per month.
    Month,
    /// Per year.
    Year,
}

/// A gross salary range, as schema.org `baseSalary` (a `MonetaryAmount` with `minValue`,
/// `maxValue` and `unitText`) and job boards' `{min, max, currency, interval}` express it.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(serial)]
pub struct SalaryRange {
    /// Lowest amount offered, in whole units of `currency`.
    pub min: i64,
    /// Highest amount offered, in whole units of `currency`.
    pub max: i64,
    /// ISO 4217 currency code, e.g. `USD`.
    pub currency: String,
    /// The period the amounts are paid for.
    pub period: SalaryPeriod,
}

/// The GraphQL `Vacancy` object, documented on its `#[Object]` impl.
pub struct Vacancy(pub(crate) Item<vacancy::Model>);

/// A job posting of an employer.
#[Object(serial, cache_control(max_age = 30))]
impl Vacancy {
    /// Opaque global ID.
    pub(crate) async fn id(&self) -> ID {
        encode_id(NodeKind::Vacancy, self.0.id)
    }

    /// Job title, e.g. "Senior Back-end Engineer (Java)".
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What the job is about, the team and the stack.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// What the person hired will do, one item per entry.
    async fn responsibilities(&self) -> &[String] {
        &self.0.responsibilities.0
    }

    /// The career level sought.
    async fn seniority(&self) -> Seniority {
        self.0.seniority.into()
    }

    /// The contract offered.
    async fn employment_type(&self) -> EmploymentType {
        self.0.employment_type.into()
    }

    /// Where the work happens.
    async fn workplace(&self) -> Workplace {
        self.0.workplace.into()
    }

    /// City of the workplace; null for fully remote vacancies without one.
    async fn city(&self) -> Option<&str> {
        self.0.city.as_deref()
    }

    /// Great-circle distance in km, to the tenth, from `from` to its city; null when it has no
    /// city the server's gazetteer knows (a remote vacancy without one). Give the centre of a
    /// `near` filter to show how far each result is.
    async fn distance_km(
        &self,
        #[graphql(desc = "The city or point to measure from.")] from: crate::geo::PlaceInput,
    ) -> Result<Option<f64>> {
        Ok(crate::geo::distance_from(
            &from,
            self.0.latitude,
            self.0.longitude,
        )?)
    }

    /// Country of employment: ISO 3166-1 alpha-2 code, e.g. `US`.
    async fn country_code(&self) -> &str {
        &self.0.country_code
    }

    /// The salary range offered; null when the posting does not state one.
    async fn salary(&self) -> Option<SalaryRange> {
        let v = &self.0;
        match (
            v.salary_min,
            v.salary_max,
            &v.salary_currency,
            v.salary_period,
        ) {
            (Some(min), Some(max), Some(currency), Some(period)) => Some(SalaryRange {
                min,
                max,
                currency: currency.clone(),
                period: period.into(),
            }),
            _ => None,
        }
    }

    /// Where the vacancy is in its life.
    async fn status(&self) -> VacancyStatus {
        self.0.status.into()
    }

    /// When it was published; null while it is a draft.
    async fn published_at(&self) -> Option<Timestamp> {
        self.0.published_at.map(Timestamp)
    }

    /// Where its publication stands in the order of every publication (numbers follow the
    /// commits); null while it is a draft. Pass the last one received, from `vacancyPublished` or
    /// from a query, as `vacancyPublished(after:)` to receive every later publication once, in
    /// order: after a reconnect, or to go on from a list without a gap.
    async fn publication_id(&self) -> Option<ID> {
        self.0
            .publication_seq
            .map(|number| encode_id(LogKind::VacancyPublication, number))
    }

    /// Until when applications are accepted (schema.org `validThrough`), if limited.
    async fn valid_through(&self) -> Option<Timestamp> {
        self.0.valid_through.map(Timestamp)
    }

    /// The vacancy as schema.org `JobPosting` JSON-LD, with every property Google's job-posting
    /// guidelines require or recommend that the data has (title, HTML description, datePosted,
    /// validThrough, hiringOrganization, jobLocation or, for REMOTE, jobLocationType TELECOMMUTE
    /// with applicantLocationRequirements, employmentType, baseSalary, identifier, skills): what
    /// the public page of an OPEN vacancy, `/jobs/{slug}`, carries for search engines. Its `url`
    /// is that page, given when the server knows its public address (`--public-url`) and the
    /// vacancy is OPEN.
    async fn job_posting(&self, ctx: &Context<'_>) -> Result<Json<serde_json::Value>> {
        let employer = employer_of(ctx, &self.0, Unread::none(), "jobPosting.employer").await?;
        let links = skill_links(ctx, &self.0, &Unread::none()).await?;
        let skills: Vec<&skill::Model> = links.iter().map(|(_, skill)| &**skill).collect();
        let url = match (ctx.data_opt::<PublicUrl>(), self.0.status) {
            (Some(PublicUrl(Some(base))), entity::VacancyStatus::Open) => Some(format!(
                "{base}{}",
                posting::page_path(self.0.id, &self.0.title)
            )),
            _ => None,
        };
        Ok(Json(posting::json_ld(
            &self.0,
            &employer,
            &skills,
            url.as_deref(),
        )))
    }

    /// The employer offering the job (schema.org `hiringOrganization`).
    async fn employer(&self, ctx: &Context<'_>) -> Result<Employer> {
        let unread = Unread::<employer::Entity>::of_object(ctx.look_ahead());
        Ok(Employer(
            employer_of(ctx, &self.0, unread, "employer").await?,
        ))
    }

    /// The skills asked for: must-haves first, then by minimum level.
    #[graphql(complexity = "toolkit::limits::LIST_ESTIMATE * child_complexity")]
    async fn skills(&self, ctx: &Context<'_>) -> Result<Vec<VacancySkill>> {
        let unread = Unread::<skill::Entity>::of_object(ctx.look_ahead().field("skill"));
        Ok(skill_links(ctx, &self.0, &unread)
            .await?
            .into_iter()
            .map(|(link, skill)| VacancySkill { link, skill })
            .collect())
    }

    /// Developers who fit this vacancy, best first (ties by ID), each with its score and the
    /// reasons for it: candidates are the developers with at least one of its must-have skills
    /// (with none, one of its skills; with no skills at all, every developer). The score is
    /// explained at `DeveloperMatch.score`.
    #[graphql(
        complexity = "crate::matching::MATCH_COST + toolkit::limits::connection_cost(first, None, child_complexity)"
    )]
    async fn matching_developers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return the first N matches (0 to 100; 20 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return matches after this cursor.")] after: Option<String>,
        #[graphql(desc = "Only matches scoring at least this much, 0 to 1.")] min_score: Option<
            f64,
        >,
        #[graphql(desc = "Only developers that meet every condition given.")] filter: Option<
            crate::developer::DeveloperFilter,
        >,
    ) -> Result<Conn<crate::matching::DeveloperMatch>> {
        boxed(crate::matching::developers_for(
            ctx, &self.0, first, after, min_score, filter,
        ))
        .await
    }

    /// Creation and change times, and the version.
    #[graphql(flatten)]
    async fn audit(&self) -> Audit {
        Audit {
            created_at: self.0.created_at.into(),
            updated_at: self.0.updated_at.into(),
            version: self.0.version,
        }
    }
}

/// The skill links of `vacancy`, each with its skill, without the `unread` columns of the skills:
/// loaded in one statement for the vacancy's whole batch, and shared by `Vacancy.skills` and the
/// vacancy's matches when they read the same columns.
pub(crate) async fn skill_links(
    ctx: &Context<'_>,
    vacancy: &Item<vacancy::Model>,
    unread: &Unread<skill::Entity>,
) -> ApiResult<Vec<(vacancy_skill::Model, Item<skill::Model>)>> {
    let db = db(ctx)?;
    let skills = boxed(
        vacancy
            .batch()
            .relation(&unread.key("skills"), |vacancies| {
                store::skills_of(db, vacancies.iter().map(Keyed::key), unread)
            }),
    )
    .await?;
    Ok(skills.of(vacancy.id))
}

/// The employer of `vacancy`, loaded for every vacancy of its batch at once without the `unread`
/// columns; `name` tells apart loads of the same batch that need different columns.
async fn employer_of(
    ctx: &Context<'_>,
    vacancy: &Item<vacancy::Model>,
    unread: Unread<employer::Entity>,
    name: &str,
) -> ApiResult<Item<employer::Model>> {
    let db = db(ctx)?;
    let employers = boxed(vacancy.batch().relation(&unread.key(name), |vacancies| {
        let ids = vacancies.iter().map(|v| v.employer_id);
        async move { Ok(ByKey::new(find_by_ids_without(db, ids, &unread).await?)) }
    }))
    .await?;
    employers
        .get(vacancy.employer_id)
        .ok_or(ApiError::NotFound("employer"))
}

/// The GraphQL `VacancySkill` object, documented on its `#[Object]` impl.
pub struct VacancySkill {
    link: vacancy_skill::Model,
    skill: Item<skill::Model>,
}

/// A skill a vacancy asks for.
#[Object(serial)]
impl VacancySkill {
    /// The skill.
    async fn skill(&self) -> Skill {
        Skill(self.skill.clone())
    }

    /// True for a must-have, false for a nice-to-have.
    async fn required(&self) -> bool {
        self.link.required
    }

    /// The lowest level accepted: 1 (basic) to 5 (expert).
    async fn min_level(&self) -> i16 {
        self.link.min_level
    }
}

/// What vacancies can be ordered by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum VacancyOrderField {
    /// When it was published; drafts (never published) come last either way.
    PublishedAt,
    /// The top of the salary range (amounts compared as numbers, whatever their currency and
    /// period); vacancies without a salary come last either way.
    SalaryMax,
    /// The title.
    Title,
    /// Distance of its city from the centre of `filter.near` (which it needs), nearest first
    /// when ascending.
    Distance,
}

impl VacancyOrderField {
    /// The column order this field means; None for DISTANCE, which is measured from a centre.
    pub(crate) fn column_sort(self) -> Option<store::VacancySort> {
        match self {
            Self::PublishedAt => Some(store::VacancySort::PublishedAt),
            Self::SalaryMax => Some(store::VacancySort::SalaryMax),
            Self::Title => Some(store::VacancySort::Title),
            Self::Distance => None,
        }
    }
}

/// The order of a list of vacancies.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct VacancyOrder {
    /// What to order by.
    pub field: VacancyOrderField,
    /// Which way; ascending unless given.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Narrows a list of vacancies: every condition given must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct VacancyFilter {
    /// Vacancies that ask for every one of these skills (slugs), as must-have or nice-to-have.
    pub skills: Option<Vec<String>>,
    /// Vacancies that ask for at least one of these skills (slugs).
    pub any_skills: Option<Vec<String>>,
    /// Vacancies seeking any of these levels.
    pub seniority: Option<Vec<Seniority>>,
    /// Vacancies offering any of these contracts.
    pub employment_type: Option<Vec<EmploymentType>>,
    /// Vacancies at any of these workplaces.
    pub workplace: Option<Vec<Workplace>>,
    /// Vacancies in any of these countries (ISO 3166-1 alpha-2 codes, e.g. `US`).
    pub country_codes: Option<Vec<String>>,
    /// Only the vacancies of this employer (its global ID).
    pub employer: Option<ID>,
    /// Vacancies in any of these states; only OPEN ones when not given.
    pub status: Option<Vec<VacancyStatus>>,
    /// Vacancies whose salary range overlaps this one (same currency and period).
    pub salary: Option<SalaryRangeFilter>,
    /// Vacancies published after this moment.
    pub published_after: Option<Timestamp>,
    /// Vacancies whose city is within `radiusKm` of a city or a point (great-circle distance);
    /// remote vacancies without a city are outside.
    pub near: Option<crate::geo::NearFilter>,
}

/// A salary range to overlap. Ranges in other currencies or periods never match: amounts are not
/// converted.
#[derive(InputObject, Clone, Debug)]
pub struct SalaryRangeFilter {
    /// The least the client wants: the vacancy's maximum must reach it.
    pub min: Option<i64>,
    /// The most the client considers: the vacancy's minimum must not exceed it.
    pub max: Option<i64>,
    /// ISO 4217 currency code, e.g. `EUR`.
    pub currency: String,
    /// The period the amounts are for; YEAR when not given.
    #[graphql(default_with = "SalaryPeriod::Year")]
    pub period: SalaryPeriod,
}

impl VacancyFilter {
    /// Checks the filter and resolves its skill slugs and employer ID.
    pub(crate) async fn criteria(
        self,
        db: &impl sea_orm::ConnectionTrait,
    ) -> ApiResult<store::Criteria> {
        let countries =
            filter::country_codes(&self.country_codes.unwrap_or_default(), "countryCodes")?;
        let employer = self
            .employer
            .map(|id| decode_id(&id, NodeKind::Employer, &["filter", "employer"]))
            .transpose()?;
        let salary = self
            .salary
            .map(|salary| {
                let currency = filter::currency_code(
                    &salary.currency,
                    filter::path("salary", None, Some("currency")),
                )?;
                for (bound, name) in [(salary.min, "min"), (salary.max, "max")] {
                    if bound.is_some_and(|amount| amount < 0) {
                        return Err(ApiError::bad_input(
                            filter::path("salary", None, Some(name)),
                            "a salary is not negative",
                        ));
                    }
                }
                if let (Some(min), Some(max)) = (salary.min, salary.max)
                    && min > max
                {
                    return Err(ApiError::bad_input(
                        filter::path("salary", None, Some("min")),
                        format!("`min` ({min}) is above `max` ({max})"),
                    ));
                }
                Ok(store::SalaryOverlap {
                    min: salary.min,
                    max: salary.max,
                    currency,
                    period: salary.period.into(),
                })
            })
            .transpose()?;
        let required = self.skills.unwrap_or_default();
        let any = self.any_skills.unwrap_or_default();
        let slugs: Vec<(&str, Vec<String>)> = required
            .iter()
            .enumerate()
            .map(|(i, slug)| (slug.as_str(), filter::path("skills", Some(i), None)))
            .chain(
                any.iter()
                    .enumerate()
                    .map(|(i, slug)| (slug.as_str(), filter::path("anySkills", Some(i), None))),
            )
            .collect();
        let mut skills = crate::skill::skill_ids(db, &slugs).await?;
        let any_skills = skills.split_off(required.len());
        Ok(store::Criteria {
            skills,
            any_skills,
            seniority: self
                .seniority
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            employment_type: self
                .employment_type
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            workplace: self
                .workplace
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            countries,
            employer,
            status: self
                .status
                .unwrap_or_else(|| vec![VacancyStatus::Open])
                .into_iter()
                .map(Into::into)
                .collect(),
            salary,
            published_after: self.published_after.map(|at| at.0),
            near: self
                .near
                .as_ref()
                .map(crate::geo::NearFilter::circle)
                .transpose()?,
        })
    }
}
