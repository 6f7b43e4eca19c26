//! Batches: rows fetched together (a page, a list, the parents of a relation) load each of their
//! relations once, for all of them, in one statement.
//!
//! Every GraphQL object wraps an [`Item`]: its row plus the [`Batch`] it came in. When a client asks
//! for a relation (say `Vacancy.employer`) on any item, the batch runs one query for the relation of
//! all its rows and keeps the answer; the other items read it from there. Concurrent resolvers wait
//! for the same query (a `OnceCell`), so the number of statements depends on the shape of the query,
//! never on timing or on how many rows a page holds: no timer, no added latency.

use std::{
    any::Any,
    cmp::Ordering,
    collections::{HashMap, hash_map::Entry},
    future::Future,
    ops::Deref,
    sync::{Arc, Mutex, PoisonError},
};

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, Iterable, PrimaryKeyToColumn, QueryFilter,
    QueryResult, QueryTrait, SelectTwo,
};
use tokio::sync::OnceCell;

use crate::columns::{PartialRow, Unread};

/// A row with a primary key.
pub trait Keyed {
    /// The primary key.
    fn key(&self) -> i64;
}

/// A link table's row (a parent, a child and what the link says), read by position from a
/// statement that lists [`LinkRow::COLUMNS`] first, as [`Unread::apply_joined`] does. Positions
/// spare the per-column name lookup (and the `A_` prefix sea-orm formats for every column of every
/// row), which was a tenth of a page of 50 vacancies with their skills.
pub trait LinkRow: Sized {
    /// The columns read, in the entity's order.
    const COLUMNS: &'static [&'static str];

    /// The link in `row`'s first `COLUMNS.len()` columns.
    fn decode(row: &QueryResult) -> Result<Self, DbErr>;
}

/// Implements [`LinkRow`] for a link entity's model: `link_row!(developer_id, skill_id, level;
/// created_at)` lists the fields read in the entity's column order (a test next to the entity
/// checks the order), then, after `;`, the fields no API field reads from a link, which stay out
/// of the statement and hold an [`Absent`](crate::columns::Absent) value.
#[macro_export]
macro_rules! link_row {
    ($($field:ident),* $(,)? $(; $($absent:ident),* $(,)?)?) => {
        impl $crate::batch::LinkRow for Model {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn decode(row: &sea_orm::QueryResult) -> Result<Self, sea_orm::DbErr> {
                // The position of each field in turn: 0, 1, 2, ...
                let mut read = 0;
                let mut next = || {
                    read += 1;
                    read - 1
                };
                Ok(Self {
                    $($field: row.try_get_by_index(next())?,)*
                    $($($absent: $crate::columns::Absent::absent(),)*)?
                })
            }
        }
    };
}

type Cell = Arc<OnceCell<Arc<dyn Any + Send + Sync>>>;

/// Rows fetched together, and the relations loaded for them so far.
pub struct Batch<M> {
    rows: Vec<M>,
    relations: Mutex<HashMap<String, Cell>>,
}

impl<M: Send + Sync + 'static> Batch<M> {
    /// A batch of `rows`.
    pub fn new(rows: Vec<M>) -> Arc<Self> {
        Arc::new(Self {
            rows,
            relations: Mutex::new(HashMap::new()),
        })
    }

    /// Every row, each one an [`Item`].
    pub fn items(self: &Arc<Self>) -> impl Iterator<Item = Item<M>> + '_ {
        (0..self.rows.len()).map(|index| Item {
            batch: self.clone(),
            index,
        })
    }

    /// The row at `index`, as an [`Item`].
    pub fn item(self: &Arc<Self>, index: usize) -> Item<M> {
        Item {
            batch: self.clone(),
            index,
        }
    }

    /// The relation called `name` of every row, loaded by `load` the first time anyone asks. A
    /// load that fails is tried again by the next caller.
    pub async fn relation<'a, V, F, Fut>(&'a self, name: &str, load: F) -> Result<Arc<V>, DbErr>
    where
        V: Send + Sync + 'static,
        F: FnOnce(&'a [M]) -> Fut,
        Fut: Future<Output = Result<V, DbErr>> + 'a,
    {
        let cell = {
            // The map only ever gains cells: one poisoned by a panic elsewhere is still whole.
            let mut relations = self
                .relations
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            relations.entry(name.to_owned()).or_default().clone()
        };
        let value = cell
            .get_or_try_init(|| async {
                Ok::<_, DbErr>(Arc::new(load(&self.rows).await?) as Arc<dyn Any + Send + Sync>)
            })
            .await?;
        value
            .clone()
            .downcast::<V>()
            .map_err(|_| DbErr::Custom(format!("relation `{name}` was loaded with another type")))
    }
}

impl<M: Keyed + Send + Sync + 'static> Batch<M> {
    /// The primary keys of the rows.
    pub fn keys(&self) -> Vec<i64> {
        self.rows.iter().map(Keyed::key).collect()
    }
}

/// One row of a batch: what a GraphQL object wraps. Dereferences to the row.
pub struct Item<M> {
    batch: Arc<Batch<M>>,
    index: usize,
}

impl<M> Clone for Item<M> {
    fn clone(&self) -> Self {
        Self {
            batch: self.batch.clone(),
            index: self.index,
        }
    }
}

impl<M> Deref for Item<M> {
    type Target = M;

    fn deref(&self) -> &M {
        &self.batch.rows[self.index]
    }
}

