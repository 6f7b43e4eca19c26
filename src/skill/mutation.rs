//! Curating the skill taxonomy: create, update, delete and merge skills.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use dbkit::{batch::Item, write::Written};
use entity::skill;
use sea_orm::ActiveValue::Set;
use toolkit::{
    db, payload,
    validation::{MAX_NAME, MAX_TEXT, UserError, UserErrorCode, Validator, taken_or_failed},
};

use super::{Skill, SkillCategory, store};
use crate::{
    auth::{policy, viewer},
    db::in_write,
    error::ApiError,
    ids::NodeKind,
};

/// Most alternative labels a skill may have.
const MAX_ALIASES: usize = 20;

/// A new skill.
#[derive(InputObject, Clone, Debug)]
pub struct CreateSkillInput {
    /// Unique key: 2 to 40 of `a-z`, `0-9` and `-`, e.g. `postgresql`.
    pub slug: String,
    /// Preferred label, at most 200 characters.
    pub name: String,
    /// Where it sits in the taxonomy.
    pub category: SkillCategory,
    /// What it is, at most 10,000 characters.
    #[graphql(default)]
    pub description: String,
    /// Alternative labels (at most 20, each at most 200 characters), e.g. "Postgres".
    #[graphql(default)]
    pub aliases: Vec<String>,
}

/// Changes to a skill; fields left out stay as they are.
#[derive(InputObject, Clone, Debug)]
pub struct UpdateSkillInput {
    /// The skill's global ID.
    pub id: ID,
    /// The version the change is based on; if the skill has moved on, nothing is written and the
    /// payload carries a `STALE_VERSION` error.
    pub expected_version: Option<i32>,
    /// New unique key.
    pub slug: Option<String>,
    /// New preferred label.
    pub name: Option<String>,
    /// New category.
    pub category: Option<SkillCategory>,
    /// New description.
    pub description: Option<String>,
    /// New alternative labels (replacing the old ones).
    pub aliases: Option<Vec<String>>,
}

/// A skill to delete. Refused with `IN_USE` while any developer has it or any vacancy asks for it
/// (merge it into another skill instead).
#[derive(InputObject, Clone, Debug)]
pub struct DeleteSkillInput {
    /// The skill's global ID.
    pub id: ID,
    /// The version the deletion is based on.
    pub expected_version: Option<i32>,
}

/// Two skills to merge: every developer and vacancy link of `from` moves to `into`, keeping the
/// higher level (and the must-have) where both exist; then `from` is deleted. All or nothing.
#[derive(InputObject, Clone, Debug)]
pub struct MergeSkillsInput {
    /// The skill that disappears.
    pub from: ID,
    /// The skill that stays.
    pub into: ID,
}

payload!(
    /// The result of `createSkill`.
    CreateSkillPayload,
    skill: Skill
);

payload!(
    /// The result of `updateSkill`.
    UpdateSkillPayload,
    skill: Skill
);

/// The result of `deleteSkill`.
#[derive(SimpleObject)]
pub struct DeleteSkillPayload {
    /// The global ID of the deleted skill; null when there are user errors.
    pub deleted_skill_id: Option<ID>,
    /// What to fix in the input; empty on success.
    pub user_errors: Vec<UserError>,
}

payload!(
    /// The result of `mergeSkills`.
    MergeSkillsPayload,
    skill: Skill
);

/// Alternative labels: trimmed, not blank, not too long, not too many; duplicates dropped.
fn aliases(validator: &mut Validator, aliases: &[String]) -> Vec<String> {
    if aliases.len() > MAX_ALIASES {
        validator.error(
            &["aliases"],
            UserErrorCode::OutOfRange,
            format!("at most {MAX_ALIASES} aliases"),
        );
    }
    let mut kept: Vec<String> = Vec::new();
    for (i, alias) in aliases.iter().enumerate() {
        let alias = validator.text(&["aliases", &i.to_string()], alias, MAX_NAME);
        if !kept.contains(&alias) {
            kept.push(alias);
        }
    }
    kept
}

