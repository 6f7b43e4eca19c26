//! Data access for developers.

use entity::{developer, developer_skill, skill};
use sea_orm::{
    Condition, ConnectionTrait, Order, QueryOrder,
    prelude::*,
    sea_query::{Alias, Expr, ExprTrait, Query},
};

use crate::{
    error::ApiResult,
    graphql::{
        batch::Children,
        connection::{KeyKind, Sort, SortKey},
    },
};

/// The developer with `handle`, if any.
pub async fn find_by_handle(
    db: &impl ConnectionTrait,
    handle: &str,
) -> ApiResult<Option<developer::Model>> {
    Ok(developer::Entity::find()
        .filter(developer::Column::Handle.eq(handle))
        .one(db)
        .await?)
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

/// The skills of each of `developers`, strongest first, with the links that carry level and years.
pub async fn skills_of(
    db: &impl ConnectionTrait,
    developers: impl IntoIterator<Item = i64>,
) -> ApiResult<Children<developer_skill::Model, skill::Model>> {
    let rows = developer_skill::Entity::find()
        .filter(developer_skill::Column::DeveloperId.is_in(developers))
        .find_also_related(skill::Entity)
        .order_by_desc(developer_skill::Column::Level)
        .order_by_asc(skill::Column::Name)
        .order_by_asc(skill::Column::Id)
        .all(db)
        .await?;
    Ok(Children::new(rows.into_iter().filter_map(
        |(link, skill)| Some((link.developer_id, link, skill?)),
    )))
}
