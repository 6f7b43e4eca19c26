//! The developer domain: its queries and its mutations.

mod mutations;
mod queries;
mod resume;
