//! Places and distances: the gazetteer that turns a city and country into coordinates, and the
//! great-circle geometry that distance filters use.
//!
//! The gazetteer is GeoNames' `cities15000` (every city of 15,000 people or more; CC BY 4.0, see
//! `THIRD-PARTY-LICENSES.txt`), bundled as `cities.tsv` by `scripts/gazetteer.py`. A name matches
//! a city's own name or any of its other names (the name without accents; for large cities the
//! exonyms and local names GeoNames lists), case-insensitively; when several cities of a country
//! share a name, the most populous one is meant.
//!
//! Rows store their coordinates twice: latitude and longitude (indexed, for a bounding box), and
//! the point as a unit vector `(x, y, z)` on the sphere. The straight-line ("chord") distance
//! between two unit vectors grows with the great-circle distance, so "within r km" and "nearest
//! first" are plain arithmetic in SQL, `(x - x0)² + (y - y0)² + (z - z0)²`, exact on both engines
//! (SQLite has no trigonometric functions unless built with them).

use std::{collections::HashMap, sync::OnceLock};

mod filter;
pub mod store;

pub use filter::{Circle, NearFilter, PlaceInput, no_centre, squared_chord_expr};

/// The squared chord between the unit vectors of a row (`row`) and a fixed point (`point`), as
/// [`squared_chord_expr`] computes it in SQL: `Σ (row − point)²`, x then y then z.
pub fn squared_chord_between(row: [f64; 3], point: [f64; 3]) -> f64 {
    let square = |i: usize| (row[i] - point[i]) * (row[i] - point[i]);
    square(0) + square(1) + square(2)
}

/// The distance in km, to the tenth, from the place `from` names to a row at `latitude`,
/// `longitude` (None when the row's city is unknown): `distanceKm` of developers and vacancies.
pub fn distance_from(
    from: &PlaceInput,
    latitude: Option<f64>,
    longitude: Option<f64>,
) -> toolkit::error::ApiResult<Option<f64>> {
    let origin = from.point(&["from".to_owned()])?;
    Ok(latitude
        .zip(longitude)
        .map(|to| (distance_km(origin, to) * 10.0).round() / 10.0))
}

/// The mean Earth radius (IUGG), in km.
pub const EARTH_RADIUS_KM: f64 = 6371.0088;

/// The gazetteer, one line per city: country, name, latitude, longitude, population, other names.
const CITIES: &str = include_str!("cities.tsv");

/// A city of the gazetteer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Place {
    /// Its name in GeoNames, e.g. `Köln`.
    pub name: &'static str,
    /// Latitude, degrees north.
    pub latitude: f64,
    /// Longitude, degrees east.
    pub longitude: f64,
}

impl Place {
    /// The point as a unit vector: `(cos φ cos λ, cos φ sin λ, sin φ)`.
    pub fn unit_vector(&self) -> [f64; 3] {
        unit_vector(self.latitude, self.longitude)
    }
}

/// The point at `latitude`, `longitude` (degrees) as a unit vector.
pub fn unit_vector(latitude: f64, longitude: f64) -> [f64; 3] {
    let (phi, lambda) = (latitude.to_radians(), longitude.to_radians());
    [
        phi.cos() * lambda.cos(),
        phi.cos() * lambda.sin(),
        phi.sin(),
    ]
}

/// The key of a name in [`index`]: country code, a NUL, the name in lower case.
fn key(country: &str, name: &str) -> String {
    format!("{}\0{}", country.to_ascii_uppercase(), name.to_lowercase())
}

/// The cities by country and name (each name to its most populous city).
fn index() -> &'static HashMap<String, Place> {
    static INDEX: OnceLock<HashMap<String, Place>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        // Lines come by country, largest city first: the first to claim a name keeps it.
        for line in CITIES.lines() {
            let mut fields = line.split('\t');
            let (Some(country), Some(name), Some(latitude), Some(longitude)) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let (Ok(latitude), Ok(longitude)) = (latitude.parse(), longitude.parse()) else {
                continue;
            };
            let place = Place {
                name,
                latitude,
                longitude,
            };
            let others = fields.nth(1).unwrap_or_default();
            for alias in std::iter::once(name).chain(others.split('|')) {
                if !alias.is_empty() {
                    index.entry(key(country, alias)).or_insert(place);
                }
            }
        }
        index
    })
}

