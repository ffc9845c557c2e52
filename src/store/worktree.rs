//! Which record files differ from HEAD: the question `git status` answers, asked of
//! `records/` alone. Like git, the index's stat data says which files cannot have changed,
//! and only the others are read; and the index's cached tree of `records/` says whether
//! anything is staged there without comparing 100,000 entries with HEAD. Each file costs one
//! `stat` relative to its folder, and a folder whose times have not changed since the last
//! scan is not read again: its names are remembered in git's directory (`Listings`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs;
use std::ops::Range;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

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
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
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

/// Where the names each folder under `records/` held are kept between scans, in the working
/// tree's own git directory.
const LISTINGS: &str = "claims/folders";
/// A file written when the listings are, to read the file system's clock.
const CLOCK: &str = "claims/folders.clock";
/// The listings are written again once one folder in this many had to be read again.
const REWRITE_SHARE: usize = 32;

/// The file system's time `elapsed` before `now`: when a scan began, by that clock.
fn before((seconds, nanos): (i64, u32), elapsed: std::time::Duration) -> (i64, u32) {
    let total = i128::from(seconds) * 1_000_000_000 + i128::from(nanos)
        - i128::try_from(elapsed.as_nanos()).unwrap_or(i128::MAX);
    let seconds = total.div_euclid(1_000_000_000);
    (
        i64::try_from(seconds).unwrap_or(i64::MIN),
        total.rem_euclid(1_000_000_000) as u32,
    )
}

/// The file system's time now, read from a file just written (a network file system's clock
/// may differ from this machine's); `None` if git's directory cannot be written.
fn file_system_now(clock: &Path) -> Option<(i64, u32)> {
    use std::os::unix::fs::MetadataExt;
    fs::create_dir_all(clock.parent()?).ok()?;
    fs::write(clock, b"\n").ok()?;
    let meta = fs::metadata(clock).ok()?;
    Some((meta.mtime(), meta.mtime_nsec() as u32))
}

/// A folder's identity and last change: creating, removing or renaming a file in it changes
/// its modification and change times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FolderStamp {
    ino: u64,
    ctime: (i64, u32),
    mtime: (i64, u32),
}

impl FolderStamp {
    fn of(stat: &rustix::fs::Stat) -> FolderStamp {
        FolderStamp {
            ino: stat.st_ino,
            ctime: (stat.st_ctime, stat.st_ctime_nsec as u32),
            mtime: (stat.st_mtime, stat.st_mtime_nsec as u32),
        }
    }
}

/// A folder's names as last read, each followed by a NUL.
struct Listing<'a> {
    stamp: FolderStamp,
    names: Cow<'a, [u8]>,
}

/// The names of the folders under `records/`, as the last scan found them: a folder whose
/// stamp has not changed since holds the same names, so it need not be read again (git's
/// untracked cache works the same way). The files themselves are always looked at.
///
/// Each folder's names carry a SHA-1 over the file's first line, the folder's line and the
/// names, checked when they are used: names damaged or edited by hand would hide a file, so
/// such a folder is read again.
#[derive(Default)]
struct Listings {
    /// The file as read: the names are used from it, not copied.
    bytes: Vec<u8>,
    /// Each folder's stamp, where its line after the checksum and its names are in `bytes`
    /// (the names are the end of that range), and its checksum.
    folders: HashMap<String, Folder>,
    /// When the scan that made them began, by the file system's clock.
    started: (i64, u32),
    /// Where the file's first line ends, its newline included.
    first_line: usize,
}

/// One folder of `Listings`.
struct Folder {
    stamp: FolderStamp,
    /// The folder's line after its checksum, and its names.
    checked: Range<usize>,
    names: Range<usize>,
    checksum: [u8; 20],
}

impl Listings {
    /// A folder changed this close to the start of the scan that listed it may have changed
    /// again within the same tick of the file system's clock, which its times would not show.
    const RACY_SECONDS: i64 = 2;

    fn read(path: &Path) -> Listings {
        fs::read(path)
            .ok()
            .and_then(parse_listings)
            .unwrap_or_default()
    }

    fn trusted(&self, dir: &str, now: &FolderStamp) -> Option<&[u8]> {
        let folder = self.folders.get(dir)?;
        let nanos =
            |(seconds, nanos): (i64, u32)| i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
        let margin = i128::from(Self::RACY_SECONDS) * 1_000_000_000;
        let settled = |time| nanos(time) + margin < nanos(self.started);
        let settled = settled(folder.stamp.mtime) && settled(folder.stamp.ctime);
        let checked = || {
            checksum(
                &self.bytes[..self.first_line],
                &self.bytes[folder.checked.clone()],
            ) == folder.checksum
        };
        (folder.stamp == *now && settled && checked()).then(|| &self.bytes[folder.names.clone()])
    }

