//! The record files of the working tree: finding a claim by its id's first characters, and
//! reading and parsing records, plain files only, at most `MAX_RECORD_BYTES` each.

use std::fs;
use std::io;
use std::os::fd::OwnedFd;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::Relaxed;

use rustix::fs::{Mode, OFlags, ResolveFlags};
use rustix::io::Errno;

use super::error::{RecordError, StoreError};
use super::repository::{MAX_RECORD_BYTES, RECORDS_DIR, Store, worker_threads};
use crate::domain::id::{ClaimId, check_prefix};
use crate::domain::record::Record;

/// A record file's repository-relative path and what reading it gave.
pub type LoadedRecord = (String, Result<Record, RecordError>);

impl Store {
    /// The claim whose id starts with `prefix` (4 characters or more).
    pub fn resolve(&self, prefix: &str) -> Result<ClaimId, StoreError> {
        check_prefix(prefix)?;
        let shard = self.root.join(RECORDS_DIR).join(&prefix[..2]);
        // A whole id is its own file, whose match wins: one `stat`, not the folder's listing.
        if let Ok(id) = ClaimId::parse(prefix)
            && fs::symlink_metadata(shard.join(format!("{prefix}.toml"))).is_ok_and(|m| m.is_file())
        {
            return Ok(id);
        }
        let entries = match fs::read_dir(&shard) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(StoreError::UnknownId(prefix.to_string()));
            }
            Err(e) => return Err(StoreError::io(shard)(e)),
        };
        let mut candidates = Vec::new();
        for entry in entries {
            let name = entry.map_err(StoreError::io(&shard))?.file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".toml")) else {
                continue;
            };
            if stem == prefix {
                return Ok(ClaimId::parse(stem)?);
            }
            if stem.starts_with(prefix)
                && let Ok(id) = ClaimId::parse(stem)
            {
                candidates.push(id);
            }
        }
        match candidates.len() {
            0 => Err(StoreError::UnknownId(prefix.to_string())),
            1 => Ok(candidates.remove(0)),
            _ => {
                candidates.sort();
                Err(StoreError::AmbiguousId {
                    prefix: prefix.to_string(),
                    candidates: candidates.iter().map(ToString::to_string).collect(),
                })
            }
        }
    }

    /// Reads the record of `id` from the working tree.
    pub fn read(&self, id: &ClaimId) -> Result<Record, StoreError> {
        let path = id.record_path();
        match self.read_record_file(&path)? {
            Some(bytes) => Ok(parse_record(&path, &bytes)?),
            None => Err(StoreError::UnknownId(id.to_string())),
        }
    }

    /// Reads a record file (repository-relative), or None when there is none. A record must be
    /// a plain file reached without links, since a link can point anywhere outside the
    /// repository (or at a pipe that never ends), and at most `MAX_RECORD_BYTES` are read.
    pub(crate) fn read_record_file(&self, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
        read_record_file(&self.root, path)
    }

    /// Repository-relative paths of every `.toml` file under `records/`, sorted, and of every
    /// symbolic link there (`records/` itself included): links are never followed, but they
    /// are listed so that reading them reports them instead of passing over them in silence.
    pub fn record_paths(&self) -> Result<Vec<String>, StoreError> {
        Ok(self
            .list_records()?
            .into_iter()
            .map(|listed| listed.path)
            .collect())
    }

    /// The record files as [`Store::record_paths`] lists them, each with what the listing
    /// saw it as.
    fn list_records(&self) -> Result<Vec<Listed>, StoreError> {
        let records = self.root.join(RECORDS_DIR);
        if fs::symlink_metadata(&records).is_ok_and(|meta| meta.file_type().is_symlink()) {
            return Ok(vec![Listed {
                path: RECORDS_DIR.to_string(),
                plain: false,
            }]);
        }
        let mut listed = Vec::new();
        let mut pending = vec![records];
        while let Some(dir) = pending.pop() {
            let entries = match fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(StoreError::io(dir)(e)),
            };
            for entry in entries {
                let entry = entry.map_err(StoreError::io(&dir))?;
                let kind = entry.file_type().map_err(StoreError::io(entry.path()))?;
                let path = entry.path();
                if kind.is_dir() {
                    pending.push(path);
                } else if kind.is_symlink() || path.extension().is_some_and(|e| e == "toml") {
                    listed.push(Listed {
                        path: self.relative(&path),
                        plain: kind.is_file(),
                    });
                }
            }
        }
        listed.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(listed)
    }

    /// Reads and parses every record. Broken records come back as errors beside the rest.
    pub fn load_all(&self) -> Result<Vec<LoadedRecord>, StoreError> {
        let listed = self.list_records()?;
        // Reading and parsing is most of what `check` and `list` do: spread it over the cores.
        let threads = worker_threads();
        let chunk = listed.len().div_ceil(threads).max(512);
        let files = RecordFiles::new(&self.root);
        let files = &files;
        std::thread::scope(|scope| {
            let loaders: Vec<_> = listed
                .chunks(chunk)
                .map(|chunk| {
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .filter_map(|listed| load_record(files, listed).transpose())
                            .collect::<Result<Vec<_>, _>>()
                    })
                })
                .collect();
            let mut loaded = Vec::with_capacity(listed.len());
            for loader in loaders {
                match loader.join() {
                    Ok(records) => loaded.extend(records?),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            Ok(loaded)
        })
    }

    fn relative(&self, path: &Path) -> String {
        relative(&self.root, path)
    }
}

