//! Authentication and roles: who may read and write what, tokens, and the token CLI.

mod cli;
mod matrix;
mod reads;
mod tokens;
