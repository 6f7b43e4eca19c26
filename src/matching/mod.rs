//! Matching: which developers fit a vacancy (`Vacancy.matchingDevelopers`) and which open
//! vacancies fit a developer (`Developer.matchingVacancies`), scored by one explainable formula
//! ([`score`]), ranked in the database ([`store`]).

pub mod score;
mod store;

use std::sync::Arc;

use async_graphql::{Context, Object, Result};
use dbkit::{
    batch::Item,
    columns::Unread,
    keyset::{Page, PageArgs, Paged},
};
use entity::{developer, developer_skill, skill, vacancy, vacancy_skill};
use score::{Breakdown, Facts, SalaryFit, SkillFit};
use toolkit::{
    boxed,
    connection::{Conn, PagedExt, Totals},
    db,
    lookahead::UnreadOf,
};

use crate::{
    auth::{policy, viewer},
    developer::{Developer, DeveloperFilter},
    error::{ApiError, ApiResult},
    skill::Skill,
    vacancy::{Vacancy, VacancyFilter},
};

/// What ranking matches costs beyond the page: the scoring statement weighs like a hundred rows.
pub const MATCH_COST: usize = 100;

/// A vacancy's skill links, each with its skill.
type VacancySkills = Vec<(vacancy_skill::Model, Item<skill::Model>)>;
/// A developer's skill links, each with its skill.
type DeveloperSkills = Vec<(developer_skill::Model, Item<skill::Model>)>;

/// The columns of skills that the page of matches being resolved does not read: a match
/// shows skills only in `matchedSkills` and `missingSkills`.
fn unread_skills(ctx: &Context<'_>) -> Arc<Unread<skill::Entity>> {
    let shown: Vec<_> = toolkit::lookahead::nodes(&ctx.look_ahead())
        .iter()
        .flat_map(|node| {
            [
                node.field("matchedSkills").field("skill"),
                node.field("missingSkills"),
            ]
        })
        .collect();
    Arc::new(Unread::of_objects(&shown))
}

/// `minScore` (0 to 1) in basis points.
fn min_score(value: Option<f64>) -> ApiResult<i64> {
    match value {
        None => Ok(0),
        Some(score) if (0.0..=1.0).contains(&score) => {
            Ok((score * score::MAX_SCORE as f64).round() as i64)
        }
        Some(score) => Err(ApiError::bad_input(
            ["minScore"],
            format!("a score is 0 to 1, got {score}"),
        )),
    }
}

/// Page arguments of a forward-only match list.
fn page(first: Option<i32>, after: Option<String>) -> ApiResult<Page> {
    Ok(Page::new(
        &PageArgs::new(first, after, None, None),
        store::sort(),
    )?)
}

/// A page of rows with scores as a page of items (one batch) with scores.
fn into_items<M: Send + Sync + 'static>(paged: Paged<(M, i64)>) -> Paged<(Item<M>, i64)> {
    let (rows, scores): (Vec<(dbkit::keyset::Cursor, M)>, Vec<i64>) = paged
        .items
        .into_iter()
        .map(|(cursor, (row, score))| ((cursor, row), score))
        .unzip();
    let items = Paged {
        items: rows,
        has_previous_page: paged.has_previous_page,
        has_next_page: paged.has_next_page,
    }
    .into_items();
    Paged {
        items: items
            .items
            .into_iter()
            .zip(scores)
            .map(|((cursor, item), score)| (cursor, (item, score)))
            .collect(),
        has_previous_page: items.has_previous_page,
        has_next_page: items.has_next_page,
    }
}

/// `Vacancy.matchingDevelopers`.
pub(crate) async fn developers_for(
    ctx: &Context<'_>,
    vacancy: &Item<vacancy::Model>,
    first: Option<i32>,
    after: Option<String>,
    min: Option<f64>,
    filter: Option<DeveloperFilter>,
) -> Result<Conn<DeveloperMatch>> {
    let db = db(ctx)?;
    let page = page(first, after)?;
    let min = min_score(min)?;
    let criteria = filter.unwrap_or_default().criteria(db).await?;
    let unread = unread_skills(ctx);
    let skills = Arc::new(crate::vacancy::skill_links(ctx, vacancy, &unread).await?);
    let links: Vec<vacancy_skill::Model> = skills.iter().map(|(link, _)| link.clone()).collect();
    let (paged, matched) =
        store::developers_for(db, vacancy, &links, criteria.condition(), min, &page)
            .await
            .map_err(ApiError::from)?;
    Ok(
        into_items(paged).into_connection(Totals::of(db, &matched), |(developer, score)| {
            DeveloperMatch {
                score,
                pair: Pair::new(
                    vacancy.clone(),
                    Some(skills.clone()),
                    developer,
                    None,
                    unread.clone(),
                ),
            }
        }),
    )
}

