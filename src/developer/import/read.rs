//! Reading a JSON Resume document (<https://jsonresume.org/schema>, 1.0.0) into what it says of a
//! developer profile: the inverse of [`super::super::resume::export`].
//!
//! The reader only reads: every property it uses is checked for its JSON type and its value, and
//! each problem is a user error at the property's path (`["input", "resume", "basics", "name"]`),
//! so a malformed document is refused as a whole, before anything is written. What the document
//! does not state is `None`: an update leaves it as it is. Skills are matched to the taxonomy
//! apart ([`super::taxonomy`]), since that needs the database.
//!
//! Where the directory keeps more than JSON Resume has a place for, `meta.talentApi` (as
//! `export` writes it) gives it exactly: the handle, seniority, years of experience, remote
//! preference, availability, salary expectation, and each skill's exact level and years. Without
//! it, the years of experience are counted from `work`, and a new profile (only: an update infers
//! nothing) takes the seniority the ladder word of `basics.label` names ("Senior Backend
//! Engineer"; "Staff" counts as lead), else the one its years suggest, and is open to work and
//! HYBRID (no preference, to the match score).

use std::collections::HashMap;

use chrono::Datelike;
use entity::{Seniority, Workplace};
use sea_orm::Iterable;
use serde_json::{Map, Value};
use toolkit::{
    validation::{MAX_HEADLINE, MAX_NAME, MAX_TEXT, UserErrorCode, Validator},
    values::{Checked, HttpUrl},
};

use crate::developer::{mutation::MAX_LINKS, resume::schema_name};

/// The path of a property inside the mutation's `input`.
#[derive(Clone, Debug)]
struct Path(Vec<String>);

impl Path {
    fn root() -> Self {
        Self(vec!["resume".to_owned()])
    }

    fn join(&self, part: impl ToString) -> Self {
        let mut parts = self.0.clone();
        parts.push(part.to_string());
        Self(parts)
    }

    fn parts(&self) -> Vec<&str> {
        self.0.iter().map(String::as_str).collect()
    }
}

/// Reads typed values out of the document, recording a user error for each one of the wrong type.
struct Reader<'v> {
    v: &'v mut Validator,
}

impl Reader<'_> {
    fn error(&mut self, at: &Path, code: UserErrorCode, message: impl Into<String>) {
        self.v.error(&at.parts(), code, message);
    }

    /// The property `key` of `object`, or None when it is absent or null.
    fn get<'a>(object: Option<&'a Map<String, Value>>, key: &str) -> Option<&'a Value> {
        object
            .and_then(|object| object.get(key))
            .filter(|value| !value.is_null())
    }

    fn object<'a>(
        &mut self,
        at: &Path,
        value: Option<&'a Value>,
    ) -> Option<&'a Map<String, Value>> {
        match value? {
            Value::Object(object) => Some(object),
            _ => {
                self.error(at, UserErrorCode::Invalid, "must be an object");
                None
            }
        }
    }

    fn array<'a>(&mut self, at: &Path, value: Option<&'a Value>) -> Option<&'a [Value]> {
        match value? {
            Value::Array(items) => Some(items),
            _ => {
                self.error(at, UserErrorCode::Invalid, "must be an array");
                None
            }
        }
    }

    fn string<'a>(&mut self, at: &Path, value: Option<&'a Value>) -> Option<&'a str> {
        match value? {
            Value::String(text) => Some(text),
            _ => {
                self.error(at, UserErrorCode::Invalid, "must be a string");
                None
            }
        }
    }

    fn boolean(&mut self, at: &Path, value: Option<&Value>) -> Option<bool> {
        match value? {
            Value::Bool(flag) => Some(*flag),
            _ => {
                self.error(at, UserErrorCode::Invalid, "must be true or false");
                None
            }
        }
    }

    /// A whole number in `lo..=hi`.
    fn integer(&mut self, at: &Path, value: Option<&Value>, lo: i64, hi: i64) -> Option<i64> {
        let value = value?;
        let Some(number) = value.as_i64() else {
            self.error(at, UserErrorCode::Invalid, "must be a whole number");
            return None;
        };
        if !(lo..=hi).contains(&number) {
            self.error(
                at,
                UserErrorCode::OutOfRange,
                format!("must be between {lo} and {hi}"),
            );
            return None;
        }
        Some(number)
    }

    /// One of the values of a GraphQL enum, by its name in the schema (`SENIOR`).
    fn choice<E: Iterable + Copy, G: async_graphql::InputType + From<E>>(
        &mut self,
        at: &Path,
        value: Option<&Value>,
    ) -> Option<E> {
        let name = self.string(at, value)?;
        let found = E::iter().find(|choice| schema_name(G::from(*choice)) == name);
        if found.is_none() {
            let names: Vec<String> = E::iter()
                .map(|choice| schema_name(G::from(choice)))
                .collect();
            self.error(
                at,
                UserErrorCode::Invalid,
                format!("`{name}` is not one of {}", names.join(", ")),
            );
        }
        found
    }
}

