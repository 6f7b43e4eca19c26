//! Salary figures computed in the database: one statement groups the yearly amounts and takes
//! count, min, quartiles, max and mean per group and currency. PostgreSQL uses
//! `percentile_cont`; SQLite, which has no percentile aggregate, numbers each group's amounts with
//! `ROW_NUMBER()` and interpolates between the two around each quartile's position, which is
//! exactly what `percentile_cont` computes.

use entity::{developer, developer_skill, vacancy, vacancy_skill};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait, JoinType, Order,
    QueryFilter, QueryTrait,
    sea_query::{
        Alias, Asterisk, Expr, ExprTrait, Func, IntoIden, OverStatement, Query, SelectStatement,
        WindowStatement,
    },
};

use crate::matching::score::sql;

/// Where the amounts come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// OPEN vacancies that name a salary: the middle of their range, made yearly.
    Vacancies,
    /// Developers who gave an expectation (yearly).
    Developers,
}

/// What the amounts are grouped by, besides currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    None,
    Seniority,
    Skill,
    Country,
}

/// Which rows count: every condition given must hold.
#[derive(Clone, Debug, Default)]
pub struct Criteria {
    /// Has (asks for) every one of these skills.
    pub skills: Vec<i64>,
    pub seniority: Vec<entity::Seniority>,
    pub countries: Vec<String>,
    pub currency: Option<String>,
}

/// The figures of one group in one currency.
#[derive(Clone, Debug, PartialEq)]
pub struct Figures {
    /// The group: a seniority level or country code as stored, a skill id as text; None when
    /// not grouped.
    pub key: Option<String>,
    pub currency: String,
    pub count: i64,
    pub min: f64,
    pub p10: f64,
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
    pub p90: f64,
    pub max: f64,
    pub mean: f64,
}

/// The percentiles, as `(name, fraction)`: the quartiles, and the 10th and 90th that stand for
/// the extremes where one amount must not show (see `salary::published`).
const QUARTILES: [(&str, f64); 5] = [
    ("p10", 0.1),
    ("p25", 0.25),
    ("median", 0.5),
    ("p75", 0.75),
    ("p90", 0.9),
];

