//! Which record files differ from HEAD: the question `git status` answers, asked of
//! `records/` alone. Like git, the index's stat data says which files cannot have changed,
//! and only the others are read; and the index's cached tree of `records/` says whether
//! anything is staged there without comparing 100,000 entries with HEAD.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::Path;

use git2::{ObjectType, Oid};

use super::git_index::{Entry, IndexFile, StatData};
use super::{RECORDS_DIR, Store, StoreError};

/// A file under `records/` whose working-tree or staged version is not HEAD's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Uncommitted {
    pub path: String,
    /// What differs, in git's words: "modified", "staged", "untracked", ...
    pub how: &'static str,
}

impl Store {
    /// Every file under `records/` that `git status` would list, sorted by path.
    pub fn uncommitted_records(&self) -> Result<Vec<Uncommitted>, StoreError> {
        let Some(index) = self.index_file()? else {
            return self.uncommitted_records_by_libgit2();
        };
        let index_path = self.repo.path().join("index");
        let written =
            StatData::of(&fs::metadata(&index_path).map_err(StoreError::io(&index_path))?);
        let prefix = format!("{RECORDS_DIR}/");
        let entries: Vec<Entry<'_>> = index.entries_under(&prefix).collect();
        let mut found = self.staged_records(&index, &entries)?;
        found.extend(self.changed_in_working_tree(&index, &entries, &written)?);
        found.sort();
        found.dedup_by(|a, b| a.path == b.path);
        Ok(found)
    }

