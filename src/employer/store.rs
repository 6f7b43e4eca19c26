//! Data access for employers.

use dbkit::{
    keyset::{ChildSet, KeyKind, Sort, SortKey},
    search::SearchIndex,
    violation::UniqueKey,
    write::{self, Written},
};
use entity::{employer, vacancy};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbErr, NotSet, Order, PaginatorTrait, QueryTrait, Set,
    prelude::*,
    sea_query::{Expr, ExprTrait, Query},
};

use crate::{auth::policy::Drafts, vacancy::store::recency_sort};

/// The full-text index of employers: name, then city, then description.
pub const SEARCH: SearchIndex = SearchIndex {
    table: "employer_search",
    key: "employer_id",
    weights: "10.0, 4.0, 1.0",
};

/// The unique key of employers, as the database reports a write that breaks it.
pub const SLUG: UniqueKey = UniqueKey {
    table: "employers",
    column: "slug",
};

/// The employer with `slug`, if any.
pub async fn find_by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<employer::Model>, DbErr> {
    employer::Entity::find()
        .filter(employer::Column::Slug.eq(slug))
        .one(db)
        .await
}

/// Employers by name in `order`, ties by id.
pub fn sort(order: Order) -> Sort {
    let direction = if matches!(order, Order::Desc) {
        "DESC"
    } else {
        "ASC"
    };
    Sort::with_id(
        format!("employers:Name:{direction}"),
        SortKey::new(
            Expr::col((employer::Entity, employer::Column::Name)),
            KeyKind::Text,
            order,
        ),
        Expr::col((employer::Entity, employer::Column::Id)),
    )
}

/// Which employers a list holds: every condition given must hold.
#[derive(Clone, Debug, Default)]
pub struct Criteria {
    /// Works in one of these industries.
    pub industry: Vec<entity::Industry>,
    /// Is of one of these sizes.
    pub size: Vec<entity::CompanySize>,
    /// Is based in one of these countries.
    pub countries: Vec<String>,
}

impl Criteria {
    /// The SQL condition.
    pub fn condition(&self) -> sea_orm::Condition {
        let mut condition = sea_orm::Condition::all();
        if !self.industry.is_empty() {
            condition =
                condition.add(employer::Column::Industry.is_in(self.industry.iter().copied()));
        }
        if !self.size.is_empty() {
            condition = condition.add(employer::Column::Size.is_in(self.size.iter().copied()));
        }
        if !self.countries.is_empty() {
            condition =
                condition.add(employer::Column::CountryCode.is_in(self.countries.iter().cloned()));
        }
        condition
    }
}

/// The order of an employer's vacancies.
pub fn vacancies_sort() -> Sort {
    recency_sort("employer.vacancies")
}

/// The vacancies of employers that a caller seeing `drafts` sees, for nested connections.
pub fn vacancies(drafts: Drafts) -> ChildSet {
    ChildSet {
        select: vacancy::Entity::find()
            .apply_if(drafts.condition(), QueryFilter::filter)
            .into_query(),
        parent: Expr::col((vacancy::Entity, vacancy::Column::EmployerId)),
    }
}

/// Inserts `row` (the fields of a new employer, validated), stamped as version 1.
pub async fn create(
    db: &impl ConnectionTrait,
    mut row: employer::ActiveModel,
) -> Result<employer::Model, DbErr> {
    let now = chrono::Utc::now();
    row.id = NotSet;
    row.created_at = Set(now);
    row.updated_at = Set(now);
    row.version = Set(1);
    row.insert(db).await
}

/// Sets the `Set` fields of `changes` on employer `id` if it is at `expected`. Run it in a write
/// transaction.
pub async fn update(
    db: &impl ConnectionTrait,
    id: i64,
    expected: Option<i32>,
    changes: employer::ActiveModel,
) -> Result<Written<employer::Model>, DbErr> {
    write::update::<employer::Entity>(db, id, expected, changes).await
}

/// Why an employer was not deleted.
#[derive(Debug, PartialEq, Eq)]
pub enum Kept {
    /// No employer has that id.
    NotFound,
    /// It is at another version.
    Stale { current: i32 },
    /// It still has this many OPEN vacancies.
    OpenVacancies(u64),
}

/// Deletes employer `id` (at `expected`) with its draft and closed vacancies, unless it has OPEN
/// vacancies: checked in the same statement as the delete. Run it in a write transaction.
pub async fn delete(
    db: &impl ConnectionTrait,
    id: i64,
    expected: Option<i32>,
) -> Result<Result<(), Kept>, DbErr> {
    let open = Query::select()
        .expr(Expr::val(1))
        .from(vacancy::Entity)
        .and_where(Expr::col((vacancy::Entity, vacancy::Column::EmployerId)).eq(id))
        .and_where(
            Expr::col((vacancy::Entity, vacancy::Column::Status)).eq(entity::VacancyStatus::Open),
        )
        .to_owned();
    let mut delete = employer::Entity::delete_many()
        .filter(employer::Column::Id.eq(id))
        .filter(Expr::exists(open).not());
    if let Some(expected) = expected {
        delete = delete.filter(employer::Column::Version.eq(expected));
    }
    if delete.exec(db).await?.rows_affected == 1 {
        return Ok(Ok(()));
    }
    let open = vacancy::Entity::find()
        .filter(vacancy::Column::EmployerId.eq(id))
        .filter(vacancy::Column::Status.eq(entity::VacancyStatus::Open))
        .count(db)
        .await?;
    let kept = match write::missed::<employer::Entity, ()>(db, id).await? {
        Written::NotFound => Kept::NotFound,
        Written::Stale { current } if expected.is_some_and(|expected| expected != current) => {
            Kept::Stale { current }
        }
        _ => Kept::OpenVacancies(open),
    };
    Ok(Err(kept))
}
