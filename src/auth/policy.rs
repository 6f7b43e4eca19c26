//! The rules: who may see and change what. Every access decision of the API is made here, once;
//! resolvers only ask.
//!
//! | caller    | reads                                             | writes                                        |
//! |-----------|---------------------------------------------------|-----------------------------------------------|
//! | anonymous | public directory, OPEN and CLOSED vacancies       | nothing                                       |
//! | DEVELOPER | + its own email and salary expectation            | its own profile and skills; deleting itself    |
//! | EMPLOYER  | + its own DRAFT vacancies                         | its employer; its vacancies, whole life cycle |
//! | ADMIN     | everything                                        | everything, incl. skills, new developers/employers, tokens |
//!
//! Denials are `UNAUTHENTICATED` for anonymous callers and `FORBIDDEN` for signed-in ones, except
//! that a DRAFT vacancy the caller may not see does not exist for it (reads return null, writes
//! report `NOT_FOUND`), so drafts cannot be discovered by probing IDs.

use entity::vacancy;
use sea_orm::{ColumnTrait, Condition};

use super::{Role, Viewer};
use crate::error::{ApiError, ApiResult};

/// The caller must be signed in.
fn signed_in(viewer: &Viewer) -> ApiResult<Role> {
    viewer.role().ok_or_else(|| {
        ApiError::Unauthenticated(
            "this operation needs an API token: send `Authorization: Bearer <token>`".to_owned(),
        )
    })
}

/// Only admins: the skill taxonomy, new developers and employers, deleting employers, tokens.
pub fn admin(viewer: &Viewer, what: &str) -> ApiResult<()> {
    match signed_in(viewer)? {
        Role::Admin => Ok(()),
        _ => Err(ApiError::Forbidden(format!("only admins may {what}"))),
    }
}

/// Changing developer `id`'s profile or skills, or deleting it: the developer itself or an admin.
/// `id` is None when the ID sent is malformed: then only the role is checked, and validation
/// reports the ID.
pub fn act_for_developer(viewer: &Viewer, id: Option<i64>) -> ApiResult<()> {
    match (signed_in(viewer)?, id) {
        (Role::Admin, _) | (Role::Developer(_), None) => Ok(()),
        (Role::Developer(own), Some(id)) if own == id => Ok(()),
        _ => Err(ApiError::Forbidden(
            "a developer profile can only be changed by that developer or an admin".to_owned(),
        )),
    }
}

/// Changing employer `id` or managing its vacancies: that employer or an admin. `id` is None when
/// the ID sent is malformed (see [`act_for_developer`]).
pub fn act_for_employer(viewer: &Viewer, id: Option<i64>) -> ApiResult<()> {
    match (signed_in(viewer)?, id) {
        (Role::Admin, _) | (Role::Employer(_), None) => Ok(()),
        (Role::Employer(own), Some(id)) if own == id => Ok(()),
        _ => Err(ApiError::Forbidden(
            "an employer and its vacancies can only be managed by that employer or an admin"
                .to_owned(),
        )),
    }
}

/// What a caller may do with an existing vacancy it asked to change.
#[derive(Debug, PartialEq, Eq)]
pub enum VacancyAccess {
    /// Go ahead.
    Allowed,
    /// The vacancy is a draft the caller may not see: report it as not found.
    Hidden,
}

/// Changing, publishing, closing or deleting `vacancy`: its employer or an admin. Developers get
/// `FORBIDDEN`; other employers too, or [`VacancyAccess::Hidden`] for a draft they may not even
/// see.
pub fn manage_vacancy(viewer: &Viewer, vacancy: &vacancy::Model) -> ApiResult<VacancyAccess> {
    // Developers never manage vacancies, whichever one they name.
    act_for_employer(viewer, None)?;
    if !Drafts::of(viewer).shows(vacancy) {
        return Ok(VacancyAccess::Hidden);
    }
    act_for_employer(viewer, Some(vacancy.employer_id))?;
    Ok(VacancyAccess::Allowed)
}

