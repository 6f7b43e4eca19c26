//! Salary insights: what a skill, level and country pay, from open vacancies or from developers'
//! expectations, as distributions per group and currency (never mixed), computed in the
//! database ([`store`]).
//!
//! Developers' expectations are private, so anyone but an admin sees them only as **published
//! cells** (the README's "Salary privacy" states what this lets a non-admin learn):
//! - a cell is one seniority level × one country × one currency. Seniority and country each put
//!   a developer in exactly one cell, so cells never overlap: no sum or difference of cells
//!   isolates fewer developers than a cell holds. Skills are not a dimension: a developer has
//!   many, and figures over overlapping skill groups can be solved for individual amounts (the
//!   differencing attack of the audit subtracted two overlapping filters);
//! - a request must pin every group it returns to one cell (one level or group by SENIORITY,
//!   one country or group by COUNTRY; no skill filter), or it is `BAD_USER_INPUT`;
//! - a cell is shown only with at least [`MIN_CELL_SIZE`] developers;
//! - its count is rounded down to a multiple of [`COUNT_STEP`], its amounts to the nearest
//!   [`AMOUNT_STEP`], and `min` / `max` are the 10th and 90th percentiles: no figure is one
//!   person's amount, and no cell shows all of its members' amounts.

pub(crate) mod store;

use async_graphql::{ComplexObject, Context, Enum, InputObject, Object, Result, SimpleObject};
use dbkit::batch::{Item, find_by_ids};
use entity::skill;
use toolkit::{db, filter};

use crate::{
    auth::{Role, viewer},
    developer::Seniority,
    error::{ApiError, ApiResult},
    matching::score,
    skill::Skill,
};

/// Fewest developers a published cell must hold for anyone but an admin to see its figures.
pub const MIN_CELL_SIZE: i64 = 10;
/// What the amounts of a published cell are rounded to, in its currency.
pub const AMOUNT_STEP: f64 = 1_000.0;
/// What the count of a published cell is rounded down to.
pub const COUNT_STEP: i64 = 5;

/// Where salary figures come from.
#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SalarySource {
    /// OPEN vacancies that name a salary: the middle of each range, made yearly.
    #[default]
    Vacancies,
    /// Developers' yearly salary expectations. Anyone but an admin sees them as published cells:
    /// one seniority level × one country × one currency each (pin both with the filter or
    /// `groupBy`; no skill filter), cells of at least 10 developers only, counts rounded down to
    /// a multiple of 5, amounts rounded to 1,000, `min` / `max` the 10th / 90th percentiles.
    Developers,
}

/// What salary figures are grouped by (besides currency, always).
#[derive(Enum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SalaryGroupBy {
    /// One group per currency.
    #[default]
    None,
    /// By seniority level.
    Seniority,
    /// By skill: a vacancy (or developer) counts in the group of each skill it asks for (has);
    /// with `filter.skills`, only those skills' groups.
    Skill,
    /// By country.
    Country,
}

/// Which amounts count: every condition given must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct SalaryInsightsFilter {
    /// Vacancies or developers; VACANCIES when not given.
    #[graphql(default)]
    pub source: SalarySource,
    /// Only vacancies that ask for (developers who have) every one of these skills (slugs).
    pub skills: Option<Vec<String>>,
    /// Only these seniority levels.
    pub seniority: Option<Vec<Seniority>>,
    /// Only these countries (ISO 3166-1 alpha-2 codes, e.g. `DE`).
    pub country_codes: Option<Vec<String>>,
    /// Only amounts in this currency (ISO 4217 code, e.g. `EUR`).
    pub currency: Option<String>,
}

/// The GraphQL `SalaryInsights` object, documented on its `#[Object]` impl.
pub struct SalaryInsights {
    source: SalarySource,
    group_by: SalaryGroupBy,
    groups: Vec<SalaryGroup>,
    withheld: i64,
}

/// Salary figures for a filter, per group and currency.
#[Object]
impl SalaryInsights {
    /// Where the figures come from.
    async fn source(&self) -> SalarySource {
        self.source
    }

    /// What they are grouped by (besides currency).
    async fn group_by(&self) -> SalaryGroupBy {
        self.group_by
    }

    /// One entry per group and currency, ordered by group (seniority from INTERN up, skills by
    /// name, countries by code), then currency.
    async fn groups(&self) -> &[SalaryGroup] {
        &self.groups
    }

