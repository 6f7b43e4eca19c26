//! Data access for skills.

use dbkit::{
    keyset::{ChildSet, KeyKind, Sort, SortKey},
    violation::UniqueKey,
    write::{self, Written},
};
use entity::{developer, developer_skill, skill, vacancy, vacancy_skill};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, DbErr, JoinType, NotSet, Order,
    PaginatorTrait, QuerySelect, QueryTrait, Set, Statement, Value, prelude::*, sea_query::Expr,
};

use crate::auth::policy::Drafts;

/// The unique key of skills, as the database reports a write that breaks it.
pub const SLUG: UniqueKey = UniqueKey {
    table: "skills",
    column: "slug",
};

/// The skill with `slug`, if any.
pub async fn find_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<skill::Model>, DbErr> {
    skill::Entity::find()
        .filter(skill::Column::Slug.eq(slug))
        .one(db)
        .await
}

/// Every skill's names: (id, slug, name, aliases), in one statement (a few hundred short rows).
pub async fn names(
    db: &impl ConnectionTrait,
) -> Result<Vec<(i64, String, String, Vec<String>)>, DbErr> {
    Ok(skill::Entity::find()
        .select_only()
        .column(skill::Column::Id)
        .column(skill::Column::Slug)
        .column(skill::Column::Name)
        .column(skill::Column::Aliases)
        .into_tuple::<(i64, String, String, entity::StringList)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, slug, name, aliases)| (id, slug, name, aliases.0))
        .collect())
}

