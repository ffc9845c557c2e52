//! The claims repository on disk: record files in the working tree and commits in git.
//! Everything that touches the file system or git goes through here. This file only names
//! the parts and what the rest of the crate may use; each part imports only the parts listed
//! after it.
//!
//! - What adds to [`Store`] for one concern: `write/` (the write protocol: the commit, the
//!   journal that repairs an interrupted one, the index under git's lock), `worktree` (which
//!   records differ from HEAD), `cache/` (the caches, each checked against git before it is
//!   believed), `hooks`, `merge` (git's merge driver), `filters` (git's filters), `history`
//!   (reading the workflow's commits), `records` (reading the record files).
//! - `repository`: the [`Store`] type itself, opening it, and the index, policy and reviewer
//!   every command reads first.
//! - Below them: `git/` (git's file formats, by hand where a measurement keeps them),
//!   `signing`, `identity`, `lock` (git's lock files and the tool's own), `files` (writes that
//!   are atomic or appended), `sharing` (`core.sharedRepository`), `fault` (crash tests) and
//!   `error`.

mod cache;
mod error;
mod fault;
mod files;
mod filters;
mod git;
mod history;
mod hooks;
mod identity;
mod lock;
mod merge;
mod records;
mod repository;
mod sharing;
mod signing;
mod worktree;
mod write;

pub use error::{RecordError, StoreError};
pub use files::{write_atomically, write_cache};
pub use history::{Change, Delta, HistoryReader, HistorySource, RawCommit, RawTree, Trailers};
pub use hooks::{HookInstall, HookWithoutCheck, UnguardedCommits};
pub use identity::{Reviewer, now};
pub use merge::{ATTRIBUTES_FILE, MergedFile, merge_file_versions, with_merge_attributes};
pub use records::{LoadedRecord, parse_record};
pub use repository::{
    ACCEPTED_FILE, CHECKLIST_FILE, DocumentDigest, MAX_RECORD_BYTES, POLICY_FILE, RECORDS_DIR,
    Store, sha256_hex, worker_threads,
};
pub use worktree::Uncommitted;
pub use write::{CommitMessage, FileChange, ForeignJournal, Recovery, Writer, WrittenBack};

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The parts of the store, from the top: each may import only those after it.
    const LAYERS: &[&str] = &[
        "write",
        "worktree",
        "cache",
        "hooks",
        "merge",
        "filters",
        "history",
        "records",
        "repository",
        "git",
        "signing",
        "identity",
        "lock",
        "files",
        "sharing",
        "fault",
        "error",
    ];

    /// The parts a source file names through `super::` or `crate::store::`, tests left out.
    fn parts_named(source: &str, in_folder: bool) -> Vec<String> {
        let code = source
            .split("#[cfg(test)]\nmod tests")
            .next()
            .unwrap_or(source);
        let mut named = Vec::new();
        for line in code.lines() {
            let line = line.split("//").next().unwrap_or("");
            let mut rest = line;
            // The earliest path, and of those starting there the longest prefix.
            while let Some((i, prefix)) = ["crate::store::", "super::super::", "super::"]
                .iter()
                .filter_map(|prefix| rest.find(prefix).map(|i| (i, *prefix)))
                .min_by_key(|(i, prefix)| (*i, std::cmp::Reverse(prefix.len())))
            {
                let after = &rest[i + prefix.len()..];
                let name: String = after
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                // In a folder, `super::` is the folder itself; anything else is the store.
                rest = &after[name.len()..];
                let the_folder_itself = in_folder && prefix == "super::";
                if !the_folder_itself && !name.is_empty() {
                    named.push(name);
                }
            }
        }
        named
    }

    #[test]
    fn each_part_of_the_store_imports_only_the_parts_below_it() {
        let store = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
        let mut checked = 0;
        for entry in walk(&store) {
            let relative = entry.strip_prefix(&store).unwrap();
            let mut components = relative.iter().map(|c| c.to_str().unwrap());
            let first = components.next().unwrap();
            let in_folder = relative.components().count() > 1;
            let part = first.trim_end_matches(".rs");
            if part == "mod" {
                continue;
            }
            let rank = LAYERS.iter().position(|layer| *layer == part);
            let rank = rank.unwrap_or_else(|| panic!("{part} is not in LAYERS"));
            let source = std::fs::read_to_string(&entry).unwrap();
            for named in parts_named(&source, in_folder) {
                // Anything else came through this file's re-exports, which hide the part.
                let below = LAYERS.iter().position(|layer| *layer == named);
                let below = below.unwrap_or_else(|| {
                    panic!(
                        "{} names {named} through the store's re-exports",
                        relative.display()
                    )
                });
                assert!(
                    below >= rank,
                    "{} imports {named}, which is above {part}",
                    relative.display()
                );
            }
            checked += 1;
        }
        assert!(checked > 20, "only {checked} files checked");
    }

    fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
        files
    }
}
