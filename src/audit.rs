//! `claims audit`: replays the git history of `records/` and reports every change that did not
//! go through the workflow. Verified history is remembered under git's directory, so that an
//! audit after one new commit reads about one commit.
//!
//! That memory is a cache, never trusted over git: it is used only for a HEAD that is its tip
//! or descends from it, and only when its checksum holds. The checksum covers the rules, the
//! tip, the count and every finding, keyed with the tip's tree as git has it, so that a cache
//! damaged or edited by hand (a finding taken out) is read as none and the history audited
//! again. It does not stop someone who can write to git's directory and recomputes it: they
//! could as well rewrite history, and an audit from a fresh clone has no cache to trust.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::rc::Rc;

use git2::{ErrorCode, Oid};
use serde::{Deserialize, Serialize};

use crate::checks::Violation;
use crate::domain::acceptance::{Acceptance, Acceptances, added_acceptance};
use crate::domain::action::Action;
use crate::domain::permitted;
use crate::domain::policy::{Checklists, Policy};
use crate::domain::record::Record;
use crate::domain::workflow::{Confirmations, MoveRequest, Unmet, check_move, evidence_gaps};
use crate::store::{
    ACCEPTED_FILE, CHECKLIST_FILE, Delta, HistoryReader, POLICY_FILE, RawCommit, RawTree, Store,
    StoreError, Trailers, parse_record,
};

/// Bumped whenever the rules change, so a cache made under other rules is not trusted.
const RULES_VERSION: u32 = 2;

/// What an audit found.
#[derive(Debug, Default)]
pub struct Audit {
    /// Commits that changed records, examined now or remembered from an earlier audit.
    pub audited: usize,
    /// Of those, the ones read in this run.
    pub read_now: usize,
    pub violations: Vec<Violation>,
    /// Findings a reviewer accepted with `claims audit --accept`: not violations.
    pub accepted: Vec<Accepted>,
    /// The acceptances the tool recorded, oldest first.
    pub acceptances: Vec<Acceptance>,
    /// The clone is shallow: history before its boundary could not be audited.
    pub shallow: bool,
}

