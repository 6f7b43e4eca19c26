use std::{future::Future, pin::Pin, sync::Arc};

use futures_util::FutureExt;
use indexmap::IndexMap;

use crate::{
    Context, ContextBase, ContextSelectionSet, Error, Name, OutputType, ServerError, ServerResult,
    Value, extensions::ResolveInfo, parser::types::Selection,
};

/// Represents a GraphQL container object.
///
/// This helper trait allows the type to call `resolve_container` on itself in
/// its `OutputType::resolve` implementation.
#[cfg_attr(feature = "boxed-trait", async_trait::async_trait)]
pub trait ContainerType: OutputType {
    /// This function returns true of type `EmptyMutation` only.
    #[doc(hidden)]
    fn is_empty() -> bool {
        false
    }

    /// Resolves a field value and outputs it as a json value
    /// `async_graphql::Value`.
    ///
    /// If the field was not found returns None.
    #[cfg(feature = "boxed-trait")]
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>>;

    /// Resolves a field value and outputs it as a json value
    /// `async_graphql::Value`.
    ///
    /// If the field was not found returns None.
    #[cfg(not(feature = "boxed-trait"))]
    fn resolve_field(
        &self,
        ctx: &Context<'_>,
    ) -> impl Future<Output = ServerResult<Option<Value>>> + Send;

    /// Collect all the fields of the container that are queried in the
    /// selection set.
    ///
    /// Objects do not have to override this, but interfaces and unions must
    /// call it on their internal type.
    fn collect_all_fields<'a>(
        &'a self,
        ctx: &ContextSelectionSet<'a>,
        fields: &mut Fields<'a>,
    ) -> ServerResult<()>
    where
        Self: Send + Sync,
    {
        fields.add_set(ctx, self)
    }

    /// Find the GraphQL entity with the given name from the parameter.
    ///
    /// Objects should override this in case they are the query root.
    #[cfg(feature = "boxed-trait")]
    async fn find_entity(&self, _: &Context<'_>, _: &Value) -> ServerResult<Option<Value>> {
        Ok(None)
    }

    /// Find the GraphQL entity with the given name from the parameter.
    ///
    /// Objects should override this in case they are the query root.
    #[cfg(not(feature = "boxed-trait"))]
    fn find_entity(
        &self,
        _: &Context<'_>,
        _params: &Value,
    ) -> impl Future<Output = ServerResult<Option<Value>>> + Send {
        async { Ok(None) }
    }
}

#[cfg_attr(feature = "boxed-trait", async_trait::async_trait)]
impl<T: ContainerType + ?Sized> ContainerType for &T {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        T::resolve_field(*self, ctx).await
    }

    async fn find_entity(&self, ctx: &Context<'_>, params: &Value) -> ServerResult<Option<Value>> {
        T::find_entity(*self, ctx, params).await
    }
}

#[cfg_attr(feature = "boxed-trait", async_trait::async_trait)]
impl<T: ContainerType + ?Sized> ContainerType for Arc<T> {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        T::resolve_field(self, ctx).await
    }

    async fn find_entity(&self, ctx: &Context<'_>, params: &Value) -> ServerResult<Option<Value>> {
        T::find_entity(self, ctx, params).await
    }
}

#[cfg_attr(feature = "boxed-trait", async_trait::async_trait)]
impl<T: ContainerType + ?Sized> ContainerType for Box<T> {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        T::resolve_field(self, ctx).await
    }

    async fn find_entity(&self, ctx: &Context<'_>, params: &Value) -> ServerResult<Option<Value>> {
        T::find_entity(self, ctx, params).await
    }
}

#[cfg_attr(feature = "boxed-trait", async_trait::async_trait)]
impl<T: ContainerType, E: Into<Error> + Send + Sync + Clone> ContainerType for Result<T, E> {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        match self {
            Ok(value) => T::resolve_field(value, ctx).await,
            Err(err) => Err(ctx.set_error_path(err.clone().into().into_server_error(ctx.item.pos))),
        }
    }

    async fn find_entity(&self, ctx: &Context<'_>, params: &Value) -> ServerResult<Option<Value>> {
        match self {
            Ok(value) => T::find_entity(value, ctx, params).await,
            Err(err) => Err(ctx.set_error_path(err.clone().into().into_server_error(ctx.item.pos))),
        }
    }
}

/// Resolve an container by executing each of the fields concurrently.
pub async fn resolve_container<'a, T: ContainerType + ?Sized>(
    ctx: &ContextSelectionSet<'a>,
    root: &'a T,
) -> ServerResult<Value> {
    resolve_container_inner(ctx, root, true).await
}

