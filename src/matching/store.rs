//! Matches, ranked in the database. Candidates come through the skill links (the covering
//! `developer_skills` and `vacancy_skills` indexes on `skill_id`): a developer and a vacancy are
//! candidates when the developer has one of the vacancy's must-haves (one of its skills when it
//! has none; everyone when it has no skills). The score is
//! [`score::sql`], computed per candidate in the statement that filters, orders and pages them.

use dbkit::keyset::{KeyKind, Page, Paged, Sort, SortKey, fetch_page};
use entity::{developer, developer_skill, vacancy, vacancy_skill};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType, Order,
    QueryFilter, QueryResult, QueryTrait,
    sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, Query, SelectStatement},
};

use crate::matching::score::{self, sql};

/// The column the score is selected as.
const SCORE: &str = "match_score";

/// The order of every list of matches: best score first, then by id.
pub fn sort() -> Sort {
    Sort::new(
        "matches",
        vec![
            SortKey::new(Expr::col(Alias::new(SCORE)), KeyKind::Int, Order::Desc),
            SortKey::new(Expr::col(Alias::new("id")), KeyKind::Int, Order::Asc),
        ],
    )
}

/// A page of the developers matching `vacancy` (whose skill links are `skills`) that meet
/// `criteria` and score at least `min_score` (basis points), with their scores; and what
/// `totalCount` counts.
pub async fn developers_for(
    db: &impl ConnectionTrait,
    vacancy: &vacancy::Model,
    skills: &[vacancy_skill::Model],
    criteria: Condition,
    min_score: i64,
    page: &Page,
) -> Result<(Paged<(developer::Model, i64)>, SelectStatement), DbErr> {
    let column = |column: developer::Column| Expr::col((developer::Entity, column));
    let fit = Alias::new("fit");
    let mut select = developer::Entity::find().filter(criteria).into_query();
    let skills_part = if skills.is_empty() {
        sql::skills_part(
            Expr::val(0i64),
            Expr::val(0i64),
            Expr::val(0i64),
            Expr::val(0i64),
        )
    } else {
        let must = skills.iter().filter(|link| link.required).count() as i64;
        let nice = skills.len() as i64 - must;
        select.join_subquery(
            JoinType::InnerJoin,
            credits_of_developers(vacancy.id, must > 0),
            fit.clone(),
            Expr::col((fit.clone(), Alias::new("developer_id")))
                .equals((developer::Entity, developer::Column::Id)),
        );
        sql::skills_part(
            Expr::col((fit.clone(), Alias::new("must_sum"))),
            Expr::val(must),
            Expr::col((fit, Alias::new("nice_sum"))),
            Expr::val(nice),
        )
    };
    let salary = match (
        vacancy.salary_max,
        &vacancy.salary_currency,
        vacancy.salary_period,
    ) {
        (Some(max), Some(currency), Some(period)) => {
            let amount = column(developer::Column::SalaryExpectationAmount);
            Some(sql::salary_part_of_maximum(
                amount
                    .clone()
                    .is_not_null()
                    .and(column(developer::Column::SalaryExpectationCurrency).eq(currency.clone())),
                amount,
                max.saturating_mul(score::per_year(period)),
            ))
        }
        _ => None,
    };
    let points = sql::combine(
        skills_part,
        sql::seniority_part(
            sql::rank(column(developer::Column::Seniority)),
            Expr::val(score::rank(vacancy.seniority)),
        ),
        salary,
        sql::location_part(
            Expr::val(vacancy.workplace),
            sql::within_reach(
                Expr::val(vacancy.workplace),
                point(vacancy.geo_x, vacancy.geo_y, vacancy.geo_z)
                    .map(|point| crate::geo::squared_chord_expr(developer::Entity, point)),
                column(developer::Column::CountryCode).eq(vacancy.country_code.clone()),
            ),
            column(developer::Column::RemotePreference).eq(entity::Workplace::Remote),
        ),
        Expr::case(
            column(developer::Column::OpenToWork),
            Expr::val(score::FULL),
        )
        .finally(Expr::val(0i64))
        .into(),
    );
    select.expr_as(points.cast_as("BIGINT"), Alias::new(SCORE));
    page_of(db, select, min_score, page, |row| {
        developer::Model::from_query_result(row, "")
    })
    .await
}