/// Reading developer `id`'s private fields (email, salary expectation): the developer itself or
/// an admin; `FORBIDDEN` for everyone else, anonymous callers included.
pub fn private_fields_of(viewer: &Viewer, id: i64) -> ApiResult<()> {
    match viewer.role() {
        Some(Role::Admin) => Ok(()),
        Some(Role::Developer(own)) if own == id => Ok(()),
        _ => Err(ApiError::Forbidden(
            "private: only the developer and admins can see this field".to_owned(),
        )),
    }
}

/// Reading API tokens: admins see all; others see only the token they signed in with.
pub fn token(viewer: &Viewer, token_id: i64) -> bool {
    match viewer.session() {
        Some(session) => session.role == Role::Admin || session.token_id == token_id,
        None => false,
    }
}

/// Which DRAFT vacancies a caller sees; OPEN and CLOSED ones are public. The same rule, as a
/// check of one row and as SQL for lists and counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drafts {
    /// Every draft (admins).
    All,
    /// The drafts of this employer (its own tokens).
    OfEmployer(i64),
    /// None.
    None,
}

impl Drafts {
    /// The drafts `viewer` sees.
    pub fn of(viewer: &Viewer) -> Self {
        match viewer.role() {
            Some(Role::Admin) => Self::All,
            Some(Role::Employer(id)) => Self::OfEmployer(id),
            Some(Role::Developer(_)) | None => Self::None,
        }
    }

    /// Whether `vacancy` is visible.
    pub fn shows(self, vacancy: &vacancy::Model) -> bool {
        match self {
            Self::All => true,
            _ if vacancy.status != entity::VacancyStatus::Draft => true,
            Self::OfEmployer(id) => vacancy.employer_id == id,
            Self::None => false,
        }
    }

    /// The condition visible vacancies meet, or None when all are visible.
    pub fn condition(self) -> Option<Condition> {
        let published = vacancy::Column::Status.ne(entity::VacancyStatus::Draft);
        match self {
            Self::All => None,
            Self::OfEmployer(id) => Some(
                Condition::any()
                    .add(published)
                    .add(vacancy::Column::EmployerId.eq(id)),
            ),
            Self::None => Some(Condition::all().add(published)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Session;

    fn as_role(role: Role) -> Viewer {
        Viewer::signed_in(Session { token_id: 1, role })
    }

    #[test]
    fn anonymous_callers_must_sign_in_to_write() {
        let anonymous = Viewer::anonymous();
        for denied in [
            admin(&anonymous, "x"),
            act_for_developer(&anonymous, Some(1)),
            act_for_employer(&anonymous, None),
        ] {
            assert!(matches!(denied, Err(ApiError::Unauthenticated(_))));
        }
    }

    #[test]
    fn developers_act_for_themselves_only() {
        let developer = as_role(Role::Developer(7));
        assert!(act_for_developer(&developer, Some(7)).is_ok());
        assert!(matches!(
            act_for_developer(&developer, Some(8)),
            Err(ApiError::Forbidden(_))
        ));
        assert!(matches!(
            act_for_employer(&developer, Some(7)),
            Err(ApiError::Forbidden(_))
        ));
    }

    #[test]
    fn private_fields_are_forbidden_even_to_anonymous_callers() {
        assert!(matches!(
            private_fields_of(&Viewer::anonymous(), 1),
            Err(ApiError::Forbidden(_))
        ));
        assert!(private_fields_of(&as_role(Role::Developer(1)), 1).is_ok());
        assert!(private_fields_of(&as_role(Role::Admin), 1).is_ok());
        assert!(private_fields_of(&as_role(Role::Employer(1)), 1).is_err());
    }

    #[test]
    fn drafts_are_seen_by_their_employer_and_admins_only() {
        assert_eq!(Drafts::of(&Viewer::anonymous()), Drafts::None);
        assert_eq!(Drafts::of(&as_role(Role::Developer(3))), Drafts::None);
        assert_eq!(
            Drafts::of(&as_role(Role::Employer(3))),
            Drafts::OfEmployer(3)
        );
        assert_eq!(Drafts::of(&as_role(Role::Admin)), Drafts::All);
        assert!(Drafts::All.condition().is_none());
    }
}
