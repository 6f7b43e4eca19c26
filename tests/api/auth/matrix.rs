//! Every mutation × every kind of caller: anonymous, a developer (itself / another one), an
//! employer (its own / another one's), an admin. A denied call leaves the database as it was,
//! checked by reading the target back as an admin.

use serde_json::{Value, json};

use crate::{db_test, helpers::TestApp};

/// Who calls.
#[derive(Clone, Copy, Debug)]
enum Who {
    Anonymous,
    /// The developer the mutation targets (or, for admin-only ones, some developer).
    DeveloperSelf,
    /// Another developer.
    DeveloperOther,
    /// The employer the mutation targets (or, for admin-only ones, some employer).
    EmployerOwn,
    /// Another employer.
    EmployerOther,
    Admin,
}

/// What must happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// It works: no errors, no user errors.
    Allowed,
    /// A GraphQL error with code `UNAUTHENTICATED`; nothing written.
    Unauthenticated,
    /// A GraphQL error with code `FORBIDDEN`; nothing written.
    Forbidden,
    /// The target is a draft the caller may not see: a `NOT_FOUND` user error; nothing written.
    Hidden,
}

/// The demo rows the cases aim at, plus a few made for them.
struct World {
    /// The developer targeted, and another one.
    developer: (String, String),
    developer_other: String,
    /// The employer targeted (with a DRAFT and an OPEN vacancy), and another one.
    employer: (String, String),
    employer_other: String,
    /// An employer without vacancies (deletable), made for the cases.
    quiet_employer: (String, String),
    /// A DRAFT and an OPEN vacancy of `employer`.
    draft: String,
    open: String,
    /// A skill nobody uses (deletable, mergeable), made for the cases, and a used one.
    spare_skill: String,
    used_skill: String,
    /// A token to revoke.
    token: String,
}

