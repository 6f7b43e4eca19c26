//! The wider skill taxonomy of large generated directories (`seed --scale N` with N > 1): the
//! libraries, tools and services of each stack and of the market at large, 226 skills that bring
//! the catalog to 300 (`data/taxonomy.json`). The demo (scale 1) keeps to the 74 skills of
//! [`super::catalog::SKILLS`].

use std::sync::LazyLock;

use serde::Deserialize;

use super::catalog::{SkillRecord, SkillSpec, load};

/// `data/taxonomy.json`.
#[derive(Deserialize)]
#[serde(bound(deserialize = "'de: 'static"))]
struct TaxonomyFile {
    skills: Vec<SkillRecord>,
    general: Vec<&'static str>,
}

static FILE: LazyLock<TaxonomyFile> =
    LazyLock::new(|| load("taxonomy.json", include_str!("data/taxonomy.json")));

/// The skills large directories add to the catalog, ids following the catalog's.
pub static EXTRA_SKILLS: LazyLock<Vec<SkillSpec>> =
    LazyLock::new(|| FILE.skills.iter().map(SkillRecord::spec).collect());

/// Skills of the market at large, beyond any one stack: a developer picks a few.
pub static GENERAL: LazyLock<Vec<&'static str>> = LazyLock::new(|| FILE.general.clone());