impl CreateSkillInput {
    /// The row this input creates, each field checked (problems go to `v`).
    fn to_row(&self, v: &mut Validator) -> skill::ActiveModel {
        skill::ActiveModel {
            slug: Set(v.slug(&["slug"], &self.slug)),
            name: Set(v.text(&["name"], &self.name, MAX_NAME)),
            category: Set(self.category.into()),
            description: Set(v.optional_text(&["description"], &self.description, MAX_TEXT)),
            aliases: Set(aliases(v, &self.aliases).into()),
            ..Default::default()
        }
    }
}

impl UpdateSkillInput {
    /// The changes this input asks for: only the fields it gives are `Set`, each checked
    /// (problems go to `v`).
    fn changes(&self, v: &mut Validator) -> skill::ActiveModel {
        let mut row = skill::ActiveModel::default();
        if let Some(value) = &self.slug {
            row.slug = Set(v.slug(&["slug"], value));
        }
        if let Some(value) = &self.name {
            row.name = Set(v.text(&["name"], value, MAX_NAME));
        }
        if let Some(value) = self.category {
            row.category = Set(value.into());
        }
        if let Some(value) = &self.description {
            row.description = Set(v.optional_text(&["description"], value, MAX_TEXT));
        }
        if let Some(value) = &self.aliases {
            row.aliases = Set(aliases(v, value).into());
        }
        row
    }
}

/// Part of the root `Mutation` type, documented on its `#[Object]` impl.
#[derive(Default)]
pub struct SkillMutation;

/// The skill part of the mutation root.
#[Object]
impl SkillMutation {
    /// Adds a skill to the taxonomy.
    async fn create_skill(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new skill.")] input: CreateSkillInput,
    ) -> Result<CreateSkillPayload> {
        policy::admin(viewer(ctx), "change the skill taxonomy")?;
        let failed = |user_errors| CreateSkillPayload::failed(user_errors);
        let mut validator = Validator::default();
        let new = input.to_row(&mut validator);
        let new = match validator.finish(new) {
            Ok(new) => new,
            Err(errors) => return Ok(failed(errors)),
        };
        let slug = new.slug.try_as_ref().cloned().unwrap_or_default();
        match store::create(db(ctx)?, new).await {
            Ok(row) => Ok(CreateSkillPayload::done(Skill(Item::one(row)))),
            Err(err) => Ok(failed(vec![taken_or_failed(
                err,
                store::SLUG,
                UserError::taken("slug", "skill", &slug),
            )?])),
        }
    }

    /// Changes a skill. Send `expectedVersion` to be sure nobody changed it since you read it.
    async fn update_skill(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The skill, and only the fields to change.")] input: UpdateSkillInput,
    ) -> Result<UpdateSkillPayload> {
        policy::admin(viewer(ctx), "change the skill taxonomy")?;
        let failed = |user_errors| UpdateSkillPayload::failed(user_errors);
        let mut validator = Validator::default();
        let id = validator.id("id", &input.id, NodeKind::Skill);
        let changes = input.changes(&mut validator);
        let changes = match validator.finish(changes) {
            Ok(changes) => changes,
            Err(errors) => return Ok(failed(errors)),
        };
        let slug = changes.slug.try_as_ref().cloned().unwrap_or_default();
        let outcome = in_write(db(ctx)?, async |txn| {
            store::update(txn, id, input.expected_version, changes).await
        })
        .await;
        Ok(match outcome {
            Ok(Written::Done(row)) => UpdateSkillPayload::done(Skill(Item::one(row))),
            Ok(Written::NotFound) => failed(vec![UserError::not_found("id", "skill")]),
            Ok(Written::Stale { current }) => failed(vec![UserError::stale("skill", current)]),
            Err(err) => failed(vec![taken_or_failed(
                err,
                store::SLUG,
                UserError::taken("slug", "skill", &slug),
            )?]),
        })
    }

