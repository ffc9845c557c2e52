use std::path::{Path, PathBuf};

use crate::store::{ACCEPTED_FILE, StoreError, merge_file_versions, write_atomically};

use super::CommandError;

/// Merge two versions of a record: git's merge driver for records/ and audit/accepted.toml
///
/// Git runs it for each record changed on both sides of a merge, once `claims init` has
/// installed it (lines in .gitattributes, and merge.claims.driver in the repository's git
/// config). It keeps the sources, notes, appearances, tags and history of both sides,
/// writes the merged record over OURS and exits 0. For audit/accepted.toml it keeps the
/// acceptances of both sides, ours first. Where the two sides really disagree (two
/// different verdicts, one field edited two ways) or a version does not parse, it writes
/// git's usual conflict markers into OURS, says why on standard error and exits 1: git then
/// reports an ordinary conflict for the file. So does git when it cannot run the driver
/// (claims not on its PATH): nothing is merged, nothing is lost.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Installed by `claims init` as, in .gitattributes:
  records/**/*.toml merge=claims text eol=lf
  audit/accepted.toml merge=claims text eol=lf
and in the repository's git config:
  git config merge.claims.driver \"claims merge-driver %O %A %B %P\"")]
pub struct Args {
    /// The common ancestor's version (git's %O; empty when both sides created the record)
    pub base: PathBuf,
    /// Our version (git's %A), replaced by the result
    pub ours: PathBuf,
    /// Their version (git's %B)
    pub theirs: PathBuf,
    /// The file's path in the repository (git's %P): which kind of file it is, for messages
    pub path: Option<String>,
}

pub fn run(args: Args) -> Result<(), CommandError> {
    let read = |path: &Path| std::fs::read(path).map_err(StoreError::io(path));
    let path = args.path.unwrap_or_else(|| args.ours.display().to_string());
    let merged = merge_file_versions(
        &path,
        &read(&args.base)?,
        &read(&args.ours)?,
        &read(&args.theirs)?,
    );
    write_atomically(&args.ours, &merged.contents)?;
    match merged.conflict {
        None => Ok(()),
        Some(reason) => {
            let keep = if path == ACCEPTED_FILE {
                "every [[accepted]] entry of both sides"
            } else {
                "what should stand (of two states, one, with the history that leads to it)"
            };
            Err(
                CommandError::refused(format!("cannot merge {path}: {reason}")).with_hint(format!(
                    "both versions are in the file between conflict markers: keep {keep}, then \
                     `git add {path}` and commit; `git checkout --ours {path}` or `--theirs` \
                     takes one side whole"
                )),
            )
        }
    }
}
