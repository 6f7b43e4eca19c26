//! `salaryInsights`: figures from the database held against a straightforward computation here,
//! for every grouping and filter, on hand-built vacancies and developers.

use std::collections::BTreeMap;

use entity::{SalaryPeriod, Seniority, VacancyStatus, Workplace};
use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{TestApp, first_error},
    world::{Dev, Job, Random, SKILLS, World},
};

const INSIGHTS: &str = r#"
query($filter: SalaryInsightsFilter, $groupBy: SalaryGroupBy) {
  salaryInsights(filter: $filter, groupBy: $groupBy) {
    source
    groupBy
    withheldGroups
    groups { seniority skill { slug } countryCode currency count min p25 median p75 max mean }
  }
}"#;

/// Figures of one group, computed here: (count, min, p25, median, p75, max, mean).
type Figures = (usize, f64, f64, f64, f64, f64, f64);

/// `percentile_cont(fraction)` of sorted amounts.
fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    let position = fraction * (sorted.len() - 1) as f64;
    let lower = position.floor();
    let index = lower as usize;
    match sorted.get(index + 1) {
        Some(next) => sorted[index] + (position - lower) * (next - sorted[index]),
        None => sorted[index],
    }
}

fn figures(mut amounts: Vec<f64>) -> Figures {
    amounts.sort_by(f64::total_cmp);
    let count = amounts.len();
    (
        count,
        amounts[0],
        percentile(&amounts, 0.25),
        percentile(&amounts, 0.5),
        percentile(&amounts, 0.75),
        amounts[count - 1],
        amounts.iter().sum::<f64>() / count as f64,
    )
}

fn per_year(period: SalaryPeriod) -> f64 {
    match period {
        SalaryPeriod::Hour => 2080.0,
        SalaryPeriod::Day => 260.0,
        SalaryPeriod::Week => 52.0,
        SalaryPeriod::Month => 12.0,
        SalaryPeriod::Year => 1.0,
    }
}

fn level(seniority: Seniority) -> &'static str {
    match seniority {
        Seniority::Intern => "INTERN",
        Seniority::Junior => "JUNIOR",
        Seniority::Middle => "MIDDLE",
        Seniority::Senior => "SENIOR",
        Seniority::Lead => "LEAD",
        Seniority::Principal => "PRINCIPAL",
    }
}

/// The API's groups as `(group, currency) -> figures`, the group being the seniority, skill slug
/// or country as text ("" when not grouped).
fn reported(data: &Value) -> BTreeMap<(String, String), Figures> {
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let number = |value: &Value| value.as_f64().unwrap_or(f64::NAN);
    data["salaryInsights"]["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|group| {
            let key = [
                &group["seniority"],
                &group["skill"]["slug"],
                &group["countryCode"],
            ]
            .into_iter()
            .map(text)
            .collect::<String>();
            (
                (key, text(&group["currency"])),
                (
                    group["count"].as_u64().unwrap_or_default() as usize,
                    number(&group["min"]),
                    number(&group["p25"]),
                    number(&group["median"]),
                    number(&group["p75"]),
                    number(&group["max"]),
                    number(&group["mean"]),
                ),
            )
        })
        .collect()
}

fn assert_same(
    reported: &BTreeMap<(String, String), Figures>,
    expected: &BTreeMap<(String, String), Figures>,
    what: &str,
) {
    let keys: Vec<_> = reported.keys().collect();
    let expected_keys: Vec<_> = expected.keys().collect();
    assert_eq!(keys, expected_keys, "groups of {what}");
    for (key, want) in expected {
        let got = reported[key];
        assert_eq!(got.0, want.0, "count of {key:?} in {what}");
        for (name, a, b) in [
            ("min", got.1, want.1),
            ("p25", got.2, want.2),
            ("median", got.3, want.3),
            ("p75", got.4, want.4),
            ("max", got.5, want.5),
            ("mean", got.6, want.6),
        ] {
            assert!(
                (a - b).abs() <= 1e-6 * b.abs().max(1.0),
                "{name} of {key:?} in {what}: got {a}, computed {b}"
            );
        }
    }
}

