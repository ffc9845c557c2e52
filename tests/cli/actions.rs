//! Each action's meaning, as `claims audit` judges it: what the tool's own commands commit
//! passes, and a commit made with plain git that carries an action's trailers but changes
//! more than that action allows is reported.

use crate::harness::{Repo, describe};

/// `claims audit` as the user sees it: exit status, then what it printed.
fn audit_output(repo: &Repo) -> String {
    let output = repo.claims(&["audit"]).output().unwrap();
    format!(
        "exit {}\n{}",
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap()
    )
}

fn write(repo: &Repo, path: &str, text: &str) {
    let path = repo.path().join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn every_command_commits_only_what_its_action_allows() {
    let repo = Repo::new();
    write(
        &repo,
        "seeds/a.txt",
        "Floods\n\nThe river rose 3 metres in one night, the mayor said.\n\
         The council spent 2 million euros on dikes in 2024, officials said.\n",
    );
    repo.git(&["add", "seeds"]);
    repo.git(&["commit", "-qm", "Seed article"]);
    repo.ok(&["extract", "seeds"]);
    write(
        &repo,
        "seeds/b.txt",
        "Dikes\n\nThe council spent 2 million euros on dikes in 2024, the paper reported.\n",
    );
    repo.ok(&["extract", "seeds"]);
    let id = repo
        .ok(&[
            "add",
            "The bridge closed 12 times last year.",
            "--claimant",
            "The mayor",
            "--tag",
            "roads",
            "--document",
            "seeds/a.txt",
            "--line",
            "3",
        ])
        .trim()
        .to_string();
    for (url, publisher) in [
        ("https://one.example/a", "One Daily"),
        ("https://two.example/b", "Two Times"),
    ] {
        repo.ok(&["source", "add", &id, "--url", url, "--publisher", publisher]);
    }
    repo.ok(&["mark", &id, "sourced", "--all-checked"]);
    repo.ok(&["mark", &id, "corroborated", "--all-checked"]);
    repo.ok(&["publish", &id, "--url", "https://news.example/bridge"]);
    repo.ok(&["note", &id, "The council confirmed the count."]);
    repo.ok(&["unpublish", &id]);
    repo.ok(&["mark", &id, "sourced", "--note", "Rechecking the count."]);
    let url = "https://three.example/c";
    repo.ok(&[
        "source",
        "add",
        &id,
        "--url",
        url,
        "--stance",
        "contradicts",
    ]);
    repo.ok(&["mark", &id, "disputed", "--note", "A third count says 9."]);
    repo.ok(&[
        "mark",
        &id,
        "sourced",
        "--note",
        "The third count is of months.",
        "--all-checked",
    ]);
    repo.ok(&[
        "source",
        "rebut",
        &id,
        "--url",
        url,
        "--note",
        "It counted months.",
    ]);
    repo.ok(&["mark", &id, "corroborated", "--all-checked"]);
    repo.ok(&[
        "source",
        "add",
        &id,
        "--url",
        "https://four.example/d",
        "--publisher",
        "Four Post",
    ]);
    repo.ok(&[
        "source",
        "edit",
        &id,
        "--url",
        "https://four.example/d",
        "--origin",
        "One Daily",
        "--note",
        "It credits One Daily.",
    ]);
    repo.ok(&[
        "source",
        "remove",
        &id,
        "--url",
        "https://four.example/d",
        "--note",
        "A copy.",
    ]);
    repo.ok(&[
        "source",
        "add",
        &id,
        "--document",
        "seeds/a.txt",
        "--publisher",
        "Floods Weekly",
    ]);
    repo.ok(&["publish", &id]);
    repo.ok(&[
        "mark",
        &id,
        "unverified",
        "--unpublish",
        "--note",
        "correction: start over.",
    ]);

    repo.ok(&["mark", &id, "corroborated", "--all-checked"]);
    repo.ok(&[
        "verdict",
        &id,
        "--rating",
        "True",
        "--url",
        "https://news.example/bridge",
    ]);
    repo.ok(&[
        "verdict",
        &id,
        "--withdraw",
        "--note",
        "The page was taken down.",
    ]);
    let kept = repo.add("The bridge was closed 12 times in 2025.");
    repo.ok(&[
        "dismiss",
        &kept,
        "--reason",
        "out-of-scope",
        "--note",
        "Another desk.",
    ]);
    repo.ok(&["undismiss", &kept, "--note", "Ours after all."]);
    repo.ok(&[
        "add",
        "The bridge closed twelve times last year.",
        "--document",
        "seeds/b.txt",
        "--line",
        "3",
    ]);
    let duplicate = repo.ok(&["list", "--format", "json"]);
    let duplicate: Vec<serde_json::Value> = serde_json::from_str(&duplicate).unwrap();
    let duplicate = duplicate
        .iter()
        .find(|c| c["text"].as_str().unwrap().contains("twelve"))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    repo.ok(&[
        "dismiss",
        &duplicate,
        "--reason",
        "duplicate",
        "--duplicate-of",
        &kept,
    ]);

    let output = repo.claims(&["audit"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert_eq!(
        String::from_utf8(output.stdout).unwrap(),
        format!("audited {} commits: ok\n", repo.commit_count() - 2)
    );
}

fn append(repo: &Repo, id: &str, toml: &str) {
    let text = repo.read_record(id) + toml;
    std::fs::write(repo.record_path(id), text).unwrap();
}

/// Commits everything with plain git, under the given action's trailers.
fn forge(repo: &Repo, id: &str, subject: &str, action: &str) {
    let message = format!("{subject}\n\nClaim-Id: {id}\nClaim-Action: {action}");
    repo.git(&["commit", "-qam", &message]);
}

#[test]
fn a_forged_commit_of_every_action_is_reported() {
    let repo = Repo::new();
    let id = repo.corroborated("The bridge closed 12 times last year.");
    repo.ok(&["publish", &id]);
    repo.ok(&["note", &id, "The council confirmed the count."]);
    let disputed = repo.disputed("The bridge cost 5 million.", "https://audit.example/r");
    let clean = repo.commit_count();

    repo.edit_record(&id, "The bridge closed 12", "The bridge closed 2");
    forge(&repo, &id, "create: rewrites a claim", "create");
    repo.edit_record(
        &id,
        "published = true",
        "published = true\ntags = [\"roads\"]",
    );
    forge(&repo, &id, "extract: adds tags", "extract");
    repo.edit_record(
        &id,
        "origin = \"Two Times\"\nstance = \"supports\"",
        "origin = \"Nobody\"\nstance = \"contradicts\"",
    );
    forge(&repo, &id, "source: flips a stance and an origin", "source");
    repo.edit_record(
        &id,
        "origin = \"One Daily\"",
        "origin = \"One Daily\"\nrebuttal = \"Retracted.\"",
    );
    forge(&repo, &id, "source: rebuts a supporting source", "source");
    repo.edit_record(&disputed, "published = false", "published = true");
    forge(&repo, &disputed, "transition: publishes", "transition");
    repo.edit_record(
        &id,
        "published = true",
        "published = false\nclaimant = \"Me\"",
    );
    forge(
        &repo,
        &id,
        "publish: unpublishes and names a claimant",
        "publish",
    );
    repo.edit_record(&id, "The bridge closed 2", "The bridge closed 20");
    forge(&repo, &id, "note: rewrites the claim's text", "note");
    repo.edit_record(&id, "published = false", "published = true");
    forge(&repo, &id, "note: publishes", "note");
    repo.edit_record(&id, "The council confirmed", "Nobody confirmed");
    forge(&repo, &id, "note: rewrites an older note", "note");
    repo.edit_record(
        &id,
        "url = \"https://one.example/a\"",
        "url = \"https://one.example/b\"",
    );
    forge(&repo, &id, "edit: swaps a source", "edit");
    repo.edit_record(&id, "Nobody confirmed", "Someone confirmed");
    forge(&repo, &id, "accept: rewrites a note", "accept");
    repo.edit_record(&id, "Someone confirmed", "Everyone confirmed");
    forge(&repo, &id, "tidy: an action that does not exist", "tidy");
    let dismissal = "\n[[dismissals]]\nreason = \"out-of-scope\"\nat = \"2026-03-01T09:00:00Z\"\n\
                     by = \"Git User <git@example.org>\"\n";
    append(&repo, &disputed, dismissal);
    repo.edit_record(&disputed, "The bridge cost 5", "The bridge cost 50");
    forge(&repo, &disputed, "dismiss: rewrites the claim", "dismiss");
    repo.edit_record(
        &disputed,
        "reason = \"out-of-scope\"",
        "reason = \"not-check-worthy\"",
    );
    forge(
        &repo,
        &disputed,
        "undismiss: changes the reason",
        "undismiss",
    );
    repo.edit_record(&id, "origin = \"One Daily\"", "origin = \"Reuters\"");
    forge(
        &repo,
        &id,
        "source-edit: no correction recorded",
        "source-edit",
    );
    let record = repo.read_record(&id);
    let second = record.rfind("[[sources]]").unwrap();
    let end = record[second..]
        .find("\n\n")
        .map_or(record.len(), |n| second + n);
    std::fs::write(
        repo.record_path(&id),
        format!("{}{}", &record[..second], &record[end..]),
    )
    .unwrap();
    forge(
        &repo,
        &id,
        "source-remove: deletes a source",
        "source-remove",
    );
    append(
        &repo,
        &disputed,
        "\n[verdict]\nrating = \"False\"\nurl = \"https://news.example/c\"\n\
         at = \"2026-03-01T09:00:00Z\"\nby = \"Git User <git@example.org>\"\n",
    );
    repo.edit_record(&disputed, "published = true", "published = false");
    forge(&repo, &disputed, "verdict: unpublishes", "verdict");
    write(
        &repo,
        "records/zz/zzzzzzzz.toml",
        "id = \"zzzzzzzz\"\ntext = \"Made by hand.\"\nstate = \"unverified\"\n\
         published = false\ncreated = \"2026-03-01T09:00:00Z\"\n",
    );
    repo.git(&["add", "records"]);
    forge(&repo, "zzzzzzzz", "note: creates a claim", "note");

    // The findings name each forged commit by its subject, so that they read as a table.
    let forged = format!("HEAD~{}..", repo.commit_count() - clean);
    let subjects = repo.git(&["log", "--format=%H %s", &forged]);
    let mut shown = audit_output(&repo);
    for line in subjects.lines() {
        let (hash, subject) = line.split_once(' ').unwrap();
        shown = shown.replace(&format!("{} (", &hash[..8]), &format!("[{subject}] ("));
    }
    shown = shown.replace(&id, "ID").replace(&disputed, "DISPUTED");
    insta::assert_snapshot!(shown, @r#"
        exit 1
        [create: rewrites a claim] (Git User <git@example.org>) records/32/ID.toml: action-overreach: changes text in a commit whose action is 'create'
        [extract: adds tags] (Git User <git@example.org>) records/32/ID.toml: action-overreach: changes tags in a commit whose action is 'extract'
        [source: flips a stance and an origin] (Git User <git@example.org>) records/32/ID.toml: action-overreach: changes the origin and stance of source https://two.example/b; a 'source' commit may not
        [source: rebuts a supporting source] (Git User <git@example.org>) records/32/ID.toml: action-overreach: changes the rebuttal of source https://one.example/a; a 'source' commit may not
        [transition: publishes] (Git User <git@example.org>) records/kt/DISPUTED.toml: action-overreach: changes published in a commit whose action is 'transition'
        [transition: publishes] (Git User <git@example.org>) records/kt/DISPUTED.toml: transition-mismatch: says it moves the claim but the state stays disputed
        [publish: unpublishes and names a claimant] (Git User <git@example.org>) records/32/ID.toml: action-overreach: changes claimant in a commit whose action is 'publish'
        [note: rewrites the claim's text] (Git User <git@example.org>) records/32/ID.toml: action-overreach: changes text in a commit whose action is 'note'
        [note: publishes] (Git User <git@example.org>) records/32/ID.toml: action-overreach: changes published in a commit whose action is 'note'
        [note: rewrites an older note] (Git User <git@example.org>) records/32/ID.toml: action-overreach: rewrites or removes earlier notes; a 'note' commit only adds
        [edit: swaps a source] (Git User <git@example.org>) records/32/ID.toml: action-overreach: deletes source https://one.example/a from the record; withdrawing a source keeps it (claims source remove)
        [edit: swaps a source] (Git User <git@example.org>) records/32/ID.toml: action-overreach: adds 1 to sources in a commit whose action is 'edit'
        [accept: rewrites a note] (Git User <git@example.org>) records/32/ID.toml: action-overreach: changes notes in a commit whose action is 'accept'
        [tidy: an action that does not exist] (Git User <git@example.org>) records/32/ID.toml: unknown-action: its Claim-Action 'tidy' is not an action of claims
        [dismiss: rewrites the claim] (Git User <git@example.org>) records/kt/DISPUTED.toml: action-overreach: changes text in a commit whose action is 'dismiss'
        [undismiss: changes the reason] (Git User <git@example.org>) records/kt/DISPUTED.toml: action-overreach: changes the dismissals; an 'undismiss' commit only marks the last one undone
        [source-edit: no correction recorded] (Git User <git@example.org>) records/32/ID.toml: action-overreach: changes the origin of source https://one.example/b without recording the values replaced in its corrections
        [source-remove: deletes a source] (Git User <git@example.org>) records/32/ID.toml: action-overreach: deletes source https://two.example/b from the record; withdrawing a source keeps it (claims source remove)
        [verdict: unpublishes] (Git User <git@example.org>) records/kt/DISPUTED.toml: action-overreach: changes published in a commit whose action is 'verdict'
        [note: creates a claim] (Git User <git@example.org>) records/zz/zzzzzzzz.toml: action-creates: creates the record, which a 'note' commit never does
        audited 28 commits: 20 violations
        "#);
}

/// The record's text without its `[verdict]` table, and that table's keys.
fn without_verdict(record: &str) -> (String, String) {
    let start = record
        .find("\n[verdict]\n")
        .expect("the record has a verdict");
    let keys_start = start + "\n[verdict]\n".len();
    let end = record[keys_start..]
        .find("\n\n")
        .map_or(record.len(), |n| keys_start + n + 1);
    let keys = record[keys_start..end].to_string();
    (format!("{}{}", &record[..start + 1], &record[end..]), keys)
}

/// A withdrawn verdict as a person would write it by hand.
fn withdrawn_table(verdict_keys: &str) -> String {
    format!(
        "\n[[withdrawn_verdicts]]\n\n[withdrawn_verdicts.verdict]\n{verdict_keys}\n\
         [withdrawn_verdicts.withdrawn]\nat = \"2026-03-01T09:00:00Z\"\n\
         by = \"Git User <git@example.org>\"\nnote = \"Wrong claim.\"\n"
    )
}

#[test]
fn a_verdict_withdrawal_that_changes_more_or_keeps_no_record_is_reported() {
    let repo = Repo::new();
    let claims: Vec<String> = [
        "The tunnel cost 4 million.",
        "The road cost 9 million.",
        "The dam cost 7 million.",
    ]
    .iter()
    .map(|text| {
        let id = repo.disputed(text, "https://no.example/c");
        repo.ok(&[
            "verdict",
            &id,
            "--rating",
            "False",
            "--url",
            "https://news.example/c",
        ]);
        id
    })
    .collect();
    let (rewrites, drops, misrecords) = (&claims[0], &claims[1], &claims[2]);
    let clean = repo.commit_count();

    // The withdrawal as the tool writes it, by hand, except that the claim is rewritten too.
    let (rest, verdict) = without_verdict(&repo.read_record(rewrites));
    let forged =
        rest.replace("The tunnel cost 4", "The tunnel cost 40") + &withdrawn_table(&verdict);
    std::fs::write(repo.record_path(rewrites), forged).unwrap();
    forge(
        &repo,
        rewrites,
        "verdict: withdraws and rewrites the claim",
        "verdict",
    );
    // Withdrawn, with nothing kept of it in the record.
    let (rest, _) = without_verdict(&repo.read_record(drops));
    std::fs::write(repo.record_path(drops), rest).unwrap();
    forge(&repo, drops, "verdict: drops the verdict", "verdict");
    // Withdrawn, recording another rating than the one it had.
    let (rest, verdict) = without_verdict(&repo.read_record(misrecords));
    let misrecorded = withdrawn_table(&verdict.replace("\"False\"", "\"Misleading\""));
    std::fs::write(repo.record_path(misrecords), rest + &misrecorded).unwrap();
    forge(
        &repo,
        misrecords,
        "verdict: records another rating",
        "verdict",
    );

    let forged = format!("HEAD~{}..", repo.commit_count() - clean);
    let subjects = repo.git(&["log", "--format=%H %s", &forged]);
    let mut shown = audit_output(&repo);
    for line in subjects.lines() {
        let (hash, subject) = line.split_once(' ').unwrap();
        shown = shown.replace(&format!("{} (", &hash[..8]), &format!("[{subject}] ("));
    }
    insta::assert_snapshot!(shown, @"
    exit 1
    [verdict: withdraws and rewrites the claim] (Git User <git@example.org>) records/e4/e4nph4djpn.toml: action-overreach: changes text in a commit whose action is 'verdict'
    [verdict: drops the verdict] (Git User <git@example.org>) records/cv/cvuoapmwnl.toml: action-overreach: takes the verdict away without keeping it among the withdrawn verdicts (claims verdict ID --withdraw --note WHY keeps it)
    [verdict: records another rating] (Git User <git@example.org>) records/jr/jrotg32lgn.toml: action-overreach: records a withdrawn verdict other than the one it takes away
    audited 15 commits: 3 violations
    ");

    // The tool's own withdrawal of the same verdict passes.
    let repo = Repo::new();
    let id = repo.disputed("The tunnel cost 4 million.", "https://no.example/c");
    repo.ok(&[
        "verdict",
        &id,
        "--rating",
        "False",
        "--url",
        "https://news.example/c",
    ]);
    repo.ok(&["verdict", &id, "--withdraw", "--note", "Wrong claim."]);
    insta::assert_snapshot!(audit_output(&repo), @"
    exit 0
    audited 5 commits: ok
    ");
}