/// The figures of every group (and currency) of the rows of `source` meeting `criteria`.
pub async fn figures(
    db: &impl ConnectionTrait,
    source: Source,
    group_by: GroupBy,
    criteria: &Criteria,
) -> Result<Vec<Figures>, DbErr> {
    let amounts = amounts(source, group_by, criteria);
    let statement = match db.get_database_backend() {
        DatabaseBackend::Postgres => with_percentile_cont(amounts),
        _ => with_row_numbers(amounts),
    };
    let rows = db.query_all(&statement).await?;
    rows.iter()
        .map(|row| {
            Ok(Figures {
                key: row.try_get("", "group_key")?,
                currency: row.try_get("", "currency")?,
                count: row.try_get("", "count")?,
                min: row.try_get("", "min")?,
                p10: row.try_get("", "p10")?,
                p25: row.try_get("", "p25")?,
                median: row.try_get("", "median")?,
                p75: row.try_get("", "p75")?,
                p90: row.try_get("", "p90")?,
                max: row.try_get("", "max")?,
                mean: row.try_get("", "mean")?,
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()
}

/// One row per amount (a row per skill when grouped by skill): `group_key`, `currency`, `amount`
/// (yearly, DOUBLE PRECISION).
fn amounts(source: Source, group_by: GroupBy, criteria: &Criteria) -> SelectStatement {
    let link = Alias::new("grouped_skill");
    let (mut select, seniority, country, currency, amount, skill_link) = match source {
        Source::Vacancies => {
            let column = |column: vacancy::Column| Expr::col((vacancy::Entity, column));
            let select = vacancy::Entity::find()
                .filter(vacancy::Column::Status.eq(entity::VacancyStatus::Open))
                .filter(vacancy::Column::SalaryMin.is_not_null())
                .filter(vacancy::Column::SalaryMax.is_not_null())
                .filter(vacancy::Column::SalaryCurrency.is_not_null())
                .into_query();
            // The middle of the range, yearly: (min + max) × periods a year / 2.
            let yearly_sum = sql::yearly(
                column(vacancy::Column::SalaryMin).add(column(vacancy::Column::SalaryMax)),
                column(vacancy::Column::SalaryPeriod),
            );
            (
                select,
                column(vacancy::Column::Seniority),
                column(vacancy::Column::CountryCode),
                column(vacancy::Column::SalaryCurrency),
                yearly_sum.cast_as("DOUBLE PRECISION").div(2.0),
                (
                    vacancy_skill::Entity.into_iden(),
                    vacancy_skill::Column::VacancyId.into_iden(),
                    vacancy_skill::Column::SkillId.into_iden(),
                    Expr::col((vacancy::Entity, vacancy::Column::Id)),
                ),
            )
        }
        Source::Developers => {
            let column = |column: developer::Column| Expr::col((developer::Entity, column));
            let select = developer::Entity::find()
                .filter(developer::Column::SalaryExpectationAmount.is_not_null())
                .filter(developer::Column::SalaryExpectationCurrency.is_not_null())
                .into_query();
            (
                select,
                column(developer::Column::Seniority),
                column(developer::Column::CountryCode),
                column(developer::Column::SalaryExpectationCurrency),
                column(developer::Column::SalaryExpectationAmount).cast_as("DOUBLE PRECISION"),
                (
                    developer_skill::Entity.into_iden(),
                    developer_skill::Column::DeveloperId.into_iden(),
                    developer_skill::Column::SkillId.into_iden(),
                    Expr::col((developer::Entity, developer::Column::Id)),
                ),
            )
        }
    };
    // Has (asks for) every skill of the filter.
    let (links, owner, skill_column, id) = &skill_link;
    for (i, skill) in criteria.skills.iter().enumerate() {
        let other = Alias::new(format!("skill_{i}"));
        select.and_where(Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from_as(links.clone(), other.clone())
                .and_where(Expr::col((other.clone(), owner.clone())).eq(id.clone()))
                .and_where(Expr::col((other, skill_column.clone())).eq(*skill))
                .to_owned(),
        ));
    }
    if !criteria.seniority.is_empty() {
        select.and_where(seniority.clone().is_in(criteria.seniority.iter().copied()));
    }
    if !criteria.countries.is_empty() {
        select.and_where(country.clone().is_in(criteria.countries.iter().cloned()));
    }
    if let Some(code) = &criteria.currency {
        select.and_where(currency.clone().eq(code.clone()));
    }
    let key = match group_by {
        GroupBy::None => Expr::cust("NULL").cast_as("TEXT"),
        GroupBy::Seniority => seniority.cast_as("TEXT"),
        GroupBy::Country => country.cast_as("TEXT"),
        GroupBy::Skill => {
            let (table, owner, skill, id) = skill_link;
            let mut on = Expr::col((link.clone(), owner)).eq(id);
            if !criteria.skills.is_empty() {
                on = on.and(
                    Expr::col((link.clone(), skill.clone())).is_in(criteria.skills.iter().copied()),
                );
            }
            select.join_as(JoinType::InnerJoin, table, link.clone(), on);
            Expr::col((link, skill)).cast_as("TEXT")
        }
    };
    select
        .clear_selects()
        .expr_as(key, Alias::new("group_key"))
        .expr_as(currency, Alias::new("currency"))
        .expr_as(amount, Alias::new("amount"));
    select
}

fn col(name: &str) -> Expr {
    Expr::col(Alias::new(name))
}

/// Count, min, max, mean and the quartiles (each from `quartile(fraction)`) of the rows of
/// `rows`, per group and currency, in group order.
fn per_group(rows: SelectStatement, quartile: impl Fn(f64) -> Expr) -> SelectStatement {
    let mut select = Query::select();
    select
        .expr_as(col("group_key"), Alias::new("group_key"))
        .expr_as(col("currency"), Alias::new("currency"))
        .expr_as(
            Expr::cust("COUNT(*)").cast_as("BIGINT"),
            Alias::new("count"),
        )
        .expr_as(Func::min(col("amount")), Alias::new("min"))
        .expr_as(Func::max(col("amount")), Alias::new("max"))
        .expr_as(
            Expr::from(Func::avg(col("amount"))).cast_as("DOUBLE PRECISION"),
            Alias::new("mean"),
        );
    for (name, fraction) in QUARTILES {
        select.expr_as(quartile(fraction), Alias::new(name));
    }
    select
        .from_subquery(rows, Alias::new("amounts"))
        .group_by_col(Alias::new("group_key"))
        .group_by_col(Alias::new("currency"))
        .order_by(Alias::new("group_key"), Order::Asc)
        .order_by(Alias::new("currency"), Order::Asc)
        .to_owned()
}

/// The figures with PostgreSQL's `percentile_cont`.
fn with_percentile_cont(amounts: SelectStatement) -> SelectStatement {
    per_group(amounts, |fraction| {
        Expr::cust(format!(
            "percentile_cont({fraction}) WITHIN GROUP (ORDER BY \"amount\")"
        ))
    })
}

/// The figures with row numbers: within a group of `n` amounts in order (0-based `i`), the
/// quartile at fraction `f` lies at position `h = f × (n − 1)`; it is the amount at `⌊h⌋` times
/// `1 − (h − ⌊h⌋)` plus the next one times `h − ⌊h⌋`.
fn with_row_numbers(amounts: SelectStatement) -> SelectStatement {
    let group = || {
        let mut window = WindowStatement::new();
        window.add_partition_by(col("group_key"));
        window.add_partition_by(col("currency"));
        window
    };
    let mut ordered = group();
    ordered.order_by_expr(col("amount"), Order::Asc);
    let numbered = Query::select()
        .column(Asterisk)
        .expr_window_as(Func::cust("ROW_NUMBER"), ordered, Alias::new("position"))
        .expr_window_as(Func::count(Expr::val(1)), group(), Alias::new("size"))
        .from_subquery(amounts, Alias::new("amounts"))
        .to_owned();
    per_group(numbered, |fraction| {
        // h = f × (n − 1); ⌊h⌋ by CAST (h ≥ 0); the 0-based index is position − 1.
        let h = Expr::val(fraction).mul(col("size").sub(1));
        let floor = h.clone().cast_as("INTEGER");
        let weight = h.sub(floor.clone());
        let index = col("position").sub(1);
        let term = Expr::case(
            index.clone().eq(floor.clone()),
            col("amount").mul(Expr::val(1.0).sub(weight.clone())),
        )
        .case(index.eq(floor.add(1)), col("amount").mul(weight))
        .finally(Expr::val(0.0));
        Expr::from(Func::sum(term)).cast_as("DOUBLE PRECISION")
    })
}
