//! Integration tests: the real server on a random port, each test with a database of its own, on
//! SQLite and (with `TALENT_TEST_POSTGRES_URL`) on PostgreSQL. Laid out as `src/` is: a module per
//! domain, then GraphQL, HTTP and the command line.

mod helpers;
mod world;

mod auth;
mod developer;
mod distance;
mod employer;
mod matching;
mod replicas;
mod salary;
mod skill;
mod vacancy;

mod cli;
mod cross_engine;
mod graphql;
mod http;
