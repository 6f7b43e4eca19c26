//! `importResume`: a developer profile created or updated from a JSON Resume document. The
//! document is read and checked first ([`read`]), its skills matched to the taxonomy
//! ([`taxonomy`]), then the profile and its skills are written in one transaction, through the
//! same checks and store functions as the other developer mutations.

mod read;
mod taxonomy;

use async_graphql::{Context, InputObject, Json, Result, SimpleObject};
use dbkit::write::Written;
use entity::developer;
use sea_orm::ActiveValue::{NotSet, Set};
use toolkit::{
    db,
    validation::{UserError, UserErrorCode, Validator},
    values::{Checked, Handle},
};

use read::{Document, Stated, required};
use taxonomy::{Matched, Taxonomy};

use super::{
    Developer,
    mutation::{MAX_SKILLS, email_change, place, profile, race, taken},
    store,
};
use crate::{
    auth::{policy, viewer},
    db::in_write,
    error::{ApiError, ApiResult},
};

/// A JSON Resume document to create or update a developer profile from.
#[derive(InputObject, Clone, Debug)]
pub struct ImportResumeInput {
    /// The document, JSON Resume 1.0.0 (jsonresume.org/schema): what `Developer.resume` exports,
    /// or what any CV tool writes. Read: `basics` (`name`, `label` as the headline, `summary` as
    /// the bio, `email`, `location.city` and `countryCode`, `url` and `profiles` as links),
    /// `skills` (each entry's name and keywords matched to the taxonomy, at the entry's level),
    /// `work` (its dates give the years of experience), and `meta.talentApi` as `resume` writes
    /// it. On an update, what the document leaves out stays as it is; a new profile without
    /// `meta.talentApi` is open to work, HYBRID, and takes the seniority its label names
    /// (`Senior Backend Engineer`) or its years suggest.
    pub resume: Json<serde_json::Value>,
    /// The handle of the profile: updated when a developer has it, else created (admins only).
    /// By default `meta.talentApi.handle` of the document.
    pub handle: Option<String>,
    /// Update only: the version the document is based on; if the profile has moved on, nothing is
    /// written and the payload carries a `STALE_VERSION` error. With it, a handle nobody has is
    /// `NOT_FOUND` rather than a new profile.
    pub expected_version: Option<i32>,
}

/// The result of `importResume`.
#[derive(SimpleObject)]
pub struct ImportResumePayload {
    /// The profile as written; null when there are user errors.
    pub developer: Option<Developer>,
    /// Whether the import created the profile (false: it updated one, or wrote nothing).
    pub created: bool,
    /// The names in the document's `skills` (an entry's name or one of its keywords) that are no
    /// skill's slug, name or alias, each once, in the document's order: they are left out, never
    /// invented. An admin can add the skill, or the name as an alias (`updateSkill`).
    pub unmatched_skills: Vec<String>,
    /// What to fix in the input; empty on success.
    pub user_errors: Vec<UserError>,
}

impl ImportResumePayload {
    fn failed(user_errors: Vec<UserError>, unmatched_skills: Vec<String>) -> Self {
        Self {
            developer: None,
            created: false,
            unmatched_skills,
            user_errors,
        }
    }
}

