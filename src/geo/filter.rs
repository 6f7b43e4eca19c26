//! "Within r km of a place": the GraphQL input, and its SQL condition.

use async_graphql::InputObject;
use dbkit::keyset::{KeyKind, Sort, SortKey};
use sea_orm::{
    Condition, EntityTrait, Order,
    sea_query::{Alias, Expr, ExprTrait, IntoIden, SimpleExpr},
};
use toolkit::{
    error::{ApiError, ApiResult},
    filter, iso,
};

use super::{bounding_box, resolve, squared_chord, unit_vector};

/// The squared chord from the unit vector `point` to the row of `table`, in SQL: the same
/// arithmetic, in the same order, as [`super::squared_chord_between`].
pub fn squared_chord_expr(table: impl IntoIden + Copy, point: [f64; 3]) -> SimpleExpr {
    let square = |column: &str, value: f64| {
        let delta = Expr::col((table, Alias::new(column))).sub(value);
        delta.clone().mul(delta)
    };
    square("geo_x", point[0])
        .add(square("geo_y", point[1]))
        .add(square("geo_z", point[2]))
}

/// Ordering by distance without a `near` filter to measure from: `BAD_USER_INPUT` at
/// `orderBy.field`.
pub fn no_centre() -> ApiError {
    ApiError::bad_input(
        ["orderBy", "field"],
        "DISTANCE orders by the distance from `filter.near`: give a near filter",
    )
}

/// Farthest a search may reach, in km: half the Earth's circumference.
const MAX_RADIUS_KM: f64 = 20_000.0;

/// A circle to search in: around a city (found in the server's gazetteer of GeoNames cities of
/// 15,000 people or more) or a point, with a radius. Rows without a known city are outside.
#[derive(InputObject, Clone, Debug)]
pub struct NearFilter {
    /// The centre's city, e.g. `Berlin` or `München`; give `countryCode` with it. Or give
    /// `latitude` and `longitude` instead.
    pub city: Option<String>,
    /// The city's country: ISO 3166-1 alpha-2 code, e.g. `DE`.
    pub country_code: Option<String>,
    /// The centre's latitude, degrees north (-90 to 90), with `longitude`, instead of a city.
    pub latitude: Option<f64>,
    /// The centre's longitude, degrees east (-180 to 180).
    pub longitude: Option<f64>,
    /// How far from the centre, in km: more than 0, at most 20,000.
    pub radius_km: f64,
}

/// A circle on the globe: a centre (degrees) and a radius (km).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Circle {
    /// The centre's latitude.
    pub latitude: f64,
    /// The centre's longitude.
    pub longitude: f64,
    /// The radius.
    pub radius_km: f64,
}

/// A place to measure a distance from: a city (found in the server's gazetteer) or a point.
#[derive(InputObject, Clone, Debug)]
pub struct PlaceInput {
    /// A city, e.g. `Berlin` or `München`; give `countryCode` with it. Or give `latitude` and
    /// `longitude` instead.
    pub city: Option<String>,
    /// The city's country: ISO 3166-1 alpha-2 code, e.g. `DE`.
    pub country_code: Option<String>,
    /// Latitude, degrees north (-90 to 90), with `longitude`, instead of a city.
    pub latitude: Option<f64>,
    /// Longitude, degrees east (-180 to 180).
    pub longitude: Option<f64>,
}

impl PlaceInput {
    /// The point (degrees) this input means; `BAD_USER_INPUT` under `at` when it names none.
    pub fn point(&self, at: &[String]) -> ApiResult<(f64, f64)> {
        point(
            self.city.as_deref(),
            self.country_code.as_deref(),
            self.latitude,
            self.longitude,
            at,
        )
    }
}

