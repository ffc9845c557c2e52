//! Reading and writing single files the ways the store needs: atomically through a rename,
//! in place over a file's own blocks, appended to, or removed with the folder they leave
//! empty. Every failure names its path.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

use super::error::StoreError;

/// The file's bytes, or `None` when there is no such file.
pub(crate) fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::io(path)(e)),
    }
}

/// Writes a file through a temporary file in the same folder and a rename, so that a reader
/// (or a crash) sees the old contents or the new, never a mix; flushed to disk first.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), StoreError> {
    write_through_rename(path, contents, true)
}

/// Replaces a cache file (under git's directory) atomically, without flushing it to disk: a
/// cache lost or left empty by a power cut is read as no cache, and rebuilt.
pub fn write_cache(path: &Path, contents: &[u8]) -> Result<(), StoreError> {
    write_through_rename(path, contents, false)
}

/// Like [`write_atomically`], flushing to disk only when `durable`.
pub(crate) fn write_through_rename(
    path: &Path,
    contents: &[u8],
    durable: bool,
) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = File::create(&temporary)?;
        file.write_all(contents)?;
        if durable {
            file.sync_all()?;
        }
        fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result.map_err(StoreError::io(path))
}

/// Removes what [`write_through_rename`] leaves beside `path` when its process is killed
/// between creating the temporary file and renaming it (`.NAME.PID.tmp`, of any process).
/// Only for a repair, with the writers' lock held: no other write is under way then.
pub(crate) fn remove_stray_temporaries(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let stray = file_name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .is_some_and(|pid| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
        if stray {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Writes `contents` over the start of the file at `path` (created with its folder if
/// missing) and cuts the file to that length, flushed to disk when `durable`. Unlike a
/// rename over it, this keeps the file's disk blocks: a file system that discards freed
/// blocks at once (ext4 mounted with `discard`) would otherwise wait for whatever is being
/// written back, several milliseconds after git's 10 MB index has just been replaced.
/// Readers must tolerate a torn file: the journal and the caches written this way check
/// what they read.
pub(crate) fn overwrite(path: &Path, contents: &[u8], durable: bool) -> Result<(), StoreError> {
    use std::os::unix::fs::FileExt;
    let write = || -> io::Result<()> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        file.write_all_at(contents, 0)?;
        file.set_len(contents.len() as u64)?;
        if durable {
            file.sync_data()?;
        }
        Ok(())
    };
    write().map_err(StoreError::io(path))
}

/// Appends `bytes` to the file at `path`, creating it and its folder if need be.
pub(crate) fn append(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
    }
    File::options()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(bytes))
        .map_err(StoreError::io(path))
}

/// Creates `path` afresh and fills it with `write`; removed again if that fails.
pub(crate) fn write_new<T>(
    path: &Path,
    write: impl FnOnce(&mut File) -> io::Result<T>,
) -> Result<T, StoreError> {
    let result = path
        .parent()
        .map_or(Ok(()), fs::create_dir_all)
        .and_then(|()| File::create(path))
        .and_then(|mut file| write(&mut file));
    if result.is_err() {
        let _ = fs::remove_file(path);
    }
    result.map_err(StoreError::io(path))
}

/// Removes the file at `path` (one already gone counts as removed), then its folder if that
/// left it empty, as git leaves no empty folder behind a file it removes.
pub(crate) fn remove_with_empty_folder(path: &Path) -> Result<(), StoreError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(StoreError::io(path)(e)),
        _ => {
            if let Some(dir) = path.parent() {
                // Only succeeds when the folder is empty, which is what is wanted.
                let _ = fs::remove_dir(dir);
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repair_removes_the_temporaries_of_killed_writes_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let record = dir.path().join("abc.toml");
        let names = [
            "abc.toml",
            ".abc.toml.123.tmp",
            ".abc.toml.9.tmp",
            ".abc.toml.x.tmp",
            ".abc.toml..tmp",
            ".abd.toml.123.tmp",
            "notes.tmp",
        ];
        for name in names {
            fs::write(dir.path().join(name), name).unwrap();
        }
        remove_stray_temporaries(&record);
        let mut left: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                ".abc.toml..tmp",
                ".abc.toml.x.tmp",
                ".abd.toml.123.tmp",
                "abc.toml",
                "notes.tmp"
            ]
        );
    }
}
