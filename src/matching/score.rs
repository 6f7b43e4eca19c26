//! The match score of a developer and a vacancy: one formula, written twice on purpose. The SQL
//! form ranks and filters candidates inside the database (both engines); the Rust form explains a
//! score (the parts behind `reasons`) and is the independent computation the tests hold the SQL
//! to. Everything is whole-number arithmetic (per mille parts, a score in basis points), so both
//! forms and both engines agree to the last digit and a score is an exact cursor value.
//!
//! The parts, each 0 to 1000:
//! - **skills** (weight 550): each skill asked for earns `1000 × min(level, minimum) / minimum`
//!   (nothing when the developer lacks it); must-haves give the mean of their credits (1000 when
//!   there are none); nice-to-haves, when there are any, are a bonus worth 15% of this part:
//!   `(850 × must + 150 × nice) / 1000`.
//! - **seniority** (150): 1000 at the level asked, 500 one level away, 0 further.
//! - **salary** (150): the developer's yearly expectation against the vacancy's maximum, made
//!   yearly (hour × 2080, day × 260, week × 52, month × 12), read on a fixed grid of amounts
//!   about 10% apart ([`grid`]): both are rounded up to the grid; 1000 when the expectation's
//!   grid amount is at most the maximum's ("within budget"), 500 when it is the next one up ("up
//!   to about 10% over"), 0 beyond. Only the band shows, and a maximum only counts through its
//!   grid amount,
//!   so an employer who edits its own vacancy's maximum and watches a developer's score learns at
//!   most between which two grid amounts the expectation lies: never closer than 10% (the audit
//!   recovered 62,985 of 63,000 in 23 edits from the linear part this replaced). Only in one
//!   currency: a different currency, or no figure on either side, leaves the part out (neither
//!   helps nor hurts: its weight is dropped).
//! - **location** (100): a REMOTE vacancy fits anyone; an ONSITE or HYBRID one needs to be within
//!   commuting reach of where the developer lives (0 beyond): great-circle distance between their
//!   cities of at most [`ONSITE_COMMUTE_KM`] (50) for ONSITE, [`HYBRID_COMMUTE_KM`] (100) for
//!   HYBRID (fewer trips a week), or the same country when either city is not in the gazetteer;
//!   within reach, it fits a developer who prefers REMOTE less (ONSITE 500, HYBRID 750). Both forms
//!   compare the squared chord between the stored unit vectors with the same arithmetic, so they
//!   agree exactly.
//! - **open to work** (50): 1000 if they are.
//!
//! The score is the weighted mean in basis points: `10 × Σ weight × part / Σ weight`, 0 to 10000.

use entity::{SalaryPeriod, Seniority, Workplace};
use sea_orm::sea_query::{Expr, ExprTrait, Func};

/// Weight of the skills part.
pub const SKILLS_WEIGHT: i64 = 550;
/// Weight of the seniority part.
pub const SENIORITY_WEIGHT: i64 = 150;
/// Weight of the salary part, when it applies.
pub const SALARY_WEIGHT: i64 = 150;
/// Weight of the location part.
pub const LOCATION_WEIGHT: i64 = 100;
/// Farthest, in km, an ONSITE vacancy's city may be from the developer's to be within reach: a
/// daily commute.
pub const ONSITE_COMMUTE_KM: f64 = 50.0;
/// Farthest, in km, for a HYBRID vacancy: commuting a few days a week allows a longer trip.
pub const HYBRID_COMMUTE_KM: f64 = 100.0;
/// Weight of the open-to-work part.
pub const OPEN_WEIGHT: i64 = 50;
/// A part's full marks.
pub const FULL: i64 = 1000;
/// The highest score, in basis points.
pub const MAX_SCORE: i64 = 10_000;
/// Share of the skills part that nice-to-haves are worth, when a vacancy lists any (per mille).
const NICE_SHARE: i64 = 150;

/// The rank of a seniority level, intern 0 to principal 5.
pub fn rank(seniority: Seniority) -> i64 {
    match seniority {
        Seniority::Intern => 0,
        Seniority::Junior => 1,
        Seniority::Middle => 2,
        Seniority::Senior => 3,
        Seniority::Lead => 4,
        Seniority::Principal => 5,
    }
}