    /// How many cells were withheld because they hold fewer than 10 developers (0 for admins and
    /// for vacancies).
    async fn withheld_groups(&self) -> i64 {
        self.withheld
    }
}

/// The distribution of yearly salaries in one group and one currency. Quartiles are
/// interpolated (as SQL's `percentile_cont`).
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct SalaryGroup {
    /// The group's seniority level, when grouped by seniority.
    pub seniority: Option<Seniority>,
    #[graphql(skip)]
    pub skill_row: Option<Item<skill::Model>>,
    /// The group's country (ISO 3166-1 alpha-2), when grouped by country.
    pub country_code: Option<String>,
    /// ISO 4217 code of every amount in the group.
    pub currency: String,
    /// How many amounts the group holds (a published cell of developers: rounded down to a
    /// multiple of 5).
    pub count: i64,
    /// The lowest yearly amount (a published cell of developers: the 10th percentile).
    pub min: f64,
    /// The first quartile: a quarter of the amounts are at or below it.
    pub p25: f64,
    /// The median.
    pub median: f64,
    /// The third quartile: three quarters of the amounts are at or below it.
    pub p75: f64,
    /// The highest yearly amount (a published cell of developers: the 90th percentile).
    pub max: f64,
    /// The arithmetic mean.
    pub mean: f64,
}

#[ComplexObject]
impl SalaryGroup {
    /// The group's skill, when grouped by skill.
    async fn skill(&self) -> Option<Skill> {
        self.skill_row.clone().map(Skill)
    }
}

/// Part of the root `Query` type, documented on its `#[Object]` impl.
#[derive(Default)]
pub struct SalaryQuery;

/// The salary part of the query root.
#[Object]
impl SalaryQuery {
    /// Yearly salary figures (count, min, quartiles, max, mean) per group and currency, from
    /// open vacancies (the middle of each range; hourly, daily, weekly and monthly amounts made
    /// yearly by × 2080, 260, 52 and 12) or from developers' expectations (to anyone but an
    /// admin, as published cells: see `SalarySource.DEVELOPERS`). Currencies are never mixed or
    /// converted: each group has one.
    async fn salary_insights(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which amounts count.")] filter: Option<SalaryInsightsFilter>,
        #[graphql(desc = "What to group by, besides currency; NONE when not given.")]
        group_by: Option<SalaryGroupBy>,
    ) -> Result<SalaryInsights> {
        let db = db(ctx)?;
        let filter = filter.unwrap_or_default();
        let group_by = group_by.unwrap_or_default();
        let source = filter.source;
        let cells =
            source == SalarySource::Developers && !matches!(viewer(ctx).role(), Some(Role::Admin));
        if cells {
            one_cell_per_group(&filter, group_by)?;
        }
        let criteria = criteria(db, filter).await?;
        let figures = store::figures(
            db,
            match source {
                SalarySource::Vacancies => store::Source::Vacancies,
                SalarySource::Developers => store::Source::Developers,
            },
            match group_by {
                SalaryGroupBy::None => store::GroupBy::None,
                SalaryGroupBy::Seniority => store::GroupBy::Seniority,
                SalaryGroupBy::Skill => store::GroupBy::Skill,
                SalaryGroupBy::Country => store::GroupBy::Country,
            },
            &criteria,
        )
        .await
        .map_err(ApiError::from)?;
        let (shown, withheld): (Vec<_>, Vec<_>) = figures
            .into_iter()
            .partition(|group| !cells || group.count >= MIN_CELL_SIZE);
        let shown = if cells {
            shown.into_iter().map(published).collect()
        } else {
            shown
        };
        let mut groups = groups(db, group_by, shown).await?;
        groups.sort_by_key(order);
        Ok(SalaryInsights {
            source,
            group_by,
            groups,
            withheld: withheld.len() as i64,
        })
    }
}

/// Refuses a request for developers' figures whose groups would not each be one published cell
/// (one seniority level, one country, any skills).
fn one_cell_per_group(filter: &SalaryInsightsFilter, group_by: SalaryGroupBy) -> ApiResult<()> {
    if filter
        .skills
        .as_ref()
        .is_some_and(|skills| !skills.is_empty())
    {
        return Err(ApiError::bad_input(
            ["filter", "skills"],
            "developers' expectations are published per seniority level and country only; a skill filter is for admins",
        ));
    }
    if group_by == SalaryGroupBy::Skill {
        return Err(ApiError::bad_input(
            ["groupBy"],
            "developers' expectations are published per seniority level and country only; group by SENIORITY or COUNTRY",
        ));
    }
    let one = |values: Option<usize>| values == Some(1);
    if group_by != SalaryGroupBy::Seniority && !one(filter.seniority.as_ref().map(Vec::len)) {
        return Err(ApiError::bad_input(
            ["filter", "seniority"],
            "developers' expectations are published per seniority level: name exactly one, or group by SENIORITY",
        ));
    }
    if group_by != SalaryGroupBy::Country && !one(filter.country_codes.as_ref().map(Vec::len)) {
        return Err(ApiError::bad_input(
            ["filter", "countryCodes"],
            "developers' expectations are published per country: name exactly one, or group by COUNTRY",
        ));
    }
    Ok(())
}

