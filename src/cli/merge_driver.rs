use std::path::{Path, PathBuf};

use crate::domain::merge::Disagreement;
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
        Some(conflict) => Err(CommandError::refused(format!(
            "cannot merge {path}: {}",
            conflict.reason
        ))
        .with_hint(resolution(&path, &conflict.disagreements))),
    }
}

/// How a person finishes the merge of the file at `path`, for what its two sides decided
/// differently.
fn resolution(path: &str, disagreements: &[Disagreement]) -> String {
    let markers = "both versions are in the file between conflict markers";
    let by_git = format!(
        "`git add {path}` and commit; `git checkout --ours {path}` or `--theirs` takes one side \
         whole"
    );
    if path == ACCEPTED_FILE {
        return format!("{markers}: keep every [[accepted]] entry of both sides, then {by_git}");
    }
    let states = disagreements
        .iter()
        .any(|d| matches!(d, Disagreement::States { .. }));
    let verdicts = disagreements
        .iter()
        .any(|d| matches!(d, Disagreement::Value(what) if what == "verdict"));
    let mut which = Vec::new();
    if states {
        which.push("of two states, one, with the history that leads to it");
    }
    if verdicts {
        which.push("of two [verdict] tables, the one whose fact-check is published");
    }
    let keep = if which.is_empty() {
        "what should stand".to_string()
    } else {
        format!("what should stand ({})", which.join("; "))
    };
    let mut hint = format!("{markers}: keep {keep}, then {by_git}");
    if verdicts {
        let id = Path::new(path)
            .file_stem()
            .map_or("ID".into(), |stem| stem.to_string_lossy());
        hint.push_str(&format!(
            "; once merged, `claims verdict {id} --rating RATING --url URL` replaces the verdict \
             kept, `claims verdict {id} --withdraw --note WHY` takes it back"
        ));
    }
    hint
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::state::State;

    #[test]
    fn the_hint_names_what_to_keep_of_each_kind_of_disagreement() {
        let path = "records/ab/abcdefgh.toml";
        let states = Disagreement::States {
            ours: State::Corroborated,
            theirs: State::Disputed,
        };
        let verdict = Disagreement::Value("verdict".into());
        let text = Disagreement::Value("text".into());
        let keep = |disagreements: &[Disagreement]| {
            let hint = resolution(path, disagreements);
            let keep = hint.split(", then").next().unwrap().to_string();
            (keep, hint.contains("claims verdict abcdefgh --rating"))
        };
        let markers = "both versions are in the file between conflict markers: keep";
        assert_eq!(
            keep(&[text]),
            (format!("{markers} what should stand"), false)
        );
        assert_eq!(
            keep(std::slice::from_ref(&states)),
            (
                format!(
                    "{markers} what should stand (of two states, one, with the history that \
                     leads to it)"
                ),
                false
            )
        );
        assert_eq!(
            keep(&[states, verdict]),
            (
                format!(
                    "{markers} what should stand (of two states, one, with the history that \
                     leads to it; of two [verdict] tables, the one whose fact-check is published)"
                ),
                true
            )
        );
        assert!(resolution(ACCEPTED_FILE, &[]).contains("every [[accepted]] entry"));
    }
}
