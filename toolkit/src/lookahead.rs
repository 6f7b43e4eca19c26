//! What a selection reads, for the data layer: the columns of an entity that no field of a
//! selection asks for ([`UnreadOf`]), so a list's statement leaves them out
//! (docs/decisions/0002-long-columns.md).

use async_graphql::{Context, Lookahead};
use dbkit::columns::{FieldColumns, Unread};

/// The selections of the nodes of `connection`: through `nodes` and through `edges { node }`.
pub fn nodes<'a>(connection: &Lookahead<'a>) -> [Lookahead<'a>; 2] {
    [
        connection.field("nodes"),
        connection.field("edges").field("node"),
    ]
}

/// The columns of an entity that a GraphQL selection does not read.
pub trait UnreadOf: Sized {
    /// The columns that the nodes of the connection being resolved do not read, whether
    /// they are asked for through `nodes` or `edges { node }`, directly or in fragments (a field
    /// in a fragment on another type counts as read: fetching too much is only slower).
    fn of(ctx: &Context<'_>) -> Self {
        Self::of_objects(&nodes(&ctx.look_ahead()))
    }

    /// The columns that `object`, the selection of a single object (say a vacancy's
    /// `employer`, or the `skill` of its skill links), does not read.
    fn of_object(object: Lookahead<'_>) -> Self {
        Self::of_objects(&[object])
    }

    /// The columns that none of `selections`, each the selection of an object, reads.
    fn of_objects(selections: &[Lookahead<'_>]) -> Self;
}

impl<E: FieldColumns> UnreadOf for Unread<E> {
    fn of_objects(selections: &[Lookahead<'_>]) -> Self {
        Unread::unless_read(|field| selections.iter().any(|object| object.field(field).exists()))
    }
}
