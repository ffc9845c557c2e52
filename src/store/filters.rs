//! Working files as git sees them. A clone may convert line endings on checkout
//! (`core.autocrlf`, `core.eol` with `text`, `.gitattributes`): its files then differ byte
//! for byte from the blobs committed, and git, converting them back as `git add` would, still
//! calls them unchanged. The tool asks the same question the same way, through libgit2's own
//! filters, and only when the bytes alone do not settle it.

use git2::{DiffOptions, Oid, Tree};

use super::error::StoreError;
use super::repository::Store;

impl Store {
    /// Whether the working file at `path`, read as `bytes`, holds the blob `expected`: byte
    /// for byte, or once git's filters for adding it have run (what `tree`, which holds
    /// `expected` at `path`, is compared with).
    pub(crate) fn working_file_holds(
        &self,
        path: &str,
        bytes: &[u8],
        expected: Oid,
        tree: &Tree<'_>,
    ) -> Result<bool, StoreError> {
        if Oid::hash_object(git2::ObjectType::Blob, bytes)? == expected {
            return Ok(true);
        }
        let mut options = DiffOptions::new();
        options.pathspec(path).disable_pathspec_match(true);
        let diff = self
            .repo
            .diff_tree_to_workdir(Some(tree), Some(&mut options))?;
        Ok(diff.deltas().len() == 0)
    }

    /// Of `paths`, whose bytes differ from their index entries, the ones git also sees as
    /// changed once its filters for adding them have run.
    pub(crate) fn changed_through_filters(
        &self,
        paths: &[String],
    ) -> Result<Vec<String>, StoreError> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let mut options = DiffOptions::new();
        options.disable_pathspec_match(true);
        for path in paths {
            options.pathspec(path);
        }
        let diff = self.repo.diff_index_to_workdir(None, Some(&mut options))?;
        let changed: Vec<String> = diff
            .deltas()
            .filter_map(|delta| delta.new_file().path().or(delta.old_file().path()))
            .map(|path| path.to_string_lossy().into_owned())
            .collect();
        Ok(paths
            .iter()
            .filter(|path| changed.contains(path))
            .cloned()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::super::write::journal::{Journal, JournalFile, Recovery};
    use super::super::{CommitMessage, FileChange, Reviewer};
    use super::*;

    const PATH: &str = "records/ab/abcdefgh2k.toml";
    const COMMITTED: &[u8] = b"id = \"abcdefgh2k\"\ntext = \"Crime fell.\"\n";

    /// A repository with `config` set, `COMMITTED` committed at `PATH`, and the working file
    /// replaced by `working`, as a checkout would leave it.
    fn repository(config: &[(&str, &str)], working: &[u8]) -> (tempfile::TempDir, Store, Oid) {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open_or_init(dir.path()).unwrap();
        let mut git_config = store.repo.config().unwrap();
        git_config.set_bool("commit.gpgsign", false).unwrap();
        for (key, value) in config {
            git_config.set_str(key, value).unwrap();
        }
        let change = FileChange {
            path: PATH.to_string(),
            contents: COMMITTED.to_vec(),
        };
        let message = CommitMessage {
            subject: "Write the record".into(),
            body: None,
            trailers: Vec::new(),
        };
        let reviewer = Reviewer::parse("Test <test@example.org>").unwrap();
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        let commit = store
            .writer()
            .unwrap()
            .commit(&[change], &message, &reviewer, at)
            .unwrap();
        std::fs::write(dir.path().join(PATH), working).unwrap();
        (dir, store, commit)
    }

    fn crlf(bytes: &[u8]) -> Vec<u8> {
        String::from_utf8_lossy(bytes)
            .replace('\n', "\r\n")
            .into_bytes()
    }

    #[test]
    fn a_crlf_checkout_holds_the_committed_blob_where_git_converts_line_endings() {
        let blob = Oid::hash_object(git2::ObjectType::Blob, COMMITTED).unwrap();
        let edited = b"id = \"abcdefgh2k\"\ntext = \"Crime rose.\"\n";
        for (config, working, holds) in [
            (&[("core.autocrlf", "true")][..], crlf(COMMITTED), true),
            (&[("core.autocrlf", "true")][..], COMMITTED.to_vec(), true),
            (&[("core.autocrlf", "true")][..], crlf(edited), false),
            (&[("core.autocrlf", "input")][..], crlf(COMMITTED), true),
            (&[("core.autocrlf", "false")][..], crlf(COMMITTED), false),
            (&[][..], crlf(COMMITTED), false),
        ] {
            let (_dir, store, commit) = repository(config, &working);
            let tree = store.repo.find_commit(commit).unwrap().tree().unwrap();
            assert_eq!(
                store
                    .working_file_holds(PATH, &working, blob, &tree)
                    .unwrap(),
                holds,
                "{config:?}"
            );
        }
    }

    #[test]
    fn a_crlf_checkout_is_unchanged_from_the_index_where_git_converts_line_endings() {
        let (dir, store, _) = repository(&[("core.autocrlf", "true")], &crlf(COMMITTED));
        // The index entry as a checkout leaves it: the committed blob, the CRLF file's stat.
        let mut index = store.repo.index().unwrap();
        index.add_path(std::path::Path::new(PATH)).unwrap();
        index.write().unwrap();
        let blob = Oid::hash_object(git2::ObjectType::Blob, COMMITTED).unwrap();
        assert_eq!(
            index.get_path(std::path::Path::new(PATH), 0).unwrap().id,
            blob
        );
        let paths = [PATH.to_string()];
        // Written again, the file's stat data no longer vouches for it: it is read.
        std::fs::write(dir.path().join(PATH), crlf(COMMITTED)).unwrap();
        assert_eq!(
            store.changed_through_filters(&paths).unwrap(),
            Vec::<String>::new()
        );
        std::fs::write(
            dir.path().join(PATH),
            crlf(b"id = \"abcdefgh2k\"\ntext = \"Crime rose.\"\n"),
        )
        .unwrap();
        assert_eq!(store.changed_through_filters(&paths).unwrap(), paths);
    }

    /// A write interrupted before it touched the record, in a CRLF checkout, is rolled back
    /// rather than taken for a record changed since.
    #[test]
    fn the_rollback_of_an_interrupted_write_sees_a_crlf_checkout_as_committed() {
        let (dir, store, commit) = repository(&[("core.autocrlf", "true")], &crlf(COMMITTED));
        let before = Oid::hash_object(git2::ObjectType::Blob, COMMITTED).unwrap();
        let journal = Journal {
            branch: "refs/heads/".to_string() + store.repo.head().unwrap().shorthand().unwrap(),
            base: Some(commit.to_string()),
            index_lock: None,
            branch_lock: None,
            head_lock: None,
            commit: None,
            files: vec![JournalFile {
                path: PATH.to_string(),
                before: Some(before.to_string()),
                after: Oid::hash_object(git2::ObjectType::Blob, b"new\n")
                    .unwrap()
                    .to_string(),
            }],
        };
        store.begin_journal(&journal).unwrap();
        assert_eq!(
            store.recover().unwrap(),
            Recovery::RolledBack {
                paths: vec![PATH.to_string()]
            }
        );
        assert_eq!(std::fs::read(dir.path().join(PATH)).unwrap(), COMMITTED);
    }
}
