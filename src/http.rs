//! The HTTP surface: GraphQL over GET and POST, the playground, and the health check.
//!
//! Every GraphQL request is authenticated here, before the schema runs: the `Authorization` header
//! becomes the request's [`Viewer`]. Credentials that are sent but not valid are refused with 401
//! and an `UNAUTHENTICATED` error, never treated as anonymous.

use async_graphql::{
    http::GraphiQLSource,
    parser::types::{DocumentOperations, OperationType},
};
use async_graphql_axum::{GraphQLBatchRequest, GraphQLResponse};
use axum::{
    Json, Router,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::get,
};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tower_http::trace::TraceLayer;

use crate::{
    auth::{self, Viewer},
    error::ApiError,
    graphql::AppSchema,
};

/// The path of the GraphQL endpoint.
pub const GRAPHQL_PATH: &str = "/graphql";

/// What the handlers share.
#[derive(Clone)]
struct AppState {
    schema: AppSchema,
    db: DatabaseConnection,
}

/// The router of the server: `/graphql` (POST, and GET for queries), `/` (GraphiQL) and `/health`.
pub fn router(schema: AppSchema, db: DatabaseConnection) -> Router {
    Router::new()
        .route("/", get(playground))
        .route(GRAPHQL_PATH, get(graphql_get).post(graphql_post))
        .route("/health", get(health))
        .with_state(AppState { schema, db })
        .layer(TraceLayer::new_for_http())
}

/// The viewer the request's credentials stand for, or the response refusing them: 401 with a
/// `WWW-Authenticate` challenge (RFC 6750) for credentials that are not valid, 503 when the
/// database cannot tell.
async fn viewer(state: &AppState, headers: &HeaderMap) -> Result<Viewer, Response> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(header::HeaderValue::as_bytes);
    match auth::authenticate(&state.db, authorization, chrono::Utc::now()).await {
        Ok(viewer) => Ok(viewer),
        Err(err) => {
            err.log();
            let mut response = error_body(err.status(), err.code().as_str(), &err.to_string());
            if matches!(err, ApiError::Unauthenticated(_)) {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static(
                        "Bearer realm=\"talent-api\", error=\"invalid_token\"",
                    ),
                );
            }
            Err(response)
        }
    }
}

/// GraphQL over POST: JSON bodies, single or batched.
async fn graphql_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: GraphQLBatchRequest,
) -> Response {
    let viewer = match viewer(&state, &headers).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    let request = request.into_inner().data(viewer);
    GraphQLResponse::from(state.schema.execute_batch(request).await).into_response()
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
async fn graphql_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<GetParams>,
) -> Response {
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
    let viewer = match viewer(&state, &headers).await {
        Ok(viewer) => viewer,
        Err(response) => return response,
    };
    GraphQLResponse::from(state.schema.execute(request.data(viewer)).await).into_response()
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
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
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
