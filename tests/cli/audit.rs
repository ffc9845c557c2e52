use crate::harness::{REVIEWER, Repo};

/// Runs `claims audit --format json` and returns (exit code, report).
fn audit(repo: &Repo, args: &[&str]) -> (i32, serde_json::Value) {
    let mut full = vec!["audit", "--format", "json"];
    full.extend_from_slice(args);
    let output = repo.claims(&full).output().unwrap();
    let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&output.stdout));
    });
    (output.status.code().unwrap(), report)
}

fn rules(report: &serde_json::Value) -> Vec<String> {
    let mut rules: Vec<String> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule"].as_str().unwrap().to_string())
        .collect();
    rules.sort();
    rules
}

/// A repository where everything went through the workflow.
fn clean_history() -> (Repo, String) {
    let repo = Repo::new();
    let id = repo.claim_with_two_origins("Audited claim.");
    repo.ok(&["mark", &id, "sourced", "--all-checked"]);
    repo.ok(&["mark", &id, "corroborated", "--all-checked"]);
    repo.ok(&["publish", &id]);
    (repo, id)
}

#[test]
fn a_history_made_by_the_workflow_passes() {
    let (repo, _) = clean_history();
    let (code, report) = audit(&repo, &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["ok"], true);
    assert_eq!(report["checked"], 6);
    assert_eq!(repo.ok(&["audit"]), "audited 6 commits: ok\n");
}

#[test]
fn each_kind_of_change_outside_the_workflow_is_reported() {
    type Tamper = fn(&Repo, &str);
    let cases: &[(&str, Tamper)] = &[
        ("no-trailers", |repo, id| {
            repo.edit_record(id, "published = true", "published = false");
            repo.git(&["commit", "-qam", "Quietly unpublish"]);
        }),
        ("trailer-mismatch", |repo, id| {
            repo.edit_record(id, "published = true", "published = false");
            repo.git(&[
                "commit",
                "-qam",
                "Unpublish\n\nClaim-Id: zzzzzzzzzz\nClaim-Action: publish",
            ]);
        }),
        ("state-without-transition", |repo, id| {
            repo.edit_record(id, "state = \"corroborated\"", "state = \"disputed\"");
            let message = format!("Note\n\nClaim-Id: {id}\nClaim-Action: note");
            repo.git(&["commit", "-qam", &message]);
        }),
        ("record-deleted", |repo, id| {
            std::fs::remove_file(repo.record_path(id)).unwrap();
            let message = format!("Remove\n\nClaim-Id: {id}\nClaim-Action: edit");
            repo.git(&["commit", "-qam", &message]);
        }),
        ("history-rewritten", |repo, id| {
            repo.edit_record(id, "from = \"unverified\"", "from = \"disputed\"");
            let message = format!("Tidy\n\nClaim-Id: {id}\nClaim-Action: edit");
            repo.git(&["commit", "-qam", &message]);
        }),
    ];
    for (rule, tamper) in cases {
        let (repo, id) = clean_history();
        tamper(&repo, &id);
        let (code, report) = audit(&repo, &[]);
        let found = rules(&report);
        assert_eq!(code, 1, "{rule}: {report}");
        assert!(found.iter().any(|r| r == rule), "{rule}: {found:?}");
        let violation = &report["violations"][0];
        assert_eq!(
            violation["author"], "Git User <git@example.org>",
            "{report}"
        );
        assert_eq!(violation["commit"].as_str().unwrap().len(), 8);
        assert!(violation["path"].as_str().unwrap().starts_with("records/"));
    }
}

#[test]
fn a_transition_whose_guards_did_not_hold_is_reported() {
    let repo = Repo::new();
    let id = repo.add("Moved by hand without evidence.");
    let text = repo
        .read_record(&id)
        .replace("state = \"unverified\"", "state = \"corroborated\"")
        + &format!(
            "\n[[history]]\nfrom = \"unverified\"\nto = \"corroborated\"\nat = \"2026-03-01T09:00:00Z\"\nby = \"{REVIEWER}\"\n"
        );
    std::fs::write(repo.record_path(&id), text).unwrap();
    let message = format!(
        "Move\n\nClaim-Id: {id}\nClaim-Action: transition\nClaim-From: unverified\nClaim-To: corroborated"
    );
    repo.git(&[
        "-c",
        "user.name=Ana Ruiz",
        "-c",
        "user.email=ana@example.org",
        "commit",
        "-qam",
        &message,
    ]);
    let (code, report) = audit(&repo, &[]);
    assert_eq!(code, 1);
    let found = rules(&report);
    assert!(found.iter().all(|r| r == "guard-not-held"), "{found:?}");
    assert_eq!(found.len(), 3, "origins and two checklists: {report}");
}