    fn write(
        path: &Path,
        started: (i64, u32),
        folders: &[(String, Listing<'_>)],
    ) -> Result<(), StoreError> {
        let first_line = format!("{FORMAT} {} {}\n", started.0, started.1);
        let mut out = first_line.clone().into_bytes();
        for (dir, listing) in folders {
            let FolderStamp { ino, ctime, mtime } = listing.stamp;
            let mut checked = format!(
                "{ino} {} {} {} {} {} {dir}\n",
                ctime.0,
                ctime.1,
                mtime.0,
                mtime.1,
                listing.names.len()
            )
            .into_bytes();
            checked.extend_from_slice(&listing.names);
            for byte in checksum(first_line.as_bytes(), &checked) {
                out.extend_from_slice(format!("{byte:02x}").as_bytes());
            }
            out.push(b' ');
            out.extend_from_slice(&checked);
        }
        super::write_cache(path, &out)
    }
}

/// Reads what `Listings::write` wrote; `None` if it is not that.
fn parse_listings(bytes: Vec<u8>) -> Option<Listings> {
    let end = bytes.iter().position(|&b| b == b'\n')?;
    let header = std::str::from_utf8(&bytes[..end]).ok()?;
    let (seconds, nanos) = header
        .strip_prefix(FORMAT)?
        .strip_prefix(' ')?
        .split_once(' ')?;
    let started = (seconds.parse().ok()?, nanos.parse().ok()?);
    let first_line = end + 1;
    let mut at = first_line;
    let mut folders = HashMap::new();
    while at < bytes.len() {
        let end = at + bytes[at..].iter().position(|&b| b == b'\n')?;
        let header = std::str::from_utf8(&bytes[at..end]).ok()?;
        let (sum, header) = header.split_once(' ')?;
        let mut checksum = [0; 20];
        if sum.len() != 40 {
            return None;
        }
        for (byte, pair) in checksum.iter_mut().zip(sum.as_bytes().chunks(2)) {
            *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
        }
        let checked_start = at + sum.len() + 1;
        let mut fields = header.splitn(7, ' ');
        let mut number = || fields.next()?.parse::<i64>().ok();
        let (ino, cs, cns, ms, mns, len) = (
            number()?,
            number()?,
            number()?,
            number()?,
            number()?,
            number()?,
        );
        let dir = fields.next()?.to_string();
        let names_end = (end + 1).checked_add(usize::try_from(len).ok()?)?;
        if names_end > bytes.len() {
            return None;
        }
        let stamp = FolderStamp {
            ino: u64::try_from(ino).ok()?,
            ctime: (cs, u32::try_from(cns).ok()?),
            mtime: (ms, u32::try_from(mns).ok()?),
        };
        let folder = Folder {
            stamp,
            checked: checked_start..names_end,
            names: end + 1..names_end,
            checksum,
        };
        folders.insert(dir, folder);
        at = names_end;
    }
    Some(Listings {
        bytes,
        folders,
        started,
        first_line,
    })
}

/// The first line of the listings file: a file written in another format is not read.
const FORMAT: &str = "claims folders 2";

/// What a folder's names are checked with: the file's first line (when the scan began), then
/// the folder's line after its checksum and its names.
fn checksum(first_line: &[u8], checked: &[u8]) -> [u8; 20] {
    use sha1::{Digest, Sha1};
    let mut hash = Sha1::new();
    hash.update(first_line);
    hash.update(checked);
    hash.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(seconds: i64) -> FolderStamp {
        FolderStamp {
            ino: 7,
            ctime: (seconds, 5),
            mtime: (seconds, 5),
        }
    }

    #[test]
    fn a_scan_began_the_time_it_took_before_the_clock_was_read() {
        let ms = std::time::Duration::from_millis;
        assert_eq!(before((100, 500_000_000), ms(200)), (100, 300_000_000));
        assert_eq!(before((100, 100_000_000), ms(200)), (99, 900_000_000));
        assert_eq!(before((100, 0), ms(0)), (100, 0));
        assert_eq!(
            before((0, 0), ms(1500)),
            (-2, 500_000_000),
            "before the epoch"
        );
    }

    #[test]
    fn listings_read_back_as_written_and_only_settled_unchanged_folders_are_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("folders");
        let folders = vec![
            (
                "records/ab".to_string(),
                Listing {
                    stamp: stamp(100),
                    names: Cow::Borrowed(b"abc.toml\0odd\nname\0"),
                },
            ),
            (
                "records/cd".to_string(),
                Listing {
                    stamp: stamp(100),
                    names: Cow::Borrowed(b""),
                },
            ),
        ];
        Listings::write(&path, (103, 0), &folders).unwrap();
        let listings = Listings::read(&path);
        assert_eq!(listings.folders.len(), 2);
        assert_eq!(listings.started, (103, 0));
        for (dir, listing) in &folders {
            assert_eq!(listings.trusted(dir, &stamp(100)), Some(&listing.names[..]));
        }
        assert!(
            listings.trusted("records/ab", &stamp(101)).is_none(),
            "changed"
        );
        assert!(
            listings.trusted("records/ef", &stamp(100)).is_none(),
            "unknown"
        );
        let racy = Listings {
            started: (101, 0),
            ..listings
        };
        assert!(
            racy.trusted("records/ab", &stamp(100)).is_none(),
            "not settled"
        );
        let parse = |bytes: &[u8]| parse_listings(bytes.to_vec());
        let sum = "0".repeat(40);
        let short = format!("claims folders 2 1 2\n{sum} 7 1 2 3 4 99 records/ab\nshort");
        assert!(parse(short.as_bytes()).is_none());
        assert!(parse(b"7 1 2 3 4 0 records/ab\n").is_none(), "no header");
    }

    #[test]
    fn a_folder_whose_listing_changed_in_any_byte_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("folders");
        let folders = vec![(
            "records/ab".to_string(),
            Listing {
                stamp: stamp(100),
                names: Cow::Borrowed(b"abc.toml\0def.toml\0"),
            },
        )];
        Listings::write(&path, (103, 0), &folders).unwrap();
        let written = fs::read(&path).unwrap();
        let trusted = |bytes: &[u8]| {
            parse_listings(bytes.to_vec())
                .and_then(|l| l.trusted("records/ab", &stamp(100)).map(<[u8]>::to_vec))
        };
        assert_eq!(
            trusted(&written).as_deref(),
            Some(&b"abc.toml\0def.toml\0"[..])
        );
        for at in 0..written.len() {
            let mut changed = written.clone();
            changed[at] ^= 0x01;
            assert_eq!(trusted(&changed), None, "byte {at} changed");
        }
    }
}
