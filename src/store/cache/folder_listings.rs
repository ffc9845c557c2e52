//! The names each folder under `records/` held when the working tree was last scanned (see
//! `worktree`), kept in git's directory so that a folder unchanged since is not read again.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs;
use std::ops::Range;
use std::path::Path;

use crate::store::error::StoreError;
use crate::store::files::write_cache;

/// Where the names each folder under `records/` held are kept between scans, in the working
/// tree's own git directory.
pub(crate) const LISTINGS: &str = "claims/folders";
/// A file written when the listings are, to read the file system's clock.
pub(crate) const CLOCK: &str = "claims/folders.clock";
/// The listings are written again once one folder in this many had to be read again.
pub(crate) const REWRITE_SHARE: usize = 32;

/// The file system's time `elapsed` before `now`: when a scan began, by that clock.
pub(crate) fn before((seconds, nanos): (i64, u32), elapsed: std::time::Duration) -> (i64, u32) {
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
pub(crate) fn file_system_now(clock: &Path) -> Option<(i64, u32)> {
    use std::os::unix::fs::MetadataExt;
    fs::create_dir_all(clock.parent()?).ok()?;
    fs::write(clock, b"\n").ok()?;
    let meta = fs::metadata(clock).ok()?;
    Some((meta.mtime(), meta.mtime_nsec() as u32))
}

/// A folder's identity and last change: creating, removing or renaming a file in it changes
/// its modification and change times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FolderStamp {
    ino: u64,
    ctime: (i64, u32),
    mtime: (i64, u32),
}

impl FolderStamp {
    pub(crate) fn of(stat: &rustix::fs::Stat) -> FolderStamp {
        FolderStamp {
            ino: stat.st_ino,
            ctime: (stat.st_ctime, stat.st_ctime_nsec as u32),
            mtime: (stat.st_mtime, stat.st_mtime_nsec as u32),
        }
    }
}

/// A folder's names as last read, each followed by a NUL.
pub(crate) struct Listing<'a> {
    pub stamp: FolderStamp,
    pub names: Cow<'a, [u8]>,
}

/// The names of the folders under `records/`, as the last scan found them: a folder whose
/// stamp has not changed since holds the same names, so it need not be read again (git's
/// untracked cache works the same way). The files themselves are always looked at.
///
/// Each folder's names carry a SHA-1 over the file's first line, the folder's line and the
/// names, checked when they are used: names damaged or edited by hand would hide a file, so
/// such a folder is read again.
#[derive(Default)]
pub(crate) struct Listings {
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

    pub(crate) fn read(path: &Path) -> Listings {
        fs::read(path)
            .ok()
            .and_then(parse_listings)
            .unwrap_or_default()
    }

    pub(crate) fn trusted(&self, dir: &str, now: &FolderStamp) -> Option<&[u8]> {
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

    pub(crate) fn write(
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
        write_cache(path, &out)
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
