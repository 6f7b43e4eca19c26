//! Data access for developers.

use dbkit::{
    batch::Children,
    columns::Unread,
    keyset::{KeyKind, Sort, SortKey},
    search::SearchIndex,
    violation::UniqueKey,
    write::{self, Written},
};
use entity::{developer, developer_skill, skill};
use sea_orm::{
    ActiveModelTrait, Condition, ConnectionTrait, DbErr, NotSet, Order, Set,
    prelude::*,
    sea_query::{Alias, Expr, ExprTrait, Query},
};

/// The full-text index of developers: name and handle, then headline and skills, then bio.
pub const SEARCH: SearchIndex = SearchIndex {
    table: "developer_search",
    key: "developer_id",
    weights: "10.0, 10.0, 4.0, 4.0, 1.0",
};

/// The unique keys of developers, as the database reports a write that breaks one.
pub const HANDLE: UniqueKey = UniqueKey {
    table: "developers",
    column: "handle",
};
/// See [`HANDLE`].
pub const EMAIL: UniqueKey = UniqueKey {
    table: "developers",
    column: "email",
};

/// The developer with `handle`, if any.
pub async fn find_by_handle(
    db: &impl ConnectionTrait,
    handle: &str,
) -> Result<Option<developer::Model>, DbErr> {
    developer::Entity::find()
        .filter(developer::Column::Handle.eq(handle))
        .one(db)
        .await
}

/// The orders developers can be listed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeveloperSort {
    /// By name.
    Name,
    /// By years of professional experience.
    YearsOfExperience,
    /// By when they joined the directory.
    CreatedAt,
}

/// The keyset sort for `field` in `order`, ties by id.
pub fn sort(field: DeveloperSort, order: Order) -> Sort {
    let column = |column: developer::Column| Expr::col((developer::Entity, column));
    let key = match field {
        DeveloperSort::Name => SortKey::new(
            column(developer::Column::Name),
            KeyKind::Text,
            order.clone(),
        ),
        DeveloperSort::YearsOfExperience => SortKey::new(
            column(developer::Column::YearsOfExperience),
            KeyKind::Int,
            order.clone(),
        ),
        DeveloperSort::CreatedAt => SortKey::new(
            column(developer::Column::CreatedAt),
            KeyKind::Time,
            order.clone(),
        ),
    };
    let direction = if matches!(order, Order::Desc) {
        "DESC"
    } else {
        "ASC"
    };
    Sort::with_id(
        format!("developers:{field:?}:{direction}"),
        key,
        column(developer::Column::Id),
    )
}

/// Which developers a list holds: every condition given must hold.
#[derive(Clone, Debug, Default)]
pub struct Criteria {
    /// Has each of these skills (id) at least at this level.
    pub skills: Vec<(i64, i16)>,
    /// Has at least one of these skills.
    pub any_skills: Vec<i64>,
    /// Is at one of these levels.
    pub seniority: Vec<entity::Seniority>,
    /// Lives in one of these countries.
    pub countries: Vec<String>,
    /// Prefers one of these workplaces.
    pub remote_preference: Vec<entity::Workplace>,
    /// Is (or is not) open to work.
    pub open_to_work: Option<bool>,
    /// Has at least this many years of experience.
    pub min_years: Option<i32>,
    /// Lives within this circle.
    pub near: Option<crate::geo::Circle>,
}

impl Criteria {
    /// The SQL condition.
    pub fn condition(&self) -> Condition {
        let mut condition = Condition::all();
        for (i, (skill, level)) in self.skills.iter().enumerate() {
            let link = Alias::new(format!("required_skill_{i}"));
            condition = condition.add(has_skill(
                link.clone(),
                Expr::col((link.clone(), developer_skill::Column::SkillId))
                    .eq(*skill)
                    .and(Expr::col((link, developer_skill::Column::Level)).gte(*level)),
            ));
        }
        if !self.any_skills.is_empty() {
            let link = Alias::new("any_skill");
            condition = condition.add(has_skill(
                link.clone(),
                Expr::col((link, developer_skill::Column::SkillId))
                    .is_in(self.any_skills.iter().copied()),
            ));
        }
        if !self.seniority.is_empty() {
            condition =
                condition.add(developer::Column::Seniority.is_in(self.seniority.iter().copied()));
        }
        if !self.countries.is_empty() {
            condition =
                condition.add(developer::Column::CountryCode.is_in(self.countries.iter().cloned()));
        }
        if !self.remote_preference.is_empty() {
            condition = condition.add(
                developer::Column::RemotePreference.is_in(self.remote_preference.iter().copied()),
            );
        }
        if let Some(open) = self.open_to_work {
            condition = condition.add(developer::Column::OpenToWork.eq(open));
        }
        if let Some(years) = self.min_years {
            condition = condition.add(developer::Column::YearsOfExperience.gte(years));
        }
        if let Some(circle) = &self.near {
            condition = condition.add(circle.condition(developer::Entity));
        }
        condition
    }
}