const LEVELS: [Seniority; 4] = [
    Seniority::Junior,
    Seniority::Middle,
    Seniority::Senior,
    Seniority::Lead,
];
const COUNTRIES: [&str; 3] = ["DE", "PL", "US"];
const CURRENCIES: [&str; 3] = ["EUR", "USD", "GBP"];
const PERIODS: [SalaryPeriod; 3] = [SalaryPeriod::Year, SalaryPeriod::Month, SalaryPeriod::Hour];

/// Inserts 80 random vacancies (some not OPEN, some without a salary); returns them.
async fn random_jobs(world: &World) -> Vec<Job> {
    let mut random = Random(0x2545_f491_4f6c_dd1d);
    let mut jobs = Vec::new();
    for _ in 0..80 {
        let period = PERIODS[random.below(3) as usize];
        let min = match period {
            SalaryPeriod::Hour => 30 + random.below(90) as i64,
            SalaryPeriod::Month => 3_000 + random.below(9_000) as i64,
            _ => 40_000 + random.below(140_000) as i64,
        };
        let mut skills = Vec::new();
        for slug in SKILLS {
            if random.below(3) == 0 {
                skills.push((slug, random.below(2) == 0, 3));
            }
        }
        let job = Job {
            seniority: LEVELS[random.below(4) as usize],
            country: COUNTRIES[random.below(3) as usize],
            workplace: Workplace::Remote,
            status: match random.below(8) {
                0 => VacancyStatus::Draft,
                1 => VacancyStatus::Closed,
                _ => VacancyStatus::Open,
            },
            salary: (random.below(6) > 0).then(|| {
                (
                    min,
                    min + random.below(min as u64 / 2 + 1) as i64,
                    CURRENCIES[random.below(3) as usize],
                    period,
                )
            }),
            skills,
            ..Job::new("Random")
        };
        world.vacancy(&job).await;
        jobs.push(job);
    }
    jobs
}

/// What the API should report for `jobs`: the open ones with a salary that pass `keep`, grouped
/// by `keys` (a vacancy may fall in several groups).
fn expected(
    jobs: &[Job],
    keep: impl Fn(&Job) -> bool,
    keys: impl Fn(&Job) -> Vec<String>,
) -> BTreeMap<(String, String), Figures> {
    let mut amounts: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    for job in jobs {
        let Some((min, max, currency, period)) = job.salary else {
            continue;
        };
        if job.status != VacancyStatus::Open || !keep(job) {
            continue;
        }
        let amount = (min + max) as f64 * per_year(period) / 2.0;
        for key in keys(job) {
            amounts
                .entry((key, currency.to_owned()))
                .or_default()
                .push(amount);
        }
    }
    amounts
        .into_iter()
        .map(|(key, amounts)| (key, figures(amounts)))
        .collect()
}

async fn insights(app: &TestApp, filter: Value, group_by: &str) -> Value {
    app.anonymous()
        .data(INSIGHTS, json!({ "filter": filter, "groupBy": group_by }))
        .await
}

db_test!(
    Empty,
    vacancy_figures_per_currency_equal_an_independent_computation
);
async fn vacancy_figures_per_currency_equal_an_independent_computation(app: TestApp) {
    let world = World::new(app.db().await).await;
    let jobs = random_jobs(&world).await;
    let data = insights(&app, json!(null), "NONE").await;
    assert_eq!(data["salaryInsights"]["source"], json!("VACANCIES"));
    let want = expected(&jobs, |_| true, |_| vec![String::new()]);
    assert_eq!(want.len(), 3, "one group per currency");
    assert_same(&reported(&data), &want, "all vacancies");
}

