//! What git's own housekeeping is doing, so that the tool's never gets in its way.
//!
//! Git removes packs in `gc` (through `repack`), in `git maintenance` (`multi-pack-index
//! expire`) and in `repack -d`. Before it removes one, `repack` drops the multi-pack-index
//! if that lists the pack (`remove_redundant_pack`), and while `gc` runs it holds `gc.pid`,
//! which another `gc` honours; `git maintenance` holds `objects/maintenance.lock`, and a
//! multi-pack-index is written under `multi-pack-index.lock`. A `gc` given the name of a pack
//! that then disappears fails ("could not find pack"), and a multi-pack-index that lists a
//! removed pack fails `git fsck` until it is rewritten. So the tool removes a pack only when
//! no such process is running and no multi-pack-index lists it (see `packing`).

use std::collections::HashSet;
use std::fs;
use std::path::Path;
use std::time::{Duration, SystemTime};

use super::binary::be32;

/// How long git trusts a `gc.pid` whose process it cannot check (`lock_repo_for_gc`).
const GC_PID_TRUSTED: Duration = Duration::from_secs(12 * 3600);
/// The multi-pack-index and its incremental chain, in the pack folder.
const MIDX: &str = "multi-pack-index";
const MIDX_CHAIN: &str = "multi-pack-index.d/multi-pack-index-chain";
const MIDX_HEADER: usize = 12;
const MIDX_CHUNK: usize = 12;
const PACK_NAMES_CHUNK: u32 = u32::from_be_bytes(*b"PNAM");

/// Whether git is running a `gc`, `git maintenance` or a write of a multi-pack-index in the
/// repository whose common git folder is `common_dir`: git's own locks, read as git reads
/// them. A `gc.pid` left by a `gc` that was killed names a process that is gone, and is
/// ignored, as `gc` itself ignores it.
pub(crate) fn git_housekeeping_running(common_dir: &Path) -> bool {
    let objects = common_dir.join("objects");
    let locks = [
        common_dir.join("gc.pid.lock"),
        objects.join("maintenance.lock"),
        objects.join("pack").join(format!("{MIDX}.lock")),
        objects.join("pack").join(format!("{MIDX_CHAIN}.lock")),
    ];
    locks.iter().any(|lock| lock.exists()) || gc_running(&common_dir.join("gc.pid"))
}

/// `gc.pid` holds `<pid> <host>`; a `gc` holds it while it runs and removes it at the end.
fn gc_running(pid_file: &Path) -> bool {
    let Ok(metadata) = fs::metadata(pid_file) else {
        return false;
    };
    let fresh = metadata
        .modified()
        .ok()
        .and_then(|at| SystemTime::now().duration_since(at).ok())
        .is_none_or(|age| age <= GC_PID_TRUSTED);
    if !fresh {
        return false;
    }
    let text = fs::read_to_string(pid_file).unwrap_or_default();
    let mut fields = text.split_whitespace();
    let (Some(pid), Some(host)) = (fields.next(), fields.next()) else {
        // Being written, or unreadable: as if held.
        return true;
    };
    let this_host = rustix::system::uname();
    if host.as_bytes() != this_host.nodename().to_bytes() {
        // Git too leaves a gc on another machine of a shared repository alone.
        return true;
    }
    match pid
        .parse::<i32>()
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    {
        Some(pid) => match rustix::process::test_kill_process(pid) {
            Ok(()) => true,
            Err(e) => e == rustix::io::Errno::PERM,
        },
        None => false,
    }
}

/// The packs a multi-pack-index in `pack_dir` lists, as `pack-<hash>` names; `None` when one
/// exists that cannot be read here (then every pack counts as listed).
pub(crate) fn packs_in_multi_pack_index(pack_dir: &Path) -> Option<HashSet<String>> {
    let mut layers = vec![pack_dir.join(MIDX)];
    if let Ok(chain) = fs::read_to_string(pack_dir.join(MIDX_CHAIN)) {
        let dir = pack_dir.join("multi-pack-index.d");
        layers.extend(
            chain
                .lines()
                .filter(|line| !line.is_empty())
                .map(|hash| dir.join(format!("{MIDX}-{hash}.midx"))),
        );
    }
    let mut names = HashSet::new();
    for layer in layers {
        let file = match fs::File::open(&layer) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(_) => return None,
        };
        // SAFETY: git writes a multi-pack-index under a temporary name and renames it into
        // place; it is never changed in place.
        let bytes = unsafe { memmap2::Mmap::map(&file) }.ok()?;
        names.extend(pack_names(&bytes)?);
    }
    Some(names)
}

