//! Integration tests: the real binary in hermetic temporary git repositories (no global git
//! configuration, a fixed identity and a fixed clock).

mod harness;

mod audit;
mod check;
mod commits;
mod errors;
mod export;
mod extract;
#[cfg(feature = "fault-injection")]
mod faults;
mod hostile;
mod matching;
mod merge;
mod output;
mod report;
mod review;
mod workflow;
