//! The skill domain: its queries and its mutations.

mod mutations;
mod queries;
