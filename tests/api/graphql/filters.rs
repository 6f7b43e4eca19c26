//! Filters: each checked against the unfiltered list filtered here, in the test (an oracle), and
//! bad filter values rejected with the argument's path.

use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{TestApp, first_error},
};

/// The nodes of `field` under `filter` must be exactly the unfiltered nodes (under `base`) that
/// satisfy `keep`, in the same order, and `totalCount` must agree. Returns how many matched.
async fn assert_filter(
    app: &TestApp,
    field: &str,
    base: &str,
    filter: &str,
    selection: &str,
    keep: impl Fn(&Value) -> bool,
) -> usize {
    let everything = app
        .all_nodes(field, &format!(", filter: {{ {base} }}"), selection)
        .await;
    let expected: Vec<&Value> = everything.iter().filter(|node| keep(node)).collect();
    let filtered = app
        .all_nodes(
            field,
            &format!(", filter: {{ {base} {filter} }}"),
            selection,
        )
        .await;
    let ids = |nodes: &[&Value]| {
        nodes
            .iter()
            .map(|node| node["id"].to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ids(&filtered.iter().collect::<Vec<_>>()),
        ids(&expected),
        "{field} with {filter}"
    );
    let total = app
        .data(
            &format!("{{ {field}(filter: {{ {base} {filter} }}) {{ totalCount }} }}"),
            json!({}),
        )
        .await;
    assert_eq!(
        total[field]["totalCount"],
        json!(expected.len()),
        "{field} with {filter}: totalCount"
    );
    assert!(
        expected.len() < everything.len(),
        "{filter} filtered nothing out: a weak test"
    );
    expected.len()
}

fn has_skill(node: &Value, slug: &str, min_level: i64) -> bool {
    node["skills"].as_array().is_some_and(|skills| {
        skills
            .iter()
            .any(|s| s["skill"]["slug"] == slug && s["level"].as_i64().unwrap_or(0) >= min_level)
    })
}

const DEVELOPER: &str = "id seniority countryCode remotePreference openToWork yearsOfExperience skills { skill { slug } level }";
const VACANCY: &str = "id status seniority employmentType workplace countryCode publishedAt employer { id } salary { min max currency period } skills { skill { slug } }";

db_test!(
    Demo,
    developers_with_all_of_several_skills_at_minimum_levels
);
async fn developers_with_all_of_several_skills_at_minimum_levels(app: TestApp) {
    let matched = assert_filter(
        &app,
        "developers",
        "",
        "skills: [{ slug: \"java\", minLevel: 3 }, { slug: \"postgresql\" }]",
        DEVELOPER,
        |d| has_skill(d, "java", 3) && has_skill(d, "postgresql", 1),
    )
    .await;
    assert!(matched > 0, "nobody matched: a weak test");
}

db_test!(Demo, developers_with_any_of_several_skills);
async fn developers_with_any_of_several_skills(app: TestApp) {
    assert_filter(
        &app,
        "developers",
        "",
        "anySkills: [\"rust\", \"go\"]",
        DEVELOPER,
        |d| has_skill(d, "rust", 1) || has_skill(d, "go", 1),
    )
    .await;
}

db_test!(
    Demo,
    developers_by_seniority_country_workplace_openness_and_experience
);
async fn developers_by_seniority_country_workplace_openness_and_experience(app: TestApp) {
    assert_filter(
        &app,
        "developers",
        "",
        "seniority: [SENIOR, LEAD]",
        DEVELOPER,
        |d| d["seniority"] == "SENIOR" || d["seniority"] == "LEAD",
    )
    .await;
    assert_filter(
        &app,
        "developers",
        "",
        "countryCodes: [\"gb\", \"IE\"]",
        DEVELOPER,
        |d| d["countryCode"] == "GB" || d["countryCode"] == "IE",
    )
    .await;
    assert_filter(
        &app,
        "developers",
        "",
        "remotePreference: [REMOTE]",
        DEVELOPER,
        |d| d["remotePreference"] == "REMOTE",
    )
    .await;
    assert_filter(&app, "developers", "", "openToWork: true", DEVELOPER, |d| {
        d["openToWork"] == true
    })
    .await;
    assert_filter(
        &app,
        "developers",
        "",
        "minYearsOfExperience: 8",
        DEVELOPER,
        |d| d["yearsOfExperience"].as_i64() >= Some(8),
    )
    .await;
}

db_test!(Demo, developer_filters_combine_with_and);
async fn developer_filters_combine_with_and(app: TestApp) {
    assert_filter(
        &app,
        "developers",
        "",
        "seniority: [SENIOR], countryCodes: [\"US\"], anySkills: [\"java\", \"python\"]",
        DEVELOPER,
        |d| {
            d["seniority"] == "SENIOR"
                && d["countryCode"] == "US"
                && (has_skill(d, "java", 1) || has_skill(d, "python", 1))
        },
    )
    .await;
}

db_test!(Demo, vacancies_list_only_open_ones_unless_asked);
async fn vacancies_list_only_open_ones_unless_asked(app: TestApp) {
    let every = app
        .admin()
        .all_nodes(
            "vacancies",
            ", filter: { status: [DRAFT, OPEN, CLOSED] }",
            "id status",
        )
        .await;
    let open: Vec<&Value> = every.iter().filter(|v| v["status"] == "OPEN").collect();
    assert!(
        open.len() < every.len(),
        "the demo data has drafts and closed vacancies"
    );
    let default = app.all_nodes("vacancies", "", "id status").await;
    assert_eq!(default.iter().collect::<Vec<_>>(), open);
    let total = app.data("{ vacancies { totalCount } }", json!({})).await;
    assert_eq!(total["vacancies"]["totalCount"], json!(open.len()));
}

db_test!(
    Demo,
    vacancies_by_skills_levels_contracts_workplaces_and_countries
);
async fn vacancies_by_skills_levels_contracts_workplaces_and_countries(app: TestApp) {
    let base = "status: [DRAFT, OPEN, CLOSED],";
    assert_filter(
        &app,
        "vacancies",
        base,
        "skills: [\"java\", \"kafka\"]",
        VACANCY,
        |v| has_skill(v, "java", 0) && has_skill(v, "kafka", 0),
    )
    .await;
    assert_filter(
        &app,
        "vacancies",
        base,
        "anySkills: [\"go\", \"rust\"]",
        VACANCY,
        |v| has_skill(v, "go", 0) || has_skill(v, "rust", 0),
    )
    .await;
    assert_filter(
        &app,
        "vacancies",
        base,
        "seniority: [JUNIOR, INTERN]",
        VACANCY,
        |v| v["seniority"] == "JUNIOR" || v["seniority"] == "INTERN",
    )
    .await;
    assert_filter(
        &app,
        "vacancies",
        base,
        "employmentType: [CONTRACTOR]",
        VACANCY,
        |v| v["employmentType"] == "CONTRACTOR",
    )
    .await;
    assert_filter(
        &app,
        "vacancies",
        base,
        "workplace: [REMOTE, HYBRID]",
        VACANCY,
        |v| v["workplace"] != "ONSITE",
    )
    .await;
    assert_filter(
        &app,
        "vacancies",
        base,
        "countryCodes: [\"DE\", \"NL\"]",
        VACANCY,
        |v| v["countryCode"] == "DE" || v["countryCode"] == "NL",
    )
    .await;
    assert_filter(&app, "vacancies", base, "status: [CLOSED]", VACANCY, |v| {
        v["status"] == "CLOSED"
    })
    .await;
}

db_test!(Demo, vacancies_of_one_employer);
async fn vacancies_of_one_employer(app: TestApp) {
    let employer = app
        .data(
            "{ employer(slug: \"atlas-retail-group\") { id } }",
            json!({}),
        )
        .await["employer"]["id"]
        .clone();
    let id = employer.as_str().expect("an id").to_owned();
    assert_filter(
        &app,
        "vacancies",
        "",
        &format!("employer: \"{id}\""),
        VACANCY,
        |v| v["employer"]["id"] == employer,
    )
    .await;
}

db_test!(
    Demo,
    vacancies_whose_salary_overlaps_a_range_in_the_same_currency_and_period
);
async fn vacancies_whose_salary_overlaps_a_range_in_the_same_currency_and_period(app: TestApp) {
    let matched = assert_filter(
        &app,
        "vacancies",
        "",
        "salary: { min: 120000, max: 150000, currency: \"USD\" }",
        VACANCY,
        |v| {
            let s = &v["salary"];
            s["currency"] == "USD"
                && s["period"] == "YEAR"
                && s["max"].as_i64() >= Some(120_000)
                && s["min"].as_i64() <= Some(150_000)
        },
    )
    .await;
    assert!(matched > 0, "nothing overlapped: a weak test");
    assert_filter(
        &app,
        "vacancies",
        "",
        "salary: { min: 500, currency: \"gbp\", period: DAY }",
        VACANCY,
        |v| {
            let s = &v["salary"];
            s["currency"] == "GBP" && s["period"] == "DAY" && s["max"].as_i64() >= Some(500)
        },
    )
    .await;
}

db_test!(Demo, vacancies_published_after_a_moment);
async fn vacancies_published_after_a_moment(app: TestApp) {
    let after = "2026-10-15T00:00:00+00:00";
    assert_filter(
        &app,
        "vacancies",
        "status: [OPEN, CLOSED],",
        &format!("publishedAfter: \"{after}\""),
        VACANCY,
        |v| {
            v["publishedAt"]
                .as_str()
                .is_some_and(|published| published > after)
        },
    )
    .await;
}

db_test!(
    Demo,
    employers_by_industry_size_and_country_and_skills_by_category
);
async fn employers_by_industry_size_and_country_and_skills_by_category(app: TestApp) {
    let employer = "id industry size countryCode";
    assert_filter(
        &app,
        "employers",
        "",
        "industry: [FINANCE, RETAIL]",
        employer,
        |e| e["industry"] == "FINANCE" || e["industry"] == "RETAIL",
    )
    .await;
    assert_filter(&app, "employers", "", "size: [STARTUP]", employer, |e| {
        e["size"] == "STARTUP"
    })
    .await;
    assert_filter(
        &app,
        "employers",
        "",
        "countryCodes: [\"US\"]",
        employer,
        |e| e["countryCode"] == "US",
    )
    .await;
    assert_filter(
        &app,
        "skills",
        "",
        "category: [DATABASE, API]",
        "id category",
        |s| s["category"] == "DATABASE" || s["category"] == "API",
    )
    .await;
}

/// `query` must fail with BAD_USER_INPUT at `field`.
async fn assert_rejected(app: &TestApp, query: &str, field: Value) {
    let body = app.graphql(query, json!({})).await;
    let error = first_error(&body);
    assert_eq!(
        error["extensions"]["code"], "BAD_USER_INPUT",
        "{query}: {body:#}"
    );
    assert_eq!(error["extensions"]["field"], field, "{query}");
    assert!(
        body["data"].is_null()
            || body["data"]
                .as_object()
                .is_some_and(|d| d.values().all(Value::is_null)),
        "{body:#}"
    );
}

db_test!(
    Demo,
    bad_filter_values_are_bad_user_input_naming_the_argument
);
async fn bad_filter_values_are_bad_user_input_naming_the_argument(app: TestApp) {
    let cases = [
        (
            "{ developers(filter: { skills: [{ slug: \"java\" }, { slug: \"cobol\" }] }) { totalCount } }",
            json!(["filter", "skills", "1", "slug"]),
        ),
        (
            "{ developers(filter: { skills: [{ slug: \"java\", minLevel: 6 }] }) { totalCount } }",
            json!(["filter", "skills", "0", "minLevel"]),
        ),
        (
            "{ developers(filter: { anySkills: [\"fortran\"] }) { totalCount } }",
            json!(["filter", "anySkills", "0"]),
        ),
        (
            "{ developers(filter: { countryCodes: [\"DE\", \"XX\"] }) { totalCount } }",
            json!(["filter", "countryCodes", "1"]),
        ),
        (
            "{ developers(filter: { minYearsOfExperience: -1 }) { totalCount } }",
            json!(["filter", "minYearsOfExperience"]),
        ),
        (
            "{ vacancies(filter: { salary: { min: 9, max: 1, currency: \"USD\" } }) { totalCount } }",
            json!(["filter", "salary", "min"]),
        ),
        (
            "{ vacancies(filter: { salary: { min: 1, currency: \"DOLLARS\" } }) { totalCount } }",
            json!(["filter", "salary", "currency"]),
        ),
        (
            "{ vacancies(filter: { employer: \"nonsense\" }) { totalCount } }",
            json!(["filter", "employer"]),
        ),
        (
            "{ vacancies(filter: { skills: [\"go\", \"quantum-computing\"] }) { totalCount } }",
            json!(["filter", "skills", "1"]),
        ),
        (
            "{ employers(filter: { countryCodes: [\"UK\"] }) { totalCount } }",
            json!(["filter", "countryCodes", "0"]),
        ),
    ];
    for (query, field) in cases {
        assert_rejected(&app, query, field).await;
    }
}