/// A page of the OPEN vacancies matching `developer` (whose skill links are `skills`) that meet
/// `criteria` and score at least `min_score`, with their scores; and what `totalCount` counts.
pub async fn vacancies_for(
    db: &impl ConnectionTrait,
    developer: &developer::Model,
    skills: &[developer_skill::Model],
    criteria: Condition,
    min_score: i64,
    page: &Page,
) -> Result<(Paged<(vacancy::Model, i64)>, SelectStatement), DbErr> {
    let column = |column: vacancy::Column| Expr::col((vacancy::Entity, column));
    let fit = Alias::new("fit");
    let fit_column = |name: &str| {
        Expr::from(Func::coalesce([
            Expr::col((fit.clone(), Alias::new(name))),
            Expr::val(0i64),
        ]))
    };
    let mut select = vacancy::Entity::find()
        .filter(criteria)
        .filter(vacancy::Column::Status.eq(entity::VacancyStatus::Open))
        .into_query();
    let shared: Vec<i64> = skills.iter().map(|link| link.skill_id).collect();
    select.join_subquery(
        if shared.is_empty() {
            JoinType::LeftJoin
        } else {
            JoinType::InnerJoin
        },
        credits_of_vacancies(developer.id, &shared),
        fit.clone(),
        Expr::col((fit.clone(), Alias::new("vacancy_id")))
            .equals((vacancy::Entity, vacancy::Column::Id)),
    );
    let skills_part = sql::skills_part(
        fit_column("must_sum"),
        fit_column("must_count"),
        fit_column("nice_sum"),
        fit_column("nice_count"),
    );
    let salary = match (
        developer.salary_expectation_amount,
        &developer.salary_expectation_currency,
    ) {
        (Some(amount), Some(currency)) => Some(sql::salary_part_of_expectation(
            column(vacancy::Column::SalaryMax)
                .is_not_null()
                .and(column(vacancy::Column::SalaryCurrency).eq(currency.clone())),
            amount,
            sql::yearly(
                column(vacancy::Column::SalaryMax),
                column(vacancy::Column::SalaryPeriod),
            ),
        )),
        _ => None,
    };
    let open = if developer.open_to_work {
        score::FULL
    } else {
        0
    };
    let points = sql::combine(
        skills_part,
        sql::seniority_part(
            sql::rank(column(vacancy::Column::Seniority)),
            Expr::val(score::rank(developer.seniority)),
        ),
        salary,
        sql::location_part(
            column(vacancy::Column::Workplace),
            sql::within_reach(
                column(vacancy::Column::Workplace),
                point(developer.geo_x, developer.geo_y, developer.geo_z)
                    .map(|point| crate::geo::squared_chord_expr(vacancy::Entity, point)),
                column(vacancy::Column::CountryCode).eq(developer.country_code.clone()),
            ),
            Expr::val(developer.remote_preference == entity::Workplace::Remote),
        ),
        Expr::val(open),
    );
    select.expr_as(points.cast_as("BIGINT"), Alias::new(SCORE));
    page_of(db, select, min_score, page, |row| {
        vacancy::Model::from_query_result(row, "")
    })
    .await
}

/// Per candidate developer of vacancy `id`: the credit sums of its must-haves and nice-to-haves.
/// Candidates have at least one of its must-haves (`has_must`), else at least one of its skills.
fn credits_of_developers(id: i64, has_must: bool) -> SelectStatement {
    let (ds, vs) = (Alias::new("ds"), Alias::new("vs"));
    let credit = sql::credit(
        Expr::col((ds.clone(), developer_skill::Column::Level)),
        Expr::col((vs.clone(), vacancy_skill::Column::MinLevel)),
    );
    let required = Expr::col((vs.clone(), vacancy_skill::Column::Required));
    let mut select = Query::select()
        .expr_as(
            Expr::col((ds.clone(), developer_skill::Column::DeveloperId)),
            Alias::new("developer_id"),
        )
        .expr_as(
            sum(Expr::case(required.clone(), credit.clone()).finally(Expr::val(0i64))),
            Alias::new("must_sum"),
        )
        .expr_as(
            sum(Expr::case(required, Expr::val(0i64)).finally(credit)),
            Alias::new("nice_sum"),
        )
        .from_as(developer_skill::Entity, ds.clone())
        .join_as(
            JoinType::InnerJoin,
            vacancy_skill::Entity,
            vs.clone(),
            Expr::col((vs.clone(), vacancy_skill::Column::SkillId))
                .equals((ds.clone(), developer_skill::Column::SkillId)),
        )
        .and_where(Expr::col((vs.clone(), vacancy_skill::Column::VacancyId)).eq(id))
        .group_by_col((ds, developer_skill::Column::DeveloperId))
        .to_owned();
    if has_must {
        select.and_having(
            sum(Expr::case(
                Expr::col((vs, vacancy_skill::Column::Required)),
                Expr::val(1i64),
            )
            .finally(Expr::val(0i64)))
            .gt(0),
        );
    }
    select
}

