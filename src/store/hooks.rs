//! The pre-commit hook a clone gets from `claims init`: before git commits, it refuses an
//! index in which a `git commit` beside a write of the tool wrote back an earlier version of
//! a record (see `index_check`), so that the retry of a `git commit` that failed beside a
//! write never undoes the write.

use std::fs;
use std::path::{Path, PathBuf};

use super::{Store, StoreError};

/// The line that marks a hook as the one this tool installs (and may rewrite).
const MARKER: &str =
    "# claims: refuse to commit what a git commit beside a claims write wrote back";

/// What installing the pre-commit hook did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookInstall {
    /// The hook was written (or rewritten, if it was an older one of this tool's) at this path.
    Installed(PathBuf),
    /// This tool's hook, as it would be written, is there already.
    Current(PathBuf),
    /// A hook of someone else's is there; it was left alone.
    Foreign(PathBuf),
    /// `core.hooksPath` points at hooks this clone shares with others; they were left alone.
    HooksPath(String),
}

impl Store {
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
            Ok(existing) if existing == script.as_bytes() => return Ok(HookInstall::Current(path)),
            Ok(existing) if !String::from_utf8_lossy(&existing).contains(MARKER) => {
                return Ok(HookInstall::Foreign(path));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io(&path)(e)),
        }
        self.sharing
            .create_dir_all(&dir)
            .map_err(StoreError::io(&dir))?;
        super::write_atomically(&path, script.as_bytes())?;
        set_executable(&path).map_err(StoreError::io(&path))?;
        self.sharing.adjust(&path).map_err(StoreError::io(&path))?;
        Ok(HookInstall::Installed(path))
    }
}

fn hook_script(claims: &Path) -> String {
    let quoted = claims.display().to_string().replace('\'', r"'\''");
    format!(
        "#!/bin/sh\n\
         {MARKER}\n\
         #\n\
         # A git commit reads git's index before it locks it. One whose read came just before a\n\
         # write of claims writes back the index it read, in which a record is as it was before\n\
         # that write, and committing that index would undo the write. This refuses such a\n\
         # commit (`claims doctor` repairs the index). It stops a commit only when claims says\n\
         # no (exit 1); without claims, or when claims cannot run, it lets the commit through.\n\
         claims='{quoted}'\n\
         [ -x \"$claims\" ] || claims=$(command -v claims) || exit 0\n\
         \"$claims\" doctor --index-only\n\
         [ $? -ne 1 ]\n"
    )
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
    fn the_script_quotes_the_program_for_the_shell() {
        let script = hook_script(Path::new("/opt/it's here/claims"));
        assert!(
            script.contains(r"claims='/opt/it'\''s here/claims'"),
            "{script}"
        );
        assert!(script.starts_with("#!/bin/sh\n"));
        assert!(script.contains(MARKER));
    }
}
