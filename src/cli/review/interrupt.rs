//! Ctrl-C, a closed terminal or `kill` during a review: exit with the cursor shown and code
//! 130, but never in the middle of a commit. Every action is committed as soon as it is
//! confirmed, so stopping between commits loses nothing.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use super::{CommandError, CommandErrorKind};
use crate::ui;

/// Held for the whole of each commit; the signal handler takes it before exiting.
static COMMITTING: Mutex<()> = Mutex::new(());

/// How long the handler leaves to a prompt that was interrupted to wind the review up itself
/// (it shows what was done). A signal that finds a prompt still waiting for a key after that
/// came from outside (a closed terminal, `kill`), and the handler ends the process.
const PROMPT_GRACE: Duration = Duration::from_secs(1);

/// Keeps the process alive until the guard is dropped, whatever signal arrives meanwhile.
pub(super) fn hold() -> MutexGuard<'static, ()> {
    COMMITTING.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Handles SIGINT, SIGTERM and SIGHUP for the rest of the process.
pub(super) fn install() -> Result<(), CommandError> {
    ctrlc::set_handler(|| {
        if ui::awaiting_answer() {
            std::thread::sleep(PROMPT_GRACE);
        }
        let _no_commit_in_flight = hold();
        let _ = console::Term::stderr().show_cursor();
        std::process::exit(i32::from(CommandErrorKind::Interrupted.exit_code()));
    })
    .map_err(|e| {
        CommandError::with_message(CommandErrorKind::Internal, "cannot listen for Ctrl-C", e)
    })
}
