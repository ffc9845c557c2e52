//! The permissions of what the tool creates under `.git`, as `core.sharedRepository` asks.
//!
//! A repository shared by a group (`git init --shared=group`) works only if every file and
//! folder under `.git` stays writable by the group: git makes sure of it with
//! `adjust_shared_perm` after creating each one. A pack, a list or a lock the tool created
//! with the owner's umask alone would lock the rest of the group out of the next write (or
//! of git's next `gc`). This is git's rule, from `path.c` and `setup.c`: pure functions of
//! the setting and a mode, and the one place that applies them to a path.

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Set-group-id: on a folder, files created inside it take the folder's group, as git
/// requires of a shared repository's folders on Linux (`FORCE_DIR_SET_GID`).
const SET_GROUP_ID: u32 = 0o2000;

/// How `core.sharedRepository` asks files under `.git` to be shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sharing {
    /// The umask alone (`umask`, `false`, `0`, or no setting): git's default.
    Umask,
    /// These bits added to what the umask left: `group` (`true`, `1`) is 0660, `all`
    /// (`world`, `everybody`, `2`) 0664.
    Add(u32),
    /// Exactly these bits for owner, group and others (an octal mode such as `0640`).
    Exact(u32),
}

impl Sharing {
    /// The repository's setting.
    pub(crate) fn of(repo: &git2::Repository) -> Sharing {
        let Ok(config) = repo.config() else {
            return Sharing::Umask;
        };
        match config.get_entry("core.sharedRepository") {
            // A key with no value is git's shorthand for true.
            Ok(entry) if !entry.has_value() => Sharing::parse(None),
            Ok(entry) => Sharing::parse(Some(entry.value().unwrap_or(""))),
            Err(_) => Sharing::Umask,
        }
    }

    /// Reads a value of `core.sharedRepository` as git's `git_config_perm` does (`None` is
    /// the key set with no value, which git reads as `group`).
    pub(crate) fn parse(value: Option<&str>) -> Sharing {
        const GROUP: Sharing = Sharing::Add(0o660);
        const EVERYBODY: Sharing = Sharing::Add(0o664);
        let Some(value) = value else {
            return GROUP;
        };
        match value {
            "umask" => return Sharing::Umask,
            "group" => return GROUP,
            "all" | "world" | "everybody" => return EVERYBODY,
            _ => {}
        }
        match u32::from_str_radix(value, 8) {
            Ok(0) => Sharing::Umask,
            Ok(1) => GROUP,
            Ok(2) => EVERYBODY,
            // Git refuses to run at all with a mode that denies the owner reading or
            // writing; the tool then leaves permissions to the umask.
            Ok(mode) if mode & 0o600 != 0o600 => Sharing::Umask,
            // Others never get to write.
            Ok(mode) => Sharing::Exact(mode & 0o666),
            Err(_) => match git_bool(value) {
                Some(true) => GROUP,
                _ => Sharing::Umask,
            },
        }
    }

    /// The permission bits git gives a file or folder (`is_dir`) created with `mode`.
    pub(crate) fn mode(self, mode: u32, is_dir: bool) -> u32 {
        let (mut tweak, exact) = match self {
            Sharing::Umask => return mode,
            Sharing::Add(bits) => (bits, false),
            Sharing::Exact(bits) => (bits, true),
        };
        if mode & 0o200 == 0 {
            tweak &= !0o222;
        }
        if mode & 0o100 != 0 {
            tweak |= (tweak & 0o444) >> 2;
        }
        let mut shared = if exact {
            (mode & !0o777) | tweak
        } else {
            mode | tweak
        };
        if is_dir {
            shared |= (shared & 0o444) >> 2;
            if shared & 0o060 != 0 {
                shared |= SET_GROUP_ID;
            }
        }
        shared
    }

    /// Gives the file or folder at `path`, just created, the permissions git would.
    pub(crate) fn adjust(self, path: &Path) -> io::Result<()> {
        if self == Sharing::Umask {
            return Ok(());
        }
        let metadata = fs::metadata(path)?;
        let old = metadata.permissions().mode() & 0o7777;
        let new = self.mode(old, metadata.is_dir());
        if new != old {
            fs::set_permissions(path, fs::Permissions::from_mode(new))?;
        }
        Ok(())
    }

    /// Creates the folder `dir` and any missing folder above it, each with the permissions
    /// git would give it.
    pub(crate) fn create_dir_all(self, dir: &Path) -> io::Result<()> {
        if dir.is_dir() {
            return Ok(());
        }
        if let Some(parent) = dir.parent() {
            self.create_dir_all(parent)?;
        }
        match fs::create_dir(dir) {
            Ok(()) => self.adjust(dir),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Creates (or truncates) the file at `path` with `contents`, its folder too if missing,
    /// with the permissions git would give them.
    pub(crate) fn create_file(self, path: &Path, contents: &[u8]) -> io::Result<()> {
        if let Some(dir) = path.parent() {
            self.create_dir_all(dir)?;
        }
        fs::write(path, contents)?;
        self.adjust(path)
    }
}

/// Git's reading of a boolean value.
fn git_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" | "" => Some(false),
        _ => value.parse::<i64>().ok().map(|n| n != 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_as_git_reads_them() {
        for (value, expected) in [
            (None, Sharing::Add(0o660)),
            (Some("group"), Sharing::Add(0o660)),
            (Some("true"), Sharing::Add(0o660)),
            (Some("1"), Sharing::Add(0o660)),
            (Some("all"), Sharing::Add(0o664)),
            (Some("world"), Sharing::Add(0o664)),
            (Some("everybody"), Sharing::Add(0o664)),
            (Some("2"), Sharing::Add(0o664)),
            (Some("umask"), Sharing::Umask),
            (Some("false"), Sharing::Umask),
            (Some("0"), Sharing::Umask),
            (Some("0660"), Sharing::Exact(0o660)),
            (Some("0640"), Sharing::Exact(0o640)),
            (Some("0777"), Sharing::Exact(0o666)),
            (Some("0400"), Sharing::Umask),
            (Some("nonsense"), Sharing::Umask),
        ] {
            assert_eq!(Sharing::parse(value), expected, "{value:?}");
        }
    }

    /// The modes git itself gives, from its own test of shared repositories (t1301) and
    /// `adjust_shared_perm`: files created 0644 or 0444 under umask 022, folders 0755.
    #[test]
    fn modes_are_those_git_gives() {
        let group = Sharing::Add(0o660);
        let everybody = Sharing::Add(0o664);
        let exact = Sharing::Exact(0o640);
        for (sharing, mode, is_dir, expected) in [
            (Sharing::Umask, 0o644, false, 0o644),
            (group, 0o644, false, 0o664),
            (group, 0o600, false, 0o660),
            // A read-only file (a pack) gains read, never write.
            (group, 0o444, false, 0o444),
            (group, 0o400, false, 0o440),
            (group, 0o755, true, 0o2775),
            (group, 0o700, true, 0o2770),
            (everybody, 0o600, false, 0o664),
            (everybody, 0o700, true, 0o2775),
            // An exact mode replaces the bits, whatever the umask left.
            (exact, 0o666, false, 0o640),
            (exact, 0o444, false, 0o440),
            (exact, 0o755, true, 0o2750),
            (Sharing::Exact(0o600), 0o755, true, 0o700),
        ] {
            assert_eq!(
                sharing.mode(mode, is_dir),
                expected,
                "{sharing:?} {mode:o} dir={is_dir}"
            );
        }
    }
}
