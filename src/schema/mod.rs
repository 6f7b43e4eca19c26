//! The schema root, assembled in one place: each domain contributes its part of `Query`,
//! `Mutation` and `Subscription`; [`Api`] is the schema the transports run, [`sdl`] and
//! [`introspection`] what `export-schema` writes. The HTTP layer only mounts it.

pub mod node;
pub mod reads;

use async_graphql::{
    Data, Executor, MergedObject, MergedSubscription, Request, Response, SDLExportOptions, Schema,
    SchemaBuilder, Value, parser::types::ExecutableDocument,
};
use futures_util::stream::BoxStream;
use node::NodeQuery;
use sea_orm::DatabaseConnection;
use toolkit::{documents, limits, operation, persisted, text};

use crate::{
    auth::{TokenMutation, TokenQuery},
    config::Limits,
    developer::{DeveloperMutation, DeveloperQuery},
    employer::{EmployerMutation, EmployerQuery},
    events::Events,
    salary::SalaryQuery,
    skill::{SkillMutation, SkillQuery},
    vacancy::{VacancyMutation, VacancyQuery, VacancySubscription},
};

/// The query root: each domain contributes its part.
#[derive(MergedObject, Default)]
pub struct Query(
    NodeQuery,
    DeveloperQuery,
    EmployerQuery,
    SkillQuery,
    VacancyQuery,
    SalaryQuery,
    TokenQuery,
);

/// The mutation root: each domain contributes its part.
#[derive(MergedObject, Default)]
pub struct Mutation(
    DeveloperMutation,
    EmployerMutation,
    SkillMutation,
    VacancyMutation,
    TokenMutation,
);

/// The subscription root: each domain contributes its part.
#[derive(MergedSubscription, Default)]
pub struct Subscription(VacancySubscription);

/// The executable schema of talent-api.
pub type AppSchema = Schema<Query, Mutation, Subscription>;

fn builder() -> SchemaBuilder<Query, Mutation, Subscription> {
    let builder = Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    );
    toolkit::describe_connections!(builder,
        crate::developer::Developer => "developers", "developer";
        crate::employer::Employer => "employers", "employer";
        crate::skill::Skill => "skills", "skill";
        crate::vacancy::Vacancy => "vacancies", "vacancy";
        crate::auth::ApiToken => "API tokens", "token";
        crate::matching::DeveloperMatch => "matching developers", "match";
        crate::matching::VacancyMatch => "matching vacancies", "match";
    )
}

/// The schema as the transports run it, answering from `db`, telling `events` about writes,
/// within `limits`.
///
/// It is two schemas of the same types. Queries and mutations run on one whose only extension
/// ([`limits::CostReport`]) needs no per-field hook, so every field resolves on async-graphql's
/// direct path (an extension that hooks fields sends each field and list item through the
/// extension chain; without it, a page of 50 vacancies with their employers and skills went from
/// 92 to 130 requests/s on PostgreSQL): their size,
/// tokens, aliases, directives and introspection are checked before they run
/// ([`limits::QueryLimits::admit`]), their depth and cost by async-graphql's validation. The
/// other schema has the limits and the subscription cap as extensions: it runs subscriptions,
/// documents that ask only for introspection (exempt from the depth limit), and measures a
/// document the first refused over depth or cost, for the figures of its error.
#[derive(Clone)]
pub struct Api {
    serving: AppSchema,
    checking: AppSchema,
    limits: std::sync::Arc<limits::QueryLimits>,
    documents: std::sync::Arc<documents::Documents>,
    persisted: std::sync::Arc<persisted::Persisted>,
    tokens: std::sync::Arc<crate::auth::live::TokenCache>,
    events: Events,
}

impl Api {
    /// The persisted documents (automatic persisted queries, trusted documents) the transports
    /// read each request's document through.
    pub fn persisted(&self) -> &persisted::Persisted {
        &self.persisted
    }

    /// The token lookups the transports share with `revokeApiToken`, which forgets a token it
    /// revokes.
    pub fn tokens(&self) -> &crate::auth::live::TokenCache {
        &self.tokens
    }

    /// The event bus mutations report their writes to, whose generations the response cache
    /// checks its answers against.
    pub fn events(&self) -> &Events {
        &self.events
    }

    /// The kinds of data `request` reads ([`reads::DataMap::reads`]); every kind when its document
    /// cannot be parsed.
    pub fn reads(&self, request: &mut Request) -> crate::events::Kinds {
        let name = request.operation_name.clone();
        match self.parse(request) {
            Some(document) => reads::DataMap::get().reads(document, name.as_deref()),
            None => crate::events::Kinds::ALL,
        }
    }

