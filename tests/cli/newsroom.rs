//! Triage, corrections and verdicts: dismissing claims, correcting and withdrawing evidence,
//! documents as evidence, verdicts and their ClaimReview, and the gate that no command
//! turns red by itself.

use crate::harness::{Repo, stderr};

/// What the user sees of a command: its exit code, standard output and standard error.
fn seen(repo: &Repo, args: &[&str]) -> String {
    repo.shown(&repo.claims(args).env("COLUMNS", "100").output().unwrap())
}

/// `seen`, asserting that the command changed nothing at all.
fn refused(repo: &Repo, args: &[&str]) -> String {
    let before = repo.snapshot();
    let seen = seen(repo, args);
    assert!(seen.ends_with("[exit status: 1]"), "{seen}");
    assert_eq!(
        repo.snapshot(),
        before,
        "a refused command changed something"
    );
    seen
}

/// The trailers of the last commit.
fn trailers(repo: &Repo) -> String {
    repo.git(&["log", "-1", "--format=%(trailers)"])
}

/// The gate and the audit both pass, and nothing is left uncommitted.
fn assert_clean(repo: &Repo) {
    repo.ok(&["check"]);
    let audit = repo.ok(&["audit"]);
    assert!(audit.ends_with(": ok\n"), "{audit}");
    assert_eq!(repo.status(), "");
}

/// A claims repository with one committed seed article, and a claim that appears in it.
fn with_seed(text: &str) -> (Repo, String) {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.path().join("seeds")).unwrap();
    std::fs::write(
        repo.path().join("seeds/a.txt"),
        "Headline\nOfficials said 55 people were extradited.\nMore than 50 were sent north.\n",
    )
    .unwrap();
    repo.git(&["add", "seeds/a.txt"]);
    repo.git(&["commit", "-qm", "Add a seed article"]);
    let id = repo
        .ok(&["add", text, "--document", "seeds/a.txt", "--line", "2"])
        .trim()
        .to_string();
    (repo, id)
}

/// A published corroborated claim: two independent origins, both checklists confirmed.
fn published(repo: &Repo, text: &str) -> String {
    let id = repo.corroborated(text);
    repo.ok(&["publish", &id]);
    id
}

