//! Cursor connections: complete walks in both directions, limits, cursors, nesting, and the number
//! of SQL statements a request costs.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::{
    db_test,
    helpers::{TestApp, first_error},
};

/// Walks a root connection page by page with `first`/`after` (or `last`/`before` when
/// `backward`), `size` at a time; returns the nodes in list order and how many pages it took.
async fn walk(
    app: &TestApp,
    field: &str,
    arguments: &str,
    selection: &str,
    size: i32,
    backward: bool,
) -> (Vec<Value>, usize) {
    let (count, cursor, info) = if backward {
        ("last", "before", "hasPreviousPage startCursor")
    } else {
        ("first", "after", "hasNextPage endCursor")
    };
    let query = format!(
        "query($size: Int!, $cursor: String) {{ {field}({count}: $size, {cursor}: $cursor {arguments}) {{ pageInfo {{ {info} }} edges {{ cursor node {{ {selection} }} }} }} }}"
    );
    let (mut nodes, mut pages, mut position) = (Vec::new(), 0, Value::Null);
    loop {
        let data = app
            .admin()
            .data(&query, json!({ "size": size, "cursor": position }))
            .await;
        let connection = &data[field];
        let mut edges: Vec<Value> = connection["edges"].as_array().expect("edges").clone();
        assert!(edges.len() <= size as usize, "a page larger than asked");
        pages += 1;
        let more = if backward {
            &connection["pageInfo"]["hasPreviousPage"]
        } else {
            &connection["pageInfo"]["hasNextPage"]
        };
        if backward {
            edges.reverse();
        }
        nodes.extend(edges.iter().map(|edge| edge["node"].clone()));
        if *more != json!(true) {
            break;
        }
        assert!(pages < 1000, "no end in sight");
        position = if backward {
            connection["pageInfo"]["startCursor"].clone()
        } else {
            connection["pageInfo"]["endCursor"].clone()
        };
    }
    if backward {
        nodes.reverse();
    }
    (nodes, pages)
}

fn ids(nodes: &[Value]) -> Vec<String> {
    nodes
        .iter()
        .map(|node| node["id"].as_str().expect("an id").to_owned())
        .collect()
}

/// Walks forward and backward in small pages and checks both give every row exactly once, in the
/// same order as one big walk.
async fn assert_complete_walks(
    app: &TestApp,
    field: &str,
    arguments: &str,
    selection: &str,
) -> Vec<Value> {
    let filter = arguments.trim_start_matches(',').trim();
    let list = if filter.is_empty() {
        field.to_owned()
    } else {
        format!("{field}({filter})")
    };
    let total = app
        .admin()
        .data(&format!("{{ {list} {{ totalCount }} }}"), json!({}))
        .await[field]["totalCount"]
        .as_u64()
        .expect("a count") as usize;
    let everything = app.admin().all_nodes(field, arguments, selection).await;
    assert_eq!(
        everything.len(),
        total,
        "{field}: totalCount disagrees with the rows"
    );
    let unique: HashSet<String> = ids(&everything).into_iter().collect();
    assert_eq!(unique.len(), total, "{field}: duplicates");
    for backward in [false, true] {
        let (walked, pages) = walk(app, field, arguments, selection, 7, backward).await;
        assert_eq!(
            ids(&walked),
            ids(&everything),
            "{field} {arguments}: walk (backward: {backward}) differs"
        );
        assert_eq!(
            pages,
            total.div_ceil(7).max(1),
            "{field}: unexpected number of pages"
        );
    }
    everything
}

db_test!(
    Demo,
    walking_developers_by_name_either_way_visits_each_once_in_order
);
async fn walking_developers_by_name_either_way_visits_each_once_in_order(app: TestApp) {
    let developers = assert_complete_walks(&app, "developers", "", "id name").await;
    assert_eq!(developers.len(), 300);
    let names: Vec<&str> = developers
        .iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "not by name");
}

db_test!(Demo, walking_developers_by_experience_is_stable_under_ties);
async fn walking_developers_by_experience_is_stable_under_ties(app: TestApp) {
    // Many developers share a number of years: the id breaks the ties.
    let developers = assert_complete_walks(
        &app,
        "developers",
        ", orderBy: { field: YEARS_OF_EXPERIENCE, direction: DESC }",
        "id yearsOfExperience",
    )
    .await;
    let years: Vec<i64> = developers
        .iter()
        .filter_map(|d| d["yearsOfExperience"].as_i64())
        .collect();
    assert!(
        years.windows(2).all(|w| w[0] >= w[1]),
        "not by experience, descending"
    );
}

db_test!(Demo, walking_developers_by_creation_time_visits_each_once);
async fn walking_developers_by_creation_time_visits_each_once(app: TestApp) {
    assert_complete_walks(
        &app,
        "developers",
        ", orderBy: { field: CREATED_AT }",
        "id createdAt",
    )
    .await;
}

