//! Matching the skill names a document gives to the taxonomy: by slug, name or alias, never by
//! guess; what matches nothing is reported, not dropped or made up.

use std::collections::{HashMap, HashSet};

use super::read::Claim;
use crate::developer::resume::level_word;

/// The skill taxonomy's names, to match the names a document gives: a skill's slug, name or
/// alias, compared without case, spaces, dots, hyphens and underscores (`Node.js` is `nodejs`).
pub struct Taxonomy {
    /// By normalised slug, name, alias: the skills (id, slug) each tier gives a key.
    tiers: [HashMap<String, Vec<(i64, String)>>; 3],
}

/// `name` compared as [`Taxonomy`] compares names.
fn key(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-' | '_'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// What a document's skills come to: (skill id, level, years) to store, and the names that
/// match no skill, in the document's order.
#[derive(Debug, Default, PartialEq)]
pub struct Matched {
    /// The skills to store: (skill id, level, years).
    pub skills: Vec<(i64, i16, i32)>,
    /// Names (an entry's name or keyword) that match no skill, each once.
    pub unmatched: Vec<String>,
}

impl Taxonomy {
    /// The taxonomy of these skills: (id, slug, name, aliases).
    pub fn new(skills: impl IntoIterator<Item = (i64, String, String, Vec<String>)>) -> Self {
        let mut tiers: [HashMap<String, Vec<(i64, String)>>; 3] = Default::default();
        for (id, slug, name, aliases) in skills {
            let mut put = |tier: usize, name: &str| {
                let found = tiers[tier].entry(key(name)).or_default();
                if !found.iter().any(|(known, _)| *known == id) {
                    found.push((id, slug.clone()));
                }
            };
            put(0, &slug);
            put(1, &name);
            for alias in &aliases {
                put(2, alias);
            }
        }
        Self { tiers }
    }

    /// The skill `name` names: by slug, else by name, else by alias; None when it names none, or
    /// several at the first tier it is found in (ambiguous: never guessed).
    pub fn find(&self, name: &str) -> Option<&(i64, String)> {
        let key = key(name);
        self.tiers
            .iter()
            .find_map(|tier| tier.get(&key))
            .and_then(|found| match found.as_slice() {
                [one] => Some(one),
                _ => None,
            })
    }

    /// The skills `claims` come to. Each name and keyword of an entry is matched; a skill several
    /// entries give keeps the highest level. `exact` (slug: level, years, from
    /// `meta.talentApi.skills`) refines what it agrees with: a skill's years, and its level when
    /// JSON Resume's word for it is the entry's (a document edited since its export wins).
    pub fn match_claims(&self, claims: &[Claim], exact: &HashMap<String, (i16, i32)>) -> Matched {
        let mut found: Vec<(i64, i16, i32)> = Vec::new();
        let mut unmatched = Vec::new();
        let mut seen = HashSet::new();
        for claim in claims {
            for name in &claim.names {
                let Some((id, slug)) = self.find(name) else {
                    if seen.insert(name.clone()) {
                        unmatched.push(name.clone());
                    }
                    continue;
                };
                let (mut level, mut years) = (claim.level, 0);
                if let Some(&(exact_level, exact_years)) = exact.get(slug) {
                    years = exact_years;
                    if level_word(exact_level) == level_word(claim.level) {
                        level = exact_level;
                    }
                }
                match found.iter_mut().find(|(known, ..)| known == id) {
                    Some(skill) => {
                        skill.1 = skill.1.max(level);
                        skill.2 = skill.2.max(years);
                    }
                    None => found.push((*id, level, years)),
                }
            }
        }
        Matched {
            skills: found,
            unmatched,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taxonomy() -> Taxonomy {
        let skill = |id, slug: &str, name: &str, aliases: &[&str]| {
            (
                id,
                slug.to_owned(),
                name.to_owned(),
                aliases.iter().map(|a| (*a).to_owned()).collect(),
            )
        };
        Taxonomy::new([
            skill(1, "nodejs", "Node.js", &["Node"]),
            skill(2, "postgresql", "PostgreSQL", &["Postgres", "PG"]),
            skill(3, "tdd", "Test-driven development", &[]),
            skill(4, "testing", "Testing", &["TDD", "Channels"]),
            skill(5, "go-concurrency", "Go concurrency", &["Channels"]),
        ])
    }

    #[test]
    fn names_match_by_slug_then_name_then_alias_and_ambiguity_is_never_guessed() {
        let taxonomy = taxonomy();
        let id = |name: &str| taxonomy.find(name).map(|(id, _)| *id);
        assert_eq!(id("node.js"), Some(1));
        assert_eq!(id("Node JS"), Some(1));
        assert_eq!(id("postgres"), Some(2));
        assert_eq!(
            id("TDD"),
            Some(3),
            "the slug wins over another skill's alias"
        );
        assert_eq!(id("channels"), None, "an alias of two skills");
        assert_eq!(id("Kubernetes"), None);
    }

    #[test]
    fn claims_keep_the_highest_level_and_report_unmatched_names_once() {
        let claim = |names: &[&str], level| Claim {
            names: names.iter().map(|n| (*n).to_owned()).collect(),
            level,
        };
        let exact = HashMap::from([
            ("postgresql".to_owned(), (2, 6)),
            ("nodejs".to_owned(), (5, 8)),
        ]);
        let matched = taxonomy().match_claims(
            &[
                claim(&["Back end", "Node", "Postgres", "REST"], 1),
                claim(&["PostgreSQL", "REST"], 1),
                claim(&["nodejs"], 4),
            ],
            &exact,
        );
        assert_eq!(
            matched,
            Matched {
                // Postgres: Beginner as exported (2, 6 years); Node.js: edited up to Advanced
                // since, so the document's level with the exact years.
                skills: vec![(1, 4, 8), (2, 2, 6)],
                unmatched: vec!["Back end".to_owned(), "REST".to_owned()],
            }
        );
    }
}
