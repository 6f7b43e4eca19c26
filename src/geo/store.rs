//! Coordinates in the database: filling in the rows that have none.

use sea_orm::{
    ConnectionTrait, DbErr,
    sea_query::{Alias, Expr, ExprTrait, Query},
};

use super::resolve;

/// The tables with coordinates, and whether they keep the unit vector too.
const TABLES: [(&str, bool); 3] = [
    ("developers", true),
    ("vacancies", true),
    ("employers", false),
];

/// Gives the rows with a city the gazetteer knows but no coordinates theirs (rows written before
/// coordinates existed, or by another writer); returns how many. One `SELECT DISTINCT` per table,
/// then one `UPDATE` per city found: run at start-up, after the migrations.
pub async fn locate_unlocated(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let mut located = 0;
    for (table, vector) in TABLES {
        let cities = Query::select()
            .distinct()
            .columns([Alias::new("city"), Alias::new("country_code")])
            .from(Alias::new(table))
            .and_where(Expr::col(Alias::new("latitude")).is_null())
            .and_where(Expr::col(Alias::new("city")).is_not_null())
            .to_owned();
        for row in db.query_all_raw(backend.build(&cities)).await? {
            let city: String = row.try_get("", "city")?;
            let country: String = row.try_get("", "country_code")?;
            let Some(place) = resolve(&city, &country) else {
                continue;
            };
            let mut update = Query::update();
            update
                .table(Alias::new(table))
                .value(Alias::new("latitude"), place.latitude)
                .value(Alias::new("longitude"), place.longitude);
            if vector {
                let [x, y, z] = place.unit_vector();
                update
                    .value(Alias::new("geo_x"), x)
                    .value(Alias::new("geo_y"), y)
                    .value(Alias::new("geo_z"), z);
            }
            update
                .and_where(Expr::col(Alias::new("city")).eq(city))
                .and_where(Expr::col(Alias::new("country_code")).eq(country))
                .and_where(Expr::col(Alias::new("latitude")).is_null());
            located += db
                .execute_raw(backend.build(&update))
                .await?
                .rows_affected();
        }
    }
    Ok(located)
}

/// Where row `id` of `table` will be after an update that gives `city` and `country` (see
/// [`updated_place`]), checked ([`super::check`]: an unknown city is a user error in `v`); None
/// when the update leaves the place alone.
pub async fn relocated(
    db: &impl ConnectionTrait,
    v: &mut toolkit::validation::Validator,
    table: &str,
    id: i64,
    city: Option<Option<&str>>,
    country: Option<&str>,
) -> Result<Option<super::Located>, DbErr> {
    Ok(updated_place(db, table, id, city, country)
        .await?
        .map(|(city, country)| super::check(v, city.as_deref(), &country)))
}

/// The city and country of row `id` of `table` now; None when there is no such row.
pub async fn place_of(
    db: &impl ConnectionTrait,
    table: &str,
    id: i64,
) -> Result<Option<(Option<String>, String)>, DbErr> {
    let backend = db.get_database_backend();
    let select = Query::select()
        .columns([Alias::new("city"), Alias::new("country_code")])
        .from(Alias::new(table))
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .to_owned();
    let Some(row) = db.query_one_raw(backend.build(&select)).await? else {
        return Ok(None);
    };
    Ok(Some((
        row.try_get("", "city")?,
        row.try_get("", "country_code")?,
    )))
}

/// Where row `id` of `table` will be once an update that gives `city` (Some: changed, to None
/// for none) and `country` (Some: changed) is written; None when neither changes (nor does the
/// place) or the row does not exist. Reads the row only when one of the two is left as it is.
pub async fn updated_place(
    db: &impl ConnectionTrait,
    table: &str,
    id: i64,
    city: Option<Option<&str>>,
    country: Option<&str>,
) -> Result<Option<(Option<String>, String)>, DbErr> {
    Ok(match (city, country) {
        (None, None) => None,
        (Some(city), Some(country)) => Some((city.map(str::to_owned), country.to_owned())),
        (city, country) => place_of(db, table, id)
            .await?
            .map(|(old_city, old_country)| {
                (
                    city.map_or(old_city, |city| city.map(str::to_owned)),
                    country.map_or(old_country, str::to_owned),
                )
            }),
    })
}