db_test!(
    Demo,
    walking_vacancies_by_salary_puts_those_without_one_last_both_ways
);
async fn walking_vacancies_by_salary_puts_those_without_one_last_both_ways(app: TestApp) {
    for direction in ["ASC", "DESC"] {
        let arguments = format!(", orderBy: {{ field: SALARY_MAX, direction: {direction} }}");
        let vacancies =
            assert_complete_walks(&app, "vacancies", &arguments, "id salary { max }").await;
        let maxima: Vec<Option<i64>> = vacancies
            .iter()
            .map(|v| v["salary"]["max"].as_i64())
            .collect();
        let first_missing = maxima
            .iter()
            .position(Option::is_none)
            .expect("some vacancies state no salary");
        assert!(
            maxima[first_missing..].iter().all(Option::is_none),
            "{direction}: a salary after the unsalaried"
        );
        let stated: Vec<i64> = maxima[..first_missing].iter().flatten().copied().collect();
        let ordered = if direction == "ASC" {
            stated.windows(2).all(|w| w[0] <= w[1])
        } else {
            stated.windows(2).all(|w| w[0] >= w[1])
        };
        assert!(ordered, "{direction}: not ordered by salary");
    }
}

db_test!(Demo, walking_vacancies_by_publication_puts_drafts_last);
async fn walking_vacancies_by_publication_puts_drafts_last(app: TestApp) {
    let vacancies = assert_complete_walks(
        &app,
        "vacancies",
        ", filter: { status: [DRAFT, OPEN, CLOSED] }",
        "id publishedAt",
    )
    .await;
    assert!(vacancies.last().is_some_and(|v| v["publishedAt"].is_null()));
}

db_test!(
    Demo,
    walking_employers_and_skills_in_every_order_visits_each_once
);
async fn walking_employers_and_skills_in_every_order_visits_each_once(app: TestApp) {
    assert_complete_walks(
        &app,
        "employers",
        ", orderBy: { field: NAME, direction: DESC }",
        "id",
    )
    .await;
    assert_complete_walks(&app, "vacancies", ", orderBy: { field: TITLE }", "id").await;
    let skills = assert_complete_walks(
        &app,
        "skills",
        ", orderBy: { field: DEVELOPER_COUNT, direction: DESC }",
        "id developers { totalCount }",
    )
    .await;
    let counts: Vec<i64> = skills
        .iter()
        .filter_map(|s| s["developers"]["totalCount"].as_i64())
        .collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "not by developer count"
    );
}

db_test!(Demo, the_default_page_has_twenty_items);
async fn the_default_page_has_twenty_items(app: TestApp) {
    let data = app
        .admin()
        .data(
            "{ developers { nodes { id } pageInfo { hasNextPage hasPreviousPage } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["developers"]["nodes"].as_array().map(Vec::len),
        Some(20)
    );
    assert_eq!(
        data["developers"]["pageInfo"],
        json!({ "hasNextPage": true, "hasPreviousPage": false })
    );
}

db_test!(Demo, a_hundred_items_is_the_largest_page);
async fn a_hundred_items_is_the_largest_page(app: TestApp) {
    let data = app
        .admin()
        .data("{ developers(first: 100) { nodes { id } } }", json!({}))
        .await;
    assert_eq!(
        data["developers"]["nodes"].as_array().map(Vec::len),
        Some(100)
    );
    for (arguments, field) in [
        ("first: 101", "first"),
        ("last: 101", "last"),
        ("first: -1", "first"),
        ("last: -5", "last"),
    ] {
        let body = app
            .admin()
            .graphql(
                &format!("{{ developers({arguments}) {{ nodes {{ id }} }} }}"),
                json!({}),
            )
            .await;
        let error = first_error(&body);
        assert_eq!(
            error["extensions"]["code"], "BAD_USER_INPUT",
            "{arguments}: {body:#}"
        );
        assert_eq!(error["extensions"]["field"], json!([field]), "{arguments}");
    }
}

db_test!(Demo, first_and_last_together_are_bad_user_input);
async fn first_and_last_together_are_bad_user_input(app: TestApp) {
    let body = app
        .admin()
        .graphql("{ skills(first: 2, last: 2) { nodes { id } } }", json!({}))
        .await;
    assert_eq!(
        first_error(&body)["extensions"]["code"],
        "BAD_USER_INPUT",
        "{body:#}"
    );
}

