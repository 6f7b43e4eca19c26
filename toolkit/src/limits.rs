//! Limits on what one GraphQL document may ask, checked before any resolver runs: size and tokens
//! before parsing, aliases and directives on the parsed document, depth and cost after validation.
//!
//! async-graphql leaves all of these off; its own complexity and depth errors carry no code, so
//! the [`QueryLimits`] extension checks the numbers its validation computes and answers with stable
//! codes and the figures in `extensions` (`limit` and the measured value). It also gives syntax and
//! schema errors, which async-graphql sends without a code, the codes `GRAPHQL_PARSE_FAILED` and
//! `GRAPHQL_VALIDATION_FAILED`.
//!
//! An extension costs every field of every answer a trip through the extension chain, so queries
//! and mutations run on a schema without it (the server's `Api`): [`QueryLimits::admit`]
//! checks them before they run, async-graphql's own depth and cost caps refuse them in validation,
//! and a refused document is measured again on the schema with the extension for its figures.

use std::{
    future::ready,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
};

use async_graphql::{
    ErrorExtensionValues, Positioned, Request, Response as GraphQLResponse, ServerError,
    ServerResult, ValidationResult, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextSubscribe,
        NextValidation,
    },
    parser::types::{Directive, DocumentOperations, ExecutableDocument, Selection, SelectionSet},
};
use futures_util::{StreamExt, stream::BoxStream};

use crate::error::ErrorCode;

/// `error` with `code` unless it has a code already.
fn coded(mut error: ServerError, code: &str) -> ServerError {
    let extensions = error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
    error
}

/// How many items a list without `first`/`last` is counted as: the default page size, and about
/// what a developer's or vacancy's list of skills holds.
pub const LIST_ESTIMATE: usize = 20;

/// The cost of a connection field: what is below it, times the page asked for (`first`, else
/// `last`, else the default page size). Out-of-range sizes are refused when the field runs; here
/// they count as the largest page.
pub fn connection_cost(first: Option<i32>, last: Option<i32>, child_complexity: usize) -> usize {
    let size = first.or(last).map_or(LIST_ESTIMATE, |n| {
        usize::try_from(n.clamp(0, 100)).unwrap_or(100)
    });
    size.max(1).saturating_mul(child_complexity)
}

/// The query limits of the server, as an async-graphql extension.
#[derive(Clone, Debug)]
pub struct QueryLimits {
    /// Fields nested deeper than this are refused (`QUERY_TOO_DEEP`).
    pub max_depth: usize,
    /// More aliases than this are refused (`TOO_MANY_ALIASES`).
    pub max_aliases: usize,
    /// More directives than this are refused (`TOO_MANY_DIRECTIVES`).
    pub max_directives: usize,
    /// A document longer than this, in bytes, is refused before parsing (`QUERY_TOO_LARGE`).
    pub max_bytes: usize,
    /// A document of more lexical tokens than this is refused before parsing (`TOO_MANY_TOKENS`).
    pub max_tokens: usize,
    /// An operation costing more than this is refused (`QUERY_TOO_COSTLY`).
    pub max_cost: usize,
    /// Whether `__schema` and `__type` may be asked (`INTROSPECTION_DISABLED` otherwise).
    pub introspection: bool,
}

impl QueryLimits {
    /// Whether `query` is within the size and token limits, so parsing it is cheap.
    pub fn parseable(&self, query: &str) -> bool {
        self.check_text(query).is_ok()
    }

    /// Refuses a query over the size or token limits, before it is parsed.
    fn check_text(&self, query: &str) -> ServerResult<()> {
        if query.len() > self.max_bytes {
            return Err(refused(
                ErrorCode::QueryTooLarge.as_str(),
                format!(
                    "the query is {} bytes long; at most {} are allowed",
                    query.len(),
                    self.max_bytes
                ),
                self.max_bytes,
                "size",
                query.len(),
            ));
        }
        let tokens = count_tokens(query, self.max_tokens.saturating_add(1));
        if tokens > self.max_tokens {
            return Err(refused(
                ErrorCode::TooManyTokens.as_str(),
                format!(
                    "the query has more than {} tokens (names, values, punctuation)",
                    self.max_tokens
                ),
                self.max_tokens,
                "tokens",
                tokens,
            ));
        }
        Ok(())
    }

