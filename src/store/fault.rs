//! Where a test build stops a write part-way, to prove that the next command recovers, or
//! holds it there, to prove what git commands run meanwhile can and cannot do.

/// Test builds (feature `fault-injection`) stop the process at the step of a write named by
/// `CLAIMS_FAULT`, the way a crash or `kill -9` would, to prove the next command recovers.
///
/// At the step named by `CLAIMS_PAUSE` they wait instead: they create the file named by
/// `CLAIMS_PAUSE_FILE` and go on once it is removed (or after a minute), so that a test can run
/// git at that exact point of the write.
pub(crate) fn fault_point(step: &str) {
    #[cfg(feature = "fault-injection")]
    {
        if std::env::var_os("CLAIMS_FAULT").is_some_and(|fault| fault == step) {
            std::process::abort();
        }
        if std::env::var_os("CLAIMS_PAUSE").is_some_and(|pause| pause == step) {
            pause_until_released();
        }
    }
    #[cfg(not(feature = "fault-injection"))]
    let _ = step;
}

#[cfg(feature = "fault-injection")]
fn pause_until_released() {
    use std::time::{Duration, Instant};
    let Some(file) = std::env::var_os("CLAIMS_PAUSE_FILE") else {
        return;
    };
    if std::fs::write(&file, b"").is_err() {
        return;
    }
    let start = Instant::now();
    while std::path::Path::new(&file).exists() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
}
