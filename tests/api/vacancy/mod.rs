//! The vacancy domain: its queries and its mutations.

mod jobs;
mod mutations;
mod queries;
