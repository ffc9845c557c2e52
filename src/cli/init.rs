use crate::domain::policy::DEFAULT_CHECKLISTS;
use crate::store::{
    ATTRIBUTES_FILE, CHECKLIST_FILE, CommitMessage, FileChange, HookInstall, POLICY_FILE, Reviewer,
    Store, StoreError, now, with_merge_attributes,
};
use crate::ui::Ui;

use super::doctor::{HOOK_LINE, shown};
use super::{CommandError, Globals, short_id};

/// Make the current directory a claims repository
///
/// Runs `git init` if needed, writes claims.toml (the policy) and templates/checklist.toml
/// (the verification checklists) where they are missing, adds `records/**/*.toml
/// merge=claims text eol=lf` (in place of the line older versions wrote) and
/// `audit/accepted.toml merge=claims text eol=lf` to .gitattributes, and commits them. With --ci github it also writes
/// .github/workflows/claims.yml, which runs `claims check` and `claims audit` on every push.
///
/// It also installs the merge driver for records (`claims merge-driver`) in the repository's
/// git config, which git does not copy with a clone: run `claims init` once in every fresh
/// clone, so that a claim changed in two clones merges its sources, notes and history
/// instead of conflicting, and so do audit findings accepted in two clones. Unless git config says otherwise, it also sets pull.rebase to
/// false, so that a plain `git pull` merges. Git runs the driver as `claims`: where claims is not on git's
/// PATH, git reports an ordinary conflict instead (set merge.claims.driver to the full path
/// then). It installs a pre-commit hook (unless the clone has one of its own, or uses
/// core.hooksPath) that runs `claims doctor --index-only`: a `git commit` beside a claims
/// write can write back git's index as it read it before the write, and the hook refuses to
/// commit that index (`claims doctor` repairs it), so that retrying that commit never undoes
/// the write. Other files that exist are left alone, so running it again is harmless.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims init\n  \
    claims init --ci github\n  \
    claims -C ~/newsroom/claims init\n  \
    git clone URL claims && cd claims && claims init    # every clone: the merge driver")]
pub struct Args {
    /// Also install a CI workflow that runs the gate and the audit
    #[arg(long, value_enum, value_name = "SERVICE")]
    pub ci: Option<Ci>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Ci {
    /// GitHub Actions: .github/workflows/claims.yml
    Github,
}

const GITHUB_WORKFLOW_PATH: &str = ".github/workflows/claims.yml";
const GITHUB_WORKFLOW: &str = include_str!("../../templates/ci/github-workflow.yml");

const DEFAULT_POLICY: &str = "\
# Policy of this claims repository. Each value may tighten the built-in rule, never loosen it.

[guards]
# Supporting sources a claim needs to be marked sourced.
sourced_min_sources = 1
# Independent origins among supporting sources a claim needs to be marked corroborated.
corroborated_min_origins = 2
# Standing contradicting sources a claim needs to be marked disputed.
disputed_min_contradicting = 1
";

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    // Know who commits before creating anything: a failed init leaves no half-made repository.
    if Store::open(std::path::Path::new(".")).is_err() {
        Reviewer::resolve(
            globals.reviewer.as_deref(),
            &git2::Config::open_default().map_err(StoreError::from)?,
        )?;
    }
    let (store, created) = Store::open_or_init(std::path::Path::new("."))?;
    let mut changes = Vec::new();
    let mut files = vec![
        (POLICY_FILE, DEFAULT_POLICY),
        (CHECKLIST_FILE, DEFAULT_CHECKLISTS),
    ];
    if let Some(Ci::Github) = args.ci {
        files.push((GITHUB_WORKFLOW_PATH, GITHUB_WORKFLOW));
    }
    for (path, contents) in files {
        if store.read_optional(path)?.is_none() {
            changes.push(FileChange {
                path: path.to_string(),
                contents: contents.as_bytes().to_vec(),
            });
        }
    }
    if let Some(contents) = with_merge_attributes(store.read_optional(ATTRIBUTES_FILE)?.as_deref())
    {
        changes.push(FileChange {
            path: ATTRIBUTES_FILE.to_string(),
            contents,
        });
    }
    let root = store.root().display().to_string();
    if created {
        writeln!(ui.out(), "Initialised an empty git repository in {root}")?;
    }
    if !changes.is_empty() {
        commit_files(&store, &changes, globals, ui)?;
    }
    let configured = store.install_sharing_config()?;
    if !configured.is_empty() {
        writeln!(
            ui.out(),
            "Installed the merge driver for records in this clone's git config ({})",
            configured.join(", ")
        )?;
    }
    let hook = match std::env::current_exe() {
        Ok(claims) => Some(store.install_pre_commit_hook(&claims)?),
        Err(error) => {
            ui.warn(&format!(
                "no pre-commit hook installed: the path of this program is unknown ({error})"
            ));
            None
        }
    };
    match &hook {
        Some(HookInstall::Installed(path)) => writeln!(
            ui.out(),
            "Installed the pre-commit hook {}: it refuses to commit a record that a `git \
             commit` beside a claims write put back in git's index as it was before",
            shown(&store, path)
        )?,
        Some(HookInstall::Foreign(path)) => writeln!(
            ui.out(),
            "Left the pre-commit hook {} alone (it is not claims'); add the line `{HOOK_LINE}` \
             to it, so that a `git commit` retried beside a claims write never undoes the \
             write",
            shown(&store, path)
        )?,
        Some(HookInstall::Edited(path)) => writeln!(
            ui.out(),
            "Left the pre-commit hook {} alone: claims wrote it, and lines of it have been \
             changed since; to take this version, move it aside and run `claims init` again",
            shown(&store, path)
        )?,
        Some(HookInstall::HooksPath(dir)) => writeln!(
            ui.out(),
            "Left the hooks in {dir} (core.hooksPath) alone; add the line `{HOOK_LINE}` to their \
             pre-commit hook, so that a `git commit` retried beside a claims write never undoes \
             the write"
        )?,
        Some(HookInstall::Current(_)) | None => {}
    }
    let hook_said = !matches!(hook, Some(HookInstall::Current(_)) | None);
    if changes.is_empty() && configured.is_empty() && !hook_said {
        writeln!(
            ui.out(),
            "{root} is already a claims repository; nothing to do"
        )?;
    }
    Ok(())
}

fn commit_files(
    store: &Store,
    changes: &[FileChange],
    globals: &Globals,
    ui: &mut Ui,
) -> Result<(), CommandError> {
    let reviewer = store.reviewer(globals.reviewer.as_deref())?;
    let writer = store.writer()?;
    for change in changes {
        writer.ensure_absent(&change.path)?;
    }
    let starting = changes.iter().any(|c| c.path == POLICY_FILE);
    let message = CommitMessage {
        subject: if starting {
            "Start a claims repository".into()
        } else {
            "Add the files claims needs in this repository".into()
        },
        body: Some(format!(
            "Adds {}.",
            changes
                .iter()
                .map(|c| c.path.as_str())
                .collect::<Vec<_>>()
                .join(" and ")
        )),
        trailers: Vec::new(),
    };
    let commit = writer.commit(changes, &message, &reviewer, now())?;
    for change in changes {
        writeln!(ui.out(), "wrote {}", change.path)?;
    }
    writeln!(
        ui.out(),
        "Claims repository ready in {} (commit {})",
        store.root().display(),
        short_id(commit)
    )?;
    Ok(())
}