    /// Refuses a parsed document with too many aliases or directives, or asking for
    /// introspection where it is off; else what it counts.
    fn check_document(&self, document: &ExecutableDocument) -> ServerResult<Counts> {
        let counts = Counts::of(document);
        // Before async-graphql's validation, which spreads every fragment where it is used (its
        // cost and depth visitors walk `...F` again at each spread, so a chain of fragments that
        // each spread the one before three times costs 3^n): the fields the document selects
        // once spread, counted with each fragment measured once. Every field costs at least 1,
        // so a document that selects more fields than the cost limit is over it, and anything
        // under it leaves validation at most that many fields to walk.
        let spread = Spread::of(document);
        if spread.fields > self.max_cost {
            return Err(refused(
                ErrorCode::QueryTooCostly.as_str(),
                format!(
                    "once its fragments are spread, the query selects {} fields; every field costs at least 1 and at most {} is allowed",
                    spread.fields, self.max_cost
                ),
                self.max_cost,
                "cost",
                spread.fields,
            ));
        }
        if spread.depth > self.max_depth && !counts.introspection_only {
            return Err(refused(
                ErrorCode::QueryTooDeep.as_str(),
                format!(
                    "the query nests fields {} deep once its fragments are spread; at most {} levels are allowed",
                    spread.depth, self.max_depth
                ),
                self.max_depth,
                "depth",
                spread.depth,
            ));
        }
        if counts.aliases > self.max_aliases {
            return Err(refused(
                ErrorCode::TooManyAliases.as_str(),
                format!(
                    "the query has {} aliases; at most {} are allowed",
                    counts.aliases, self.max_aliases
                ),
                self.max_aliases,
                "aliases",
                counts.aliases,
            ));
        }
        if counts.directives > self.max_directives {
            return Err(refused(
                ErrorCode::TooManyDirectives.as_str(),
                format!(
                    "the query has {} directives; at most {} are allowed",
                    counts.directives, self.max_directives
                ),
                self.max_directives,
                "directives",
                counts.directives,
            ));
        }
        if counts.introspection && !self.introspection {
            let mut error = ServerError::new("introspection is turned off on this server", None);
            let mut extensions = ErrorExtensionValues::default();
            extensions.set("code", ErrorCode::IntrospectionDisabled.as_str());
            error.extensions = Some(extensions);
            return Err(error);
        }
        Ok(counts)
    }

    /// Checks `request` before it runs without this extension: its size and tokens, then (parsing
    /// it, once: the schema reuses the parsed document) its aliases, directives and introspection.
    /// Whether it asks only for introspection (exempt from the depth limit, so the schema with
    /// this extension must run it). Depth and cost are left to the schema's own validation.
    pub fn admit(&self, request: &mut Request) -> ServerResult<bool> {
        self.check_text(&request.query)?;
        let document = request
            .parsed_query()
            .map_err(|error| coded(error, ErrorCode::GraphqlParseFailed.as_str()))?;
        Ok(self.check_document(document)?.introspection_only)
    }
}

/// Marks a request sent to the checking schema only to measure why the serving schema refused
/// it: its validation then refuses it whatever it finds, so it never runs.
#[derive(Clone, Copy, Debug)]
pub struct Remeasure;

/// Whether `error` is async-graphql's own refusal of a document over `limit_depth` or
/// `limit_complexity` (it has no code and no figures; see [`Remeasure`]).
pub fn is_depth_or_cost_refusal(error: &ServerError) -> bool {
    error.extensions.is_none()
        && matches!(
            error.message.as_str(),
            "Query is too complex." | "Query is nested too deep."
        )
}

