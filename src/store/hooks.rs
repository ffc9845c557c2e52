//! The pre-commit hook a clone gets from `claims init`: before git commits, it refuses an
//! index in which a `git commit` beside a write of the tool wrote back an earlier version of
//! a record (see `index_check`), so that the retry of a `git commit` that failed beside a
//! write never undoes the write.

use std::fs;
use std::path::{Path, PathBuf};

use super::error::StoreError;
use super::repository::Store;

/// The lines that mark a hook as one this tool wrote, this version's first.
const MARKERS: &[&str] = &[
    "# claims: refuse to commit what a git commit beside a claims write wrote back",
    "# claims: stage again what a git commit beside a claims write wrote back",
];

/// The command a pre-commit hook runs to refuse a written-back index.
const CHECK: &str = "doctor --index-only";

/// The hook this tool writes, `{PROGRAM}` standing for the program, shell-quoted.
const SCRIPT: &str = "#!/bin/sh
# claims: refuse to commit what a git commit beside a claims write wrote back
#
# A git commit reads git's index before it locks it. One whose read came just before a
# write of claims writes back the index it read, in which a record is as it was before
# that write, and committing that index would undo the write. This refuses such a
# commit (`claims doctor` repairs the index). It stops a commit only when claims says
# no (exit 1); without claims, or when claims cannot run, it lets the commit through.
claims='{PROGRAM}'
[ -x \"$claims\" ] || claims=$(command -v claims) || exit 0
\"$claims\" doctor --index-only
[ $? -ne 1 ]
";

/// Hooks earlier versions of this tool wrote, replaced by [`SCRIPT`] when found unchanged.
const EARLIER_SCRIPTS: &[&str] = &["#!/bin/sh
# claims: stage again what a git commit beside a claims write wrote back
#
# A git commit reads git's index before it locks it. One whose read came just before a
# write of claims writes back the index it read, in which a record is as it was before
# that write, and committing that index would undo the write. This stages the
# branch's version again first. Without claims it does nothing.
claims='{PROGRAM}'
[ -x \"$claims\" ] || claims=$(command -v claims) || exit 0
exec \"$claims\" doctor --index-only
"];

/// What installing the pre-commit hook did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookInstall {
    /// The hook was written (or rewritten, if it was an older one of this tool's) at this path.
    Installed(PathBuf),
    /// This tool's hook, as it would be written, is there already.
    Current(PathBuf),
    /// A hook of someone else's is there; it was left alone.
    Foreign(PathBuf),
    /// A hook this tool wrote, with lines someone changed or added; it was left alone.
    Edited(PathBuf),
    /// `core.hooksPath` points at hooks this clone shares with others; they were left alone.
    HooksPath(String),
}

/// Why this clone's `git commit`s do not pass through the check of the hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnguardedCommits {
    /// Git runs no pre-commit hook (there is none, or it is not executable) where `claims
    /// init` installs one.
    NoHook,
    /// The hook is one an earlier version of this tool wrote: `claims init` replaces it.
    EarlierHook(PathBuf),
    /// The pre-commit hook at this path, someone else's or `core.hooksPath`'s, does not run
    /// the check.
    HookWithoutCheck {
        path: PathBuf,
        why: HookWithoutCheck,
    },
}

/// Why a pre-commit hook of someone else's does not run the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookWithoutCheck {
    /// `core.hooksPath` names a folder without one.
    Absent,
    /// Git skips a hook that is not executable.
    NotExecutable,
    /// It never calls `claims doctor --index-only`.
    NoCheck,
}

