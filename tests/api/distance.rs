//! Distance search: `near` in the developer and vacancy filters, against a haversine computed
//! here from the coordinates the server stored for each row's city.

use std::collections::BTreeSet;

use sea_orm::ConnectionTrait;
use serde_json::json;
use talent_api::ids::NodeKind;
use toolkit::id::decode_id;

use crate::{
    db_test,
    helpers::{TestApp, first_error},
};

/// Great-circle distance in km (haversine, mean Earth radius).
fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let (dp, dl) = ((b.0 - a.0).to_radians(), (b.1 - a.1).to_radians());
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0088 * h.sqrt().asin()
}

/// Frankfurt am Main.
const CENTRE: (f64, f64) = (50.1109, 8.6821);

/// The handles (or ids) of the rows of `table` whose stored coordinates lie within `km` of
/// `centre`, computed here; panics when one lies within a kilometre of the edge (either answer
/// would be defensible there).
async fn within(
    app: &TestApp,
    table: &str,
    key: &str,
    condition: &str,
    centre: (f64, f64),
    km: f64,
) -> BTreeSet<String> {
    let db = app.db().await;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT CAST({key} AS TEXT) AS k, latitude, longitude FROM {table} WHERE latitude IS NOT NULL AND {condition}"),
        ))
        .await
        .expect("rows");
    let mut inside = BTreeSet::new();
    for row in rows {
        let k: String = row.try_get("", "k").expect("key");
        let at: (f64, f64) = (
            row.try_get("", "latitude").expect("latitude"),
            row.try_get("", "longitude").expect("longitude"),
        );
        let d = haversine(centre, at);
        assert!((d - km).abs() > 1.0, "{k} lies on the edge: {d} km");
        if d <= km {
            inside.insert(k);
        }
    }
    inside
}

db_test!(
    Demo,
    developers_near_a_point_are_those_whose_city_lies_within_the_radius
);
async fn developers_near_a_point_are_those_whose_city_lies_within_the_radius(app: TestApp) {
    for km in [160.0, 460.0, 700.0] {
        let near = format!(
            ", filter: {{ near: {{ latitude: {}, longitude: {}, radiusKm: {km} }} }}",
            CENTRE.0, CENTRE.1
        );
        let found: BTreeSet<String> = app
            .all_nodes("developers", &near, "handle")
            .await
            .iter()
            .map(|d| d["handle"].as_str().expect("a handle").to_owned())
            .collect();
        let expected = within(&app, "developers", "handle", "1 = 1", CENTRE, km).await;
        assert!(
            !expected.is_empty(),
            "{km} km reaches nobody: a test that cannot fail"
        );
        assert_eq!(found, expected, "within {km} km");
    }
}

db_test!(
    Demo,
    vacancies_near_a_city_are_the_open_ones_whose_city_lies_within_the_radius
);
async fn vacancies_near_a_city_are_the_open_ones_whose_city_lies_within_the_radius(app: TestApp) {
    // Berlin as GeoNames has it.
    let berlin = (52.52437, 13.41053);
    for km in [150.0, 620.0] {
        let near = format!(
            ", filter: {{ near: {{ city: \"Berlin\", countryCode: \"DE\", radiusKm: {km} }} }}"
        );
        let found: BTreeSet<String> = app
            .all_nodes("vacancies", &near, "id")
            .await
            .iter()
            .map(|v| {
                let id = async_graphql::ID(v["id"].as_str().expect("an id").to_owned());
                decode_id(&id, NodeKind::Vacancy, &["id"])
                    .expect("a vacancy")
                    .to_string()
            })
            .collect();
        let expected = within(&app, "vacancies", "id", "status = 'OPEN'", berlin, km).await;
        assert!(
            !expected.is_empty(),
            "{km} km reaches nothing: a test that cannot fail"
        );
        assert_eq!(found, expected, "within {km} km");
    }
}

