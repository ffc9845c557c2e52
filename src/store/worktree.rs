//! Which record files differ from HEAD: the question `git status` answers, asked of
//! `records/` alone. Like git, the index's stat data says which files cannot have changed,
//! and only the others are read; and the index's cached tree of `records/` says whether
//! anything is staged there without comparing 100,000 entries with HEAD. Each file costs one
//! `stat` relative to its folder, and a folder whose times have not changed since the last
//! scan is not read again: its names are remembered in git's directory (`folder_listings`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use git2::{ObjectType, Oid};

use super::cache::folder_listings::{
    CLOCK, FolderStamp, LISTINGS, Listing, Listings, REWRITE_SHARE, before, file_system_now,
};
use super::error::StoreError;
use super::git::index::{Entry, IndexFile, StatData};
use super::repository::{RECORDS_DIR, Store, worker_threads};

/// A file under `records/` whose working-tree or staged version is not HEAD's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Uncommitted {
    pub path: String,
    /// What differs, in git's words: "modified", "staged", "untracked", ...
    pub how: &'static str,
}

/// How a tracked file whose contents differ from its index entry's is described.
const MODIFIED: &str = "modified";

impl Store {
    /// Every file under `records/` that `git status` would list, sorted by path.
    pub fn uncommitted_records(&self) -> Result<Vec<Uncommitted>, StoreError> {
        let Some(index) = self.index_file()? else {
            return self.uncommitted_records_by_libgit2();
        };
        let index_path = self.repo.path().join("index");
        let written =
            StatData::of(&fs::metadata(&index_path).map_err(StoreError::io(&index_path))?);
        // Entries are read where they are needed, never gathered: a list of 100,000 of them
        // took a twentieth of an audit.
        let prefix = format!("{RECORDS_DIR}/");
        let mut found = self.staged_records(&index, &prefix)?;
        let mut changed = self.changed_in_working_tree(&index, &prefix, &written)?;
        // Bytes that differ from their entry's blob may be that blob through git's filters
        // (CRLF line endings in a clone that converts them), as git itself sees them.
        let differing: Vec<String> = changed
            .iter()
            .filter(|file| file.how == MODIFIED)
            .map(|file| file.path.clone())
            .collect();
        let modified: std::collections::HashSet<String> = self
            .changed_through_filters(&differing)?
            .into_iter()
            .collect();
        changed.retain(|file| file.how != MODIFIED || modified.contains(&file.path));
        found.extend(changed);
        found.sort();
        found.dedup_by(|a, b| a.path == b.path);
        Ok(found)
    }

