//! Columns a selection does not read are left out of the statement that fetches its rows.
//!
//! PostgreSQL spends much of its time on a page of 50 vacancies with their employers and skills
//! writing out values: 7,450 of them for op 2 of the benchmark when every column was listed, a
//! third of a microsecond of its CPU each, about as much for a constant placeholder as for the
//! column itself; then the server decoded each one (bench/NOTES.md, "Columns a selection reads").
//! A screen listing titles never shows the descriptions (40 KB a page), the audit times or the
//! categories it was sent (docs/decisions/0002-long-columns.md).
//!
//! Each entity declares, with [`model_row!`](crate::model_row), its columns in order and, for the
//! columns only some fields read, those fields by their API names ([`FieldColumns`]); every other
//! column (keys, and whatever access rules, cursors, scores or other code read from a row) is
//! always fetched. The GraphQL side looks ahead at a selection and builds an [`Unread`] of the
//! columns none of whose fields it asks for ([`Unread::unless_read`]); the statement leaves them
//! out and the row is decoded by position ([`PartialRow`]), each column left out holding an
//! [`Absent`] value. Such a value never reaches a client: only the fields named read the column,
//! and none of them was asked for on these rows.

use std::{fmt, marker::PhantomData};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DbErr, EntityTrait, IdenStatic, Iterable, QueryResult, SelectA, SelectB,
    sea_query::{Alias, SelectStatement},
};

use crate::batch::LinkRow;

/// The columns of an entity that only some fields read, each with those fields. Implemented by
/// [`model_row!`](crate::model_row).
pub trait FieldColumns: EntityTrait {
    /// `(column, fields that read it)`: the column is fetched only for a selection that asks for
    /// at least one of the fields (named as in the API: `countryCode`).
    const READ_BY: &'static [(&'static str, &'static [&'static str])];
}

/// A model read by position from a statement listing its columns in the entity's order, without
/// the ones an [`Unread`] leaves out. Implemented by [`model_row!`](crate::model_row).
pub trait PartialRow<E: EntityTrait>: Sized {
    /// Every column, in the entity's order.
    const COLUMNS: &'static [&'static str];

    /// The model in `row`'s columns from position `first` on, without the `unread` ones.
    fn decode(row: &QueryResult, first: usize, unread: &Unread<E>) -> Result<Self, DbErr>;
}

/// The value a model holds for a column its statement left out.
pub trait Absent {
    /// That value: empty, zero, the epoch or none.
    fn absent() -> Self;
}

macro_rules! absent {
    ($($ty:ty => $value:expr),* $(,)?) => {
        $(impl Absent for $ty {
            fn absent() -> Self {
                $value
            }
        })*
    };
}

absent! {
    String => String::new(),
    bool => false,
    i16 => 0,
    i32 => 0,
    i64 => 0,
    DateTime<Utc> => DateTime::<Utc>::UNIX_EPOCH,
}

impl<T> Absent for Option<T> {
    fn absent() -> Self {
        None
    }
}

/// Implements [`FieldColumns`] and [`PartialRow`] for the entity of the module it is called in:
/// every field of its `Model` in the entity's column order (a test next to the entities checks the
/// order), each column that only some fields read followed by `by [those fields]`:
///
/// ```ignore
/// dbkit::model_row! { id, title by ["title"], status }
/// ```
///
/// A field followed by `by` needs an [`Absent`] value.
#[macro_export]
macro_rules! model_row {
    ($($field:ident $(by $readers:tt)?),* $(,)?) => {
        impl $crate::columns::FieldColumns for Entity {
            const READ_BY: &'static [(&'static str, &'static [&'static str])] = &[
                $($((stringify!($field), &$readers),)?)*
            ];
        }

        impl $crate::columns::PartialRow<Entity> for Model {
            const COLUMNS: &'static [&'static str] = &[$(stringify!($field)),*];

            fn decode(
                row: &sea_orm::QueryResult,
                first: usize,
                unread: &$crate::columns::Unread<Entity>,
            ) -> Result<Self, sea_orm::DbErr> {
                // The entity's column each field is (0, 1, 2, ...), and the statement's position
                // of the next column it lists.
                let mut column = 0;
                let mut position = first;
                Ok(Self {
                    $($field: $crate::__model_field!(
                        row, unread, column, position $(, by $readers)?
                    ),)*
                })
            }
        }
    };
}