/// A skill the document claims: the names it goes by (the entry's name and keywords), at a level.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    /// The entry's name first, then its keywords, as written.
    pub names: Vec<String>,
    /// The level, 1 to 5.
    pub level: i16,
}

/// A change to an optional value: left as it is, removed (`null`), or set.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Stated<T> {
    /// The document does not mention it.
    #[default]
    Absent,
    /// The document says there is none.
    Null,
    /// The document gives it.
    Value(T),
}

/// What a JSON Resume document says of a developer; `None` (or [`Stated::Absent`]) where it says
/// nothing. Texts are trimmed and checked, as `createDeveloper` checks them.
#[derive(Clone, Debug, Default)]
pub struct Document {
    /// `meta.talentApi.handle`.
    pub handle: Option<String>,
    /// `basics.name`.
    pub name: Option<String>,
    /// `basics.label`.
    pub headline: Option<String>,
    /// `basics.summary`.
    pub bio: Option<String>,
    /// `basics.email`, normalised.
    pub email: Option<String>,
    /// `basics.location.city`.
    pub city: Option<String>,
    /// `basics.location.countryCode`, upper case.
    pub country_code: Option<String>,
    /// `basics.url` and `basics.profiles[].url` (or the address a known network gives a user
    /// name), each once.
    pub links: Option<Vec<String>>,
    /// `skills[]`.
    pub skills: Option<Vec<Claim>>,
    /// `meta.talentApi.skills`: each skill's exact level and years, by slug.
    pub exact_skills: HashMap<String, (i16, i32)>,
    /// `meta.talentApi.seniority`.
    pub seniority: Option<Seniority>,
    /// The ladder word of `basics.label` ("Senior Backend Engineer"): a new profile's seniority
    /// when `meta` gives none (an update never infers one).
    pub titled_seniority: Option<Seniority>,
    /// `meta.talentApi.yearsOfExperience`, else counted from `work`.
    pub years_of_experience: Option<i32>,
    /// `meta.talentApi.remotePreference`.
    pub remote_preference: Option<Workplace>,
    /// `meta.talentApi.openToWork`.
    pub open_to_work: Option<bool>,
    /// `meta.talentApi.salaryExpectation`: (amount, currency).
    pub salary_expectation: Stated<(i64, String)>,
}

/// The paths of the properties that a new profile needs, for the errors when they are missing.
pub mod required {
    /// `basics.name`.
    pub const NAME: &[&str] = &["resume", "basics", "name"];
    /// `basics.label`.
    pub const LABEL: &[&str] = &["resume", "basics", "label"];
    /// `basics.email`.
    pub const EMAIL: &[&str] = &["resume", "basics", "email"];
    /// `basics.location.city`.
    pub const CITY: &[&str] = &["resume", "basics", "location", "city"];
    /// `basics.location.countryCode`.
    pub const COUNTRY: &[&str] = &["resume", "basics", "location", "countryCode"];
    /// `meta.talentApi.handle`.
    pub const HANDLE: &[&str] = &["resume", "meta", "talentApi", "handle"];
}

/// The level a JSON Resume skill level names: its words (Beginner, Intermediate, Advanced,
/// Master, any case), `Novice` and `Expert`, or a digit 1 to 5. A word that covers two levels
/// (Beginner: 1 and 2) gives the lower one, so an import never claims more than the document.
pub fn level_of(word: &str) -> Option<i16> {
    Some(match word.trim().to_ascii_lowercase().as_str() {
        "beginner" | "novice" | "1" => 1,
        "2" => 2,
        "intermediate" | "3" => 3,
        "advanced" | "4" => 4,
        "master" | "expert" | "5" => 5,
        _ => return None,
    })
}

