use std::path::{Path, PathBuf};

use crate::audit;
use crate::store::{HookWithoutCheck, RECORDS_DIR, Recovery, Store, UnguardedCommits, WrittenBack};
use crate::ui::Ui;

use super::{CommandError, CommandErrorKind, Globals};

/// What a pre-commit hook of someone else's needs: refuse the commit on claims' "no" (exit 1)
/// only, as the hook `claims init` writes does.
pub(super) const HOOK_LINE: &str = "claims doctor --index-only || [ $? -ne 1 ] || exit 1";

/// Find and repair what an interrupted command left behind
///
/// Finishes or undoes a change that a crash, a kill, a full disk or a power cut interrupted
/// (the next command that changes a record does this too), releasing git's index lock when
/// the change's journal proves the lock is that change's, and removes temporary files a write
/// left in records/. Reports what needs a person, with the command that fixes it: a lock git
/// left behind (index.lock, HEAD.lock, a branch's .lock, packed-refs.lock, config.lock), an
/// interrupted change that belongs to another worktree, record files that do not parse,
/// uncommitted changes to records. It notes a clone whose pre-commit hook is missing or does
/// not run the check below. Exits 0 when the repository is sound (after any repair),
/// 1 when something needs you.
///
/// It also stages again, as the branch has it, a record that a `git commit` beside a claims
/// write wrote back into git's index as it was before that write (git reads the index before
/// it locks it, and writes back what it read even when its commit then fails); committing
/// that index would undo the write. The pre-commit hook `claims init` installs runs
/// --index-only before every commit: it refuses such a commit (exit 1) and changes nothing.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  claims doctor\n  claims doctor --index-only    # what the pre-commit hook runs"
)]
pub struct Args {
    /// Only check the index git is about to commit, and refuse (exit 1) one in which a `git
    /// commit` wrote back an earlier version of a record, changing nothing; what the
    /// pre-commit hook installed by `claims init` runs
    #[arg(long)]
    pub index_only: bool,
}

