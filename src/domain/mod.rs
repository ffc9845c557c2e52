//! The domain: records, ids, states, policy and the guarded workflow. Pure code, no I/O.

pub mod acceptance;
pub mod action;
pub mod checklist;
pub mod gate;
pub mod id;
pub mod merge;
pub mod permitted;
pub mod policy;
pub mod record;
pub mod state;
pub mod triage;
pub mod workflow;

pub use id::ClaimId;
pub use policy::Policy;
pub use record::Record;
pub use state::State;
