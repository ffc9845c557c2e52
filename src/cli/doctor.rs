use std::path::Path;

use crate::audit;
use crate::store::{RECORDS_DIR, Recovery, Store};
use crate::ui::Ui;

use super::{CommandError, EXIT_NO, Globals};

/// Find and repair what an interrupted command left behind
///
/// Finishes or undoes a change that a crash, a kill or a power cut interrupted (the next
/// command that changes a record does this too), removes temporary files a write left in
/// records/, and reports what needs a person: a lock git left behind, record files that do
/// not parse, uncommitted changes to records. Exits 0 when the repository is sound (after any
/// repair), 1 when something needs you.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  claims doctor")]
pub struct Args {}

pub fn run(_args: Args, _globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = Store::open(Path::new("."))?;
    let writer = store.writer()?;
    let mut needs_you = 0;
    match &writer.recovery {
        Recovery::Clean => writeln!(ui.out(), "ok: no interrupted change")?,
        Recovery::RolledBack { paths } => writeln!(
            ui.out(),
            "repaired: an interrupted change had not been committed; put back {}",
            paths.join(", ")
        )?,
        Recovery::RolledForward { paths } => writeln!(
            ui.out(),
            "repaired: an interrupted change was committed; refreshed git's index for {}",
            paths.join(", ")
        )?,
        Recovery::LeftAlone { reason } => {
            needs_you += 1;
            writeln!(
                ui.out(),
                "needs you: an interrupted change could not be repaired: {reason}; compare `git status` with `git log -1`"
            )?;
        }
    }
    let removed = remove_temporary_files(&store.root().join(RECORDS_DIR));
    if removed > 0 {
        writeln!(
            ui.out(),
            "repaired: removed {removed} temporary file(s) an interrupted write left in records/"
        )?;
    }
    let index_lock = store.repository().path().join("index.lock");
    if index_lock.exists() {
        needs_you += 1;
        writeln!(
            ui.out(),
            "needs you: git's index is locked ({}); if no git command is running, remove that file",
            index_lock.display()
        )?;
    }
    for (_, parsed) in store.load_all()? {
        if let Err(error) = parsed {
            needs_you += 1;
            writeln!(
                ui.out(),
                "needs you: {error} (fix it, or restore the committed version: git checkout -- {})",
                error.path
            )?;
        }
    }
    for violation in audit::uncommitted(&store)? {
        needs_you += 1;
        writeln!(
            ui.out(),
            "needs you: {} {} (commit it, or discard it: git checkout -- {})",
            violation.path,
            violation.message,
            violation.path
        )?;
    }
    drop(writer);
    if needs_you == 0 {
        writeln!(ui.out(), "the repository is sound")?;
        Ok(())
    } else {
        Err(CommandError::silent(EXIT_NO))
    }
}

/// Removes the `.NAME.PID.tmp` files an interrupted atomic write leaves; safe because the
/// caller holds the writers' lock, so no write is in progress.
fn remove_temporary_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            removed += remove_temporary_files(&path);
        } else if name.starts_with('.')
            && name.ends_with(".tmp")
            && std::fs::remove_file(&path).is_ok()
        {
            removed += 1;
        }
    }
    removed
}