/// `Developer.matchingVacancies`.
pub(crate) async fn vacancies_for(
    ctx: &Context<'_>,
    developer: &Item<developer::Model>,
    first: Option<i32>,
    after: Option<String>,
    min: Option<f64>,
    filter: Option<VacancyFilter>,
) -> Result<Conn<VacancyMatch>> {
    let db = db(ctx)?;
    let page = page(first, after)?;
    let min = min_score(min)?;
    let mut criteria = filter.unwrap_or_default().criteria(db).await?;
    // Only OPEN vacancies match; the statement says so itself.
    criteria.status.clear();
    let unread = unread_skills(ctx);
    let skills = Arc::new(crate::developer::skill_links(ctx, developer, &unread).await?);
    let links: Vec<developer_skill::Model> = skills.iter().map(|(link, _)| link.clone()).collect();
    let (paged, matched) =
        store::vacancies_for(db, developer, &links, criteria.condition(), min, &page)
            .await
            .map_err(ApiError::from)?;
    Ok(
        into_items(paged).into_connection(Totals::of(db, &matched), |(vacancy, score)| {
            VacancyMatch {
                score,
                pair: Pair::new(
                    vacancy,
                    None,
                    developer.clone(),
                    Some(skills.clone()),
                    unread.clone(),
                ),
            }
        }),
    )
}

/// A developer and a vacancy, explained: the facts the score looks at and how it came out.
struct Explained {
    facts: Facts,
    breakdown: Breakdown,
    vacancy_skills: Arc<VacancySkills>,
    developer_skills: Arc<DeveloperSkills>,
}

impl Explained {
    fn new(
        vacancy: &vacancy::Model,
        vacancy_skills: Arc<VacancySkills>,
        developer: &developer::Model,
        developer_skills: Arc<DeveloperSkills>,
    ) -> Self {
        let level = |skill_id: i64| {
            developer_skills
                .iter()
                .find(|(link, _)| link.skill_id == skill_id)
                .map(|(link, _)| link.level)
        };
        let facts = Facts {
            skills: vacancy_skills
                .iter()
                .map(|(link, _)| SkillFit {
                    skill_id: link.skill_id,
                    required: link.required,
                    min_level: link.min_level,
                    level: level(link.skill_id),
                })
                .collect(),
            vacancy_seniority: vacancy.seniority,
            developer_seniority: developer.seniority,
            salary_max: match (
                vacancy.salary_max,
                &vacancy.salary_currency,
                vacancy.salary_period,
            ) {
                (Some(max), Some(currency), Some(period)) => Some((
                    max.saturating_mul(score::per_year(period)),
                    currency.clone(),
                )),
                _ => None,
            },
            expectation: developer
                .salary_expectation_amount
                .zip(developer.salary_expectation_currency.clone()),
            workplace: vacancy.workplace,
            vacancy_country: vacancy.country_code.clone(),
            developer_country: developer.country_code.clone(),
            vacancy_point: store::point(vacancy.geo_x, vacancy.geo_y, vacancy.geo_z),
            developer_point: store::point(developer.geo_x, developer.geo_y, developer.geo_z),
            remote_preference: developer.remote_preference,
            open_to_work: developer.open_to_work,
        };
        let breakdown = score::score(&facts);
        Self {
            facts,
            breakdown,
            vacancy_skills,
            developer_skills,
        }
    }

    /// The vacancy's skills the developer has, in the vacancy's order.
    fn matched(&self) -> Vec<SkillMatch> {
        self.vacancy_skills
            .iter()
            .filter_map(|(link, skill)| {
                let (have, _) = self
                    .developer_skills
                    .iter()
                    .find(|(have, _)| have.skill_id == link.skill_id)?;
                Some(SkillMatch {
                    skill: skill.clone(),
                    required: link.required,
                    min_level: link.min_level,
                    level: have.level,
                })
            })
            .collect()
    }