/// `EXISTS` a skill link of the developer, named `link`, that satisfies `matches`.
fn has_skill(link: Alias, matches: Expr) -> Expr {
    Expr::exists(
        Query::select()
            .expr(Expr::val(1))
            .from_as(developer_skill::Entity, link.clone())
            .and_where(
                Expr::col((link, developer_skill::Column::DeveloperId))
                    .equals((developer::Entity, developer::Column::Id)),
            )
            .and_where(matches)
            .to_owned(),
    )
}

/// The skills of each of `developers`, strongest first, with the links that carry level and years;
/// the `unread` columns of the skills are left out.
pub async fn skills_of(
    db: &impl ConnectionTrait,
    developers: impl IntoIterator<Item = i64>,
    unread: &Unread<skill::Entity>,
) -> Result<Children<developer_skill::Model, skill::Model>, DbErr> {
    let select = developer_skill::Entity::find()
        .filter(developer_skill::Column::DeveloperId.is_in(developers))
        .find_also_related(skill::Entity);
    Children::load(
        db,
        select,
        unread,
        |link: &developer_skill::Model| link.developer_id,
        |(a, x), (b, y)| (b.level, &x.name, x.id).cmp(&(a.level, &y.name, y.id)),
    )
    .await
}

/// Which of a developer's unique values another developer has: (handle, email).
pub async fn taken(
    db: &impl ConnectionTrait,
    handle: Option<&str>,
    email: Option<&str>,
    except: Option<i64>,
) -> Result<(bool, bool), DbErr> {
    let mut found = (false, false);
    if handle.is_none() && email.is_none() {
        return Ok(found);
    }
    let mut query = developer::Entity::find().filter(
        Condition::any()
            .add_option(handle.map(|handle| developer::Column::Handle.eq(handle)))
            .add_option(email.map(|email| developer::Column::Email.eq(email))),
    );
    if let Some(except) = except {
        query = query.filter(developer::Column::Id.ne(except));
    }
    for row in query.all(db).await? {
        found.0 |= Some(row.handle.as_str()) == handle;
        found.1 |= Some(row.email.as_str()) == email;
    }
    Ok(found)
}

/// Replaces the skills of developer `id` (inside the caller's transaction).
async fn replace_skills(
    db: &impl ConnectionTrait,
    id: i64,
    skills: &[(i64, i16, i32)],
) -> Result<(), DbErr> {
    developer_skill::Entity::delete_many()
        .filter(developer_skill::Column::DeveloperId.eq(id))
        .exec(db)
        .await?;
    if skills.is_empty() {
        return Ok(());
    }
    let now = chrono::Utc::now();
    let links = skills
        .iter()
        .map(|&(skill, level, years)| developer_skill::ActiveModel {
            developer_id: Set(id),
            skill_id: Set(skill),
            level: Set(level),
            years: Set(years),
            created_at: Set(now),
            updated_at: Set(now),
        });
    developer_skill::Entity::insert_many(links)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Inserts `row` (the fields of a new developer, validated) and their `skills` (skill id, level,
/// years), stamped as version 1. Run it in a write transaction.
pub async fn create(
    db: &impl ConnectionTrait,
    mut row: developer::ActiveModel,
    skills: &[(i64, i16, i32)],
) -> Result<developer::Model, DbErr> {
    let now = chrono::Utc::now();
    row.id = NotSet;
    row.created_at = Set(now);
    row.updated_at = Set(now);
    row.version = Set(1);
    let row = row.insert(db).await?;
    replace_skills(db, row.id, skills).await?;
    Ok(row)
}

/// Sets the `Set` fields of `changes` on developer `id` if it is at `expected`; with `skills`,
/// also replaces their skills. Run it in a write transaction.
pub async fn update(
    db: &impl ConnectionTrait,
    id: i64,
    expected: Option<i32>,
    changes: developer::ActiveModel,
    skills: Option<&[(i64, i16, i32)]>,
) -> Result<Written<developer::Model>, DbErr> {
    let outcome = write::update::<developer::Entity>(db, id, expected, changes).await?;
    if let (Written::Done(_), Some(skills)) = (&outcome, skills) {
        replace_skills(db, id, skills).await?;
    }
    Ok(outcome)
}

/// Deletes developer `id` (at `expected`) with their skill links. Run it in a write transaction.
pub async fn delete(
    db: &impl ConnectionTrait,
    id: i64,
    expected: Option<i32>,
) -> Result<Written<()>, DbErr> {
    write::delete::<developer::Entity>(db, id, expected).await
}
