//! Packs the objects the tool writes.
//!
//! A change writes a handful of loose objects: the commit, the trees above the record and the
//! record. At 100,000 claims they weigh about 27 KB, most of it the `records/` tree, which
//! lists 1,024 folders by id; with git's fan-out folders, a change right after a `git gc`
//! adds about 49 KB to `.git`. Git packs loose objects only once there are 6,700 of them, and
//! only when a git command runs. Packed with deltas against one another, a run of changes
//! costs a kilobyte or two each. So once the tool has written `PACK_AFTER` loose objects, it
//! packs them and removes the loose copies, as `git repack -d` would.

use std::fs;
use std::io::Write;

use git2::Oid;

use super::{Store, StoreError};

/// Where the loose objects written since the last pack are listed, one per line:
/// `<id> <c|t|b> <path>` (commit, tree or blob; path for the delta search's grouping).
const LIST: &str = "claims/loose-objects";
/// About fifty changes' worth.
const PACK_AFTER: usize = 256;

/// What kind of object was written, for the order objects go into a pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Written {
    Commit,
    Tree,
    Blob,
}

impl Written {
    fn letter(self) -> char {
        match self {
            Written::Commit => 'c',
            Written::Tree => 't',
            Written::Blob => 'b',
        }
    }

    fn from_letter(letter: &str) -> Option<Written> {
        match letter {
            "c" => Some(Written::Commit),
            "t" => Some(Written::Tree),
            "b" => Some(Written::Blob),
            _ => None,
        }
    }
}

impl Store {
    /// Lists objects a change wrote, for a later pack.
    pub(crate) fn note_written(&self, objects: &[(Oid, Written, &str)]) -> Result<(), StoreError> {
        let path = self.repo.commondir().join(LIST);
        let mut text = String::new();
        for (oid, kind, name) in objects {
            text.push_str(&format!("{oid} {} {name}\n", kind.letter()));
        }
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
        }
        fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut file| file.write_all(text.as_bytes()))
            .map_err(StoreError::io(path))
    }

    /// Packs the listed objects that are still loose, once there are enough of them, and
    /// removes their loose copies. Runs under the writers' lock. A crash part-way leaves
    /// objects both packed and loose, which is harmless, and the list is packed again.
    pub(crate) fn pack_written_if_due(&self) -> Result<(), StoreError> {
        let list = self.repo.commondir().join(LIST);
        let text = match fs::read_to_string(&list) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(StoreError::io(list)(e)),
        };
        if text.lines().count() < PACK_AFTER {
            return Ok(());
        }
        let objects_dir = self.repo.commondir().join("objects");
        let loose_path = |oid: &Oid| {
            let hex = oid.to_string();
            objects_dir.join(&hex[..2]).join(&hex[2..])
        };
        let mut objects: Vec<(Written, usize, Oid, &str)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (order, line) in text.lines().enumerate() {
            let mut fields = line.splitn(3, ' ');
            let (Some(oid), Some(kind), name) = (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let (Ok(oid), Some(kind)) = (Oid::from_str(oid), Written::from_letter(kind)) else {
                continue;
            };
            if seen.insert(oid) && loose_path(&oid).is_file() {
                objects.push((kind, order, oid, name.unwrap_or("")));
            }
        }
        // Commits, then trees, then blobs, each newest first: the order libgit2 asks for.
        objects.sort_by_key(|&(kind, order, _, _)| (kind, std::cmp::Reverse(order)));
        if !objects.is_empty() {
            let mut pack = self.repo.packbuilder()?;
            for (_, _, oid, name) in &objects {
                pack.insert_object(*oid, Some(name))?;
            }
            pack.write(&objects_dir.join("pack"), 0)?;
        }
        fs::write(&list, "").map_err(StoreError::io(&list))?;
        for (_, _, oid, _) in &objects {
            let path = loose_path(oid);
            let _ = fs::remove_file(&path);
            // Like git's prune-packed, leave no empty fan-out folder behind.
            if let Some(dir) = path.parent() {
                let _ = fs::remove_dir(dir);
            }
        }
        Ok(())
    }
}
