use crate::{
    ContextSelectionSet, OutputType, Positioned, ServerResult, Value, extensions::ResolveInfo,
    parser::types::Field,
};

/// Resolve an list by executing each of the items concurrently.
pub async fn resolve_list<'a, T: OutputType + 'a>(
    ctx: &ContextSelectionSet<'a>,
    field: &Positioned<Field>,
    iter: impl IntoIterator<Item = T>,
    len: Option<usize>,
) -> ServerResult<Value> {
    // talent-api: the item type's name is formatted only when an item failed.
    let nullable = || !T::qualified_type_name().ends_with('!');
    let extensions = &ctx.query_env.extensions;
    // talent-api: the extension chain only when an extension must see each item.
    if extensions.resolve_fields() {
        let mut futures = len.map(Vec::with_capacity).unwrap_or_default();
        for (idx, item) in iter.into_iter().enumerate() {
            futures.push({
                let ctx = ctx.clone();
                async move {
                    let ctx_idx = ctx.with_index(idx);
                    let extensions = &ctx.query_env.extensions;

                    let resolve_info = ResolveInfo {
                        path_node: ctx_idx.path_node.as_ref().unwrap(),
                        parent_type: &Vec::<T>::type_name(),
                        return_type: &T::qualified_type_name(),
                        name: field.node.name.node.as_str(),
                        alias: field.node.alias.as_ref().map(|alias| alias.node.as_str()),
                        is_for_introspection: ctx_idx.is_for_introspection,
                        field: &field.node,
                    };
                    let resolve_fut = async {
                        OutputType::resolve(&item, &ctx_idx, field)
                            .await
                            .map(Option::Some)
                            .map_err(|err| ctx_idx.set_error_path(err))
                    };
                    futures_util::pin_mut!(resolve_fut);
                    extensions
                        .resolve(resolve_info, &mut resolve_fut)
                        .await
                        .map(|value| value.expect("You definitely encountered a bug!"))
                }
            });
        }
        items(ctx, futures_util::future::join_all(futures).await, nullable)
    } else {
        let mut futures = len.map(Vec::with_capacity).unwrap_or_default();
        for (idx, item) in iter.into_iter().enumerate() {
            let ctx_idx = ctx.with_index(idx);
            futures.push(async move {
                OutputType::resolve(&item, &ctx_idx, field)
                    .await
                    .map_err(|err| ctx_idx.set_error_path(err))
            });
        }
        items(ctx, futures_util::future::join_all(futures).await, nullable)
    }
}

/// talent-api: the list of resolved `items` as the GraphQL spec says ("Errors and Non-Null
/// Fields"): a nullable item that failed is `null`, its error reported; a non-null item that
/// failed makes the whole list fail, for its field to handle. Upstream failed the whole list
/// either way.
fn items(
    ctx: &ContextSelectionSet<'_>,
    resolved: Vec<ServerResult<Value>>,
    nullable: impl Fn() -> bool,
) -> ServerResult<Value> {
    let mut values = Vec::with_capacity(resolved.len());
    for item in resolved {
        match item {
            Ok(value) => values.push(value),
            Err(error) if nullable() => {
                ctx.add_error(error);
                values.push(Value::Null);
            }
            Err(error) => return Err(error),
        }
    }
    Ok(Value::List(values))
}
