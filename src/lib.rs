//! `claims`: a fact-checking workflow over claim records kept in a git repository.

pub mod audit;
pub mod checks;
pub mod cli;
pub mod controls;
pub mod domain;
pub mod engine;
pub mod extract;
pub mod publish;
pub mod store;
pub mod text;
pub mod ui;