    /// Index entries under `records/` that are not HEAD's.
    fn staged_records(
        &self,
        index: &IndexFile,
        entries: &[Entry<'_>],
    ) -> Result<Vec<Uncommitted>, StoreError> {
        let head = match self.repo.head() {
            Ok(head) => Some(head.peel_to_tree()?),
            Err(e) if e.code() == git2::ErrorCode::UnbornBranch => None,
            Err(e) => return Err(e.into()),
        };
        let records = head
            .as_ref()
            .and_then(|tree| tree.get_path(Path::new(RECORDS_DIR)).ok())
            .filter(|entry| entry.kind() == Some(ObjectType::Tree))
            .map(|entry| entry.id());
        // The cached tree is what a commit of the index would hold there.
        if records.is_some() && index.cached_tree(RECORDS_DIR) == records {
            return Ok(Vec::new());
        }
        let mut committed: HashMap<Vec<u8>, Oid> = HashMap::new();
        if let Some(records) = records {
            let tree = self.repo.find_tree(records)?;
            tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
                if entry.kind() == Some(ObjectType::Blob) {
                    let path = format!(
                        "{RECORDS_DIR}/{dir}{}",
                        String::from_utf8_lossy(entry.name_bytes())
                    );
                    committed.insert(path.into_bytes(), entry.id());
                }
                git2::TreeWalkResult::Ok
            })?;
        }
        let mut staged = Vec::new();
        for entry in entries {
            let how = match committed.remove(entry.path) {
                _ if entry.stage != 0 => Some("unmerged"),
                Some(oid) if oid == entry.oid() => None,
                Some(_) => Some("staged"),
                None => Some("staged as new"),
            };
            if let Some(how) = how {
                staged.push(Uncommitted {
                    path: String::from_utf8_lossy(entry.path).into_owned(),
                    how,
                });
            }
        }
        staged.extend(committed.into_keys().map(|path| Uncommitted {
            path: String::from_utf8_lossy(&path).into_owned(),
            how: "staged for removal",
        }));
        Ok(staged)
    }

    /// Files under `records/` that differ from their index entry, or have none. The folders
    /// are read on all cores; a file is only read when its stat data differs from the entry's,
    /// or when it changed too close to the index's writing for the stat data to tell (git's
    /// "racily clean" entries).
    fn changed_in_working_tree(
        &self,
        index: &IndexFile,
        entries: &[Entry<'_>],
        written: &StatData,
    ) -> Result<Vec<Uncommitted>, StoreError> {
        let root = self.root.as_path();
        // The top folder first, then its sub-folders spread over the threads.
        let mut scan = Scan::default();
        let mut shards = Vec::new();
        scan.dir(root, index, RECORDS_DIR, written, &mut shards)?;
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        let chunk = shards.len().div_ceil(threads).max(1);
        let scans: Vec<Result<Scan, StoreError>> = std::thread::scope(|scope| {
            let scanners: Vec<_> = shards
                .chunks(chunk)
                .map(|chunk| {
                    scope.spawn(move || {
                        let mut scan = Scan::default();
                        let mut pending = chunk.to_vec();
                        while let Some(dir) = pending.pop() {
                            scan.dir(root, index, &dir, written, &mut pending)?;
                        }
                        Ok(scan)
                    })
                })
                .collect();
            scanners
                .into_iter()
                .map(|s| {
                    s.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        for more in scans {
            let more = more?;
            scan.found.extend(more.found);
            scan.untracked.extend(more.untracked);
            scan.seen += more.seen;
        }
        for path in scan.untracked {
            if !self.repo.status_should_ignore(Path::new(&path))? {
                scan.found.push(Uncommitted {
                    path,
                    how: "untracked",
                });
            }
        }
        let tracked = entries.iter().filter(|e| e.stage == 0);
        if scan.seen < tracked.clone().count() {
            // Some entries have no file: find which.
            for entry in tracked {
                let path = String::from_utf8_lossy(entry.path).into_owned();
                if fs::symlink_metadata(root.join(&path)).is_err() {
                    scan.found.push(Uncommitted {
                        path,
                        how: "deleted",
                    });
                }
            }
        }
        Ok(scan.found)
    }

    /// The same answer from libgit2's status, for an index this crate does not read itself.
    fn uncommitted_records_by_libgit2(&self) -> Result<Vec<Uncommitted>, StoreError> {
        use git2::Status;
        let mut options = git2::StatusOptions::new();
        options
            .pathspec(RECORDS_DIR)
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false);
        let statuses = self.repo.statuses(Some(&mut options))?;
        let mut found: Vec<Uncommitted> = statuses
            .iter()
            .filter_map(|entry| {
                let status = entry.status();
                let how = if status.is_conflicted() {
                    "unmerged"
                } else if status.is_wt_new() {
                    "untracked"
                } else if status.is_wt_deleted() {
                    "deleted"
                } else if status.is_wt_typechange() {
                    "no longer a plain file"
                } else if status.is_wt_modified() {
                    "modified"
                } else if status.intersects(Status::INDEX_NEW) {
                    "staged as new"
                } else if status.intersects(Status::INDEX_DELETED) {
                    "staged for removal"
                } else {
                    "staged"
                };
                Some(Uncommitted {
                    path: entry.path().ok()?.to_string(),
                    how,
                })
            })
            .collect();
        found.sort();
        Ok(found)
    }
}

/// What one thread found reading folders of the working tree.
#[derive(Default)]
struct Scan {
    found: Vec<Uncommitted>,
    /// Files without an index entry, to be checked against the ignore rules.
    untracked: Vec<String>,
    /// How many files had an index entry.
    seen: usize,
}

impl Scan {
    /// Compares the files of folder `dir` (repository-relative) with their index entries;
    /// sub-folders go to `pending`.
    fn dir(
        &mut self,
        root: &Path,
        index: &IndexFile,
        dir: &str,
        written: &StatData,
        pending: &mut Vec<String>,
    ) -> Result<(), StoreError> {
        let full = root.join(dir);
        let listing = match fs::read_dir(&full) {
            Ok(listing) => listing,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(StoreError::io(full)(e)),
        };
        let mut files = Vec::new();
        for item in listing {
            let item = item.map_err(StoreError::io(&full))?;
            let meta = item.metadata().map_err(StoreError::io(item.path()))?;
            let path = format!("{dir}/{}", item.file_name().to_string_lossy());
            if meta.is_dir() {
                pending.push(path);
            } else {
                files.push((path, meta));
            }
        }
        files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        // Both lists are in path order: walk them side by side.
        let prefix = format!("{dir}/");
        let mut entries = index
            .entries_under(&prefix)
            .filter(|e| !e.path[prefix.len()..].contains(&b'/'))
            .peekable();
        for (path, meta) in files {
            while entries.next_if(|e| e.path < path.as_bytes()).is_some() {}
            let mut entry = None;
            let mut tracked = false;
            while let Some(e) = entries.next_if(|e| e.path == path.as_bytes()) {
                tracked = true;
                if e.stage == 0 {
                    entry = Some(e);
                }
            }
            let Some(entry) = entry else {
                if !tracked {
                    self.untracked.push(path);
                }
                continue;
            };
            self.seen += 1;
            let how = if !meta.is_file() {
                Some("no longer a plain file")
            } else {
                let now = StatData::of(&meta);
                let unchanged = entry.stat().matches(&now) && now.mtime() < written.mtime();
                let modified = !unchanged && {
                    let file = root.join(&path);
                    let bytes = fs::read(&file).map_err(StoreError::io(&file))?;
                    Oid::hash_object(ObjectType::Blob, &bytes)? != entry.oid()
                };
                modified.then_some("modified")
            };
            if let Some(how) = how {
                self.found.push(Uncommitted { path, how });
            }
        }
        Ok(())
    }
}