/// Reads the gazetteer now (34,006 lines into a map of every name), at start-up, rather than
/// in the first request that names a place.
pub fn warm() {
    index();
}

/// The city named `city` in the country `country_code` (ISO 3166-1 alpha-2), if the gazetteer
/// has it; runs of spaces in the name count as one.
pub fn resolve(city: &str, country_code: &str) -> Option<Place> {
    let name = city.split_whitespace().collect::<Vec<_>>().join(" ");
    index().get(&key(country_code, &name)).copied()
}

/// What a row stores of where it is (see the module's doc): all None when its city is unknown.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Located {
    /// Latitude, degrees.
    pub latitude: Option<f64>,
    /// Longitude, degrees.
    pub longitude: Option<f64>,
    /// The unit vector.
    pub vector: Option<[f64; 3]>,
}

/// Where a row in `city` (if it has one) of `country_code` is.
pub fn locate(city: Option<&str>, country_code: &str) -> Located {
    match city.and_then(|city| resolve(city, country_code)) {
        Some(place) => Located {
            latitude: Some(place.latitude),
            longitude: Some(place.longitude),
            vector: Some(place.unit_vector()),
        },
        None => Located::default(),
    }
}

/// Where a row in `city` (if any) of `country_code` is, for a write: a user error at
/// `input.city` when the gazetteer does not know the city. Nothing is checked when the country is
/// not a valid code or the city is blank (their own checks report those).
pub fn check(
    v: &mut toolkit::validation::Validator,
    city: Option<&str>,
    country_code: &str,
) -> Located {
    check_at(v, &["city"], city, country_code)
}

/// [`check`], with the user error at `field` (a path inside `input`).
pub fn check_at(
    v: &mut toolkit::validation::Validator,
    field: &[&str],
    city: Option<&str>,
    country_code: &str,
) -> Located {
    let Some(country) = toolkit::iso::country(country_code) else {
        return Located::default();
    };
    let Some(city) = city.filter(|city| !city.trim().is_empty()) else {
        return Located::default();
    };
    let located = locate(Some(city), &country);
    if located.latitude.is_none() {
        v.error(
            field,
            toolkit::validation::UserErrorCode::Invalid,
            format!(
                "no city called `{}` in {country} is known: the directory places people and jobs in GeoNames' cities of 15,000 people or more; name the nearest one",
                city.trim()
            ),
        );
    }
    located
}

