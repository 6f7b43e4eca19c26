//! The facts behind the demo dataset: the skill taxonomy, the employers, the technology stacks of
//! the market, people's names and places, salary levels, and the phrases bios and vacancies are
//! written from. Figures follow `shared/DOMAIN.md`.
//!
//! The facts are data, in `src/demo/data/*.json`, compiled in with `include_str!` and read once
//! with serde; the generator ([`super::generate`]) stays code. Strings are borrowed from the
//! files as they are, so a file holds no escape sequences (write `’` rather than `\"`): the test
//! below reads every file and says which one does.

use std::{collections::HashMap, sync::LazyLock};

use entity::{CompanySize, Industry, Seniority, SkillCategory};
use serde::{Deserialize, Deserializer};

/// A skill of the taxonomy: slug, preferred label, category, alternative labels, description.
pub type SkillSpec = (
    &'static str,
    &'static str,
    SkillCategory,
    &'static [&'static str],
    &'static str,
);

/// Reads `text`, the data file `name`; a malformed file stops the program with what is wrong.
pub(super) fn load<T: Deserialize<'static>>(name: &str, text: &'static str) -> T {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("src/demo/data/{name}: {err}"))
}

/// A list that lives as long as the program: the data files are read once.
fn leaked<'de: 'static, D, T>(deserializer: D) -> Result<&'static [T], D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + 'static,
{
    Vec::<T>::deserialize(deserializer).map(|items| &*items.leak())
}

/// A skill as a data file writes it.
#[derive(Deserialize)]
pub(super) struct SkillRecord {
    slug: &'static str,
    name: &'static str,
    category: SkillCategory,
    #[serde(deserialize_with = "leaked")]
    aliases: &'static [&'static str],
    description: &'static str,
}

impl SkillRecord {
    /// The skill as the generator takes it.
    pub(super) fn spec(&self) -> SkillSpec {
        (
            self.slug,
            self.name,
            self.category,
            self.aliases,
            self.description,
        )
    }
}

/// The taxonomy of the demo: 74 skills over all eight categories (`data/skills.json`).
pub static SKILLS: LazyLock<Vec<SkillSpec>> = LazyLock::new(|| {
    let records: Vec<SkillRecord> = load("skills.json", include_str!("data/skills.json"));
    records.iter().map(SkillRecord::spec).collect()
});

/// A technology stack seen in the market: what a developer on it knows and a vacancy for it asks.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stack {
    /// Language and framework: every member of the stack has these.
    #[serde(deserialize_with = "leaked")]
    pub core: &'static [&'static str],
    /// Framework alternatives: one of them joins the core (may be empty).
    #[serde(deserialize_with = "leaked")]
    pub variant: &'static [&'static str],
    /// Databases typical of the stack.
    #[serde(deserialize_with = "leaked")]
    pub databases: &'static [&'static str],
    /// Platforms typical of the stack.
    #[serde(deserialize_with = "leaked")]
    pub platforms: &'static [&'static str],
    /// API styles typical of the stack.
    #[serde(deserialize_with = "leaked")]
    pub apis: &'static [&'static str],
    /// Whether people on it also build pages (full-stack work).
    pub full_stack: bool,
    /// A vendor certificate people on the stack hold.
    pub certificate: Option<&'static str>,
    /// Pay premium over the market base, in percent (Java and Python pay most).
    pub premium: i64,
    /// How many developers of 100 work on it (absent: none are generated on it).
    pub weight: Option<u32>,
    /// The business-intelligence stack, whose people have a title of their own.
    pub bi: bool,
    /// Its libraries and tools (skills of the wider taxonomy, used from scale 2 on).
    #[serde(deserialize_with = "leaked")]
    pub ecosystem: &'static [&'static str],
}

/// The stacks (`data/stacks.json`), referenced by index from [`EMPLOYERS`].
pub static STACKS: LazyLock<Vec<Stack>> =
    LazyLock::new(|| load("stacks.json", include_str!("data/stacks.json")));

