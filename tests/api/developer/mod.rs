//! The developer domain: its queries and its mutations.

mod import;
mod import_fuzz;
mod mutations;
mod queries;
mod resume;