/// How many times a period fits in a year.
pub fn per_year(period: SalaryPeriod) -> i64 {
    match period {
        SalaryPeriod::Hour => 2080,
        SalaryPeriod::Day => 260,
        SalaryPeriod::Week => 52,
        SalaryPeriod::Month => 12,
        SalaryPeriod::Year => 1,
    }
}

/// One skill a vacancy asks for, and the developer's level in it (None: they lack it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkillFit {
    pub skill_id: i64,
    pub required: bool,
    pub min_level: i16,
    pub level: Option<i16>,
}

impl SkillFit {
    /// The credit this skill earns, 0 to 1000.
    pub fn credit(&self) -> i64 {
        let minimum = i64::from(Ord::max(self.min_level, 1));
        self.level.map_or(0, |level| {
            FULL * Ord::min(i64::from(level), minimum) / minimum
        })
    }

    /// Whether the developer has it at the level asked or above.
    pub fn meets_minimum(&self) -> bool {
        self.level.is_some_and(|level| level >= self.min_level)
    }
}

/// Everything the score looks at, for one developer and one vacancy.
#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    /// The vacancy's skills, with the developer's levels.
    pub skills: Vec<SkillFit>,
    pub vacancy_seniority: Seniority,
    pub developer_seniority: Seniority,
    /// The vacancy's maximum, yearly, and its currency.
    pub salary_max: Option<(i64, String)>,
    /// The developer's yearly expectation and its currency.
    pub expectation: Option<(i64, String)>,
    pub workplace: Workplace,
    pub vacancy_country: String,
    pub developer_country: String,
    /// The vacancy's and the developer's cities as unit vectors, when the gazetteer knows them.
    pub vacancy_point: Option<[f64; 3]>,
    pub developer_point: Option<[f64; 3]>,
    pub remote_preference: Workplace,
    pub open_to_work: bool,
}

/// How the salary part came out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SalaryFit {
    /// Compared: the part, 0 to 1000, and how far above the maximum the expectation is
    /// (per mille of the maximum; 0 within the range or below).
    Compared { part: i64, above: i64 },
    /// Not compared: the vacancy names no salary.
    NoRange,
    /// Not compared: the developer gave no expectation.
    NoExpectation,
    /// Not compared: expectation and range are in different currencies.
    OtherCurrency,
}

/// A score and its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breakdown {
    /// Mean credit of the must-haves (1000 when there are none).
    pub must: i64,
    /// Mean credit of the nice-to-haves, when there are any.
    pub nice: Option<i64>,
    /// The skills part.
    pub skills: i64,
    /// Levels between the developer's seniority and the one asked.
    pub seniority_distance: i64,
    pub seniority: i64,
    pub salary: SalaryFit,
    pub location: i64,
    pub open: i64,
    /// The score, 0 to 10000.
    pub score: i64,
}

/// The parts of the skills score: (must-have credit sum, must-have count, nice-to-have credit
/// sum, nice-to-have count) to the part.
pub fn skills_part(
    must_sum: i64,
    must_count: i64,
    nice_sum: i64,
    nice_count: i64,
) -> (i64, Option<i64>, i64) {
    let must = if must_count == 0 {
        FULL
    } else {
        must_sum / must_count
    };
    let nice = (nice_count > 0).then(|| nice_sum / nice_count);
    let part = match nice {
        None => must,
        Some(nice) => ((FULL - NICE_SHARE) * must + NICE_SHARE * nice) / FULL,
    };
    (must, nice, part)
}

/// The seniority part for a distance in levels.
pub fn seniority_part(distance: i64) -> i64 {
    match distance {
        0 => FULL,
        1 => FULL / 2,
        _ => 0,
    }
}

/// The amounts the salary part reads a maximum and an expectation on: 0, then 1, 2, ... each the
/// one before plus a tenth of it rounded up (at least 1), past any yearly amount (10^15).
pub fn grid() -> &'static [i64] {
    static GRID: std::sync::LazyLock<Vec<i64>> = std::sync::LazyLock::new(|| {
        let mut points = vec![0, 1];
        let mut point: i64 = 1;
        while point < 1_000_000_000_000_000 {
            point += Ord::max(1, (point + 9) / 10);
            points.push(point);
        }
        points
    });
    &GRID
}