db_test!(Demo, a_tampered_cursor_is_bad_user_input);
async fn a_tampered_cursor_is_bad_user_input(app: TestApp) {
    let cursor = app
        .admin()
        .data(
            "{ developers(first: 1) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await["developers"]["pageInfo"]["endCursor"]
        .as_str()
        .expect("a cursor")
        .to_owned();
    let mut flipped = cursor.clone().into_bytes();
    flipped[3] = if flipped[3] == b'A' { b'B' } else { b'A' };
    let flipped = String::from_utf8(flipped).expect("ASCII");
    // Valid base64 of another sort's key types: a text sort key where a number belongs.
    let foreign = base64_url(r#"{"s":"developers:Name:ASC","v":[42,"x"]}"#);
    for bad in [
        flipped.as_str(),
        "garbage",
        "",
        "eyJzIjoxfQ",
        foreign.as_str(),
    ] {
        let body = app
            .graphql(
                "query($after: String) { developers(first: 5, after: $after) { nodes { id } } }",
                json!({ "after": bad }),
            )
            .await;
        let error = first_error(&body);
        assert_eq!(
            error["extensions"]["code"], "BAD_USER_INPUT",
            "{bad}: {body:#}"
        );
        assert_eq!(error["extensions"]["field"], json!(["after"]));
    }
}

db_test!(Demo, a_cursor_of_another_order_is_bad_user_input);
async fn a_cursor_of_another_order_is_bad_user_input(app: TestApp) {
    let cursor = app
        .admin()
        .data(
            "{ developers(first: 1) { pageInfo { endCursor } } }",
            json!({}),
        )
        .await["developers"]["pageInfo"]["endCursor"]
        .clone();
    let body = app
        .graphql(
            "query($after: String) { developers(first: 5, after: $after, orderBy: { field: CREATED_AT }) { nodes { id } } }",
            json!({ "after": cursor }),
        )
        .await;
    assert_eq!(
        first_error(&body)["extensions"]["code"],
        "BAD_USER_INPUT",
        "{body:#}"
    );
}

db_test!(Demo, a_nested_connection_pages_within_its_parent);
async fn a_nested_connection_pages_within_its_parent(app: TestApp) {
    let query = "query($after: String) { skill(slug: \"postgresql\") { developers(first: 4, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } } }";
    let (mut seen, mut after) = (Vec::new(), Value::Null);
    let total = loop {
        let data = app.admin().data(query, json!({ "after": after })).await;
        let connection = &data["skill"]["developers"];
        seen.extend(ids(connection["nodes"].as_array().expect("nodes")));
        if connection["pageInfo"]["hasNextPage"] != json!(true) {
            break connection["totalCount"].as_u64().expect("a count") as usize;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    };
    assert!(
        total > 8,
        "too few PostgreSQL developers to page through: {total}"
    );
    assert_eq!(seen.len(), total);
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        total,
        "duplicates"
    );
}

db_test!(
    Demo,
    a_page_of_vacancies_with_employers_and_skills_costs_three_statements_at_any_size
);
async fn a_page_of_vacancies_with_employers_and_skills_costs_three_statements_at_any_size(
    app: TestApp,
) {
    let query = "query($n: Int!) { vacancies(first: $n) { nodes { title employer { name } skills { skill { name } required } } } }";
    for n in [1, 20, 100] {
        let (data, statements) = app.data_and_statements(query, json!({ "n": n })).await;
        assert_eq!(
            data["vacancies"]["nodes"].as_array().map(Vec::len),
            Some(n as usize)
        );
        // The page, the employers of all its vacancies, the skills of all its vacancies.
        assert_eq!(statements, 3, "first: {n}");
    }
}

db_test!(
    Demo,
    nested_connections_under_a_list_cost_the_same_at_any_size
);
async fn nested_connections_under_a_list_cost_the_same_at_any_size(app: TestApp) {
    let query = "query($n: Int!) { skills(first: $n) { totalCount nodes { name developers(first: 5) { totalCount nodes { handle skills { level } } } vacancies(first: 3) { nodes { title employer { name } } } } } }";
    for n in [1, 10, 50] {
        let (data, statements) = app.data_and_statements(query, json!({ "n": n })).await;
        assert_eq!(
            data["skills"]["nodes"].as_array().map(Vec::len),
            Some(n as usize)
        );
        // skills page + skills count; developers pages + their counts; the developers' skills;
        // vacancies pages; their employers.
        assert_eq!(statements, 7, "first: {n}");
    }
}

db_test!(Demo, node_lookups_of_many_ids_cost_one_statement_per_type);
async fn node_lookups_of_many_ids_cost_one_statement_per_type(app: TestApp) {
    let data = app
        .admin()
        .data(
            "{ developers(first: 30) { nodes { id } } skills(first: 30) { nodes { id } } }",
            json!({}),
        )
        .await;
    let mut ids: Vec<Value> = data["developers"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["id"].clone())
        .collect();
    ids.extend(
        data["skills"]["nodes"]
            .as_array()
            .expect("nodes")
            .iter()
            .map(|n| n["id"].clone()),
    );
    let (data, statements) = app
        .data_and_statements(
            "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            json!({ "ids": ids }),
        )
        .await;
    assert_eq!(data["nodes"].as_array().map(Vec::len), Some(60));
    assert_eq!(statements, 2);
}

fn base64_url(text: &str) -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    URL_SAFE_NO_PAD.encode(text)
}
