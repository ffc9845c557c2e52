use crate::harness::{REVIEWER, Repo};

#[test]
fn whole_path_from_unverified_to_published() {
    let repo = Repo::new();
    let id = repo.add("Mexico extradited 55 people to the U.S. in 2025.");
    assert_eq!(id.len(), 10);
    assert!(repo.read_record(&id).contains("state = \"unverified\""));

    repo.ok(&[
        "source",
        "add",
        &id[..4],
        "--url",
        "https://one.example/a",
        "--publisher",
        "One Daily",
    ]);
    repo.ok(&["mark", &id, "sourced", "--all-checked"]);
    repo.ok(&[
        "source",
        "add",
        &id,
        "--url",
        "https://two.example/b",
        "--publisher",
        "Two Times",
    ]);
    repo.ok(&[
        "mark",
        &id,
        "corroborated",
        "--check",
        "independence",
        "--check",
        "context",
    ]);
    repo.ok(&["publish", &id, "--url", "https://factcheck.example.org/55"]);

    let record = repo.read_record(&id);
    assert!(record.contains("state = \"corroborated\""), "{record}");
    assert!(record.contains("published = true"), "{record}");
    assert!(record.contains("published_url = \"https://factcheck.example.org/55\""));
    assert_eq!(record.matches("[[history]]").count(), 2);
    assert!(record.contains(&format!("by = \"{REVIEWER}\"")));
    // init + add + 2 sources + 2 moves + publish
    assert_eq!(repo.commit_count(), 7);
    assert_eq!(repo.status(), "");
    repo.ok(&["check"]);
}