/// Resolve an container by executing each of the fields serially.
pub async fn resolve_container_serial<'a, T: ContainerType + ?Sized>(
    ctx: &ContextSelectionSet<'a>,
    root: &'a T,
) -> ServerResult<Value> {
    resolve_container_inner(ctx, root, false).await
}

fn insert_value(target: &mut IndexMap<Name, Value>, name: Name, value: Value) {
    // talent-api: one hash of the key per field (upstream hashed it twice: `get_mut`, then
    // `insert`).
    let prev_value = match target.entry(name) {
        indexmap::map::Entry::Vacant(entry) => {
            entry.insert(value);
            return;
        }
        indexmap::map::Entry::Occupied(entry) => entry.into_mut(),
    };
    if let Value::Object(target_map) = prev_value {
        if let Value::Object(obj) = value {
            for (key, value) in obj.into_iter() {
                insert_value(target_map, key, value);
            }
        }
    } else if let Value::List(target_list) = prev_value
        && let Value::List(list) = value
    {
        for (idx, value) in list.into_iter().enumerate() {
            if let Some(Value::Object(target_map)) = target_list.get_mut(idx)
                && let Value::Object(obj) = value
            {
                for (key, value) in obj.into_iter() {
                    insert_value(target_map, key, value);
                }
            }
        }
    }
}

async fn resolve_container_inner<'a, T: ContainerType + ?Sized>(
    ctx: &ContextSelectionSet<'a>,
    root: &'a T,
    parallel: bool,
) -> ServerResult<Value> {
    if !parallel && in_place(ctx) {
        // One boxed future per object (it breaks the type cycle of an object whose fields
        // resolve objects), where `add_set` boxes one per field.
        let in_place: Pin<Box<dyn Future<Output = ServerResult<Value>> + Send + '_>> =
            Box::pin(resolve_in_place(ctx, root));
        return in_place.await;
    }
    let mut fields = Fields(Vec::new(), Vec::new());
    fields.add_set(ctx, root)?;

    resolve_collected(ctx, parallel, fields.0).await
}

/// talent-api: whether the fields of a serial object can be resolved in place
/// ([`resolve_in_place`]): its selection set is plain fields (no fragment, no directive left
/// after `@skip`/`@include` were applied) and no extension hooks each field.
fn in_place(ctx: &ContextSelectionSet<'_>) -> bool {
    !ctx.query_env.extensions.resolve_fields()
        && ctx.item.node.items.iter().all(|selection| {
            matches!(&selection.node, Selection::Field(field) if field.node.directives.is_empty())
        })
}

/// talent-api: the fields of a serial object, each awaited in place, one after the other, as
/// `resolve_collected` awaits them in serial mode, with the same error handling, but without a
/// boxed future per field: each of those held a copy of the object's whole `resolve_field` state
/// machine, allocated and moved for every field of every object (a page of 50 vacancies with
/// their employers and skills resolves about 2,000 fields).
async fn resolve_in_place<'a, T: ContainerType + ?Sized>(
    ctx: &ContextSelectionSet<'a>,
    root: &'a T,
) -> ServerResult<Value> {
    let mut results = IndexMap::with_capacity(ctx.item.node.items.len());
    for selection in &ctx.item.node.items {
        let Selection::Field(field) = &selection.node else {
            continue;
        };
        let key = field.node.response_key().node.clone();
        if field.node.name.node == "__typename" {
            let typename = root.introspection_type_name().into_owned();
            insert_value(&mut results, key, Value::String(typename));
            continue;
        }
        let ctx_field = ctx.with_field(field);
        match root.resolve_field(&ctx_field).await {
            Ok(value) => insert_value(&mut results, key, value.unwrap_or_default()),
            Err(error)
                if field_is_nullable(ctx, &T::type_name(), field.node.name.node.as_str()) =>
            {
                ctx.add_error(error);
                insert_value(&mut results, key, Value::Null);
            }
            Err(error) => return Err(error),
        }
    }
    Ok(Value::Object(results))
}

/// talent-api: resolves the collected fields of one object as the GraphQL spec says
/// ("ExecuteSelectionSet", "Handling Field Errors", "Errors and Non-Null Fields"). Upstream
/// inserted fields as they finished and skipped a field whose resolver failed, then turned an
/// object left empty into null. Here:
/// - the response keys keep the order of the selection set, however the futures finish;
/// - a nullable field that fails is `null` at its key, its error reported;
/// - a non-null field that fails makes the whole object fail: its error goes to the parent,
///   which applies the same rule (up to `data: null` at the root);
/// - an object whose selected fields were all skipped is `{}`, not `null`.
async fn resolve_collected<'a>(
    ctx: &ContextSelectionSet<'a>,
    parallel: bool,
    futures: Vec<BoxCollectedFuture<'a>>,
) -> ServerResult<Value> {
    let resolved = if parallel {
        futures_util::future::join_all(futures).await
    } else {
        let mut resolved = Vec::with_capacity(futures.len());
        for future in futures {
            resolved.push(future.await);
        }
        resolved
    };
    let mut results = IndexMap::with_capacity(resolved.len());
    for (name, nullable, result) in resolved {
        match result {
            Ok(value) => insert_value(&mut results, name, value),
            Err(error) if nullable => {
                ctx.add_error(error);
                insert_value(&mut results, name, Value::Null);
            }
            Err(error) => return Err(error),
        }
    }
    Ok(Value::Object(results))
}