#[test]
fn a_transition_that_lies_about_its_states_is_reported() {
    let repo = Repo::new();
    let id = repo.claim_with_two_origins("Trailers must tell the truth.");
    repo.edit_record(&id, "state = \"unverified\"", "state = \"sourced\"");
    let entry = format!(
        "\n[[history]]\nfrom = \"unverified\"\nto = \"sourced\"\nat = \"2026-03-01T09:00:00Z\"\nby = \"{REVIEWER}\"\n\n[checklist.sourced]\ndate = true\nlocation = true\nmotivation = true\nprovenance = true\nsource = true\n"
    );
    let text = repo.read_record(&id) + &entry;
    std::fs::write(repo.record_path(&id), text).unwrap();
    let message = format!(
        "Move\n\nClaim-Id: {id}\nClaim-Action: transition\nClaim-From: unverified\nClaim-To: corroborated"
    );
    repo.git(&[
        "-c",
        "user.name=Ana Ruiz",
        "-c",
        "user.email=ana@example.org",
        "commit",
        "-qam",
        &message,
    ]);
    let (_, report) = audit(&repo, &[]);
    assert_eq!(rules(&report), ["transition-mismatch"], "{report}");
}

#[test]
fn uncommitted_changes_to_records_are_reported_and_audit_writes_only_its_cache() {
    let (repo, id) = clean_history();
    repo.edit_record(&id, "published = true", "published = false");
    let status = repo.status();
    let (code, report) = audit(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(rules(&report), ["uncommitted"]);
    assert_eq!(repo.status(), status);
    assert!(repo.path().join(".git/claims/audit-cache.json").exists());
}

#[test]
fn repeated_audits_read_only_new_commits() {
    let (repo, id) = clean_history();
    let (_, first) = audit(&repo, &[]);
    assert_eq!(first["read"], 6);
    let cache = repo.path().join(".git/claims/audit-cache.json");
    let inode = || std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(&cache).unwrap());
    let written = inode();
    let (_, again) = audit(&repo, &[]);
    assert_eq!(again["read"], 0);
    assert_eq!(again["checked"], 6);
    assert_eq!(
        inode(),
        written,
        "nothing new, so the cache is not written again"
    );
    repo.ok(&["note", &id, "one more"]);
    let (_, after) = audit(&repo, &[]);
    assert_eq!(after["read"], 1);
    assert_eq!(after["checked"], 7);
    // A violation found once is still reported by later, cached audits.
    repo.edit_record(&id, "published = true", "published = false");
    repo.git(&["commit", "-qam", "Quietly unpublish"]);
    assert_eq!(rules(&audit(&repo, &[]).1), ["no-trailers"]);
    repo.ok(&["note", &id, "and another"]);
    let (code, cached) = audit(&repo, &[]);
    assert_eq!((code, cached["read"].as_u64()), (1, Some(1)));
    assert_eq!(rules(&cached), ["no-trailers"]);
    // --since audits only what came after a revision.
    let (code, since) = audit(&repo, &["--since", "HEAD~1"]);
    assert_eq!((code, since["checked"].as_u64()), (0, Some(1)));
}