/// The seniority a job title names by a word of the ladder (`Senior Backend Engineer`); the
/// highest when it names several.
pub fn seniority_in(title: &str) -> Option<Seniority> {
    title
        .split(|c: char| !c.is_alphanumeric())
        .filter_map(|word| match word.to_ascii_lowercase().as_str() {
            "intern" | "internship" | "trainee" => Some(Seniority::Intern),
            "junior" | "jr" => Some(Seniority::Junior),
            "middle" | "mid" => Some(Seniority::Middle),
            "senior" | "sr" => Some(Seniority::Senior),
            "lead" | "staff" => Some(Seniority::Lead),
            "principal" => Some(Seniority::Principal),
            _ => None,
        })
        .max_by_key(|seniority| Seniority::iter().position(|s| s == *seniority))
}

/// The seniority years of experience alone suggest: under 2 junior, under 5 middle, else senior
/// (lead and principal are roles a title names, not a number of years).
pub fn seniority_by_years(years: i32) -> Seniority {
    match years {
        ..2 => Seniority::Junior,
        2..5 => Seniority::Middle,
        _ => Seniority::Senior,
    }
}

/// The address of user `name` on `network` (`GitHub`, `GitLab`, `LinkedIn`, `X` or `Twitter`,
/// `Bitbucket`, `Codeberg`, any case), for a profile that gives no `url`.
fn profile_url(network: &str, name: &str) -> Option<String> {
    let prefix = match network.trim().to_ascii_lowercase().as_str() {
        "github" => "https://github.com/",
        "gitlab" => "https://gitlab.com/",
        "linkedin" => "https://www.linkedin.com/in/",
        "x" | "twitter" => "https://x.com/",
        "bitbucket" => "https://bitbucket.org/",
        "codeberg" => "https://codeberg.org/",
        _ => return None,
    };
    let name = name.trim().trim_start_matches('@');
    (!name.is_empty()).then(|| format!("{prefix}{name}"))
}

/// A JSON Resume date (`2019`, `2019-04` or `2019-04-01`) as months since year 0; a year alone
/// is its January.
fn month_of(date: &str) -> Option<i32> {
    let mut parts = date.trim().splitn(3, '-');
    let year: i32 = parts.next().filter(|y| y.len() == 4)?.parse().ok()?;
    let month: i32 = match parts.next() {
        Some(month) if month.len() == 2 => month.parse().ok().filter(|m| (1..=12).contains(m))?,
        Some(_) => return None,
        None => 1,
    };
    if let Some(day) = parts.next() {
        chrono::NaiveDate::from_ymd_opt(year, month as u32, day.parse().ok()?)?;
        if day.len() != 2 {
            return None;
        }
    }
    Some(year * 12 + month - 1)
}

/// Whole years covered by `spans` of months (start, end), overlaps counted once.
fn years_in(mut spans: Vec<(i32, i32)>) -> i32 {
    spans.sort_unstable();
    let (mut months, mut reached) = (0, i32::MIN);
    for (start, end) in spans {
        let start = start.max(reached);
        if end > start {
            months += end - start;
            reached = end;
        }
    }
    months / 12
}

/// Reads `resume` (the `input.resume` of `importResume`); its problems go to `v`. `today` ends
/// the jobs without an `endDate`. None when it is no JSON object at all.
pub fn read(v: &mut Validator, resume: &Value, today: chrono::NaiveDate) -> Option<Document> {
    let mut r = Reader { v };
    let mut doc = Document::default();
    let root = Path::root();
    let resume = Some(r.object(&root, Some(resume))?);

    let at = root.join("basics");
    let basics = r.object(&at, Reader::get(resume, "basics"));
    read_basics(&mut r, &at, basics, &mut doc);

    let at = root.join("skills");
    if let Some(entries) = r.array(&at, Reader::get(resume, "skills")) {
        doc.skills = Some(read_skills(&mut r, &at, entries));
    }

    let at = root.join("meta").join("talentApi");
    let meta = r.object(&root.join("meta"), Reader::get(resume, "meta"));
    let talent = r.object(&at, Reader::get(meta, "talentApi"));
    read_talent(&mut r, &at, talent, &mut doc);

    doc.titled_seniority = doc.headline.as_deref().and_then(seniority_in);
    let at = root.join("work");
    if let Some(jobs) = r.array(&at, Reader::get(resume, "work")) {
        let worked = read_work(&mut r, &at, jobs, today);
        if doc.years_of_experience.is_none() {
            if worked > 60 {
                r.error(
                    &at,
                    UserErrorCode::OutOfRange,
                    format!("covers {worked} years; at most 60"),
                );
            }
            doc.years_of_experience = Some(worked.min(60));
        }
    }
    Some(doc)
}

