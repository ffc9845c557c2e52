//! Integration tests: the real binary in hermetic temporary git repositories (no global git
//! configuration, a fixed identity and a fixed clock).

mod harness;

mod actions;
mod audit;
mod caches;
mod check;
mod commits;
mod edit;
mod errors;
mod export;
mod extract;
#[cfg(feature = "fault-injection")]
mod faults;
mod hostile;
mod housekeeping;
mod input;
mod matching;
mod merge;
mod newsroom;
mod output;
mod plain_git;
mod relate;
mod report;
mod review;
mod workflow;
