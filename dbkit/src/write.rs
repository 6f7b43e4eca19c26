//! Writes shared by every domain: compare-and-set updates and versioned deletes.
//!
//! Every mutable table has `id`, `version` and `updated_at` ([`Versioned`]). An update sets the
//! fields its `ActiveModel` has `Set` (so a misspelt column does not compile), increments `version`
//! and stamps `updated_at` in one statement that only matches the row at the expected version, so
//! of two concurrent writers with the same expected version exactly one wins. These functions run
//! on whatever connection they are given: the caller opens the transaction, so writes compose.

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

/// A table written with optimistic concurrency: each entity names its key, version and
/// last-change columns.
pub trait Versioned: EntityTrait {
    /// The primary key, `id`.
    const ID: Self::Column;
    /// Incremented on every change.
    const VERSION: Self::Column;
    /// Stamped on every change.
    const UPDATED_AT: Self::Column;
}

/// The outcome of a write to an existing row.
#[derive(Debug)]
pub enum Written<T> {
    /// Done.
    Done(T),
    /// No row has that id.
    NotFound,
    /// The row is at version `current`, not at the expected one; nothing was written.
    Stale { current: i32 },
}

/// The outcome of a write with a condition besides the version.
#[derive(Debug)]
pub enum Guarded<T> {
    /// Written, missing or stale, as an unconditional write.
    Written(Written<T>),
    /// The row is at the expected version but does not meet the condition (e.g. a state it
    /// cannot leave); nothing was written.
    Refused,
}

/// Why a write matched no row: the row is missing, or at another version.
pub async fn missed<E: Versioned, T>(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Written<T>, DbErr> {
    let version: Option<i32> = E::find()
        .select_only()
        .column(E::VERSION)
        .filter(E::ID.eq(id))
        .into_tuple()
        .one(db)
        .await?;
    Ok(match version {
        Some(current) => Written::Stale { current },
        None => Written::NotFound,
    })
}

/// Sets the `Set` fields of `changes` on row `id` of `E` if it is at `expected` (any version when
/// `None`) and meets `condition`, increments its version and stamps `updated_at`, in one
/// statement. Whether a row was changed.
async fn set<E: Versioned>(
    db: &impl ConnectionTrait,
    id: i64,
    expected: Option<i32>,
    condition: Condition,
    changes: E::ActiveModel,
) -> Result<bool, DbErr> {
    let mut update = E::update_many()
        .set(changes)
        .col_expr(E::VERSION, Expr::col(E::VERSION).add(1))
        .col_expr(E::UPDATED_AT, Expr::value(chrono::Utc::now()))
        .filter(E::ID.eq(id))
        .filter(condition);
    if let Some(expected) = expected {
        update = update.filter(E::VERSION.eq(expected));
    }
    Ok(update.exec(db).await?.rows_affected > 0)
}

/// Row `id` of `E`, read back after a write.
async fn read_back<E: Versioned>(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Written<E::Model>, DbErr> {
    let row = E::find().filter(E::ID.eq(id)).one(db).await?;
    Ok(row.map_or(Written::NotFound, Written::Done))
}

/// Sets the `Set` fields of `changes` on row `id` of `E` if it is at `expected` (any version when
/// `None`), increments its version and stamps `updated_at`; then reads the row back. Run it first
/// in a write transaction.
pub async fn update<E: Versioned>(
    db: &impl ConnectionTrait,
    id: i64,
    expected: Option<i32>,
    changes: E::ActiveModel,
) -> Result<Written<E::Model>, DbErr> {
    if set::<E>(db, id, expected, Condition::all(), changes).await? {
        read_back::<E>(db, id).await
    } else {
        missed::<E, _>(db, id).await
    }
}

/// [`update`], only if the row also meets `condition`; a row at the right version that does not
/// is [`Guarded::Refused`].
pub async fn update_where<E: Versioned>(
    db: &impl ConnectionTrait,
    id: i64,
    expected: Option<i32>,
    condition: Condition,
    changes: E::ActiveModel,
) -> Result<Guarded<E::Model>, DbErr> {
    if set::<E>(db, id, expected, condition, changes).await? {
        return Ok(Guarded::Written(read_back::<E>(db, id).await?));
    }
    Ok(match missed::<E, _>(db, id).await? {
        Written::Stale { current } if expected.is_none_or(|expected| expected == current) => {
            Guarded::Refused
        }
        other => Guarded::Written(other),
    })
}

/// Deletes row `id` of `E` if it is at `expected` (any version when `None`). Run it first in a
/// write transaction.
pub async fn delete<E: Versioned>(
    db: &impl ConnectionTrait,
    id: i64,
    expected: Option<i32>,
) -> Result<Written<()>, DbErr> {
    let mut delete = E::delete_many().filter(E::ID.eq(id));
    if let Some(expected) = expected {
        delete = delete.filter(E::VERSION.eq(expected));
    }
    if delete.exec(db).await?.rows_affected == 0 {
        return missed::<E, _>(db, id).await;
    }
    Ok(Written::Done(()))
}

/// What a write in a transaction came to: whether the transaction is to be committed.
pub trait Outcome {
    /// Whether the write happened (commit), rather than found nothing to do (roll back).
    fn done(&self) -> bool;
}

impl<T> Outcome for Written<T> {
    fn done(&self) -> bool {
        matches!(self, Self::Done(_))
    }
}

impl<T> Outcome for Guarded<T> {
    fn done(&self) -> bool {
        matches!(self, Self::Written(Written::Done(_)))
    }
}

/// An insert that found nothing to insert into (`None`, say a missing parent) is rolled back.
impl<T> Outcome for Option<T> {
    fn done(&self) -> bool {
        self.is_some()
    }
}

/// A write refused for a reason of the domain's (`Err`) is rolled back.
impl<T, E> Outcome for Result<T, E> {
    fn done(&self) -> bool {
        self.is_ok()
    }
}

/// Commits `txn` when `outcome` is done, rolls it back otherwise: the end of a write transaction.
pub async fn settle<T: Outcome>(txn: sea_orm::DatabaseTransaction, outcome: T) -> Result<T, DbErr> {
    if outcome.done() {
        txn.commit().await?;
    } else {
        txn.rollback().await?;
    }
    Ok(outcome)
}
