//! Relay cursor connections over keyset pages ([`dbkit::keyset`]): the connection and edge
//! types, root connections, and nested connections (`skills { developers(first: 5) }`), whose pages
//! are fetched for all parents in one statement.

use std::collections::HashMap;

use async_graphql::{
    Context, Object, OutputType, Result,
    connection::{Connection, Edge, EmptyFields},
};
use dbkit::{
    batch::{Batch, Item, Keyed},
    columns::{FieldColumns, PartialRow, Unread},
    keyset::{ChildSet, Cursor, Page, PageArgs, Paged, Sort, fetch_page, fetch_pages, primary_key},
    search::Search,
};
use futures_util::future::BoxFuture;
use sea_orm::{
    Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, QueryFilter,
    QueryResult, QueryTrait,
    sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement},
};

use crate::{
    db,
    error::{ApiError, ApiResult},
};

/// A connection's type: edges of `N` with their cursors, `pageInfo`, `nodes` and `totalCount`.
pub type Conn<N> = Connection<PageCursor, N, Totals, EmptyFields>;

/// The edge type of `Conn<N>`.
pub type ConnEdge<N> = Edge<PageCursor, N, EmptyFields>;

/// An edge's cursor, a `String` in the schema: a row's [`Cursor`], encoded only when a client
/// reads it (an edge's `cursor`, `pageInfo`'s `startCursor` / `endCursor`).
#[derive(Clone, Debug, PartialEq)]
pub enum PageCursor {
    /// The cursor of a row of a page.
    Row(Cursor),
    /// A cursor as a client sent it (the page arguments are read by [`Page::new`], so this is
    /// only what async-graphql's `CursorType` asks for).
    Text(String),
}

impl async_graphql::connection::CursorType for PageCursor {
    type Error = std::convert::Infallible;

    fn decode_cursor(text: &str) -> Result<Self, Self::Error> {
        Ok(Self::Text(text.to_owned()))
    }

    fn encode_cursor(&self) -> String {
        match self {
            Self::Row(cursor) => cursor.encode(),
            Self::Text(text) => text.clone(),
        }
    }
}

/// Describes the connection and edge types async-graphql generates for each node type, which it
/// leaves without descriptions: `describe_connections!(builder, Developer => "developers", "developer")`.
#[macro_export]
macro_rules! describe_connections {
    ($builder:expr, $($node:ty => $plural:literal, $singular:literal);+ $(;)?) => {
        $builder $(
            .override_output_type_description::<$crate::connection::Conn<$node>>(concat!(
                "A page of ", $plural, ": `edges` (each ", $singular, " with its cursor) or just `nodes`, ",
                "`pageInfo` to ask for the next or previous page, and `totalCount` over all pages."
            ))
            .override_output_type_description::<$crate::connection::ConnEdge<$node>>(concat!(
                "One ", $singular, " in a page, with its cursor: pass that as `after` or `before` to ",
                "continue from there."
            ))
        )+
    };
}

/// A page of rows as the GraphQL side uses it.
pub trait PagedExt<T>: Sized {
    /// The page's rows as one batch.
    fn into_items(self) -> Paged<Item<T>>
    where
        T: Send + Sync + 'static;

    /// The page as a GraphQL connection of `N`, with `totals` behind `totalCount`.
    fn into_connection<N: OutputType>(self, totals: Totals, node: impl Fn(T) -> N) -> Conn<N>;
}

impl<T> PagedExt<T> for Paged<T> {
    fn into_items(self) -> Paged<Item<T>>
    where
        T: Send + Sync + 'static,
    {
        let (cursors, rows): (Vec<Cursor>, Vec<T>) = self.items.into_iter().unzip();
        let batch = Batch::new(rows);
        Paged {
            items: cursors.into_iter().zip(batch.items()).collect(),
            has_previous_page: self.has_previous_page,
            has_next_page: self.has_next_page,
        }
    }

