//! Writes shared by every domain: compare-and-set updates and versioned deletes.
//!
//! Every mutable table has `id`, `version` and `updated_at`. An update sets its changes,
//! increments `version` and stamps `updated_at` in one statement that only matches the row at the
//! expected version, so of two concurrent writers with the same expected version exactly one wins.

use std::str::FromStr;

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Value,
    sea_query::{Expr, ExprTrait},
};

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

/// The column `name` of `E`; every mutable table has `id`, `version` and `updated_at`.
fn column<E: EntityTrait>(name: &str) -> Result<E::Column, DbErr> {
    E::Column::from_str(name).map_err(|_| {
        DbErr::Custom(format!(
            "table {} has no column {name}",
            E::default().table_name()
        ))
    })
}

/// Why a write matched no row: the row is missing, or at another version.
pub async fn missed<E: EntityTrait, T>(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Written<T>, DbErr> {
    let version = E::find()
        .filter(column::<E>("id")?.eq(id))
        .into_json()
        .one(db)
        .await?
        .and_then(|row| row.get("version").and_then(serde_json::Value::as_i64));
    Ok(match version {
        Some(current) => Written::Stale {
            current: i32::try_from(current).unwrap_or(i32::MAX),
        },
        None => Written::NotFound,
    })
}

/// Sets `changes` on row `id` of `E` if it is at `expected` (any version when `None`) and meets
/// `condition`, increments its version and stamps `updated_at`, in one statement. Whether a row
/// was changed.
async fn set<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: i64,
    expected: Option<i32>,
    condition: Condition,
    changes: Vec<(E::Column, Value)>,
) -> Result<bool, DbErr> {
    let version = column::<E>("version")?;
    let mut update = E::update_many()
        .col_expr(version, Expr::col(version).add(1))
        .col_expr(column::<E>("updated_at")?, Expr::value(chrono::Utc::now()))
        .filter(column::<E>("id")?.eq(id))
        .filter(condition);
    if let Some(expected) = expected {
        update = update.filter(version.eq(expected));
    }
    for (column, value) in changes {
        update = update.col_expr(column, Expr::value(value));
    }
    Ok(update.exec(db).await?.rows_affected > 0)
}

/// Row `id` of `E`, read back after a write.
async fn read_back<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Written<E::Model>, DbErr> {
    let row = E::find().filter(column::<E>("id")?.eq(id)).one(db).await?;
    Ok(row.map_or(Written::NotFound, Written::Done))
}

/// Sets `changes` on row `id` of `E` if it is at `expected` (any version when `None`), increments
/// its version and stamps `updated_at`; then reads the row back. Run it first in a write
/// transaction.
pub async fn update<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: i64,
    expected: Option<i32>,
    changes: Vec<(E::Column, Value)>,
) -> Result<Written<E::Model>, DbErr> {
    if set::<E>(db, id, expected, Condition::all(), changes).await? {
        read_back::<E>(db, id).await
    } else {
        missed::<E, _>(db, id).await
    }
}

/// [`update`], only if the row also meets `condition`; a row at the right version that does not
/// is [`Guarded::Refused`].
pub async fn update_where<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: i64,
    expected: Option<i32>,
    condition: Condition,
    changes: Vec<(E::Column, Value)>,
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
pub async fn delete<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: i64,
    expected: Option<i32>,
) -> Result<Written<()>, DbErr> {
    let mut delete = E::delete_many().filter(column::<E>("id")?.eq(id));
    if let Some(expected) = expected {
        delete = delete.filter(column::<E>("version")?.eq(expected));
    }
    if delete.exec(db).await?.rows_affected == 0 {
        return missed::<E, _>(db, id).await;
    }
    Ok(Written::Done(()))
}

/// Commits `txn` when `outcome` is done, rolls it back otherwise.
pub async fn settle<T>(
    txn: sea_orm::DatabaseTransaction,
    outcome: Written<T>,
) -> Result<Written<T>, DbErr> {
    match outcome {
        Written::Done(_) => txn.commit().await?,
        _ => txn.rollback().await?,
    }
    Ok(outcome)
}