/// The great-circle distance between two points (degrees), in km (haversine).
pub fn distance_km(from: (f64, f64), to: (f64, f64)) -> f64 {
    let (phi1, phi2) = (from.0.to_radians(), to.0.to_radians());
    let (dphi, dlambda) = ((to.0 - from.0).to_radians(), (to.1 - from.1).to_radians());
    let a = (dphi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (dlambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// The squared chord between two unit vectors `km` apart on the great circle: a row is within
/// `km` when its squared chord to the centre is at most this.
pub fn squared_chord(km: f64) -> f64 {
    let half = (km / EARTH_RADIUS_KM / 2.0).min(std::f64::consts::FRAC_PI_2);
    (2.0 * half.sin()).powi(2)
}

/// The great-circle distance, in km, of a squared chord.
pub fn km_of_squared_chord(squared: f64) -> f64 {
    2.0 * EARTH_RADIUS_KM * (squared.max(0.0).sqrt() / 2.0).min(1.0).asin()
}

/// The latitudes and longitudes every point within some distance of a centre lies in: the
/// longitudes as one range, or two when the box crosses the antimeridian, or none (every
/// longitude) when it reaches a pole.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundingBox {
    /// Southern and northern edges, degrees.
    pub latitude: (f64, f64),
    /// Western and eastern edges of each longitude range, degrees; empty for all longitudes.
    pub longitude: Vec<(f64, f64)>,
}

/// The box around `latitude`, `longitude` that holds every point within `km` (J. P. Matuschek,
/// "Finding Points Within a Distance of a Latitude/Longitude Using Bounding Coordinates").
pub fn bounding_box(latitude: f64, longitude: f64, km: f64) -> BoundingBox {
    let angle = km / EARTH_RADIUS_KM;
    let (phi, lambda) = (latitude.to_radians(), longitude.to_radians());
    let (south, north) = (phi - angle, phi + angle);
    let half_pi = std::f64::consts::FRAC_PI_2;
    if south <= -half_pi || north >= half_pi || angle >= std::f64::consts::PI {
        return BoundingBox {
            latitude: (
                south.max(-half_pi).to_degrees(),
                north.min(half_pi).to_degrees(),
            ),
            longitude: Vec::new(),
        };
    }
    let delta = (angle.sin() / phi.cos()).min(1.0).asin();
    let (west, east) = ((lambda - delta).to_degrees(), (lambda + delta).to_degrees());
    let longitude = if west < -180.0 {
        vec![(west + 360.0, 180.0), (-180.0, east)]
    } else if east > 180.0 {
        vec![(west, 180.0), (-180.0, east - 360.0)]
    } else {
        vec![(west, east)]
    };
    BoundingBox {
        latitude: (south.to_degrees(), north.to_degrees()),
        longitude,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_city_is_found_by_its_name_an_exonym_or_its_name_without_accents() {
        let cologne = resolve("Köln", "DE").expect("Köln");
        assert_eq!(resolve("Cologne", "DE"), Some(cologne));
        assert_eq!(resolve("koln", "de"), Some(cologne));
        assert_eq!(
            resolve("  Montreal ", "CA").map(|p| p.name),
            Some("Montréal")
        );
        assert_eq!(resolve("München", "DE").map(|p| p.name), Some("Munich"));
        assert_eq!(
            resolve("New York", "US").map(|p| p.name),
            Some("New York City")
        );
    }

    #[test]
    fn a_shared_name_means_the_most_populous_city_of_that_country() {
        let portland = resolve("Portland", "US").expect("Portland");
        // Oregon's (650,000 people), not Maine's (68,000).
        assert!(portland.longitude < -120.0, "{portland:?}");
    }

    #[test]
    fn an_unknown_city_or_a_city_of_another_country_is_not_found() {
        assert_eq!(resolve("Atlantis", "GR"), None);
        assert_eq!(resolve("Berlin", "FR"), None);
        assert_eq!(resolve("Berlin", "XX"), None);
        assert_eq!(resolve("", "DE"), None);
    }

    #[test]
    fn distances_match_known_great_circle_distances() {
        let berlin = resolve("Berlin", "DE").expect("Berlin");
        let munich = resolve("Munich", "DE").expect("Munich");
        let km = distance_km(
            (berlin.latitude, berlin.longitude),
            (munich.latitude, munich.longitude),
        );
        assert!((km - 504.0).abs() < 5.0, "{km}");
        let [a, b] = [berlin.unit_vector(), munich.unit_vector()];
        let squared: f64 = a.iter().zip(b).map(|(p, q)| (p - q).powi(2)).sum();
        assert!((km_of_squared_chord(squared) - km).abs() < 1e-6);
        assert!(squared <= squared_chord(km + 0.001) && squared > squared_chord(km - 0.001));
    }

    #[test]
    fn a_bounding_box_holds_every_point_within_its_distance() {
        let oslo = resolve("Oslo", "NO").expect("Oslo");
        let around = bounding_box(oslo.latitude, oslo.longitude, 600.0);
        for city in ["Stockholm", "Göteborg", "Copenhagen"] {
            let country = match city {
                "Copenhagen" => "DK",
                _ => "SE",
            };
            let place = resolve(city, country).expect(city);
            let km = distance_km(
                (oslo.latitude, oslo.longitude),
                (place.latitude, place.longitude),
            );
            assert!(km < 600.0, "{city} {km}");
            assert!(place.latitude >= around.latitude.0 && place.latitude <= around.latitude.1);
            assert!(
                around
                    .longitude
                    .iter()
                    .any(|(w, e)| place.longitude >= *w && place.longitude <= *e),
                "{city}"
            );
        }
    }

    #[test]
    fn a_box_across_the_antimeridian_has_two_longitude_ranges_and_one_at_a_pole_none() {
        let fiji = bounding_box(-17.7, 179.5, 200.0);
        assert_eq!(fiji.longitude.len(), 2);
        assert!(fiji.longitude.iter().any(|(w, _)| *w == -180.0));
        let pole = bounding_box(89.0, 0.0, 500.0);
        assert!(pole.longitude.is_empty());
        assert_eq!(pole.latitude.1, 90.0);
    }
}