/// A record file found by the listing of `records/`.
struct Listed {
    path: String,
    /// Whether the listing saw a plain file (not a link, a folder or a pipe).
    plain: bool,
}

/// Reads record files without following links. Reading one file, each part of its path is
/// checked with `lstat` first. Reading all of them, the listing has already seen every folder
/// and file for what it is, so each file the listing saw as plain is opened with one
/// `openat2` from the open root, which still refuses a link anywhere on the path: `check` and
/// `list` open 100,000 files, and the `lstat` of each part, from `/`, tripled their calls.
struct RecordFiles<'a> {
    root: &'a Path,
    /// The root, opened for `openat2`; None where it could not be.
    dir: Option<OwnedFd>,
    /// Cleared when the kernel has no `openat2` (before Linux 5.6, or refused by a sandbox).
    openat2_works: AtomicBool,
}

/// What opening a listed file directly gave.
enum Opened {
    File(fs::File),
    Missing,
    /// Not opened: the walk must say why (a link on the path, a folder that is not one) or
    /// read it without `openat2`.
    ByWalk,
}

impl<'a> RecordFiles<'a> {
    fn new(root: &'a Path) -> RecordFiles<'a> {
        let dir = rustix::fs::open(
            root,
            OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .ok();
        RecordFiles {
            root,
            dir,
            openat2_works: AtomicBool::new(true),
        }
    }

    /// Reads a file the listing found; only one it saw as plain is opened directly. A file
    /// replaced by a pipe since would block the open, as it would between the walk's `lstat`
    /// and its open.
    fn read_listed(&self, listed: &Listed) -> Result<Option<Vec<u8>>, StoreError> {
        if !listed.plain {
            return read_record_file(self.root, &listed.path);
        }
        match self.open_directly(&listed.path) {
            Opened::File(file) => read_opened(self.root, file, &listed.path),
            Opened::Missing => Ok(None),
            Opened::ByWalk => read_record_file(self.root, &listed.path),
        }
    }

    fn open_directly(&self, path: &str) -> Opened {
        let Some(dir) = self
            .dir
            .as_ref()
            .filter(|_| self.openat2_works.load(Relaxed))
        else {
            return Opened::ByWalk;
        };
        let opened = rustix::fs::openat2(
            dir,
            path,
            OFlags::RDONLY | OFlags::CLOEXEC | OFlags::NOCTTY,
            Mode::empty(),
            ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS,
        );
        match opened {
            Ok(fd) => Opened::File(fs::File::from(fd)),
            Err(Errno::NOENT) => Opened::Missing,
            Err(Errno::NOSYS | Errno::PERM) => {
                self.openat2_works.store(false, Relaxed);
                Opened::ByWalk
            }
            Err(_) => Opened::ByWalk,
        }
    }
}

/// Reads a record file (repository-relative), or None when there is none. A record must be
/// a plain file reached without links, since a link can point anywhere outside the
/// repository (or at a pipe that never ends), and at most `MAX_RECORD_BYTES` are read: every
/// part of the path is checked with `lstat`, then the file is opened.
pub(crate) fn read_record_file(root: &Path, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let refuse = |message: String| StoreError::Record(RecordError::at_start(path, message));
    let mut walked = root.to_path_buf();
    let mut components = path.split('/').peekable();
    while let Some(component) = components.next() {
        walked.push(component);
        let meta = match fs::symlink_metadata(&walked) {
            Ok(meta) => meta,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::io(walked)(e)),
        };
        let what = match components.peek() {
            Some(_) => format!("its folder {} is", relative(root, &walked)),
            None => "is".to_string(),
        };
        if meta.file_type().is_symlink() {
            return Err(refuse(format!(
                "{what} a symbolic link; records must be plain files inside the repository, \
                 and claims does not follow links"
            )));
        }
        if components.peek().is_none() && !meta.is_file() {
            return Err(refuse(format!("{what} not a plain file")));
        }
    }
    let file = fs::File::open(&walked).map_err(StoreError::io(&walked))?;
    read_opened(root, file, path)
}

/// Reads an opened record file whole, if it is a plain file of at most `MAX_RECORD_BYTES`.
fn read_opened(root: &Path, file: fs::File, path: &str) -> Result<Option<Vec<u8>>, StoreError> {
    let full = || root.join(path);
    let meta = file.metadata().map_err(|e| StoreError::io(full())(e))?;
    if !meta.is_file() {
        return Err(StoreError::Record(RecordError::at_start(
            path,
            "is not a plain file".to_string(),
        )));
    }
    // Sized from the file, so that one read fills it and a second finds its end; the limit
    // still holds for a file that grew since.
    let capacity =
        usize::try_from(meta.len()).map_or(MAX_RECORD_BYTES, |len| len.min(MAX_RECORD_BYTES)) + 1;
    let mut bytes = Vec::with_capacity(capacity);
    // One byte over the limit is enough to know the file is too large.
    io::Read::read_to_end(
        &mut io::Read::take(file, MAX_RECORD_BYTES as u64 + 1),
        &mut bytes,
    )
    .map_err(|e| StoreError::io(full())(e))?;
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(StoreError::Record(too_large(path)));
    }
    Ok(Some(bytes))
}