    /// The vacancy's skills the developer lacks, in the vacancy's order (must-haves first).
    fn missing(&self) -> Vec<Skill> {
        self.vacancy_skills
            .iter()
            .filter(|(link, _)| {
                !self
                    .developer_skills
                    .iter()
                    .any(|(have, _)| have.skill_id == link.skill_id)
            })
            .map(|(_, skill)| Skill(skill.clone()))
            .collect()
    }

    fn skill_name(&self, id: i64) -> &str {
        self.vacancy_skills
            .iter()
            .find(|(link, _)| link.skill_id == id)
            .map_or("?", |(_, skill)| skill.name.as_str())
    }

    /// One line per part of the score; salary lines only with `salary_visible`, except the one
    /// saying the vacancy names no salary (which tells nothing about the developer).
    fn reasons(&self, salary_visible: bool) -> Vec<String> {
        let facts = &self.facts;
        let breakdown = &self.breakdown;
        let mut lines = Vec::new();
        let (must, nice): (Vec<&SkillFit>, Vec<&SkillFit>) =
            facts.skills.iter().partition(|skill| skill.required);
        if facts.skills.is_empty() {
            lines.push("Skills: the vacancy lists none".to_owned());
        }
        if !must.is_empty() {
            let met = must.iter().filter(|skill| skill.meets_minimum()).count();
            lines.push(format!(
                "Must-have skills: {met} of {} at the level asked",
                must.len()
            ));
            for skill in &must {
                let name = self.skill_name(skill.skill_id);
                match skill.level {
                    None => lines.push(format!("Missing must-have: {name}")),
                    Some(level) if level < skill.min_level => lines.push(format!(
                        "{name}: level {level}, below the {} asked",
                        skill.min_level
                    )),
                    Some(_) => {}
                }
            }
        }
        if !nice.is_empty() {
            let have: Vec<&str> = nice
                .iter()
                .filter(|skill| skill.level.is_some())
                .map(|skill| self.skill_name(skill.skill_id))
                .collect();
            let listed = if have.is_empty() {
                String::new()
            } else {
                format!(" ({})", have.join(", "))
            };
            lines.push(format!(
                "Nice-to-have skills: {} of {}{listed}",
                have.len(),
                nice.len()
            ));
        }
        let developer = level_name(facts.developer_seniority);
        lines.push(match breakdown.seniority_distance {
            0 => format!("Seniority: {developer}, as asked"),
            1 => format!(
                "Seniority: {developer}, one level from the {} asked",
                level_name(facts.vacancy_seniority)
            ),
            distance => format!(
                "Seniority: {developer}, {distance} levels from the {} asked",
                level_name(facts.vacancy_seniority)
            ),
        });
        match (&breakdown.salary, salary_visible) {
            (SalaryFit::NoRange, _) => {
                lines.push("Salary: the vacancy names none; not compared".to_owned());
            }
            (_, false) => {}
            (SalaryFit::Compared { above: 0, .. }, true) => {
                lines.push("Salary: expectation within the range".to_owned());
            }
            (SalaryFit::Compared { above, .. }, true) => lines.push(format!(
                "Salary: expectation {}.{}% above the range",
                above / 10,
                above % 10
            )),
            (SalaryFit::NoExpectation, true) => {
                lines.push("Salary: no expectation given; not compared".to_owned());
            }
            (SalaryFit::OtherCurrency, true) => lines.push(format!(
                "Salary: expectation in {}, range in {}; not compared",
                facts
                    .expectation
                    .as_ref()
                    .map_or("?", |(_, currency)| currency.as_str()),
                facts
                    .salary_max
                    .as_ref()
                    .map_or("?", |(_, currency)| currency.as_str()),
            )),
        }
        let prefers_remote = facts.remote_preference == entity::Workplace::Remote;
        let apart = facts
            .vacancy_point
            .zip(facts.developer_point)
            .map(|(vacancy, developer)| {
                crate::geo::km_of_squared_chord(crate::geo::squared_chord_between(
                    developer, vacancy,
                ))
            });
        let reachable = score::within_reach(
            facts.workplace,
            facts.vacancy_point,
            facts.developer_point,
            facts.vacancy_country == facts.developer_country,
        );
        let commute = match facts.workplace {
            entity::Workplace::Onsite => score::ONSITE_COMMUTE_KM,
            _ => score::HYBRID_COMMUTE_KM,
        };
        lines.push(match (facts.workplace, apart) {
            (entity::Workplace::Remote, _) => "Location: remote, from anywhere".to_owned(),
            (workplace, Some(km)) => format!(
                "Location: {} in {}, {km:.0} km from where they live ({} the {commute:.0} km commute){}",
                workplace_name(workplace),
                facts.vacancy_country,
                if reachable { "within" } else { "beyond" },
                if prefers_remote && reachable {
                    ", though they prefer remote"
                } else {
                    ""
                }
            ),
            (workplace, None) if facts.vacancy_country == facts.developer_country => format!(
                "Location: {} in {}, where they live{}",
                workplace_name(workplace),
                facts.vacancy_country,
                if prefers_remote {
                    ", though they prefer remote"
                } else {
                    ""
                }
            ),
            (workplace, None) => format!(
                "Location: {} in {}; they live in {}",
                workplace_name(workplace),
                facts.vacancy_country,
                facts.developer_country
            ),
        });
        lines.push(
            if facts.open_to_work {
                "Open to work"
            } else {
                "Not open to work now"
            }
            .to_owned(),
        );
        lines
    }
}