fn read_basics(r: &mut Reader, at: &Path, basics: Option<&Map<String, Value>>, doc: &mut Document) {
    let text = |r: &mut Reader, key: &str, max: usize, required: bool| {
        let path = at.join(key);
        r.string(&path, Reader::get(basics, key)).map(|value| {
            if required {
                r.v.text(&path.parts(), value, max)
            } else {
                r.v.optional_text(&path.parts(), value, max)
            }
        })
    };
    doc.name = text(r, "name", MAX_NAME, true);
    doc.headline = text(r, "label", MAX_HEADLINE, true);
    doc.bio = text(r, "summary", MAX_TEXT, false);
    let path = at.join("email");
    doc.email = r
        .string(&path, Reader::get(basics, "email"))
        .map(|email| r.v.email(&path.parts(), email));

    let path = at.join("location");
    if let Some(location) = r.object(&path, Reader::get(basics, "location")) {
        let location = Some(location);
        let city = path.join("city");
        doc.city = r
            .string(&city, Reader::get(location, "city"))
            .map(|value| r.v.text(&city.parts(), value, MAX_NAME));
        let country = path.join("countryCode");
        doc.country_code = r
            .string(&country, Reader::get(location, "countryCode"))
            .map(|value| r.v.country(&country.parts(), value));
    }

    let mut links: Option<Vec<String>> = None;
    let add = |r: &mut Reader, links: &mut Option<Vec<String>>, path: &Path, url: &str| {
        if let Some(url) = r.v.check::<HttpUrl>(&path.parts(), url) {
            let url = url.into_string();
            let links = links.get_or_insert_with(Vec::new);
            if !links.contains(&url) {
                links.push(url);
            }
        }
    };
    let path = at.join("url");
    if let Some(url) = r.string(&path, Reader::get(basics, "url"))
        && !url.trim().is_empty()
    {
        add(r, &mut links, &path, url);
    }
    let path = at.join("profiles");
    if let Some(profiles) = r.array(&path, Reader::get(basics, "profiles")) {
        links.get_or_insert_with(Vec::new);
        for (i, profile) in profiles.iter().enumerate() {
            let at = path.join(i);
            let profile = r.object(&at, Some(profile));
            // A blank url is no url: the network's address may stand in for it.
            let url = r
                .string(&at.join("url"), Reader::get(profile, "url"))
                .filter(|url| !url.trim().is_empty());
            let network = r.string(&at.join("network"), Reader::get(profile, "network"));
            let name = r.string(&at.join("username"), Reader::get(profile, "username"));
            match (url, network, name) {
                (Some(url), _, _) => add(r, &mut links, &at.join("url"), url),
                (None, Some(network), Some(name)) => match profile_url(network, name) {
                    Some(url) => add(r, &mut links, &at.join("url"), &url),
                    None => r.error(
                        &at.join("url"),
                        UserErrorCode::Required,
                        format!("a profile on `{network}` needs its url"),
                    ),
                },
                (None, _, _) if profile.is_some() => r.error(
                    &at.join("url"),
                    UserErrorCode::Required,
                    "a profile needs its url",
                ),
                (None, _, _) => {}
            }
        }
    }
    if let Some(found) = &links
        && found.len() > MAX_LINKS
    {
        r.error(
            &path,
            UserErrorCode::OutOfRange,
            format!("{} addresses; at most {MAX_LINKS}", found.len()),
        );
    }
    doc.links = links;
}