/// Reads and parses one record file; a broken record is a result, not an error. None when the
/// file was deleted since it was listed.
fn load_record(files: &RecordFiles, listed: &Listed) -> Result<Option<LoadedRecord>, StoreError> {
    let path = listed.path.as_str();
    let parsed = match files.read_listed(listed) {
        Ok(Some(bytes)) => parse_record(path, &bytes),
        Ok(None) => return Ok(None),
        Err(StoreError::Record(error)) => Err(error),
        Err(error) => return Err(error),
    };
    Ok(Some((path.to_string(), parsed)))
}

/// `path` relative to `root`, with `/` separators.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Parses record file contents, reporting the line and column of what is wrong.
pub fn parse_record(path: &str, bytes: &[u8]) -> Result<Record, RecordError> {
    // Files are cut short before they get here; records from git's history are not.
    if bytes.len() > MAX_RECORD_BYTES {
        return Err(too_large(path));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        RecordError::at_offset(path, bytes, e.valid_up_to(), "is not valid UTF-8".into())
    })?;
    toml::from_str::<Record>(text).map_err(|e| {
        let offset = e.span().map_or(0, |span| span.start);
        RecordError::at_offset(path, bytes, offset, e.message().trim().to_string())
    })
}

fn too_large(path: &str) -> RecordError {
    RecordError::at_start(
        path,
        format!(
            "is larger than the {} MiB a record may have; records written by claims are a few \
             kilobytes",
            MAX_RECORD_BYTES / (1024 * 1024)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reading what the listing found, directly where it saw a plain file, must give what the
    /// walk gives for every kind of entry a working tree can hold.
    #[test]
    fn listed_files_read_as_the_walk_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open_or_init(dir.path()).unwrap();
        let root = store.root();
        let shard = root.join("records/ab");
        fs::create_dir_all(&shard).unwrap();
        fs::write(shard.join("plain.toml"), "x = 1\n").unwrap();
        fs::write(shard.join("empty.toml"), "").unwrap();
        fs::write(shard.join("large.toml"), vec![b'#'; MAX_RECORD_BYTES + 1]).unwrap();
        fs::write(shard.join("limit.toml"), vec![b'#'; MAX_RECORD_BYTES]).unwrap();
        std::os::unix::fs::symlink("plain.toml", shard.join("link.toml")).unwrap();
        std::os::unix::fs::symlink("missing.toml", shard.join("dangling.toml")).unwrap();
        std::os::unix::fs::symlink("ab", root.join("records/cd")).unwrap();
        fs::create_dir(shard.join("folder.toml")).unwrap();
        rustix::fs::mknodat(
            rustix::fs::CWD,
            shard.join("pipe.toml"),
            rustix::fs::FileType::Fifo,
            Mode::from_raw_mode(0o644),
            0,
        )
        .unwrap();
        let files = RecordFiles::new(root);
        let listed = store.list_records().unwrap();
        let plain: Vec<&str> = listed
            .iter()
            .filter(|listed| listed.plain)
            .map(|listed| listed.path.as_str())
            .collect();
        assert_eq!(
            plain,
            [
                "records/ab/empty.toml",
                "records/ab/large.toml",
                "records/ab/limit.toml",
                "records/ab/plain.toml"
            ]
        );
        assert_eq!(
            listed.len(),
            8,
            "the folder.toml folder is walked into, not listed"
        );
        for listed in &listed {
            let (read, walked) = (
                files.read_listed(listed),
                read_record_file(root, &listed.path),
            );
            assert_eq!(
                format!("{read:?}"),
                format!("{walked:?}"),
                "{}",
                listed.path
            );
        }
        // Gone since the listing, or reached through a link since: as the walk says.
        for path in ["records/ab/missing.toml", "records/cd/plain.toml"] {
            let listed = Listed {
                path: path.to_string(),
                plain: true,
            };
            let (read, walked) = (files.read_listed(&listed), read_record_file(root, path));
            assert_eq!(format!("{read:?}"), format!("{walked:?}"), "{path}");
        }
        let read = |path: &str| {
            let listed = Listed {
                path: path.to_string(),
                plain: true,
            };
            files.read_listed(&listed).unwrap().map(|bytes| bytes.len())
        };
        assert_eq!(read("records/ab/plain.toml"), Some(6));
        assert_eq!(read("records/ab/limit.toml"), Some(MAX_RECORD_BYTES));
        assert_eq!(read("records/ab/missing.toml"), None);
        // The direct open answers where the kernel has it; a link is left to the walk.
        match files.open_directly("records/ab/plain.toml") {
            Opened::File(_) => {
                assert!(matches!(
                    files.open_directly("records/ab/missing.toml"),
                    Opened::Missing
                ));
                assert!(matches!(
                    files.open_directly("records/cd/plain.toml"),
                    Opened::ByWalk
                ));
            }
            _ => {
                assert!(
                    !files.openat2_works.load(Relaxed),
                    "openat2 refused a plain file"
                );
                eprintln!("openat2 is not available here: only the walk was compared");
            }
        }
    }

    #[test]
    fn parse_errors_point_at_line_and_column() {
        let text = b"id = \"abcdefgh\"\ntext = \"x\"\nstate = \"maybe\"\n";
        let err = parse_record("records/ab/abcdefgh.toml", text).unwrap_err();
        assert_eq!((err.line, err.column), (3, 9), "{err}");
        assert!(
            err.message.contains("maybe") || err.message.contains("variant"),
            "{err}"
        );

        let err = parse_record("r.toml", b"id = \"abcdefgh\"\ntext = \"\xff\"\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 9));
        assert_eq!(err.message, "is not valid UTF-8");

        let err = parse_record("r.toml", b"").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("missing field"), "{err}");
    }

    /// A record as the tool writes it, with every kind of table and array in it.
    const VALID_RECORD: &str = r#"id = "abcdefgh2k"
text = "Mexico extradited 55 people to the U.S. in 2025."
state = "sourced"
published = false
created = "2026-01-02T03:04:05Z"
claimant = "Claudia Sheinbaum"
tags = ["mexico", "security"]
related = ["zzzzzzzz"]

[checklist.sourced]
provenance = true

[[appearances]]
document = "seeds/a.txt"
line = 3
excerpt = """She said “55” people were sent north.
Second line"""

[[sources]]
url = "https://example.org/a?b=c#d"
publisher = "Example Times"
stance = "supports"
accessed = 2026-01-03T00:00:00Z

[[notes]]
at = "2026-01-04T00:00:00Z"
by = "Ana <ana@example.org>"
text = 'Called the ministry.'

[[history]]
from = "unverified"
to = "sourced"
at = "2026-01-05T00:00:00Z"
by = "Ana <ana@example.org>"
"#;

    /// Pieces of TOML syntax that parsers trip over, for building and mutating records.
    const TOML_PIECES: &[&str] = &[
        "[",
        "]",
        "[[",
        "]]",
        "{",
        "}",
        "=",
        ".",
        ",",
        "\"",
        "'",
        "\"\"\"",
        "'''",
        "\\",
        "\\u",
        "#",
        "\n",
        "\r\n",
        " ",
        "\t",
        "\u{0}",
        "\u{feff}",
        "é",
        "id",
        "text",
        "state",
        "sources",
        "x",
        "1",
        "-0",
        "1e400",
        "nan",
        "inf",
        "true",
        "2026-01-02",
        "T03:04:05Z",
        "\"unverified\"",
    ];

    /// What every parse must give: a record, or an error that points into the file.
    fn assert_parses_or_points_inside(bytes: &[u8]) {
        match parse_record("records/ab/abcdefgh.toml", bytes) {
            Ok(record) => {
                // Whatever reads must also write and read back the same: `mark` and `note`
                // rewrite the record they read.
                let written = record.to_toml();
                let again = parse_record("again.toml", written.as_bytes())
                    .unwrap_or_else(|e| panic!("{e}\nwritten:\n{written}"));
                assert_eq!(again.to_toml(), written);
            }
            Err(error) => {
                let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
                assert!(
                    (1..=lines).contains(&error.line) && error.column >= 1,
                    "{error} is outside a file of {lines} lines"
                );
            }
        }
    }

    #[test]
    fn the_valid_record_parses() {
        assert!(parse_record("r.toml", VALID_RECORD.as_bytes()).is_ok());
    }

    #[test]
    fn too_large_and_too_deep_records_are_errors() {
        let mut large = VALID_RECORD.to_string();
        large.push_str(&format!("padding = \"{}\"\n", "x".repeat(MAX_RECORD_BYTES)));
        let err = parse_record("r.toml", large.as_bytes()).unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("1 MiB"), "{err}");

        // The toml crate stops at its recursion limit instead of overflowing the stack.
        for deep in [
            format!("x = {}{}", "[".repeat(20_000), "]".repeat(20_000)),
            format!("x = {}1{}", "{a=".repeat(20_000), "}".repeat(20_000)),
            format!("[{}]", vec!["a"; 20_000].join(".")),
            format!("x = {}", "[".repeat(20_000)),
        ] {
            let err = parse_record("r.toml", deep.as_bytes()).unwrap_err();
            assert!(err.message.contains("recurs"), "{err}");
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..4096)) {
            assert_parses_or_points_inside(&bytes);
        }

        #[test]
        fn records_made_of_toml_pieces_never_panic(
            pieces in proptest::collection::vec(proptest::sample::select(TOML_PIECES), 0..120)
        ) {
            assert_parses_or_points_inside(pieces.concat().as_bytes());
        }

        #[test]
        fn mutated_records_never_panic(
            mutations in proptest::collection::vec(
                (proptest::prelude::any::<proptest::sample::Index>(), 0..3u8, proptest::sample::select(TOML_PIECES)),
                1..8,
            )
        ) {
            let mut bytes = VALID_RECORD.as_bytes().to_vec();
            for (at, operation, piece) in mutations {
                let at = at.index(bytes.len() + 1);
                match operation {
                    0 => {
                        bytes.splice(at..at, piece.bytes());
                    }
                    1 => {
                        let end = (at + piece.len()).min(bytes.len());
                        bytes.drain(at..end);
                    }
                    _ => {
                        let end = (at + piece.len()).min(bytes.len());
                        bytes.splice(at..end, piece.bytes());
                    }
                }
            }
            assert_parses_or_points_inside(&bytes);
        }
    }
}