db_test!(
    Empty,
    vacancy_figures_by_seniority_skill_and_country_equal_an_independent_computation
);
async fn vacancy_figures_by_seniority_skill_and_country_equal_an_independent_computation(
    app: TestApp,
) {
    let world = World::new(app.db().await).await;
    let jobs = random_jobs(&world).await;
    let by_seniority = |job: &Job| vec![level(job.seniority).to_owned()];
    let by_skill = |job: &Job| {
        job.skills
            .iter()
            .map(|(slug, _, _)| (*slug).to_owned())
            .collect()
    };
    let by_country = |job: &Job| vec![job.country.to_owned()];
    let data = insights(&app, json!(null), "SENIORITY").await;
    assert_same(
        &reported(&data),
        &expected(&jobs, |_| true, by_seniority),
        "by seniority",
    );
    let data = insights(&app, json!(null), "SKILL").await;
    assert_same(
        &reported(&data),
        &expected(&jobs, |_| true, by_skill),
        "by skill",
    );
    let data = insights(&app, json!(null), "COUNTRY").await;
    assert_same(
        &reported(&data),
        &expected(&jobs, |_| true, by_country),
        "by country",
    );
}

db_test!(Empty, vacancy_filters_narrow_the_figures_as_computed_here);
async fn vacancy_filters_narrow_the_figures_as_computed_here(app: TestApp) {
    let world = World::new(app.db().await).await;
    let jobs = random_jobs(&world).await;
    let has = |job: &Job, slug: &str| job.skills.iter().any(|(s, _, _)| *s == slug);
    let data = insights(
        &app,
        json!({ "skills": ["rust", "postgresql"], "currency": "EUR" }),
        "SENIORITY",
    )
    .await;
    let want = expected(
        &jobs,
        |job| {
            has(job, "rust") && has(job, "postgresql") && job.salary.is_some_and(|s| s.2 == "EUR")
        },
        |job| vec![level(job.seniority).to_owned()],
    );
    assert_same(
        &reported(&data),
        &want,
        "Rust and PostgreSQL in EUR by seniority",
    );
    // Grouped by skill with a skill filter: only the filtered skills' groups.
    let data = insights(
        &app,
        json!({ "skills": ["go"], "seniority": ["SENIOR", "LEAD"], "countryCodes": ["DE", "US"] }),
        "SKILL",
    )
    .await;
    let want = expected(
        &jobs,
        |job| {
            has(job, "go")
                && matches!(job.seniority, Seniority::Senior | Seniority::Lead)
                && ["DE", "US"].contains(&job.country)
        },
        |_| vec!["go".to_owned()],
    );
    assert_same(
        &reported(&data),
        &want,
        "Go, senior and lead, DE and US, by skill",
    );
}

db_test!(Empty, currencies_are_never_mixed_in_one_group);
async fn currencies_are_never_mixed_in_one_group(app: TestApp) {
    let world = World::new(app.db().await).await;
    for salary in [
        (100_000, 120_000, "EUR", SalaryPeriod::Year),
        (120_000, 140_000, "USD", SalaryPeriod::Year),
        (9_000, 10_000, "EUR", SalaryPeriod::Month),
    ] {
        world
            .vacancy(&Job {
                salary: Some(salary),
                ..Job::new("Senior engineer")
            })
            .await;
    }
    let data = insights(&app, json!({ "seniority": ["SENIOR"] }), "SENIORITY").await;
    // EUR: 110,000 (the middle of 100,000 to 120,000) and 114,000 (9,500 a month); USD: 130,000.
    assert_eq!(
        data["salaryInsights"]["groups"],
        json!([
            { "seniority": "SENIOR", "skill": null, "countryCode": null, "currency": "EUR", "count": 2,
              "min": 110_000.0, "p25": 111_000.0, "median": 112_000.0, "p75": 113_000.0,
              "max": 114_000.0, "mean": 112_000.0 },
            { "seniority": "SENIOR", "skill": null, "countryCode": null, "currency": "USD", "count": 1,
              "min": 130_000.0, "p25": 130_000.0, "median": 130_000.0, "p75": 130_000.0,
              "max": 130_000.0, "mean": 130_000.0 },
        ])
    );
}

