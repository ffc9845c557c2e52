//! `claims`: a fact-checking workflow over claim records kept in a git repository.

pub mod domain;
pub mod store;
pub mod engine;
pub mod cli;
pub mod ui;
pub mod checks;