/// Gives `error` the code `GRAPHQL_VALIDATION_FAILED` unless it has a code.
pub fn validation_failed(error: ServerError) -> ServerError {
    coded(error, ErrorCode::GraphqlValidationFailed.as_str())
}

impl ExtensionFactory for QueryLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Checker {
            limits: self.clone(),
            introspection_only: AtomicBool::new(false),
        })
    }
}

/// Reports what an operation cost against the limit, as `extensions.cost { requested, limit }` of
/// its response, so a client can see how close a query comes to `QUERY_TOO_COSTLY` before it gets
/// there. The cost is the one the limit checks (see [`connection_cost`]).
#[derive(Clone, Copy, Debug)]
pub struct CostReport {
    /// The highest cost allowed.
    pub limit: usize,
}

impl ExtensionFactory for CostReport {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Costed {
            limit: self.limit,
            requested: AtomicUsize::new(usize::MAX),
        })
    }
}

/// The cost of one request, once validation has measured it.
struct Costed {
    limit: usize,
    /// `usize::MAX` until measured.
    requested: AtomicUsize,
}

#[async_trait::async_trait]
impl Extension for Costed {
    /// It reads the validation's figure and adds it to the response: no field needs to pass
    /// through it, so fields keep async-graphql's direct path.
    fn resolves_fields(&self) -> bool {
        false
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        self.requested.store(result.complexity, Ordering::Relaxed);
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> GraphQLResponse {
        let response = next.run(ctx, operation_name).await;
        match self.requested.load(Ordering::Relaxed) {
            usize::MAX => response,
            requested => response.extension(
                "cost",
                async_graphql::value!({ "requested": requested, "limit": self.limit }),
            ),
        }
    }
}

/// The limits applied to one request.
struct Checker {
    limits: QueryLimits,
    /// Whether every operation asks only for `__schema`, `__type` or `__typename`: such queries
    /// are exempt from the depth limit (the standard introspection query nests 13 deep).
    introspection_only: AtomicBool,
}

/// A limit error with `code`, the `limit` and the `measured` figure (named `name`).
fn refused(code: &str, message: String, limit: usize, name: &str, measured: usize) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    extensions.set("limit", limit);
    extensions.set(name, measured);
    error.extensions = Some(extensions);
    error
}

#[async_trait::async_trait]
impl Extension for Checker {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        self.limits.check_text(query)?;
        let document = next
            .run(ctx, query, variables)
            .await
            .map_err(|error| coded(error, ErrorCode::GraphqlParseFailed.as_str()))?;
        let counts = self.limits.check_document(&document)?;
        self.introspection_only
            .store(counts.introspection_only, Ordering::Relaxed);
        Ok(document)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|error| coded(error, ErrorCode::GraphqlValidationFailed.as_str()))
                .collect::<Vec<_>>()
        })?;
        let limits = &self.limits;
        if result.depth > limits.max_depth && !self.introspection_only.load(Ordering::Relaxed) {
            return Err(vec![refused(
                ErrorCode::QueryTooDeep.as_str(),
                format!(
                    "the query nests fields {} deep; at most {} levels are allowed",
                    result.depth, limits.max_depth
                ),
                limits.max_depth,
                "depth",
                result.depth,
            )]);
        }
        if result.complexity > limits.max_cost {
            return Err(vec![refused(
                ErrorCode::QueryTooCostly.as_str(),
                format!(
                    "the query costs {}; at most {} is allowed (every field counts 1, and lists multiply what is below them by their page size: ask for smaller pages or fewer nested lists)",
                    result.complexity, limits.max_cost
                ),
                limits.max_cost,
                "cost",
                result.complexity,
            )]);
        }
        if ctx.data_opt::<Remeasure>().is_some() {
            return Err(vec![validation_failed(ServerError::new(
                "the query is over the depth or cost limit",
                None,
            ))]);
        }
        Ok(result)
    }
}

