//! Where a test build stops a write part-way, to prove that the next command recovers.

/// Test builds (feature `fault-injection`) stop the process at the step of a write named by
/// `CLAIMS_FAULT`, the way a crash or `kill -9` would, to prove the next command recovers.
pub(crate) fn fault_point(step: &str) {
    #[cfg(feature = "fault-injection")]
    if std::env::var_os("CLAIMS_FAULT").is_some_and(|fault| fault == step) {
        std::process::abort();
    }
    #[cfg(not(feature = "fault-injection"))]
    let _ = step;
}
