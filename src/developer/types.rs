//! The developer's GraphQL types: `Developer` and its skills, the filter and order of a list, and
//! the career facts vacancies ask for too (seniority, workplace).

use async_graphql::{Context, Enum, ID, InputObject, Json, Object, Result, SimpleObject};
use dbkit::{
    batch::{Item, Keyed},
    columns::Unread,
};
use entity::{developer, developer_skill, skill};
use toolkit::{
    boxed,
    connection::Conn,
    db, filter,
    id::encode_id,
    lookahead::UnreadOf,
    scalars::{Audit, OrderDirection},
};

use super::store;
use crate::{
    auth::{policy, viewer},
    error::{ApiError, ApiResult},
    ids::NodeKind,
    skill::{Skill, SkillRequirement},
};

/// The GraphQL `Developer` object, documented on its `#[Object]` impl.
pub struct Developer(pub(crate) Item<developer::Model>);

/// A back-end developer in the directory. The email address and salary expectation are private:
/// only the developer and admins see them.
#[Object(serial, cache_control(max_age = 60))]
impl Developer {
    /// Opaque global ID.
    pub(crate) async fn id(&self) -> ID {
        encode_id(NodeKind::Developer, self.0.id)
    }

    /// Unique, URL-safe handle, e.g. `ana-kowalska`.
    async fn handle(&self) -> &str {
        &self.0.handle
    }

    /// Full name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// One-line summary, e.g. "Senior back-end engineer, Java and Kafka".
    async fn headline(&self) -> &str {
        &self.0.headline
    }

    /// A few paragraphs about their work, education and certificates.
    async fn bio(&self) -> &str {
        &self.0.bio
    }

    /// Career level.
    async fn seniority(&self) -> Seniority {
        self.0.seniority.into()
    }

    /// Years of professional experience.
    async fn years_of_experience(&self) -> i32 {
        self.0.years_of_experience
    }

    /// City they live in.
    async fn city(&self) -> &str {
        &self.0.city
    }

    /// Great-circle distance in km, to the tenth, from `from` to their city; null when the
    /// server's gazetteer does not know their city. Give the centre of a `near` filter to show
    /// how far each result is.
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

    /// Country they live in: ISO 3166-1 alpha-2 code, e.g. `DE`.
    async fn country_code(&self) -> &str {
        &self.0.country_code
    }

    /// Where they prefer to work.
    async fn remote_preference(&self) -> Workplace {
        self.0.remote_preference.into()
    }

    /// Whether they are open to offers now.
    async fn open_to_work(&self) -> bool {
        self.0.open_to_work
    }

    /// Their public profiles (GitHub, LinkedIn, a portfolio), as JSON Resume's `profiles`.
    async fn links(&self) -> Vec<ProfileLink> {
        self.0
            .links
            .0
            .iter()
            .map(|url| ProfileLink::of(url))
            .collect()
    }

    /// Email address. Private: only the developer and admins see it; for anyone else it is null
    /// with a `FORBIDDEN` error at this path.
    #[graphql(cache_control(private))]
    async fn email(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        policy::private_fields_of(viewer(ctx), self.0.id)?;
        Ok(Some(&self.0.email))
    }

    /// The yearly gross salary they expect; null when they have not said. Private: only the
    /// developer and admins see it; for anyone else it is null with a `FORBIDDEN` error at this
    /// path.
    #[graphql(cache_control(private))]
    async fn salary_expectation(&self, ctx: &Context<'_>) -> Result<Option<SalaryExpectation>> {
        policy::private_fields_of(viewer(ctx), self.0.id)?;
        Ok(
            match (
                self.0.salary_expectation_amount,
                &self.0.salary_expectation_currency,
            ) {
                (Some(amount), Some(currency)) => Some(SalaryExpectation {
                    amount,
                    currency: currency.clone(),
                }),
                _ => None,
            },
        )
    }

    /// Their profile as a JSON Resume document (jsonresume.org schema 1.0.0): `basics` (name,
    /// `label` the headline, `summary` the bio, `location`, `profiles` from the links), `skills`
    /// (each level in JSON Resume's words, the slug as a keyword), and what only the directory
    /// keeps under `meta.talentApi` (handle, seniority, years of experience, remote preference,
    /// availability, each skill's exact level and years), so nothing it stores is lost. The email
    /// address and the salary expectation are in it only for the developer and admins.
    async fn resume(&self, ctx: &Context<'_>) -> Result<Json<serde_json::Value>> {
        let private = policy::private_fields_of(viewer(ctx), self.0.id).is_ok();
        let links = skill_links(ctx, &self.0, &Unread::none()).await?;
        let skills: Vec<(&developer_skill::Model, &skill::Model)> =
            links.iter().map(|(link, skill)| (link, &**skill)).collect();
        Ok(Json(super::resume::export(&self.0, &skills, private)))
    }

