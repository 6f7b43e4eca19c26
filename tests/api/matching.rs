//! Matching: `Vacancy.matchingDevelopers` and `Developer.matchingVacancies` on hand-built data,
//! with the scores pinned, and checked against the Rust form of the formula.

use entity::{SalaryPeriod, Seniority, VacancyStatus, Workplace};
use serde_json::{Value, json};
use talent_api::{
    ids::NodeKind,
    matching::score::{self, Facts, SkillFit},
};
use toolkit::id::encode_id;

use crate::{
    db_test,
    helpers::{TestApp, first_error},
    world::{Dev, Job, Random, World},
};

const MATCHING_DEVELOPERS: &str = r#"
query($id: ID!, $first: Int, $after: String, $min: Float, $filter: DeveloperFilter) {
  vacancy(id: $id) {
    matchingDevelopers(first: $first, after: $after, minScore: $min, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          score
          developer { handle }
          matchedSkills { skill { slug } required minLevel level meetsMinimum }
          missingSkills { slug }
          reasons
        }
      }
    }
  }
}"#;

const MATCHING_VACANCIES: &str = r#"
query($handle: String!, $first: Int, $after: String, $min: Float, $filter: VacancyFilter) {
  developer(handle: $handle) {
    matchingVacancies(first: $first, after: $after, minScore: $min, filter: $filter) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { score vacancy { title } matchedSkills { skill { slug } level } missingSkills { slug } reasons }
    }
  }
}"#;

/// The vacancy of the pinned cases: a senior, hybrid job in Germany paying 80,000 to 100,000 EUR
/// a year, needing Rust (4) and PostgreSQL (3), Kafka (2) nice to have.
fn backend_job() -> Job {
    Job {
        salary: Some((80_000, 100_000, "EUR", SalaryPeriod::Year)),
        skills: vec![
            ("rust", true, 4),
            ("postgresql", true, 3),
            ("kafka", false, 2),
        ],
        ..Job::new("Senior Rust engineer")
    }
}

/// The developer who fits `backend_job` perfectly.
fn perfect(handle: &'static str) -> Dev {
    Dev {
        expectation: Some((90_000, "EUR")),
        skills: vec![("rust", 5), ("postgresql", 3), ("kafka", 2)],
        ..Dev::new(handle)
    }
}

fn vacancy_id(id: i64) -> String {
    encode_id(NodeKind::Vacancy, id).to_string()
}