    /// Index entries under `records/` that are not HEAD's.
    fn staged_records(
        &self,
        index: &IndexFile,
        prefix: &str,
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
        for entry in index.entries_under(prefix) {
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
        prefix: &str,
        written: &StatData,
    ) -> Result<Vec<Uncommitted>, StoreError> {
        let root = self.root.as_path();
        let listings_path = self.repo.path().join(LISTINGS);
        let listings = Listings::read(&listings_path);
        let listings = &listings;
        let began = (std::time::Instant::now(), std::time::SystemTime::now());
        // The top folder first, then its sub-folders spread over the threads.
        let mut scan = Scan::default();
        let mut shards = Vec::new();
        scan.dir(root, index, RECORDS_DIR, written, listings, &mut shards)?;
        let threads = worker_threads();
        // Each thread takes the next folder when done with one: split in fixed halves, one
        // thread could finish a tenth of the scan's time before the other.
        let next = AtomicUsize::new(0);
        let (shards, next) = (&shards, &next);
        let scans: Vec<Result<Scan, StoreError>> = std::thread::scope(|scope| {
            let scanners: Vec<_> = (0..threads.min(shards.len()).max(1))
                .map(|_| {
                    scope.spawn(move || {
                        let mut scan = Scan::default();
                        let mut pending = Vec::new();
                        while let Some(dir) = shards.get(next.fetch_add(1, Ordering::Relaxed)) {
                            pending.push(dir.clone());
                            while let Some(dir) = pending.pop() {
                                scan.dir(root, index, &dir, written, listings, &mut pending)?;
                            }
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
            scan.listed.extend(more.listed);
            scan.reread += more.reread;
        }
        // Rewriting the whole list (1.7 MB at 100,000 claims, 3 to 10 ms) to save reading
        // again the one folder a commit changed (a tenth of a millisecond) is a loss: the list
        // is rewritten once a share of the folders has to be read again.
        if scan.reread > 0 && scan.reread * REWRITE_SHARE >= scan.listed.len() {
            let clock = self.repo.path().join(CLOCK);
            // Only a cache: a failure to keep it costs the next scan its speed.
            if let Some(now) = file_system_now(&clock) {
                // The longer of the two: the monotonic clock stops while the machine sleeps,
                // and the wall clock can be set back. Too long only trusts less.
                let took = began.0.elapsed().max(began.1.elapsed().unwrap_or_default());
                let _ = Listings::write(&listings_path, before(now, took), &scan.listed);
            }
        }
        for path in scan.untracked {
            if !self.repo.status_should_ignore(Path::new(&path))? {
                scan.found.push(Uncommitted {
                    path,
                    how: "untracked",
                });
            }
        }
        // Counting every entry is only needed when the quick count says some may be missing.
        let tracked = || index.entries_under(prefix).filter(|e| e.stage == 0);
        if scan.seen < index.count_under(prefix) && scan.seen < tracked().count() {
            // Some entries have no file: find which.
            for entry in tracked() {
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
                    MODIFIED
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

/// What one thread found reading folders of the working tree; names of folders not read
/// again are borrowed from the listings of the last scan (`'l`).
#[derive(Default)]
struct Scan<'l> {
    found: Vec<Uncommitted>,
    /// Files without an index entry, to be checked against the ignore rules.
    untracked: Vec<String>,
    /// How many files had an index entry.
    seen: usize,
    /// Room for the folder entries the kernel returns, kept from folder to folder.
    listing: Vec<std::mem::MaybeUninit<u8>>,
    /// What each folder held, for the next scan.
    listed: Vec<(String, Listing<'l>)>,
    /// How many folders had to be read again.
    reread: usize,
}

impl<'l> Scan<'l> {
    /// Compares the files of folder `dir` (repository-relative) with their index entries;
    /// sub-folders go to `pending`. Names are read into one buffer and each file is looked at
    /// relative to its folder, so a file costs one system call and no allocation: 100,000 of
    /// them are most of an audit.
    fn dir(
        &mut self,
        root: &Path,
        index: &IndexFile,
        dir: &str,
        written: &StatData,
        listings: &'l Listings,
        pending: &mut Vec<String>,
    ) -> Result<(), StoreError> {
        use rustix::fs::{AtFlags, FileType, Mode, OFlags};
        let full = root.join(dir);
        let folder = match rustix::fs::open(
            &full,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        ) {
            Ok(folder) => folder,
            Err(rustix::io::Errno::NOENT | rustix::io::Errno::NOTDIR) => return Ok(()),
            Err(e) => return Err(StoreError::io(full)(e.into())),
        };
        let prefix = format!("{dir}/");
        // The folder's own entries, by name (then stage).
        let entries: Vec<(&[u8], Entry<'_>)> = index
            .entries_under(&prefix)
            .map(|e| (&e.path[prefix.len()..], e))
            .filter(|(name, _)| !name.contains(&b'/'))
            .collect();
        let stat = rustix::fs::fstat(&folder).map_err(|e| StoreError::io(&full)(e.into()))?;
        let stamp = FolderStamp::of(&stat);
        let names = match listings.trusted(dir, &stamp) {
            Some(names) => Cow::Borrowed(names),
            None => {
                self.reread += 1;
                Cow::Owned(self.read_names(&folder, &full)?)
            }
        };
        self.listed
            .push((dir.to_string(), Listing { stamp, names }));
        let names = &self.listed[self.listed.len() - 1].1.names;
        // Names and entries are both in byte order: walk them side by side.
        let mut next_entry = 0;
        for name in names.split(|&b| b == 0).filter(|n| !n.is_empty()) {
            let path = || format!("{dir}/{}", String::from_utf8_lossy(name));
            while entries.get(next_entry).is_some_and(|(n, _)| *n < name) {
                next_entry += 1;
            }
            let (mut tracked, mut entry) = (false, None);
            while let Some((_, e)) = entries.get(next_entry).filter(|(n, _)| *n == name) {
                tracked = true;
                if e.stage == 0 {
                    entry = Some(e);
                }
                next_entry += 1;
            }
            let stat = match rustix::fs::statat(&folder, name, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(stat) => stat,
                // Gone since the folder was read.
                Err(rustix::io::Errno::NOENT) => continue,
                Err(e) => return Err(StoreError::io(root.join(path()))(e.into())),
            };
            let kind = FileType::from_raw_mode(stat.st_mode);
            if kind == FileType::Directory {
                pending.push(path());
                continue;
            }
            let Some(entry) = entry else {
                if !tracked {
                    self.untracked.push(path());
                }
                continue;
            };
            self.seen += 1;
            let how = if kind != FileType::RegularFile {
                Some("no longer a plain file")
            } else {
                let now = StatData::of_stat(&stat);
                let unchanged = entry.stat().matches(&now) && now.mtime() < written.mtime();
                let modified = !unchanged && {
                    let file = root.join(path());
                    let bytes = fs::read(&file).map_err(StoreError::io(&file))?;
                    Oid::hash_object(ObjectType::Blob, &bytes)? != entry.oid()
                };
                modified.then_some(MODIFIED)
            };
            if let Some(how) = how {
                self.found.push(Uncommitted { path: path(), how });
            }
        }
        Ok(())
    }

    /// The names in a folder, in byte order, each followed by a NUL.
    fn read_names(&mut self, folder: &OwnedFd, full: &Path) -> Result<Vec<u8>, StoreError> {
        if self.listing.is_empty() {
            self.listing
                .resize(64 * 1024, std::mem::MaybeUninit::uninit());
        }
        let mut found: Vec<Vec<u8>> = Vec::new();
        let mut listing = rustix::fs::RawDir::new(folder, &mut self.listing);
        while let Some(item) = listing.next() {
            let item = item.map_err(|e| StoreError::io(full)(e.into()))?;
            let name = item.file_name().to_bytes();
            if name != b"." && name != b".." {
                found.push(name.to_vec());
            }
        }
        found.sort_unstable();
        let mut names = Vec::new();
        for name in found {
            names.extend_from_slice(&name);
            names.push(0);
        }
        Ok(names)
    }
}
