use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system's allocator: a full audit allocates and frees buffers,
/// trees and parsed records by the million on two threads (BENCHMARKS.md, run X).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = claims::cli::Cli::parse();
    tune_allocator(&cli.command);
    tune_libgit2(&cli.command);
    match claims::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Error messages quote input: shown escaped, as all output is (see `Ui`).
            eprint!("{}", claims::controls::escape(&error.to_string()));
            ExitCode::from(error.exit_code())
        }
    }
}

/// `mi_option_purge_delay` of mimalloc.h (v3, as vendored by the locked libmimalloc-sys),
/// whose Rust bindings do not name it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Every command but the audit gives freed memory back to the system at once. Those that
/// read every record on all cores hold them at once, and mimalloc's default delay left a
/// listing of 100,000 records 60 MB above the system allocator's peak; the audit, which
/// frees as it goes, keeps the delay that saves it the system calls. (Transparent huge
/// pages are compiled out, feature `no_thp`: zeroing a huge page cost every command most of
/// a millisecond at start, and the audit 25 MB of its peak.)
fn tune_allocator(command: &claims::cli::Command) {
    if !matches!(command, claims::cli::Command::Audit(_)) {
        // SAFETY: sets one of mimalloc's options, by a number it has in the vendored header.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    }
}

/// Sets libgit2's process-wide options for the command about to run. Called once, before any
/// thread exists: libgit2 does not guard them.
///
/// A write reads the `records/` tree of HEAD several times: to check the record, for the
/// journal, to build the new trees and to list what changed. At 100,000 claims that tree is
/// 39 KB, stored as a delta chain; libgit2 caches trees only up to 4 KB, so each read undid
/// the chain again (about 1.1 ms of a note). Trees up to 1 MB are kept once read.
///
/// The audit reads commits, trees and blobs itself (`HistoryReader`); libgit2 still lists the
/// commits where git's commit-graph file cannot be read, and those after the audit's cache.
/// Its object cache only costs such a walk: once full, each eviction scans its table from the
/// start. And objects are not re-hashed as they are read (`git fsck` is the tool that verifies
/// storage). Listing 100,000 commits maps the parts of the pack that hold them; left at
/// libgit2's defaults (windows of 1 GB, up to 8 GB mapped), those pages stay counted against
/// the process while the audit reads on.
fn tune_libgit2(command: &claims::cli::Command) {
    // SAFETY: no other thread of this process exists yet.
    unsafe {
        let _ = git2::opts::set_cache_object_limit(git2::ObjectType::Tree, 1 << 20);
    }
    if matches!(command, claims::cli::Command::Audit(_)) {
        git2::opts::enable_caching(false);
        git2::opts::strict_hash_verification(false);
        // SAFETY: as above.
        unsafe {
            let _ = git2::opts::set_mwindow_size(8 << 20);
            let _ = git2::opts::set_mwindow_mapped_limit(32 << 20);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The number names the option meant: its default in the vendored mimalloc (1,000 ms)
    /// is that of no option beside it.
    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // SAFETY: reads an option.
        assert_eq!(
            unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) },
            1000
        );
    }
}