/// Runs `importResume` (see its description on [`super::DeveloperMutation`]).
pub(super) async fn import_resume(
    ctx: &Context<'_>,
    input: ImportResumeInput,
) -> Result<ImportResumePayload> {
    type P = ImportResumePayload;
    // Admins and developers only, before anything is read.
    policy::act_for_developer(viewer(ctx), None)?;
    let db = db(ctx)?;
    let mut v = Validator::default();
    let today = chrono::Utc::now().date_naive();
    let Some(doc) = read::read(&mut v, &input.resume.0, today) else {
        return Ok(P::failed(
            v.finish(()).err().unwrap_or_default(),
            Vec::new(),
        ));
    };
    let handle = match (&input.handle, &doc.handle) {
        (Some(handle), _) => v.check::<Handle>(&["handle"], handle),
        (None, Some(handle)) => v.check::<Handle>(required::HANDLE, handle),
        (None, None) => {
            v.error(
                &["handle"],
                UserErrorCode::Required,
                "name the profile: `handle`, or `meta.talentApi.handle` in the document",
            );
            None
        }
    }
    .map(Checked::into_string);
    let current = match &handle {
        Some(handle) => store::find_by_handle(db, handle)
            .await
            .map_err(ApiError::from)?,
        None => None,
    };
    match &current {
        Some(row) => policy::act_for_developer(viewer(ctx), Some(row.id))?,
        None if handle.is_some() && input.expected_version.is_none() => {
            policy::admin(viewer(ctx), "create developer profiles")?;
        }
        None => {}
    }
    let matched = match &doc.skills {
        Some(claims) => {
            let names = crate::skill::store::names(db)
                .await
                .map_err(ApiError::from)?;
            let matched = Taxonomy::new(names).match_claims(claims, &doc.exact_skills);
            if matched.skills.len() > MAX_SKILLS {
                v.error(
                    &["resume", "skills"],
                    UserErrorCode::OutOfRange,
                    format!("{} skills; at most {MAX_SKILLS}", matched.skills.len()),
                );
            }
            matched
        }
        None => Matched::default(),
    };
    let unmatched = matched.unmatched;
    let skills = doc.skills.as_ref().map(|_| matched.skills);
    let Some(handle) = handle else {
        return Ok(P::failed(v.finish(()).err().unwrap_or_default(), unmatched));
    };
    let expected = input.expected_version;
    let imported = match current {
        None => create(db, v, &doc, handle, skills.unwrap_or_default(), expected).await?,
        Some(current) => update(ctx, v, &doc, &current, skills, expected).await?,
    };
    Ok(match imported {
        Ok((row, created)) => P {
            developer: Some(profile(row)),
            created,
            unmatched_skills: unmatched,
            user_errors: Vec::new(),
        },
        Err(errors) => P::failed(errors, unmatched),
    })
}

/// What an import wrote (the profile, and whether it is new), or what to fix.
type Imported = Result<(developer::Model, bool), Vec<UserError>>;

/// Creates the profile `doc` describes as `handle`, with `skills` (skill id, level, years); with
/// `expected` (an update was meant), writes nothing and answers `NOT_FOUND`.
async fn create(
    db: &sea_orm::DatabaseConnection,
    mut v: Validator,
    doc: &Document,
    handle: String,
    skills: Vec<(i64, i16, i32)>,
    expected: Option<i32>,
) -> ApiResult<Imported> {
    if expected.is_some() {
        v.error(
            &["handle"],
            UserErrorCode::NotFound,
            "there is no such developer",
        );
    }
    let row = imported_row(&mut v, doc, handle.clone());
    let row = match v.finish(row) {
        Ok(row) => row,
        Err(errors) => return Ok(Err(errors)),
    };
    let conflicts = taken(
        db,
        Some(&handle),
        doc.email.as_deref(),
        None,
        required::EMAIL,
    )
    .await?;
    if !conflicts.is_empty() {
        return Ok(Err(conflicts));
    }
    // `Some`: an insert is always done ([`Outcome`] of an `Option`).
    let written = in_write(db, async |txn| {
        store::create(txn, row, &skills).await.map(Some)
    })
    .await;
    Ok(match written {
        Ok(row) => Ok((
            row.ok_or_else(|| ApiError::internal("an insert returned no row"))?,
            true,
        )),
        Err(err) => Err(vec![race(err, &handle, required::EMAIL)?]),
    })
}

/// Writes what `doc` states onto the profile `current` (at `expected`, when given), and replaces
/// its skills when the document lists them.
async fn update(
    ctx: &Context<'_>,
    mut v: Validator,
    doc: &Document,
    current: &developer::Model,
    skills: Option<Vec<(i64, i16, i32)>>,
    expected: Option<i32>,
) -> ApiResult<Imported> {
    let db = db(ctx)?;
    let changes = imported_changes(&mut v, doc, current);
    let changes = match v.finish(changes) {
        Ok(changes) => changes,
        Err(errors) => return Ok(Err(errors)),
    };
    let email = doc.email.as_deref().filter(|email| *email != current.email);
    if email.is_some() {
        email_change(ctx)?;
    }
    let conflicts = taken(db, None, email, Some(current.id), required::EMAIL).await?;
    if !conflicts.is_empty() {
        return Ok(Err(conflicts));
    }
    let written = in_write(db, async |txn| {
        store::update(txn, current.id, expected, changes, skills.as_deref()).await
    })
    .await;
    Ok(match written {
        Ok(Written::Done(row)) => Ok((row, false)),
        Ok(Written::NotFound) => Err(vec![UserError::not_found("handle", "developer")]),
        Ok(Written::Stale { current }) => Err(vec![UserError::stale("developer", current)]),
        Err(err) => Err(vec![race(err, &current.handle, required::EMAIL)?]),
    })
}