    /// Deletes a skill nobody uses.
    async fn delete_skill(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The skill to delete.")] input: DeleteSkillInput,
    ) -> Result<DeleteSkillPayload> {
        policy::admin(viewer(ctx), "change the skill taxonomy")?;
        let failed = |user_errors| DeleteSkillPayload {
            deleted_skill_id: None,
            user_errors,
        };
        let mut validator = Validator::default();
        let id = validator.id("id", &input.id, NodeKind::Skill);
        if let Err(errors) = validator.finish(()) {
            return Ok(failed(errors));
        }
        let db = db(ctx)?;
        let deleted = in_write(db, async |txn| {
            store::delete(txn, id, input.expected_version).await
        })
        .await;
        Ok(match deleted {
            Ok(Written::Done(())) => DeleteSkillPayload {
                deleted_skill_id: Some(input.id),
                user_errors: Vec::new(),
            },
            Ok(Written::NotFound) => failed(vec![UserError::not_found("id", "skill")]),
            Ok(Written::Stale { current }) => failed(vec![UserError::stale("skill", current)]),
            Err(err) => {
                // The foreign keys refused the delete: say who uses the skill. (SQLite reports
                // that refusal with varying codes, so count rather than read the error.)
                let (developers, vacancies) = store::usage(db, id).await.map_err(ApiError::from)?;
                if developers + vacancies == 0 {
                    return Err(ApiError::from(err).into());
                }
                failed(vec![UserError::new(
                    &["id"],
                    UserErrorCode::InUse,
                    format!(
                        "{developers} developers have the skill and {vacancies} vacancies ask for it: merge it into another skill instead"
                    ),
                )])
            }
        })
    }

    /// Merges one skill into another, in one transaction.
    async fn merge_skills(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The skill that disappears and the skill that stays.")]
        input: MergeSkillsInput,
    ) -> Result<MergeSkillsPayload> {
        policy::admin(viewer(ctx), "change the skill taxonomy")?;
        let failed = |user_errors| MergeSkillsPayload::failed(user_errors);
        let mut validator = Validator::default();
        let from = validator.id("from", &input.from, NodeKind::Skill);
        let into = validator.id("into", &input.into, NodeKind::Skill);
        if from == into && from != 0 {
            validator.error(
                &["into"],
                UserErrorCode::Invalid,
                "a skill cannot be merged into itself",
            );
        }
        if let Err(errors) = validator.finish(()) {
            return Ok(failed(errors));
        }
        let merged = in_write(db(ctx)?, async |txn| store::merge(txn, from, into).await)
            .await
            .map_err(ApiError::from)?;
        Ok(match merged {
            Ok(row) => MergeSkillsPayload::done(Skill(Item::one(row))),
            Err(store::MergeMissing::From) => failed(vec![UserError::not_found("from", "skill")]),
            Err(store::MergeMissing::Into) => failed(vec![UserError::not_found("into", "skill")]),
        })
    }
}

/// Checks the skills a list refers to (at `["skills", i, "slug"]`): at most `max`, each known
/// (looked up in one statement) and listed once. The skill id of each item, None where it is
/// in error.
pub async fn skill_refs(
    v: &mut Validator,
    db: &impl sea_orm::ConnectionTrait,
    slugs: &[&str],
    max: usize,
) -> Result<Vec<Option<i64>>, sea_orm::DbErr> {
    if slugs.len() > max {
        v.error(
            &["skills"],
            UserErrorCode::OutOfRange,
            format!("at most {max} skills"),
        );
    }
    let known = store::ids_by_slug(db, slugs.iter().map(|slug| slug.trim().to_owned())).await?;
    let mut seen = std::collections::HashSet::new();
    Ok(slugs
        .iter()
        .enumerate()
        .map(|(i, slug)| {
            let (slug, at) = (slug.trim(), i.to_string());
            let id = known.get(slug).copied();
            if id.is_none() {
                v.error(
                    &["skills", &at, "slug"],
                    UserErrorCode::NotFound,
                    format!("there is no skill `{slug}`"),
                );
            } else if !seen.insert(slug) {
                v.error(
                    &["skills", &at, "slug"],
                    UserErrorCode::Invalid,
                    format!("`{slug}` is listed twice"),
                );
                return None;
            }
            id
        })
        .collect())
}