/// The lexical tokens of a GraphQL document, counted up to `stop` (commas, white space and
/// comments are not tokens; a string is one).
pub fn count_tokens(source: &str, stop: usize) -> usize {
    let bytes = source.as_bytes();
    let (mut i, mut count) = (0, 0);
    while i < bytes.len() && count < stop {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
                count += 1;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                count += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                i += 3;
                count += 1;
            }
            b if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' => {
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'.' | b'+' | b'-'))
                {
                    i += 1;
                }
                count += 1;
            }
            _ => {
                // A punctuator, or a character the parser will refuse: one token either way.
                i += source[i..].chars().next().map_or(1, char::len_utf8);
                count += 1;
            }
        }
    }
    count
}

/// What the limits count in a parsed document.
#[derive(Debug, Default, PartialEq, Eq)]
struct Counts {
    aliases: usize,
    directives: usize,
    /// Some operation asks for `__schema` or `__type` at its root.
    introspection: bool,
    introspection_only: bool,
}

impl Counts {
    fn of(document: &ExecutableDocument) -> Self {
        let mut counts = Self::default();
        let operations: Vec<_> = match &document.operations {
            DocumentOperations::Single(operation) => vec![operation],
            DocumentOperations::Multiple(operations) => operations.values().collect(),
        };
        let mut introspection_only = !operations.is_empty();
        for operation in &operations {
            counts.directives += operation.node.directives.len();
            for variable in &operation.node.variable_definitions {
                counts.directives += variable.node.directives.len();
            }
            counts.introspection |= operation.node.selection_set.node.items.iter().any(|item| {
                matches!(&item.node, Selection::Field(field)
                    if matches!(field.node.name.node.as_str(), "__schema" | "__type"))
            });
            introspection_only &= operation.node.selection_set.node.items.iter().all(|item| {
                matches!(&item.node, Selection::Field(field)
                    if matches!(field.node.name.node.as_str(), "__schema" | "__type" | "__typename"))
            });
            counts.walk(&operation.node.selection_set);
        }
        for fragment in document.fragments.values() {
            counts.directives += fragment.node.directives.len();
            counts.walk(&fragment.node.selection_set);
        }
        counts.introspection_only = introspection_only;
        counts
    }

    fn walk(&mut self, selection_set: &Positioned<SelectionSet>) {
        for item in &selection_set.node.items {
            match &item.node {
                Selection::Field(field) => {
                    self.aliases += usize::from(field.node.alias.is_some());
                    self.directives += count(&field.node.directives);
                    self.walk(&field.node.selection_set);
                }
                Selection::FragmentSpread(spread) => {
                    self.directives += count(&spread.node.directives);
                }
                Selection::InlineFragment(fragment) => {
                    self.directives += count(&fragment.node.directives);
                    self.walk(&fragment.node.selection_set);
                }
            }
        }
    }
}

/// The size of a document with its fragments spread where they are used, measured in time linear
/// in the document: each fragment is measured once and its figures reused at every spread.
/// Counts saturate, so a document that would select more fields than `usize` holds still measures.
#[derive(Debug, Default, PartialEq, Eq)]
struct Spread {
    /// Fields selected, over every operation (async-graphql's cost adds up all of them too).
    fields: usize,
    /// The deepest nesting of fields.
    depth: usize,
}

/// What is known of a fragment while measuring.
#[derive(Clone, Copy)]
enum Measured {
    /// Being measured: a spread of it now is a cycle, which validation refuses; it counts 0 here.
    Open,
    Done(usize, usize),
}

impl Spread {
    fn of(document: &ExecutableDocument) -> Self {
        let mut fragments = std::collections::HashMap::new();
        let mut spread = Self::default();
        for (_, operation) in document.operations.iter() {
            let (fields, depth) = measure(document, &mut fragments, &operation.node.selection_set);
            spread.fields = spread.fields.saturating_add(fields);
            spread.depth = spread.depth.max(depth);
        }
        spread
    }
}