db_test!(
    Demo,
    a_near_filter_that_names_no_place_or_a_bad_radius_is_bad_user_input
);
async fn a_near_filter_that_names_no_place_or_a_bad_radius_is_bad_user_input(app: TestApp) {
    let cases = [
        (
            json!({ "city": "Atlantis", "countryCode": "GR", "radiusKm": 10 }),
            "city",
        ),
        (
            json!({ "city": "Berlin", "countryCode": "XX", "radiusKm": 10 }),
            "countryCode",
        ),
        (json!({ "city": "Berlin", "radiusKm": 10 }), ""),
        (
            json!({ "city": "Berlin", "countryCode": "DE", "latitude": 1.0, "longitude": 2.0, "radiusKm": 10 }),
            "",
        ),
        (
            json!({ "latitude": 91.0, "longitude": 0.0, "radiusKm": 10 }),
            "latitude",
        ),
        (
            json!({ "latitude": 0.0, "longitude": -181.0, "radiusKm": 10 }),
            "longitude",
        ),
        (
            json!({ "latitude": 0.0, "longitude": 0.0, "radiusKm": 0 }),
            "radiusKm",
        ),
        (
            json!({ "latitude": 0.0, "longitude": 0.0, "radiusKm": 20001 }),
            "radiusKm",
        ),
    ];
    for (near, field) in cases {
        for root in ["developers", "vacancies"] {
            let filter = if root == "developers" {
                "DeveloperFilter"
            } else {
                "VacancyFilter"
            };
            let body = app
                .graphql(
                    &format!("query($f: {filter}) {{ {root}(filter: $f) {{ totalCount }} }}"),
                    json!({ "f": { "near": near } }),
                )
                .await;
            let error = first_error(&body);
            assert_eq!(
                error["extensions"]["code"], "BAD_USER_INPUT",
                "{near}: {body}"
            );
            let mut path = vec!["filter", "near"];
            if !field.is_empty() {
                path.push(field);
            }
            assert_eq!(error["extensions"]["field"], json!(path), "{near}: {body}");
        }
    }
}

db_test!(Demo, a_near_filter_costs_no_extra_statement);
async fn a_near_filter_costs_no_extra_statement(app: TestApp) {
    let query = "query($f: DeveloperFilter) { developers(first: 20, filter: $f) { totalCount nodes { handle } } }";
    let (_, plain) = app.data_and_statements(query, json!({ "f": {} })).await;
    let near = json!({ "f": { "near": { "city": "Köln", "countryCode": "DE", "radiusKm": 300 } } });
    let (data, with_near) = app.data_and_statements(query, near).await;
    assert!(data["developers"]["totalCount"].as_i64() > Some(0));
    assert_eq!(with_near, plain);
}

/// Every node of `root` filtered by `near`, ordered by DISTANCE in `direction`, seven a page,
/// with `selection`.
async fn by_distance(
    app: &TestApp,
    root: &str,
    near: &serde_json::Value,
    direction: &str,
    selection: &str,
) -> Vec<serde_json::Value> {
    let filter = if root == "developers" {
        "DeveloperFilter"
    } else {
        "VacancyFilter"
    };
    let query = format!(
        "query($after: String, $f: {filter}, $from: PlaceInput!) {{ {root}(first: 7, after: $after, filter: $f, orderBy: {{ field: DISTANCE, direction: {direction} }}) {{ totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ {selection} distanceKm(from: $from) }} }} }}"
    );
    let from = json!({ "city": near["city"], "countryCode": near["countryCode"] });
    let mut nodes = Vec::new();
    let mut after = serde_json::Value::Null;
    loop {
        let data = app
            .data(
                &query,
                json!({ "after": after, "f": { "near": near }, "from": from }),
            )
            .await;
        let page = &data[root];
        nodes.extend(page["nodes"].as_array().expect("nodes").iter().cloned());
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            assert_eq!(page["totalCount"].as_u64(), Some(nodes.len() as u64));
            return nodes;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

db_test!(
    Demo,
    developers_by_distance_come_nearest_first_page_after_page_with_their_distance
);
async fn developers_by_distance_come_nearest_first_page_after_page_with_their_distance(
    app: TestApp,
) {
    let near = json!({ "city": "Köln", "countryCode": "DE", "radiusKm": 500 });
    let nodes = by_distance(&app, "developers", &near, "ASC", "handle").await;
    assert!(nodes.len() > 7, "more than one page: {}", nodes.len());
    let distances: Vec<f64> = nodes
        .iter()
        .map(|n| n["distanceKm"].as_f64().expect("a distance"))
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert!(distances.iter().all(|d| *d <= 500.0));
    // Each distance is the one computed here from the row's stored coordinates.
    let cologne = (50.93333, 6.95);
    let db = app.db().await;
    for node in &nodes {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!(
                    "SELECT latitude, longitude FROM developers WHERE handle = '{}'",
                    node["handle"].as_str().expect("a handle")
                ),
            ))
            .await
            .expect("a query")
            .expect("a row");
        let at: (f64, f64) = (
            row.try_get("", "latitude").expect("lat"),
            row.try_get("", "longitude").expect("lon"),
        );
        let expected = haversine(cologne, at);
        assert!(
            (node["distanceKm"].as_f64().expect("km") - expected).abs() <= 0.051,
            "{node} vs {expected}"
        );
    }
    let handles: BTreeSet<&str> = nodes.iter().filter_map(|n| n["handle"].as_str()).collect();
    assert_eq!(handles.len(), nodes.len(), "no developer twice");
    let mut descending = by_distance(&app, "developers", &near, "DESC", "handle").await;
    descending.reverse();
    assert_eq!(descending, nodes, "DESC is ASC reversed");
}

