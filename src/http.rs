//! The HTTP surface: GraphQL over GET and POST, the playground, and the health check.

use async_graphql::{
    http::GraphiQLSource,
    parser::types::{DocumentOperations, OperationType},
};
use async_graphql_axum::{GraphQL, GraphQLResponse};
use axum::{
    Json, Router,
    extract::{Query, State},
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::{get, post_service},
};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tower_http::trace::TraceLayer;

use crate::graphql::AppSchema;

/// The path of the GraphQL endpoint.
pub const GRAPHQL_PATH: &str = "/graphql";

/// The router of the server: `/graphql` (POST, and GET for queries), `/` (GraphiQL) and `/health`.
pub fn router(schema: AppSchema, db: DatabaseConnection) -> Router {
    let graphql = GraphQL::new(schema.clone());
    let get_graphql = move |Query(params): Query<GetParams>| graphql_get(schema.clone(), params);
    Router::new()
        .route("/", get(playground))
        .route(GRAPHQL_PATH, post_service(graphql).get(get_graphql))
        .route("/health", get(health))
        .with_state(db)
        .layer(TraceLayer::new_for_http())
}

/// The parameters of GraphQL over GET, as GraphQL-over-HTTP names them (`operationName`;
/// async-graphql's own parser only reads `operation_name`, which is kept as an alias).
#[derive(Debug, serde::Deserialize)]
struct GetParams {
    #[serde(default)]
    query: String,
    #[serde(rename = "operationName", alias = "operation_name")]
    operation_name: Option<String>,
    variables: Option<String>,
}

/// A GraphQL-shaped error body with a stable code.
fn error_body(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, Json(body)).into_response()
}

/// GraphQL over GET: queries only. A mutation sent with GET (a link, an image tag) would be a
/// cross-site request forgery; GraphQL-over-HTTP says to refuse it with 405.
async fn graphql_get(schema: AppSchema, params: GetParams) -> Response {
    let variables = match params
        .variables
        .as_deref()
        .map(serde_json::from_str::<async_graphql::Variables>)
        .transpose()
    {
        Ok(variables) => variables.unwrap_or_default(),
        Err(_) => {
            return error_body(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "`variables` is not a JSON object",
            );
        }
    };
    let mut request = async_graphql::Request::new(params.query).variables(variables);
    if let Some(name) = params.operation_name {
        request = request.operation_name(name);
    }
    if is_mutation(&mut request) {
        let mut response = error_body(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "mutations must be sent with POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return response;
    }
    GraphQLResponse::from(schema.execute(request).await).into_response()
}

/// Whether the operation `request` would run is a mutation. A document that does not parse is
/// left for execution to report.
fn is_mutation(request: &mut async_graphql::Request) -> bool {
    let name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return false;
    };
    match &document.operations {
        DocumentOperations::Single(operation) => operation.node.ty == OperationType::Mutation,
        DocumentOperations::Multiple(operations) => operations
            .iter()
            .filter(|(operation_name, _)| {
                name.as_deref()
                    .is_none_or(|name| operation_name.as_str() == name)
            })
            .any(|(_, operation)| operation.node.ty == OperationType::Mutation),
    }
}

async fn playground() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint(GRAPHQL_PATH)
            .title("talent-api playground")
            .finish(),
    )
}

/// 200 with `{"status":"ok"}` when the database answers, 503 otherwise.
async fn health(State(db): State<DatabaseConnection>) -> impl IntoResponse {
    match db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": "up" })),
        ),
        Err(err) => {
            tracing::warn!(error = %err, "health check: the database does not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": "down" })),
            )
        }
    }
}