#[test]
fn merges_of_workflow_branches_pass_and_a_merge_that_decides_a_state_does_not() {
    let repo = Repo::new();
    let a = repo.claim_with_two_origins("Claim on the first branch.");
    let b = repo.claim_with_two_origins("Claim on the second branch.");
    repo.git(&["checkout", "-qb", "side"]);
    repo.ok(&["mark", &a, "sourced", "--all-checked"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.ok(&["mark", &b, "sourced", "--all-checked"]);
    repo.git(&["merge", "-q", "--no-edit", "side"]);
    let (code, report) = audit(&repo, &[]);
    assert_eq!(code, 0, "{report}");

    repo.git(&["checkout", "-qb", "other"]);
    repo.ok(&["note", &a, "on the other branch"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "--no-commit", "other"]);
    repo.edit_record(&a, "state = \"sourced\"", "state = \"disputed\"");
    repo.git(&["commit", "-qam", "Merge and decide"]);
    let (code, report) = audit(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(rules(&report), ["merge-state-change"], "{report}");
}

#[test]
fn a_shallow_clone_says_so_and_raises_no_false_alarms() {
    let (origin, id) = clean_history();
    origin.ok(&["note", &id, "latest"]);
    let clone = tempfile::TempDir::new().unwrap();
    let url = format!("file://{}", origin.path().display());
    origin.git(&[
        "clone",
        "-q",
        "--depth",
        "2",
        &url,
        clone.path().to_str().unwrap(),
    ]);
    let output = origin
        .claims(&[
            "-C",
            clone.path().to_str().unwrap(),
            "audit",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_eq!(report["shallow"], true);
    assert_eq!(report["checked"], 1);
    let text = origin.sees(&["-C", clone.path().to_str().unwrap(), "audit"]);
    insta::assert_snapshot!(text, @"
    note: this is a shallow clone: history before its boundary is not here and was not audited (fetch it with: git fetch --unshallow)
    audited 1 commit: ok
    [exit status: 0]
    ");
}

/// `claims audit` of all history, as the user sees it, once with git's commit-graph files as
/// they are and once without them: the two must be the same, which is returned.
fn audited_alike_without_the_commit_graph(repo: &Repo) -> String {
    let full_audit = || {
        let _ = std::fs::remove_file(repo.path().join(".git/claims/audit-cache.json"));
        repo.sees(&["audit"])
    };
    let with_graph = full_audit();
    let info = repo.path().join(".git/objects/info");
    let aside = tempfile::TempDir::new().unwrap();
    for graph in ["commit-graph", "commit-graphs"] {
        if info.join(graph).exists() {
            std::fs::rename(info.join(graph), aside.path().join(graph)).unwrap();
        }
    }
    let without = full_audit();
    for graph in ["commit-graph", "commit-graphs"] {
        if aside.path().join(graph).exists() {
            std::fs::rename(aside.path().join(graph), info.join(graph)).unwrap();
        }
    }
    assert_eq!(with_graph, without);
    with_graph
}

/// A hand edit of the record of `id`, committed; returns the commit.
fn hand_edit(repo: &Repo, id: &str, from: &str, to: &str) -> String {
    repo.edit_record(id, from, to);
    repo.git(&["commit", "-qam", &format!("Hand edit: {to}")]);
    repo.head()
}

#[test]
fn a_commit_graph_full_stale_or_split_changes_nothing_the_audit_finds() {
    let repo = Repo::new();
    let a = repo.add("First claim.");
    let b = repo.add("Second claim.");
    let mut names = Vec::new();
    repo.git(&["commit-graph", "write", "--reachable"]);
    // Branches and merges, each with findings, listed in the order the walk takes them.
    repo.git(&["checkout", "-qb", "side"]);
    names.push((
        hand_edit(&repo, &a, "First claim.", "First, on side."),
        "SIDE-1",
    ));
    names.push((
        hand_edit(&repo, &a, "First, on side.", "First, on side again."),
        "SIDE-2",
    ));
    repo.git(&["checkout", "-q", "main"]);
    names.push((
        hand_edit(&repo, &b, "Second claim.", "Second, on main."),
        "MAIN-1",
    ));
    repo.git(&["merge", "-q", "--no-edit", "side"]);
    names.push((repo.head(), "MERGE-1"));
    audited_alike_without_the_commit_graph(&repo);

    repo.git(&["commit-graph", "write", "--reachable", "--split"]);
    repo.git(&["checkout", "-qb", "other"]);
    names.push((
        hand_edit(&repo, &b, "published = false", "published = true"),
        "OTHER-1",
    ));
    repo.git(&["checkout", "-q", "main"]);
    names.push((
        hand_edit(&repo, &a, "published = false", "published = true"),
        "MAIN-2",
    ));
    repo.git(&["commit-graph", "write", "--reachable", "--split=no-merge"]);
    let chain = repo
        .path()
        .join(".git/objects/info/commit-graphs/commit-graph-chain");
    assert_eq!(std::fs::read_to_string(chain).unwrap().lines().count(), 2);
    repo.git(&["merge", "-q", "--no-edit", "other"]);
    names.push((repo.head(), "MERGE-2"));
    names.push((
        hand_edit(&repo, &b, "Second, on main.", "Second, last."),
        "LAST",
    ));

    let names: Vec<(&str, &str)> = names.iter().map(|(c, n)| (c.as_str(), *n)).collect();
    let seen = named(audited_alike_without_the_commit_graph(&repo), &names);
    insta::assert_snapshot!(seen, @"
    MAIN-1 (Git User <git@example.org>) records/km/kmxgj6ml27.toml: no-trailers: changes a record without Claim-* trailers: the change did not go through claims
    SIDE-1 (Git User <git@example.org>) records/6c/6czqkw7ojm.toml: no-trailers: changes a record without Claim-* trailers: the change did not go through claims
    SIDE-2 (Git User <git@example.org>) records/6c/6czqkw7ojm.toml: no-trailers: changes a record without Claim-* trailers: the change did not go through claims
    MAIN-2 (Git User <git@example.org>) records/6c/6czqkw7ojm.toml: no-trailers: changes a record without Claim-* trailers: the change did not go through claims
    OTHER-1 (Git User <git@example.org>) records/km/kmxgj6ml27.toml: no-trailers: changes a record without Claim-* trailers: the change did not go through claims
    LAST (Git User <git@example.org>) records/km/kmxgj6ml27.toml: no-trailers: changes a record without Claim-* trailers: the change did not go through claims
    audited 10 commits: 6 violations
    [exit status: 1]
    ");
}

#[test]
fn a_shallow_clone_with_its_origins_commit_graph_is_audited_from_its_boundary() {
    let (origin, id) = clean_history();
    origin.ok(&["note", &id, "latest"]);
    origin.git(&["commit-graph", "write", "--reachable"]);
    let clone = origin.clone_with(&["--depth", "2"]);
    // git writes no commit-graph in a shallow clone, and reads none: one copied in lists
    // parents the clone does not have.
    std::fs::copy(
        origin.path().join(".git/objects/info/commit-graph"),
        clone.path().join(".git/objects/info/commit-graph"),
    )
    .unwrap();
    insta::assert_snapshot!(audited_alike_without_the_commit_graph(&clone), @"
    note: this is a shallow clone: history before its boundary is not here and was not audited (fetch it with: git fetch --unshallow)
    audited 1 commit: ok
    [exit status: 0]
    ");
}

#[test]
fn grafts_are_followed_with_a_commit_graph_as_without() {
    let (repo, id) = clean_history();
    repo.edit_record(&id, "published = true", "published = false");
    repo.git(&["commit", "-qam", "Quietly unpublish"]);
    repo.ok(&["note", &id, "latest"]);
    repo.git(&["commit-graph", "write", "--reachable"]);
    // The note's commit grafted as a root: git shows no history before it.
    std::fs::write(repo.path().join(".git/info/grafts"), repo.head() + "\n").unwrap();
    insta::assert_snapshot!(audited_alike_without_the_commit_graph(&repo), @"
    audited 1 commit: ok
    [exit status: 0]
    ");
}

#[test]
fn unsigned_commits_are_reported_when_the_policy_asks_for_signatures() {
    let (repo, id) = clean_history();
    std::fs::write(
        repo.path().join("claims.toml"),
        "[audit]\nrequire_signed_commits = true\n",
    )
    .unwrap();
    repo.git(&["commit", "-qam", "Require signatures"]);
    repo.ok(&["note", &id, "unsigned"]);
    let (code, report) = audit(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(rules(&report), ["unsigned"]);
}

#[test]
fn audit_formats_parse() {
    let (repo, id) = clean_history();
    repo.edit_record(&id, "published = true", "published = false");
    repo.git(&["commit", "-qam", "Quietly unpublish"]);
    let junit = repo.fails(&["audit", "--format", "junit"], 1);
    let xml = String::from_utf8(junit.stdout).unwrap();
    let document = roxmltree::Document::parse(&xml).unwrap();
    let failures: Vec<_> = document
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].attribute("type"), Some("no-trailers"));
    let github = repo.fails(&["audit", "--format", "github"], 1);
    let line = String::from_utf8(github.stdout).unwrap();
    assert!(
        line.starts_with(&format!(
            "::error file=records/{}/{id}.toml,title=no-trailers::",
            &id[..2]
        )),
        "{line}"
    );
}

#[test]
fn init_installs_the_github_workflow_that_runs_check_and_audit() {
    let repo = Repo::bare_git();
    repo.ok(&["init", "--ci", "github"]);
    let workflow =
        std::fs::read_to_string(repo.path().join(".github/workflows/claims.yml")).unwrap();
    assert!(
        workflow.contains("claims check --format github"),
        "{workflow}"
    );
    assert!(
        workflow.contains("claims audit --format github"),
        "{workflow}"
    );
    assert!(workflow.contains("fetch-depth: 0"), "{workflow}");
    let committed = repo.git(&["show", "--name-only", "--format=", "HEAD"]);
    assert!(
        committed.contains(".github/workflows/claims.yml"),
        "{committed}"
    );
    assert_eq!(repo.status(), "");
}

/// The audit finds under records/ exactly what `git status` finds, whichever way a file
/// changed, and reads the index the way git wrote it.
#[test]
fn uncommitted_changes_are_the_ones_git_status_lists() {
    for index_version in ["2", "4"] {
        let repo = Repo::new();
        repo.git(&["config", "index.version", index_version]);
        let ids: Vec<String> = ["Edited.", "Staged.", "Deleted.", "Touched.", "Untouched."]
            .iter()
            .map(|text| repo.add(text))
            .collect();
        std::fs::write(repo.path().join(".gitignore"), "*.swp\n").unwrap();
        repo.git(&["add", ".gitignore"]);
        repo.git(&["commit", "-qm", "Ignore swap files"]);
        // Same size, within the same second as the index: only the contents tell.
        repo.edit_record(&ids[0], "Edited.", "EDITED.");
        repo.edit_record(&ids[1], "Staged.", "STAGED.");
        repo.git(&["add", repo.record_path(&ids[1]).to_str().unwrap()]);
        std::fs::remove_file(repo.record_path(&ids[2])).unwrap();
        let touched = std::fs::File::options()
            .append(true)
            .open(repo.record_path(&ids[3]));
        touched
            .unwrap()
            .set_modified(std::time::SystemTime::now())
            .unwrap();
        std::fs::create_dir_all(repo.path().join("records/zz")).unwrap();
        std::fs::write(repo.path().join("records/zz/zzzzzzzzzz.toml"), "new\n").unwrap();
        std::fs::write(
            repo.path().join("records/zz/.zzzzzzzzzz.toml.swp"),
            "swap\n",
        )
        .unwrap();

        let (code, report) = audit(&repo, &[]);
        assert_eq!(code, 1);
        let mut found: Vec<(String, String)> = report["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["path"].as_str().unwrap().into(),
                    v["message"].as_str().unwrap().into(),
                )
            })
            .collect();
        found.sort();
        let path = |id: &str| format!("records/{}/{id}.toml", &id[..2]);
        let expected = [
            (path(&ids[0]), "modified"),
            (path(&ids[1]), "staged"),
            (path(&ids[2]), "deleted"),
            ("records/zz/zzzzzzzzzz.toml".to_string(), "untracked"),
        ];
        let mut expected: Vec<(String, String)> = expected
            .into_iter()
            .map(|(p, how)| (p, format!("has changes that are not committed ({how})")))
            .collect();
        expected.sort();
        assert_eq!(found, expected, "index version {index_version}");
        let listed = repo.git(&["status", "--porcelain", "-uall", "--", "records"]);
        let mut listed: Vec<&str> = listed.lines().map(|l| &l[3..]).collect();
        listed.sort();
        let ours: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(ours, listed);
    }
}

/// A folder whose names the audit remembers is not read again, but every file in it is still
/// looked at, and a folder that changed is read again.
#[test]
fn remembered_folders_still_show_every_change() {
    let repo = Repo::new();
    let ids: Vec<String> = ["Edited in place.", "Taken out of the index.", "Kept."]
        .iter()
        .map(|text| repo.add(text))
        .collect();
    let listings = repo.path().join(".git/claims/folders");
    assert_eq!(audit(&repo, &[]).0, 0);
    // Folders changed within two seconds of the listing are read again until they settle.
    std::thread::sleep(std::time::Duration::from_millis(2200));
    assert_eq!(audit(&repo, &[]).0, 0);
    let remembered = std::fs::read(&listings).unwrap();
    let written = std::fs::metadata(&listings).unwrap().modified().unwrap();
    assert_eq!(audit(&repo, &[]).0, 0);
    assert_eq!(
        std::fs::metadata(&listings).unwrap().modified().unwrap(),
        written,
        "nothing changed, no folder read again"
    );
    assert_eq!(std::fs::read(&listings).unwrap(), remembered);

    repo.edit_record(&ids[0], "Edited in place.", "EDITED IN PLACE.");
    let taken_out = repo.record_path(&ids[1]);
    repo.git(&["rm", "-q", "--cached", taken_out.to_str().unwrap()]);
    let kept = repo.record_path(&ids[2]);
    let beside = kept.with_file_name("zzzzzzzzzz.toml");
    std::fs::write(&beside, "new\n").unwrap();

    let (code, report) = audit(&repo, &[]);
    assert_eq!(code, 1);
    let found: Vec<String> = report["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| format!("{} {}", v["path"].as_str().unwrap(), v["message"]))
        .collect();
    let relative = |p: &std::path::Path| {
        p.strip_prefix(repo.path())
            .unwrap()
            .to_string_lossy()
            .into_owned()
    };
    for (path, how) in [
        (relative(&repo.record_path(&ids[0])), "modified"),
        (relative(&taken_out), "staged for removal"),
        (relative(&beside), "untracked"),
    ] {
        assert!(
            found
                .iter()
                .any(|f| f.starts_with(&path) && f.contains(how)),
            "{path} {how}: {found:?}"
        );
    }
}

#[test]
fn remembered_folders_are_not_rewritten_for_one_changed_folder() {
    let repo = Repo::new();
    let ids = repo.add_numbered(48, |n| format!("Claim number {n} of many."));
    let folders: std::collections::BTreeSet<_> = ids
        .iter()
        .map(|id| repo.record_path(id).parent().unwrap().to_path_buf())
        .collect();
    assert!(folders.len() > 32, "enough folders: {}", folders.len());
    let listings = repo.path().join(".git/claims/folders");
    // Every folder settled: the first scan reads them all and writes the list.
    std::thread::sleep(std::time::Duration::from_millis(2200));
    assert_eq!(audit(&repo, &[]).0, 0);
    let remembered = std::fs::read(&listings).unwrap();

    let stray = repo.record_path(&ids[0]).with_file_name("zzzzzzzzzz.toml");
    std::fs::write(&stray, "new\n").unwrap();
    let (code, report) = audit(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(rules(&report), ["uncommitted"], "{report}");
    assert_eq!(
        std::fs::read(&listings).unwrap(),
        remembered,
        "one folder in more than 32 changed: read again, not worth rewriting the list for"
    );
    // Still seen on the next scan, from the folder read again.
    assert_eq!(rules(&audit(&repo, &[]).1), ["uncommitted"]);
}

#[test]
fn a_damaged_pack_is_an_error_that_says_how_to_find_the_damage() {
    let repo = Repo::new();
    let id = repo.add("A claim whose record will be damaged in the pack.");
    repo.git(&["gc", "-q"]);
    let blob = repo.git(&["rev-parse", &format!("HEAD:records/{}/{id}.toml", &id[..2])]);
    let pack_dir = repo.path().join(".git/objects/pack");
    let idx = std::fs::read_dir(&pack_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "idx"))
        .unwrap();
    let listing = repo.git(&["verify-pack", "-v", idx.to_str().unwrap()]);
    let offset: u64 = listing
        .lines()
        .find(|line| line.starts_with(blob.trim()))
        .and_then(|line| line.split_whitespace().nth(4))
        .unwrap()
        .parse()
        .unwrap();
    // Overwrite the start of the record's compressed data.
    let pack = idx.with_extension("pack");
    let mut bytes = std::fs::read(&pack).unwrap();
    for byte in &mut bytes[offset as usize + 3..offset as usize + 15] {
        *byte = 0xff;
    }
    let mut permissions = std::fs::metadata(&pack).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&pack, permissions).unwrap();
    std::fs::write(&pack, bytes).unwrap();

    insta::assert_snapshot!(repo.sees(&["audit"]), @"
    ------- stderr -------
    error: git: incorrect header check
    hint: git's object store looks damaged; `git fsck` names what is broken, and a fresh clone of the shared repository has it whole
    [exit status: 2]
    ");
}

/// A workflow history, then a hand edit and its revert: two findings, one commit each.
fn edited_and_reverted() -> (Repo, String, String, String) {
    let (repo, id) = clean_history();
    repo.edit_record(&id, "published = true", "published = false");
    repo.git(&["commit", "-qam", "Quietly unpublish"]);
    let edited = repo.head();
    repo.edit_record(&id, "published = false", "published = true");
    repo.git(&["commit", "-qam", "Put it back"]);
    let reverted = repo.head();
    (repo, id, edited, reverted)
}

/// The output with commit ids, whole or short, replaced by names, so that it reads the same on
/// every run.
fn named(text: String, names: &[(&str, &str)]) -> String {
    names.iter().fold(text, |text, (commit, name)| {
        text.replace(*commit, name).replace(&commit[..8], name)
    })
}

#[test]
fn accepted_findings_are_listed_as_accepted_and_new_ones_still_fail() {
    let (repo, id, edited, reverted) = edited_and_reverted();
    assert_eq!(audit(&repo, &[]).0, 1);
    let accepted = repo.ok(&[
        "audit",
        "--accept",
        &edited[..10],
        "--note",
        "Unpublished by mistake; put back in the next commit.",
    ]);
    let acceptance = repo.head();
    assert_eq!(repo.status(), "");
    let names = [
        (edited.as_str(), "EDITED"),
        (reverted.as_str(), "REVERTED"),
        (acceptance.as_str(), "ACCEPTANCE"),
    ];
    insta::assert_snapshot!(named(last_message(&repo), &names), @"
    Accept the audit findings of EDITED: Unpublished by mistake; put back in the next comm…

    Unpublished by mistake; put back in the next commit.

    - records/uo/uohyklu7ze.toml no-trailers: changes a record without Claim-* trailers: the change did not go through claims

    Claim-Id: uohyklu7ze
    Claim-Action: accept
    Claim-Accepts: EDITED
    ");
    insta::assert_snapshot!(named(accepted, &names), @r#"
        accepted 1 finding of commit EDITED: commit ACCEPTANCE
        "#);
    // The revert is still a violation until it, too, is accepted.
    insta::assert_snapshot!(named(repo.sees(&["audit"]), &names), @"
    REVERTED (Git User <git@example.org>) records/uo/uohyklu7ze.toml: no-trailers: changes a record without Claim-* trailers: the change did not go through claims
    accepted: EDITED (Git User <git@example.org>) records/uo/uohyklu7ze.toml: no-trailers: changes a record without Claim-* trailers: the change did not go through claims
      accepted by Ana Ruiz <ana@example.org> on 2026-03-01: Unpublished by mistake; put back in the next commit.
    audited 8 commits: 1 violation
    [exit status: 1]
    ");
    repo.ok(&[
        "audit",
        "--accept",
        &reverted,
        "--note",
        "The revert of EDITED.",
    ]);
    insta::assert_snapshot!(named(repo.sees(&["audit"]), &names), @"
    accepted: EDITED (Git User <git@example.org>) records/uo/uohyklu7ze.toml: no-trailers: changes a record without Claim-* trailers: the change did not go through claims
      accepted by Ana Ruiz <ana@example.org> on 2026-03-01: Unpublished by mistake; put back in the next commit.
    accepted: REVERTED (Git User <git@example.org>) records/uo/uohyklu7ze.toml: no-trailers: changes a record without Claim-* trailers: the change did not go through claims
      accepted by Ana Ruiz <ana@example.org> on 2026-03-01: The revert of EDITED.
    audited 8 commits: ok, 2 findings accepted
    [exit status: 0]
    ");
    let (code, report) = audit(&repo, &[]);
    assert_eq!((code, report["accepted"].as_array().unwrap().len()), (0, 2));
    // Anything new is reported.
    repo.edit_record(&id, "published = true", "published = false");
    repo.git(&["commit", "-qam", "Quietly unpublish again"]);
    let (code, report) = audit(&repo, &[]);
    assert_eq!(code, 1);
    assert_eq!(rules(&report), ["no-trailers"]);
    assert_eq!(report["accepted"].as_array().unwrap().len(), 2);
}

#[test]
fn an_acceptance_is_refused_without_findings_twice_or_without_a_note() {
    let (repo, _, edited, _) = edited_and_reverted();
    let first = repo.git(&["rev-list", "--max-parents=0", "HEAD"]);
    repo.ok(&["audit", "--accept", &edited, "--note", "Reviewed."]);
    let before = repo.snapshot();
    let names = [(edited.as_str(), "EDITED"), (first.trim(), "FIRST")];
    insta::assert_snapshot!(
        named(repo.sees(&["audit", "--accept", &edited, "--note", "Again."]), &names),
        @"
    ------- stderr -------
    error: the findings of commit EDITED are already accepted, by Ana Ruiz <ana@example.org>: Reviewed.
    [exit status: 2]
    "
    );
    insta::assert_snapshot!(
        named(repo.sees(&["audit", "--accept", first.trim(), "--note", "Fine."]), &names),
        @"
    ------- stderr -------
    error: commit FIRST has no audit findings to accept
    hint: see the findings and their commits with: claims audit
    [exit status: 2]
    "
    );
    assert_eq!(
        repo.fails(&["audit", "--accept", &edited], 2).status.code(),
        Some(2)
    );
    assert_eq!(
        repo.fails(&["audit", "--accept", "nosuchrev", "--note", "x"], 2)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        repo.snapshot(),
        before,
        "a refused acceptance changes nothing"
    );
}

#[test]
fn a_hand_made_acceptance_is_a_finding_and_accepts_nothing() {
    let (repo, _, edited, reverted) = edited_and_reverted();
    repo.ok(&["audit", "--accept", &edited, "--note", "Reviewed."]);
    // Copy the tool's entry for the other commit and commit it with plain git, with the
    // trailers of an acceptance; then change the note of the real one without trailers.
    let path = repo.path().join("audit/accepted.toml");
    let file = std::fs::read_to_string(&path).unwrap();
    let forged = file.replace(&edited, &reverted);
    std::fs::write(&path, format!("{file}\n{forged}")).unwrap();
    let trailers = format!("Accept the revert\n\nClaim-Action: accept\nClaim-Accepts: {reverted}");
    repo.git(&["commit", "-qam", &trailers]);
    let with_trailers = repo.head();
    let file = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        file.replacen("Reviewed.", "Reviewed by the desk.", 1),
    )
    .unwrap();
    repo.git(&["commit", "-qam", "Say who reviewed it"]);
    let plain = repo.head();
    let names = [
        (edited.as_str(), "EDITED"),
        (reverted.as_str(), "REVERTED"),
        (plain.as_str(), "PLAIN"),
        (with_trailers.as_str(), "TRAILERS"),
    ];
    insta::assert_snapshot!(named(repo.sees(&["audit"]), &names), @"
    REVERTED (Git User <git@example.org>) records/uo/uohyklu7ze.toml: no-trailers: changes a record without Claim-* trailers: the change did not go through claims
    TRAILERS (Git User <git@example.org>) audit/accepted.toml: acceptance-forged: says Ana Ruiz <ana@example.org> accepted the findings, git says Git User <git@example.org>
    PLAIN (Git User <git@example.org>) audit/accepted.toml: acceptance-forged: changes the accepted audit findings without going through claims audit --accept
    accepted: EDITED (Git User <git@example.org>) records/uo/uohyklu7ze.toml: no-trailers: changes a record without Claim-* trailers: the change did not go through claims
      accepted by Ana Ruiz <ana@example.org> on 2026-03-01: Reviewed.
    audited 8 commits: 3 violations
    [exit status: 1]
    ");
}

fn last_message(repo: &Repo) -> String {
    repo.git(&["log", "-1", "--format=%B"])
}