impl<M: Send + Sync + 'static> Item<M> {
    /// A row fetched on its own.
    pub fn one(row: M) -> Self {
        Self {
            batch: Batch::new(vec![row]),
            index: 0,
        }
    }

    /// The batch the row came in.
    pub fn batch(&self) -> &Arc<Batch<M>> {
        &self.batch
    }
}

/// Rows loaded for a batch's relation, in a batch of their own, found by primary key.
pub struct ByKey<M> {
    batch: Arc<Batch<M>>,
    index: HashMap<i64, usize>,
}

impl<M: Keyed + Send + Sync + 'static> ByKey<M> {
    /// `rows`, found by their primary keys.
    pub fn new(rows: Vec<M>) -> Self {
        let index = rows
            .iter()
            .enumerate()
            .map(|(i, row)| (row.key(), i))
            .collect();
        Self {
            batch: Batch::new(rows),
            index,
        }
    }

    /// The row with primary key `key`, if it was loaded.
    pub fn get(&self, key: i64) -> Option<Item<M>> {
        self.index.get(&key).map(|&index| Item {
            batch: self.batch.clone(),
            index,
        })
    }
}

/// The children of every parent in a batch: each parent's list of `(link, child)`, where the
/// children of all parents share one batch.
pub struct Children<L, M> {
    batch: Arc<Batch<M>>,
    by_parent: HashMap<i64, Vec<(L, usize)>>,
}

impl<L: Clone, M: Send + Sync + 'static> Children<L, M> {
    /// Runs `select` (a link table joined to its child table, as `find_also_related` builds it),
    /// listing the link's [`LinkRow::COLUMNS`] then the child's columns but the `unread` ones,
    /// prefixed `B_`, groups its rows by the parent `parent` reads from each link, and sorts
    /// each parent's children with `order`.
    ///
    /// The sort is done here, not by an `ORDER BY`: the database would sort every row of the
    /// batch before sending the first (on PostgreSQL, for the 382 links of a page of 50
    /// vacancies, 513 µs of backend CPU with the `ORDER BY`, 333 µs without), where each parent's
    /// handful of children sorts here in well under a microsecond. Rust compares strings by
    /// bytes, as SQLite does, so the order no longer depends on PostgreSQL's collation either.
    ///
    /// A child reached from several parents is decoded and held once: rows are read by the
    /// child's `id` first, and the rest of its columns only the first time that id appears (a
    /// page of 50 vacancies names about 100 distinct skills in 380 links; decoding every row's
    /// skill in full was a tenth of such a request). Rows without a child (the join found none)
    /// are skipped.
    pub async fn load<LE, ME>(
        db: &impl ConnectionTrait,
        select: SelectTwo<LE, ME>,
        unread: &Unread<ME>,
        parent: impl Fn(&L) -> i64,
        order: impl Fn((&L, &M), (&L, &M)) -> Ordering,
    ) -> Result<Self, DbErr>
    where
        LE: EntityTrait<Model = L>,
        ME: EntityTrait<Model = M>,
        L: LinkRow,
        M: PartialRow<ME>,
    {
        let backend = db.get_database_backend();
        let mut select = select.into_query();
        unread.apply_joined::<LE>(&mut select);
        let rows = db.query_all_raw(backend.build(&select)).await?;
        // The child's id, by position: its columns follow the link's.
        let child_id = unread
            .position("id", L::COLUMNS.len())
            .ok_or_else(|| DbErr::Custom("a child is listed without its id".to_owned()))?;
        let mut children = Vec::new();
        let mut seen: HashMap<i64, usize> = HashMap::new();
        let mut by_parent: HashMap<i64, Vec<(L, usize)>> = HashMap::new();
        for row in rows {
            let link = L::decode(&row)?;
            let Some(key) = row.try_get_by_index::<Option<i64>>(child_id)? else {
                continue;
            };
            let index = match seen.entry(key) {
                Entry::Occupied(entry) => *entry.get(),
                Entry::Vacant(entry) => {
                    children.push(unread.decode(&row, L::COLUMNS.len())?);
                    *entry.insert(children.len() - 1)
                }
            };
            by_parent
                .entry(parent(&link))
                .or_default()
                .push((link, index));
        }
        for links in by_parent.values_mut() {
            links.sort_by(|(a, i), (b, j)| order((a, &children[*i]), (b, &children[*j])));
        }
        Ok(Self {
            batch: Batch::new(children),
            by_parent,
        })
    }

    /// The `(link, child)` list of `parent`.
    pub fn of(&self, parent: i64) -> Vec<(L, Item<M>)> {
        self.by_parent
            .get(&parent)
            .map(|children| {
                children
                    .iter()
                    .map(|(link, index)| {
                        (
                            link.clone(),
                            Item {
                                batch: self.batch.clone(),
                                index: *index,
                            },
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The rows of `E` with these primary keys, in no particular order.
pub async fn find_by_ids<E>(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: PartialRow<E>,
{
    find_by_ids_without(db, ids, &Unread::<E>::none()).await
}

/// The rows of `E` with these primary keys, in no particular order, without the `unread` columns.
pub async fn find_by_ids_without<E>(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
    unread: &Unread<E>,
) -> Result<Vec<E::Model>, DbErr>
where
    E: EntityTrait,
    E::Model: PartialRow<E>,
{
    let Some(key) = E::PrimaryKey::iter().next() else {
        return Ok(Vec::new());
    };
    let backend = db.get_database_backend();
    let mut select = E::find().filter(key.into_column().is_in(ids)).into_query();
    unread.apply(&mut select);
    db.query_all_raw(backend.build(&select))
        .await?
        .iter()
        .map(|row| unread.decode(row, 0))
        .collect()
}
