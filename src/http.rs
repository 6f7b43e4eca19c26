//! The HTTP surface: GraphQL over GET and POST, the playground, and the health check.

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::GraphQL;
use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    response::{Html, IntoResponse},
    routing::{get, get_service},
};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tower_http::trace::TraceLayer;

use crate::graphql::AppSchema;

/// The path of the GraphQL endpoint.
pub const GRAPHQL_PATH: &str = "/graphql";

/// The router of the server: `/graphql` (GET and POST), `/` (GraphiQL) and `/health`.
pub fn router(schema: AppSchema, db: DatabaseConnection) -> Router {
    let graphql = GraphQL::new(schema);
    Router::new()
        .route("/", get(playground))
        .route(
            GRAPHQL_PATH,
            get_service(graphql.clone()).post_service(graphql),
        )
        .route("/health", get(health))
        .with_state(db)
        .layer(TraceLayer::new_for_http())
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
