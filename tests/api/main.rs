//! Integration tests: the real server on a random port, each test with a database of its own, on
//! SQLite and (with `TALENT_TEST_POSTGRES_URL`) on PostgreSQL.

mod helpers;

mod auth_matrix;
mod auth_reads;
mod auth_tokens;
mod cli;
mod connections;
mod cross_engine;
mod developer_mutations;
mod developers;
mod employer_mutations;
mod employers;
mod error_walk;
mod errors;
mod execution;
mod filters;
mod fuzz;
mod hostile;
mod http;
mod limits;
mod long_columns;
mod matching;
mod nodes;
mod operations;
mod pagination;
mod salary_insights;
mod schema;
mod search;
mod skill_mutations;
mod skills;
mod subscriptions;
mod text_inputs;
mod token_cli;
mod vacancies;
mod vacancy_mutations;
mod world;
