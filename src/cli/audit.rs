use std::collections::BTreeSet;

use crate::audit;
use crate::domain::acceptance::{Acceptance, Acceptances, AcceptedFinding};
use crate::engine::summary;
use crate::store::{ACCEPTED_FILE, CommitMessage, FileChange, Store, StoreError, now};
use crate::ui::Ui;

use super::findings::{Findings, Format};
use super::{CommandError, CommandErrorKind, Globals, short_id};

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
///
/// A commit's findings that a reviewer looked into can be accepted with --accept REV --note
/// WHY: the acceptance is itself a commit (to audit/accepted.toml, with a Claim-Accepts
/// trailer), later audits list those findings as accepted rather than as violations, and
/// anything found later, in that commit or another, is still reported. A change to
/// audit/accepted.toml made any other way is a finding.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims audit\n  \
    claims audit --since origin/main          # only what a branch adds\n  \
    claims audit --format github\n  \
    claims audit --accept 1a2b3c4d --note \"Hand edit, reverted in the next commit\"")]
pub struct Args {
    /// Audit only the commits after REV
    #[arg(long, value_name = "REV", conflicts_with = "accept")]
    pub since: Option<String>,
    /// Accept the findings of the commit REV, once reviewed (needs --note)
    #[arg(long, value_name = "REV", requires = "note")]
    pub accept: Option<String>,
    /// Why the findings of --accept are acceptable
    #[arg(long, value_name = "WHY", requires = "accept")]
    pub note: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    let store = globals.open_store(ui)?;
    if let Some(rev) = &args.accept {
        return accept(&store, rev, args.note.as_deref().unwrap_or(""), globals, ui);
    }
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
    json_extra.insert(
        "accepted".into(),
        serde_json::to_value(&audit.accepted).map_err(std::io::Error::other)?,
    );
    let findings = Findings {
        suite: "claims audit",
        noun: "commit",
        count: audit.audited,
        items,
        key_of: |v| v.commit.clone().unwrap_or_else(|| "uncommitted".into()),
        violations: &audit.violations,
        accepted: &audit.accepted,
        json_extra,
        notes,
    };
    findings.write(args.format, ui.out())?;
    if findings.ok() {
        Ok(())
    } else {
        Err(CommandError::answered(CommandErrorKind::Refused))
    }
}

/// Records, in one commit, that the findings of `rev` were reviewed and are accepted.
fn accept(
    store: &Store,
    rev: &str,
    note: &str,
    globals: &Globals,
    ui: &mut Ui,
) -> Result<(), CommandError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(CommandError::usage("an acceptance needs a note saying why")
            .with_hint(format!("claims audit --accept {rev} --note \"...\"")));
    }
    let commit = store.commit_named(rev).map_err(|e| match e {
        StoreError::Git(git) => CommandError::usage(format!("--accept {rev}: {}", git.message())),
        other => other.into(),
    })?;
    let reviewer = store.reviewer(globals.reviewer.as_deref())?;
    let writer = store.writer()?;
    let found = audit::audit(store, None)?;
    let short = &short_id(commit);
    if let Some(accepted) = found
        .accepted
        .iter()
        .find(|a| a.finding.commit.as_deref() == Some(short))
    {
        return Err(CommandError::usage(format!(
            "the findings of commit {short} are already accepted, by {}: {}",
            accepted.accepted_by, accepted.note
        )));
    }
    let findings: Vec<&crate::checks::Violation> = found
        .violations
        .iter()
        .filter(|v| v.commit.as_deref() == Some(short))
        .collect();
    if findings.is_empty() {
        return Err(
            CommandError::usage(format!("commit {short} has no audit findings to accept"))
                .with_hint("see the findings and their commits with: claims audit"),
        );
    }
    let bytes = writer.read_file_for_update(ACCEPTED_FILE)?;
    let mut acceptances = match bytes {
        Some(bytes) => Acceptances::from_toml(&String::from_utf8_lossy(&bytes)).map_err(|e| {
            CommandError::usage(format!("{ACCEPTED_FILE} does not parse: {e}"))
                .with_hint("it is written only by claims audit --accept; restore it with git")
        })?,
        None => Acceptances::default(),
    };
    let mut accepted: Vec<AcceptedFinding> = Vec::new();
    for v in &findings {
        let finding = AcceptedFinding {
            rule: v.rule.clone(),
            path: v.path.clone(),
        };
        if !accepted.contains(&finding) {
            accepted.push(finding);
        }
    }
    let at = now();
    acceptances.accepted.push(Acceptance {
        commit: commit.to_string(),
        note: note.to_string(),
        by: reviewer.to_string(),
        at,
        findings: accepted,
    });
    let ids: BTreeSet<&str> = findings.iter().filter_map(|v| v.id.as_deref()).collect();
    let mut trailers: Vec<(&'static str, String)> =
        ids.iter().map(|id| ("Claim-Id", id.to_string())).collect();
    trailers.push(("Claim-Action", "accept".into()));
    trailers.push(("Claim-Accepts", commit.to_string()));
    let listed: Vec<String> = findings
        .iter()
        .map(|v| format!("- {} {}: {}", v.path, v.rule, v.message))
        .collect();
    let message = CommitMessage {
        subject: format!("Accept the audit findings of {short}: {}", summary(note)),
        body: Some(format!("{note}\n\n{}", listed.join("\n"))),
        trailers,
    };
    let change = FileChange {
        path: ACCEPTED_FILE.to_string(),
        contents: acceptances.to_toml().into_bytes(),
    };
    let made = writer.commit(&[change], &message, &reviewer, at)?;
    let n = findings.len();
    writeln!(
        ui.out(),
        "accepted {n} finding{} of commit {short}: commit {}",
        if n == 1 { "" } else { "s" },
        short_id(made)
    )?;
    Ok(())
}