/// The point that a city and country, or a latitude and longitude, name; `BAD_USER_INPUT` at
/// `at` plus the field when they name none, an unknown city, or a point off the globe.
fn point(
    city: Option<&str>,
    country: Option<&str>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    at: &[String],
) -> ApiResult<(f64, f64)> {
    let field = |name: &str| {
        at.iter()
            .cloned()
            .chain([name.to_owned()])
            .collect::<Vec<_>>()
    };
    match (city, country, latitude, longitude) {
        (Some(city), Some(country), None, None) => {
            let country = iso::country(country).ok_or_else(|| {
                ApiError::bad_input(
                    field("countryCode"),
                    format!("`{country}` is not an ISO 3166-1 alpha-2 country code"),
                )
            })?;
            let place = resolve(city, &country).ok_or_else(|| {
                ApiError::bad_input(
                    field("city"),
                    format!(
                        "no city called `{city}` in {country} is known (the gazetteer holds GeoNames' cities of 15,000 people or more); give latitude and longitude instead"
                    ),
                )
            })?;
            Ok((place.latitude, place.longitude))
        }
        (None, None, Some(latitude), Some(longitude)) => {
            if !(-90.0..=90.0).contains(&latitude) {
                return Err(ApiError::bad_input(
                    field("latitude"),
                    format!("a latitude is -90 to 90, got {latitude}"),
                ));
            }
            if !(-180.0..=180.0).contains(&longitude) {
                return Err(ApiError::bad_input(
                    field("longitude"),
                    format!("a longitude is -180 to 180, got {longitude}"),
                ));
            }
            Ok((latitude, longitude))
        }
        _ => Err(ApiError::bad_input(
            at.to_vec(),
            "give either city and countryCode, or latitude and longitude",
        )),
    }
}

impl NearFilter {
    /// The circle this input means; `BAD_USER_INPUT` at `filter.near.…` when it names no place or
    /// an unknown city, or a radius out of range.
    pub fn circle(&self) -> ApiResult<Circle> {
        let at = |field: &str| filter::path("near", None, Some(field));
        if !(self.radius_km > 0.0 && self.radius_km <= MAX_RADIUS_KM) {
            return Err(ApiError::bad_input(
                at("radiusKm"),
                format!(
                    "the radius is more than 0 and at most 20000 km, got {}",
                    self.radius_km
                ),
            ));
        }
        let (latitude, longitude) = point(
            self.city.as_deref(),
            self.country_code.as_deref(),
            self.latitude,
            self.longitude,
            &filter::path("near", None, None),
        )?;
        Ok(Circle {
            latitude,
            longitude,
            radius_km: self.radius_km,
        })
    }
}

impl Circle {
    /// The squared chord from the centre to the row of `table` (see the module's doc of `geo`):
    /// it orders rows by great-circle distance.
    pub fn squared_chord_to(&self, table: impl IntoIden + Copy) -> SimpleExpr {
        squared_chord_expr(table, unit_vector(self.latitude, self.longitude))
    }

    /// Nearest first (or farthest, with `order` DESC), ties by primary key: the keyset sort of a
    /// list of `E` named `list` filtered by this circle (its rows all have coordinates), fetched as a deferred
    /// join. The centre is part of the sort's name, so a cursor of a list around another centre
    /// is refused.
    pub fn sort<E: EntityTrait + Default + Copy>(&self, list: &str, order: Order) -> Sort {
        let (table, id) = (E::default(), dbkit::keyset::primary_key::<E>());
        let direction = if matches!(order, Order::Desc) {
            "DESC"
        } else {
            "ASC"
        };
        Sort::with_id(
            format!(
                "{list}:Distance:{}:{}:{direction}",
                self.latitude, self.longitude
            ),
            SortKey::new(self.squared_chord_to(table), KeyKind::Float, order),
            id,
        )
        // The `near` index covers the filter and the key: the page's ids come from it alone.
        .deferred()
    }

    /// The rows of `table` within the circle: in its bounding box first (on the indexed
    /// latitude and longitude), then within the exact great-circle distance.
    pub fn condition(&self, table: impl IntoIden + Copy) -> Condition {
        let column = |name: &str| Expr::col((table, Alias::new(name)));
        let area = bounding_box(self.latitude, self.longitude, self.radius_km);
        let mut inside = Condition::all()
            .add(column("latitude").gte(area.latitude.0))
            .add(column("latitude").lte(area.latitude.1));
        if !area.longitude.is_empty() {
            let mut longitude = Condition::any();
            for (west, east) in area.longitude {
                longitude = longitude.add(
                    Condition::all()
                        .add(column("longitude").gte(west))
                        .add(column("longitude").lte(east)),
                );
            }
            inside = inside.add(longitude);
        }
        inside.add(
            self.squared_chord_to(table)
                .lte(squared_chord(self.radius_km)),
        )
    }
}
