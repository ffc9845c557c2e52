use crate::audit;
use crate::store::StoreError;
use crate::ui::Ui;

use super::findings::{Findings, Format};
use super::{CommandError, EXIT_NO, Globals};

/// Replay the history of records/ and report every change that did not go through the workflow
///
/// Reports, naming the commit, its author, the file and the rule: a commit that changes a
/// record without Claim-* trailers, or a record its trailers do not name; a state change that
/// is not a transition or differs from its Claim-From/Claim-To; a transition whose guards did
/// not hold for the record as committed; a record history that disagrees with git or was
/// rewritten; a deleted record; a merge that sets a state neither side had; unsigned commits
/// when claims.toml asks for signatures; and uncommitted changes to records. Read-only for the
/// working tree; what was verified is remembered under .git/claims/ so the next audit reads
/// only new commits. Exits 0 when all is well, 1 when there are violations.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims audit\n  \
    claims audit --since origin/main          # only what a branch adds\n  \
    claims audit --format github")]
pub struct Args {
    /// Audit only the commits after REV
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    let since = match &args.since {
        Some(revision) => Some(store.commit_named(revision).map_err(|e| match e {
            StoreError::Git(git) => CommandError::usage(format!("--since: {}", git.message())),
            other => other.into(),
        })?),
        None => None,
    };
    let audit = audit::audit(&store, since)?;
    let mut items = vec![(
        String::new(),
        format!("{} commits that changed records", audit.audited),
    )];
    for v in &audit.violations {
        let key = v.commit.clone().unwrap_or_else(|| "uncommitted".into());
        if !items.iter().any(|(k, _)| *k == key) {
            let name = match (&v.commit, &v.author) {
                (Some(commit), Some(author)) => format!("commit {commit} by {author}"),
                _ => "uncommitted changes to records".to_string(),
            };
            items.push((key, name));
        }
    }
    let mut notes = Vec::new();
    if audit.shallow {
        notes.push(
            "this is a shallow clone: history before its boundary is not here and was not audited \
             (fetch it with: git fetch --unshallow)"
                .to_string(),
        );
    }
    let mut json_extra = serde_json::Map::new();
    json_extra.insert("shallow".into(), audit.shallow.into());
    json_extra.insert("read".into(), audit.read_now.into());
    let findings = Findings {
        suite: "claims audit",
        noun: "commit",
        count: audit.audited,
        items,
        key_of: |v| v.commit.clone().unwrap_or_else(|| "uncommitted".into()),
        violations: &audit.violations,
        json_extra,
        notes,
    };
    findings.write(args.format, ui.out())?;
    if findings.ok() {
        Ok(())
    } else {
        Err(CommandError::silent(EXIT_NO))
    }
}