/// The names in a multi-pack-index's chunk of pack names (`gitformat-pack`), without
/// their `.idx` or `.pack`.
fn pack_names(midx: &[u8]) -> Option<Vec<String>> {
    if midx.len() < MIDX_HEADER || &midx[..4] != b"MIDX" || !matches!(midx[4], 1 | 2) {
        return None;
    }
    let chunks = usize::from(midx[6]);
    let packs = be32(midx, 8) as usize;
    let table = midx.get(MIDX_HEADER..MIDX_HEADER + (chunks + 1) * MIDX_CHUNK)?;
    let offset = |i: usize| -> Option<usize> {
        let at = i * MIDX_CHUNK + 4;
        usize::try_from(u64::from_be_bytes(table.get(at..at + 8)?.try_into().ok()?)).ok()
    };
    let chunk = (0..chunks).find(|&i| be32(table, i * MIDX_CHUNK) == PACK_NAMES_CHUNK)?;
    let names = midx.get(offset(chunk)?..offset(chunk + 1)?)?;
    let listed: Vec<String> = names
        .split(|&b| b == 0)
        .filter(|name| !name.is_empty())
        .take(packs)
        .map(|name| {
            let name = String::from_utf8_lossy(name);
            let stem = name.strip_suffix(".idx").or(name.strip_suffix(".pack"));
            stem.unwrap_or(&name).to_string()
        })
        .collect();
    (listed.len() == packs).then_some(listed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn midx(chunks: &[(&[u8; 4], &[u8])], packs: u32) -> Vec<u8> {
        let mut out = b"MIDX".to_vec();
        out.extend([1, 1, chunks.len() as u8, 0]);
        out.extend(packs.to_be_bytes());
        let mut at = (MIDX_HEADER + (chunks.len() + 1) * MIDX_CHUNK) as u64;
        for (id, data) in chunks {
            out.extend(*id);
            out.extend(at.to_be_bytes());
            at += data.len() as u64;
        }
        out.extend([0; 4]);
        out.extend(at.to_be_bytes());
        for (_, data) in chunks {
            out.extend(*data);
        }
        out
    }

    #[test]
    fn pack_names_are_read_from_their_chunk() {
        let names = b"pack-aa.idx\0pack-bb.idx\0\0\0";
        let bytes = midx(&[(b"OIDF", &[0; 8]), (b"PNAM", names)], 2);
        assert_eq!(pack_names(&bytes).unwrap(), ["pack-aa", "pack-bb"]);
        // A count that does not match, a missing chunk, a cut file: not readable here.
        assert_eq!(pack_names(&midx(&[(b"PNAM", names)], 3)), None);
        assert_eq!(pack_names(&midx(&[(b"OIDF", &[0; 8])], 0)), None);
        assert_eq!(pack_names(&bytes[..20]), None);
        assert_eq!(pack_names(b"MIDX"), None);
    }

    #[test]
    fn a_gc_pid_counts_while_its_process_lives_on_this_machine() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("gc.pid");
        assert!(!gc_running(&pid_file), "no file");
        let host = rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned();
        fs::write(&pid_file, format!("{} {host}", std::process::id())).unwrap();
        assert!(gc_running(&pid_file), "this process lives");
        fs::write(&pid_file, format!("{} {host}", i32::MAX)).unwrap();
        assert!(!gc_running(&pid_file), "no such process");
        fs::write(&pid_file, format!("{} elsewhere.example", i32::MAX)).unwrap();
        assert!(gc_running(&pid_file), "another machine's gc is left alone");
        let old = SystemTime::now() - GC_PID_TRUSTED - Duration::from_secs(60);
        fs::File::options()
            .write(true)
            .open(&pid_file)
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert!(!gc_running(&pid_file), "older than git trusts");
    }
}