#[test]
fn a_dismissed_claim_leaves_list_review_and_exports_but_show_log_and_check_know_it() {
    let repo = Repo::new();
    repo.add("Mexico extradited 55 people to the U.S. in 2025.");
    let opinion = repo.add("The border policy is a disgrace.");
    insta::assert_snapshot!(
        seen(&repo, &["dismiss", &opinion, "--reason", "not-check-worthy", "--note", "An opinion"]),
        @"
    owdqvumv56: dismissed (not-check-worthy) (commit f4d92488)
    [exit status: 0]
    "
    );
    assert_eq!(
        trailers(&repo),
        format!("Claim-Id: {opinion}\nClaim-Action: dismiss\n\n")
    );
    assert_clean(&repo);

    insta::assert_snapshot!(seen(&repo, &["list"]), @"
     ID          STATE       PUB  SOURCES  ORIGINS  CLAIM
     donvxsgghk  unverified       0        0        Mexico extradited 55 people to the U.S. in 2025.
    1 claim: 1 unverified (1 dismissed not shown: claims list --all)
    next: claims review   (steps through the 1 claim still to check)
    [exit status: 0]
    ");
    let all: serde_json::Value =
        serde_json::from_str(&repo.ok(&["list", "--all", "--format", "json"])).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(all[1]["dismissed"], "not-check-worthy");
    let exported = repo.ok(&["export", "--format", "json"]);
    assert!(!exported.contains(&opinion), "{exported}");
    insta::assert_snapshot!(seen(&repo, &["export", "--format", "csv"]), @"
    id,state,published,text,claimant,sources,origins,updated
    donvxsgghk,unverified,false,Mexico extradited 55 people to the U.S. in 2025.,,0,0,2026-03-01T09:00:00Z
    [exit status: 0]
    ");
    let report = repo.ok(&["report"]);
    assert!(!report.contains("disgrace"), "{report}");

    insta::assert_snapshot!(seen(&repo, &["show", &opinion]), @"
    ┌───────────┬────────────────────────────────────────────────────────────────────────────────────┐
    │           ┆ owdqvumv56                                                                         │
    ╞═══════════╪════════════════════════════════════════════════════════════════════════════════════╡
    │ Claim     ┆ The border policy is a disgrace.                                                   │
    │ State     ┆ unverified                                                                         │
    │ Dismissed ┆ not-check-worthy by Ana Ruiz <ana@example.org> at 2026-03-01T09:00:00Z; An opinion │
    │ Created   ┆ 2026-03-01T09:00:00Z                                                               │
    └───────────┴────────────────────────────────────────────────────────────────────────────────────┘

    Sources: none yet

    ┌────────────────────────┬─────────────────────────────────────────────────────────────────────┐
    │ PROGRESS               ┆                                                                     │
    ╞════════════════════════╪═════════════════════════════════════════════════════════════════════╡
    │ sourced                ┆ needs at least 1 supporting source; has 0                           │
    │                        ┆ the sourced checklist is not confirmed: provenance, source, date,   │
    │                        ┆ location, motivation                                                │
    │ corroborated           ┆ needs supporting sources from at least 2 independent origins; has 0 │
    │                        ┆ the sourced checklist is not confirmed: provenance, source, date,   │
    │                        ┆ location, motivation                                                │
    │                        ┆ the corroborated checklist is not confirmed: independence, context  │
    │ disputed               ┆ needs at least 1 contradicting source; has 0                        │
    │ sourced checklist      ┆ [ ] provenance  [ ] source  [ ] date  [ ] location  [ ] motivation  │
    │ corroborated checklist ┆ [ ] independence  [ ] context                                       │
    └────────────────────────┴─────────────────────────────────────────────────────────────────────┘
    [exit status: 0]
    ");
    insta::assert_snapshot!(seen(&repo, &["log", &opinion]), @"
    ┌──────────┬──────────────────────┬───────────────────┬─────────┬──────────────────────────────────┐
    │ COMMIT   ┆ DATE                 ┆ AUTHOR            ┆ ACTION  ┆ CHANGE                           │
    ╞══════════╪══════════════════════╪═══════════════════╪═════════╪══════════════════════════════════╡
    │ f4d92488 ┆ 2026-03-01T09:00:00Z ┆ Ana Ruiz          ┆ dismiss ┆ Dismiss owdqvumv56               │
    │          ┆                      ┆ <ana@example.org> ┆         ┆ (not-check-worthy): The border   │
    │          ┆                      ┆                   ┆         ┆ policy is a disgrace.            │
    │          ┆                      ┆                   ┆         ┆ An opinion                       │
    │ ec9276f4 ┆ 2026-03-01T09:00:00Z ┆ Ana Ruiz          ┆ create  ┆ Add claim owdqvumv56: The border │
    │          ┆                      ┆ <ana@example.org> ┆         ┆ policy is a disgrace.            │
    └──────────┴──────────────────────┴───────────────────┴─────────┴──────────────────────────────────┘
    [exit status: 0]
    ");
    insta::assert_snapshot!(seen(&repo, &["check", "--format", "json"]), @r#"
    {
      "checked": 2,
      "ok": true,
      "violations": []
    }
    [exit status: 0]
    "#);

    // Dismissing twice, or moving a dismissed claim, is refused.
    refused(&repo, &["dismiss", &opinion, "--reason", "out-of-scope"]);
    insta::assert_snapshot!(
        refused(&repo, &["mark", &opinion, "sourced", "--all-checked"]),
        @r#"
    ------- stderr -------
    error: owdqvumv56 is dismissed; bring it back first
    hint: claims undismiss owdqvumv56 --note "..."
    [exit status: 1]
    "#
    );

    insta::assert_snapshot!(
        seen(&repo, &["undismiss", &opinion, "--note", "A figure hides in it"]),
        @"
    owdqvumv56: back in the queue (unverified)
    [exit status: 0]
    "
    );
    insta::assert_snapshot!(trailers(&repo), @"
    Claim-Id: owdqvumv56
    Claim-Action: undismiss
    ");
    insta::assert_snapshot!(seen(&repo, &["list"]), @"
     ID          STATE       PUB  SOURCES  ORIGINS  CLAIM
     donvxsgghk  unverified       0        0        Mexico extradited 55 people to the U.S. in 2025.
     owdqvumv56  unverified       0        0        The border policy is a disgrace.
    2 claims: 2 unverified
    next: claims review   (steps through the 2 claims still to check)
    [exit status: 0]
    ");
    let record = repo.read_record(&opinion);
    assert!(
        record.contains("[dismissals.undone]") && record.contains("A figure hides in it"),
        "{record}"
    );
    assert_clean(&repo);
    insta::assert_snapshot!(seen(&repo, &["undismiss", &opinion, "--note", "again"]), @"
    ------- stderr -------
    error: owdqvumv56 is not dismissed
    hint: nothing to do
    [exit status: 2]
    ");
    repo.fails(&["undismiss", &opinion], 2);
}

#[test]
fn a_duplicate_moves_its_appearances_to_the_kept_claim_in_one_commit() {
    let (repo, kept) = with_seed("Mexico extradited 55 people.");
    let duplicate = repo
        .ok(&[
            "add",
            "More than 50 people were extradited by Mexico.",
            "--document",
            "seeds/a.txt",
            "--line",
            "3",
        ])
        .trim()
        .to_string();
    let usage = repo.fails(&["dismiss", &duplicate, "--reason", "duplicate"], 2);
    insta::assert_snapshot!(stderr(&usage), @r#"
        error: --reason duplicate needs --duplicate-of: the claim kept in its place
        hint: claims dismiss j4oy7kuthk --reason duplicate --duplicate-of KEPT-ID
        "#);
    repo.fails(
        &[
            "dismiss",
            &duplicate,
            "--reason",
            "duplicate",
            "--duplicate-of",
            &duplicate,
        ],
        2,
    );
    let commits = repo.commit_count();
    insta::assert_snapshot!(
        seen(&repo, &["dismiss", &duplicate, "--reason", "duplicate", "--duplicate-of", &kept]),
        @"
    j4oy7kuthk: dismissed as a duplicate of j4wrkiltmn; its appearances moved there (commit d93661d1)
    [exit status: 0]
    "
    );
    assert_eq!(repo.commit_count(), commits + 1);
    assert_eq!(
        trailers(&repo),
        format!("Claim-Id: {duplicate}\nClaim-Id: {kept}\nClaim-Action: dismiss\n\n")
    );
    let changed = repo.git(&["show", "--name-only", "--format=", "HEAD"]);
    let mut changed: Vec<&str> = changed.lines().collect();
    changed.sort();
    let mut expected = [
        format!("records/{}/{duplicate}.toml", &duplicate[..2]),
        format!("records/{}/{kept}.toml", &kept[..2]),
    ];
    expected.sort();
    assert_eq!(changed, expected);
    let kept_record = repo.read_record(&kept);
    assert!(
        kept_record.contains("line = 2") && kept_record.contains("line = 3"),
        "{kept_record}"
    );
    let duplicate_record = repo.read_record(&duplicate);
    assert!(
        !duplicate_record.contains("[[appearances]]"),
        "{duplicate_record}"
    );
    assert!(duplicate_record.contains(&format!("duplicate_of = \"{kept}\"")));
    assert_clean(&repo);

    // The kept claim cannot itself be set aside in favour of a dismissed one.
    let third = repo.add("Mexico sent 55 people north.");
    refused(
        &repo,
        &[
            "dismiss",
            &third,
            "--reason",
            "duplicate",
            "--duplicate-of",
            &duplicate,
        ],
    );
}

#[test]
fn a_published_claim_is_not_dismissed_unannounced() {
    let repo = Repo::new();
    let id = published(&repo, "The bridge cost 40 million.");
    insta::assert_snapshot!(refused(&repo, &["dismiss", &id, "--reason", "out-of-scope"]), @r#"
    ------- stderr -------
    error: tgidz5nixu is published; dismissing it would take it out of the exports unannounced
    hint: retract it first: claims unpublish tgidz5nixu, or claims mark tgidz5nixu unverified --unpublish --note "correction: ..."
    [exit status: 1]
    "#);
}

#[test]
fn a_disputed_claim_with_its_verdict_is_not_published() {
    let repo = Repo::new();
    let id = repo.disputed("The tunnel cost 4 million.", "https://no.example/c");
    repo.ok(&[
        "verdict",
        &id,
        "--rating",
        "False",
        "--url",
        "https://factcheck.example/tunnel",
    ]);
    insta::assert_snapshot!(refused(&repo, &["publish", &id]), @"
    ------- stderr -------
    error: cannot publish e4nph4djpn: it is disputed, not corroborated
    hint: a disputed claim's fact-check is published as its verdict: claims verdict e4nph4djpn --rating NAME --url URL
    [exit status: 1]
    ");
    assert_clean(&repo);
}

#[test]
fn a_disputed_claim_with_a_verdict_is_dismissed_only_once_the_verdict_is_withdrawn() {
    let repo = Repo::new();
    let id = repo.disputed("The tunnel cost 4 million.", "https://no.example/c");
    repo.ok(&[
        "verdict",
        &id,
        "--rating",
        "False",
        "--url",
        "https://factcheck.example/tunnel",
    ]);
    insta::assert_snapshot!(refused(&repo, &["dismiss", &id, "--reason", "out-of-scope"]), @"
    ------- stderr -------
    error: e4nph4djpn has a verdict; dismissing it would take it out of the exports unannounced
    hint: withdraw the verdict first: claims verdict e4nph4djpn --withdraw --note WHY
    [exit status: 1]
    ");
    repo.ok(&[
        "verdict",
        &id,
        "--withdraw",
        "--note",
        "Another desk's story",
    ]);
    repo.ok(&["dismiss", &id, "--reason", "out-of-scope"]);
    assert_clean(&repo);
}

#[test]
fn a_source_is_corrected_and_the_old_values_stay_in_the_record() {
    let repo = Repo::new();
    let id = repo.claim_with_two_origins("The bridge cost 40 million.");
    repo.ok(&["mark", &id, "sourced", "--all-checked"]);
    insta::assert_snapshot!(
        seen(
            &repo,
            &[
                "source", "edit", &id, "--url", "https://one.example/a", "--publisher",
                "One Daily News", "--title", "The bridge", "--note", "Misspelt publisher",
            ]
        ),
        @"
    tgidz5nixu: corrected the title, publisher of https://one.example/a
    [exit status: 0]
    "
    );
    assert_eq!(
        trailers(&repo),
        format!("Claim-Id: {id}\nClaim-Action: source-edit\n\n")
    );
    let record = repo.read_record(&id);
    let source = record.split("[[sources]]").nth(1).unwrap();
    insta::assert_snapshot!(source, @r#"

        url = "https://one.example/a"
        title = "The bridge"
        publisher = "One Daily News"
        origin = "One Daily"
        stance = "supports"
        accessed = "2026-03-01T09:00:00Z"
        added_by = "Ana Ruiz <ana@example.org>"

        [[sources.corrections]]
        at = "2026-03-01T09:00:00Z"
        by = "Ana Ruiz <ana@example.org>"
        note = "Misspelt publisher"

        [sources.corrections.was]
        title = ""
        publisher = "One Daily"
        "#);
    assert_clean(&repo);
    insta::assert_snapshot!(seen(&repo, &["show", &id]), @r#"
    ┌─────────┬─────────────────────────────┐
    │         ┆ tgidz5nixu                  │
    ╞═════════╪═════════════════════════════╡
    │ Claim   ┆ The bridge cost 40 million. │
    │ State   ┆ sourced                     │
    │ Created ┆ 2026-03-01T09:00:00Z        │
    └─────────┴─────────────────────────────┘

    Sources (2 independent supporting origins)
    ┌──────────┬───────────┬────────────────┬───────────────────────┐
    │ STANCE   ┆ ORIGIN    ┆ PUBLISHER      ┆ URL                   │
    ╞══════════╪═══════════╪════════════════╪═══════════════════════╡
    │ supports ┆ One Daily ┆ One Daily News ┆ https://one.example/a │
    │ supports ┆ Two Times ┆ Two Times      ┆ https://two.example/b │
    └──────────┴───────────┴────────────────┴───────────────────────┘

    Corrections
      https://one.example/a — 2026-03-01T09:00:00Z by Ana Ruiz <ana@example.org>: was title "", publisher "One Daily" (Misspelt publisher)

    ┌────────────────────────┬────────────────────────────────────────────────────────────────────┐
    │ PROGRESS               ┆                                                                    │
    ╞════════════════════════╪════════════════════════════════════════════════════════════════════╡
    │ unverified             ┆ ready                                                              │
    │ corroborated           ┆ the corroborated checklist is not confirmed: independence, context │
    │ disputed               ┆ needs at least 1 contradicting source; has 0                       │
    │ sourced checklist      ┆ [x] provenance  [x] source  [x] date  [x] location  [x] motivation │
    │ corroborated checklist ┆ [ ] independence  [ ] context                                      │
    └────────────────────────┴────────────────────────────────────────────────────────────────────┘

    History
    ┌──────────────────────┬────────────────────────────┬──────────────────────┬──────┐
    │ WHEN                 ┆ BY                         ┆ MOVE                 ┆ NOTE │
    ╞══════════════════════╪════════════════════════════╪══════════════════════╪══════╡
    │ 2026-03-01T09:00:00Z ┆ Ana Ruiz <ana@example.org> ┆ unverified → sourced ┆      │
    └──────────────────────┴────────────────────────────┴──────────────────────┴──────┘
    [exit status: 0]
    "#);

    // Nothing to correct, no note, an unknown source: usage errors that change nothing.
    let before = repo.snapshot();
    let same = seen(
        &repo,
        &[
            "source",
            "edit",
            &id,
            "--url",
            "https://one.example/a",
            "--title",
            "The bridge",
            "--note",
            "x",
        ],
    );
    insta::assert_snapshot!(same, @"
    ------- stderr -------
    error: the correction changes nothing: the source https://one.example/a already says that
    hint: nothing to do
    [exit status: 2]
    ");
    repo.fails(
        &[
            "source",
            "edit",
            &id,
            "--url",
            "https://one.example/a",
            "--title",
            "T",
        ],
        2,
    );
    repo.fails(
        &[
            "source",
            "edit",
            &id,
            "--url",
            "https://nowhere.example/",
            "--title",
            "T",
            "--note",
            "x",
        ],
        2,
    );
    assert_eq!(repo.snapshot(), before);
}

#[test]
fn a_withdrawn_source_stays_in_the_record_but_is_no_longer_evidence() {
    let repo = Repo::new();
    let id = repo.claim_with_two_origins("The bridge cost 40 million.");
    repo.ok(&["mark", &id, "sourced", "--all-checked"]);
    insta::assert_snapshot!(
        seen(
            &repo,
            &["source", "remove", &id, "--url", "https://two.example/b", "--note", "A copy of One Daily"]
        ),
        @"
    tgidz5nixu: withdrew https://two.example/b; 1 supporting origin now
    [exit status: 0]
    "
    );
    assert_eq!(
        trailers(&repo),
        format!("Claim-Id: {id}\nClaim-Action: source-remove\n\n")
    );
    let record = repo.read_record(&id);
    assert!(record.contains("[sources.withdrawn]"), "{record}");
    assert_clean(&repo);
    // Re-adding a withdrawn URL is refused with why; the last supporting source cannot go:
    // the claim is sourced on it.
    insta::assert_snapshot!(
        seen(&repo, &["source", "add", &id, "--url", "https://two.example/b"]),
        @"
    ------- stderr -------
    error: https://two.example/b is already a source of tgidz5nixu
    hint: it was withdrawn; correct evidence is attached under another address, or see it with: claims show tgidz5nixu
    [exit status: 2]
    "
    );
    insta::assert_snapshot!(
        refused(&repo, &["source", "remove", &id, "--url", "https://one.example/a", "--note", "x"]),
        @r#"
    ------- stderr -------
    error: refused: this would leave tgidz5nixu failing `claims check`
      - sourced claim: needs at least 1 supporting source; has 0 (supporting-sources)
        fix: first attach evidence: claims source add tgidz5nixu --url URL --publisher NAME --stance supports; or move the claim first: claims mark tgidz5nixu unverified --note "..."
    hint: nothing was changed
    [exit status: 1]
    "#
    );
    // Corroborating now needs a second origin: the withdrawn one does not count.
    insta::assert_snapshot!(
        refused(&repo, &["mark", &id, "corroborated", "--all-checked"]),
        @"
    ------- stderr -------
    error: cannot move tgidz5nixu from sourced to corroborated
      - needs supporting sources from at least 2 independent origins; has 1 (one daily) (independent-origins)
        fix: attach a supporting source whose information does not come from the same origin: claims source add tgidz5nixu --url URL --origin WHO-FIRST-REPORTED-IT
    [exit status: 1]
    "
    );
}

#[test]
fn moving_a_published_claim_away_is_refused_and_the_retraction_is_offered() {
    let repo = Repo::new();
    let id = published(&repo, "The bridge cost 40 million.");
    insta::assert_snapshot!(
        refused(&repo, &["mark", &id, "unverified", "--note", "retraction"]),
        @r#"
    ------- stderr -------
    error: refused: this would leave tgidz5nixu failing `claims check`
      - published while unverified (published-not-corroborated)
        fix: retract it in the same step: claims mark tgidz5nixu unverified --unpublish --note "correction: ..."
    hint: nothing was changed
    [exit status: 1]
    "#
    );
    refused(&repo, &["mark", &id, "sourced", "--note", "retraction"]);
    insta::assert_snapshot!(
        seen(
            &repo,
            &["mark", &id, "unverified", "--unpublish", "--note", "correction: it cost 14 million"]
        ),
        @"
    tgidz5nixu: corroborated → unverified; unpublished (commit 661bac2e)
    [exit status: 0]
    "
    );
    assert_eq!(
        trailers(&repo),
        format!(
            "Claim-Id: {id}\nClaim-Action: transition\nClaim-From: corroborated\nClaim-To: unverified\n\n"
        )
    );
    let record = repo.read_record(&id);
    assert!(record.contains("published = false"), "{record}");
    assert!(
        record.contains("[history.retracted]\nunpublished = true"),
        "{record}"
    );
    assert_clean(&repo);
    // Nothing is published any more: --unpublish has nothing to retract.
    insta::assert_snapshot!(
        refused(&repo, &["mark", &id, "sourced", "--all-checked", "--unpublish", "--note", "x"]),
        @r#"
    ------- stderr -------
    error: cannot move tgidz5nixu from unverified to sourced
      - --unpublish retracts a published claim or a verdict; this claim has neither (nothing-to-retract)
        fix: leave out --unpublish: claims mark tgidz5nixu sourced --note "..."
    [exit status: 1]
    "#
    );
    // A retraction without its correction note is refused as well.
    let again = published(&repo, "The tunnel cost 90 million.");
    insta::assert_snapshot!(
        refused(&repo, &["mark", &again, "unverified", "--unpublish"]),
        @r#"
    ------- stderr -------
    error: cannot move o643vsqwvz from corroborated to unverified
      - retracting a published fact-check needs a correction note (note-required)
        fix: say what the correction is: claims mark o643vsqwvz unverified --unpublish --note "correction: ..."
    [exit status: 1]
    "#
    );
}

#[test]
fn the_evidence_a_published_claim_rests_on_cannot_be_withdrawn_weakened_or_contradicted() {
    let repo = Repo::new();
    let id = published(&repo, "The bridge cost 40 million.");
    insta::assert_snapshot!(
        refused(&repo, &["source", "remove", &id, "--url", "https://one.example/a", "--note", "x"]),
        @r#"
    ------- stderr -------
    error: refused: this would leave tgidz5nixu failing `claims check`
      - corroborated claim: needs supporting sources from at least 2 independent origins; has 1 (two times) (independent-origins)
        fix: first attach a supporting source whose information does not come from the same origin: claims source add tgidz5nixu --url URL --origin WHO-FIRST-REPORTED-IT; or move the claim first: claims mark tgidz5nixu unverified --unpublish --note "..."
    hint: nothing was changed
    [exit status: 1]
    "#
    );
    refused(
        &repo,
        &[
            "source",
            "edit",
            &id,
            "--url",
            "https://two.example/b",
            "--origin",
            "One Daily",
            "--note",
            "x",
        ],
    );
    insta::assert_snapshot!(
        refused(
            &repo,
            &["source", "add", &id, "--url", "https://no.example/c", "--stance", "contradicts"]
        ),
        @r#"
    ------- stderr -------
    error: refused: this would leave tgidz5nixu failing `claims check`
      - corroborated claim: a contradicting source still stands: https://no.example/c (standing-contradiction)
        fix: first dispute the claim instead (claims mark tgidz5nixu disputed --note WHY), or record why the contradiction no longer stands: claims source rebut tgidz5nixu --url URL --note WHY; or move the claim first: claims mark tgidz5nixu unverified --unpublish --note "..."
    hint: nothing was changed
    [exit status: 1]
    "#
    );
    assert_clean(&repo);
}

#[test]
fn the_contradiction_a_disputed_verdict_rests_on_cannot_be_rebutted_withdrawn_or_turned() {
    let repo = Repo::new();
    let id = repo.disputed("The bridge cost 4 million.", "https://no.example/c");
    repo.ok(&[
        "verdict",
        &id,
        "--rating",
        "False",
        "--url",
        "https://factcheck.example/bridge",
    ]);
    let url = "https://no.example/c";
    insta::assert_snapshot!(
        refused(&repo, &["source", "rebut", &id, "--url", url, "--note", "retracted"]),
        @r#"
    ------- stderr -------
    error: refused: this would leave omn3iwodzy failing `claims check`
      - disputed claim: needs at least 1 contradicting source; has 0 (contradicting-sources)
        fix: first attach the contradicting evidence: claims source add omn3iwodzy --url URL --stance contradicts; or move the claim first: claims mark omn3iwodzy unverified --unpublish --note "..."
    hint: nothing was changed
    [exit status: 1]
    "#
    );
    refused(
        &repo,
        &["source", "remove", &id, "--url", url, "--note", "x"],
    );
    refused(
        &repo,
        &[
            "source", "edit", &id, "--url", url, "--stance", "supports", "--note", "x",
        ],
    );
    insta::assert_snapshot!(
        refused(&repo, &["mark", &id, "unverified", "--note", "reopened"]),
        @r#"
    ------- stderr -------
    error: refused: this would leave omn3iwodzy failing `claims check`
      - the verdict's rating "False" belongs to disputed claims; this one is unverified (verdict-rating)
        fix: retract it in the same step: claims mark omn3iwodzy unverified --unpublish --note "correction: ..."
    hint: nothing was changed
    [exit status: 1]
    "#
    );
    repo.ok(&[
        "mark",
        &id,
        "unverified",
        "--unpublish",
        "--note",
        "correction: the council had it wrong",
    ]);
    let record = repo.read_record(&id);
    assert!(!record.contains("\n[verdict]"), "{record}");
    assert!(
        record.contains("[history.retracted.verdict]\nrating = \"False\""),
        "{record}"
    );
    // Once the verdict is retracted, the evidence may be corrected.
    repo.ok(&["source", "rebut", &id, "--url", url, "--note", "retracted"]);
    assert_clean(&repo);
}

#[test]
fn a_verdict_takes_a_rating_of_the_claims_state_from_the_scale() {
    let repo = Repo::new();
    let corroborated = repo.corroborated("The bridge cost 40 million.");
    let disputed = repo.disputed("The tunnel cost 4 million.", "https://no.example/c");
    let open = repo.add("The road cost 9 million.");
    insta::assert_snapshot!(
        seen(
            &repo,
            &["verdict", &corroborated, "--rating", "mostly true", "--url", "https://factcheck.example/bridge"]
        ),
        @"
    tgidz5nixu: Mostly true (corroborated), published at https://factcheck.example/bridge
    [exit status: 0]
    "
    );
    assert_eq!(
        trailers(&repo),
        format!("Claim-Id: {corroborated}\nClaim-Action: verdict\n\n")
    );
    insta::assert_snapshot!(
        refused(&repo, &["verdict", &disputed, "--rating", "True", "--url", "https://factcheck.example/t"]),
        @r#"
    ------- stderr -------
    error: the rating "True" belongs to corroborated claims; e4nph4djpn is disputed
    hint: the ratings of its verdict are: "Missing context", "Misleading", "False"
    [exit status: 1]
    "#
    );
    refused(
        &repo,
        &[
            "verdict",
            &open,
            "--rating",
            "True",
            "--url",
            "https://factcheck.example/r",
        ],
    );
    let unknown = repo.fails(
        &[
            "verdict",
            &disputed,
            "--rating",
            "Pants on fire",
            "--url",
            "https://factcheck.example/t",
        ],
        2,
    );
    insta::assert_snapshot!(stderr(&unknown), @r#"
        error: 'Pants on fire' is not a rating of the scale in claims.toml
        hint: the ratings are: "True" (corroborated), "Mostly true" (corroborated), "Missing context" (disputed), "Misleading" (disputed), "False" (disputed)
        "#);
    repo.fails(
        &[
            "verdict",
            &disputed,
            "--rating",
            "False",
            "--url",
            "javascript:alert(1)",
        ],
        2,
    );
    repo.ok(&[
        "verdict",
        &disputed,
        "--rating",
        "Missing context",
        "--url",
        "https://factcheck.example/t",
    ]);
    assert_clean(&repo);
}

#[test]
fn check_reports_a_rating_that_no_longer_matches_and_a_document_that_changed_or_went_missing() {
    let (repo, id) = with_seed("Officials said 55 people were extradited.");
    repo.ok(&[
        "source",
        "add",
        &id,
        "--document",
        "seeds/a.txt",
        "--publisher",
        "El Diario",
    ]);
    let record = repo.read_record(&id);
    assert!(
        record.contains("document = \"seeds/a.txt\"\nsha256 = \""),
        "{record}"
    );
    assert!(record.contains("origin = \"El Diario\""), "{record}");
    repo.ok(&[
        "source",
        "add",
        &id,
        "--url",
        "https://two.example/b",
        "--publisher",
        "Two",
    ]);
    repo.ok(&["mark", &id, "sourced", "--all-checked"]);
    repo.ok(&["mark", &id, "corroborated", "--all-checked"]);
    repo.ok(&[
        "verdict",
        &id,
        "--rating",
        "Mostly true",
        "--url",
        "https://factcheck.example/a",
    ]);
    assert_clean(&repo);

    // The newsroom moves "Mostly true" to the disputed side of its scale.
    repo.configure(
        "\n[rating]\nscale = [\n  { name = \"True\", value = 5, verdict = \"corroborated\" },\n  \
         { name = \"Mostly true\", value = 4, verdict = \"disputed\" },\n]\n",
    );
    let gate = repo.fails(&["check"], 1);
    insta::assert_snapshot!(String::from_utf8_lossy(&gate.stdout), @r#"
        records/bx/bxc7unze6t.toml: verdict-rating: the verdict's rating "Mostly true" belongs to disputed claims; this one is corroborated
        checked 1 claim: 1 violation
        "#);

    std::fs::write(
        repo.path().join("seeds/a.txt"),
        "Headline\nOfficials said 5.\n",
    )
    .unwrap();
    repo.git(&["commit", "-qam", "Edit the seed"]);
    insta::assert_snapshot!(seen(&repo, &["check"]), @r#"
    records/bx/bxc7unze6t.toml: source-document-changed: the source document seeds/a.txt changed since it was attached (sha256 b092ad4db78e then, 60bfb849f1db now)
    records/bx/bxc7unze6t.toml: verdict-rating: the verdict's rating "Mostly true" belongs to disputed claims; this one is corroborated
    checked 1 claim: 2 violations
    [exit status: 1]
    "#);
    repo.git(&["rm", "-q", "seeds/a.txt"]);
    repo.git(&["commit", "-qm", "Remove the seed"]);
    insta::assert_snapshot!(seen(&repo, &["check"]), @r#"
    records/bx/bxc7unze6t.toml: source-document-missing: the source document seeds/a.txt is missing
    records/bx/bxc7unze6t.toml: verdict-rating: the verdict's rating "Mostly true" belongs to disputed claims; this one is corroborated
    checked 1 claim: 2 violations
    [exit status: 1]
    "#);
}

#[test]
fn a_document_must_be_a_committed_file_of_the_repository() {
    let (repo, id) = with_seed("Officials said 55 people were extradited.");
    std::fs::write(repo.path().join("seeds/new.txt"), "Not committed.\n").unwrap();
    let untracked = repo.fails(&["source", "add", &id, "--document", "seeds/new.txt"], 2);
    insta::assert_snapshot!(stderr(&untracked), @r#"
        error: seeds/new.txt is not committed: evidence must be a file everyone can check out
        hint: commit it first: git add seeds/new.txt && git commit -m "Add seeds/new.txt"
        "#);
    repo.fails(&["source", "add", &id, "--document", "../outside.txt"], 2);
    repo.fails(&["source", "add", &id, "--document", ".git/config"], 2);
    std::fs::write(repo.path().join("seeds/a.txt"), "Changed, not committed.\n").unwrap();
    repo.fails(&["source", "add", &id, "--document", "seeds/a.txt"], 2);
    repo.fails(&["source", "add", &id], 2);
}

#[test]
fn claimreview_for_a_corroborated_and_a_disputed_claim_has_googles_properties() {
    let (repo, _) = with_seed("Officials said 55 people were extradited.");
    repo.configure("\n[organization]\nname = \"Verifica\"\nurl = \"https://verifica.example\"\n");
    let add = |text: &str, claimant: &str, line: &str| {
        let args = [
            "add",
            text,
            "--claimant",
            claimant,
            "--document",
            "seeds/a.txt",
            "--line",
            line,
        ];
        repo.ok(&args).trim().to_string()
    };
    let corroborated = add("Mexico extradited 55 people.", "Claudia Sheinbaum", "2");
    for (url, publisher) in [
        ("https://one.example/a", "One"),
        ("https://two.example/b", "Two"),
    ] {
        repo.ok(&[
            "source",
            "add",
            &corroborated,
            "--url",
            url,
            "--publisher",
            publisher,
        ]);
    }
    repo.ok(&["mark", &corroborated, "sourced", "--all-checked"]);
    repo.ok(&["mark", &corroborated, "corroborated", "--all-checked"]);
    repo.ok(&[
        "verdict",
        &corroborated,
        "--rating",
        "Mostly true",
        "--url",
        "https://verifica.example/55",
    ]);
    let disputed = add("More than 50 were sent north.", "The ministry", "3");
    repo.ok(&[
        "source",
        "add",
        &disputed,
        "--url",
        "https://no.example/c",
        "--stance",
        "contradicts",
    ]);
    repo.ok(&[
        "mark",
        &disputed,
        "disputed",
        "--note",
        "The court lists 29.",
    ]);
    repo.ok(&[
        "verdict",
        &disputed,
        "--rating",
        "False",
        "--url",
        "https://verifica.example/50",
    ]);
    let unrated = repo.corroborated("The bridge cost 40 million.");

    let output = repo
        .claims(&["export", "--format", "claimreview"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stderr(&output),
        format!(
            "warning: left out 1 claim ({unrated}): no verdict (give it with: claims verdict ID --rating NAME --url URL)\n"
        )
    );
    let reviews: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(reviews.len(), 2);
    let expected = [
        (
            &corroborated,
            "Mexico extradited 55 people.",
            "Mostly true",
            4,
            "https://verifica.example/55",
            "Claudia Sheinbaum",
            "Officials said 55 people were extradited.",
        ),
        (
            &disputed,
            "More than 50 were sent north.",
            "False",
            1,
            "https://verifica.example/50",
            "The ministry",
            "More than 50 were sent north.",
        ),
    ];
    for (review, (id, text, rating, value, url, claimant, excerpt)) in reviews.iter().zip(expected)
    {
        // Required by Google's fact-check markup.
        assert_eq!(review["@context"], "https://schema.org");
        assert_eq!(review["@type"], "ClaimReview");
        assert_eq!(review["claimReviewed"], text);
        assert_eq!(review["reviewRating"]["@type"], "Rating");
        assert_eq!(review["reviewRating"]["alternateName"], rating);
        assert_eq!(review["url"], url);
        // Recommended.
        assert_eq!(review["identifier"], id.as_str());
        assert_eq!(review["author"]["@type"], "Organization");
        assert_eq!(review["author"]["name"], "Verifica");
        assert_eq!(review["author"]["url"], "https://verifica.example/");
        assert_eq!(review["datePublished"], "2026-03-01");
        assert_eq!(review["reviewRating"]["ratingValue"], value);
        assert_eq!(review["reviewRating"]["bestRating"], 5);
        assert_eq!(review["reviewRating"]["worstRating"], 1);
        let claim = &review["itemReviewed"];
        assert_eq!(claim["@type"], "Claim");
        assert_eq!(claim["author"]["@type"], "Person");
        assert_eq!(claim["author"]["name"], claimant);
        assert_eq!(claim["datePublished"], "2026-03-01");
        assert_eq!(claim["firstAppearance"]["@type"], "CreativeWork");
        assert_eq!(claim["firstAppearance"]["name"], "seeds/a.txt");
        assert_eq!(claim["firstAppearance"]["text"], excerpt);
        assert_eq!(claim["appearance"].as_array().unwrap().len(), 1);
    }
    assert_clean(&repo);
}

#[test]
fn with_the_claimreview_lint_on_a_verdict_off_the_organisations_domain_is_refused() {
    let repo = Repo::new();
    repo.configure(
        "\n[organization]\nname = \"Verifica\"\nurl = \"https://verifica.example\"\n\
         \n[check]\nclaimreview = true\n",
    );
    let id = repo.corroborated("The bridge cost 40 million.");
    let refusal = refused(
        &repo,
        &[
            "verdict",
            &id,
            "--rating",
            "True",
            "--url",
            "https://elsewhere.example/x",
        ],
    );
    insta::assert_snapshot!(refusal, @"
    ------- stderr -------
    error: refused: this would leave tgidz5nixu failing `claims check`
      - ClaimReview: published url https://elsewhere.example/x is not on the organisation's domain verifica.example (claimreview-domain)
        fix: give the verdict with the fact-check's address on the organisation's domain: claims verdict tgidz5nixu --rating NAME --url URL
    hint: nothing was changed
    [exit status: 1]
    ");
    repo.ok(&[
        "verdict",
        &id,
        "--rating",
        "True",
        "--url",
        "https://desk.verifica.example/x",
    ]);
    assert_clean(&repo);
}

#[test]
fn with_the_claimreview_lint_on_a_rated_claim_s_text_stays_short_enough_for_its_summary() {
    let repo = Repo::new();
    repo.configure(
        "\n[organization]\nname = \"Verifica\"\nurl = \"https://verifica.example\"\n\
         \n[check]\nclaimreview = true\n",
    );
    let id = repo.corroborated("The bridge cost 40 million.");
    repo.ok(&[
        "verdict",
        &id,
        "--rating",
        "True",
        "--url",
        "https://verifica.example/bridge",
    ]);
    let long = "The bridge over the river in the north of the city cost 40 million euros in 2024.";
    insta::assert_snapshot!(refused(&repo, &["edit", &id, "--text", long]), @r#"
    ------- stderr -------
    error: refused: this would leave tgidz5nixu failing `claims check`
      - ClaimReview: claim text is 81 characters; ClaimReview summaries should be at most 75 (claimreview-summary)
        fix: the claim's text is its ClaimReview's summary: keep it to at most 75 characters: claims edit tgidz5nixu --text "..."
    hint: nothing was changed
    [exit status: 1]
    "#);
    repo.ok(&[
        "edit",
        &id,
        "--text",
        "The north bridge cost 40 million euros.",
    ]);
    assert_clean(&repo);
}

#[test]
fn a_source_withdrawn_by_hand_is_an_audit_finding_and_through_the_tool_is_not() {
    let repo = Repo::new();
    let id = repo.claim_with_two_origins("The bridge cost 40 million.");
    repo.ok(&[
        "source",
        "remove",
        &id,
        "--url",
        "https://two.example/b",
        "--note",
        "A copy",
    ]);
    repo.ok(&[
        "source",
        "edit",
        &id,
        "--url",
        "https://one.example/a",
        "--origin",
        "Council",
        "--note",
        "The story credits the council",
    ]);
    assert_clean(&repo);
    let path = repo.record_path(&id);
    let record = std::fs::read_to_string(&path).unwrap();
    // The first source's tables end where the second source begins.
    let second = record.match_indices("[[sources]]").nth(1).unwrap().0;
    let by_hand = format!(
        "{}[sources.withdrawn]\nat = \"2026-03-01T09:00:00Z\"\nby = \"Someone\"\nnote = \"by hand\"\n\n{}",
        &record[..second],
        &record[second..]
    );
    std::fs::write(&path, by_hand).unwrap();
    repo.git(&["commit", "-qam", "Withdraw a source by hand"]);
    insta::assert_snapshot!(seen(&repo, &["audit"]), @"
    6608a58e (Git User <git@example.org>) records/tg/tgidz5nixu.toml: no-trailers: changes a record without Claim-* trailers: the change did not go through claims
    audited 6 commits: 1 violation
    [exit status: 1]
    ");
}

#[test]
fn show_offers_a_published_claim_s_moves_back_as_retractions() {
    let repo = Repo::new();
    let id = repo.corroborated("The bridge cost 40 million.");
    repo.ok(&["publish", &id]);
    insta::assert_snapshot!(seen(&repo, &["show", &id]), @r#"
    ┌─────────┬─────────────────────────────┐
    │         ┆ tgidz5nixu                  │
    ╞═════════╪═════════════════════════════╡
    │ Claim   ┆ The bridge cost 40 million. │
    │ State   ┆ corroborated · published    │
    │ Created ┆ 2026-03-01T09:00:00Z        │
    └─────────┴─────────────────────────────┘

    Sources (2 independent supporting origins)
    ┌──────────┬───────────┬───────────┬───────────────────────┐
    │ STANCE   ┆ ORIGIN    ┆ PUBLISHER ┆ URL                   │
    ╞══════════╪═══════════╪═══════════╪═══════════════════════╡
    │ supports ┆ One Daily ┆ One Daily ┆ https://one.example/a │
    │ supports ┆ Two Times ┆ Two Times ┆ https://two.example/b │
    └──────────┴───────────┴───────────┴───────────────────────┘

    ┌────────────────────────┬──────────────────────────────────────────────────────────────────────┐
    │ PROGRESS               ┆                                                                      │
    ╞════════════════════════╪══════════════════════════════════════════════════════════════════════╡
    │ unverified             ┆ ready as a retraction: claims mark tgidz5nixu unverified --unpublish │
    │                        ┆ --note "correction: ..."                                             │
    │ sourced                ┆ ready as a retraction: claims mark tgidz5nixu sourced --unpublish    │
    │                        ┆ --note "correction: ..."                                             │
    │ disputed               ┆ needs at least 1 contradicting source; has 0                         │
    │ sourced checklist      ┆ [x] provenance  [x] source  [x] date  [x] location  [x] motivation   │
    │ corroborated checklist ┆ [x] independence  [x] context                                        │
    └────────────────────────┴──────────────────────────────────────────────────────────────────────┘

    History
    ┌──────────────────────┬────────────────────────────┬────────────────────────┬──────┐
    │ WHEN                 ┆ BY                         ┆ MOVE                   ┆ NOTE │
    ╞══════════════════════╪════════════════════════════╪════════════════════════╪══════╡
    │ 2026-03-01T09:00:00Z ┆ Ana Ruiz <ana@example.org> ┆ unverified → sourced   ┆      │
    │ 2026-03-01T09:00:00Z ┆ Ana Ruiz <ana@example.org> ┆ sourced → corroborated ┆      │
    └──────────────────────┴────────────────────────────┴────────────────────────┴──────┘
    [exit status: 0]
    "#);
    repo.ok(&["unpublish", &id]);
    insta::assert_snapshot!(seen(&repo, &["show", &id]), @"
    ┌─────────┬─────────────────────────────┐
    │         ┆ tgidz5nixu                  │
    ╞═════════╪═════════════════════════════╡
    │ Claim   ┆ The bridge cost 40 million. │
    │ State   ┆ corroborated                │
    │ Created ┆ 2026-03-01T09:00:00Z        │
    └─────────┴─────────────────────────────┘

    Sources (2 independent supporting origins)
    ┌──────────┬───────────┬───────────┬───────────────────────┐
    │ STANCE   ┆ ORIGIN    ┆ PUBLISHER ┆ URL                   │
    ╞══════════╪═══════════╪═══════════╪═══════════════════════╡
    │ supports ┆ One Daily ┆ One Daily ┆ https://one.example/a │
    │ supports ┆ Two Times ┆ Two Times ┆ https://two.example/b │
    └──────────┴───────────┴───────────┴───────────────────────┘

    ┌────────────────────────┬────────────────────────────────────────────────────────────────────┐
    │ PROGRESS               ┆                                                                    │
    ╞════════════════════════╪════════════════════════════════════════════════════════════════════╡
    │ unverified             ┆ ready                                                              │
    │ sourced                ┆ ready                                                              │
    │ disputed               ┆ needs at least 1 contradicting source; has 0                       │
    │ sourced checklist      ┆ [x] provenance  [x] source  [x] date  [x] location  [x] motivation │
    │ corroborated checklist ┆ [x] independence  [x] context                                      │
    └────────────────────────┴────────────────────────────────────────────────────────────────────┘

    History
    ┌──────────────────────┬────────────────────────────┬────────────────────────┬──────┐
    │ WHEN                 ┆ BY                         ┆ MOVE                   ┆ NOTE │
    ╞══════════════════════╪════════════════════════════╪════════════════════════╪══════╡
    │ 2026-03-01T09:00:00Z ┆ Ana Ruiz <ana@example.org> ┆ unverified → sourced   ┆      │
    │ 2026-03-01T09:00:00Z ┆ Ana Ruiz <ana@example.org> ┆ sourced → corroborated ┆      │
    └──────────────────────┴────────────────────────────┴────────────────────────┴──────┘
    [exit status: 0]
    ");
}

#[test]
fn a_verdict_is_withdrawn_without_moving_the_claim_and_kept_with_the_reason() {
    let repo = Repo::new();
    let id = repo.disputed("The tunnel cost 4 million.", "https://no.example/c");
    repo.ok(&[
        "verdict",
        &id,
        "--rating",
        "False",
        "--url",
        "https://factcheck.example/tunnel",
    ]);
    let before = repo.head();
    let withdrawn = seen(
        &repo,
        &[
            "verdict",
            &id,
            "--withdraw",
            "--note",
            "Recorded on the wrong claim",
        ],
    );
    let commit = repo.git(&["rev-parse", "--short=8", "HEAD"]);
    insta::assert_snapshot!(withdrawn.replace(commit.trim(), "COMMIT"), @"
    e4nph4djpn: verdict False withdrawn; still disputed (commit COMMIT)
    [exit status: 0]
    ");
    assert_eq!(
        repo.git(&["rev-list", "--count", &format!("{before}..")]),
        "1\n"
    );
    insta::assert_snapshot!(repo.git(&["log", "-1", "--format=%B"]), @"
    Withdraw the verdict on e4nph4djpn: False: The tunnel cost 4 million.

    Recorded on the wrong claim

    Was: https://factcheck.example/tunnel

    Claim-Id: e4nph4djpn
    Claim-Action: verdict
    ");
    let record = repo.read_record(&id);
    assert!(!record.contains("\n[verdict]"), "{record}");
    assert!(record.contains("state = \"disputed\""), "{record}");
    insta::assert_snapshot!(seen(&repo, &["show", &id]), @"
    ┌───────────────────┬────────────────────────────────────────────────────────────────────────┐
    │                   ┆ e4nph4djpn                                                             │
    ╞═══════════════════╪════════════════════════════════════════════════════════════════════════╡
    │ Claim             ┆ The tunnel cost 4 million.                                             │
    │ State             ┆ disputed                                                               │
    │ Withdrawn verdict ┆ False (https://factcheck.example/tunnel), withdrawn by Ana Ruiz        │
    │                   ┆ <ana@example.org> at 2026-03-01T09:00:00Z: Recorded on the wrong claim │
    │ Created           ┆ 2026-03-01T09:00:00Z                                                   │
    └───────────────────┴────────────────────────────────────────────────────────────────────────┘

    Sources (0 independent supporting origins)
    ┌─────────────┬────────────┬───────────┬──────────────────────┐
    │ STANCE      ┆ ORIGIN     ┆ PUBLISHER ┆ URL                  │
    ╞═════════════╪════════════╪═══════════╪══════════════════════╡
    │ contradicts ┆ no.example ┆           ┆ https://no.example/c │
    └─────────────┴────────────┴───────────┴──────────────────────┘

    ┌────────────────────────┬─────────────────────────────────────────────────────────────────────┐
    │ PROGRESS               ┆                                                                     │
    ╞════════════════════════╪═════════════════════════════════════════════════════════════════════╡
    │ unverified             ┆ ready                                                               │
    │ sourced                ┆ needs at least 1 supporting source; has 0                           │
    │                        ┆ the sourced checklist is not confirmed: provenance, source, date,   │
    │                        ┆ location, motivation                                                │
    │ corroborated           ┆ needs supporting sources from at least 2 independent origins; has 0 │
    │                        ┆ a contradicting source still stands: https://no.example/c           │
    │                        ┆ the sourced checklist is not confirmed: provenance, source, date,   │
    │                        ┆ location, motivation                                                │
    │                        ┆ the corroborated checklist is not confirmed: independence, context  │
    │ sourced checklist      ┆ [ ] provenance  [ ] source  [ ] date  [ ] location  [ ] motivation  │
    │ corroborated checklist ┆ [ ] independence  [ ] context                                       │
    └────────────────────────┴─────────────────────────────────────────────────────────────────────┘

    History
    ┌──────────────────────┬───────────────────┬───────────────────────┬────────────────────────────┐
    │ WHEN                 ┆ BY                ┆ MOVE                  ┆ NOTE                       │
    ╞══════════════════════╪═══════════════════╪═══════════════════════╪════════════════════════════╡
    │ 2026-03-01T09:00:00Z ┆ Ana Ruiz          ┆ unverified → disputed ┆ The record says otherwise. │
    │                      ┆ <ana@example.org> ┆                       ┆                            │
    └──────────────────────┴───────────────────┴───────────────────────┴────────────────────────────┘
    [exit status: 0]
    ");
    assert_clean(&repo);

    // The claim left the ClaimReview export, and says so.
    let export = repo
        .claims(&["export", "--format", "claimreview"])
        .output()
        .unwrap();
    insta::assert_snapshot!(repo.shown(&export), @"
    []
    ------- stderr -------
    warning: left out 1 claim (e4nph4djpn): no verdict (give it with: claims verdict ID --rating NAME --url URL)
    warning: claims.toml has no [organization]: the ClaimReview author is left out
    [exit status: 0]
    ");

    insta::assert_snapshot!(refused_usage(&repo, &["verdict", &id, "--withdraw", "--note", "again"]), @"
    ------- stderr -------
    error: e4nph4djpn has no verdict to withdraw
    hint: nothing to do
    [exit status: 2]
    ");
    insta::assert_snapshot!(refused_usage(&repo, &["verdict", &id, "--withdraw"]), @"
    ------- stderr -------
    error: the following required arguments were not provided:
      --note <NOTE>

    Usage: claims verdict --withdraw --note <NOTE> <ID>

    For more information, try '--help'.
    [exit status: 2]
    ");
    insta::assert_snapshot!(
        refused_usage(&repo, &["verdict", &id, "--withdraw", "--rating", "False", "--note", "x"]),
        @"
    ------- stderr -------
    error: the argument '--withdraw' cannot be used with '--rating <RATING>'

    Usage: claims verdict --withdraw --note <NOTE> <ID>

    For more information, try '--help'.
    [exit status: 2]
    "
    );
    insta::assert_snapshot!(refused_usage(&repo, &["verdict", &id, "--note", "x"]), @"
    ------- stderr -------
    error: the following required arguments were not provided:
      --withdraw
      --rating <RATING>
      --url <URL>

    Usage: claims verdict --note <NOTE> --withdraw --rating <RATING> --url <URL> <ID>

    For more information, try '--help'.
    [exit status: 2]
    ");

    // A verdict can be given again afterwards; both stay in the record.
    repo.ok(&[
        "verdict",
        &id,
        "--rating",
        "Misleading",
        "--url",
        "https://factcheck.example/tunnel-2",
    ]);
    let record = repo.read_record(&id);
    assert!(record.contains("rating = \"Misleading\""), "{record}");
    assert!(record.contains("rating = \"False\""), "{record}");
    assert_clean(&repo);
}

/// `seen`, asserting that the command failed as a usage or input error and changed nothing.
fn refused_usage(repo: &Repo, args: &[&str]) -> String {
    let before = repo.snapshot();
    let seen = seen(repo, args);
    assert!(seen.ends_with("[exit status: 2]"), "{seen}");
    assert_eq!(
        repo.snapshot(),
        before,
        "a refused command changed something"
    );
    seen
}

#[test]
fn the_verdict_a_published_claimreview_needs_is_withdrawn_only_after_unpublishing() {
    let repo = Repo::new();
    repo.configure(
        "\n[organization]\nname = \"Verifica\"\nurl = \"https://verifica.example\"\n\
         \n[check]\nclaimreview = true\n",
    );
    let id = repo.corroborated("The bridge cost 40 million.");
    repo.ok(&[
        "verdict",
        &id,
        "--rating",
        "True",
        "--url",
        "https://verifica.example/bridge",
    ]);
    repo.ok(&["publish", &id]);
    assert_clean(&repo);
    insta::assert_snapshot!(
        refused(&repo, &["verdict", &id, "--withdraw", "--note", "The page was taken down"]),
        @"
    ------- stderr -------
    error: refused: this would leave tgidz5nixu failing `claims check`
      - ClaimReview: no verdict with its fact-check url (give it with: claims verdict ID --rating NAME --url URL) (claimreview-url)
        fix: take the publication back first: claims unpublish tgidz5nixu; then claims verdict tgidz5nixu --withdraw --note WHY
    hint: nothing was changed
    [exit status: 1]
    "
    );
    repo.ok(&["unpublish", &id]);
    repo.ok(&[
        "verdict",
        &id,
        "--withdraw",
        "--note",
        "The page was taken down",
    ]);
    assert_clean(&repo);

    // Without the ClaimReview lint, a published claim needs no verdict: withdrawing it
    // leaves the gate as it was.
    let plain = Repo::new();
    let id = published(&plain, "The bridge cost 40 million.");
    plain.ok(&[
        "verdict",
        &id,
        "--rating",
        "True",
        "--url",
        "https://factcheck.example/bridge",
    ]);
    plain.ok(&[
        "verdict",
        &id,
        "--withdraw",
        "--note",
        "Recorded on the wrong claim",
    ]);
    assert!(plain.read_record(&id).contains("published = true"));
    assert_clean(&plain);
}