db_test!(
    Demo,
    vacancies_by_distance_come_nearest_first_and_a_remote_one_has_no_distance
);
async fn vacancies_by_distance_come_nearest_first_and_a_remote_one_has_no_distance(app: TestApp) {
    let near = json!({ "city": "Amsterdam", "countryCode": "NL", "radiusKm": 800 });
    let nodes = by_distance(&app, "vacancies", &near, "ASC", "id workplace").await;
    assert!(nodes.len() > 7);
    let distances: Vec<f64> = nodes
        .iter()
        .map(|n| n["distanceKm"].as_f64().expect("a distance"))
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    let remote = app
        .data(
            "{ vacancies(first: 100, filter: { workplace: [REMOTE] }) { nodes { city distanceKm(from: { latitude: 0, longitude: 0 }) } } }",
            json!({}),
        )
        .await;
    let without_city: Vec<&serde_json::Value> = remote["vacancies"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .filter(|n| n["city"].is_null())
        .collect();
    assert!(!without_city.is_empty());
    assert!(without_city.iter().all(|n| n["distanceKm"].is_null()));
}

db_test!(
    Demo,
    ordering_by_distance_without_a_near_filter_is_bad_user_input
);
async fn ordering_by_distance_without_a_near_filter_is_bad_user_input(app: TestApp) {
    for root in ["developers", "vacancies"] {
        let body = app
            .graphql(
                &format!("{{ {root}(orderBy: {{ field: DISTANCE }}) {{ totalCount }} }}"),
                json!({}),
            )
            .await;
        let error = first_error(&body);
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        assert_eq!(
            error["extensions"]["field"],
            json!(["orderBy", "field"]),
            "{body}"
        );
    }
    let body = app
        .graphql("{ developers(first: 1) { nodes { distanceKm(from: { city: \"Atlantis\", countryCode: \"GR\" }) } } }", json!({}))
        .await;
    let error = first_error(&body);
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    assert_eq!(
        error["extensions"]["field"],
        json!(["from", "city"]),
        "{body}"
    );
}

db_test!(
    Demo,
    a_cursor_of_a_list_around_one_centre_is_refused_around_another
);
async fn a_cursor_of_a_list_around_one_centre_is_refused_around_another(app: TestApp) {
    let query = "query($after: String, $near: NearFilter) { developers(first: 2, after: $after, filter: { near: $near }, orderBy: { field: DISTANCE }) { pageInfo { endCursor } } }";
    let berlin = json!({ "city": "Berlin", "countryCode": "DE", "radiusKm": 300 });
    let first = app
        .data(query, json!({ "after": null, "near": berlin }))
        .await;
    let cursor = first["developers"]["pageInfo"]["endCursor"].clone();
    let hamburg = json!({ "city": "Hamburg", "countryCode": "DE", "radiusKm": 300 });
    let body = app
        .graphql(query, json!({ "after": cursor, "near": hamburg }))
        .await;
    assert_eq!(
        first_error(&body)["extensions"]["code"],
        "BAD_USER_INPUT",
        "{body}"
    );
}

const CREATE_DEVELOPER: &str = "mutation($input: CreateDeveloperInput!) { createDeveloper(input: $input) { developer { id handle } userErrors { field code message } } }";
const UPDATE_DEVELOPER: &str = "mutation($input: UpdateDeveloperInput!) { updateDeveloper(input: $input) { developer { city countryCode } userErrors { field code message } } }";

/// The handles of developers within `km` of `city` in `country`.
async fn handles_near(app: &TestApp, city: &str, country: &str, km: f64) -> BTreeSet<String> {
    let near = format!(
        ", filter: {{ near: {{ city: \"{city}\", countryCode: \"{country}\", radiusKm: {km} }} }}"
    );
    app.all_nodes("developers", &near, "handle")
        .await
        .iter()
        .filter_map(|d| d["handle"].as_str().map(str::to_owned))
        .collect()
}

fn developer_in(city: &str, country: &str) -> serde_json::Value {
    json!({
        "handle": "wanda-lange", "name": "Wanda Lange", "email": "wanda@example.org",
        "headline": "Back-end Engineer · Go", "seniority": "MIDDLE", "yearsOfExperience": 4,
        "city": city, "countryCode": country, "remotePreference": "ONSITE"
    })
}

db_test!(Demo, a_developer_is_placed_in_their_city_and_moves_with_it);
async fn a_developer_is_placed_in_their_city_and_moves_with_it(app: TestApp) {
    let created = app
        .admin()
        .data(
            CREATE_DEVELOPER,
            json!({ "input": developer_in("Leipzig", "DE") }),
        )
        .await;
    assert_eq!(
        created["createDeveloper"]["userErrors"],
        json!([]),
        "{created}"
    );
    let id = created["createDeveloper"]["developer"]["id"].clone();
    assert!(
        handles_near(&app, "Leipzig", "DE", 20.0)
            .await
            .contains("wanda-lange")
    );

    // The city alone: the country stays, the place moves.
    let moved = app
        .admin()
        .data(
            UPDATE_DEVELOPER,
            json!({ "input": { "id": id, "city": "Dresden" } }),
        )
        .await;
    assert_eq!(moved["updateDeveloper"]["userErrors"], json!([]), "{moved}");
    assert!(
        !handles_near(&app, "Leipzig", "DE", 20.0)
            .await
            .contains("wanda-lange")
    );
    assert!(
        handles_near(&app, "Dresden", "DE", 20.0)
            .await
            .contains("wanda-lange")
    );

    // Both, by another name of the city.
    let abroad = app
        .admin()
        .data(
            UPDATE_DEVELOPER,
            json!({ "input": { "id": id, "city": "Wien", "countryCode": "AT" } }),
        )
        .await;
    assert_eq!(
        abroad["updateDeveloper"]["userErrors"],
        json!([]),
        "{abroad}"
    );
    assert!(
        handles_near(&app, "Vienna", "AT", 20.0)
            .await
            .contains("wanda-lange")
    );
}

db_test!(
    Demo,
    a_city_the_gazetteer_does_not_know_is_refused_and_nothing_is_written
);
async fn a_city_the_gazetteer_does_not_know_is_refused_and_nothing_is_written(app: TestApp) {
    let refused = app
        .admin()
        .data(
            CREATE_DEVELOPER,
            json!({ "input": developer_in("Atlantis", "GR") }),
        )
        .await;
    assert!(
        refused["createDeveloper"]["developer"].is_null(),
        "{refused}"
    );
    assert_eq!(
        refused["createDeveloper"]["userErrors"][0]["field"],
        json!(["input", "city"]),
        "{refused}"
    );
    assert_eq!(
        refused["createDeveloper"]["userErrors"][0]["code"],
        "INVALID"
    );

    let someone = app
        .data(
            "{ developers(first: 1) { nodes { id city countryCode } } }",
            json!({}),
        )
        .await;
    let someone = &someone["developers"]["nodes"][0];
    // A country the city is not in, given alone: the city is checked against the new country.
    let elsewhere = app
        .admin()
        .data(
            UPDATE_DEVELOPER,
            json!({ "input": { "id": someone["id"], "countryCode": "IS" } }),
        )
        .await;
    assert_eq!(
        elsewhere["updateDeveloper"]["userErrors"][0]["field"],
        json!(["input", "city"]),
        "{elsewhere}"
    );
    let after = app
        .data(
            "query($id: ID!) { node(id: $id) { ... on Developer { city countryCode } } }",
            json!({ "id": someone["id"] }),
        )
        .await;
    assert_eq!(
        after["node"]["countryCode"], someone["countryCode"],
        "nothing written"
    );

    let employer = app
        .data("{ employers(first: 1) { nodes { id } } }", json!({}))
        .await["employers"]["nodes"][0]["id"]
        .clone();
    let vacancy = app
        .admin()
        .data(
            "mutation($input: CreateVacancyInput!) { createVacancy(input: $input) { vacancy { id } userErrors { field code } } }",
            json!({ "input": { "employerId": employer, "title": "Engineer", "seniority": "SENIOR", "employmentType": "FULL_TIME",
                               "workplace": "ONSITE", "city": "Gotham", "countryCode": "US" } }),
        )
        .await;
    assert_eq!(
        vacancy["createVacancy"]["userErrors"],
        json!([{ "field": ["input", "city"], "code": "INVALID" }])
    );
    let moved = app
        .admin()
        .data(
            "mutation($input: UpdateEmployerInput!) { updateEmployer(input: $input) { userErrors { field code } } }",
            json!({ "input": { "id": employer, "city": "Springfield-upon-Nowhere" } }),
        )
        .await;
    assert_eq!(
        moved["updateEmployer"]["userErrors"],
        json!([{ "field": ["input", "city"], "code": "INVALID" }])
    );
}

db_test!(
    Demo,
    a_remote_vacancy_may_have_no_city_and_then_has_no_place
);
async fn a_remote_vacancy_may_have_no_city_and_then_has_no_place(app: TestApp) {
    let employer = app
        .data("{ employers(first: 1) { nodes { id } } }", json!({}))
        .await["employers"]["nodes"][0]["id"]
        .clone();
    let created = app
        .admin()
        .data(
            "mutation($input: CreateVacancyInput!) { createVacancy(input: $input) { vacancy { id distanceKm(from: { latitude: 0, longitude: 0 }) } userErrors { field code } } }",
            json!({ "input": { "employerId": employer, "title": "Remote Engineer", "seniority": "SENIOR", "employmentType": "FULL_TIME",
                               "workplace": "REMOTE", "countryCode": "DE" } }),
        )
        .await;
    assert_eq!(
        created["createVacancy"]["userErrors"],
        json!([]),
        "{created}"
    );
    assert!(created["createVacancy"]["vacancy"]["distanceKm"].is_null());
    let id = created["createVacancy"]["vacancy"]["id"].clone();
    let placed = app
        .admin()
        .data(
            "mutation($input: UpdateVacancyInput!) { updateVacancy(input: $input) { vacancy { distanceKm(from: { city: \"Hamburg\", countryCode: \"DE\" }) } userErrors { field code } } }",
            json!({ "input": { "id": id, "city": "Hamburg" } }),
        )
        .await;
    assert_eq!(
        placed["updateVacancy"]["vacancy"]["distanceKm"],
        json!(0.0),
        "{placed}"
    );
}

db_test!(
    Demo,
    a_page_by_distance_with_distances_costs_what_a_plain_page_costs
);
async fn a_page_by_distance_with_distances_costs_what_a_plain_page_costs(app: TestApp) {
    let plain = "{ vacancies(first: 20) { totalCount nodes { title city employer { name } } } }";
    let (_, expected) = app.data_and_statements(plain, json!({})).await;
    let near = "{ vacancies(first: 20, filter: { near: { city: \"Berlin\", countryCode: \"DE\", radiusKm: 700 } }, orderBy: { field: DISTANCE }) { totalCount nodes { title city employer { name } distanceKm(from: { city: \"Berlin\", countryCode: \"DE\" }) } } }";
    let (data, statements) = app.data_and_statements(near, json!({})).await;
    assert!(
        data["vacancies"]["totalCount"].as_i64() > Some(20),
        "{data}"
    );
    assert_eq!(statements, expected);
}

db_test!(
    Demo,
    paging_backward_by_distance_gives_the_forward_pages_rows_in_the_same_order
);
async fn paging_backward_by_distance_gives_the_forward_pages_rows_in_the_same_order(app: TestApp) {
    let near = json!({ "city": "Köln", "countryCode": "DE", "radiusKm": 500 });
    let forward = by_distance(&app, "developers", &near, "ASC", "handle").await;
    let query = "query($before: String, $f: DeveloperFilter) { developers(last: 5, before: $before, filter: $f, orderBy: { field: DISTANCE }) { pageInfo { hasPreviousPage startCursor } nodes { handle } } }";
    let mut backward: Vec<serde_json::Value> = Vec::new();
    let mut before = serde_json::Value::Null;
    loop {
        let data = app
            .data(query, json!({ "before": before, "f": { "near": near } }))
            .await;
        let page = &data["developers"];
        let nodes = page["nodes"].as_array().expect("nodes");
        assert!(nodes.len() <= 5);
        backward.splice(0..0, nodes.iter().cloned());
        if page["pageInfo"]["hasPreviousPage"] != json!(true) {
            break;
        }
        before = page["pageInfo"]["startCursor"].clone();
    }
    let forward: Vec<&serde_json::Value> = forward.iter().map(|n| &n["handle"]).collect();
    let backward: Vec<&serde_json::Value> = backward.iter().map(|n| &n["handle"]).collect();
    assert_eq!(backward, forward);
}