/// talent-api: whether field `field` of type `type_name` may be null (its type has no `!`
/// outside); a field the registry does not know counts as nullable.
fn field_is_nullable(ctx: &ContextSelectionSet<'_>, type_name: &str, field: &str) -> bool {
    ctx.schema_env
        .registry
        .types
        .get(type_name)
        .and_then(|ty| ty.field_by_name(field))
        .is_none_or(|field| !field.ty.ends_with('!'))
}

#[cfg(feature = "dynamic-schema")]
pub(crate) async fn do_resolve_container<'a>(
    ctx: &ContextSelectionSet<'a>,
    parallel: bool,
    futures: Vec<BoxFieldFuture<'a>>,
) -> Value {
    use futures_util::{StreamExt as _, stream::FuturesUnordered};
    let mut results = IndexMap::new();
    let mut handle = |res| match res {
        Ok((name, value)) => insert_value(&mut results, name, value),
        Err(e) => ctx.add_error(e),
    };

    if parallel {
        let mut set = FuturesUnordered::new();
        set.extend(futures);
        while let Some(field) = set.next().await {
            handle(field);
        }
    } else {
        for fut in futures {
            handle(fut.await);
        }
    }

    if results.is_empty() {
        Value::Null
    } else {
        Value::Object(results)
    }
}

#[cfg(feature = "dynamic-schema")]
type BoxFieldFuture<'a> = Pin<Box<dyn Future<Output = ServerResult<(Name, Value)>> + 'a + Send>>;

/// talent-api: a collected field's future, with its response key and whether it is nullable,
/// known before it runs so that a failure can be placed (see `resolve_collected`).
type BoxCollectedFuture<'a> =
    Pin<Box<dyn Future<Output = (Name, bool, ServerResult<Value>)> + 'a + Send>>;

/// A set of fields on an container that are being selected.
///
/// talent-api: the second member holds the fragments spread into this selection so far (the
/// spec's `visitedFragments` of CollectFields), so that a fragment spread again is not collected
/// again. Upstream resolved it once per spread: a document of fragments that each spread the one
/// before three times executed 3^n copies of the same field.
pub struct Fields<'a>(Vec<BoxCollectedFuture<'a>>, Vec<&'a str>);