    fn into_connection<N: OutputType>(self, totals: Totals, node: impl Fn(T) -> N) -> Conn<N> {
        let mut connection =
            Connection::with_additional_fields(self.has_previous_page, self.has_next_page, totals);
        connection.edges.extend(
            self.items
                .into_iter()
                .map(|(cursor, item)| Edge::new(PageCursor::Row(cursor), node(item))),
        );
        connection
    }
}

/// One page of the rows of `E` that meet `condition` and match `search` (when given), without the
/// `unread` columns, and what `totalCount` counts: the body of every root connection.
pub async fn entity_page<E>(
    db: &impl ConnectionTrait,
    page: &Page,
    condition: Condition,
    search: Option<&Search>,
    unread: Unread<E>,
) -> ApiResult<(Paged<E::Model>, Totals)>
where
    E: FieldColumns,
    E::Model: PartialRow<E>,
{
    let mut select = E::find().filter(condition).into_query();
    unread.apply(&mut select);
    if let Some(search) = search {
        search.apply(&mut select, primary_key::<E>());
    }
    let totals = Totals::of(db, &select);
    let paged = fetch_page(db, select, page, |row| unread.decode(row, 0)).await?;
    Ok((paged, totals))
}

/// A nested connection of `parent`: the same page of `children` (rows of `E`, without the `unread`
/// columns) is loaded for every parent of its batch at once, and `totalCount` counts them
/// for every parent at once too.
#[allow(clippy::too_many_arguments)]
pub async fn child_connection<P, E, N>(
    db: &DatabaseConnection,
    parent: &Item<P>,
    relation: &str,
    args: PageArgs,
    sort: Sort,
    children: ChildSet,
    unread: Unread<E>,
    node: impl Fn(Item<E::Model>) -> N,
) -> ApiResult<Conn<N>>
where
    P: Keyed + Send + Sync + 'static,
    E: FieldColumns,
    E::Model: PartialRow<E> + Keyed + Send + Sync + 'static,
    N: OutputType,
{
    let page = Page::new(&args, sort)?;
    // Two selections of the same relation that read different columns load apart.
    let pages = parent
        .batch()
        .relation(&unread.key(&format!("{relation} {args:?}")), |parents| {
            let parents: Vec<i64> = parents.iter().map(Keyed::key).collect();
            let ChildSet { mut select, parent } = children.clone();
            unread.apply(&mut select);
            async move {
                child_pages(db, select, parent, &parents, &page, |row| {
                    unread.decode(row, 0)
                })
                .await
            }
        })
        .await?;
    let totals = Totals::children(parent, relation, children);
    Ok(pages.of(parent.key()).into_connection(totals, node))
}

/// The same page of children for every parent in `parents`, in one [`fetch_pages`] statement;
/// the children of all parents share one batch.
pub async fn child_pages<M: Keyed + Send + Sync + 'static>(
    db: &impl ConnectionTrait,
    select: SelectStatement,
    parent: Expr,
    parents: &[i64],
    page: &Page,
    decode: impl Fn(&QueryResult) -> Result<M, DbErr>,
) -> Result<ChildPages<M>, DbErr> {
    let pages = fetch_pages(db, select, parent, parents, page, decode).await?;
    let mut rows = Vec::new();
    let mut seen: HashMap<i64, usize> = HashMap::new();
    let mut by_parent = HashMap::new();
    for (parent, paged) in pages {
        let items = paged
            .items
            .into_iter()
            .map(|(cursor, row)| {
                let index = *seen.entry(row.key()).or_insert_with(|| {
                    rows.push(row);
                    rows.len() - 1
                });
                (cursor, index)
            })
            .collect();
        by_parent.insert(
            parent,
            Paged {
                items,
                has_previous_page: paged.has_previous_page,
                has_next_page: paged.has_next_page,
            },
        );
    }
    Ok(ChildPages {
        batch: Batch::new(rows),
        by_parent,
    })
}

/// A page of children for every parent of a batch.
pub struct ChildPages<M> {
    batch: std::sync::Arc<Batch<M>>,
    by_parent: HashMap<i64, Paged<usize>>,
}