    /// Their skills, strongest first.
    #[graphql(complexity = "toolkit::limits::LIST_ESTIMATE * child_complexity")]
    async fn skills(&self, ctx: &Context<'_>) -> Result<Vec<DeveloperSkill>> {
        let unread = Unread::<skill::Entity>::of_object(ctx.look_ahead().field("skill"));
        Ok(skill_links(ctx, &self.0, &unread)
            .await?
            .into_iter()
            .map(|(link, skill)| DeveloperSkill { link, skill })
            .collect())
    }

    /// Open vacancies that fit this developer, best first (ties by ID), each with its score and
    /// the reasons for it: candidates are the vacancies with at least one must-have the developer
    /// has (for vacancies without must-haves, any skill they share; every open vacancy when the
    /// developer lists no skills). The score is `VacancyMatch.score`.
    #[graphql(
        complexity = "crate::matching::MATCH_COST + toolkit::limits::connection_cost(first, None, child_complexity)"
    )]
    async fn matching_vacancies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Return the first N matches (0 to 100; 20 by default).")] first: Option<
            i32,
        >,
        #[graphql(desc = "Return matches after this cursor.")] after: Option<String>,
        #[graphql(desc = "Only matches scoring at least this much, 0 to 1.")] min_score: Option<
            f64,
        >,
        #[graphql(desc = "Only vacancies that meet every condition given (OPEN ones only).")]
        filter: Option<crate::vacancy::VacancyFilter>,
    ) -> Result<Conn<crate::matching::VacancyMatch>> {
        boxed(crate::matching::vacancies_for(
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

/// A public profile of a developer: its address, and the network it is on when the address says.
#[derive(SimpleObject, Clone, Debug)]
pub struct ProfileLink {
    /// The address, http or https.
    pub url: String,
    /// The network, from the address's host: `GitHub`, `GitLab`, `LinkedIn`, `Stack Overflow`,
    /// `X`, `Bitbucket`, `Codeberg`; null for any other site (a portfolio, a blog).
    pub network: Option<String>,
}

impl ProfileLink {
    /// The link to `url`, with the network its host names.
    pub(crate) fn of(url: &str) -> Self {
        const NETWORKS: [(&str, &str); 8] = [
            ("github.com", "GitHub"),
            ("gitlab.com", "GitLab"),
            ("linkedin.com", "LinkedIn"),
            ("stackoverflow.com", "Stack Overflow"),
            ("x.com", "X"),
            ("twitter.com", "X"),
            ("bitbucket.org", "Bitbucket"),
            ("codeberg.org", "Codeberg"),
        ];
        let host = toolkit::values::http_host(url)
            .and_then(|host| host.split(':').next())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let network = NETWORKS.iter().find_map(|(domain, network)| {
            let on = host == *domain || host.ends_with(&format!(".{domain}"));
            on.then(|| (*network).to_owned())
        });
        Self {
            url: url.to_owned(),
            network,
        }
    }
}

/// What a developer expects to earn: a yearly gross amount.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(serial)]
pub struct SalaryExpectation {
    /// Yearly gross amount in whole units of `currency`.
    pub amount: i64,
    /// ISO 4217 currency code, e.g. `EUR`.
    pub currency: String,
}

/// The skill links of `developer`, each with its skill, without the `unread` columns of the
/// skills: loaded in one statement for the developer's whole batch, and shared by
/// `Developer.skills` and the developer's matches when they read the same columns.
pub(crate) async fn skill_links(
    ctx: &Context<'_>,
    developer: &Item<developer::Model>,
    unread: &Unread<skill::Entity>,
) -> ApiResult<Vec<(developer_skill::Model, Item<skill::Model>)>> {
    let db = db(ctx)?;
    let skills = boxed(
        developer
            .batch()
            .relation(&unread.key("skills"), |developers| {
                store::skills_of(db, developers.iter().map(Keyed::key), unread)
            }),
    )
    .await?;
    Ok(skills.of(developer.id))
}

/// The GraphQL `DeveloperSkill` object, documented on its `#[Object]` impl.
pub struct DeveloperSkill {
    link: developer_skill::Model,
    skill: Item<skill::Model>,
}

/// A skill a developer has, at a level.
#[Object(serial)]
impl DeveloperSkill {
    /// The skill.
    async fn skill(&self) -> Skill {
        Skill(self.skill.clone())
    }

    /// Self-assessed level: 1 (basic) to 5 (expert).
    async fn level(&self) -> i16 {
        self.link.level
    }

    /// Years of hands-on use.
    async fn years(&self) -> i32 {
        self.link.years
    }
}

/// What developers can be ordered by.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeveloperOrderField {
    /// Full name.
    Name,
    /// Years of professional experience.
    YearsOfExperience,
    /// When they joined the directory.
    CreatedAt,
    /// Distance of their city from the centre of `filter.near` (which it needs), nearest first
    /// when ascending.
    Distance,
}

impl DeveloperOrderField {
    /// The column order this field means; None for DISTANCE, which is measured from a centre.
    pub(crate) fn column_sort(self) -> Option<store::DeveloperSort> {
        match self {
            Self::Name => Some(store::DeveloperSort::Name),
            Self::YearsOfExperience => Some(store::DeveloperSort::YearsOfExperience),
            Self::CreatedAt => Some(store::DeveloperSort::CreatedAt),
            Self::Distance => None,
        }
    }
}

/// The order of a list of developers.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct DeveloperOrder {
    /// What to order by.
    pub field: DeveloperOrderField,
    /// Which way; ascending unless given.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Narrows a list of developers: every condition given must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct DeveloperFilter {
    /// Developers who have every one of these skills, each at least at its minimum level.
    pub skills: Option<Vec<SkillRequirement>>,
    /// Developers who have at least one of these skills (slugs).
    pub any_skills: Option<Vec<String>>,
    /// Developers at any of these levels.
    pub seniority: Option<Vec<Seniority>>,
    /// Developers living in any of these countries (ISO 3166-1 alpha-2 codes, e.g. `DE`).
    pub country_codes: Option<Vec<String>>,
    /// Developers preferring any of these workplaces.
    pub remote_preference: Option<Vec<Workplace>>,
    /// Only developers who are (true) or are not (false) open to work now.
    pub open_to_work: Option<bool>,
    /// Developers with at least this many years of professional experience.
    pub min_years_of_experience: Option<i32>,
    /// Developers whose city is within `radiusKm` of a city or a point (great-circle distance).
    pub near: Option<crate::geo::NearFilter>,
}

impl DeveloperFilter {
    /// Checks the filter and resolves its skill slugs.
    pub(crate) async fn criteria(
        self,
        db: &impl sea_orm::ConnectionTrait,
    ) -> ApiResult<store::Criteria> {
        let required = self.skills.unwrap_or_default();
        let levels = required
            .iter()
            .enumerate()
            .map(|(i, skill)| {
                filter::level(
                    skill.min_level,
                    filter::path("skills", Some(i), Some("minLevel")),
                )
            })
            .collect::<ApiResult<Vec<_>>>()?;
        let any = self.any_skills.unwrap_or_default();
        let countries =
            filter::country_codes(&self.country_codes.unwrap_or_default(), "countryCodes")?;
        if let Some(years) = self.min_years_of_experience
            && !(0..=60).contains(&years)
        {
            return Err(ApiError::bad_input(
                filter::path("minYearsOfExperience", None, None),
                format!("years of experience are 0 to 60, got {years}"),
            ));
        }
        let slugs: Vec<(&str, Vec<String>)> = required
            .iter()
            .enumerate()
            .map(|(i, skill)| {
                (
                    skill.slug.as_str(),
                    filter::path("skills", Some(i), Some("slug")),
                )
            })
            .chain(
                any.iter()
                    .enumerate()
                    .map(|(i, slug)| (slug.as_str(), filter::path("anySkills", Some(i), None))),
            )
            .collect();
        let mut ids = crate::skill::skill_ids(db, &slugs).await?;
        let any_skills = ids.split_off(required.len());
        Ok(store::Criteria {
            skills: ids.into_iter().zip(levels).collect(),
            any_skills,
            seniority: self
                .seniority
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            countries,
            remote_preference: self
                .remote_preference
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            open_to_work: self.open_to_work,
            min_years: self.min_years_of_experience,
            near: self
                .near
                .as_ref()
                .map(crate::geo::NearFilter::circle)
                .transpose()?,
        })
    }
}

/// Career level, from intern to principal (job titles also say "middle+" for a strong MIDDLE and
/// "chief" for PRINCIPAL).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::Seniority")]
pub enum Seniority {
    /// Still studying or just starting; works under close guidance.
    Intern,
    /// Delivers well-defined tasks with review.
    Junior,
    /// Delivers features on their own.
    Middle,
    /// Owns systems end to end and mentors others.
    Senior,
    /// Leads a team's technical direction.
    Lead,
    /// Sets direction across teams (also "chief").
    Principal,
}

/// Where work happens.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::Workplace")]
pub enum Workplace {
    /// At the employer's premises.
    Onsite,
    /// Partly at the premises, partly remote.
    Hybrid,
    /// Fully remote (schema.org `jobLocationType: TELECOMMUTE`).
    Remote,
}