/// Senior developers with EUR expectations: 4 in Germany (60,000 to 75,000), 12 in Poland
/// (80,000 to 135,000), in steps of 5,000.
async fn expecting_developers(world: &World) {
    const HANDLES: [&str; 16] = [
        "d0", "d1", "d2", "d3", "p0", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "pa",
        "pb",
    ];
    for (i, handle) in HANDLES.into_iter().enumerate() {
        world
            .developer(&Dev {
                country: if i < 4 { "DE" } else { "PL" },
                expectation: Some((60_000 + 5_000 * i as i64, "EUR")),
                skills: vec![("rust", 3)],
                ..Dev::new(handle)
            })
            .await;
    }
}

/// `amount` rounded to the nearest 1,000, as published.
fn rounded(amount: f64) -> f64 {
    (amount / 1_000.0).round() * 1_000.0
}

db_test!(
    Empty,
    developer_cells_under_ten_are_withheld_and_the_rest_published_rounded
);
async fn developer_cells_under_ten_are_withheld_and_the_rest_published_rounded(app: TestApp) {
    let world = World::new(app.db().await).await;
    expecting_developers(&world).await;
    let variables = json!({ "filter": { "source": "DEVELOPERS", "seniority": ["SENIOR"] }, "groupBy": "COUNTRY" });
    let poland: Vec<f64> = (4..16).map(|i| 60_000.0 + 5_000.0 * f64::from(i)).collect();
    for caller in [
        app.anonymous(),
        app.as_developer("d0").await,
        app.as_employer("acme").await,
    ] {
        let data = caller.data(INSIGHTS, variables.clone()).await;
        assert_eq!(data["salaryInsights"]["withheldGroups"], json!(1));
        let groups = data["salaryInsights"]["groups"].as_array().expect("groups");
        assert_eq!(groups.len(), 1, "{groups:?}");
        let group = &groups[0];
        assert_eq!(group["countryCode"], json!("PL"));
        // 12 developers, published as 10.
        assert_eq!(group["count"], json!(10));
        assert_eq!(group["min"], json!(rounded(percentile(&poland, 0.1))));
        assert_eq!(group["p25"], json!(rounded(percentile(&poland, 0.25))));
        assert_eq!(group["median"], json!(rounded(percentile(&poland, 0.5))));
        assert_eq!(group["p75"], json!(rounded(percentile(&poland, 0.75))));
        assert_eq!(group["max"], json!(rounded(percentile(&poland, 0.9))));
        assert_eq!(group["mean"], json!(108_000.0), "107,500 rounds to 108,000");
        // No figure is anyone's amount: the lowest and highest are not shown.
        assert_ne!(group["min"], json!(80_000.0));
        assert_ne!(group["max"], json!(135_000.0));
    }
    let data = app
        .admin()
        .data(
            INSIGHTS,
            json!({ "filter": { "source": "DEVELOPERS" }, "groupBy": "COUNTRY" }),
        )
        .await;
    assert_eq!(data["salaryInsights"]["withheldGroups"], json!(0));
    let want: BTreeMap<(String, String), Figures> = [
        (
            ("DE".to_owned(), "EUR".to_owned()),
            figures(vec![60_000.0, 65_000.0, 70_000.0, 75_000.0]),
        ),
        (("PL".to_owned(), "EUR".to_owned()), figures(poland)),
    ]
    .into_iter()
    .collect();
    assert_same(&reported(&data), &want, "developers by country, as admin");
}