/// The fields and depth of `selection_set` with fragments spread, each fragment's figures kept in
/// `fragments` the first time it is measured. Recursion follows the document's own nesting, which
/// the parser bounds (32 levels).
fn measure<'d>(
    document: &'d ExecutableDocument,
    fragments: &mut std::collections::HashMap<&'d str, Measured>,
    selection_set: &'d Positioned<SelectionSet>,
) -> (usize, usize) {
    let (mut fields, mut depth) = (0usize, 0usize);
    for item in &selection_set.node.items {
        let (more, deep) = match &item.node {
            Selection::Field(field) => {
                let (below, deeper) = measure(document, fragments, &field.node.selection_set);
                (below.saturating_add(1), deeper + 1)
            }
            Selection::InlineFragment(fragment) => {
                measure(document, fragments, &fragment.node.selection_set)
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                match fragments.get(name) {
                    Some(Measured::Open) => (0, 0),
                    Some(Measured::Done(fields, depth)) => (*fields, *depth),
                    None => match document.fragments.get(name) {
                        // An unknown fragment: validation refuses it.
                        None => (0, 0),
                        Some(definition) => {
                            fragments.insert(name, Measured::Open);
                            let (fields, depth) =
                                measure(document, fragments, &definition.node.selection_set);
                            fragments.insert(name, Measured::Done(fields, depth));
                            (fields, depth)
                        }
                    },
                }
            }
        };
        fields = fields.saturating_add(more);
        depth = depth.max(deep);
    }
    (fields, depth)
}

fn count(directives: &[Positioned<Directive>]) -> usize {
    directives.len()
}

/// The subscriptions one connection holds, and how many it may.
#[derive(Clone, Debug)]
pub struct Slots {
    used: Arc<AtomicUsize>,
    cap: usize,
}

impl Slots {
    /// Room for `cap` subscriptions.
    pub fn new(cap: usize) -> Self {
        Self {
            used: Arc::new(AtomicUsize::new(0)),
            cap,
        }
    }
}

/// Frees a slot when its subscription ends.
struct Release(Arc<AtomicUsize>);

impl Drop for Release {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Caps the subscriptions per connection: one past the cap gets a `TOO_MANY_SUBSCRIPTIONS` error.
#[derive(Clone, Copy, Debug, Default)]
pub struct SubscriptionCap;

impl ExtensionFactory for SubscriptionCap {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SubscriptionCap)
    }
}

