//! Crash safety: a write killed at each of its steps leaves a repository that the next command
//! (or `claims doctor`) finds consistent or repairs, with no record lost or corrupted.

use crate::harness::Repo;

/// The steps a write can be killed at, and whether the change survives the repair.
const STEPS: [(&str, bool); 5] = [
    ("after-record-written", false),
    ("after-commit-written", false),
    ("before-index-refresh", false),
    ("after-index-refreshed", false),
    ("after-branch-moved", true),
];

/// A repository with one claim, and a note that is killed at `step`.
fn crash_at(step: &str) -> (Repo, String, String) {
    let repo = Repo::new();
    let id = repo.claim_with_two_origins("A claim that survives crashes.");
    let before = repo.read_record(&id);
    let output = repo
        .claims(&["note", &id, "written during a crash"])
        .env("CLAIMS_FAULT", step)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        None,
        "{step}: the process should have been killed"
    );
    (repo, id, before)
}

fn assert_sound(repo: &Repo, id: &str, before: &str, survives: bool, step: &str) {
    let record = repo.read_record(id);
    if survives {
        assert!(
            record.contains("written during a crash"),
            "{step}: the committed note was lost"
        );
        assert!(
            record.starts_with(
                before
                    .trim_end_matches('\n')
                    .split("[[sources]]")
                    .next()
                    .unwrap()
            )
        );
    } else {
        assert_eq!(record, before, "{step}: the record should be as committed");
    }
    assert_eq!(repo.status(), "", "{step}");
    repo.ok(&["check"]);
    repo.ok(&["audit"]);
    repo.git(&["fsck", "--no-progress", "--no-dangling"]);
    // The repair released git's locks the killed write held, the branch's too: git commits.
    std::fs::write(repo.path().join("hand.txt"), "after the repair\n").unwrap();
    repo.git(&["add", "hand.txt"]);
    repo.git(&["commit", "-q", "-m", "Hand edit after the repair"]);
}

/// The transcript of `claims ARGS` after a crash at `step`, headed by the step, with the
/// claim's id shown as ID: one entry of a snapshot of every step.
fn seen_after(step: &str, repo: &Repo, id: &str, args: &[&str]) -> String {
    let output = repo.claims(args).output().unwrap();
    format!(
        "# {step}\n{}",
        repo.transcript(args, &output).replace(id, "ID")
    )
}