db_test!(
    Empty,
    developer_requests_that_are_not_one_cell_per_group_are_bad_user_input
);
async fn developer_requests_that_are_not_one_cell_per_group_are_bad_user_input(app: TestApp) {
    let world = World::new(app.db().await).await;
    expecting_developers(&world).await;
    for (filter, group_by, path) in [
        // The audit's differencing pair: skills and several levels.
        (
            json!({ "source": "DEVELOPERS", "countryCodes": ["US"], "seniority": ["INTERN", "SENIOR", "LEAD"], "skills": ["organisation", "cassandra"] }),
            "NONE",
            json!(["filter", "skills"]),
        ),
        (
            json!({ "source": "DEVELOPERS", "countryCodes": ["PL"], "seniority": ["SENIOR", "JUNIOR"] }),
            "NONE",
            json!(["filter", "seniority"]),
        ),
        (
            json!({ "source": "DEVELOPERS", "seniority": ["SENIOR"] }),
            "NONE",
            json!(["filter", "countryCodes"]),
        ),
        (
            json!({ "source": "DEVELOPERS", "countryCodes": ["PL", "DE"] }),
            "SENIORITY",
            json!(["filter", "countryCodes"]),
        ),
        (
            json!({ "source": "DEVELOPERS", "seniority": ["SENIOR"], "countryCodes": ["PL"] }),
            "SKILL",
            json!(["groupBy"]),
        ),
    ] {
        let body = app
            .anonymous()
            .graphql(INSIGHTS, json!({ "filter": filter, "groupBy": group_by }))
            .await;
        let error = first_error(&body);
        assert_eq!(
            error["extensions"]["code"],
            json!("BAD_USER_INPUT"),
            "{body}"
        );
        assert_eq!(error["extensions"]["field"], path, "{body}");
    }
}

db_test!(Empty, unknown_skills_and_currencies_are_bad_user_input);
async fn unknown_skills_and_currencies_are_bad_user_input(app: TestApp) {
    World::new(app.db().await).await;
    for (filter, path) in [
        (
            json!({ "skills": ["rust", "cobol-on-wheels"] }),
            json!(["filter", "skills", "1"]),
        ),
        (json!({ "currency": "EURO" }), json!(["filter", "currency"])),
        (
            json!({ "countryCodes": ["XX"] }),
            json!(["filter", "countryCodes", "0"]),
        ),
    ] {
        let body = app
            .anonymous()
            .graphql(INSIGHTS, json!({ "filter": filter }))
            .await;
        let error = first_error(&body);
        assert_eq!(
            error["extensions"]["code"],
            json!("BAD_USER_INPUT"),
            "{body}"
        );
        assert_eq!(error["extensions"]["field"], path, "{body}");
    }
}

