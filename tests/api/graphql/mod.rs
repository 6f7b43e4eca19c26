//! GraphQL itself: execution, global IDs, pages, filters, search, input checks, errors and
//! the exported schema.

mod error_walk;
mod errors;
mod execution;
mod field_columns;
mod filters;
mod fuzz;
mod long_columns;
mod nodes;
mod pagination;
mod schema;
mod search;
mod text_inputs;