/// Every match of vacancy `id` as the admin sees them, by handle.
async fn matches_of(app: &TestApp, id: i64) -> Vec<Value> {
    let data = app
        .admin()
        .data(
            MATCHING_DEVELOPERS,
            json!({ "id": vacancy_id(id), "first": 100 }),
        )
        .await;
    data["vacancy"]["matchingDevelopers"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"].clone())
        .collect()
}

/// The score of developer `handle` for vacancy `id`.
async fn score_of(app: &TestApp, id: i64, handle: &str) -> f64 {
    matches_of(app, id)
        .await
        .into_iter()
        .find(|node| node["developer"]["handle"] == handle)
        .and_then(|node| node["score"].as_f64())
        .unwrap_or_else(|| panic!("{handle} is not a match"))
}

db_test!(Empty, a_perfect_match_scores_one);
async fn a_perfect_match_scores_one(app: TestApp) {
    let world = World::new(app.db().await).await;
    let job = world.vacancy(&backend_job()).await;
    world.developer(&perfect("ada")).await;
    let node = &matches_of(&app, job).await[0];
    assert_eq!(node["score"], json!(1.0));
    assert_eq!(node["missingSkills"], json!([]));
    assert_eq!(
        node["matchedSkills"],
        json!([
            { "skill": { "slug": "rust" }, "required": true, "minLevel": 4, "level": 5, "meetsMinimum": true },
            { "skill": { "slug": "postgresql" }, "required": true, "minLevel": 3, "level": 3, "meetsMinimum": true },
            { "skill": { "slug": "kafka" }, "required": false, "minLevel": 2, "level": 2, "meetsMinimum": true },
        ])
    );
    assert_eq!(
        node["reasons"],
        json!([
            "Must-have skills: 2 of 2 at the level asked",
            "Nice-to-have skills: 1 of 1 (Kafka)",
            "Seniority: SENIOR, as asked",
            "Salary: expectation within the range",
            "Location: hybrid in DE, where they live",
            "Open to work",
        ])
    );
}

db_test!(
    Empty,
    a_missing_must_have_costs_its_share_of_the_skills_part
);
async fn a_missing_must_have_costs_its_share_of_the_skills_part(app: TestApp) {
    let world = World::new(app.db().await).await;
    let job = world.vacancy(&backend_job()).await;
    world
        .developer(&Dev {
            skills: vec![("rust", 5), ("kafka", 2)],
            ..perfect("bo")
        })
        .await;
    // must (1000 + 0) / 2 = 500; skills (850 × 500 + 150 × 1000) / 1000 = 575; every other part
    // full: 10 × (550 × 575 + 450,000) / 1000 = 7662.
    let node = &matches_of(&app, job).await[0];
    assert_eq!(node["score"], json!(0.7662));
    assert_eq!(node["missingSkills"], json!([{ "slug": "postgresql" }]));
    let reasons = node["reasons"].as_array().expect("reasons");
    assert!(
        reasons.contains(&json!("Missing must-have: PostgreSQL")),
        "{reasons:?}"
    );
    assert!(reasons.contains(&json!("Must-have skills: 1 of 2 at the level asked")));
}

db_test!(Empty, a_level_below_the_minimum_earns_part_of_the_credit);
async fn a_level_below_the_minimum_earns_part_of_the_credit(app: TestApp) {
    let world = World::new(app.db().await).await;
    let job = world.vacancy(&backend_job()).await;
    world
        .developer(&Dev {
            skills: vec![("rust", 3), ("postgresql", 3), ("kafka", 2)],
            ..perfect("cy")
        })
        .await;
    // Rust 3 of 4 earns 750; must (750 + 1000) / 2 = 875; skills (850 × 875 + 150 × 1000) / 1000
    // = 893; 10 × (550 × 893 + 450,000) / 1000 = 9411.
    let node = &matches_of(&app, job).await[0];
    assert_eq!(node["score"], json!(0.9411));
    assert_eq!(node["matchedSkills"][0]["meetsMinimum"], json!(false));
    assert!(
        node["reasons"]
            .as_array()
            .expect("reasons")
            .contains(&json!("Rust: level 3, below the 4 asked"))
    );
}

db_test!(
    Empty,
    an_expectation_in_another_currency_is_left_out_of_the_score
);
async fn an_expectation_in_another_currency_is_left_out_of_the_score(app: TestApp) {
    let world = World::new(app.db().await).await;
    let job = world.vacancy(&backend_job()).await;
    world
        .developer(&Dev {
            expectation: Some((250_000, "USD")),
            ..perfect("dee")
        })
        .await;
    let node = &matches_of(&app, job).await[0];
    assert_eq!(node["score"], json!(1.0), "neither helps nor hurts");
    assert!(
        node["reasons"]
            .as_array()
            .expect("reasons")
            .contains(&json!(
                "Salary: expectation in USD, range in EUR; not compared"
            ))
    );
}

db_test!(Empty, an_expectation_above_the_range_lowers_the_score);
async fn an_expectation_above_the_range_lowers_the_score(app: TestApp) {
    let world = World::new(app.db().await).await;
    let job = world.vacancy(&backend_job()).await;
    world
        .developer(&Dev {
            expectation: Some((110_000, "EUR")),
            ..perfect("eve")
        })
        .await;
    // 10% above the maximum: up to about 10% over on the grid (100,000 reads as 103,249, the next
    // grid amount is 113,574), salary part 500; 10 × (1,000,000 − 150 × 500) / 1000 = 9250.
    assert_eq!(score_of(&app, job, "eve").await, 0.925);
}

db_test!(Empty, a_monthly_range_is_made_yearly_before_comparing);
async fn a_monthly_range_is_made_yearly_before_comparing(app: TestApp) {
    let world = World::new(app.db().await).await;
    let job = world
        .vacancy(&Job {
            salary: Some((6_000, 7_500, "EUR", SalaryPeriod::Month)),
            ..backend_job()
        })
        .await;
    world.developer(&perfect("fay")).await; // 90,000 a year = 7,500 a month
    world
        .developer(&Dev {
            expectation: Some((99_000, "EUR")),
            ..perfect("gus")
        })
        .await;
    assert_eq!(score_of(&app, job, "fay").await, 1.0);
    // 99,000 is 10% above 90,000 (read as 93,862; the next grid amount is 103,249): part 500.
    assert_eq!(score_of(&app, job, "gus").await, 0.925);
}

db_test!(
    Empty,
    remote_vacancies_fit_anywhere_and_on_site_ones_need_the_country
);
async fn remote_vacancies_fit_anywhere_and_on_site_ones_need_the_country(app: TestApp) {
    let world = World::new(app.db().await).await;
    let hybrid = world.vacancy(&backend_job()).await;
    let remote = world
        .vacancy(&Job {
            workplace: Workplace::Remote,
            ..backend_job()
        })
        .await;
    let onsite = world
        .vacancy(&Job {
            workplace: Workplace::Onsite,
            ..backend_job()
        })
        .await;
    world
        .developer(&Dev {
            country: "PL",
            ..perfect("hal")
        })
        .await;
    world
        .developer(&Dev {
            remote_preference: Workplace::Remote,
            ..perfect("ivy")
        })
        .await;
    // Abroad: the location part is 0 for the hybrid job (10 × 900,000 / 1000 = 9000), full for
    // the remote one.
    assert_eq!(score_of(&app, hybrid, "hal").await, 0.9);
    assert_eq!(score_of(&app, remote, "hal").await, 1.0);
    // At home but preferring remote: 500 for on-site, 750 for hybrid.
    assert_eq!(score_of(&app, onsite, "ivy").await, 0.95);
    assert_eq!(score_of(&app, hybrid, "ivy").await, 0.975);
    assert_eq!(score_of(&app, remote, "ivy").await, 1.0);
}

db_test!(Empty, seniority_a_level_away_halves_its_part);
async fn seniority_a_level_away_halves_its_part(app: TestApp) {
    let world = World::new(app.db().await).await;
    let job = world.vacancy(&backend_job()).await;
    world
        .developer(&Dev {
            seniority: Seniority::Lead,
            ..perfect("jo")
        })
        .await;
    world
        .developer(&Dev {
            seniority: Seniority::Junior,
            ..perfect("kim")
        })
        .await;
    assert_eq!(score_of(&app, job, "jo").await, 0.925);
    assert_eq!(score_of(&app, job, "kim").await, 0.85);
}

db_test!(Empty, only_developers_with_a_must_have_are_candidates);
async fn only_developers_with_a_must_have_are_candidates(app: TestApp) {
    let world = World::new(app.db().await).await;
    let job = world.vacancy(&backend_job()).await;
    world.developer(&perfect("lee")).await;
    world
        .developer(&Dev {
            skills: vec![("go", 5), ("python", 4)],
            ..Dev::new("max")
        })
        .await;
    world.developer(&Dev::new("ned")).await;
    // Only the nice-to-have: not a candidate for a vacancy with must-haves.
    world
        .developer(&Dev {
            skills: vec![("kafka", 5)],
            ..Dev::new("ole")
        })
        .await;
    let handles: Vec<Value> = matches_of(&app, job)
        .await
        .iter()
        .map(|node| node["developer"]["handle"].clone())
        .collect();
    assert_eq!(handles, vec![json!("lee")]);
}

db_test!(
    Empty,
    matches_come_best_first_then_by_id_and_page_without_gaps
);
async fn matches_come_best_first_then_by_id_and_page_without_gaps(app: TestApp) {
    let world = World::new(app.db().await).await;
    let job = world.vacancy(&backend_job()).await;
    // Two at 1.0, two at 0.9411, one at 0.7662, one not open to work.
    let below = |handle| Dev {
        skills: vec![("rust", 3), ("postgresql", 3), ("kafka", 2)],
        ..perfect(handle)
    };
    for dev in [
        below("p1"),
        perfect("p2"),
        Dev {
            skills: vec![("rust", 5), ("kafka", 2)],
            ..perfect("p3")
        },
        perfect("p4"),
        below("p5"),
        Dev {
            open_to_work: false,
            ..perfect("p6")
        },
    ] {
        world.developer(&dev).await;
    }
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app
            .anonymous()
            .data(
                MATCHING_DEVELOPERS,
                json!({ "id": vacancy_id(job), "first": 2, "after": after }),
            )
            .await;
        let connection = &data["vacancy"]["matchingDevelopers"];
        assert_eq!(connection["totalCount"], json!(6));
        for edge in connection["edges"].as_array().expect("edges") {
            seen.push((
                edge["node"]["developer"]["handle"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                edge["node"]["score"].as_f64().unwrap_or_default(),
            ));
        }
        if connection["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    let expected = [
        ("p2", 1.0),
        ("p4", 1.0),
        ("p6", 0.95),
        ("p1", 0.9411),
        ("p5", 0.9411),
        ("p3", 0.7662),
    ];
    let expected: Vec<(String, f64)> = expected
        .iter()
        .map(|(h, s)| ((*h).to_owned(), *s))
        .collect();
    assert_eq!(seen, expected);
}

db_test!(Empty, min_score_and_the_developer_filter_narrow_the_matches);
async fn min_score_and_the_developer_filter_narrow_the_matches(app: TestApp) {
    let world = World::new(app.db().await).await;
    let job = world.vacancy(&backend_job()).await;
    world.developer(&perfect("q1")).await;
    world
        .developer(&Dev {
            skills: vec![("rust", 5), ("kafka", 2)],
            ..perfect("q2")
        })
        .await;
    world
        .developer(&Dev {
            country: "PL",
            ..perfect("q3")
        })
        .await;
    let handles = |data: &Value| -> Vec<Value> {
        let connection = &data["vacancy"]["matchingDevelopers"];
        let handles: Vec<Value> = connection["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|edge| edge["node"]["developer"]["handle"].clone())
            .collect();
        assert_eq!(connection["totalCount"], json!(handles.len()));
        handles
    };
    let data = app
        .anonymous()
        .data(
            MATCHING_DEVELOPERS,
            json!({ "id": vacancy_id(job), "min": 0.9 }),
        )
        .await;
    assert_eq!(handles(&data), vec![json!("q1"), json!("q3")]);
    let data = app
        .anonymous()
        .data(
            MATCHING_DEVELOPERS,
            json!({ "id": vacancy_id(job), "min": 0.9, "filter": { "countryCodes": ["PL"] } }),
        )
        .await;
    assert_eq!(handles(&data), vec![json!("q3")]);
    let data = app
        .anonymous()
        .data(
            MATCHING_DEVELOPERS,
            json!({ "id": vacancy_id(job), "min": 1 }),
        )
        .await;
    assert_eq!(handles(&data), vec![json!("q1")]);
}

db_test!(Empty, a_min_score_outside_zero_to_one_is_bad_user_input);
async fn a_min_score_outside_zero_to_one_is_bad_user_input(app: TestApp) {
    let world = World::new(app.db().await).await;
    let job = world.vacancy(&backend_job()).await;
    let body = app
        .anonymous()
        .graphql(
            MATCHING_DEVELOPERS,
            json!({ "id": vacancy_id(job), "min": 1.5 }),
        )
        .await;
    let error = first_error(&body);
    assert_eq!(error["extensions"]["code"], json!("BAD_USER_INPUT"));
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("0 to 1"),
        "{error}"
    );
}

db_test!(
    Empty,
    salary_reasons_show_only_to_those_who_may_see_the_expectation
);
async fn salary_reasons_show_only_to_those_who_may_see_the_expectation(app: TestApp) {
    let world = World::new(app.db().await).await;
    let job = world.vacancy(&backend_job()).await;
    world
        .developer(&Dev {
            expectation: Some((110_000, "EUR")),
            ..perfect("rae")
        })
        .await;
    let reasons_and_score = |data: Value| {
        let node = data["vacancy"]["matchingDevelopers"]["edges"][0]["node"].clone();
        (node["reasons"].clone(), node["score"].clone())
    };
    let variables = json!({ "id": vacancy_id(job) });
    let salary_lines = |reasons: &Value| -> Vec<String> {
        reasons
            .as_array()
            .expect("reasons")
            .iter()
            .filter_map(Value::as_str)
            .filter(|line| line.starts_with("Salary"))
            .map(str::to_owned)
            .collect()
    };
    let (own, own_score) = reasons_and_score(
        app.as_developer("rae")
            .await
            .data(MATCHING_DEVELOPERS, variables.clone())
            .await,
    );
    assert_eq!(
        salary_lines(&own),
        vec!["Salary: expectation 10.0% above the range"]
    );
    let (admin, _) = reasons_and_score(
        app.admin()
            .data(MATCHING_DEVELOPERS, variables.clone())
            .await,
    );
    assert_eq!(salary_lines(&admin), salary_lines(&own));
    for caller in [app.anonymous(), app.as_employer("acme").await] {
        let (reasons, score) =
            reasons_and_score(caller.data(MATCHING_DEVELOPERS, variables.clone()).await);
        assert_eq!(salary_lines(&reasons), Vec::<String>::new(), "{reasons}");
        assert_eq!(score, own_score, "the expectation counts for everyone");
    }
    let mirror = app
        .anonymous()
        .data(MATCHING_VACANCIES, json!({ "handle": "rae" }))
        .await;
    let reasons = &mirror["developer"]["matchingVacancies"]["nodes"][0]["reasons"];
    assert_eq!(salary_lines(reasons), Vec::<String>::new(), "{reasons}");
}

db_test!(
    Empty,
    matching_vacancies_mirrors_the_score_over_open_vacancies_only
);
async fn matching_vacancies_mirrors_the_score_over_open_vacancies_only(app: TestApp) {
    let world = World::new(app.db().await).await;
    let open = world.vacancy(&backend_job()).await;
    let remote = world
        .vacancy(&Job {
            title: "Remote Go engineer",
            workplace: Workplace::Remote,
            seniority: Seniority::Middle,
            skills: vec![("go", true, 3), ("postgresql", true, 2)],
            ..Job::new("")
        })
        .await;
    for status in [VacancyStatus::Draft, VacancyStatus::Closed] {
        world
            .vacancy(&Job {
                status,
                title: "Not open",
                ..backend_job()
            })
            .await;
    }
    world
        .vacancy(&Job {
            title: "Unrelated",
            skills: vec![("python", true, 3)],
            ..Job::new("")
        })
        .await;
    // Shares only a nice-to-have (Kafka): not a candidate while it lists must-haves.
    world
        .vacancy(&Job {
            title: "Python with a Kafka bonus",
            skills: vec![("python", true, 3), ("kafka", false, 2)],
            ..Job::new("")
        })
        .await;
    let dev = Dev {
        skills: vec![("rust", 3), ("postgresql", 4), ("kafka", 2)],
        ..perfect("sam")
    };
    world.developer(&dev).await;
    let data = app
        .as_developer("sam")
        .await
        .data(MATCHING_VACANCIES, json!({ "handle": "sam" }))
        .await;
    let connection = &data["developer"]["matchingVacancies"];
    assert_eq!(connection["totalCount"], json!(2));
    let nodes = connection["nodes"].as_array().expect("nodes");
    let titles: Vec<&Value> = nodes.iter().map(|node| &node["vacancy"]["title"]).collect();
    assert_eq!(
        titles,
        vec![&json!("Senior Rust engineer"), &json!("Remote Go engineer")]
    );
    assert_eq!(
        nodes[0]["score"].as_f64(),
        Some(score_of(&app, open, "sam").await)
    );
    assert_eq!(
        nodes[1]["score"].as_f64(),
        Some(score_of(&app, remote, "sam").await)
    );
    assert_eq!(nodes[1]["missingSkills"], json!([{ "slug": "go" }]));
    // Go missing (0) and PostgreSQL met: must 500; one level from MIDDLE: 500; no salary named.
    // 10 × (550 × 500 + 150 × 500 + 100 × 1000 + 50 × 1000) / 850 = 5882.
    assert_eq!(nodes[1]["score"], json!(0.5882));
}

const LEVELS: [Seniority; 6] = [
    Seniority::Intern,
    Seniority::Junior,
    Seniority::Middle,
    Seniority::Senior,
    Seniority::Lead,
    Seniority::Principal,
];
const PLACES: [Workplace; 3] = [Workplace::Onsite, Workplace::Hybrid, Workplace::Remote];
const COUNTRIES: [&str; 3] = ["DE", "PL", "GB"];
/// Cities of each country, some within a commute of each other (Köln, Bonn: 25 km; London,
/// Reading: 60 km), some not; None: a city the gazetteer does not know.
fn cities(country: &str) -> &'static [Option<&'static str>] {
    match country {
        "DE" => &[
            Some("Köln"),
            Some("Bonn"),
            Some("Dortmund"),
            Some("Berlin"),
            None,
        ],
        "PL" => &[Some("Warsaw"), Some("Łódź"), None],
        _ => &[Some("London"), Some("Reading"), None],
    }
}
const CURRENCIES: [&str; 2] = ["EUR", "GBP"];
const PERIODS: [SalaryPeriod; 3] = [SalaryPeriod::Year, SalaryPeriod::Month, SalaryPeriod::Hour];
const HANDLES: [&str; 40] = [
    "r00", "r01", "r02", "r03", "r04", "r05", "r06", "r07", "r08", "r09", "r10", "r11", "r12",
    "r13", "r14", "r15", "r16", "r17", "r18", "r19", "r20", "r21", "r22", "r23", "r24", "r25",
    "r26", "r27", "r28", "r29", "r30", "r31", "r32", "r33", "r34", "r35", "r36", "r37", "r38",
    "r39",
];

fn random_skills<T>(random: &mut Random, make: impl Fn(&'static str, &mut Random) -> T) -> Vec<T> {
    let mut skills = Vec::new();
    for slug in crate::world::SKILLS {
        if random.below(3) == 0 {
            skills.push(make(slug, random));
        }
    }
    skills
}

db_test!(
    Empty,
    database_scores_equal_the_rust_formula_on_random_pairs
);
async fn database_scores_equal_the_rust_formula_on_random_pairs(app: TestApp) {
    let world = World::new(app.db().await).await;
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let mut jobs = Vec::new();
    for _ in 0..12 {
        let salary = (random.below(4) > 0).then(|| {
            let period = random.pick(&PERIODS);
            let base = match period {
                SalaryPeriod::Hour => 40 + random.below(60) as i64,
                SalaryPeriod::Month => 4_000 + random.below(6_000) as i64,
                _ => 50_000 + random.below(80_000) as i64,
            };
            (base, base + base / 4, random.pick(&CURRENCIES), period)
        });
        let country = random.pick(&COUNTRIES);
        let job = Job {
            seniority: random.pick(&LEVELS),
            country,
            city: random.pick(cities(country)),
            workplace: random.pick(&PLACES),
            salary,
            skills: random_skills(&mut random, |slug, random| {
                (slug, random.below(3) > 0, 1 + random.below(5) as i16)
            }),
            ..Job::new("Random")
        };
        jobs.push((world.vacancy(&job).await, job));
    }
    let mut devs = Vec::new();
    for handle in HANDLES {
        let country = random.pick(&COUNTRIES);
        let dev = Dev {
            seniority: random.pick(&LEVELS),
            country,
            city: random.pick(cities(country)),
            remote_preference: random.pick(&PLACES),
            open_to_work: random.below(4) > 0,
            expectation: (random.below(4) > 0).then(|| {
                (
                    40_000 + random.below(120_000) as i64,
                    random.pick(&CURRENCIES),
                )
            }),
            skills: random_skills(&mut random, |slug, random| {
                (slug, 1 + random.below(5) as i16)
            }),
            ..Dev::new(handle)
        };
        world.developer(&dev).await;
        devs.push(dev);
    }
    let mut compared = 0;
    for (id, job) in &jobs {
        let matches = matches_of(&app, *id).await;
        for dev in &devs {
            let facts = Facts {
                skills: job
                    .skills
                    .iter()
                    .map(|(slug, required, min_level)| SkillFit {
                        skill_id: world.skill(slug),
                        required: *required,
                        min_level: *min_level,
                        level: dev.skills.iter().find(|(s, _)| s == slug).map(|(_, l)| *l),
                    })
                    .collect(),
                vacancy_seniority: job.seniority,
                developer_seniority: dev.seniority,
                salary_max: job.salary.map(|(_, max, currency, period)| {
                    (max * score::per_year(period), currency.to_owned())
                }),
                expectation: dev
                    .expectation
                    .map(|(amount, currency)| (amount, currency.to_owned())),
                workplace: job.workplace,
                vacancy_country: job.country.to_owned(),
                developer_country: dev.country.to_owned(),
                vacancy_point: talent_api::geo::locate(job.city, job.country).vector,
                developer_point: talent_api::geo::locate(dev.city, dev.country).vector,
                remote_preference: dev.remote_preference,
                open_to_work: dev.open_to_work,
            };
            // Candidates have one of the must-haves; without must-haves, one of the skills;
            // without skills, everyone.
            let has = |slug: &str| dev.skills.iter().any(|(s, _)| *s == slug);
            let has_must = job.skills.iter().any(|(_, required, _)| *required);
            let shares_a_skill = job.skills.is_empty()
                || job
                    .skills
                    .iter()
                    .any(|(slug, required, _)| (*required || !has_must) && has(slug));
            let found = matches
                .iter()
                .find(|node| node["developer"]["handle"] == dev.handle)
                .and_then(|node| node["score"].as_f64());
            if shares_a_skill {
                let expected = score::score(&facts).score as f64 / 10_000.0;
                assert_eq!(
                    found,
                    Some(expected),
                    "{} for vacancy {id}: {facts:?}",
                    dev.handle
                );
                compared += 1;
            } else {
                assert_eq!(
                    found, None,
                    "{} shares no skill with vacancy {id}",
                    dev.handle
                );
            }
        }
    }
    assert!(compared > 100, "compared {compared} pairs");
}

db_test!(
    Demo,
    a_page_of_matches_with_skills_and_reasons_costs_the_same_at_any_size
);
async fn a_page_of_matches_with_skills_and_reasons_costs_the_same_at_any_size(app: TestApp) {
    let rust = app
        .data(
            r#"{ vacancies(first: 1, filter: { skills: ["rust"] }) { nodes { id } } }"#,
            json!({}),
        )
        .await;
    let id = rust["vacancies"]["nodes"][0]["id"].clone();
    let query = "query($id: ID!, $n: Int!) { vacancy(id: $id) { matchingDevelopers(first: $n) { totalCount nodes { score developer { handle skills { level } } matchedSkills { skill { name } } missingSkills { name } reasons } } } }";
    for n in [1, 5, 20] {
        let (data, statements) = app
            .data_and_statements(query, json!({ "id": id, "n": n }))
            .await;
        let nodes = data["vacancy"]["matchingDevelopers"]["nodes"]
            .as_array()
            .map(Vec::len);
        assert_eq!(nodes, Some(n as usize));
        // The vacancy, its skills, the scored page, its count, the developers' skills.
        assert_eq!(statements, 5, "first: {n}");
    }
}

/// The scores an employer sees for developer `handle` on its vacancy `id` as it sets the
/// vacancy's maximum to each of `maxima` in turn.
async fn scores_seen(
    app: &TestApp,
    token: &str,
    id: i64,
    handle: &str,
    maxima: &[i64],
) -> Vec<f64> {
    let employer = app.with_token(token);
    let mut scores = Vec::new();
    for max in maxima {
        let updated = employer
            .data(
                "mutation($id: ID!, $max: Int!) { updateVacancy(input: { id: $id, salary: { min: 1, max: $max, currency: \"EUR\" } }) { userErrors { message } } }",
                json!({ "id": vacancy_id(id), "max": max }),
            )
            .await;
        assert_eq!(
            updated["updateVacancy"]["userErrors"],
            json!([]),
            "{updated}"
        );
        let data = employer
            .data(
                MATCHING_DEVELOPERS,
                json!({ "id": vacancy_id(id), "first": 100 }),
            )
            .await;
        let score = data["vacancy"]["matchingDevelopers"]["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|edge| edge["node"]["developer"]["handle"] == handle)
            .and_then(|edge| edge["node"]["score"].as_f64())
            .expect("the developer is a match");
        scores.push(score);
    }
    scores
}

db_test!(
    Empty,
    editing_ones_own_maximum_never_learns_an_expectation_closer_than_ten_percent
);
async fn editing_ones_own_maximum_never_learns_an_expectation_closer_than_ten_percent(
    app: TestApp,
) {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
    let world = World::new(app.db().await).await;
    let job = world.vacancy(&backend_job()).await;
    let victim = world
        .developer(&Dev {
            expectation: Some((63_000, "EUR")),
            ..perfect("vic")
        })
        .await;
    let employer = entity::employer::Entity::find_by_id(world.employer)
        .one(app.pool())
        .await
        .expect("read")
        .expect("the employer");
    let token = app.employer_token(&employer.slug).await;
    // The audit's attack: binary search on the maximum for the highest score, 23 edits.
    let (mut low, mut high) = (1i64, 1_000_000i64);
    let mut tried = Vec::new();
    let best = scores_seen(&app, &token, job, "vic", &[high]).await[0];
    while high - low > 1 && tried.len() < 23 {
        let middle = (low + high) / 2;
        tried.push(middle);
        if scores_seen(&app, &token, job, "vic", &[middle]).await[0] >= best {
            high = middle;
        } else {
            low = middle;
        }
    }
    // The smallest maximum giving the best score is one above the grid amount below the
    // expectation: a lower bound, not the amount.
    let estimate = high as f64;
    assert!(
        estimate <= 63_000.0 && estimate > 63_000.0 / 1.11,
        "{estimate}"
    );
    // Every expectation in the same 10% band answers each of the attacker's edits the same way:
    // the edits cannot tell 63,000 from a quite different amount.
    let observed = scores_seen(&app, &token, job, "vic", &tried).await;
    let band = [estimate as i64, (1.08 * estimate).ceil() as i64];
    for other in band {
        let mut row: entity::developer::ActiveModel = entity::developer::Entity::find_by_id(victim)
            .one(app.pool())
            .await
            .expect("read")
            .expect("the victim")
            .into();
        row.salary_expectation_amount = Set(Some(other));
        row.update(app.pool()).await.expect("updated");
        assert_eq!(
            scores_seen(&app, &token, job, "vic", &tried).await,
            observed,
            "expectation {other}"
        );
    }
    assert!(band[1] as f64 / band[0] as f64 >= 1.08, "{band:?}");
}