fn read_skills(r: &mut Reader, at: &Path, entries: &[Value]) -> Vec<Claim> {
    let mut claims = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let at = at.join(i);
        let entry = r.object(&at, Some(entry));
        if entry.is_none() {
            continue;
        }
        let mut names = Vec::new();
        let name_at = at.join("name");
        if let Some(name) = r.string(&name_at, Reader::get(entry, "name")) {
            names.push(name.trim().to_owned());
        }
        let keywords_at = at.join("keywords");
        if let Some(keywords) = r.array(&keywords_at, Reader::get(entry, "keywords")) {
            for (k, keyword) in keywords.iter().enumerate() {
                if let Some(keyword) = r.string(&keywords_at.join(k), Some(keyword)) {
                    names.push(keyword.trim().to_owned());
                }
            }
        }
        names.retain(|name| !name.is_empty());
        if names.is_empty() {
            r.error(&name_at, UserErrorCode::Required, "a skill needs a name");
            continue;
        }
        let level_at = at.join("level");
        let level = match r.string(&level_at, Reader::get(entry, "level")) {
            None => {
                r.error(
                    &level_at,
                    UserErrorCode::Required,
                    "a skill needs a level: Beginner, Intermediate, Advanced or Master",
                );
                continue;
            }
            Some(word) => {
                match level_of(word) {
                    Some(level) => level,
                    None => {
                        r.error(
                        &level_at,
                        UserErrorCode::Invalid,
                        format!("`{word}` is not a level: Beginner, Intermediate, Advanced or Master"),
                    );
                        continue;
                    }
                }
            }
        };
        claims.push(Claim { names, level });
    }
    claims
}

fn read_talent(r: &mut Reader, at: &Path, talent: Option<&Map<String, Value>>, doc: &mut Document) {
    let path = at.join("handle");
    doc.handle = r
        .string(&path, Reader::get(talent, "handle"))
        .map(str::to_owned);
    doc.seniority = r.choice::<Seniority, crate::developer::Seniority>(
        &at.join("seniority"),
        Reader::get(talent, "seniority"),
    );
    doc.years_of_experience = r
        .integer(
            &at.join("yearsOfExperience"),
            Reader::get(talent, "yearsOfExperience"),
            0,
            60,
        )
        .map(|years| years as i32);
    doc.remote_preference = r.choice::<Workplace, crate::developer::Workplace>(
        &at.join("remotePreference"),
        Reader::get(talent, "remotePreference"),
    );
    doc.open_to_work = r.boolean(&at.join("openToWork"), Reader::get(talent, "openToWork"));

    let path = at.join("salaryExpectation");
    doc.salary_expectation = match talent.and_then(|talent| talent.get("salaryExpectation")) {
        None => Stated::Absent,
        Some(Value::Null) => Stated::Null,
        Some(value) => {
            let salary = r.object(&path, Some(value));
            let amount = r.integer(
                &path.join("amount"),
                Reader::get(salary, "amount"),
                1,
                1_000_000_000,
            );
            let currency_at = path.join("currency");
            let currency = r
                .string(&currency_at, Reader::get(salary, "currency"))
                .map(|code| r.v.currency(&currency_at.parts(), code));
            for (key, missing) in [
                ("amount", amount.is_none()),
                ("currency", currency.is_none()),
            ] {
                if missing && salary.is_some_and(|salary| !salary.contains_key(key)) {
                    r.error(&path.join(key), UserErrorCode::Required, "must be given");
                }
            }
            match (amount, currency) {
                (Some(amount), Some(currency)) => Stated::Value((amount, currency)),
                _ => Stated::Absent,
            }
        }
    };

    let path = at.join("skills");
    if let Some(skills) = r.array(&path, Reader::get(talent, "skills")) {
        for (i, skill) in skills.iter().enumerate() {
            let at = path.join(i);
            let skill = r.object(&at, Some(skill));
            let slug = r.string(&at.join("slug"), Reader::get(skill, "slug"));
            let level = r.integer(&at.join("level"), Reader::get(skill, "level"), 1, 5);
            let years = r.integer(&at.join("years"), Reader::get(skill, "years"), 0, 60);
            if let (Some(slug), Some(level)) = (slug, level) {
                doc.exact_skills.insert(
                    slug.trim().to_owned(),
                    (level as i16, years.unwrap_or(0) as i32),
                );
            }
        }
    }
}