/// One mutation: how to call it, on what, and how to read its target back.
struct Case {
    field: &'static str,
    input_type: &'static str,
    /// The slug of the employer an EMPLOYER caller acts for in the "own" case.
    own_employer: fn(&World) -> &str,
    input: fn(&World) -> Value,
    /// A query (run as an admin) whose answer a denied call must not change.
    probe: fn(&World) -> (&'static str, Value),
}

fn targeted(world: &World) -> &str {
    &world.employer.1
}

fn quiet(world: &World) -> &str {
    &world.quiet_employer.1
}

async fn world(app: &TestApp) -> World {
    let admin = app.admin();
    let data = admin
        .data(
            "{ developers(first: 2) { nodes { id handle } } employers(first: 100) { nodes { id slug vacancies(first: 100) { nodes { id status } } } } skills(first: 1) { nodes { id } } }",
            json!({}),
        )
        .await;
    let developers = data["developers"]["nodes"].as_array().expect("developers");
    let employers = data["employers"]["nodes"].as_array().expect("employers");
    let vacancy_of = |employer: &Value, status: &str| {
        employer["vacancies"]["nodes"]
            .as_array()
            .expect("vacancies")
            .iter()
            .find(|vacancy| vacancy["status"] == status)
            .map(|vacancy| vacancy["id"].as_str().expect("an id").to_owned())
    };
    let employer = employers
        .iter()
        .find(|e| vacancy_of(e, "DRAFT").is_some() && vacancy_of(e, "OPEN").is_some())
        .expect("an employer with a draft and an open vacancy");
    let other = employers
        .iter()
        .find(|e| e["slug"] != employer["slug"])
        .expect("a second employer");
    let quiet = admin
        .data(
            "mutation { createEmployer(input: { slug: \"quiet-co\", name: \"Quiet Co\", industry: SOFTWARE, size: SMALL, city: \"Leeds\", countryCode: \"GB\" }) { employer { id slug } userErrors { code } } }",
            json!({}),
        )
        .await["createEmployer"]["employer"]
        .clone();
    let spare = admin
        .data(
            "mutation { createSkill(input: { slug: \"cobol-on-mars\", name: \"COBOL on Mars\", category: LANGUAGE }) { skill { id } } }",
            json!({}),
        )
        .await["createSkill"]["skill"]["id"]
        .clone();
    let token = app.token_with(talent_api::auth::store::NewToken {
        name: "to revoke".to_owned(),
        role: entity::TokenRole::Admin,
        employer_id: None,
        developer_id: None,
        expires_at: None,
    });
    let token = token.await;
    let token_id = app
        .with_token(&token)
        .data("{ viewer { token { id } } }", json!({}))
        .await["viewer"]["token"]["id"]
        .clone();
    let text = |value: &Value| value.as_str().expect("a string").to_owned();
    World {
        developer: (text(&developers[0]["id"]), text(&developers[0]["handle"])),
        developer_other: text(&developers[1]["handle"]),
        employer: (text(&employer["id"]), text(&employer["slug"])),
        employer_other: text(&other["slug"]),
        quiet_employer: (text(&quiet["id"]), text(&quiet["slug"])),
        draft: vacancy_of(employer, "DRAFT").expect("a draft"),
        open: vacancy_of(employer, "OPEN").expect("an open vacancy"),
        spare_skill: text(&spare),
        used_skill: text(&data["skills"]["nodes"][0]["id"]),
        token: text(&token_id),
    }
}

/// Runs `case` as `who` and checks `outcome`, reading the target back when denied.
async fn check(app: &TestApp, case: &Case, who: Who, outcome: Outcome) {
    let world = world(app).await;
    let caller = match who {
        Who::Anonymous => app.anonymous(),
        Who::DeveloperSelf => app.as_developer(&world.developer.1).await,
        Who::DeveloperOther => app.as_developer(&world.developer_other).await,
        Who::EmployerOwn => app.as_employer((case.own_employer)(&world)).await,
        Who::EmployerOther => app.as_employer(&world.employer_other).await,
        Who::Admin => app.admin(),
    };
    let (probe, probe_variables) = (case.probe)(&world);
    let before = app.admin().data(probe, probe_variables.clone()).await;
    let document = format!(
        "mutation($input: {}!) {{ {}(input: $input) {{ userErrors {{ field code message }} }} }}",
        case.input_type, case.field
    );
    let body = caller
        .graphql(&document, json!({ "input": (case.input)(&world) }))
        .await;
    let code = body["errors"][0]["extensions"]["code"].as_str();
    let user_errors = &body["data"][case.field]["userErrors"];
    match outcome {
        Outcome::Allowed => {
            assert!(
                body.get("errors").is_none(),
                "{who:?} was refused: {body:#}"
            );
            assert_eq!(user_errors, &json!([]), "{who:?}: {body:#}");
        }
        Outcome::Unauthenticated | Outcome::Forbidden => {
            let expected = if outcome == Outcome::Forbidden {
                "FORBIDDEN"
            } else {
                "UNAUTHENTICATED"
            };
            assert_eq!(code, Some(expected), "{who:?}: {body:#}");
            assert!(body["data"].is_null(), "{who:?}: {body:#}");
        }
        Outcome::Hidden => {
            assert!(body.get("errors").is_none(), "{who:?}: {body:#}");
            assert_eq!(user_errors[0]["code"], "NOT_FOUND", "{who:?}: {body:#}");
        }
    }
    if outcome != Outcome::Allowed {
        let after = app.admin().data(probe, probe_variables).await;
        assert_eq!(after, before, "{who:?}: a denied call changed the data");
    }
}

/// One test per caller for `case`, each on SQLite and PostgreSQL, named after the caller.
macro_rules! matrix {
    ($name:ident, $case:expr, [$anonymous:ident, $developer_self:ident, $developer_other:ident, $employer_own:ident, $employer_other:ident, $admin:ident]) => {
        mod $name {
            use super::*;

            db_test!(Demo, by_anonymous);
            async fn by_anonymous(app: TestApp) {
                check(&app, &$case, Who::Anonymous, Outcome::$anonymous).await;
            }
            db_test!(Demo, by_the_developer_itself);
            async fn by_the_developer_itself(app: TestApp) {
                check(&app, &$case, Who::DeveloperSelf, Outcome::$developer_self).await;
            }
            db_test!(Demo, by_another_developer);
            async fn by_another_developer(app: TestApp) {
                check(&app, &$case, Who::DeveloperOther, Outcome::$developer_other).await;
            }
            db_test!(Demo, by_the_employer_itself);
            async fn by_the_employer_itself(app: TestApp) {
                check(&app, &$case, Who::EmployerOwn, Outcome::$employer_own).await;
            }
            db_test!(Demo, by_another_employer);
            async fn by_another_employer(app: TestApp) {
                check(&app, &$case, Who::EmployerOther, Outcome::$employer_other).await;
            }
            db_test!(Demo, by_an_admin);
            async fn by_an_admin(app: TestApp) {
                check(&app, &$case, Who::Admin, Outcome::$admin).await;
            }
        }
    };
}

const DEVELOPER_PROBE: &str = "query($id: ID!) { developer(id: $id) { handle headline email version skills { skill { slug } level } } developers { totalCount } }";
const EMPLOYER_PROBE: &str = "query($id: ID!) { node(id: $id) { ... on Employer { slug city version vacancies(first: 100) { totalCount nodes { id title status version skills { skill { slug } } } } } } employers { totalCount } }";
const VACANCY_PROBE: &str =
    "query($id: ID!) { vacancy(id: $id) { title status version skills { skill { slug } } } }";
const SKILL_PROBE: &str = "query($id: ID!, $used: ID!) { spare: node(id: $id) { ... on Skill { slug description version } } used: node(id: $used) { ... on Skill { slug description version developers { totalCount } vacancies { totalCount } } } skills { totalCount } }";
const TOKEN_PROBE: &str = "query($id: ID!) { node(id: $id) { ... on ApiToken { name revokedAt } } apiTokens(includeRevoked: true) { totalCount } }";

fn developer_probe(world: &World) -> (&'static str, Value) {
    (DEVELOPER_PROBE, json!({ "id": world.developer.0 }))
}

fn employer_probe(world: &World) -> (&'static str, Value) {
    (EMPLOYER_PROBE, json!({ "id": world.employer.0 }))
}

fn skill_probe(world: &World) -> (&'static str, Value) {
    (
        SKILL_PROBE,
        json!({ "id": world.spare_skill, "used": world.used_skill }),
    )
}

fn token_probe(world: &World) -> (&'static str, Value) {
    (TOKEN_PROBE, json!({ "id": world.token }))
}

const CREATE_DEVELOPER: Case = Case {
    field: "createDeveloper",
    input_type: "CreateDeveloperInput",
    own_employer: targeted,
    input: |_| {
        json!({ "handle": "new-face", "name": "New Face", "email": "new.face@example.com", "headline": "Go developer",
                "seniority": "MIDDLE", "yearsOfExperience": 4, "city": "Porto", "countryCode": "PT", "remotePreference": "REMOTE" })
    },
    probe: developer_probe,
};
const UPDATE_DEVELOPER: Case = Case {
    field: "updateDeveloper",
    input_type: "UpdateDeveloperInput",
    own_employer: targeted,
    input: |w| json!({ "id": w.developer.0, "headline": "Changed by the matrix" }),
    probe: developer_probe,
};
const SET_DEVELOPER_SKILLS: Case = Case {
    field: "setDeveloperSkills",
    input_type: "SetDeveloperSkillsInput",
    own_employer: targeted,
    input: |w| json!({ "id": w.developer.0, "skills": [{ "slug": "rust", "level": 3 }] }),
    probe: developer_probe,
};
const DELETE_DEVELOPER: Case = Case {
    field: "deleteDeveloper",
    input_type: "DeleteDeveloperInput",
    own_employer: targeted,
    input: |w| json!({ "id": w.developer.0 }),
    probe: developer_probe,
};
const CREATE_EMPLOYER: Case = Case {
    field: "createEmployer",
    input_type: "CreateEmployerInput",
    own_employer: targeted,
    input: |_| json!({ "slug": "brand-new", "name": "Brand New", "industry": "MEDIA", "size": "STARTUP", "city": "Lyon", "countryCode": "FR" }),
    probe: employer_probe,
};
const UPDATE_EMPLOYER: Case = Case {
    field: "updateEmployer",
    input_type: "UpdateEmployerInput",
    own_employer: targeted,
    input: |w| json!({ "id": w.employer.0, "description": "Changed by the matrix" }),
    probe: employer_probe,
};
const DELETE_EMPLOYER: Case = Case {
    field: "deleteEmployer",
    input_type: "DeleteEmployerInput",
    own_employer: quiet,
    input: |w| json!({ "id": w.quiet_employer.0 }),
    probe: |w| (EMPLOYER_PROBE, json!({ "id": w.quiet_employer.0 })),
};
const CREATE_VACANCY: Case = Case {
    field: "createVacancy",
    input_type: "CreateVacancyInput",
    own_employer: targeted,
    input: |w| {
        json!({ "employerId": w.employer.0, "title": "Platform Engineer", "seniority": "SENIOR",
                "employmentType": "FULL_TIME", "workplace": "REMOTE", "countryCode": "DE" })
    },
    probe: employer_probe,
};
const UPDATE_VACANCY: Case = Case {
    field: "updateVacancy",
    input_type: "UpdateVacancyInput",
    own_employer: targeted,
    input: |w| json!({ "id": w.open, "title": "Changed by the matrix" }),
    probe: employer_probe,
};
const SET_VACANCY_SKILLS: Case = Case {
    field: "setVacancySkills",
    input_type: "SetVacancySkillsInput",
    own_employer: targeted,
    input: |w| json!({ "id": w.open, "skills": [{ "slug": "rust" }] }),
    probe: employer_probe,
};
const PUBLISH_VACANCY: Case = Case {
    field: "publishVacancy",
    input_type: "VacancyRefInput",
    own_employer: targeted,
    input: |w| json!({ "id": w.draft }),
    probe: employer_probe,
};
const CLOSE_VACANCY: Case = Case {
    field: "closeVacancy",
    input_type: "VacancyRefInput",
    own_employer: targeted,
    input: |w| json!({ "id": w.open }),
    probe: employer_probe,
};
const DELETE_VACANCY: Case = Case {
    field: "deleteVacancy",
    input_type: "VacancyRefInput",
    own_employer: targeted,
    input: |w| json!({ "id": w.draft }),
    probe: employer_probe,
};
const DELETE_OPEN_VACANCY: Case = Case {
    field: "deleteVacancy",
    input_type: "VacancyRefInput",
    own_employer: targeted,
    input: |w| json!({ "id": w.open }),
    probe: |w| (VACANCY_PROBE, json!({ "id": w.open })),
};
const CREATE_SKILL: Case = Case {
    field: "createSkill",
    input_type: "CreateSkillInput",
    own_employer: targeted,
    input: |_| json!({ "slug": "brand-new-skill", "name": "Brand New Skill", "category": "PRACTICE" }),
    probe: skill_probe,
};
const UPDATE_SKILL: Case = Case {
    field: "updateSkill",
    input_type: "UpdateSkillInput",
    own_employer: targeted,
    input: |w| json!({ "id": w.used_skill, "description": "Changed by the matrix" }),
    probe: skill_probe,
};
const DELETE_SKILL: Case = Case {
    field: "deleteSkill",
    input_type: "DeleteSkillInput",
    own_employer: targeted,
    input: |w| json!({ "id": w.spare_skill }),
    probe: skill_probe,
};
const MERGE_SKILLS: Case = Case {
    field: "mergeSkills",
    input_type: "MergeSkillsInput",
    own_employer: targeted,
    input: |w| json!({ "from": w.spare_skill, "into": w.used_skill }),
    probe: skill_probe,
};
const CREATE_API_TOKEN: Case = Case {
    field: "createApiToken",
    input_type: "CreateApiTokenInput",
    own_employer: targeted,
    input: |_| json!({ "name": "new admin", "role": "ADMIN" }),
    probe: token_probe,
};
const REVOKE_API_TOKEN: Case = Case {
    field: "revokeApiToken",
    input_type: "RevokeApiTokenInput",
    own_employer: targeted,
    input: |w| json!({ "id": w.token }),
    probe: token_probe,
};

// [anonymous, developer itself, another developer, employer itself, another employer, admin]
matrix!(
    create_developer,
    CREATE_DEVELOPER,
    [
        Unauthenticated,
        Forbidden,
        Forbidden,
        Forbidden,
        Forbidden,
        Allowed
    ]
);
matrix!(
    update_developer,
    UPDATE_DEVELOPER,
    [
        Unauthenticated,
        Allowed,
        Forbidden,
        Forbidden,
        Forbidden,
        Allowed
    ]
);
matrix!(
    set_developer_skills,
    SET_DEVELOPER_SKILLS,
    [
        Unauthenticated,
        Allowed,
        Forbidden,
        Forbidden,
        Forbidden,
        Allowed
    ]
);
matrix!(
    delete_developer,
    DELETE_DEVELOPER,
    [
        Unauthenticated,
        Allowed,
        Forbidden,
        Forbidden,
        Forbidden,
        Allowed
    ]
);
matrix!(
    create_employer,
    CREATE_EMPLOYER,
    [
        Unauthenticated,
        Forbidden,
        Forbidden,
        Forbidden,
        Forbidden,
        Allowed
    ]
);
matrix!(
    update_employer,
    UPDATE_EMPLOYER,
    [
        Unauthenticated,
        Forbidden,
        Forbidden,
        Allowed,
        Forbidden,
        Allowed
    ]
);
matrix!(
    delete_employer,
    DELETE_EMPLOYER,
    [
        Unauthenticated,
        Forbidden,
        Forbidden,
        Forbidden,
        Forbidden,
        Allowed
    ]
);
matrix!(
    create_vacancy,
    CREATE_VACANCY,
    [
        Unauthenticated,
        Forbidden,
        Forbidden,
        Allowed,
        Forbidden,
        Allowed
    ]
);
matrix!(
    update_vacancy,
    UPDATE_VACANCY,
    [
        Unauthenticated,
        Forbidden,
        Forbidden,
        Allowed,
        Forbidden,
        Allowed
    ]
);
matrix!(
    set_vacancy_skills,
    SET_VACANCY_SKILLS,
    [
        Unauthenticated,
        Forbidden,
        Forbidden,
        Allowed,
        Forbidden,
        Allowed
    ]
);
matrix!(
    publish_vacancy,
    PUBLISH_VACANCY,
    [
        Unauthenticated,
        Forbidden,
        Forbidden,
        Allowed,
        Hidden,
        Allowed
    ]
);
matrix!(
    close_vacancy,
    CLOSE_VACANCY,
    [
        Unauthenticated,
        Forbidden,
        Forbidden,
        Allowed,
        Forbidden,
        Allowed
    ]
);
matrix!(
    delete_vacancy,
    DELETE_VACANCY,
    [
        Unauthenticated,
        Forbidden,
        Forbidden,
        Allowed,
        Hidden,
        Allowed
    ]
);
matrix!(
    delete_open_vacancy,
    DELETE_OPEN_VACANCY,
    [
        Unauthenticated,
        Forbidden,
        Forbidden,
        Allowed,
        Forbidden,
        Allowed
    ]
);
matrix!(
    create_skill,
    CREATE_SKILL,
    [
        Unauthenticated,
        Forbidden,
        Forbidden,
        Forbidden,
        Forbidden,
        Allowed
    ]
);
matrix!(
    update_skill,
    UPDATE_SKILL,
    [
        Unauthenticated,
        Forbidden,
        Forbidden,
        Forbidden,
        Forbidden,
        Allowed
    ]
);
matrix!(
    delete_skill,
    DELETE_SKILL,
    [
        Unauthenticated,
        Forbidden,
        Forbidden,
        Forbidden,
        Forbidden,
        Allowed
    ]
);
matrix!(
    merge_skills,
    MERGE_SKILLS,
    [
        Unauthenticated,
        Forbidden,
        Forbidden,
        Forbidden,
        Forbidden,
        Allowed
    ]
);
matrix!(
    create_api_token,
    CREATE_API_TOKEN,
    [
        Unauthenticated,
        Forbidden,
        Forbidden,
        Forbidden,
        Forbidden,
        Allowed
    ]
);
matrix!(
    revoke_api_token,
    REVOKE_API_TOKEN,
    [
        Unauthenticated,
        Forbidden,
        Forbidden,
        Forbidden,
        Forbidden,
        Allowed
    ]
);