    /// The parsed document of `request`, when it is within the size and token limits and parses
    /// (from the documents parsed lately when its text was seen), for a transport to read its
    /// operations before it runs; it then runs without being parsed again. Nothing otherwise:
    /// running it says what is wrong.
    pub fn parse<'r>(&self, request: &'r mut Request) -> Option<&'r ExecutableDocument> {
        if !self.limits.parseable(&request.query) {
            return None;
        }
        self.documents.parse(request).ok()
    }
}

/// The address clients reach the server at (`--public-url`), if configured: absolute URLs in
/// answers (a job posting's page) start with it.
#[derive(Clone, Debug, Default)]
pub struct PublicUrl(pub Option<String>);

/// The schema, answering from `db` and telling `events` about writes, within `limits`, running the
/// documents `persisted` lets through, with what of `http` the answers need (field suggestions,
/// the public address).
pub fn build_schema(
    db: DatabaseConnection,
    events: Events,
    limits: &Limits,
    persisted: persisted::Persisted,
    http: &crate::config::Http,
) -> Api {
    let suggestions = http.suggestions();
    let public_url = PublicUrl(http.public_url.clone());
    let tokens = std::sync::Arc::new(crate::auth::live::TokenCache::default());
    let email_changes = std::sync::Arc::new(crate::developer::EmailChanges::default());
    let configure = |mut builder: SchemaBuilder<Query, Mutation, Subscription>| {
        builder = builder
            .extension(limits::CostReport {
                limit: limits.max_cost,
            })
            .data(db.clone())
            .data(events.clone())
            .data(std::sync::Arc::clone(&tokens))
            .data(std::sync::Arc::clone(&email_changes))
            .data(public_url.clone());
        if limits.disable_introspection {
            builder = builder.disable_introspection();
        }
        if !suggestions {
            builder = builder.disable_suggestions();
        }
        builder
    };
    let query_limits = limits::QueryLimits {
        max_depth: limits.max_depth,
        max_aliases: limits.max_aliases,
        max_directives: limits.max_directives,
        max_bytes: limits.max_query_bytes,
        max_tokens: limits.max_query_tokens,
        max_cost: limits.max_cost,
        introspection: !limits.disable_introspection,
    };
    Api {
        serving: configure(builder())
            .limit_depth(limits.max_depth)
            .limit_complexity(limits.max_cost)
            .finish(),
        checking: configure(builder())
            .extension(limits::SubscriptionCap)
            .extension(query_limits.clone())
            .finish(),
        limits: std::sync::Arc::new(query_limits),
        documents: std::sync::Arc::default(),
        persisted: std::sync::Arc::new(persisted),
        tokens,
        events,
    }
}

impl Executor for Api {
    async fn execute(&self, mut request: Request) -> Response {
        let introspection_only = match self.limits.admit(&mut request) {
            Err(error) => return Response::from_errors(vec![error]),
            Ok(introspection_only) => introspection_only,
        };
        if let Err(error) = refused_before_running(&mut request) {
            return Response::from_errors(vec![error]);
        }
        let written = writes(&mut request);
        if introspection_only {
            return self.checking.execute(request).await;
        }
        // What to measure should the serving schema refuse it over depth or cost (a copy of its
        // text and variables: small next to running it).
        let mut again = Request::new(request.query.clone())
            .variables(request.variables.clone())
            .data(limits::Remeasure);
        again.operation_name.clone_from(&request.operation_name);
        let mut response = self.serving.execute(request).await;
        // Before the answer leaves: the caller's next read sees what it wrote.
        self.events.wrote(written).await;
        if is_request_error(&response) {
            if response.errors.iter().any(limits::is_depth_or_cost_refusal) {
                return self.checking.execute(again).await;
            }
            response.errors = response
                .errors
                .into_iter()
                .map(limits::validation_failed)
                .collect();
        }
        response
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<std::sync::Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        // Over a WebSocket the caller is the connection's: its viewer is in the session data.
        let admin = session_data
            .as_ref()
            .and_then(|data| data.get(&std::any::TypeId::of::<crate::auth::Viewer>()))
            .and_then(|viewer| viewer.downcast_ref::<crate::auth::Viewer>())
            .is_some_and(|viewer| viewer.role() == Some(crate::auth::Role::Admin));
        let admitted = self
            .persisted
            .lookup(&mut request)
            .and_then(|()| self.persisted.admit(&request, admin));
        if let Err(error) = admitted {
            let refused = Response::from_errors(vec![error]);
            return Box::pin(futures_util::stream::once(std::future::ready(refused)));
        }
        if self.limits.parseable(&request.query)
            && let Err(error) = refused_before_running(&mut request)
        {
            let refused = Response::from_errors(vec![error]);
            return Box::pin(futures_util::stream::once(std::future::ready(refused)));
        }
        let written = if self.limits.parseable(&request.query) {
            writes(&mut request)
        } else {
            crate::events::Kinds::NONE
        };
        let answers = Executor::execute_stream(&self.checking, request, session_data);
        if written == crate::events::Kinds::NONE {
            return answers;
        }
        // A mutation sent over a WebSocket: its one answer goes out once the write is told.
        let events = self.events.clone();
        Box::pin(futures_util::StreamExt::then(answers, move |answer| {
            let events = events.clone();
            async move {
                events.wrote(written).await;
                answer
            }
        }))
    }
}