/// The figures of a cell as published to non-admins: count rounded down to a multiple of
/// [`COUNT_STEP`], amounts rounded to [`AMOUNT_STEP`], the extremes replaced by the 10th and
/// 90th percentiles.
fn published(figures: store::Figures) -> store::Figures {
    let round = |amount: f64| (amount / AMOUNT_STEP).round() * AMOUNT_STEP;
    store::Figures {
        count: figures.count / COUNT_STEP * COUNT_STEP,
        min: round(figures.p10),
        p10: round(figures.p10),
        p25: round(figures.p25),
        median: round(figures.median),
        p75: round(figures.p75),
        p90: round(figures.p90),
        max: round(figures.p90),
        mean: round(figures.mean),
        ..figures
    }
}

/// The sort key of a group: seniority rank, skill name, country, then currency.
fn order(group: &SalaryGroup) -> (i64, String, String, String) {
    (
        group
            .seniority
            .map_or(-1, |level| score::rank(level.into())),
        group
            .skill_row
            .as_ref()
            .map(|skill| skill.name.to_lowercase())
            .unwrap_or_default(),
        group.country_code.clone().unwrap_or_default(),
        group.currency.clone(),
    )
}

/// Checks the filter and resolves its skill slugs.
async fn criteria(
    db: &impl sea_orm::ConnectionTrait,
    filter: SalaryInsightsFilter,
) -> ApiResult<store::Criteria> {
    let slugs = filter.skills.unwrap_or_default();
    let at: Vec<(&str, Vec<String>)> = slugs
        .iter()
        .enumerate()
        .map(|(i, slug)| (slug.as_str(), filter::path("skills", Some(i), None)))
        .collect();
    Ok(store::Criteria {
        skills: crate::skill::skill_ids(db, &at).await?,
        seniority: filter
            .seniority
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect(),
        countries: filter::country_codes(
            &filter.country_codes.unwrap_or_default(),
            "countryCodes",
        )?,
        currency: filter
            .currency
            .map(|code| filter::currency_code(&code, filter::path("currency", None, None)))
            .transpose()?,
    })
}

/// The figures as GraphQL groups, their keys read back (skills loaded in one statement).
async fn groups(
    db: &impl sea_orm::ConnectionTrait,
    group_by: SalaryGroupBy,
    figures: Vec<store::Figures>,
) -> ApiResult<Vec<SalaryGroup>> {
    let skills = if group_by == SalaryGroupBy::Skill {
        let ids = figures
            .iter()
            .filter_map(|group| group.key.as_deref()?.parse::<i64>().ok());
        let rows = find_by_ids::<skill::Entity>(db, ids).await?;
        dbkit::batch::ByKey::new(rows)
    } else {
        dbkit::batch::ByKey::new(Vec::new())
    };
    Ok(figures
        .into_iter()
        .map(|group| {
            let key = group.key.as_deref();
            SalaryGroup {
                seniority: (group_by == SalaryGroupBy::Seniority)
                    .then(|| key.and_then(seniority))
                    .flatten(),
                skill_row: (group_by == SalaryGroupBy::Skill)
                    .then(|| skills.get(key?.parse().ok()?))
                    .flatten(),
                country_code: (group_by == SalaryGroupBy::Country)
                    .then(|| key.map(str::to_owned))
                    .flatten(),
                currency: group.currency,
                count: group.count,
                min: group.min,
                p25: group.p25,
                median: group.median,
                p75: group.p75,
                max: group.max,
                mean: group.mean,
            }
        })
        .collect())
}

/// A seniority level as stored.
fn seniority(stored: &str) -> Option<Seniority> {
    use sea_orm::ActiveEnum;
    entity::Seniority::try_from_value(&stored.to_owned())
        .ok()
        .map(Into::into)
}