/// A finding and the acceptance that acknowledges it.
#[derive(Debug, Clone, Serialize)]
pub struct Accepted {
    #[serde(flatten)]
    pub finding: Violation,
    pub accepted_by: String,
    pub accepted_at: jiff::Timestamp,
    pub note: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Cache {
    rules: u32,
    tip: String,
    audited: usize,
    violations: Vec<CachedViolation>,
    #[serde(default)]
    acceptances: Vec<Acceptance>,
}

/// A violation as remembered: the same fields as reported.
#[derive(Debug, Serialize, Deserialize)]
struct CachedViolation {
    id: Option<String>,
    path: String,
    rule: String,
    message: String,
    commit: Option<String>,
    author: Option<String>,
}

/// Audits the history of records reachable from HEAD: all of it, or what came after `since`.
pub fn audit(store: &Store, since: Option<Oid>) -> Result<Audit, StoreError> {
    let Some(head) = store.head_commit()? else {
        let mut audit = Audit::default();
        audit.violations.extend(uncommitted(store)?);
        return Ok(audit);
    };
    // The cache holds the audit of everything up to its tip; only a full audit uses it.
    let cache = match since {
        None => read_cache(store).filter(|(tip, _)| store.descends_from(head, *tip)),
        Some(_) => None,
    };
    // A cache already at HEAD stays as it is: an audit with nothing new writes nothing.
    let cache_is_current = cache.as_ref().is_some_and(|(tip, _)| *tip == head);
    let commits = store.commits_since(head, since.or(cache.as_ref().map(|(tip, _)| *tip)))?;
    let (read_now, violations, acceptances) =
        audit_commits(store, &commits).map_err(|error| match error {
            // Not damage: a partial clone leaves objects on the remote it was cloned from.
            StoreError::Git(e) if e.code() == ErrorCode::NotFound => {
                match store.promisor_remote() {
                    Some(remote) => StoreError::NotInPartialClone { remote },
                    None => StoreError::Git(e),
                }
            }
            other => other,
        })?;

    let mut audit = Audit {
        audited: read_now,
        read_now,
        shallow: store.is_shallow(),
        ..Audit::default()
    };
    if let Some((_, cache)) = cache {
        audit.audited += cache.audited;
        audit.violations = cache.violations.into_iter().map(Violation::from).collect();
        audit.acceptances = cache.acceptances;
    }
    audit.violations.extend(violations);
    audit.acceptances.extend(acceptances);
    if since.is_none() && !cache_is_current {
        write_cache(store, head, &audit);
    }
    let (accepted, violations) = set_accepted_apart(audit.violations, &audit.acceptances);
    audit.accepted = accepted;
    audit.violations = violations;
    audit.violations.extend(uncommitted(store)?);
    Ok(audit)
}

/// Findings that an acceptance acknowledges, apart from the others.
fn set_accepted_apart(
    findings: Vec<Violation>,
    acceptances: &[Acceptance],
) -> (Vec<Accepted>, Vec<Violation>) {
    let mut accepted = Vec::new();
    let mut violations = Vec::new();
    for finding in findings {
        let acceptance = finding.commit.as_deref().and_then(|commit| {
            acceptances
                .iter()
                .find(|a| a.covers(commit, &finding.rule, &finding.path))
        });
        match acceptance {
            Some(acceptance) => accepted.push(Accepted {
                finding,
                accepted_by: acceptance.by.clone(),
                accepted_at: acceptance.at,
                note: acceptance.note.clone(),
            }),
            None => violations.push(finding),
        }
    }
    (accepted, violations)
}

/// What the audit of a run of commits found: how many changed records, the violations and
/// the acceptances the tool recorded, each in history order.
type Judged = (usize, Vec<Violation>, Vec<Acceptance>);

/// Audits `commits` (parents before children) on all cores.
fn audit_commits(store: &Store, commits: &[Oid]) -> Result<Judged, StoreError> {
    let shallow_roots = store.shallow_roots();
    let threads = crate::store::worker_threads();
    // Below a few thousand commits a thread costs more than it saves.
    let run = commits.len().div_ceil(threads).max(2048);
    let history = store.history_source();
    // Shared out between the threads. At 100,000 commits 64 MB took a twentieth less CPU
    // than 48 and 96 MB a little more again, but 96 left under 20 MB of the memory target
    // (BENCHMARKS.md, runs U and X).
    let cache = (64 << 20) / threads;
    let judged = in_runs_newest_first(commits, run, |run| {
        history.read(cache, |trees| {
            let mut auditor = Auditor {
                trees,
                policies: HashMap::new(),
                violations: Vec::new(),
                acceptances: Vec::new(),
            };
            run.map(|&oid| {
                let changed = auditor.audit_commit(oid, shallow_roots.contains(&oid))?;
                Ok((
                    changed,
                    std::mem::take(&mut auditor.violations),
                    std::mem::take(&mut auditor.acceptances),
                ))
            })
            .collect()
        })
    })?;
    let changed = judged.iter().filter(|(changed, ..)| *changed).count();
    let mut violations = Vec::new();
    let mut acceptances = Vec::new();
    for (_, found, accepted) in judged {
        violations.extend(found);
        acceptances.extend(accepted);
    }
    Ok((changed, violations, acceptances))
}

/// Applies `judge` to contiguous runs of `items` (oldest first) on threads of their own, each
/// run read newest first: the order git's packs favour (a version is stored as a delta against
/// the newer one), and the order a commit's parent trees are read again as the next commit's.
/// The results come back in the order of `items`.
fn in_runs_newest_first<T: Sync, R: Send>(
    items: &[T],
    run: usize,
    judge: impl Fn(std::iter::Rev<std::slice::Iter<'_, T>>) -> Result<Vec<R>, StoreError> + Sync,
) -> Result<Vec<R>, StoreError> {
    let judge = &judge;
    let runs: Vec<Result<Vec<R>, StoreError>> = std::thread::scope(|scope| {
        let threads: Vec<_> = items
            .chunks(run.max(1))
            .map(|run| scope.spawn(move || judge(run.iter().rev())))
            .collect();
        threads
            .into_iter()
            .map(|t| {
                t.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut results = Vec::with_capacity(items.len());
    for run in runs {
        let mut run = run?;
        run.reverse();
        results.extend(run);
    }
    Ok(results)
}

struct Auditor<'r> {
    trees: HistoryReader<'r>,
    /// Policies by the blobs of claims.toml and the checklists they were read from.
    /// Shared, not copied, with each commit judged by them: a copy per commit was a
    /// sixtieth of a full audit.
    policies: HashMap<(Option<Oid>, Option<Oid>), Rc<Policy>>,
    violations: Vec<Violation>,
    acceptances: Vec<Acceptance>,
}

impl Auditor<'_> {
    /// Audits one commit; returns whether it changed records.
    fn audit_commit(&mut self, oid: Oid, shallow_root: bool) -> Result<bool, StoreError> {
        if shallow_root {
            // Its parents are not in this clone: its records are the audit's starting point.
            return Ok(false);
        }
        let commit = self.trees.commit(oid)?;
        let tree = self.trees.tree(commit.tree)?;
        let mut parent_trees: Vec<RawTree> = Vec::with_capacity(commit.parents.len());
        for &parent in &commit.parents {
            let parent_tree = self.trees.commit(parent)?.tree;
            parent_trees.push(self.trees.tree(parent_tree)?);
        }
        let context = CommitContext::of(&commit);
        self.audit_acceptances(&context, &commit, &tree, &parent_trees)?;
        let deltas = self
            .trees
            .record_deltas(parent_trees.first().map(|t| t.id()), tree.id())?;
        if deltas.is_empty() {
            return Ok(false);
        }
        if parent_trees.len() > 1 {
            for delta in &deltas {
                self.audit_merge(&context, delta, &parent_trees)?;
            }
            return Ok(true);
        }
        let policy = self.policy_at(&tree)?;
        if policy.require_signed_commits && !commit.signed {
            self.report(
                &context,
                None,
                "",
                "unsigned",
                "changes records but is not signed".into(),
            );
        }
        let trailers = Trailers::parse(&commit.message);
        for delta in &deltas {
            self.audit_change(&context, &trailers, delta, &policy)?;
        }
        Ok(true)
    }

    fn audit_change(
        &mut self,
        context: &CommitContext,
        trailers: &Trailers,
        delta: &Delta,
        policy: &Policy,
    ) -> Result<(), StoreError> {
        let path = delta.path.as_str();
        let before = self.read(delta.before, path)?;
        let after = match self.committed_version(context, delta)? {
            Some(Some(record)) => record,
            Some(None) => return Ok(()),
            None => {
                self.report(
                    context,
                    id_from_path(path),
                    path,
                    "record-deleted",
                    "deletes a record; the workflow never deletes claims".into(),
                );
                return Ok(());
            }
        };
        let id = Some(after.id.to_string());
        if trailers.ids.is_empty() {
            self.report(
                context,
                id,
                path,
                "no-trailers",
                "changes a record without Claim-* trailers: the change did not go through claims"
                    .into(),
            );
            return Ok(());
        }
        if !trailers.ids.iter().any(|named| named == after.id.as_str()) {
            self.report(
                context,
                id,
                path,
                "trailer-mismatch",
                format!(
                    "changes {} but its Claim-Id trailers name {}",
                    after.id,
                    trailers.ids.join(", ")
                ),
            );
            return Ok(());
        }
        let Some(action) = trailers
            .action
            .as_deref()
            .and_then(|a| a.parse::<Action>().ok())
        else {
            self.report(
                context,
                id,
                path,
                "unknown-action",
                match trailers.action.as_deref() {
                    Some(named) => format!("its Claim-Action '{named}' is not an action of claims"),
                    None => "changes a record without a Claim-Action trailer".into(),
                },
            );
            return Ok(());
        };
        let before = match before {
            Some(Ok(record)) => Some(record),
            // The earlier version could not be read: this commit repairs it; judge it alone.
            Some(Err(_)) => Some(after.clone()),
            None => None,
        };
        if let Err(overreaches) = permitted::permitted(action, before.as_ref(), &after) {
            for overreach in overreaches {
                let message = overreach.to_string();
                self.report(context, id.clone(), path, overreach.rule(), message);
            }
        }
        match before {
            Some(before) if action == Action::Transition => {
                self.audit_transition(context, trailers, path, &before, &after, policy);
            }
            _ => {}
        }
        Ok(())
    }

    /// What a transition must also get right: its trailers, its history entry, its guards.
    fn audit_transition(
        &mut self,
        context: &CommitContext,
        trailers: &Trailers,
        path: &str,
        before: &Record,
        after: &Record,
        policy: &Policy,
    ) {
        let id = Some(after.id.to_string());
        if before.state == after.state {
            self.report(
                context,
                id,
                path,
                "transition-mismatch",
                format!(
                    "says it moves the claim but the state stays {}",
                    after.state
                ),
            );
            return;
        }
        let (from, to) = (trailers.from.as_deref(), trailers.to.as_deref());
        if from != Some(before.state.as_str()) || to != Some(after.state.as_str()) {
            self.report(
                context,
                id.clone(),
                path,
                "transition-mismatch",
                format!(
                    "moves the claim from {} to {} but its trailers say {} to {}",
                    before.state,
                    after.state,
                    from.unwrap_or("(none)"),
                    to.unwrap_or("(none)")
                ),
            );
        }
        match after.history.get(before.history.len()..) {
            Some([entry]) if entry.from == before.state && entry.to == after.state => {
                if entry.by != context.author {
                    self.report(
                        context,
                        id.clone(),
                        path,
                        "history-mismatch",
                        format!(
                            "the history says {} made the move, git says {}",
                            entry.by, context.author
                        ),
                    );
                }
            }
            _ => self.report(
                context,
                id.clone(),
                path,
                "history-mismatch",
                format!(
                    "the record's history does not record the move from {} to {}",
                    before.state, after.state
                ),
            ),
        }
        // The guards of the move, judged on the record as it was committed: its evidence,
        // its recorded checklist answers and the note of its new history entry.
        let request = MoveRequest {
            to: after.state,
            note: after.history.last().and_then(|t| t.note.clone()),
            confirmations: Confirmations::default(),
            unpublish: after.history.last().is_some_and(|t| t.retracted.is_some()),
        };
        let mut unmet: Vec<Unmet> =
            evidence_gaps(after, after.state, &Confirmations::default(), policy);
        unmet.extend(
            check_move(before, &request, policy)
                .into_iter()
                .filter(|u| matches!(u, Unmet::Note(_))),
        );
        for gap in unmet {
            self.report(
                context,
                id.clone(),
                path,
                "guard-not-held",
                format!("moved to {} although {gap}", after.state),
            );
        }
    }

    /// A change to the accepted findings must be the one `claims audit --accept` makes; a
    /// merge may bring together what branches accepted, and add nothing of its own.
    fn audit_acceptances(
        &mut self,
        context: &CommitContext,
        commit: &RawCommit,
        tree: &RawTree,
        parents: &[RawTree],
    ) -> Result<(), StoreError> {
        let after = self.trees.entry_id(tree, ACCEPTED_FILE)?;
        let mut before = Vec::with_capacity(parents.len());
        for parent in parents {
            before.push(self.trees.entry_id(parent, ACCEPTED_FILE)?);
        }
        if before.contains(&after) || (before.is_empty() && after.is_none()) {
            return Ok(());
        }
        let mut text = |blob: Option<Oid>| -> Result<Option<String>, StoreError> {
            Ok(match blob {
                Some(blob) => Some(String::from_utf8_lossy(&self.trees.blob(blob)?).into_owned()),
                None => None,
            })
        };
        let after = text(after)?.unwrap_or_default();
        let judged = if parents.len() > 1 {
            let mut known = Vec::new();
            for blob in before {
                if let Some(Ok(parent)) = text(blob)?.map(|t| Acceptances::from_toml(&t)) {
                    known.extend(parent.accepted);
                }
            }
            match Acceptances::from_toml(&after) {
                Ok(merged) if merged.accepted.iter().all(|a| known.contains(a)) => return Ok(()),
                Ok(_) => Err("the merge adds acceptances neither branch made".to_string()),
                Err(e) => Err(format!(
                    "the merge leaves the accepted findings unreadable: {e}"
                )),
            }
        } else {
            let before = text(before.first().copied().flatten())?;
            let trailers = Trailers::parse(&commit.message);
            let accepts = trailers
                .accepts
                .as_deref()
                .filter(|_| trailers.action.as_deref() == Some(Action::Accept.as_str()));
            added_acceptance(before.as_deref(), &after, accepts, &context.author)
                .map_err(|forgery| forgery.to_string())
        };
        match judged {
            Ok(acceptance) => self.acceptances.push(acceptance),
            Err(message) => self.report(context, None, ACCEPTED_FILE, "acceptance-forged", message),
        }
        Ok(())
    }

    /// A merge may bring together what branches did through the workflow; it may not decide
    /// a state of its own.
    fn audit_merge(
        &mut self,
        context: &CommitContext,
        delta: &Delta,
        parents: &[RawTree],
    ) -> Result<(), StoreError> {
        let path = delta.path.as_str();
        let Some(Some(merged)) = self.committed_version(context, delta)? else {
            return Ok(());
        };
        let mut states = BTreeSet::new();
        for parent in parents {
            let blob = self.trees.entry_id(parent, path)?;
            if let Some(Ok(record)) = self.read(blob, path)? {
                states.insert(record.state);
            }
        }
        if !states.is_empty() && !states.contains(&merged.state) {
            let states: Vec<&str> = states.iter().map(|s| s.as_str()).collect();
            self.report(
                context,
                Some(merged.id.to_string()),
                path,
                "merge-state-change",
                format!(
                    "the merge sets the state to {} but its parents have {}",
                    merged.state,
                    states.join(" and ")
                ),
            );
        }
        Ok(())
    }

    /// The record as the commit leaves it: None when the commit deletes it, Some(None) when it
    /// cannot be read (reported here, as nothing else about it can be judged).
    fn committed_version(
        &mut self,
        context: &CommitContext,
        delta: &Delta,
    ) -> Result<Option<Option<Record>>, StoreError> {
        Ok(match self.read(delta.after, &delta.path)? {
            Some(Ok(record)) => Some(Some(record)),
            Some(Err(message)) => {
                self.report(
                    context,
                    None,
                    &delta.path,
                    "unparsable",
                    format!("leaves the record unreadable: {message}"),
                );
                Some(None)
            }
            None => None,
        })
    }

    fn read(
        &mut self,
        blob: Option<Oid>,
        path: &str,
    ) -> Result<Option<Result<Record, String>>, StoreError> {
        let Some(blob) = blob else { return Ok(None) };
        let content = self.trees.blob(blob)?;
        Ok(Some(
            parse_record(path, &content).map_err(|e| e.to_string()),
        ))
    }

    fn policy_at(&mut self, tree: &RawTree) -> Result<Rc<Policy>, StoreError> {
        let key = (
            self.trees.entry_id(tree, POLICY_FILE)?,
            self.trees.entry_id(tree, CHECKLIST_FILE)?,
        );
        if let Some(policy) = self.policies.get(&key) {
            return Ok(Rc::clone(policy));
        }
        let trees = &mut self.trees;
        let mut text = |blob: Option<Oid>| -> Result<String, StoreError> {
            Ok(match blob {
                Some(blob) => String::from_utf8_lossy(&trees.blob(blob)?).into_owned(),
                None => String::new(),
            })
        };
        let checklists = match key.1 {
            Some(_) => Checklists::from_toml(&text(key.1)?).unwrap_or_default(),
            None => Checklists::default(),
        };
        // A policy that does not parse at some commit is judged by the defaults there;
        // `claims check` reports the broken file itself.
        let policy =
            Policy::from_toml(&text(key.0)?, checklists.clone()).unwrap_or_else(|_| Policy {
                checklists,
                ..Policy::default()
            });
        let policy = Rc::new(policy);
        self.policies.insert(key, Rc::clone(&policy));
        Ok(policy)
    }

    fn report(
        &mut self,
        context: &CommitContext,
        id: Option<String>,
        path: &str,
        rule: &str,
        message: String,
    ) {
        self.violations.push(Violation {
            id,
            path: path.to_string(),
            line: None,
            column: None,
            rule: rule.to_string(),
            message,
            commit: Some(context.short.clone()),
            author: Some(context.author.clone()),
        });
    }
}

struct CommitContext {
    short: String,
    author: String,
}

impl CommitContext {
    fn of(commit: &RawCommit) -> CommitContext {
        CommitContext {
            short: commit.id.to_string()[..8].to_string(),
            author: commit.author.clone(),
        }
    }
}

fn id_from_path(path: &str) -> Option<String> {
    Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
}

/// Record files whose working-tree or staged version differs from HEAD.
pub fn uncommitted(store: &Store) -> Result<Vec<Violation>, StoreError> {
    Ok(store
        .uncommitted_records()?
        .into_iter()
        .map(|found| Violation {
            id: id_from_path(&found.path),
            message: format!("has changes that are not committed ({})", found.how),
            path: found.path,
            line: None,
            column: None,
            rule: "uncommitted".into(),
            commit: None,
            author: None,
        })
        .collect())
}

/// The cache and its tip, when there is one, made under these rules, and its checksum holds.
fn read_cache(store: &Store) -> Option<(Oid, Cache)> {
    store
        .audit_cache(|cache: &Cache| Oid::from_str(&cache.tip).ok())
        .filter(|(_, cache)| cache.rules == RULES_VERSION)
}

/// Remembers the audit up to `tip` (see `Store::write_audit_cache`).
fn write_cache(store: &Store, tip: Oid, audit: &Audit) {
    store.write_audit_cache(
        tip,
        Cache {
            rules: RULES_VERSION,
            tip: tip.to_string(),
            audited: audit.audited,
            violations: audit.violations.iter().map(CachedViolation::from).collect(),
            acceptances: audit.acceptances.clone(),
        },
    );
}

impl From<&Violation> for CachedViolation {
    fn from(v: &Violation) -> Self {
        CachedViolation {
            id: v.id.clone(),
            path: v.path.clone(),
            rule: v.rule.clone(),
            message: v.message.clone(),
            commit: v.commit.clone(),
            author: v.author.clone(),
        }
    }
}

impl From<CachedViolation> for Violation {
    fn from(v: CachedViolation) -> Self {
        Violation {
            id: v.id,
            path: v.path,
            line: None,
            column: None,
            rule: v.rule,
            message: v.message,
            commit: v.commit,
            author: v.author,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_judged_newest_first_and_come_back_in_order() {
        let items: Vec<usize> = (0..10).collect();
        for run in [1, 3, 4, 10, 20] {
            let seen = std::sync::Mutex::new(Vec::new());
            let results = in_runs_newest_first(&items, run, |run| {
                let run: Vec<usize> = run.copied().collect();
                seen.lock().unwrap().push(run.clone());
                Ok(run.iter().map(|i| i * 10).collect())
            })
            .unwrap();
            assert_eq!(
                results,
                (0..10).map(|i| i * 10).collect::<Vec<_>>(),
                "run {run}"
            );
            for judged in seen.into_inner().unwrap() {
                assert!(judged.windows(2).all(|w| w[0] == w[1] + 1), "{judged:?}");
                assert!(judged.len() <= run);
            }
        }
    }

    #[test]
    fn a_failing_run_fails_the_whole() {
        let items: Vec<usize> = (0..10).collect();
        let result: Result<Vec<usize>, _> = in_runs_newest_first(&items, 3, |run| {
            let run: Vec<usize> = run.copied().collect();
            if run.contains(&7) {
                Err(StoreError::UnknownId("7".into()))
            } else {
                Ok(run)
            }
        });
        assert!(matches!(result, Err(StoreError::UnknownId(_))));
    }
}