/// The kinds of data `request` may write ([`reads::DataMap::writes`]); none when its document does
/// not parse.
fn writes(request: &mut Request) -> crate::events::Kinds {
    let name = request.operation_name.clone();
    match request.parsed_query() {
        Ok(document) => reads::DataMap::get().writes(document, name.as_deref()),
        Err(_) => crate::events::Kinds::NONE,
    }
}

/// Whether `response` was refused before anything ran (a request error): no data, and errors
/// that point at no field.
pub fn is_request_error(response: &Response) -> bool {
    response.data == Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty())
}

/// Refuses a request with text no database column can hold (see [`text`]), an operation that
/// cannot be told or a required variable left out (see [`operation`]); a document that does not
/// parse is left for execution to refuse. An empty `operationName` counts as none, as clients
/// send it for documents of one operation.
fn refused_before_running(request: &mut Request) -> Result<(), async_graphql::ServerError> {
    if request.operation_name.as_deref() == Some("") {
        request.operation_name = None;
    }
    let variables = std::mem::take(&mut request.variables);
    let name = request.operation_name.take();
    let checked = match request.parsed_query() {
        Ok(document) => text::check(&variables, document)
            .and_then(|()| operation::check(document, name.as_deref(), &variables)),
        Err(_) => Ok(()),
    };
    request.variables = variables;
    request.operation_name = name;
    checked
}

/// The schema as SDL, types, fields, arguments and enum values sorted, as `schema.graphql` holds it.
pub fn sdl() -> String {
    static SDL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        builder().finish().sdl_with_options(
            SDLExportOptions::new()
                .sorted_fields()
                .sorted_arguments()
                .sorted_enum_items(),
        )
    });
    SDL.clone()
}

/// The standard introspection query (graphql-js `getIntrospectionQuery` with descriptions,
/// `specifiedByURL`, repeatable directives and deprecated input values).
const INTROSPECTION_QUERY: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL
  fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue isDeprecated deprecationReason }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
"#;

/// The introspection result (`{"__schema": ...}`), as JSON for tools that want it rather than SDL.
pub async fn introspection() -> Result<serde_json::Value, String> {
    let response = builder().finish().execute(INTROSPECTION_QUERY).await;
    if let Some(error) = response.errors.first() {
        return Err(error.message.clone());
    }
    serde_json::to_value(&response.data).map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use dbkit::columns::FieldColumns;

    use super::sdl;

    /// The fields of object type `name` in the SDL.
    fn fields_of(sdl: &str, name: &str) -> Vec<String> {
        let start = format!("type {name} ");
        let Some(body) = sdl.split(&start).nth(1) else {
            return Vec::new();
        };
        body.lines()
            .skip(1)
            .take_while(|line| !line.starts_with('}'))
            .filter_map(|line| {
                let line = line.trim();
                (!line.starts_with('"') && !line.is_empty())
                    .then(|| line.split([':', '(']).next().unwrap_or_default().to_owned())
            })
            .collect()
    }

    /// The fields that `E`'s columns name as their readers, missing from the type `name`.
    fn missing_readers<E: FieldColumns>(sdl: &str, name: &str) -> Vec<String> {
        let fields = fields_of(sdl, name);
        E::READ_BY
            .iter()
            .flat_map(|(column, readers)| {
                readers
                    .iter()
                    .filter(|reader| !fields.iter().any(|field| field == *reader))
                    .map(move |reader| format!("{name}.{reader} (reads {column})"))
            })
            .collect()
    }

    #[test]
    fn every_field_a_column_names_as_its_reader_exists() {
        let sdl = sdl();
        assert!(!fields_of(&sdl, "Developer").is_empty());
        let missing: Vec<String> = [
            missing_readers::<entity::developer::Entity>(&sdl, "Developer"),
            missing_readers::<entity::employer::Entity>(&sdl, "Employer"),
            missing_readers::<entity::skill::Entity>(&sdl, "Skill"),
            missing_readers::<entity::vacancy::Entity>(&sdl, "Vacancy"),
            missing_readers::<entity::api_token::Entity>(&sdl, "ApiToken"),
        ]
        .concat();
        assert!(missing.is_empty(), "no such field: {missing:?}");
    }
}
