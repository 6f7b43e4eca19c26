//! Skills: the curated taxonomy that developers have and vacancies ask for.

mod mutation;
mod query;
pub(crate) mod store;
mod types;

pub use mutation::{SkillMutation, skill_refs};
pub use query::{SkillQuery, skill_ids};
pub use types::{Skill, SkillCategory, SkillFilter, SkillOrder, SkillOrderField, SkillRequirement};