/// The grid cell of `amount`: the index of the smallest grid amount at or above it.
fn cell(amount: i64) -> usize {
    grid()
        .partition_point(|&point| point < amount)
        .min(grid().len() - 1)
}

/// The grid amounts a fixed yearly `maximum` is read as: an expectation at or below the first
/// (the maximum rounded up to the grid) is within budget, at or below the second (the next grid
/// amount) up to about 10% over.
pub fn thresholds_of_maximum(maximum: i64) -> (i64, i64) {
    let points = grid();
    let index = cell(maximum);
    (points[index], points[(index + 1).min(points.len() - 1)])
}

/// The amounts a yearly maximum must be above for a fixed `expectation` to be within budget, and
/// up to about 10% over: the same bands as [`thresholds_of_maximum`], from the other side.
pub fn thresholds_of_expectation(expectation: i64) -> (i64, i64) {
    let points = grid();
    let below = |steps: usize| {
        cell(expectation)
            .checked_sub(steps)
            .map_or(-1, |index| points[index])
    };
    (below(1), below(2))
}

/// The salary part: a yearly expectation against a yearly maximum (same currency), by band.
pub fn salary_part(expectation: i64, maximum: i64) -> i64 {
    let (expectation, maximum) = (cell(expectation), cell(maximum));
    if expectation <= maximum {
        FULL
    } else if expectation <= maximum + 1 {
        FULL / 2
    } else {
        0
    }
}

/// The squared chord of the commuting radius of `workplace` (see [`ONSITE_COMMUTE_KM`]).
pub fn commute_chord(workplace: Workplace) -> f64 {
    crate::geo::squared_chord(match workplace {
        Workplace::Onsite => ONSITE_COMMUTE_KM,
        Workplace::Hybrid | Workplace::Remote => HYBRID_COMMUTE_KM,
    })
}

/// Whether a developer can reach a vacancy at `workplace`: its city within the commuting radius
/// of theirs when the gazetteer knows both, else the same country.
pub fn within_reach(
    workplace: Workplace,
    vacancy_point: Option<[f64; 3]>,
    developer_point: Option<[f64; 3]>,
    same_country: bool,
) -> bool {
    match (vacancy_point, developer_point) {
        (Some(vacancy), Some(developer)) => {
            crate::geo::squared_chord_between(developer, vacancy) <= commute_chord(workplace)
        }
        _ => same_country,
    }
}

/// The location part: `reachable` says whether the vacancy's place is within reach.
pub fn location_part(workplace: Workplace, reachable: bool, prefers_remote: bool) -> i64 {
    match (workplace, reachable, prefers_remote) {
        (Workplace::Remote, _, _) => FULL,
        (_, false, _) => 0,
        (Workplace::Onsite, true, true) => FULL / 2,
        (Workplace::Hybrid, true, true) => 3 * FULL / 4,
        (_, true, false) => FULL,
    }
}

/// The weighted mean of the parts, in basis points.
pub fn combine(skills: i64, seniority: i64, salary: Option<i64>, location: i64, open: i64) -> i64 {
    let total = SKILLS_WEIGHT * skills
        + SENIORITY_WEIGHT * seniority
        + LOCATION_WEIGHT * location
        + OPEN_WEIGHT * open
        + salary.map_or(0, |part| SALARY_WEIGHT * part);
    let weight = SKILLS_WEIGHT
        + SENIORITY_WEIGHT
        + LOCATION_WEIGHT
        + OPEN_WEIGHT
        + salary.map_or(0, |_| SALARY_WEIGHT);
    total * (MAX_SCORE / FULL) / weight
}