/// One field of [`model_row!`]: read from the next position, or [`Absent`] when it may be left
/// out and was.
#[doc(hidden)]
#[macro_export]
macro_rules! __model_field {
    ($row:ident, $unread:ident, $column:ident, $position:ident, by $readers:tt) => {{
        $column += 1;
        if $unread.skips($column - 1) {
            $crate::columns::Absent::absent()
        } else {
            $position += 1;
            $row.try_get_by_index($position - 1)?
        }
    }};
    ($row:ident, $unread:ident, $column:ident, $position:ident) => {{
        $column += 1;
        $position += 1;
        $row.try_get_by_index($position - 1)?
    }};
}

/// The columns of `E` (by their place in the entity's order) that a selection (a list's rows, or
/// a single object) does not read.
pub struct Unread<E> {
    mask: u64,
    entity: PhantomData<fn() -> E>,
}

impl<E> Clone for Unread<E> {
    fn clone(&self) -> Self {
        Self {
            mask: self.mask,
            entity: PhantomData,
        }
    }
}

impl<E: FieldColumns> Unread<E> {
    /// The columns of [`FieldColumns::READ_BY`] none of whose fields `read` says is read.
    pub fn unless_read(read: impl Fn(&str) -> bool) -> Self {
        let mut mask = 0;
        for (place, column) in E::Column::iter().enumerate().take(64) {
            let unread = E::READ_BY.iter().any(|(name, fields)| {
                *name == column.as_str() && !fields.iter().any(|field| read(field))
            });
            if unread {
                mask |= 1 << place;
            }
        }
        Self {
            mask,
            entity: PhantomData,
        }
    }
}

impl<E: EntityTrait> Unread<E> {
    /// Every column read.
    pub fn none() -> Self {
        Self {
            mask: 0,
            entity: PhantomData,
        }
    }

    /// Whether the column at `place` in the entity's order is left out.
    pub fn skips(&self, place: usize) -> bool {
        place < 64 && self.mask & (1 << place) != 0
    }

    /// Rewrites the column list of `select`, which must be `E`'s columns as `E::find()` lists
    /// them, without the unread columns.
    pub fn apply(&self, select: &mut SelectStatement) {
        if self.mask == 0 {
            return;
        }
        select.clear_selects();
        self.select(select, "");
    }

    /// Rewrites the column list of `select`, which must be a link entity `L` joined to `E` as
    /// `L::find().find_also_related(E)` lists them: the link's [`LinkRow::COLUMNS`] prefixed
    /// `A_`, then `E`'s columns but the unread ones, prefixed `B_`.
    pub fn apply_joined<L>(&self, select: &mut SelectStatement)
    where
        L: EntityTrait,
        L::Model: LinkRow,
    {
        select.clear_selects();
        for column in L::Column::iter() {
            if L::Model::COLUMNS.contains(&column.as_str()) {
                select.expr_as(
                    column.select_as(column.into_expr()),
                    Alias::new(format!("{}{}", SelectA.as_str(), column.as_str())),
                );
            }
        }
        self.select(select, SelectB.as_str());
    }

    /// The key of a batch's relation `name` loaded without these columns: relations loaded
    /// without different columns are loaded apart, so that no field reads an absent value.
    /// Asked for by every object of a page, so it writes the set as a number, not by names.
    pub fn key(&self, name: &str) -> String {
        format!("{name} {:x}", self.mask)
    }

    /// The position of `column` among the columns [`Unread::apply`] lists from `first` on, if
    /// it is listed.
    pub fn position(&self, column: &str, first: usize) -> Option<usize> {
        E::Column::iter()
            .enumerate()
            .filter(|(place, _)| !self.skips(*place))
            .position(|(_, listed)| listed.as_str() == column)
            .map(|position| first + position)
    }

    /// The model in `row` from position `first` on, as [`Unread::apply`] or
    /// [`Unread::apply_joined`] listed its columns.
    pub fn decode<M: PartialRow<E>>(&self, row: &QueryResult, first: usize) -> Result<M, DbErr> {
        M::decode(row, first, self)
    }

    /// Appends `E`'s columns but the unread ones to `select`, each under its name prefixed with
    /// `prefix`.
    fn select(&self, select: &mut SelectStatement, prefix: &str) {
        for (place, column) in E::Column::iter().enumerate() {
            if self.skips(place) {
                continue;
            }
            // As `E::find()` selects it (enum columns may be cast), under its own name.
            select.expr_as(
                column.select_as(column.into_expr()),
                Alias::new(format!("{prefix}{}", column.as_str())),
            );
        }
    }
}

impl<E: EntityTrait> fmt::Debug for Unread<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                E::Column::iter()
                    .enumerate()
                    .filter(|(place, _)| self.skips(*place))
                    .map(|(_, column)| column.as_str()),
            )
            .finish()
    }
}
