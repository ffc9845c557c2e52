//! The claims repository on disk: record files in the working tree and commits in git.
//! Everything that touches the file system or git goes through here. This file only names
//! the parts and what the rest of the crate may use; each part imports only the parts listed
//! after it (outside their tests; a unit test checks the imports).
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
    use std::path::{Path, PathBuf};

    use proc_macro2::{Delimiter, TokenStream, TokenTree};

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

    /// The first names after every `super::`, `super::super::` and `crate::store::` in a
    /// source file (each name of a `{…}` group, `*` for a glob), attributes included, its
    /// `#[cfg(test)] mod` left out. `super_is_store` says what `super::` is in this file:
    /// the store for its own files and the `mod.rs` of its folders, else the folder.
    fn parts_named(source: &str, super_is_store: bool) -> Vec<String> {
        let tokens: TokenStream = source.parse().expect("the store's sources lex");
        let mut named = Vec::new();
        scan(tokens, super_is_store, &mut named);
        named
    }

    fn scan(tokens: TokenStream, super_is_store: bool, named: &mut Vec<String>) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        let mut i = 0;
        while i < tokens.len() {
            if is_test_module(&tokens[i..]) {
                i += 5;
                continue;
            }
            if let Some((length, into_store)) = store_path(&tokens[i..], super_is_store) {
                match tokens.get(i + length).filter(|_| into_store) {
                    Some(TokenTree::Ident(name)) => named.push(name.to_string()),
                    Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => {
                        named.extend(group_heads(group.stream()));
                    }
                    Some(TokenTree::Punct(glob)) if glob.as_char() == '*' => named.push("*".into()),
                    _ => {}
                }
                i += length;
                continue;
            }
            if let TokenTree::Group(group) = &tokens[i] {
                scan(group.stream(), super_is_store, named);
            }
            i += 1;
        }
    }

    /// How many tokens a path starts with here, if one starts here, and whether it leads into
    /// the store (`super::super::` from the store's own files leads out of it).
    fn store_path(tokens: &[TokenTree], super_is_store: bool) -> Option<(usize, bool)> {
        let word = |at: usize, text: &str| matches!(tokens.get(at), Some(TokenTree::Ident(ident)) if ident == text);
        let colons = |at: usize| {
            (at..at + 2)
                .all(|at| matches!(tokens.get(at), Some(TokenTree::Punct(p)) if p.as_char() == ':'))
        };
        if word(0, "crate") && colons(1) && word(3, "store") && colons(4) {
            return Some((6, true));
        }
        if word(0, "super") && colons(1) {
            if word(3, "super") && colons(4) {
                return Some((6, !super_is_store));
            }
            return Some((3, super_is_store));
        }
        None
    }

    /// `#[cfg(test)] mod NAME { … }`
    fn is_test_module(tokens: &[TokenTree]) -> bool {
        matches!(
            tokens,
            [TokenTree::Punct(hash), TokenTree::Group(attribute), TokenTree::Ident(keyword), TokenTree::Ident(_), TokenTree::Group(body), ..]
                if hash.as_char() == '#'
                    && attribute.stream().to_string().replace(' ', "") == "cfg(test)"
                    && keyword == "mod"
                    && body.delimiter() == Delimiter::Brace
        )
    }

    /// The first name of each item of a `{…}` group of a `use`.
    fn group_heads(tokens: TokenStream) -> Vec<String> {
        let mut heads = Vec::new();
        let mut at_start = true;
        for token in tokens {
            match token {
                TokenTree::Punct(comma) if comma.as_char() == ',' => at_start = true,
                TokenTree::Ident(name) if at_start => {
                    heads.push(name.to_string());
                    at_start = false;
                }
                TokenTree::Punct(glob) if at_start && glob.as_char() == '*' => {
                    heads.push("*".into());
                    at_start = false;
                }
                _ => at_start = false,
            }
        }
        heads
    }

    /// Imports only, not method calls: `self.writer()` from a part below `write` would pass.
    #[test]
    fn each_part_of_the_store_imports_only_the_parts_below_it() {
        let store = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
        let mut checked = 0;
        for file in sources(&store) {
            let relative = file.strip_prefix(&store).unwrap();
            let components: Vec<&str> = relative.iter().map(|c| c.to_str().unwrap()).collect();
            assert!(
                components.len() <= 2,
                "{}: deeper than this test reads",
                relative.display()
            );
            let part = components[0].trim_end_matches(".rs");
            if part == "mod" {
                continue;
            }
            let rank = LAYERS.iter().position(|layer| *layer == part);
            let rank = rank.unwrap_or_else(|| panic!("{part} is not in LAYERS"));
            let super_is_store = components.len() == 1 || components[1] == "mod.rs";
            let source = std::fs::read_to_string(&file).unwrap();
            for named in parts_named(&source, super_is_store) {
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

    /// The forms of import the check must see: grouped, nested, globbed, in attributes.
    #[test]
    fn the_import_check_reads_every_form_of_path() {
        let source = r#"
            use super::{Store, StoreError};
            use crate::store::{
                history::Trailers,
                RECORDS_DIR,
            };
            use super::super::write::Writer;
            use super::*;
            #[error("{}", super::lock::spoken(*.waited))]
            struct Locked;
            // super::comment is no path
            const URL: &str = "https://super::string";
            #[cfg(test)]
            mod tests {
                use super::super::cache::Cache;
            }
        "#;
        assert_eq!(
            parts_named(source, true),
            ["Store", "StoreError", "history", "RECORDS_DIR", "*", "lock"]
        );
        assert_eq!(
            parts_named(source, false),
            ["history", "RECORDS_DIR", "write"]
        );
    }

    fn sources(dir: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(sources(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
        files
    }
}