impl<'a> Fields<'a> {
    /// Add another set of fields to this set of fields using the given
    /// container.
    pub fn add_set<T: ContainerType + ?Sized>(
        &mut self,
        ctx: &ContextSelectionSet<'a>,
        root: &'a T,
    ) -> ServerResult<()> {
        for selection in &ctx.item.node.items {
            match &selection.node {
                Selection::Field(field) => {
                    if field.node.name.node == "__typename" {
                        // Get the typename
                        let ctx_field = ctx.with_field(field);
                        let field_name = ctx_field.item.node.response_key().node.clone();
                        let typename = root.introspection_type_name().into_owned();

                        self.0.push(Box::pin(async move {
                            (field_name, false, Ok(Value::String(typename)))
                        }));
                        continue;
                    }

                    let key = field.node.response_key().node.clone();
                    // talent-api: whether the field may be null is read from the registry only
                    // when it failed, not for every field resolved.
                    let nullability = ctx.clone();
                    let resolve_fut = {
                        let ctx = ctx.clone();
                        async move {
                            let ctx_field = ctx.with_field(field);
                            let field_name = ctx_field.item.node.response_key().node.clone();
                            let extensions = &ctx.query_env.extensions;

                            // talent-api: the direct path unless an extension must see the
                            // field (upstream: unless there is any extension at all).
                            if !extensions.resolve_fields() && field.node.directives.is_empty() {
                                Ok((
                                    field_name,
                                    root.resolve_field(&ctx_field).await?.unwrap_or_default(),
                                ))
                            } else {
                                let type_name = T::type_name();
                                let resolve_info = ResolveInfo {
                                    path_node: ctx_field.path_node.as_ref().unwrap(),
                                    parent_type: &type_name,
                                    return_type: match ctx_field
                                        .schema_env
                                        .registry
                                        .types
                                        .get(type_name.as_ref())
                                        .and_then(|ty| {
                                            ty.field_by_name(field.node.name.node.as_str())
                                        })
                                        .map(|field| &field.ty)
                                    {
                                        Some(ty) => &ty,
                                        None => {
                                            return Err(ServerError::new(
                                                format!(
                                                    r#"Cannot query field "{}" on type "{}"."#,
                                                    field_name, type_name
                                                ),
                                                Some(ctx_field.item.pos),
                                            ));
                                        }
                                    },
                                    name: field.node.name.node.as_str(),
                                    alias: field
                                        .node
                                        .alias
                                        .as_ref()
                                        .map(|alias| alias.node.as_str()),
                                    is_for_introspection: ctx_field.is_for_introspection,
                                    field: &field.node,
                                };

                                let resolve_fut = root.resolve_field(&ctx_field);

                                if field.node.directives.is_empty() {
                                    futures_util::pin_mut!(resolve_fut);
                                    Ok((
                                        field_name,
                                        extensions
                                            .resolve(resolve_info, &mut resolve_fut)
                                            .await?
                                            .unwrap_or_default(),
                                    ))
                                } else {
                                    let mut resolve_fut = resolve_fut.boxed();

                                    for directive in &field.node.directives {
                                        if let Some(directive_factory) = ctx
                                            .schema_env
                                            .custom_directives
                                            .get(directive.node.name.node.as_str())
                                        {
                                            let ctx_directive = ContextBase {
                                                path_node: ctx_field.path_node,
                                                is_for_introspection: false,
                                                item: directive,
                                                schema_env: ctx_field.schema_env,
                                                query_env: ctx_field.query_env,
                                                execute_data: ctx_field.execute_data,
                                            };
                                            let directive_instance = directive_factory
                                                .create(&ctx_directive, &directive.node)?;
                                            resolve_fut = Box::pin({
                                                let ctx_field = ctx_field.clone();
                                                async move {
                                                    directive_instance
                                                        .resolve_field(&ctx_field, &mut resolve_fut)
                                                        .await
                                                }
                                            });
                                        }
                                    }

                                    Ok((
                                        field_name,
                                        extensions
                                            .resolve(resolve_info, &mut resolve_fut)
                                            .await?
                                            .unwrap_or_default(),
                                    ))
                                }
                            }
                        }
                    };

                    self.0.push(Box::pin(async move {
                        let resolved = resolve_fut.await;
                        let nullable = resolved.is_err()
                            && field_is_nullable(
                                &nullability,
                                &T::type_name(),
                                field.node.name.node.as_str(),
                            );
                        (key, nullable, resolved.map(|(_, value)| value))
                    }));
                }
                selection => {
                    let (type_condition, selection_set) = match selection {
                        Selection::Field(_) => unreachable!(),
                        Selection::FragmentSpread(spread) => {
                            // talent-api: CollectFields' `visitedFragments` (GraphQL spec,
                            // "Field Collection"): a fragment already spread into this selection
                            // adds nothing new, its fields being merged with the same ones.
                            let name = spread.node.fragment_name.node.as_str();
                            if self.1.contains(&name) {
                                continue;
                            }
                            self.1.push(name);
                            let fragment =
                                ctx.query_env.fragments.get(&spread.node.fragment_name.node);
                            let fragment = match fragment {
                                Some(fragment) => fragment,
                                None => {
                                    return Err(ServerError::new(
                                        format!(
                                            r#"Unknown fragment "{}"."#,
                                            spread.node.fragment_name.node
                                        ),
                                        Some(spread.pos),
                                    ));
                                }
                            };
                            (
                                Some(&fragment.node.type_condition),
                                &fragment.node.selection_set,
                            )
                        }
                        Selection::InlineFragment(fragment) => (
                            fragment.node.type_condition.as_ref(),
                            &fragment.node.selection_set,
                        ),
                    };
                    let type_condition =
                        type_condition.map(|condition| condition.node.on.node.as_str());

                    let introspection_type_name = root.introspection_type_name();

                    let applies_concrete_object = type_condition.is_some_and(|condition| {
                        introspection_type_name == condition
                            || ctx
                                .schema_env
                                .registry
                                .implements
                                .get(&*introspection_type_name)
                                .is_some_and(|interfaces| interfaces.contains(condition))
                    });
                    if applies_concrete_object {
                        root.collect_all_fields(&ctx.with_selection_set(selection_set), self)?;
                    } else if type_condition.is_none_or(|condition| T::type_name() == condition) {
                        // The fragment applies to an interface type.
                        self.add_set(&ctx.with_selection_set(selection_set), root)?;
                    }
                }
            }
        }
        Ok(())
    }
}