db_test!(
    Demo,
    no_pair_of_published_developer_cells_isolates_a_developer_on_the_demo_data
);
async fn no_pair_of_published_developer_cells_isolates_a_developer_on_the_demo_data(app: TestApp) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    const LEVELS: [&str; 6] = ["INTERN", "JUNIOR", "MIDDLE", "SENIOR", "LEAD", "PRINCIPAL"];
    let developers = entity::developer::Entity::find()
        .filter(entity::developer::Column::SalaryExpectationAmount.is_not_null())
        .all(app.pool())
        .await
        .expect("developers");
    let mut countries: Vec<String> = developers.iter().map(|d| d.country_code.clone()).collect();
    countries.sort();
    countries.dedup();
    // Every request a non-admin may make: one level by country, one country by level, one cell.
    let mut requests = Vec::new();
    for country in &countries {
        requests.push((
            json!({ "source": "DEVELOPERS", "countryCodes": [country] }),
            "SENIORITY",
        ));
        for level in LEVELS {
            requests.push((
                json!({ "source": "DEVELOPERS", "countryCodes": [country], "seniority": [level] }),
                "NONE",
            ));
        }
    }
    for level in LEVELS {
        requests.push((
            json!({ "source": "DEVELOPERS", "seniority": [level] }),
            "COUNTRY",
        ));
    }
    // (seniority, country, currency) -> published figures, as first seen.
    let mut seen: BTreeMap<(String, String, String), Value> = BTreeMap::new();
    for (filter, group_by) in requests {
        let data = app
            .anonymous()
            .data(
                INSIGHTS,
                json!({ "filter": filter.clone(), "groupBy": group_by }),
            )
            .await;
        for group in data["salaryInsights"]["groups"].as_array().expect("groups") {
            let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
            let seniority = group["seniority"]
                .as_str()
                .map_or_else(|| text(&filter["seniority"][0]), str::to_owned);
            let country = group["countryCode"]
                .as_str()
                .map_or_else(|| text(&filter["countryCodes"][0]), str::to_owned);
            let key = (seniority, country, text(&group["currency"]));
            let figures = json!([
                group["count"],
                group["min"],
                group["p25"],
                group["median"],
                group["p75"],
                group["max"],
                group["mean"]
            ]);
            // One cell shows the same figures however it is asked for: nothing to average out.
            assert_eq!(
                seen.entry(key.clone()).or_insert_with(|| figures.clone()),
                &figures,
                "{key:?}"
            );
        }
    }
    assert!(!seen.is_empty(), "the demo data publishes some cells");
    let members = |(seniority, country, currency): &(String, String, String)| -> Vec<(i64, f64)> {
        developers
            .iter()
            .filter(|d| {
                format!("{:?}", d.seniority).to_uppercase() == *seniority
                    && d.country_code == *country
                    && d.salary_expectation_currency.as_deref() == Some(currency.as_str())
            })
            .filter_map(|d| Some((d.id, d.salary_expectation_amount? as f64)))
            .collect()
    };
    let cells: Vec<_> = seen
        .iter()
        .map(|(key, figures)| (key, figures, members(key)))
        .collect();
    for (key, figures, people) in &cells {
        assert!(
            people.len() >= 10,
            "{key:?} is published with {} developers",
            people.len()
        );
        let count = figures[0].as_u64().unwrap_or_default() as usize;
        assert!(
            count <= people.len() && people.len() < count + 5 && count.is_multiple_of(5),
            "{key:?}: {count} for {}",
            people.len()
        );
        // No published amount is a member's own extreme.
        let lowest = people.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let highest = people.iter().map(|p| p.1).fold(0.0, f64::max);
        assert!(
            figures[1].as_f64() != Some(lowest)
                || people.iter().filter(|p| p.1 == lowest).count() > 1,
            "{key:?} shows its minimum"
        );
        assert!(
            figures[5].as_f64() != Some(highest)
                || people.iter().filter(|p| p.1 == highest).count() > 1,
            "{key:?} shows its maximum"
        );
    }
    // Differencing: two groups whose members differ by one person give that person's amount as
    // count·mean − count·mean. Published cells never overlap, so no pair does; and since counts
    // are multiples of 5, no two published counts differ by one either.
    for (i, (a, figures_a, people_a)) in cells.iter().enumerate() {
        for (b, figures_b, people_b) in &cells[i + 1..] {
            let shared = people_a
                .iter()
                .filter(|p| people_b.iter().any(|q| q.0 == p.0))
                .count();
            assert_eq!(shared, 0, "{a:?} and {b:?} share developers");
            let (count_a, count_b) = (
                figures_a[0].as_i64().unwrap_or(0),
                figures_b[0].as_i64().unwrap_or(0),
            );
            assert_ne!((count_a - count_b).abs(), 1, "{a:?} and {b:?}");
        }
    }
    // The audit's pair is refused outright.
    for seniority in [
        json!(["INTERN", "SENIOR", "LEAD"]),
        json!(["INTERN", "JUNIOR", "SENIOR", "LEAD"]),
    ] {
        let filter = json!({ "source": "DEVELOPERS", "countryCodes": ["US"], "seniority": seniority, "skills": ["organisation", "cassandra"] });
        let body = app
            .anonymous()
            .graphql(INSIGHTS, json!({ "filter": filter }))
            .await;
        assert_eq!(
            first_error(&body)["extensions"]["code"],
            json!("BAD_USER_INPUT"),
            "{body}"
        );
    }
}