/// The score of `facts`, with its parts.
pub fn score(facts: &Facts) -> Breakdown {
    let (must_sum, must_count, nice_sum, nice_count) =
        facts
            .skills
            .iter()
            .fold((0, 0, 0, 0), |(ms, mc, ns, nc), skill| {
                if skill.required {
                    (ms + skill.credit(), mc + 1, ns, nc)
                } else {
                    (ms, mc, ns + skill.credit(), nc + 1)
                }
            });
    let (must, nice, skills) = skills_part(must_sum, must_count, nice_sum, nice_count);
    let seniority_distance =
        (rank(facts.vacancy_seniority) - rank(facts.developer_seniority)).abs();
    let seniority = seniority_part(seniority_distance);
    let salary = match (&facts.salary_max, &facts.expectation) {
        (None, _) => SalaryFit::NoRange,
        (Some(_), None) => SalaryFit::NoExpectation,
        (Some((_, offered)), Some((_, expected))) if offered != expected => {
            SalaryFit::OtherCurrency
        }
        (Some((maximum, _)), Some((expectation, _))) => SalaryFit::Compared {
            part: salary_part(*expectation, *maximum),
            above: (Ord::max(expectation - maximum, 0) * FULL) / Ord::max(*maximum, 1),
        },
    };
    let location = location_part(
        facts.workplace,
        within_reach(
            facts.workplace,
            facts.vacancy_point,
            facts.developer_point,
            facts.vacancy_country == facts.developer_country,
        ),
        facts.remote_preference == Workplace::Remote,
    );
    let open = if facts.open_to_work { FULL } else { 0 };
    let salary_part = match salary {
        SalaryFit::Compared { part, .. } => Some(part),
        _ => None,
    };
    Breakdown {
        must,
        nice,
        skills,
        seniority_distance,
        seniority,
        score: combine(skills, seniority, salary_part, location, open),
        salary,
        location,
        open,
    }
}

/// The same formula over SQL expressions: each function mirrors the Rust one above it.
pub mod sql {
    use super::*;

    fn full() -> Expr {
        Expr::val(FULL)
    }

    /// The credit of one skill link: `1000 × min(level, minimum) / minimum`.
    pub fn credit(level: Expr, minimum: Expr) -> Expr {
        let lower = Expr::case(level.clone().lt(minimum.clone()), level).finally(minimum.clone());
        full().mul(lower).div(minimum)
    }

    /// The skills part from credit sums and counts (any of which may be a column).
    pub fn skills_part(must_sum: Expr, must_count: Expr, nice_sum: Expr, nice_count: Expr) -> Expr {
        let must: Expr = Expr::case(must_count.clone().eq(0), full())
            .finally(must_sum.div(must_count))
            .into();
        Expr::case(nice_count.clone().eq(0), must.clone())
            .finally(
                Expr::val(FULL - NICE_SHARE)
                    .mul(must)
                    .add(Expr::val(NICE_SHARE).mul(nice_sum.div(nice_count)))
                    .div(full()),
            )
            .into()
    }

    /// The rank of a seniority column, intern 0 to principal 5.
    pub fn rank(column: Expr) -> Expr {
        let mut case = Expr::case(column.clone().eq(Seniority::Intern), Expr::val(0i64));
        for level in [
            Seniority::Junior,
            Seniority::Middle,
            Seniority::Senior,
            Seniority::Lead,
        ] {
            case = case.case(column.clone().eq(level), Expr::val(super::rank(level)));
        }
        case.finally(Expr::val(super::rank(Seniority::Principal)))
            .into()
    }

    /// The seniority part for two ranks.
    pub fn seniority_part(rank: Expr, other: Expr) -> Expr {
        let distance = Expr::from(Func::abs(rank.sub(other)));
        Expr::case(distance.clone().eq(0), full())
            .case(distance.eq(1), Expr::val(FULL / 2))
            .finally(Expr::val(0i64))
            .into()
    }

    /// A salary amount per `period` (a column) made yearly.
    pub fn yearly(amount: Expr, period: Expr) -> Expr {
        let mut case = Expr::case(
            period.clone().eq(SalaryPeriod::Hour),
            amount.clone().mul(per_year(SalaryPeriod::Hour)),
        );
        for each in [SalaryPeriod::Day, SalaryPeriod::Week, SalaryPeriod::Month] {
            case = case.case(period.clone().eq(each), amount.clone().mul(per_year(each)));
        }
        case.finally(amount).into()
    }

