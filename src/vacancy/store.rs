//! Data access for vacancies.

use dbkit::{
    batch::Children,
    columns::Unread,
    keyset::{KeyKind, Sort, SortKey},
    search::SearchIndex,
    write::{self, Guarded, Written},
};
use entity::{skill, vacancy, vacancy_skill};
use sea_orm::{
    ActiveModelTrait, Condition, ConnectionTrait, DbErr, NotSet, Order, QueryOrder, QuerySelect,
    Set, Statement,
    prelude::*,
    sea_query::{Alias, Expr, ExprTrait, Query},
};

/// The full-text index of vacancies: title, then employer name and skills, then description.
pub const SEARCH: SearchIndex = SearchIndex {
    table: "vacancy_search",
    key: "vacancy_id",
    weights: "10.0, 4.0, 4.0, 1.0",
};

/// The orders vacancies can be listed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VacancySort {
    /// By publication time (drafts, never published, last).
    PublishedAt,
    /// By the top of the salary range (vacancies without one last).
    SalaryMax,
    /// By title.
    Title,
}

/// The keyset sort for `field` in `order`, ties by id.
///
/// Only drafts lack a publication time: when `drafts` is false the key is declared NOT NULL, so
/// pages seek through the `(status, published_at, id)` index.
pub fn sort(field: VacancySort, order: Order, drafts: bool) -> Sort {
    let column = |column: vacancy::Column| Expr::col((vacancy::Entity, column));
    let key = match field {
        VacancySort::PublishedAt if drafts => SortKey::nullable(
            column(vacancy::Column::PublishedAt),
            KeyKind::Time,
            order.clone(),
        ),
        VacancySort::PublishedAt => SortKey::new(
            column(vacancy::Column::PublishedAt),
            KeyKind::Time,
            order.clone(),
        ),
        VacancySort::SalaryMax => SortKey::nullable(
            column(vacancy::Column::SalaryMax),
            KeyKind::Int,
            order.clone(),
        ),
        VacancySort::Title => {
            SortKey::new(column(vacancy::Column::Title), KeyKind::Text, order.clone())
        }
    };
    let direction = if matches!(order, Order::Desc) {
        "DESC"
    } else {
        "ASC"
    };
    Sort::with_id(
        format!("vacancies:{field:?}:{direction}"),
        key,
        column(vacancy::Column::Id),
    )
}

/// Most recently published first, drafts last: the default order of every vacancy list. `name`
/// tells the lists apart in cursors.
pub fn recency_sort(name: &str) -> Sort {
    let column = |column: vacancy::Column| Expr::col((vacancy::Entity, column));
    Sort::with_id(
        name,
        SortKey::nullable(
            column(vacancy::Column::PublishedAt),
            KeyKind::Time,
            Order::Desc,
        ),
        column(vacancy::Column::Id),
    )
}

/// Which vacancies a list holds: every condition given must hold.
#[derive(Clone, Debug, Default)]
pub struct Criteria {
    /// Asks for each of these skills (ids).
    pub skills: Vec<i64>,
    /// Asks for at least one of these skills.
    pub any_skills: Vec<i64>,
    /// Seeks one of these levels.
    pub seniority: Vec<entity::Seniority>,
    /// Offers one of these contracts.
    pub employment_type: Vec<entity::EmploymentType>,
    /// Happens at one of these workplaces.
    pub workplace: Vec<entity::Workplace>,
    /// Is in one of these countries.
    pub countries: Vec<String>,
    /// Belongs to this employer.
    pub employer: Option<i64>,
    /// Is in one of these states.
    pub status: Vec<entity::VacancyStatus>,
    /// Has a salary range overlapping this one.
    pub salary: Option<SalaryOverlap>,
    /// Was published after this moment.
    pub published_after: Option<chrono::DateTime<chrono::Utc>>,
    /// Is in a city within this circle.
    pub near: Option<crate::geo::Circle>,
}

/// A salary range to overlap: same currency and period, `min` to `max` (either may be open).
#[derive(Clone, Debug)]
pub struct SalaryOverlap {
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub currency: String,
    pub period: entity::SalaryPeriod,
}