pub fn run(args: Args, _globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = Store::open(Path::new("."))?;
    if args.index_only {
        return check_for_commit(&store).inspect_err(|error| {
            if error.kind != CommandErrorKind::Refused {
                ui.warn(
                    "claims could not check the index for this commit, which goes through \
                     unchecked; why:",
                );
            }
        });
    }
    let writer = store.writer()?;
    let mut needs_you = 0;
    match &writer.recovery {
        Recovery::Clean => writeln!(ui.out(), "ok: no interrupted change")?,
        Recovery::RolledBack { paths } => writeln!(
            ui.out(),
            "repaired: an interrupted change had not been committed; put back {}",
            paths.join(", ")
        )?,
        Recovery::RolledForward { paths, kept } => {
            writeln!(
                ui.out(),
                "repaired: an interrupted change was committed; refreshed git's index for {}",
                paths.join(", ")
            )?;
            for path in kept {
                writeln!(
                    ui.out(),
                    "kept: {path} was changed after the interrupted change; `git diff {path}` shows the change against the commit"
                )?;
            }
        }
        Recovery::LeftAlone { reason } => {
            needs_you += 1;
            writeln!(
                ui.out(),
                "needs you: an interrupted change could not be repaired: {reason}; compare `git status` with `git log -1`"
            )?;
        }
    }
    let restaged_entries = store.restage_written_back()?;
    // An extract's write-back restages thousands: the first few name what happened.
    const NAMED: usize = 10;
    for entry in restaged_entries.iter().take(NAMED) {
        writeln!(ui.out(), "repaired: {}", restaged(&entry.path))?;
    }
    if restaged_entries.len() > NAMED {
        writeln!(
            ui.out(),
            "repaired: {} more records staged as the branch has them again, for the same reason",
            restaged_entries.len() - NAMED
        )?;
    }
    let removed = remove_temporary_files(&store.root().join(RECORDS_DIR));
    if removed > 0 {
        writeln!(
            ui.out(),
            "repaired: removed {removed} temporary file(s) an interrupted write left in records/"
        )?;
    }
    let foreign_journals = store.foreign_journals();
    for foreign in &foreign_journals {
        needs_you += 1;
        let branch = foreign
            .branch
            .strip_prefix("refs/heads/")
            .unwrap_or(&foreign.branch);
        let held = match &foreign.branch_lock {
            Some(lock) => format!(
                " (its lock {} keeps every commit off {branch} until then)",
                shown(&store, lock)
            ),
            None => String::new(),
        };
        let place = match &foreign.worktree {
            Some(worktree) => format!("in {}", shown(&store, worktree)),
            None => format!("in the worktree of {branch} (`git worktree list` shows it)"),
        };
        writeln!(
            ui.out(),
            "needs you: {} holds an interrupted change on branch {branch}, for its worktree to \
             repair; run `claims doctor` {place}, which repairs it{held}",
            shown(&store, &foreign.file),
        )?;
    }
    let journalled_locks: Vec<&PathBuf> = foreign_journals
        .iter()
        .filter_map(|foreign| foreign.branch_lock.as_ref())
        .collect();
    for (lock, blocks) in leftover_locks(&store) {
        if journalled_locks.contains(&&lock) {
            continue;
        }
        needs_you += 1;
        writeln!(
            ui.out(),
            "needs you: {} is a lock left by a git command that was killed, or one still \
             running; while it exists {blocks}. If no git command is running, remove it: rm {}",
            shown(&store, &lock),
            shown(&store, &lock)
        )?;
    }
    // Advice, not damage: a clone without the hook is sound, its commits unguarded.
    match store.unguarded_commits()? {
        None => {}
        Some(UnguardedCommits::NoHook) => writeln!(
            ui.out(),
            "note: this clone has no pre-commit hook, so a `git commit` retried beside a claims \
             write could undo the write; `claims init` installs it"
        )?,
        Some(UnguardedCommits::EarlierHook(path)) => writeln!(
            ui.out(),
            "note: {} is the pre-commit hook of an earlier claims; `claims init` replaces it",
            shown(&store, &path)
        )?,
        Some(UnguardedCommits::HookWithoutCheck { path, why }) => {
            let (is, fix) = match why {
                HookWithoutCheck::Absent => {
                    ("is absent", format!("write it with the line `{HOOK_LINE}`"))
                }
                HookWithoutCheck::NotExecutable => (
                    "is not executable, so git skips it",
                    format!("chmod +x {}", shown(&store, &path)),
                ),
                HookWithoutCheck::NoCheck => (
                    "does not run claims",
                    format!("add the line `{HOOK_LINE}` to it"),
                ),
            };
            writeln!(
                ui.out(),
                "note: the pre-commit hook {} {is}, so a `git commit` retried beside a claims \
                 write could undo the write; {fix}",
                shown(&store, &path)
            )?
        }
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
        Err(CommandError::answered(CommandErrorKind::Refused))
    }
}

fn restaged(path: &str) -> String {
    format!(
        "staged {path} as the branch has it again: a `git commit` beside a claims write had \
         written back an earlier version, and committing it would have undone the write"
    )
}

/// The pre-commit hook's part: refuses a commit of an index in which a `git commit` beside a
/// claims write wrote back an earlier version of a record (committing it would undo the
/// write), and one made while a claims write is interrupted (it would commit the write half
/// done). It changes nothing: `claims doctor` repairs, and a change made to the index on
/// purpose is committed with `git commit --no-verify`. The index checked is the one git is
/// about to commit (`GIT_INDEX_FILE`: with -a, -i or -p a copy under git's lock). Exit 1 is
/// the refusal; the hook lets any other failure through, so a check that cannot run never
/// stops a commit.
fn check_for_commit(store: &Store) -> Result<(), CommandError> {
    if store.interrupted_write() {
        return Err(CommandError::refused(
            "an interrupted claims write is not finished; committing now would commit it \
             half done",
        )
        .with_hint("run `claims doctor`, which finishes or undoes it, then commit again"));
    }
    let committed = std::env::var_os("GIT_INDEX_FILE").map(std::path::PathBuf::from);
    let index = committed
        .as_deref()
        .filter(|path| !store.is_index_file(path));
    let found = store.written_back_entries(index)?;
    if found.is_empty() {
        return Ok(());
    }
    Err(CommandError::refused(format!(
        "git's index {}; committing it would undo what claims committed",
        written_back_summary(&found)
    ))
    .with_hint(
        "a `git commit` run beside a claims write writes back the index it read before the \
         write; run `claims doctor`, which stages the branch's version again, then commit again",
    )
    .with_hint("if you changed the index on purpose, commit with: git commit --no-verify"))
}