impl Store {
    /// Whether a `git commit` in this clone passes through the written-back check, and if not,
    /// why; `None` when it does, or when the hook cannot be read (this is advice, never a
    /// reason for a command to fail). Reads the hook, never changes it.
    pub fn unguarded_commits(&self) -> Result<Option<UnguardedCommits>, StoreError> {
        let config = self.repo.config()?.snapshot()?;
        let shared = config.get_path("core.hooksPath").ok();
        let path = match &shared {
            Some(dir) => self.root.join(dir).join("pre-commit"),
            None => self.repo.commondir().join("hooks").join("pre-commit"),
        };
        let without_check = |why| UnguardedCommits::HookWithoutCheck {
            path: path.clone(),
            why,
        };
        let script = match fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Some(match shared {
                    Some(_) => without_check(HookWithoutCheck::Absent),
                    None => UnguardedCommits::NoHook,
                }));
            }
            Err(_) => return Ok(None),
        };
        let ours = has_marker(&script) && is_unchanged_script(&script);
        Ok(if !is_executable(&path) {
            Some(match (ours, &shared) {
                (true, None) => UnguardedCommits::NoHook,
                _ => without_check(HookWithoutCheck::NotExecutable),
            })
        } else if ours {
            (!is_current_script(&script)).then(|| UnguardedCommits::EarlierHook(path.clone()))
        } else {
            (!script.contains(CHECK)).then(|| without_check(HookWithoutCheck::NoCheck))
        })
    }

    /// Installs the pre-commit hook that runs `claims doctor --index-only` with the program
    /// at `claims` (or the `claims` on PATH if that is gone), unless the clone has a hook of
    /// its own or takes its hooks from elsewhere.
    pub fn install_pre_commit_hook(&self, claims: &Path) -> Result<HookInstall, StoreError> {
        let config = self.repo.config()?.snapshot()?;
        if let Ok(hooks_path) = config.get_string("core.hooksPath") {
            return Ok(HookInstall::HooksPath(hooks_path));
        }
        let dir = self.repo.commondir().join("hooks");
        let path = dir.join("pre-commit");
        let script = hook_script(claims);
        match fs::read(&path) {
            Ok(existing) if existing == script.as_bytes() && is_executable(&path) => {
                return Ok(HookInstall::Current(path));
            }
            Ok(existing) => {
                let existing = String::from_utf8_lossy(&existing);
                if !has_marker(&existing) {
                    return Ok(HookInstall::Foreign(path));
                }
                if !is_unchanged_script(&existing) {
                    return Ok(HookInstall::Edited(path));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io(&path)(e)),
        }
        self.sharing
            .create_dir_all(&dir)
            .map_err(StoreError::io(&dir))?;
        super::files::write_atomically(&path, script.as_bytes())?;
        set_executable(&path).map_err(StoreError::io(&path))?;
        self.sharing.adjust(&path).map_err(StoreError::io(&path))?;
        Ok(HookInstall::Installed(path))
    }
}

fn hook_script(claims: &Path) -> String {
    let quoted = claims.display().to_string().replace('\'', r"'\''");
    SCRIPT.replace("{PROGRAM}", &quoted)
}

/// Whether `script` is a hook this tool wrote (this version's or an earlier one's, for any
/// program path), as written: one to replace, unlike a hook someone added lines to.
fn is_unchanged_script(script: &str) -> bool {
    as_template(script).is_some_and(|template| {
        std::iter::once(SCRIPT)
            .chain(EARLIER_SCRIPTS.iter().copied())
            .any(|known| known == template)
    })
}

/// Whether `script` is this version's hook, for any program path.
fn is_current_script(script: &str) -> bool {
    as_template(script).is_some_and(|template| template == SCRIPT)
}

/// `script` with its program line as in the templates: `claims='…'` and nothing else on
/// it, the program single-quoted as [`hook_script`] quotes it.
fn as_template(script: &str) -> Option<String> {
    let mut lines: Vec<&str> = script.split_inclusive('\n').collect();
    let program = lines.iter().position(|line| is_program_line(line))?;
    lines[program] = "claims='{PROGRAM}'\n";
    Some(lines.concat())
}

fn is_program_line(line: &str) -> bool {
    let Some(quoted) = line
        .strip_prefix("claims='")
        .and_then(|rest| rest.strip_suffix("'\n"))
    else {
        return false;
    };
    // Inside, a quote appears only as the shell's '\'' (close, escaped quote, reopen).
    !quoted.replace(r"'\''", "").contains('\'')
}

fn has_marker(script: &str) -> bool {
    MARKERS.iter().any(|marker| script.contains(marker))
}

/// Whether git runs the hook at `path`: it ignores one that is not executable.
#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

#[cfg(unix)]
fn set_executable(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mut permissions = fs::metadata(path)?.permissions();
    permissions.set_mode(permissions.mode() | 0o755);
    fs::set_permissions(path, permissions)
}

#[cfg(not(unix))]
fn set_executable(_: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_as_written_for_any_program_is_recognised_and_an_edited_one_is_not() {
        let written = hook_script(Path::new("/opt/it's here/claims"));
        assert!(is_unchanged_script(&written));
        let earlier = EARLIER_SCRIPTS[0].replace("{PROGRAM}", "/usr/bin/claims");
        assert!(is_unchanged_script(&earlier));
        let edited = format!("{written}./run-linters\n");
        assert!(!is_unchanged_script(&edited));
        let without_program = written.replace("claims='", "program='");
        assert!(!is_unchanged_script(&without_program));
    }

    #[test]
    fn the_script_quotes_the_program_for_the_shell() {
        let script = hook_script(Path::new("/opt/it's here/claims"));
        assert!(
            script.contains(r"claims='/opt/it'\''s here/claims'"),
            "{script}"
        );
        assert!(script.starts_with("#!/bin/sh\n"));
        assert!(has_marker(&script));
    }
}