impl Criteria {
    /// The SQL condition.
    pub fn condition(&self) -> Condition {
        let mut condition = Condition::all();
        for (i, skill) in self.skills.iter().enumerate() {
            let link = Alias::new(format!("required_skill_{i}"));
            condition = condition.add(asks_for(
                link.clone(),
                Expr::col((link, vacancy_skill::Column::SkillId)).eq(*skill),
            ));
        }
        if !self.any_skills.is_empty() {
            let link = Alias::new("any_skill");
            condition = condition.add(asks_for(
                link.clone(),
                Expr::col((link, vacancy_skill::Column::SkillId))
                    .is_in(self.any_skills.iter().copied()),
            ));
        }
        if !self.seniority.is_empty() {
            condition =
                condition.add(vacancy::Column::Seniority.is_in(self.seniority.iter().copied()));
        }
        if !self.employment_type.is_empty() {
            condition = condition
                .add(vacancy::Column::EmploymentType.is_in(self.employment_type.iter().copied()));
        }
        if !self.workplace.is_empty() {
            condition =
                condition.add(vacancy::Column::Workplace.is_in(self.workplace.iter().copied()));
        }
        if !self.countries.is_empty() {
            condition =
                condition.add(vacancy::Column::CountryCode.is_in(self.countries.iter().cloned()));
        }
        if let Some(employer) = self.employer {
            condition = condition.add(vacancy::Column::EmployerId.eq(employer));
        }
        if !self.status.is_empty() {
            condition = condition.add(vacancy::Column::Status.is_in(self.status.iter().copied()));
        }
        if let Some(salary) = &self.salary {
            condition = condition
                .add(vacancy::Column::SalaryCurrency.eq(salary.currency.clone()))
                .add(vacancy::Column::SalaryPeriod.eq(salary.period));
            if let Some(min) = salary.min {
                condition = condition.add(vacancy::Column::SalaryMax.gte(min));
            }
            if let Some(max) = salary.max {
                condition = condition.add(vacancy::Column::SalaryMin.lte(max));
            }
        }
        if let Some(after) = self.published_after {
            condition = condition.add(vacancy::Column::PublishedAt.gt(after));
        }
        if let Some(circle) = &self.near {
            condition = condition.add(circle.condition(vacancy::Entity));
        }
        condition
    }
}

/// `EXISTS` a skill link of the vacancy, named `link`, that satisfies `matches`.
fn asks_for(link: Alias, matches: Expr) -> Expr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from_as(vacancy_skill::Entity, link.clone())
            .and_where(
                Expr::col((link, vacancy_skill::Column::VacancyId))
                    .equals((vacancy::Entity, vacancy::Column::Id)),
            )
            .and_where(matches)
            .to_owned(),
    )
}

/// The skills each of `vacancies` asks for, must-haves first, with the links that say how; the
/// `unread` columns of the skills are left out.
pub async fn skills_of(
    db: &impl ConnectionTrait,
    vacancies: impl IntoIterator<Item = i64>,
    unread: &Unread<skill::Entity>,
) -> Result<Children<vacancy_skill::Model, skill::Model>, DbErr> {
    let select = vacancy_skill::Entity::find()
        .filter(vacancy_skill::Column::VacancyId.is_in(vacancies))
        .find_also_related(skill::Entity);
    Children::load(
        db,
        select,
        unread,
        |link: &vacancy_skill::Model| link.vacancy_id,
        |(a, x), (b, y)| {
            (b.required, b.min_level, &x.name, x.id).cmp(&(a.required, a.min_level, &y.name, y.id))
        },
    )
    .await
}

/// A salary range, validated: min, max, ISO currency, period.
pub type Salary = (i64, i64, String, entity::SalaryPeriod);

/// Replaces the skills of vacancy `id` (inside the caller's transaction).
async fn replace_skills(
    db: &impl ConnectionTrait,
    id: i64,
    skills: &[(i64, bool, i16)],
) -> Result<(), DbErr> {
    vacancy_skill::Entity::delete_many()
        .filter(vacancy_skill::Column::VacancyId.eq(id))
        .exec(db)
        .await?;
    if skills.is_empty() {
        return Ok(());
    }
    let now = chrono::Utc::now();
    let links = skills
        .iter()
        .map(|&(skill, required, min_level)| vacancy_skill::ActiveModel {
            vacancy_id: Set(id),
            skill_id: Set(skill),
            required: Set(required),
            min_level: Set(min_level),
            created_at: Set(now),
            updated_at: Set(now),
        });
    vacancy_skill::Entity::insert_many(links)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Inserts `row` (the fields of a new vacancy, validated) for employer `employer_id`, with its
/// `skills` (skill id, required, minimum level), stamped as version 1; None when the employer does
/// not exist. Run it in a write transaction.
pub async fn create(
    db: &impl ConnectionTrait,
    employer_id: i64,
    mut row: vacancy::ActiveModel,
    skills: &[(i64, bool, i16)],
) -> Result<Option<vacancy::Model>, DbErr> {
    // Checked inside the write transaction (SQLite holds the write lock; on PostgreSQL the
    // foreign key still guards a concurrent delete).
    if entity::employer::Entity::find_by_id(employer_id)
        .one(db)
        .await?
        .is_none()
    {
        return Ok(None);
    }
    let now = chrono::Utc::now();
    row.id = NotSet;
    row.employer_id = Set(employer_id);
    row.created_at = Set(now);
    row.updated_at = Set(now);
    row.version = Set(1);
    let row = row.insert(db).await?;
    replace_skills(db, row.id, skills).await?;
    Ok(Some(row))
}

/// Sets the `Set` fields of `changes` on vacancy `id` if it is at `expected` (and, for a state
/// change, in state `from`); with `skills`, also replaces its skills. Run it in a write
/// transaction.
pub async fn update(
    db: &impl ConnectionTrait,
    id: i64,
    expected: Option<i32>,
    from: Option<entity::VacancyStatus>,
    changes: vacancy::ActiveModel,
    skills: Option<&[(i64, bool, i16)]>,
) -> Result<Guarded<vacancy::Model>, DbErr> {
    let condition = Condition::all().add_option(from.map(|from| vacancy::Column::Status.eq(from)));
    let outcome =
        write::update_where::<vacancy::Entity>(db, id, expected, condition, changes).await?;
    if let (Guarded::Written(Written::Done(_)), Some(skills)) = (&outcome, skills) {
        replace_skills(db, id, skills).await?;
    }
    Ok(outcome)
}

/// How many vacancies are OPEN.
pub async fn open_count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    vacancy::Entity::find()
        .filter(vacancy::Column::Status.eq(entity::VacancyStatus::Open))
        .count(db)
        .await
}