impl<M: Send + Sync + 'static> ChildPages<M> {
    /// The page of `parent`.
    pub fn of(&self, parent: i64) -> Paged<Item<M>> {
        let Some(paged) = self.by_parent.get(&parent) else {
            return Paged::default();
        };
        Paged {
            items: paged
                .items
                .iter()
                .map(|(cursor, index)| (cursor.clone(), self.batch.item(*index)))
                .collect(),
            has_previous_page: paged.has_previous_page,
            has_next_page: paged.has_next_page,
        }
    }
}

/// What `totalCount` counts, computed only when a client asks for it.
pub enum Totals {
    /// The rows of a root connection's select (its filters, without cursors), counted on the
    /// backend given; the statement is built only when a client asks.
    Query(DatabaseBackend, Box<SelectStatement>),
    /// The children of a parent (a nested connection), counted for all parents of its batch at once.
    Children(Box<dyn CountChildren>),
}

impl Totals {
    /// Counts the rows `select` (FROM, JOINs, filters) would return.
    pub fn of(db: &impl ConnectionTrait, select: &SelectStatement) -> Self {
        Self::Query(db.get_database_backend(), Box::new(select.clone()))
    }

    /// Counts the `children` of `parent` in its `relation`.
    pub fn children<M: Keyed + Send + Sync + 'static>(
        parent: &Item<M>,
        relation: &str,
        children: ChildSet,
    ) -> Self {
        Self::Children(Box::new(ChildCount {
            parent: parent.clone(),
            relation: format!("count {relation}"),
            children,
        }))
    }
}

/// Counts the children of one parent.
pub trait CountChildren: Send + Sync {
    /// How many children the parent has.
    fn count<'a>(&'a self, db: &'a DatabaseConnection) -> BoxFuture<'a, ApiResult<i64>>;
}

/// The children of `parent` in one relation.
struct ChildCount<M> {
    parent: Item<M>,
    relation: String,
    children: ChildSet,
}

impl<M: Keyed + Send + Sync + 'static> CountChildren for ChildCount<M> {
    fn count<'a>(&'a self, db: &'a DatabaseConnection) -> BoxFuture<'a, ApiResult<i64>> {
        Box::pin(async move {
            let counts = self
                .parent
                .batch()
                .relation(&self.relation, |rows: &[M]| {
                    let ChildSet { mut select, parent } = self.children.clone();
                    select
                        .clear_selects()
                        .expr_as(parent.clone().cast_as("BIGINT"), Alias::new("parent"))
                        .expr_as(
                            Expr::cust("COUNT(*)").cast_as("BIGINT"),
                            Alias::new("total"),
                        )
                        .and_where(parent.clone().is_in(rows.iter().map(Keyed::key)))
                        .add_group_by([parent]);
                    async move {
                        db.query_all(&select)
                            .await?
                            .iter()
                            .map(|row| {
                                Ok((
                                    row.try_get_by::<i64, _>("parent")?,
                                    row.try_get_by::<i64, _>("total")?,
                                ))
                            })
                            .collect::<Result<HashMap<i64, i64>, DbErr>>()
                    }
                })
                .await?;
            Ok(counts.get(&self.parent.key()).copied().unwrap_or(0))
        })
    }
}

#[Object]
impl Totals {
    /// How many items the whole list holds, over all pages. Costs a count: ask only when needed.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let db = db(ctx)?;
        match self {
            Self::Query(backend, select) => {
                let count = Query::select()
                    .expr(Expr::cust("COUNT(*)").cast_as("BIGINT"))
                    .from_subquery(select.as_ref().clone(), Alias::new("counted"))
                    .to_owned();
                let row = db
                    .query_one_raw(backend.build(&count))
                    .await
                    .map_err(ApiError::from)?;
                let count = row
                    .map(|row| row.try_get_by_index::<i64>(0))
                    .transpose()
                    .map_err(ApiError::from)?;
                Ok(count.unwrap_or(0))
            }
            Self::Children(counter) => Ok(counter.count(db).await?),
        }
    }
}