    /// The salary part of a fixed yearly `maximum` against each row's `expectation`, or NULL
    /// where `compared` does not hold (or is NULL).
    pub fn salary_part_of_maximum(compared: Expr, expectation: Expr, maximum: i64) -> Expr {
        let (within, over) = super::thresholds_of_maximum(maximum);
        let part = Expr::case(expectation.clone().lte(within), full())
            .case(expectation.lte(over), Expr::val(FULL / 2))
            .finally(Expr::val(0i64));
        Expr::case(compared, part)
            .finally(Expr::cust("NULL"))
            .into()
    }

    /// The salary part of a fixed yearly `expectation` against each row's `maximum`, or NULL
    /// where `compared` does not hold (or is NULL).
    pub fn salary_part_of_expectation(compared: Expr, expectation: i64, maximum: Expr) -> Expr {
        let (within, over) = super::thresholds_of_expectation(expectation);
        let part = Expr::case(maximum.clone().gt(within), full())
            .case(maximum.gt(over), Expr::val(FULL / 2))
            .finally(Expr::val(0i64));
        Expr::case(compared, part)
            .finally(Expr::cust("NULL"))
            .into()
    }

    /// Whether each row is within reach ([`super::within_reach`]): `chord` is the squared chord
    /// between the two cities (None when the fixed side has no point; NULL where a row has
    /// none), against the radius of `workplace`; else `same_country`.
    pub fn within_reach(workplace: Expr, chord: Option<Expr>, same_country: Expr) -> Expr {
        let Some(chord) = chord else {
            return same_country;
        };
        let radius = Expr::case(
            workplace.eq(Workplace::Onsite),
            Expr::val(super::commute_chord(Workplace::Onsite)),
        )
        .finally(Expr::val(super::commute_chord(Workplace::Hybrid)));
        Expr::case(chord.clone().is_null(), same_country)
            .finally(chord.lte(radius))
            .into()
    }

    /// The location part: `reachable` says whether each row's place is within reach.
    pub fn location_part(workplace: Expr, same_country: Expr, prefers_remote: Expr) -> Expr {
        let at_home = Expr::case(
            prefers_remote
                .clone()
                .and(workplace.clone().eq(Workplace::Onsite)),
            Expr::val(FULL / 2),
        )
        .case(
            prefers_remote.and(workplace.clone().eq(Workplace::Hybrid)),
            Expr::val(3 * FULL / 4),
        )
        .finally(full());
        Expr::case(workplace.eq(Workplace::Remote), full())
            .case(same_country, at_home)
            .finally(Expr::val(0i64))
            .into()
    }