/// Index of the business-intelligence stack.
pub static BI_STACK: LazyLock<usize> = LazyLock::new(|| {
    STACKS
        .iter()
        .position(|stack| stack.bi)
        .unwrap_or(usize::MAX)
});

/// How the developers spread over the stacks: (index in [`STACKS`], weight).
pub static STACK_WEIGHTS: LazyLock<Vec<(usize, u32)>> = LazyLock::new(|| {
    STACKS
        .iter()
        .enumerate()
        .filter_map(|(index, stack)| Some((index, stack.weight?)))
        .collect()
});

/// An employer: slug, name, industry, size, city, country, the stacks it hires for, description.
#[derive(Deserialize)]
pub struct EmployerSpec {
    pub slug: &'static str,
    pub name: &'static str,
    pub industry: Industry,
    pub size: CompanySize,
    pub city: &'static str,
    pub country: &'static str,
    #[serde(deserialize_with = "leaked")]
    pub stacks: &'static [usize],
    pub description: &'static str,
}

/// Thirty employers across industries, sizes and countries, all fictional (`data/employers.json`).
pub static EMPLOYERS: LazyLock<Vec<EmployerSpec>> =
    LazyLock::new(|| load("employers.json", include_str!("data/employers.json")));

/// A country of the directory: code, currency, typical annual gross salary of a MIDDLE back-end
/// developer at a medium-sized company (whole units), and cities.
pub struct Country {
    pub code: &'static str,
    pub name: &'static str,
    pub currency: &'static str,
    pub middle_salary: i64,
    pub cities: &'static [&'static str],
    pub names: &'static Names,
}

/// First and last names typical of a country.
#[derive(Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
pub struct Names {
    #[serde(deserialize_with = "leaked")]
    pub first: &'static [&'static str],
    #[serde(deserialize_with = "leaked")]
    pub last: &'static [&'static str],
}

/// `data/countries.json`: the countries, and the names of each language they name.
#[derive(Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
struct CountriesFile {
    countries: Vec<CountryRecord>,
    names: HashMap<&'static str, Names>,
}

/// A country as the data file writes it: its names by language.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CountryRecord {
    code: &'static str,
    name: &'static str,
    currency: &'static str,
    middle_salary: i64,
    share: u32,
    names: &'static str,
    #[serde(deserialize_with = "leaked")]
    cities: &'static [&'static str],
}

static COUNTRIES_FILE: LazyLock<CountriesFile> =
    LazyLock::new(|| load("countries.json", include_str!("data/countries.json")));

/// The countries of the directory, with how many developers of 100 live there.
pub static COUNTRIES: LazyLock<Vec<(Country, u32)>> = LazyLock::new(|| {
    let file = &*COUNTRIES_FILE;
    file.countries
        .iter()
        .map(|record| {
            let names = file.names.get(record.names).unwrap_or_else(|| {
                panic!("src/demo/data/countries.json: no names `{}`", record.names)
            });
            let country = Country {
                code: record.code,
                name: record.name,
                currency: record.currency,
                middle_salary: record.middle_salary,
                cities: record.cities,
                names,
            };
            (country, record.share)
        })
        .collect()
});

/// The country with `code`; employers and developers only use the codes listed.
pub fn country(code: &str) -> &'static Country {
    COUNTRIES
        .iter()
        .map(|(country, _)| country)
        .find(|country| country.code == code)
        .unwrap_or(&COUNTRIES[0].0)
}

/// Pay relative to MIDDLE, in percent: seniority raises pay, a supervisory role raises it again.
pub fn seniority_pay(seniority: Seniority) -> i64 {
    match seniority {
        Seniority::Intern => 45,
        Seniority::Junior => 62,
        Seniority::Middle => 100,
        Seniority::Senior => 130,
        Seniority::Lead => 152,
        Seniority::Principal => 178,
    }
}