#[test]
fn doctor_repairs_a_write_killed_at_any_step() {
    let mut transcript = String::new();
    for (step, survives) in STEPS {
        let (repo, id, before) = crash_at(step);
        // Read-only commands say what happened without touching anything.
        transcript.push_str(&seen_after(step, &repo, &id, &["check"]));
        transcript.push_str(&seen_after(step, &repo, &id, &["doctor"]));
        assert_sound(&repo, &id, &before, survives, step);
        assert_eq!(
            repo.ok(&["doctor"]),
            "ok: no interrupted change\nthe repository is sound\n"
        );
    }
    insta::assert_snapshot!(transcript, @r#"
    # after-record-written
    $ claims ["check"]
    checked 1 claim: ok
    ------- stderr -------
    warning: an earlier claims command was interrupted in the middle of a change; `claims doctor` finishes or undoes it (so does the next command that changes a record)
    [exit status: 0]
    # after-record-written
    $ claims ["doctor"]
    repaired: an interrupted change had not been committed; put back records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    # after-commit-written
    $ claims ["check"]
    checked 1 claim: ok
    ------- stderr -------
    warning: an earlier claims command was interrupted in the middle of a change; `claims doctor` finishes or undoes it (so does the next command that changes a record)
    [exit status: 0]
    # after-commit-written
    $ claims ["doctor"]
    repaired: an interrupted change had not been committed; put back records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    # before-index-refresh
    $ claims ["check"]
    checked 1 claim: ok
    ------- stderr -------
    warning: an earlier claims command was interrupted in the middle of a change; `claims doctor` finishes or undoes it (so does the next command that changes a record)
    [exit status: 0]
    # before-index-refresh
    $ claims ["doctor"]
    repaired: an interrupted change had not been committed; put back records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    # after-index-refreshed
    $ claims ["check"]
    checked 1 claim: ok
    ------- stderr -------
    warning: an earlier claims command was interrupted in the middle of a change; `claims doctor` finishes or undoes it (so does the next command that changes a record)
    [exit status: 0]
    # after-index-refreshed
    $ claims ["doctor"]
    repaired: an interrupted change had not been committed; put back records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    # after-branch-moved
    $ claims ["check"]
    checked 1 claim: ok
    ------- stderr -------
    warning: an earlier claims command was interrupted in the middle of a change; `claims doctor` finishes or undoes it (so does the next command that changes a record)
    [exit status: 0]
    # after-branch-moved
    $ claims ["doctor"]
    repaired: an interrupted change was committed; refreshed git's index for records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    "#);
}

#[test]
fn the_next_change_repairs_an_interrupted_write_first() {
    for (step, survives) in STEPS {
        let (repo, id, _) = crash_at(step);
        repo.ok(&["note", &id, "the next change"]);
        let record = repo.read_record(&id);
        assert!(record.contains("the next change"), "{step}");
        assert_eq!(
            record.contains("written during a crash"),
            survives,
            "{step}"
        );
        assert_eq!(repo.status(), "", "{step}");
        repo.ok(&["check"]);
        repo.ok(&["audit"]);
    }
}

#[test]
fn a_new_claim_killed_before_its_commit_disappears_cleanly() {
    let mut transcript = String::new();
    for (step, _) in STEPS.iter().filter(|(_, survives)| !survives) {
        let repo = Repo::new();
        let head = repo.head();
        let output = repo
            .claims(&["add", "A claim added during a crash."])
            .env("CLAIMS_FAULT", step)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), None, "{step}");
        assert!(repo.path().join("records").exists(), "{step}");
        let id = repo.git(&["ls-files", "--cached", "--others", "records"]);
        let id = id
            .trim()
            .trim_end_matches(".toml")
            .rsplit('/')
            .next()
            .unwrap();
        transcript.push_str(&seen_after(step, &repo, id, &["doctor"]));
        assert_eq!(repo.head(), head, "{step}");
        assert_eq!(repo.git(&["ls-files", "records"]), "", "{step}");
        assert_eq!(repo.status(), "", "{step}");
        assert_eq!(repo.ok(&["list"]), "no claims match\n", "{step}");
    }
    insta::assert_snapshot!(transcript, @r#"
    # after-record-written
    $ claims ["doctor"]
    repaired: an interrupted change had not been committed; put back records/vy/ID.toml
    the repository is sound
    [exit status: 0]
    # after-commit-written
    $ claims ["doctor"]
    repaired: an interrupted change had not been committed; put back records/vy/ID.toml
    the repository is sound
    [exit status: 0]
    # before-index-refresh
    $ claims ["doctor"]
    repaired: an interrupted change had not been committed; put back records/vy/ID.toml
    the repository is sound
    [exit status: 0]
    # after-index-refreshed
    $ claims ["doctor"]
    repaired: an interrupted change had not been committed; put back records/vy/ID.toml
    the repository is sound
    [exit status: 0]
    "#);
}