/// The ids of the skills with these slugs, by slug (unknown slugs are absent), in one statement.
pub async fn ids_by_slug(
    db: &impl ConnectionTrait,
    slugs: impl IntoIterator<Item = String>,
) -> Result<std::collections::HashMap<String, i64>, DbErr> {
    let slugs: Vec<String> = slugs.into_iter().collect();
    if slugs.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    Ok(skill::Entity::find()
        .select_only()
        .column(skill::Column::Slug)
        .column(skill::Column::Id)
        .filter(skill::Column::Slug.is_in(slugs))
        .into_tuple::<(String, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// The orders skills can be listed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkillSort {
    /// By name.
    Name,
    /// By how many developers have the skill.
    DeveloperCount,
}

/// The keyset sort for `field` in `order`, ties by id.
pub fn sort(field: SkillSort, order: Order) -> Sort {
    let key = match field {
        SkillSort::Name => SortKey::new(
            Expr::col((skill::Entity, skill::Column::Name)),
            KeyKind::Text,
            order.clone(),
        ),
        SkillSort::DeveloperCount => SortKey::new(
            Expr::cust(
                "(SELECT COUNT(*) FROM developer_skills WHERE developer_skills.skill_id = skills.id)",
            ),
            KeyKind::Int,
            order.clone(),
        ),
    };
    let direction = if matches!(order, Order::Desc) {
        "DESC"
    } else {
        "ASC"
    };
    Sort::with_id(
        format!("skills:{field:?}:{direction}"),
        key,
        Expr::col((skill::Entity, skill::Column::Id)),
    )
}

/// The order of a skill's developers: highest level first, then by name.
pub fn developers_sort() -> Sort {
    Sort::new(
        "skill.developers",
        vec![
            SortKey::new(
                Expr::col((developer_skill::Entity, developer_skill::Column::Level)),
                KeyKind::Int,
                Order::Desc,
            ),
            SortKey::new(
                Expr::col((developer::Entity, developer::Column::Name)),
                KeyKind::Text,
                Order::Asc,
            ),
            SortKey::new(
                Expr::col((developer::Entity, developer::Column::Id)),
                KeyKind::Int,
                Order::Asc,
            ),
        ],
    )
}

/// The developers who have skills, for nested connections.
pub fn developers() -> ChildSet {
    ChildSet {
        select: developer::Entity::find()
            .join(
                JoinType::InnerJoin,
                developer::Entity::belongs_to(developer_skill::Entity)
                    .from(developer::Column::Id)
                    .to(developer_skill::Column::DeveloperId)
                    .into(),
            )
            .into_query(),
        parent: Expr::col((developer_skill::Entity, developer_skill::Column::SkillId)),
    }
}

/// The vacancies asking for skills that a caller seeing `drafts` sees, for nested connections.
pub fn vacancies(drafts: Drafts) -> ChildSet {
    ChildSet {
        select: vacancy::Entity::find()
            .join(
                JoinType::InnerJoin,
                vacancy::Entity::belongs_to(vacancy_skill::Entity)
                    .from(vacancy::Column::Id)
                    .to(vacancy_skill::Column::VacancyId)
                    .into(),
            )
            .apply_if(drafts.condition(), QueryFilter::filter)
            .into_query(),
        parent: Expr::col((vacancy_skill::Entity, vacancy_skill::Column::SkillId)),
    }
}

/// Inserts `row` (the fields of a new skill, validated), stamped as version 1.
pub async fn create(
    db: &impl ConnectionTrait,
    mut row: skill::ActiveModel,
) -> Result<skill::Model, DbErr> {
    let now = chrono::Utc::now();
    row.id = NotSet;
    row.created_at = Set(now);
    row.updated_at = Set(now);
    row.version = Set(1);
    row.insert(db).await
}

/// Sets the `Set` fields of `changes` on skill `id` if it is at `expected` (any version when
/// `None`), as one compare-and-set statement: of two concurrent writers with the same expected
/// version, exactly one wins. Run it in a write transaction.
pub async fn update(
    db: &impl ConnectionTrait,
    id: i64,
    expected: Option<i32>,
    changes: skill::ActiveModel,
) -> Result<Written<skill::Model>, DbErr> {
    write::update::<skill::Entity>(db, id, expected, changes).await
}

/// Deletes skill `id` if it is at `expected`. A skill still in use is refused by the foreign keys
/// (the caller maps that to `IN_USE`). Run it in a write transaction.
pub async fn delete(
    db: &impl ConnectionTrait,
    id: i64,
    expected: Option<i32>,
) -> Result<Written<()>, DbErr> {
    write::delete::<skill::Entity>(db, id, expected).await
}

/// How many developers and vacancies use skill `id`.
pub async fn usage(db: &impl ConnectionTrait, id: i64) -> Result<(u64, u64), DbErr> {
    let developers = developer_skill::Entity::find()
        .filter(developer_skill::Column::SkillId.eq(id))
        .count(db)
        .await?;
    let vacancies = vacancy_skill::Entity::find()
        .filter(vacancy_skill::Column::SkillId.eq(id))
        .count(db)
        .await?;
    Ok((developers, vacancies))
}

/// Which of the two skills of a merge was missing.
#[derive(Debug, PartialEq, Eq)]
pub enum MergeMissing {
    /// The skill merged away.
    From,
    /// The skill merged into.
    Into,
}

/// Moves every developer and vacancy link of skill `from` to skill `into` (keeping the higher
/// level, years and minimum level, and must-have over nice-to-have where both exist), then deletes
/// `from`. Run it in a write transaction (an `Err` outcome is rolled back).
pub async fn merge(
    db: &impl ConnectionTrait,
    from: i64,
    into: i64,
) -> Result<Result<skill::Model, MergeMissing>, DbErr> {
    let backend = db.get_database_backend();
    let (greatest, either) = match backend {
        DatabaseBackend::Postgres => ("GREATEST", "OR"),
        _ => ("max", "|"),
    };
    let now = chrono::Utc::now();
    let statement = |sql: &str, values: Vec<Value>| {
        // `$n` parameters on PostgreSQL; SQLite numbers them `?n`.
        let sql = if backend == DatabaseBackend::Postgres {
            sql.to_owned()
        } else {
            sql.replace('$', "?")
        };
        Statement::from_sql_and_values(backend, sql, values)
    };
    // The first statement writes, so the transaction holds the write lock from the start.
    let touched = db
        .execute_raw(statement(
            "UPDATE skills SET version = version + 1, updated_at = $1 WHERE id = $2",
            vec![now.into(), into.into()],
        ))
        .await?;
    if touched.rows_affected() == 0 {
        return Ok(Err(MergeMissing::Into));
    }
    let steps = [
        format!(
            "UPDATE developer_skills SET \
               level = {greatest}(level, (SELECT f.level FROM developer_skills f WHERE f.developer_id = developer_skills.developer_id AND f.skill_id = $1)), \
               years = {greatest}(years, (SELECT f.years FROM developer_skills f WHERE f.developer_id = developer_skills.developer_id AND f.skill_id = $1)), \
               updated_at = $3 \
             WHERE skill_id = $2 AND developer_id IN (SELECT developer_id FROM developer_skills WHERE skill_id = $1)"
        ),
        "DELETE FROM developer_skills WHERE skill_id = $1 AND developer_id IN (SELECT developer_id FROM developer_skills WHERE skill_id = $2)".to_owned(),
        "UPDATE developer_skills SET skill_id = $2, updated_at = $3 WHERE skill_id = $1".to_owned(),
        format!(
            "UPDATE vacancy_skills SET \
               required = (required {either} (SELECT f.required FROM vacancy_skills f WHERE f.vacancy_id = vacancy_skills.vacancy_id AND f.skill_id = $1)), \
               min_level = {greatest}(min_level, (SELECT f.min_level FROM vacancy_skills f WHERE f.vacancy_id = vacancy_skills.vacancy_id AND f.skill_id = $1)), \
               updated_at = $3 \
             WHERE skill_id = $2 AND vacancy_id IN (SELECT vacancy_id FROM vacancy_skills WHERE skill_id = $1)"
        ),
        "DELETE FROM vacancy_skills WHERE skill_id = $1 AND vacancy_id IN (SELECT vacancy_id FROM vacancy_skills WHERE skill_id = $2)".to_owned(),
        "UPDATE vacancy_skills SET skill_id = $2, updated_at = $3 WHERE skill_id = $1".to_owned(),
    ];
    for sql in steps {
        // Deletes use `from` and `into`; the others also the time of the change.
        let mut values: Vec<Value> = vec![from.into(), into.into()];
        if sql.contains("$3") {
            values.push(now.into());
        }
        db.execute_raw(statement(&sql, values)).await?;
    }
    let deleted = db
        .execute_raw(statement(
            "DELETE FROM skills WHERE id = $1",
            vec![from.into()],
        ))
        .await?;
    if deleted.rows_affected() == 0 {
        return Ok(Err(MergeMissing::From));
    }
    let merged = skill::Entity::find_by_id(into)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("skill".into()))?;
    Ok(Ok(merged))
}