fn level_name(seniority: entity::Seniority) -> &'static str {
    match seniority {
        entity::Seniority::Intern => "INTERN",
        entity::Seniority::Junior => "JUNIOR",
        entity::Seniority::Middle => "MIDDLE",
        entity::Seniority::Senior => "SENIOR",
        entity::Seniority::Lead => "LEAD",
        entity::Seniority::Principal => "PRINCIPAL",
    }
}

fn workplace_name(workplace: entity::Workplace) -> &'static str {
    match workplace {
        entity::Workplace::Onsite => "on-site",
        entity::Workplace::Hybrid => "hybrid",
        entity::Workplace::Remote => "remote",
    }
}

/// A developer and a vacancy of a list of matches, explained once, when a client first asks for
/// skills or reasons. The fixed side's skills come with it; the other side's load for the whole
/// page in one statement (the same batch as `Developer.skills` / `Vacancy.skills` when these read
/// the same columns of their skills).
struct Pair {
    vacancy: Item<vacancy::Model>,
    vacancy_skills: Option<Arc<VacancySkills>>,
    developer: Item<developer::Model>,
    developer_skills: Option<Arc<DeveloperSkills>>,
    /// The columns of skills that the page's matches do not read.
    unread: Arc<Unread<skill::Entity>>,
    explained: tokio::sync::OnceCell<Explained>,
}

impl Pair {
    fn new(
        vacancy: Item<vacancy::Model>,
        vacancy_skills: Option<Arc<VacancySkills>>,
        developer: Item<developer::Model>,
        developer_skills: Option<Arc<DeveloperSkills>>,
        unread: Arc<Unread<skill::Entity>>,
    ) -> Self {
        Self {
            vacancy,
            vacancy_skills,
            developer,
            developer_skills,
            unread,
            explained: tokio::sync::OnceCell::new(),
        }
    }

    async fn explained(&self, ctx: &Context<'_>) -> ApiResult<&Explained> {
        self.explained
            .get_or_try_init(|| async {
                let vacancy_skills = match &self.vacancy_skills {
                    Some(skills) => skills.clone(),
                    None => Arc::new(
                        crate::vacancy::skill_links(ctx, &self.vacancy, &self.unread).await?,
                    ),
                };
                let developer_skills = match &self.developer_skills {
                    Some(skills) => skills.clone(),
                    None => Arc::new(
                        crate::developer::skill_links(ctx, &self.developer, &self.unread).await?,
                    ),
                };
                Ok(Explained::new(
                    &self.vacancy,
                    vacancy_skills,
                    &self.developer,
                    developer_skills,
                ))
            })
            .await
    }

    async fn matched(&self, ctx: &Context<'_>) -> Result<Vec<SkillMatch>> {
        Ok(self.explained(ctx).await?.matched())
    }

    async fn missing(&self, ctx: &Context<'_>) -> Result<Vec<Skill>> {
        Ok(self.explained(ctx).await?.missing())
    }

    async fn reasons(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        let visible = policy::private_fields_of(viewer(ctx), self.developer.id).is_ok();
        Ok(self.explained(ctx).await?.reasons(visible))
    }
}

/// The GraphQL `DeveloperMatch` object, documented on its `#[Object]` impl.
pub struct DeveloperMatch {
    score: i64,
    pair: Pair,
}