/// The whole years of experience `work` covers; its dates are checked.
fn read_work(r: &mut Reader, at: &Path, jobs: &[Value], today: chrono::NaiveDate) -> i32 {
    let now = today.year() * 12 + today.month0() as i32;
    let mut spans = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        let at = at.join(i);
        let job = r.object(&at, Some(job));
        let date = |r: &mut Reader, key: &str| {
            let path = at.join(key);
            let text = r.string(&path, Reader::get(job, key))?;
            if text.trim().is_empty() {
                return None;
            }
            let month = month_of(text);
            if month.is_none() {
                r.error(
                    &path,
                    UserErrorCode::Invalid,
                    format!("`{text}` is not a date: YYYY, YYYY-MM or YYYY-MM-DD"),
                );
            }
            month
        };
        let start = date(r, "startDate");
        let end = date(r, "endDate");
        // A job without a start cannot be counted; one without an end goes on today, and one
        // that starts later (an offer taken) counts nothing yet.
        let Some(start) = start else { continue };
        if end.is_some_and(|end| end < start) {
            r.error(
                &at.join("endDate"),
                UserErrorCode::Invalid,
                "must not be before startDate",
            );
            continue;
        }
        spans.push((start, end.unwrap_or(now).min(now)));
    }
    years_in(spans)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::developer::resume::level_word;

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap_or_default()
    }

    fn errors(resume: Value) -> Vec<(String, UserErrorCode)> {
        let mut v = Validator::default();
        read(&mut v, &resume, today());
        v.finish(())
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|error| (error.field.join("."), error.code))
            .collect()
    }
    #[test]
    fn json_resume_level_words_map_to_the_lowest_level_they_cover() {
        let levels: Vec<Option<i16>> = [
            "Beginner",
            "intermediate",
            " ADVANCED ",
            "Master",
            "Expert",
            "4",
            "guru",
        ]
        .iter()
        .map(|word| level_of(word))
        .collect();
        assert_eq!(
            levels,
            [Some(1), Some(3), Some(4), Some(5), Some(5), Some(4), None]
        );
        for level in 1..=5 {
            assert_eq!(
                level_of(level_word(level)).map(level_word),
                Some(level_word(level))
            );
        }
    }

    #[test]
    fn a_title_names_the_highest_ladder_word_it_holds() {
        assert_eq!(
            seniority_in("Senior Backend Engineer"),
            Some(Seniority::Senior)
        );
        assert_eq!(seniority_in("Sr. Go developer"), Some(Seniority::Senior));
        assert_eq!(
            seniority_in("Lead / Senior Rust engineer"),
            Some(Seniority::Lead)
        );
        assert_eq!(
            seniority_in("Backend engineer (mid-level)"),
            Some(Seniority::Middle)
        );
        assert_eq!(seniority_in("Leader of nothing"), None);
        assert_eq!(seniority_in("Backend engineer"), None);
        assert_eq!(
            seniority_in("Staff Software Engineer, Distributed Systems"),
            Some(Seniority::Lead)
        );
    }

    #[test]
    fn overlapping_jobs_count_once_and_open_ones_run_to_today() {
        let resume = json!({ "work": [
            { "startDate": "2015-01", "endDate": "2019-01-15" },
            { "startDate": "2018-01", "endDate": "2020-01" },
            { "startDate": "2022", "name": "ongoing" },
            { "name": "undated" },
        ]});
        let mut v = Validator::default();
        let doc = read(&mut v, &resume, today()).unwrap_or_default();
        assert!(v.finish(()).is_ok());
        // 2015-01..2020-01 is 5 years; 2022-01..2026-12 is 4 years 11 months.
        assert_eq!(doc.years_of_experience, Some(9));
    }

    #[test]
    fn a_job_that_starts_later_counts_nothing_and_is_no_error() {
        let resume = json!({ "work": [
            { "startDate": "2020-01", "endDate": "2023-01" },
            { "startDate": "2027-03" },
        ]});
        let mut v = Validator::default();
        let doc = read(&mut v, &resume, today()).unwrap_or_default();
        assert!(v.finish(()).is_ok());
        assert_eq!(doc.years_of_experience, Some(3));
    }

    #[test]
    fn a_profile_with_a_blank_url_gets_its_networks_address() {
        let resume = json!({ "basics": { "profiles": [
            { "network": "GitHub", "username": "ada", "url": "" },
        ]}});
        let mut v = Validator::default();
        let doc = read(&mut v, &resume, today()).unwrap_or_default();
        assert!(v.finish(()).is_ok());
        assert_eq!(doc.links, Some(vec!["https://github.com/ada".to_owned()]));
    }

    #[test]
    fn meta_years_win_over_work() {
        let resume = json!({
            "work": [{ "startDate": "2000-01" }],
            "meta": { "talentApi": { "yearsOfExperience": 3 } },
        });
        let mut v = Validator::default();
        assert_eq!(
            read(&mut v, &resume, today()).map(|doc| doc.years_of_experience),
            Some(Some(3))
        );
    }

    #[test]
    fn malformed_properties_are_errors_at_their_json_paths() {
        let found = errors(json!({
            "basics": {
                "name": 7,
                "label": "  ",
                "email": "not an address",
                "location": { "city": "Berlin", "countryCode": "Germany" },
                "profiles": [{ "network": "Mastodon", "username": "ada" }, "github"],
            },
            "skills": [
                { "name": "Rust", "level": "guru" },
                { "keywords": [] , "level": "Master" },
                { "name": "Go" },
            ],
            "work": [{ "startDate": "2019-13" }, { "startDate": "2020", "endDate": "2019" }],
            "meta": { "talentApi": {
                "seniority": "WIZARD",
                "yearsOfExperience": 99,
                "openToWork": "yes",
                "salaryExpectation": { "amount": 0 },
            } },
        }));
        let expected = [
            ("input.resume.basics.name", UserErrorCode::Invalid),
            ("input.resume.basics.label", UserErrorCode::Required),
            ("input.resume.basics.email", UserErrorCode::Invalid),
            (
                "input.resume.basics.location.countryCode",
                UserErrorCode::Invalid,
            ),
            (
                "input.resume.basics.profiles.0.url",
                UserErrorCode::Required,
            ),
            ("input.resume.basics.profiles.1", UserErrorCode::Invalid),
            ("input.resume.skills.0.level", UserErrorCode::Invalid),
            ("input.resume.skills.1.name", UserErrorCode::Required),
            ("input.resume.skills.2.level", UserErrorCode::Required),
            (
                "input.resume.meta.talentApi.seniority",
                UserErrorCode::Invalid,
            ),
            (
                "input.resume.meta.talentApi.yearsOfExperience",
                UserErrorCode::OutOfRange,
            ),
            (
                "input.resume.meta.talentApi.openToWork",
                UserErrorCode::Invalid,
            ),
            (
                "input.resume.meta.talentApi.salaryExpectation.amount",
                UserErrorCode::OutOfRange,
            ),
            (
                "input.resume.meta.talentApi.salaryExpectation.currency",
                UserErrorCode::Required,
            ),
            ("input.resume.work.0.startDate", UserErrorCode::Invalid),
            ("input.resume.work.1.endDate", UserErrorCode::Invalid),
        ];
        for (path, code) in expected {
            assert!(
                found.contains(&(path.to_owned(), code)),
                "{path} {code:?} not in {found:?}"
            );
        }
        assert_eq!(found.len(), expected.len(), "{found:?}");
    }

    #[test]
    fn a_document_that_is_not_an_object_is_one_error() {
        assert_eq!(
            errors(json!(["basics"])),
            [("input.resume".to_owned(), UserErrorCode::Invalid)]
        );
    }

    #[test]
    fn profiles_without_a_url_get_their_networks_address() {
        let resume = json!({ "basics": {
            "url": "https://ada.dev",
            "profiles": [
                { "network": "GitHub", "username": "@ada" },
                { "network": "LinkedIn", "username": "ada", "url": "https://www.linkedin.com/in/ada" },
                { "network": "github", "url": "https://github.com/ada" },
            ],
        }});
        let mut v = Validator::default();
        let doc = read(&mut v, &resume, today()).unwrap_or_default();
        assert!(v.finish(()).is_ok());
        assert_eq!(
            doc.links,
            Some(vec![
                "https://ada.dev".to_owned(),
                "https://github.com/ada".to_owned(),
                "https://www.linkedin.com/in/ada".to_owned(),
            ])
        );
    }
}
