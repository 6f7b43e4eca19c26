//! A developer's profile as a JSON Resume document (<https://jsonresume.org/schema>, 1.0.0): the
//! format developers keep their CV in, so a profile goes out to the tools that read it.
//!
//! What JSON Resume has a place for goes there: `basics` (name, `label` the headline, `summary`
//! the bio, `email`, `location` city and country, `profiles` from the links) and `skills` (name,
//! a level in words, the slug as a keyword). What only the directory keeps (handle, seniority,
//! years of experience, remote preference, availability, each skill's exact level and years, the
//! salary expectation) goes under `meta.talentApi`, as the schema allows extra properties there,
//! so nothing the directory stores is lost. Private parts (the email address and the salary
//! expectation) are written only for the developer and admins.

use entity::{developer, developer_skill, skill};
use serde_json::{Map, Value, json};

use super::types::ProfileLink;

/// JSON Resume's word for a level 1 to 5: Beginner, Intermediate, Advanced, Master (1 and 2 are
/// both beginners).
pub fn level_word(level: i16) -> &'static str {
    match level {
        ..=2 => "Beginner",
        3 => "Intermediate",
        4 => "Advanced",
        _ => "Master",
    }
}

/// The name the schema gives `value` of a GraphQL enum.
pub(super) fn schema_name(value: impl async_graphql::InputType) -> String {
    match value.to_value() {
        async_graphql::Value::Enum(name) => name.to_string(),
        other => other.to_string(),
    }
}

/// The user name in a profile address: its path's first segment (`github.com/ada` gives `ada`,
/// `linkedin.com/in/ada` gives `ada`).
fn username(url: &str) -> Option<String> {
    let path = url.split_once("://")?.1.split_once('/')?.1;
    path.split('/')
        .filter(|segment| !segment.is_empty() && *segment != "in" && *segment != "u")
        .map(|segment| segment.trim_start_matches('@').to_owned())
        .find(|segment| !segment.is_empty())
}

/// `developer` with `skills` (their links and the skills, strongest first) as a JSON Resume
/// document; with `private`, their email address and salary expectation too.
pub fn export(
    developer: &developer::Model,
    skills: &[(&developer_skill::Model, &skill::Model)],
    private: bool,
) -> Value {
    let mut basics = Map::new();
    basics.insert("name".into(), json!(developer.name));
    basics.insert("label".into(), json!(developer.headline));
    if private {
        basics.insert("email".into(), json!(developer.email));
    }
    if !developer.bio.is_empty() {
        basics.insert("summary".into(), json!(developer.bio));
    }
    basics.insert(
        "location".into(),
        json!({ "city": developer.city, "countryCode": developer.country_code }),
    );
    let profiles: Vec<Value> = developer
        .links
        .0
        .iter()
        .map(|url| {
            let link = ProfileLink::of(url);
            let mut profile = Map::new();
            if let Some(network) = link.network {
                profile.insert("network".into(), json!(network));
            }
            if let Some(name) = username(url) {
                profile.insert("username".into(), json!(name));
            }
            profile.insert("url".into(), json!(url));
            Value::Object(profile)
        })
        .collect();
    basics.insert("profiles".into(), Value::Array(profiles));

    let resume_skills: Vec<Value> = skills
        .iter()
        .map(|(link, skill)| {
            json!({ "name": skill.name, "level": level_word(link.level), "keywords": [skill.slug] })
        })
        .collect();
    let exact: Vec<Value> = skills
        .iter()
        .map(
            |(link, skill)| json!({ "slug": skill.slug, "level": link.level, "years": link.years }),
        )
        .collect();
    let mut talent = Map::new();
    talent.insert("handle".into(), json!(developer.handle));
    talent.insert(
        "seniority".into(),
        json!(schema_name(super::Seniority::from(developer.seniority))),
    );
    talent.insert(
        "yearsOfExperience".into(),
        json!(developer.years_of_experience),
    );
    talent.insert(
        "remotePreference".into(),
        json!(schema_name(super::Workplace::from(
            developer.remote_preference
        ))),
    );
    talent.insert("openToWork".into(), json!(developer.open_to_work));
    talent.insert("skills".into(), Value::Array(exact));
    if private
        && let (Some(amount), Some(currency)) = (
            developer.salary_expectation_amount,
            &developer.salary_expectation_currency,
        )
    {
        talent.insert(
            "salaryExpectation".into(),
            json!({ "amount": amount, "currency": currency }),
        );
    }
    json!({
        "$schema": "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json",
        "basics": Value::Object(basics),
        "skills": resume_skills,
        "meta": {
            "version": "v1.0.0",
            "lastModified": developer.updated_at.to_rfc3339(),
            "talentApi": Value::Object(talent),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_read_as_json_resumes_words() {
        let words: Vec<&str> = (1..=5).map(level_word).collect();
        assert_eq!(
            words,
            ["Beginner", "Beginner", "Intermediate", "Advanced", "Master"]
        );
    }

    #[test]
    fn a_profiles_user_name_is_its_first_path_segment() {
        assert_eq!(
            username("https://github.com/ada-l").as_deref(),
            Some("ada-l")
        );
        assert_eq!(
            username("https://www.linkedin.com/in/ada/").as_deref(),
            Some("ada")
        );
        assert_eq!(username("https://x.com/@ada").as_deref(), Some("ada"));
        assert_eq!(username("https://ada.dev"), None);
        assert_eq!(username("https://ada.dev/"), None);
    }
}
