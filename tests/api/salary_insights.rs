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

db_test!(Empty, async fn vacancy_figures_per_currency_equal_an_independent_computation(app) {
    let world = World::new(app.db().await).await;
    let jobs = random_jobs(&world).await;
    let data = insights(&app, json!(null), "NONE").await;
    assert_eq!(data["salaryInsights"]["source"], json!("VACANCIES"));
    let want = expected(&jobs, |_| true, |_| vec![String::new()]);
    assert_eq!(want.len(), 3, "one group per currency");
    assert_same(&reported(&data), &want, "all vacancies");
});

db_test!(Empty, async fn vacancy_figures_by_seniority_skill_and_country_equal_an_independent_computation(app) {
    let world = World::new(app.db().await).await;
    let jobs = random_jobs(&world).await;
    let by_seniority = |job: &Job| vec![level(job.seniority).to_owned()];
    let by_skill = |job: &Job| job.skills.iter().map(|(slug, _, _)| (*slug).to_owned()).collect();
    let by_country = |job: &Job| vec![job.country.to_owned()];
    let data = insights(&app, json!(null), "SENIORITY").await;
    assert_same(&reported(&data), &expected(&jobs, |_| true, by_seniority), "by seniority");
    let data = insights(&app, json!(null), "SKILL").await;
    assert_same(&reported(&data), &expected(&jobs, |_| true, by_skill), "by skill");
    let data = insights(&app, json!(null), "COUNTRY").await;
    assert_same(&reported(&data), &expected(&jobs, |_| true, by_country), "by country");
});

db_test!(Empty, async fn vacancy_filters_narrow_the_figures_as_computed_here(app) {
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
        |job| has(job, "rust") && has(job, "postgresql") && job.salary.is_some_and(|s| s.2 == "EUR"),
        |job| vec![level(job.seniority).to_owned()],
    );
    assert_same(&reported(&data), &want, "Rust and PostgreSQL in EUR by seniority");
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
    assert_same(&reported(&data), &want, "Go, senior and lead, DE and US, by skill");
});

db_test!(Empty, async fn currencies_are_never_mixed_in_one_group(app) {
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
});

/// Developers with EUR expectations: 4 in Germany, 6 in Poland.
async fn expecting_developers(world: &World) {
    const HANDLES: [&str; 10] = ["d0", "d1", "d2", "d3", "p0", "p1", "p2", "p3", "p4", "p5"];
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

db_test!(Empty, async fn developer_groups_under_five_are_withheld_from_all_but_admins(app) {
    let world = World::new(app.db().await).await;
    expecting_developers(&world).await;
    let variables = json!({ "filter": { "source": "DEVELOPERS" }, "groupBy": "COUNTRY" });
    for caller in [app.anonymous(), app.as_developer("d0").await, app.as_employer("acme").await] {
        let data = caller.data(INSIGHTS, variables.clone()).await;
        assert_eq!(data["salaryInsights"]["withheldGroups"], json!(1));
        let groups = data["salaryInsights"]["groups"].as_array().expect("groups");
        assert_eq!(groups.len(), 1, "{groups:?}");
        assert_eq!(groups[0]["countryCode"], json!("PL"));
        assert_eq!(groups[0]["count"], json!(6));
        // 80,000 to 105,000 in steps of 5,000.
        assert_eq!(groups[0]["median"], json!(92_500.0));
    }
    let data = app.admin().data(INSIGHTS, variables).await;
    assert_eq!(data["salaryInsights"]["withheldGroups"], json!(0));
    let want: BTreeMap<(String, String), Figures> = [
        (("DE".to_owned(), "EUR".to_owned()), figures(vec![60_000.0, 65_000.0, 70_000.0, 75_000.0])),
        (
            ("PL".to_owned(), "EUR".to_owned()),
            figures((0..6).map(|i| 80_000.0 + 5_000.0 * f64::from(i)).collect()),
        ),
    ]
    .into_iter()
    .collect();
    assert_same(&reported(&data), &want, "developers by country, as admin");
});

db_test!(Empty, async fn unknown_skills_and_currencies_are_bad_user_input(app) {
    World::new(app.db().await).await;
    for (filter, path) in [
        (json!({ "skills": ["rust", "cobol-on-wheels"] }), json!(["filter", "skills", "1"])),
        (json!({ "currency": "EURO" }), json!(["filter", "currency"])),
        (json!({ "countryCodes": ["XX"] }), json!(["filter", "countryCodes", "0"])),
    ] {
        let body = app
            .anonymous()
            .graphql(INSIGHTS, json!({ "filter": filter }))
            .await;
        let error = first_error(&body);
        assert_eq!(error["extensions"]["code"], json!("BAD_USER_INPUT"), "{body}");
        assert_eq!(error["extensions"]["field"], path, "{body}");
    }
});
