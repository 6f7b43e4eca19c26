//! The developer domain: its queries and its mutations.

mod import;
mod mutations;
mod queries;
mod resume;