/// Per candidate vacancy for developer `id`: how many must-haves and nice-to-haves it lists, and
/// the credit the developer earns in each kind. Candidates ask for at least one of `shared` (the
/// developer's skills; every vacancy when it is empty), and when they list must-haves the
/// developer has at least one of them.
fn credits_of_vacancies(id: i64, shared: &[i64]) -> SelectStatement {
    let (ds, vs) = (Alias::new("ds"), Alias::new("vs"));
    let level = Expr::col((ds.clone(), developer_skill::Column::Level));
    let credit = sql::credit(
        level.clone(),
        Expr::col((vs.clone(), vacancy_skill::Column::MinLevel)),
    );
    let required = Expr::col((vs.clone(), vacancy_skill::Column::Required));
    let has = level.is_not_null();
    let level_present = has.clone();
    let mut select = Query::select()
        .expr_as(
            Expr::col((vs.clone(), vacancy_skill::Column::VacancyId)),
            Alias::new("vacancy_id"),
        )
        .expr_as(
            sum(Expr::case(required.clone(), Expr::val(1i64)).finally(Expr::val(0i64))),
            Alias::new("must_count"),
        )
        .expr_as(
            sum(Expr::case(required.clone(), Expr::val(0i64)).finally(Expr::val(1i64))),
            Alias::new("nice_count"),
        )
        .expr_as(
            sum(
                Expr::case(required.clone().and(has.clone()), credit.clone())
                    .finally(Expr::val(0i64)),
            ),
            Alias::new("must_sum"),
        )
        .expr_as(
            sum(Expr::case(required.clone().not().and(has), credit).finally(Expr::val(0i64))),
            Alias::new("nice_sum"),
        )
        .from_as(vacancy_skill::Entity, vs.clone())
        .join_as(
            JoinType::LeftJoin,
            developer_skill::Entity,
            ds.clone(),
            Condition::all()
                .add(
                    Expr::col((ds.clone(), developer_skill::Column::SkillId))
                        .equals((vs.clone(), vacancy_skill::Column::SkillId)),
                )
                .add(Expr::col((ds, developer_skill::Column::DeveloperId)).eq(id)),
        )
        .group_by_col((vs.clone(), vacancy_skill::Column::VacancyId))
        .to_owned();
    if !shared.is_empty() {
        let must_count =
            sum(Expr::case(required.clone(), Expr::val(1i64)).finally(Expr::val(0i64)));
        let must_had = sum(
            Expr::case(required.and(level_present.clone()), Expr::val(1i64))
                .finally(Expr::val(0i64)),
        );
        select.and_having(must_count.eq(0).or(must_had.gt(0)));
        let other = Alias::new("shared");
        select.and_where(
            Expr::col((vs, vacancy_skill::Column::VacancyId)).in_subquery(
                Query::select()
                    .column((other.clone(), vacancy_skill::Column::VacancyId))
                    .from_as(vacancy_skill::Entity, other.clone())
                    .and_where(
                        Expr::col((other, vacancy_skill::Column::SkillId))
                            .is_in(shared.iter().copied()),
                    )
                    .to_owned(),
            ),
        );
    }
    select
}

/// `SUM(expr)` as a BIGINT (PostgreSQL sums BIGINTs into NUMERIC, which divides with fractions).
fn sum(expr: impl Into<Expr>) -> Expr {
    Expr::from(Func::sum(expr.into())).cast_as("BIGINT")
}

/// Pages `select` (rows with a `match_score`) by score, keeping those at or above `min_score`;
/// returns the page and the statement of every match, which `totalCount` counts.
async fn page_of<M>(
    db: &impl ConnectionTrait,
    select: SelectStatement,
    min_score: i64,
    page: &Page,
    decode: impl Fn(&QueryResult) -> Result<M, sea_orm::DbErr>,
) -> Result<(Paged<(M, i64)>, SelectStatement), DbErr> {
    let mut matched = Query::select()
        .column(Asterisk)
        .from_subquery(select, Alias::new("matched"))
        .to_owned();
    if min_score > 0 {
        matched.and_where(Expr::col(Alias::new(SCORE)).gte(min_score));
    }
    let paged = fetch_page(db, matched.clone(), page, |row| {
        Ok((decode(row)?, row.try_get_by::<i64, _>(SCORE)?))
    })
    .await?;
    Ok((paged, matched))
}

/// A row's unit vector, when it has one.
pub fn point(x: Option<f64>, y: Option<f64>, z: Option<f64>) -> Option<[f64; 3]> {
    Some([x?, y?, z?])
}