/// Id, title and last change of up to `limit` OPEN vacancies after the first `offset`, by id:
/// what a sitemap lists.
pub async fn open_listing(
    db: &impl ConnectionTrait,
    offset: u64,
    limit: u64,
) -> Result<Vec<(i64, String, DateTimeUtc)>, DbErr> {
    vacancy::Entity::find()
        .select_only()
        .columns([
            vacancy::Column::Id,
            vacancy::Column::Title,
            vacancy::Column::UpdatedAt,
        ])
        .filter(vacancy::Column::Status.eq(entity::VacancyStatus::Open))
        .order_by_asc(vacancy::Column::Id)
        .offset(offset)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
}

/// The row of `sequences` that numbers publications.
const PUBLICATIONS: &str = "FROM sequences WHERE name = 'vacancy_publication'";

/// Gives vacancy `id`, just published, the next publication number, and returns it. Run it in
/// the publishing write transaction: the counter's row stays locked until the commit, so numbers
/// follow the commit order, and a rolled-back publication gives its number back.
pub async fn number_publication(db: &impl ConnectionTrait, id: i64) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let bumped = db
        .query_one_raw(Statement::from_string(
            backend,
            "UPDATE sequences SET last_value = last_value + 1 \
             WHERE name = 'vacancy_publication' RETURNING last_value",
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the publication counter".into()))?;
    let number: i64 = bumped.try_get("", "last_value")?;
    vacancy::Entity::update_many()
        .col_expr(vacancy::Column::PublicationSeq, Expr::val(number))
        .filter(vacancy::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(number)
}

/// Numbers the published vacancies that have none (rows a bulk load wrote) after the last
/// number given, by `published_at` then id, as the migration that brought numbers did with the
/// vacancies published before it.
pub async fn number_unnumbered_publications(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let unnumbered = "FROM vacancies WHERE published_at IS NOT NULL AND publication_seq IS NULL";
    db.execute_raw(Statement::from_string(
        backend,
        format!(
            "UPDATE sequences SET last_value = last_value + (SELECT COUNT(*) {unnumbered}) \
             WHERE name = 'vacancy_publication'"
        ),
    ))
    .await?;
    db.execute_raw(Statement::from_string(
        backend,
        format!(
            "UPDATE vacancies SET publication_seq = numbered.seq FROM (SELECT id, \
             (SELECT last_value {PUBLICATIONS}) - COUNT(*) OVER () \
             + ROW_NUMBER() OVER (ORDER BY published_at, id) AS seq {unnumbered}) AS numbered \
             WHERE vacancies.id = numbered.id"
        ),
    ))
    .await?;
    Ok(())
}

/// The number of the last publication committed: every publication up to it is visible to a
/// read that starts after this one.
pub async fn last_publication(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            format!("SELECT last_value {PUBLICATIONS}"),
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the publication counter".into()))?;
    row.try_get("", "last_value")
}

/// Up to `limit` vacancies meeting `condition` whose publication numbers are in
/// `after < number <= through`, in publication order: a page of a subscriber's catch-up.
pub async fn published_between(
    db: &impl ConnectionTrait,
    condition: Condition,
    after: i64,
    through: i64,
    limit: u64,
) -> Result<Vec<vacancy::Model>, DbErr> {
    vacancy::Entity::find()
        .filter(condition)
        .filter(vacancy::Column::PublicationSeq.gt(after))
        .filter(vacancy::Column::PublicationSeq.lte(through))
        .order_by_asc(vacancy::Column::PublicationSeq)
        .limit(limit)
        .all(db)
        .await
}

/// Vacancy `id`, if it exists.
pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<Option<vacancy::Model>, DbErr> {
    vacancy::Entity::find_by_id(id).one(db).await
}

/// The state vacancy `id` is in, if it exists.
pub async fn status(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<entity::VacancyStatus>, DbErr> {
    Ok(vacancy::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|row| row.status))
}

/// Deletes vacancy `id` (at `expected`) with its skill links. Run it in a write transaction.
pub async fn delete(
    db: &impl ConnectionTrait,
    id: i64,
    expected: Option<i32>,
) -> Result<Written<()>, DbErr> {
    write::delete::<vacancy::Entity>(db, id, expected).await
}