    /// The weighted mean in basis points. `salary`: None when the salary part never applies,
    /// else an expression that is NULL where it does not.
    pub fn combine(
        skills: Expr,
        seniority: Expr,
        salary: Option<Expr>,
        location: Expr,
        open: Expr,
    ) -> Expr {
        let base = SKILLS_WEIGHT + SENIORITY_WEIGHT + LOCATION_WEIGHT + OPEN_WEIGHT;
        let mut total = Expr::val(SKILLS_WEIGHT)
            .mul(skills)
            .add(Expr::val(SENIORITY_WEIGHT).mul(seniority))
            .add(Expr::val(LOCATION_WEIGHT).mul(location))
            .add(Expr::val(OPEN_WEIGHT).mul(open));
        let mut weight = Expr::val(base);
        if let Some(salary) = salary {
            let applies = salary.clone().is_not_null();
            total = total.add(
                Expr::case(applies.clone(), Expr::val(SALARY_WEIGHT).mul(salary))
                    .finally(Expr::val(0i64)),
            );
            weight = Expr::case(applies, Expr::val(base + SALARY_WEIGHT))
                .finally(Expr::val(base))
                .into();
        }
        total.mul(MAX_SCORE / FULL).div(weight)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            skills: vec![
                SkillFit {
                    skill_id: 1,
                    required: true,
                    min_level: 4,
                    level: Some(5),
                },
                SkillFit {
                    skill_id: 2,
                    required: true,
                    min_level: 3,
                    level: Some(3),
                },
            ],
            vacancy_seniority: Seniority::Senior,
            developer_seniority: Seniority::Senior,
            salary_max: Some((100_000, "EUR".to_owned())),
            expectation: Some((90_000, "EUR".to_owned())),
            workplace: Workplace::Hybrid,
            vacancy_country: "DE".to_owned(),
            developer_country: "DE".to_owned(),
            vacancy_point: None,
            developer_point: None,
            remote_preference: Workplace::Hybrid,
            open_to_work: true,
        }
    }

    #[test]
    fn a_perfect_match_scores_ten_thousand() {
        assert_eq!(score(&facts()).score, MAX_SCORE);
    }

    #[test]
    fn a_level_below_the_minimum_earns_its_share() {
        let mut facts = facts();
        facts.skills[0].level = Some(3);
        let breakdown = score(&facts);
        // (750 + 1000) / 2 = 875 on skills; 550 × 875 + 150k + 150k + 100k + 50k = 931,250.
        assert_eq!(breakdown.must, 875);
        assert_eq!(breakdown.score, 9312);
    }

    #[test]
    fn salary_is_read_in_bands_of_the_grid() {
        // 93,862, 103,249 and 113,574 are neighbouring grid amounts: 100,000 is read as 103,249.
        assert_eq!(thresholds_of_maximum(100_000), (103_249, 113_574));
        assert_eq!(salary_part(100_000, 100_000), 1000);
        assert_eq!(salary_part(103_249, 100_000), 1000);
        assert_eq!(salary_part(103_250, 100_000), 500);
        assert_eq!(salary_part(113_574, 100_000), 500);
        assert_eq!(salary_part(113_575, 100_000), 0);
        assert_eq!(salary_part(200_000, 100_000), 0);
        // Any maximum between two grid amounts gives the same parts.
        for expectation in [50_000, 93_862, 100_000, 103_300, 113_000, 120_000] {
            assert_eq!(
                salary_part(expectation, 93_863),
                salary_part(expectation, 103_249)
            );
        }
    }

    #[test]
    fn grid_amounts_are_about_ten_percent_apart() {
        for pair in grid().windows(2).skip_while(|pair| pair[0] < 1_000) {
            let ratio = pair[1] as f64 / pair[0] as f64;
            assert!((1.099..=1.102).contains(&ratio), "{pair:?}");
        }
    }

    #[test]
    fn both_sides_of_the_sql_give_the_rust_part() {
        let mut state: u64 = 7;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            i64::try_from(state >> 44).unwrap_or(0) + 1
        };
        for _ in 0..20_000 {
            let (expectation, maximum) = (next(), next());
            let rust = salary_part(expectation, maximum);
            let (within, over) = thresholds_of_maximum(maximum);
            let of_maximum = if expectation <= within {
                FULL
            } else if expectation <= over {
                FULL / 2
            } else {
                0
            };
            let (within, over) = thresholds_of_expectation(expectation);
            let of_expectation = if maximum > within {
                FULL
            } else if maximum > over {
                FULL / 2
            } else {
                0
            };
            assert_eq!(
                (of_maximum, of_expectation),
                (rust, rust),
                "{expectation} {maximum}"
            );
        }
    }

    #[test]
    fn another_currency_leaves_salary_out() {
        let mut facts = facts();
        facts.expectation = Some((500_000, "USD".to_owned()));
        assert_eq!(score(&facts).salary, SalaryFit::OtherCurrency);
        assert_eq!(score(&facts).score, MAX_SCORE);
    }

    #[test]
    fn an_onsite_vacancy_is_within_reach_inside_its_commute_and_not_beyond() {
        let point = |city: &str, country: &str| {
            crate::geo::resolve(city, country).map(|place| place.unit_vector())
        };
        let (cologne, bonn, dortmund) = (
            point("Köln", "DE"),
            point("Bonn", "DE"),
            point("Dortmund", "DE"),
        );
        // Bonn is 25 km from Cologne, Dortmund 73 km.
        assert!(within_reach(Workplace::Onsite, cologne, bonn, true));
        assert!(!within_reach(Workplace::Onsite, cologne, dortmund, true));
        assert!(within_reach(Workplace::Hybrid, cologne, dortmund, true));
        // Without a point on one side, the country decides.
        assert!(within_reach(Workplace::Onsite, cologne, None, true));
        assert!(!within_reach(Workplace::Onsite, None, dortmund, false));
    }
}