/// The lock files git takes for a moment and leaves behind only when killed, each with what it
/// blocks while it stays. The writers' lock is held here, so none is a claims write's.
fn leftover_locks(store: &Store) -> Vec<(PathBuf, String)> {
    let (own, common) = (store.git_dir(), store.common_dir());
    let mut locks = vec![
        (
            own.join("index.lock"),
            "`git add`, `git commit` and every claims change fail".to_string(),
        ),
        (
            own.join("HEAD.lock"),
            "`git commit`, `git switch` and every claims change fail".to_string(),
        ),
        (
            common.join("packed-refs.lock"),
            "git cannot delete, rename or pack branches and tags".to_string(),
        ),
        (
            common.join("config.lock"),
            "`git config` cannot change the repository's configuration".to_string(),
        ),
    ];
    let mut refs = Vec::new();
    find_ref_locks(&common.join("refs"), "refs", &mut refs);
    refs.sort();
    locks.extend(refs.into_iter().map(|(path, name)| {
        let blocks = format!("no commit can move {name}: git commit and claims changes there fail");
        (path, blocks)
    }));
    locks.retain(|(path, _)| path.exists());
    locks
}

/// The `NAME.lock` files under `dir` (the folder of refs named `prefix`), as the lock and the
/// ref it locks.
fn find_ref_locks(dir: &Path, prefix: &str, found: &mut Vec<(PathBuf, String)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            find_ref_locks(&path, &format!("{prefix}/{name}"), found);
        } else if let Some(locked) = name.strip_suffix(".lock") {
            found.push((path, format!("{prefix}/{locked}")));
        }
    }
}

/// A path as the user can type it from the repository's top: relative when it lies inside.
pub(super) fn shown(store: &Store, path: &Path) -> String {
    let root = store
        .root()
        .canonicalize()
        .unwrap_or(store.root().to_path_buf());
    let path = path
        .parent()
        .and_then(|dir| dir.canonicalize().ok())
        .map_or(path.to_path_buf(), |dir| {
            dir.join(path.file_name().unwrap_or_default())
        });
    path.strip_prefix(&root)
        .unwrap_or(&path)
        .display()
        .to_string()
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

/// What the written-back entries are, in a line: the first few paths of each kind, and how
/// many more (an extract can leave thousands).
fn written_back_summary(found: &[WrittenBack]) -> String {
    const SHOWN: usize = 3;
    let list = |paths: Vec<&str>| {
        let mut text = paths[..paths.len().min(SHOWN)].join(", ");
        if paths.len() > SHOWN {
            text.push_str(&format!(" and {} more", paths.len() - SHOWN));
        }
        text
    };
    let (left_out, earlier): (Vec<&WrittenBack>, Vec<&WrittenBack>) =
        found.iter().partition(|entry| entry.staged.is_none());
    let mut parts = Vec::new();
    if !earlier.is_empty() {
        parts.push(format!(
            "stages an earlier version of {} than the branch, one a commit of claims replaced",
            list(earlier.iter().map(|entry| entry.path.as_str()).collect())
        ));
    }
    if !left_out.is_empty() {
        parts.push(format!(
            "leaves out {}, which a commit of claims added",
            list(left_out.iter().map(|entry| entry.path.as_str()).collect())
        ));
    }
    parts.join(", and ")
}