#[test]
fn a_record_emptied_after_its_commit_landed_is_written_again_from_git() {
    let (repo, id, _) = crash_at("after-branch-moved");
    // A power cut can leave a file that was never flushed empty.
    std::fs::write(repo.record_path(&id), "").unwrap();
    insta::assert_snapshot!(repo.sees(&["doctor"]).replace(&id, "ID"), @"
    repaired: an interrupted change was committed; refreshed git's index for records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    ");
    assert!(repo.read_record(&id).contains("written during a crash"));
    assert_eq!(repo.status(), "");
    repo.ok(&["check"]);
}

/// Appends a line to the record of `id`, as a hand edit after a crash would; returns the
/// record's path and what it now holds.
fn edit_by_hand(repo: &Repo, id: &str) -> (std::path::PathBuf, String) {
    let path = repo.record_path(id);
    let edited = format!(
        "{}# checked by hand after the crash\n",
        std::fs::read_to_string(&path).unwrap()
    );
    std::fs::write(&path, &edited).unwrap();
    (path, edited)
}

/// A record edited by hand after the crash, the commit being in place, keeps the edit: the
/// repair refreshes the index to the commit and leaves the change unstaged.
#[test]
fn a_hand_edit_after_a_crash_whose_commit_landed_is_kept() {
    let (repo, id, _) = crash_at("after-branch-moved");
    let (path, edited) = edit_by_hand(&repo, &id);
    let relative = format!("records/{}/{id}.toml", &id[..2]);
    insta::assert_snapshot!(repo.sees(&["doctor"]).replace(&id, "ID"), @"
    repaired: an interrupted change was committed; refreshed git's index for records/5n/ID.toml
    kept: records/5n/ID.toml was changed after the interrupted change; `git diff records/5n/ID.toml` shows the change against the commit
    needs you: records/5n/ID.toml has changes that are not committed (modified) (commit it, or discard it: git checkout -- records/5n/ID.toml)
    [exit status: 1]
    ");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
    assert_eq!(repo.status(), format!(" M {relative}\n"));
    assert_eq!(repo.git(&["diff", "--cached", "--name-only"]), "");
}

/// A record edited by hand after a crash whose commit never landed is left as the user has
/// it, and the index is put back: no commit takes the uncommitted note for committed.
#[test]
fn a_hand_edit_after_a_crash_whose_commit_never_landed_is_left_and_unstaged() {
    let (repo, id, _) = crash_at("after-index-refreshed");
    let (path, edited) = edit_by_hand(&repo, &id);
    insta::assert_snapshot!(repo.sees(&["doctor"]).replace(&id, "ID"), @"
    needs you: an interrupted change could not be repaired: records/5n/ID.toml was changed again after the interrupted write; its change is in the working file, unstaged; compare `git status` with `git log -1`
    needs you: records/5n/ID.toml has changes that are not committed (modified) (commit it, or discard it: git checkout -- records/5n/ID.toml)
    [exit status: 1]
    ");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
    assert_eq!(repo.git(&["diff", "--cached", "--name-only"]), "");
    // The hint doctor gives brings back the committed version.
    let relative = format!("records/{}/{id}.toml", &id[..2]);
    repo.git(&["checkout", "--", &relative]);
    assert!(!repo.read_record(&id).contains("written during a crash"));
    assert_eq!(repo.status(), "");
}

/// HEAD naming the branch through a symbolic branch, as a write follows it: the repair finds
/// the interrupted write its own.
#[test]
fn a_crash_on_a_branch_reached_through_a_symbolic_branch_is_repaired() {
    let repo = Repo::new();
    let id = repo.claim_with_two_origins("A claim on an aliased branch.");
    let before = repo.read_record(&id);
    repo.git(&["symbolic-ref", "refs/heads/alias", "refs/heads/main"]);
    repo.git(&["symbolic-ref", "HEAD", "refs/heads/alias"]);
    let output = repo
        .claims(&["note", &id, "written during a crash"])
        .env("CLAIMS_FAULT", "after-index-refreshed")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), None);
    insta::assert_snapshot!(repo.sees(&["doctor"]).replace(&id, "ID"), @"
    repaired: an interrupted change had not been committed; put back records/si/ID.toml
    the repository is sound
    [exit status: 0]
    ");
    assert_sound(&repo, &id, &before, false, "aliased");
}

/// HEAD detached by hand after a crash (`git switch` cannot while the write's index lock is
/// there, `git update-ref --no-deref` can): the refusal names the branch and the command that
/// puts HEAD back, and after it the repair goes on as if HEAD had never moved.
#[test]
fn a_head_detached_after_a_crash_is_pointed_back_at_its_branch() {
    let (repo, id, before) = crash_at("after-branch-moved");
    repo.git(&["update-ref", "--no-deref", "HEAD", "HEAD"]);
    let at = repo.git(&["rev-parse", "--short=12", "HEAD"]);
    insta::assert_snapshot!(repo.sees(&["doctor"]).replace(at.trim(), "AT"), @"
    ------- stderr -------
    error: HEAD was detached (at AT) after a claims change on refs/heads/main was interrupted, and that change can be repaired only with HEAD on its branch
    hint: point HEAD back at that branch with: git symbolic-ref HEAD refs/heads/main (git switch cannot while the change holds git's index lock), then run `claims doctor`, which repairs it
    [exit status: 2]
    ");
    repo.git(&["symbolic-ref", "HEAD", "refs/heads/main"]);
    insta::assert_snapshot!(repo.sees(&["doctor"]).replace(&id, "ID"), @"
    repaired: an interrupted change was committed; refreshed git's index for records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    ");
    assert_sound(&repo, &id, &before, true, "detached");
}

#[test]
fn a_journal_cut_short_while_written_is_no_interrupted_change() {
    let (repo, id, before) = crash_at("after-record-written");
    let journal = repo.path().join(".git/claims/journal");
    let written = std::fs::read(&journal).unwrap();
    insta::assert_snapshot!(repo.sees(&["doctor"]).replace(&id, "ID"), @"
    repaired: an interrupted change had not been committed; put back records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    ");
    // Killed while the journal itself was written: nothing had been changed yet, and no
    // command sends the user to `claims doctor`.
    std::fs::write(&journal, &written[..written.len() / 2]).unwrap();
    insta::assert_snapshot!(repo.sees(&["check"]), @"
    checked 1 claim: ok
    [exit status: 0]
    ");
    assert_eq!(
        repo.ok(&["doctor"]),
        "ok: no interrupted change\nthe repository is sound\n"
    );
    assert_eq!(repo.read_record(&id), before);
    repo.ok(&["note", &id, "after the cut"]);
    assert!(repo.read_record(&id).contains("after the cut"));
    assert_eq!(repo.status(), "");
}

#[test]
fn a_journal_left_by_an_older_version_is_repaired() {
    let mut transcript = String::new();
    for (step, survives) in STEPS {
        let (repo, id, before) = crash_at(step);
        // Older versions kept the journal as journal.json, created and deleted per write.
        let claims = repo.path().join(".git/claims");
        std::fs::rename(claims.join("journal"), claims.join("journal.json")).unwrap();
        transcript.push_str(&seen_after(step, &repo, &id, &["check"]));
        transcript.push_str(&seen_after(step, &repo, &id, &["doctor"]));
        assert!(!claims.join("journal.json").exists(), "{step}");
        assert_sound(&repo, &id, &before, survives, step);
    }
    insta::assert_snapshot!(transcript, @r#"
    # after-record-written
    $ claims ["check"]
    checked 1 claim: ok
    ------- stderr -------
    warning: an earlier claims command was interrupted in the middle of a change; `claims doctor` finishes or undoes it (so does the next command that changes a record)
    [exit status: 0]
    # after-record-written
    $ claims ["doctor"]
    repaired: an interrupted change had not been committed; put back records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    # after-commit-written
    $ claims ["check"]
    checked 1 claim: ok
    ------- stderr -------
    warning: an earlier claims command was interrupted in the middle of a change; `claims doctor` finishes or undoes it (so does the next command that changes a record)
    [exit status: 0]
    # after-commit-written
    $ claims ["doctor"]
    repaired: an interrupted change had not been committed; put back records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    # before-index-refresh
    $ claims ["check"]
    checked 1 claim: ok
    ------- stderr -------
    warning: an earlier claims command was interrupted in the middle of a change; `claims doctor` finishes or undoes it (so does the next command that changes a record)
    [exit status: 0]
    # before-index-refresh
    $ claims ["doctor"]
    repaired: an interrupted change had not been committed; put back records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    # after-index-refreshed
    $ claims ["check"]
    checked 1 claim: ok
    ------- stderr -------
    warning: an earlier claims command was interrupted in the middle of a change; `claims doctor` finishes or undoes it (so does the next command that changes a record)
    [exit status: 0]
    # after-index-refreshed
    $ claims ["doctor"]
    repaired: an interrupted change had not been committed; put back records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    # after-branch-moved
    $ claims ["check"]
    checked 1 claim: ok
    ------- stderr -------
    warning: an earlier claims command was interrupted in the middle of a change; `claims doctor` finishes or undoes it (so does the next command that changes a record)
    [exit status: 0]
    # after-branch-moved
    $ claims ["doctor"]
    repaired: an interrupted change was committed; refreshed git's index for records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    "#);
}

/// A plain `git add other && git commit` right after a crash never reverts the tool's change:
/// git refuses while the crashed write's index lock stands, or, where the write had not taken
/// anything from git, commits the record as the branch has it. Doctor then repairs.
#[test]
fn a_plain_git_commit_after_a_crash_never_reverts_the_change() {
    for (step, survives) in STEPS {
        let (repo, id, before) = crash_at(step);
        std::fs::write(repo.path().join("other.txt"), "other\n").unwrap();
        let committed = repo.git_output(&["add", "other.txt"]).status.success()
            && repo
                .git_output(&["commit", "-q", "-m", "Other file"])
                .status
                .success();
        let path = format!("records/{}/{id}.toml", &id[..2]);
        let at_head = repo.git(&["show", &format!("HEAD:{path}")]);
        assert_eq!(
            at_head.contains("written during a crash"),
            survives,
            "{step}: git's commit {}",
            if committed {
                "undid the change"
            } else {
                "was refused, yet"
            }
        );
        let report = repo.ok(&["doctor"]);
        assert!(
            report.ends_with("the repository is sound\n"),
            "{step}: {report}"
        );
        if !committed {
            repo.git(&["add", "other.txt"]);
            repo.git(&["commit", "-q", "-m", "Other file"]);
        }
        assert_sound(&repo, &id, &before, survives, step);
        assert_eq!(
            repo.git(&["show", &format!("HEAD:{path}")]),
            repo.read_record(&id),
            "{step}"
        );
    }
}

/// A write killed in a linked worktree is that worktree's to repair: a write in the main
/// worktree leaves its record, index and journal alone, and the linked worktree's next
/// command repairs its own.
#[test]
fn a_crash_in_a_linked_worktree_is_repaired_there_only() {
    for (step, survives) in STEPS {
        let repo = Repo::new();
        let id = repo.claim_with_two_origins("A claim in two worktrees.");
        let before = repo.read_record(&id);
        let place = tempfile::TempDir::new().unwrap();
        let linked = place.path().join("side");
        let linked_arg = linked.to_str().unwrap();
        repo.git(&["worktree", "add", "-q", "-b", "side", linked_arg]);
        let record = |root: &std::path::Path| {
            std::fs::read_to_string(root.join(format!("records/{}/{id}.toml", &id[..2]))).unwrap()
        };
        let output = repo
            .claims(&["-C", linked_arg, "note", &id, "written during a crash"])
            .env("CLAIMS_FAULT", step)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), None, "{step}");
        let linked_record = record(&linked);
        let linked_index = std::fs::read(repo.path().join(".git/worktrees/side/index")).unwrap();

        repo.ok(&["note", &id, "written in main"]);
        let main_record = repo.read_record(&id);
        assert!(main_record.contains("written in main"), "{step}");
        assert!(!main_record.contains("written during a crash"), "{step}");
        assert_eq!(repo.status(), "", "{step}");
        assert_eq!(record(&linked), linked_record, "{step}");
        assert_eq!(
            std::fs::read(repo.path().join(".git/worktrees/side/index")).unwrap(),
            linked_index,
            "{step}"
        );

        let report = repo.ok(&["-C", linked_arg, "doctor"]);
        assert!(
            report.ends_with("the repository is sound\n"),
            "{step}: {report}"
        );
        let repaired = record(&linked);
        assert_eq!(
            repaired.contains("written during a crash"),
            survives,
            "{step}"
        );
        if !survives {
            assert_eq!(repaired, before, "{step}");
        }
        repo.ok(&["-C", linked_arg, "note", &id, "written in side"]);
        let status = repo.git(&["-C", linked_arg, "status", "--porcelain"]);
        assert_eq!(status, "", "{step}");
        repo.ok(&["-C", linked_arg, "audit"]);
        repo.ok(&["audit"]);
        repo.git(&["fsck", "--no-progress", "--no-dangling"]);
    }
}

/// An index lock that is not the crashed write's (removed by hand, then taken by a git that
/// is running) is never released by the repair: the command waits for it, then says so.
#[test]
fn a_lock_git_took_after_a_crash_is_never_taken_for_the_crashed_writes() {
    let (repo, id, _) = crash_at("after-branch-moved");
    let lock = repo.path().join(".git/index.lock");
    std::fs::remove_file(&lock).unwrap();
    std::fs::write(&lock, "a git at work\n").unwrap();
    let output = repo
        .claims(&["doctor"])
        .env("CLAIMS_LOCK_TIMEOUT", "0")
        .output()
        .unwrap();
    insta::assert_snapshot!(repo.shown(&output), @"
    ------- stderr -------
    error: git's index is locked (REPO/.git/index.lock); waited 0 ms
    hint: nothing was changed; if no git command is running, the lock was left by one that was killed: remove it (rm REPO/.git/index.lock) and run this again; `claims doctor` lists every such lock
    [exit status: 2]
    ");
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), "a git at work\n");
    // Once that git is done, the repair finishes.
    std::fs::remove_file(&lock).unwrap();
    insta::assert_snapshot!(repo.sees(&["doctor"]).replace(&id, "ID"), @"
    repaired: an interrupted change was committed; refreshed git's index for records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    ");
    assert!(repo.read_record(&id).contains("written during a crash"));
    assert_eq!(repo.status(), "");
}

/// The crashed write's lock on the branch removed by hand and the branch locked again by a
/// git that is moving it: the repair waits for that git, never decides from a branch being
/// moved, and refuses, changing nothing, until it is done.
#[test]
fn a_repair_never_acts_while_a_git_holds_the_branchs_lock() {
    let (repo, id, _) = crash_at("after-index-refreshed");
    let written = repo.read_record(&id);
    for left in [
        ".git/index.lock",
        ".git/HEAD.lock",
        ".git/refs/heads/main.lock",
    ] {
        std::fs::remove_file(repo.path().join(left)).unwrap();
    }
    let lock = repo.path().join(".git/refs/heads/main.lock");
    std::fs::write(&lock, "").unwrap();
    let before = repo.snapshot();
    let output = repo
        .claims(&["doctor"])
        .env("CLAIMS_LOCK_TIMEOUT", "0")
        .output()
        .unwrap();
    insta::assert_snapshot!(repo.shown(&output), @"
    ------- stderr -------
    error: the branch is locked (REPO/.git/refs/heads/main.lock); waited 0 ms
    hint: nothing was changed; if no git command is running, the lock was left by one that was killed: remove it (rm REPO/.git/refs/heads/main.lock) and run this again; `claims doctor` lists every such lock
    [exit status: 2]
    ");
    assert_eq!(repo.snapshot(), before);
    assert_eq!(repo.read_record(&id), written);
    // Once that git is done, the repair finishes.
    std::fs::remove_file(&lock).unwrap();
    insta::assert_snapshot!(repo.sees(&["doctor"]).replace(&id, "ID"), @"
    repaired: an interrupted change had not been committed; put back records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    ");
    assert!(!lock.exists());
}

/// A repair killed too, while it held the lock it took on the branch: the next one knows the
/// lock for its own, finishes, and releases it.
#[test]
fn a_repair_killed_holding_the_branchs_lock_is_repaired_in_turn() {
    let mut transcript = String::new();
    // Older versions kept the journal as journal.json, which the repair takes over.
    for journal in ["journal", "journal.json"] {
        let (repo, id, before) = crash_at("after-branch-moved");
        let claims = repo.path().join(".git/claims");
        std::fs::rename(claims.join("journal"), claims.join(journal)).unwrap();
        let output = repo
            .claims(&["doctor"])
            .env("CLAIMS_FAULT", "before-index-refresh")
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            None,
            "{journal}: the repair was not killed"
        );
        assert!(repo.path().join(".git/refs/heads/main.lock").exists());
        transcript.push_str(&seen_after(journal, &repo, &id, &["doctor"]));
        assert_sound(&repo, &id, &before, true, journal);
    }
    insta::assert_snapshot!(transcript, @r#"
    # journal
    $ claims ["doctor"]
    repaired: an interrupted change was committed; refreshed git's index for records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    # journal.json
    $ claims ["doctor"]
    repaired: an interrupted change was committed; refreshed git's index for records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    "#);
}

/// A write killed in a linked worktree while it held the branch's lock: the main worktree's
/// doctor points at that worktree, whose doctor repairs it and releases the lock, and does not
/// call the lock one a git command left (removing it by hand would let a commit in before the
/// repair).
#[test]
fn the_main_worktrees_doctor_points_at_a_linked_worktrees_interrupted_write() {
    let repo = Repo::new();
    let id = repo.claim_with_two_origins("A claim written in a linked worktree.");
    let place = tempfile::TempDir::new().unwrap();
    let linked = place.path().join("side");
    let linked_arg = linked.to_str().unwrap();
    repo.git(&["worktree", "add", "-q", "-b", "side", linked_arg]);
    let output = repo
        .claims(&["-C", linked_arg, "note", &id, "written during a crash"])
        .env("CLAIMS_FAULT", "after-index-refreshed")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), None);
    let before = repo.snapshot();
    let output = repo.fails(&["doctor"], 1);
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout).replace(linked_arg, "SIDE"), @r"
    ok: no interrupted change
    needs you: .git/worktrees/side/claims/journal holds an interrupted change on branch side, for its worktree to repair; run `claims doctor` in SIDE, which repairs it (its lock .git/refs/heads/side.lock keeps every commit off side until then)
    ");
    assert_eq!(repo.snapshot(), before);
    let report = repo.sees(&["-C", linked_arg, "doctor"]);
    insta::assert_snapshot!(report.replace(&id, "ID"), @"
    repaired: an interrupted change had not been committed; put back records/z2/ID.toml
    the repository is sound
    [exit status: 0]
    ");
    assert!(!repo.path().join(".git/refs/heads/side.lock").exists());
    repo.ok(&["doctor"]);
}

/// A journal an older version left in the shared git directory for a write in a linked
/// worktree: the main worktree's doctor points at the worktree it belongs to and leaves it,
/// and that worktree's doctor repairs it.
/// A linked worktree with the main worktree's branch checked out too never takes the main
/// worktree's interrupted write for its own: it points there, and the repair happens there.
#[test]
fn a_linked_worktree_on_the_same_branch_leaves_the_main_worktrees_write_alone() {
    let repo = Repo::new();
    let id = repo.claim_with_two_origins("A claim on a branch checked out twice.");
    let before_record = repo.read_record(&id);
    let place = tempfile::TempDir::new().unwrap();
    let linked = place.path().join("twin");
    let linked_arg = linked.to_str().unwrap();
    repo.git(&["worktree", "add", "-q", "--detach", linked_arg]);
    repo.git(&[
        "-C",
        linked_arg,
        "checkout",
        "-q",
        "--ignore-other-worktrees",
        "main",
    ]);
    let output = repo
        .claims(&["note", &id, "written during a crash"])
        .env("CLAIMS_FAULT", "after-index-refreshed")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), None);
    let before = repo.snapshot();
    let output = repo.fails(&["-C", linked_arg, "doctor"], 1);
    let main = repo.path().to_str().unwrap();
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout).replace(main, "MAIN"), @"
    ok: no interrupted change
    needs you: MAIN/.git/claims/journal holds an interrupted change on branch main, for its worktree to repair; run `claims doctor` in MAIN, which repairs it (its lock MAIN/.git/refs/heads/main.lock keeps every commit off main until then)
    ");
    assert_eq!(repo.snapshot(), before);
    // A change there is refused with the same place to repair, not a lock to remove.
    let output = repo
        .claims(&["-C", linked_arg, "note", &id, "written beside"])
        .env("CLAIMS_LOCK_TIMEOUT", "0")
        .output()
        .unwrap();
    insta::assert_snapshot!(repo.shown(&output), @"
    ------- stderr -------
    error: the branch is locked (REPO/.git/refs/heads/main.lock) by an interrupted change of another worktree
    hint: nothing was changed; run `claims doctor` in REPO, which repairs that change and releases the lock; removed by hand, the lock would let commits in before the repair, which a plain `git commit` there could then undo
    [exit status: 2]
    ");
    assert_eq!(repo.snapshot(), before);
    let report = repo.sees(&["doctor"]);
    insta::assert_snapshot!(report.replace(&id, "ID"), @"
    repaired: an interrupted change had not been committed; put back records/wv/ID.toml
    the repository is sound
    [exit status: 0]
    ");
    assert_eq!(repo.read_record(&id), before_record);
    assert_eq!(repo.status(), "");
    repo.ok(&["-C", linked_arg, "doctor"]);
}

#[test]
fn an_older_versions_journal_is_repaired_only_where_its_branch_is_checked_out() {
    let repo = Repo::new();
    let id = repo.claim_with_two_origins("A claim an older version was writing.");
    let place = tempfile::TempDir::new().unwrap();
    let linked = place.path().join("side");
    let linked_arg = linked.to_str().unwrap();
    repo.git(&["worktree", "add", "-q", "-b", "side", linked_arg]);
    let output = repo
        .claims(&["-C", linked_arg, "note", &id, "written during a crash"])
        .env("CLAIMS_FAULT", "after-branch-moved")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), None);
    let shared = repo.path().join(".git/claims/journal.json");
    std::fs::rename(
        repo.path().join(".git/worktrees/side/claims/journal"),
        &shared,
    )
    .unwrap();
    let output = repo.fails(&["doctor"], 1);
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout).replace(linked_arg, "SIDE"), @r"
    ok: no interrupted change
    needs you: .git/claims/journal.json holds an interrupted change on branch side, for its worktree to repair; run `claims doctor` in SIDE, which repairs it
    ");
    repo.ok(&["note", &id, "written in main"]);
    assert!(shared.exists());
    assert_eq!(repo.status(), "");
    let report = repo.sees(&["-C", linked_arg, "doctor"]);
    insta::assert_snapshot!(report.replace(&id, "ID"), @"
    repaired: an interrupted change was committed; refreshed git's index for records/gy/ID.toml
    the repository is sound
    [exit status: 0]
    ");
    assert!(!shared.exists());
    assert_eq!(repo.git(&["-C", linked_arg, "status", "--porcelain"]), "");
    assert_eq!(
        repo.ok(&["doctor"]),
        "ok: no interrupted change\nthe repository is sound\n"
    );
}

/// A crashed write's index lock removed by hand (git's own message says to), then a commit:
/// the pre-commit hook refuses while the write is interrupted, so the half-done change is
/// never swept into the user's commit; after `claims doctor` the commit goes through.
#[test]
fn a_commit_while_a_write_is_interrupted_is_refused_by_the_hook() {
    let (repo, id, before) = crash_at("after-index-refreshed");
    std::fs::remove_file(repo.path().join(".git/index.lock")).unwrap();
    std::fs::write(repo.path().join("other.txt"), "other\n").unwrap();
    repo.git(&["add", "other.txt"]);
    let head = repo.head();
    let output = repo.git_output(&["commit", "-q", "-m", "Other file"]);
    insta::assert_snapshot!(crate::harness::user_sees(&output), @r"
    ------- stderr -------
    error: an interrupted claims write is not finished; committing now would commit it half done
    hint: run `claims doctor`, which finishes or undoes it, then commit again
    [exit status: 1]
    ");
    assert_eq!(repo.head(), head);
    repo.ok(&["doctor"]);
    repo.git(&["commit", "-q", "-m", "Other file"]);
    assert_eq!(repo.read_record(&id), before);
    assert_eq!(
        repo.git(&["show", "--name-only", "--format=", "HEAD"]),
        "other.txt\n"
    );
    assert_eq!(repo.status(), "");
}

/// A write killed inside libgit2's move of the branch: the reflogs already name the new commit,
/// and its id may be in the branch's lock, but the lock is not yet renamed over the branch. No
/// fault point reaches inside libgit2, so the test does by hand what it had done. The repair
/// finishes the move, so that the branch and its reflog agree; a lock holding any other commit
/// is not the write's, and is left for its owner.
#[test]
fn a_write_killed_inside_the_branch_move_is_finished() {
    let mut transcript = String::new();
    let forgeries = [
        "a commit with one more file",
        "its tree under another message",
    ];
    for lock_holds in ["nothing", "the new commit", "another commit"]
        .into_iter()
        .chain(forgeries)
    {
        let (repo, id, before) = crash_at("after-index-refreshed");
        let base = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
        let unreachable = repo.git(&["fsck", "--no-progress", "--unreachable", "--no-reflogs"]);
        let made = unreachable
            .lines()
            .find_map(|line| line.strip_prefix("unreachable commit "))
            .expect("the write's commit")
            .to_string();
        let entry =
            format!("{base} {made} Reviewer <r@example.org> 1700000000 +0000\tcommit: Note\n");
        for log in [".git/logs/refs/heads/main", ".git/logs/HEAD"] {
            let mut file = std::fs::OpenOptions::new()
                .append(true)
                .open(repo.path().join(log))
                .unwrap();
            std::io::Write::write_all(&mut file, entry.as_bytes()).unwrap();
        }
        let lock = repo.path().join(".git/refs/heads/main.lock");
        // Commits with the write's parent and files that are not the write's, made by hand.
        let forged = |tree: &str, message: &str| {
            repo.git(&["commit-tree", tree, "-p", &base, "-m", message])
                .trim()
                .to_string()
        };
        let in_lock = match lock_holds {
            "nothing" => String::new(),
            "the new commit" => format!("{made}\n"),
            "a commit with one more file" => {
                let index = repo.path().join(".git/forged-index");
                let in_index = |args: &[&str]| {
                    let output = repo
                        .git_command(args)
                        .env("GIT_INDEX_FILE", &index)
                        .output()
                        .unwrap();
                    assert!(output.status.success(), "{args:?}");
                    String::from_utf8(output.stdout).unwrap().trim().to_string()
                };
                in_index(&["read-tree", &format!("{made}^{{tree}}")]);
                std::fs::write(repo.path().join(".git/extra"), "not the write's\n").unwrap();
                let blob = repo.git(&["hash-object", "-w", ".git/extra"]);
                let entry = format!("100644,{},extra.txt", blob.trim());
                in_index(&["update-index", "--add", "--cacheinfo", &entry]);
                format!("{}\n", forged(&in_index(&["write-tree"]), "Note"))
            }
            "its tree under another message" => {
                format!(
                    "{}\n",
                    forged(&format!("{made}^{{tree}}"), "Another message")
                )
            }
            _ => format!("{base}\n"),
        };
        // Written in place, as libgit2 writes it: the same file, a later time.
        let mut file = std::fs::OpenOptions::new().write(true).open(&lock).unwrap();
        std::io::Write::write_all(&mut file, in_lock.as_bytes()).unwrap();
        drop(file);

        transcript.push_str(&format!("# the lock holds {lock_holds}\n"));
        transcript.push_str(&seen_after("doctor", &repo, &id, &["doctor"]).replacen(
            "# doctor\n",
            "",
            1,
        ));
        if lock_holds == "another commit" || forgeries.contains(&lock_holds) {
            assert_eq!(repo.git(&["rev-parse", "HEAD"]).trim(), base);
            assert_eq!(repo.read_record(&id), before);
            assert!(lock.exists());
            continue;
        }
        assert_eq!(
            repo.git(&["rev-parse", "HEAD"]).trim(),
            made,
            "{lock_holds}"
        );
        assert!(!lock.exists(), "{lock_holds}");
        assert_eq!(
            repo.git(&["reflog", "-1", "--format=%H", "main"]).trim(),
            made,
            "{lock_holds}"
        );
        assert_sound(&repo, &id, &before, true, lock_holds);
    }
    insta::assert_snapshot!(transcript, @r#"
    # the lock holds nothing
    $ claims ["doctor"]
    repaired: an interrupted change was committed; refreshed git's index for records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    # the lock holds the new commit
    $ claims ["doctor"]
    repaired: an interrupted change was committed; refreshed git's index for records/5n/ID.toml
    the repository is sound
    [exit status: 0]
    # the lock holds another commit
    $ claims ["doctor"]
    repaired: an interrupted change had not been committed; put back records/5n/ID.toml
    needs you: .git/refs/heads/main.lock is a lock left by a git command that was killed, or one still running; while it exists no commit can move refs/heads/main: git commit and claims changes there fail. If no git command is running, remove it: rm .git/refs/heads/main.lock
    [exit status: 1]
    # the lock holds a commit with one more file
    $ claims ["doctor"]
    repaired: an interrupted change had not been committed; put back records/5n/ID.toml
    needs you: .git/refs/heads/main.lock is a lock left by a git command that was killed, or one still running; while it exists no commit can move refs/heads/main: git commit and claims changes there fail. If no git command is running, remove it: rm .git/refs/heads/main.lock
    [exit status: 1]
    # the lock holds its tree under another message
    $ claims ["doctor"]
    repaired: an interrupted change had not been committed; put back records/5n/ID.toml
    needs you: .git/refs/heads/main.lock is a lock left by a git command that was killed, or one still running; while it exists no commit can move refs/heads/main: git commit and claims changes there fail. If no git command is running, remove it: rm .git/refs/heads/main.lock
    [exit status: 1]
    "#);
}