/// A developer who fits a vacancy: the score, the skills behind it, and why.
#[Object(serial)]
impl DeveloperMatch {
    /// How well they fit, 0 to 1 (4 decimal places): the weighted mean of five parts, each 0 to
    /// 1. Skills (weight 55): each skill asked for earns min(level, minimum) / minimum, nothing if
    /// lacking; the mean over the must-haves (1 if there are none), with nice-to-haves, when
    /// listed, a bonus worth 15% of the part. Seniority (15): 1 at the level asked, 0.5 one level
    /// away, else 0. Salary (15): the yearly expectation against the yearly maximum (hours × 2080,
    /// days × 260, weeks × 52, months × 12) in bands of a fixed grid of amounts about 10% apart:
    /// 1 within budget, 0.5 up to about 10% over, else 0 (only the band shows, so editing a
    /// maximum never learns an expectation closer than 10%); left out (weight dropped) when either side names no figure or the currencies differ.
    /// Location (10): a REMOTE vacancy fits anyone; ONSITE or HYBRID needs its city within
    /// commuting reach of theirs (great-circle distance up to 50 km for ONSITE, 100 km for
    /// HYBRID; the same country when either city is not in the gazetteer), else 0, and 0.5 or
    /// 0.75 when the developer prefers REMOTE. Open to work (5): 1 if they are.
    async fn score(&self) -> f64 {
        self.score as f64 / score::MAX_SCORE as f64
    }

    /// The developer.
    async fn developer(&self) -> Developer {
        Developer(self.pair.developer.clone())
    }

    /// The vacancy's skills the developer has, must-haves first, with both levels.
    async fn matched_skills(&self, ctx: &Context<'_>) -> Result<Vec<SkillMatch>> {
        boxed(self.pair.matched(ctx)).await
    }

    /// The vacancy's skills the developer lacks, must-haves first.
    async fn missing_skills(&self, ctx: &Context<'_>) -> Result<Vec<Skill>> {
        boxed(self.pair.missing(ctx)).await
    }

    /// The score explained, one line per part, e.g. "Must-have skills: 2 of 3 at the level
    /// asked". Lines about the developer's salary expectation appear only to callers who may see
    /// it (the developer and admins); it counts in the score for everyone.
    async fn reasons(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        boxed(self.pair.reasons(ctx)).await
    }
}

/// The GraphQL `VacancyMatch` object, documented on its `#[Object]` impl.
pub struct VacancyMatch {
    score: i64,
    pair: Pair,
}

/// An open vacancy that fits a developer: the score, the skills behind it, and why.
#[Object(serial)]
impl VacancyMatch {
    /// How well they fit, 0 to 1: the same score as `DeveloperMatch.score`, from the other side.
    async fn score(&self) -> f64 {
        self.score as f64 / score::MAX_SCORE as f64
    }

    /// The vacancy.
    async fn vacancy(&self) -> Vacancy {
        Vacancy(self.pair.vacancy.clone())
    }

    /// The vacancy's skills the developer has, must-haves first, with both levels.
    async fn matched_skills(&self, ctx: &Context<'_>) -> Result<Vec<SkillMatch>> {
        boxed(self.pair.matched(ctx)).await
    }

    /// The vacancy's skills the developer lacks, must-haves first.
    async fn missing_skills(&self, ctx: &Context<'_>) -> Result<Vec<Skill>> {
        boxed(self.pair.missing(ctx)).await
    }

    /// The score explained, one line per part. Lines about the developer's salary expectation
    /// appear only to callers who may see it (the developer and admins).
    async fn reasons(&self, ctx: &Context<'_>) -> Result<Vec<String>> {
        boxed(self.pair.reasons(ctx)).await
    }
}

/// The GraphQL `SkillMatch` object, documented on its `#[Object]` impl.
pub struct SkillMatch {
    skill: Item<skill::Model>,
    required: bool,
    min_level: i16,
    level: i16,
}

/// A skill a vacancy asks for that the developer has: both levels.
#[Object(serial)]
impl SkillMatch {
    /// The skill.
    async fn skill(&self) -> Skill {
        Skill(self.skill.clone())
    }

    /// True for a must-have, false for a nice-to-have.
    async fn required(&self) -> bool {
        self.required
    }

    /// The lowest level the vacancy accepts, 1 to 5.
    async fn min_level(&self) -> i16 {
        self.min_level
    }

    /// The developer's level, 1 to 5.
    async fn level(&self) -> i16 {
        self.level
    }

    /// Whether the developer's level reaches the minimum.
    async fn meets_minimum(&self) -> bool {
        self.level >= self.min_level
    }
}