/// Pay relative to a medium-sized company, in percent: larger companies pay more.
pub fn size_pay(size: CompanySize) -> i64 {
    match size {
        CompanySize::Startup => 88,
        CompanySize::Small => 94,
        CompanySize::Medium => 100,
        CompanySize::Large => 108,
        CompanySize::Enterprise => 115,
    }
}

/// Years of professional experience typical of a seniority.
pub fn experience_years(seniority: Seniority) -> (i64, i64) {
    match seniority {
        Seniority::Intern => (0, 0),
        Seniority::Junior => (1, 2),
        Seniority::Middle => (3, 5),
        Seniority::Senior => (5, 10),
        Seniority::Lead => (8, 15),
        Seniority::Principal => (12, 25),
    }
}

/// `data/texts.json`: the phrases bios and vacancies are written from.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(bound(deserialize = "'de: 'static"))]
struct Texts {
    education: Vec<&'static str>,
    achievements: Vec<&'static str>,
    responsibilities: Vec<&'static str>,
    senior_responsibilities: Vec<&'static str>,
    junior_responsibilities: Vec<&'static str>,
    domain_phrases: HashMap<Industry, &'static str>,
    teams: HashMap<Industry, Vec<(&'static str, &'static str)>>,
}

static TEXTS: LazyLock<Texts> =
    LazyLock::new(|| load("texts.json", include_str!("data/texts.json")));

/// Teams by industry, with what they do; vacancy descriptions draw on these.
pub fn teams(industry: Industry) -> &'static [(&'static str, &'static str)] {
    TEXTS.teams.get(&industry).map_or(&[], Vec::as_slice)
}

/// Where a developer's experience comes from, by industry.
pub fn domain_phrase(industry: Industry) -> &'static str {
    TEXTS
        .domain_phrases
        .get(&industry)
        .copied()
        .unwrap_or("software")
}

/// Education lines for bios.
pub fn education() -> &'static [&'static str] {
    &TEXTS.education
}

/// Achievements for bios.
pub fn achievements() -> &'static [&'static str] {
    &TEXTS.achievements
}

/// Responsibilities of any vacancy.
pub fn responsibilities() -> &'static [&'static str] {
    &TEXTS.responsibilities
}

/// Responsibilities of senior vacancies.
pub fn senior_responsibilities() -> &'static [&'static str] {
    &TEXTS.senior_responsibilities
}

/// Responsibilities of junior vacancies.
pub fn junior_responsibilities() -> &'static [&'static str] {
    &TEXTS.junior_responsibilities
}

#[cfg(test)]
mod tests {
    use sea_orm::Iterable;

    use super::*;

    #[test]
    fn every_data_file_parses_and_is_complete() {
        assert_eq!(SKILLS.len(), 74);
        assert_eq!(EMPLOYERS.len(), 30);
        assert!(STACKS.len() > 10 && *BI_STACK < STACKS.len());
        assert!(!STACK_WEIGHTS.is_empty());
        assert!(COUNTRIES.len() >= 10);
        assert_eq!(super::super::taxonomy::EXTRA_SKILLS.len(), 226);
        assert!(!super::super::taxonomy::GENERAL.is_empty());
        for industry in Industry::iter() {
            assert!(!teams(industry).is_empty(), "no teams for {industry:?}");
            assert_ne!(
                domain_phrase(industry),
                "software",
                "no phrase for {industry:?}"
            );
        }
        assert!(!education().is_empty() && !achievements().is_empty());
        assert!(!responsibilities().is_empty() && !senior_responsibilities().is_empty());
        assert!(!junior_responsibilities().is_empty());
    }

    #[test]
    fn employers_name_known_stacks_and_countries() {
        for employer in EMPLOYERS.iter() {
            assert!(
                employer.stacks.iter().all(|index| *index < STACKS.len()),
                "{}",
                employer.slug
            );
            assert_eq!(
                country(employer.country).code,
                employer.country,
                "{}",
                employer.slug
            );
        }
    }
}