/// The new profile `doc` describes, with `handle`: what a profile needs and the document lacks is
/// a `REQUIRED` error at its place in the document.
fn imported_row(v: &mut Validator, doc: &Document, handle: String) -> developer::ActiveModel {
    let mut required = |value: &Option<String>, field: &[&str], what: &str| {
        value.clone().unwrap_or_else(|| {
            v.error(
                field,
                UserErrorCode::Required,
                format!("a new profile needs {what}"),
            );
            String::new()
        })
    };
    let name = required(&doc.name, required::NAME, "a name");
    let headline = required(&doc.headline, required::LABEL, "a label (its headline)");
    let email = required(&doc.email, required::EMAIL, "an email address");
    let city = required(&doc.city, required::CITY, "a city");
    let country = required(&doc.country_code, required::COUNTRY, "a country code");
    // JSON Resume has no place for where one wants to work; HYBRID is what the match score
    // reads as no preference (only REMOTE changes a score).
    let remote = doc.remote_preference.unwrap_or(entity::Workplace::Hybrid);
    let years = doc.years_of_experience.unwrap_or(0);
    let (amount, currency) = match &doc.salary_expectation {
        Stated::Value((amount, currency)) => (Some(*amount), Some(currency.clone())),
        Stated::Absent | Stated::Null => (None, None),
    };
    let mut row = developer::ActiveModel {
        handle: Set(handle),
        name: Set(name),
        email: Set(email),
        headline: Set(headline),
        bio: Set(doc.bio.clone().unwrap_or_default()),
        seniority: Set(doc
            .seniority
            .or(doc.titled_seniority)
            .unwrap_or_else(|| read::seniority_by_years(years))),
        years_of_experience: Set(years),
        remote_preference: Set(remote),
        open_to_work: Set(doc.open_to_work.unwrap_or(true)),
        salary_expectation_amount: Set(amount),
        salary_expectation_currency: Set(currency),
        links: Set(doc.links.clone().unwrap_or_default().into()),
        ..Default::default()
    };
    if doc.city.is_some() && doc.country_code.is_some() {
        locate(v, &mut row, city, country);
    }
    row
}

/// The changes `doc` makes to the profile `current`: only what the document states is `Set`.
fn imported_changes(
    v: &mut Validator,
    doc: &Document,
    current: &developer::Model,
) -> developer::ActiveModel {
    let mut row = developer::ActiveModel::default();
    let set = |value: &Option<String>| value.clone().map_or(NotSet, Set);
    row.name = set(&doc.name);
    row.headline = set(&doc.headline);
    row.bio = set(&doc.bio);
    row.email = set(&doc.email);
    row.seniority = doc.seniority.map_or(NotSet, Set);
    row.years_of_experience = doc.years_of_experience.map_or(NotSet, Set);
    row.remote_preference = doc.remote_preference.map_or(NotSet, Set);
    row.open_to_work = doc.open_to_work.map_or(NotSet, Set);
    if let Some(links) = &doc.links {
        row.links = Set(links.clone().into());
    }
    match &doc.salary_expectation {
        Stated::Absent => {}
        Stated::Null => {
            row.salary_expectation_amount = Set(None);
            row.salary_expectation_currency = Set(None);
        }
        Stated::Value((amount, currency)) => {
            row.salary_expectation_amount = Set(Some(*amount));
            row.salary_expectation_currency = Set(Some(currency.clone()));
        }
    }
    if doc.city.is_some() || doc.country_code.is_some() {
        let city = doc.city.clone().unwrap_or_else(|| current.city.clone());
        let country = doc
            .country_code
            .clone()
            .unwrap_or_else(|| current.country_code.clone());
        locate(v, &mut row, city, country);
    }
    row
}

/// Sets `row` in `city` of `country`, placed by the gazetteer (an unknown city is an error at
/// `basics.location.city`).
fn locate(v: &mut Validator, row: &mut developer::ActiveModel, city: String, country: String) {
    place(
        row,
        crate::geo::check_at(v, required::CITY, Some(&city), &country),
    );
    row.city = Set(city);
    row.country_code = Set(country);
}