#[test]
fn every_refused_move_changes_nothing() {
    let repo = Repo::new();
    let bare = repo.add("A claim with no evidence at all.");
    let one = repo.add("A claim with one supporting source.");
    repo.ok(&["source", "add", &one, "--url", "https://one.example/a"]);
    let contradicted = repo.claim_with_two_origins("A claim with support and a contradiction.");
    repo.ok(&[
        "source",
        "add",
        &contradicted,
        "--url",
        "https://no.example/c",
        "--stance",
        "contradicts",
    ]);
    let sourced = repo.add("A sourced claim.");
    repo.ok(&["source", "add", &sourced, "--url", "https://one.example/s"]);
    repo.ok(&["mark", &sourced, "sourced", "--all-checked"]);

    let refusals: &[(&str, &[&str])] = &[
        (&bare, &["sourced", "--all-checked"]),
        (&one, &["sourced"]),
        (&one, &["sourced", "--check", "provenance"]),
        (&one, &["corroborated", "--all-checked"]),
        (&contradicted, &["corroborated", "--all-checked"]),
        (&bare, &["disputed", "--note", "wrong"]),
        (&contradicted, &["disputed"]),
        (&sourced, &["unverified"]),
        (&sourced, &["sourced"]),
    ];
    let mut seen = String::new();
    for (id, args) in refusals {
        let before_file = repo.read_record(id);
        let before_head = repo.head();
        let mut full = vec!["mark", id];
        full.extend_from_slice(args);
        seen.push_str(&format!(
            "$ claims {}\n{}\n",
            full.join(" "),
            repo.sees(&full)
        ));
        assert_eq!(repo.head(), before_head, "{full:?} committed");
        assert_eq!(
            repo.read_record(id),
            before_file,
            "{full:?} changed the record"
        );
        assert_eq!(repo.status(), "");
    }
    let seen = [
        (&bare, "BARE"),
        (&one, "ONE"),
        (&contradicted, "CONTRADICTED"),
        (&sourced, "SOURCED"),
    ]
    .iter()
    .fold(seen, |seen, (id, name)| seen.replace(id.as_str(), name));
    insta::assert_snapshot!(seen, @r#"
    $ claims mark BARE sourced --all-checked
    ------- stderr -------
    error: cannot move BARE from unverified to sourced
      - needs at least 1 supporting source; has 0 (supporting-sources)
        fix: attach evidence: claims source add BARE --url URL --publisher NAME --stance supports
    [exit status: 1]
    $ claims mark ONE sourced
    ------- stderr -------
    error: cannot move ONE from unverified to sourced
      - the sourced checklist is not confirmed: provenance, source, date, location, motivation (checklist)
        fix: confirm the items (claims review ONE), or: claims mark ONE sourced --check provenance --check source --check date --check location --check motivation
    [exit status: 1]
    $ claims mark ONE sourced --check provenance
    ------- stderr -------
    error: cannot move ONE from unverified to sourced
      - the sourced checklist is not confirmed: source, date, location, motivation (checklist)
        fix: confirm the items (claims review ONE), or: claims mark ONE sourced --check source --check date --check location --check motivation
    [exit status: 1]
    $ claims mark ONE corroborated --all-checked
    ------- stderr -------
    error: cannot move ONE from unverified to corroborated
      - needs supporting sources from at least 2 independent origins; has 1 (one.example) (independent-origins)
        fix: attach a supporting source whose information does not come from the same origin: claims source add ONE --url URL --origin WHO-FIRST-REPORTED-IT
    [exit status: 1]
    $ claims mark CONTRADICTED corroborated --all-checked
    ------- stderr -------
    error: cannot move CONTRADICTED from unverified to corroborated
      - a contradicting source still stands: https://no.example/c (standing-contradiction)
        fix: dispute the claim instead (claims mark CONTRADICTED disputed --note WHY), or record why the contradiction no longer stands: claims source rebut CONTRADICTED --url URL --note WHY
    [exit status: 1]
    $ claims mark BARE disputed --note wrong
    ------- stderr -------
    error: cannot move BARE from unverified to disputed
      - needs at least 1 contradicting source; has 0 (contradicting-sources)
        fix: attach the contradicting evidence: claims source add BARE --url URL --stance contradicts
    [exit status: 1]
    $ claims mark CONTRADICTED disputed
    ------- stderr -------
    error: cannot move CONTRADICTED from unverified to disputed
      - disputing a claim needs a note (note-required)
        fix: say why: claims mark CONTRADICTED disputed --note "..."
    [exit status: 1]
    $ claims mark SOURCED unverified
    ------- stderr -------
    error: cannot move SOURCED from sourced to unverified
      - moving a claim back to an earlier state needs a note (note-required)
        fix: say why: claims mark SOURCED unverified --note "..."
    [exit status: 1]
    $ claims mark SOURCED sourced
    ------- stderr -------
    error: cannot move SOURCED from sourced to sourced
      - the claim is already in that state (already-in-state)
        fix: nothing to do: the claim is already sourced
    [exit status: 1]
    "#);
}

#[test]
fn sources_from_one_origin_do_not_corroborate() {
    let repo = Repo::new();
    let id = repo.add("Cartels cause 300,000 deaths in the U.S. every year.");
    for (url, publisher) in [
        ("https://a.example/1", "Daily A"),
        ("https://b.example/2", "Weekly B"),
        ("https://c.example/3", "Radio C"),
    ] {
        repo.ok(&[
            "source",
            "add",
            &id,
            "--url",
            url,
            "--publisher",
            publisher,
            "--origin",
            "NBC News",
        ]);
    }
    repo.ok(&["mark", &id, "sourced", "--all-checked"]);
    insta::assert_snapshot!(
        repo.sees(&["mark", &id, "corroborated", "--all-checked"]).replace(&id, "ID"),
        @"
    ------- stderr -------
    error: cannot move ID from sourced to corroborated
      - needs supporting sources from at least 2 independent origins; has 1 (nbc news) (independent-origins)
        fix: attach a supporting source whose information does not come from the same origin: claims source add ID --url URL --origin WHO-FIRST-REPORTED-IT
    [exit status: 1]
    "
    );
    assert!(repo.read_record(&id).contains("state = \"sourced\""));
}

#[test]
fn disputing_and_reopening_need_notes_and_record_them() {
    let repo = Repo::new();
    let id = repo.add("The border wall was finished in 2020.");
    repo.ok(&[
        "source",
        "add",
        &id,
        "--url",
        "https://no.example/x",
        "--stance",
        "contradicts",
    ]);
    repo.ok(&[
        "mark",
        &id,
        "disputed",
        "--note",
        "Only 450 miles were built.",
    ]);
    let body = repo.git(&["log", "-1", "--format=%b"]);
    assert!(body.starts_with("Only 450 miles were built."), "{body}");
    repo.ok(&["mark", &id, "unverified", "--note", "New figures expected."]);
    let record = repo.read_record(&id);
    assert!(
        record.contains("note = \"Only 450 miles were built.\""),
        "{record}"
    );
    assert!(
        record.contains("note = \"New figures expected.\""),
        "{record}"
    );
}

#[test]
fn rebutted_contradiction_no_longer_blocks_corroboration() {
    let repo = Repo::new();
    let id = repo.claim_with_two_origins("Unemployment fell to 4.1% in May.");
    repo.ok(&[
        "source",
        "add",
        &id,
        "--url",
        "https://no.example/r",
        "--stance",
        "contradicts",
    ]);
    repo.ok(&["mark", &id, "sourced", "--all-checked"]);
    repo.fails(&["mark", &id, "corroborated", "--all-checked"], 1);
    repo.fails(
        &[
            "source",
            "rebut",
            &id,
            "--url",
            "https://no.example/r",
            "--note",
            " ",
        ],
        2,
    );
    repo.ok(&[
        "source",
        "rebut",
        &id,
        "--url",
        "https://no.example/r",
        "--note",
        "Retracted",
    ]);
    repo.ok(&["mark", &id, "corroborated", "--all-checked"]);
}

#[test]
fn publishing_an_uncorroborated_claim_needs_force_and_check_flags_it() {
    let repo = Repo::new();
    let id = repo.add("Inflation is at a record high.");
    insta::assert_snapshot!(repo.sees(&["publish", &id]).replace(&id, "ID"), @"
    ------- stderr -------
    error: cannot publish ID: it is unverified, not corroborated
    hint: corroborate it first (claims review ID), or publish anyway with: claims publish ID --force
    [exit status: 1]
    ");
    repo.ok(&["publish", &id, "--force"]);
    insta::assert_snapshot!(repo.sees(&["check"]).replace(&id, "ID"), @"
    records/fv/ID.toml: published-not-corroborated: published while unverified
    checked 1 claim: 1 violation
    [exit status: 1]
    ");
    repo.ok(&["unpublish", &id]);
    repo.ok(&["check"]);
}

#[test]
fn notes_are_kept_verbatim() {
    let repo = Repo::new();
    let id = repo.add("The bridge cost $1.2 billion.");
    let note = "Called the ministry.\n\nThey quoted \"1.2 bn\" — with VAT.";
    repo.ok(&["note", &id, note]);
    let show = repo.ok(&["show", &id, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&show).unwrap();
    assert_eq!(json["notes"][0]["text"], note);
    assert_eq!(json["notes"][0]["by"], REVIEWER);
}

#[test]
fn the_same_text_is_the_same_claim() {
    let repo = Repo::new();
    let id = repo.add("Mexico extradited 55 people.");
    insta::assert_snapshot!(
        repo.sees(&["add", "  mexico EXTRADITED 55 people "]).replace(&id, "ID"),
        @"
    ------- stderr -------
    error: a claim with this text already exists: ID
    hint: see it with: claims show ID
    [exit status: 2]
    "
    );
}

#[test]
fn an_appearance_records_the_document_line_and_excerpt() {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.path().join("seeds")).unwrap();
    std::fs::write(
        repo.path().join("seeds/a.txt"),
        "Headline\nTrump said 97 percent fewer boats arrive.\n",
    )
    .unwrap();
    let id = repo.ok(&[
        "add",
        "Maritime drug trafficking fell 97 percent.",
        "--document",
        "seeds/a.txt",
        "--line",
        "2",
    ]);
    let record = repo.read_record(id.trim());
    assert!(record.contains("document = \"seeds/a.txt\"\nline = 2\nexcerpt = \"Trump said 97 percent fewer boats arrive.\""), "{record}");
    insta::assert_snapshot!(
        repo.sees(&["add", "Another claim.", "--document", "seeds/a.txt", "--line", "9"]),
        @"
    ------- stderr -------
    error: --line 9 is past the end of seeds/a.txt (2 lines)
    [exit status: 2]
    "
    );
    let outside = tempfile::NamedTempFile::new().unwrap();
    repo.fails(
        &[
            "add",
            "Another claim.",
            "--document",
            outside.path().to_str().unwrap(),
        ],
        2,
    );
}