impl Extension for SubscriptionCap {
    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, GraphQLResponse>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, GraphQLResponse> {
        let Some(slots) = ctx.data_opt::<Slots>() else {
            return next.run(ctx, stream);
        };
        let taken = slots.used.fetch_add(1, Ordering::AcqRel);
        let release = Release(Arc::clone(&slots.used));
        if taken >= slots.cap {
            let mut error = ServerError::new(
                format!(
                    "a connection holds at most {} subscriptions; end one first",
                    slots.cap
                ),
                None,
            );
            let mut extensions = ErrorExtensionValues::default();
            extensions.set("code", ErrorCode::TooManySubscriptions.as_str());
            extensions.set("limit", slots.cap);
            error.extensions = Some(extensions);
            drop(release);
            return futures_util::stream::once(ready(GraphQLResponse::from_errors(vec![error])))
                .boxed();
        }
        next.run(ctx, stream)
            .map(move |response| {
                let _held = &release;
                response
            })
            .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_names_values_strings_and_punctuators() {
        assert_eq!(count_tokens("{ a }", 100), 3);
        assert_eq!(
            count_tokens(
                "query Q($x: Int = 5) { a(b: $x, c: \"s t\") @skip(if: true) }",
                100
            ),
            29
        );
        assert_eq!(count_tokens("{ ...F } # a comment { { {", 100), 4);
        assert_eq!(
            count_tokens("{ a(s: \"\"\"block \\\"\"\" string\"\"\") }", 100),
            8
        );
        assert_eq!(count_tokens("{ a(f: -1.5e3) }", 100), 8);
    }

    #[test]
    fn counting_tokens_stops_at_the_limit() {
        assert_eq!(count_tokens(&"{ a }".repeat(1000), 10), 10);
    }

    #[test]
    fn connection_cost_multiplies_by_the_page_asked_for() {
        assert_eq!(connection_cost(Some(100), None, 3), 300);
        assert_eq!(connection_cost(None, Some(5), 3), 15);
        assert_eq!(connection_cost(None, None, 3), 60);
        assert_eq!(connection_cost(Some(-4), None, 3), 3);
        assert_eq!(connection_cost(Some(i32::MAX), None, 3), 300);
    }

    #[test]
    fn aliases_and_directives_are_counted_in_fragments_too()
    -> Result<(), async_graphql::parser::Error> {
        let document = async_graphql::parser::parse_query(
            "query Q @a { x: f @b { ...F @c } ... on T @d { y: g } } fragment F on T @e { z: h @f }",
        )?;
        assert_eq!(
            Counts::of(&document),
            Counts {
                aliases: 3,
                directives: 6,
                introspection: false,
                introspection_only: false,
            }
        );
        Ok(())
    }

    /// `{ ...Y<levels> }` where Y0 selects a page of developers' bios and each Y<n> spreads
    /// Y<n-1> three times: 3^levels × 3 fields in under a kilobyte.
    fn fan_out(levels: usize) -> String {
        let mut document = format!(
            "{{ ...Y{levels} }} fragment Y0 on Query {{ developers(first:100){{nodes{{bio}}}} }}"
        );
        for level in 1..=levels {
            let below = level - 1;
            document.push_str(&format!(
                " fragment Y{level} on Query {{ ...Y{below} ...Y{below} ...Y{below} }}"
            ));
        }
        document
    }

    #[test]
    fn spread_counts_each_fragment_once_and_multiplies_at_its_spreads()
    -> Result<(), async_graphql::parser::Error> {
        let document = async_graphql::parser::parse_query(fan_out(2))?;
        assert_eq!(
            Spread::of(&document),
            Spread {
                fields: 27,
                depth: 3
            }
        );
        let document = async_graphql::parser::parse_query(fan_out(30))?;
        assert_eq!(Spread::of(&document).fields, 3usize.pow(30) * 3);
        Ok(())
    }

    #[test]
    fn spread_of_a_fragment_cycle_stops() -> Result<(), async_graphql::parser::Error> {
        let document = async_graphql::parser::parse_query(
            "{ ...A } fragment A on Query { a ...B } fragment B on Query { b ...A }",
        )?;
        assert_eq!(
            Spread::of(&document),
            Spread {
                fields: 2,
                depth: 1
            }
        );
        Ok(())
    }

    #[test]
    fn spread_depth_counts_fields_nested_through_fragments()
    -> Result<(), async_graphql::parser::Error> {
        let document = async_graphql::parser::parse_query(
            "{ a { ...F } } fragment F on T { b { ... on T { c { d } } } }",
        )?;
        assert_eq!(
            Spread::of(&document),
            Spread {
                fields: 4,
                depth: 4
            }
        );
        Ok(())
    }

    #[test]
    fn only_introspection_fields_at_the_root_make_an_introspection_query()
    -> Result<(), async_graphql::parser::Error> {
        let introspection =
            async_graphql::parser::parse_query("{ __schema { types { name } } __typename }")?;
        assert!(Counts::of(&introspection).introspection_only);
        let mixed = async_graphql::parser::parse_query(
            "{ __schema { types { name } } skills { totalCount } }",
        )?;
        assert!(!Counts::of(&mixed).introspection_only);
        Ok(())
    }
}
