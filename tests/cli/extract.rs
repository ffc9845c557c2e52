use crate::harness::{Repo, stderr};

const ARTICLE_A: &str = "Cartel Violence: What We Know\nBy Ana Ruiz\n\n\
Mexico extradited 55 cartel members to the United States in 2025, according to NBC News.\n\
Trump said cartels cause 300,000 deaths in the U.S. every year.\n\
What does this mean for Mexico?\n";

const ARTICLE_B: &str = "Troops at the border\n\n\
In 2025, Mexico extradited 55 cartel members to the U.S., officials told the New York Times.\n\
Mexico also sent 10,000 soldiers to the border and extradited more than 50 criminal leaders last year.\n";

fn write(repo: &Repo, path: &str, text: &[u8]) {
    let path = repo.path().join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// What the user sees of `output`, with the commit it made shown as COMMIT.
fn at_head(repo: &Repo, output: &std::process::Output) -> String {
    let commit = repo.git(&["rev-parse", "--short=8", "HEAD"]);
    repo.shown(output).replace(commit.trim(), "COMMIT")
}

fn records(repo: &Repo) -> Vec<serde_json::Value> {
    let list = repo.ok(&["list", "--format", "json"]);
    serde_json::from_str::<Vec<serde_json::Value>>(&list).unwrap()
}

#[test]
fn extract_records_claims_once_with_an_appearance_per_document() {
    let repo = Repo::new();
    write(&repo, "seeds/a.txt", ARTICLE_A.as_bytes());
    write(&repo, "seeds/b.txt", ARTICLE_B.as_bytes());
    let before = repo.commit_count();
    let output = repo
        .claims(&["extract", "seeds"])
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    insta::assert_snapshot!(at_head(&repo, &output), @"
    2 documents (1 KB), 8 sentences, 4 check-worthy: 3 new claims (0 related to a known claim), 1 new appearance, 0 already recorded; commit COMMIT
    models: check-worthiness n-grams and embeddings, stacked (built in), documents read as articles; matching on words, figures and all-MiniLM-L6-v2 (static embeddings)
    [exit status: 0]
    ");
    assert_eq!(repo.commit_count(), before + 1);
    // The documents are the user's to commit; the records are committed.
    assert_eq!(repo.status(), "?? seeds/\n");

    let claims = records(&repo);
    let extradition = claims
        .iter()
        .find(|c| {
            c["text"]
                .as_str()
                .unwrap()
                .starts_with("Mexico extradited 55")
        })
        .expect("the extradition claim");
    let id = extradition["id"].as_str().unwrap();
    let shown: serde_json::Value =
        serde_json::from_str(&repo.ok(&["show", id, "--format", "json"])).unwrap();
    let appearances: Vec<(String, u64, String)> = shown["appearances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["document"].as_str().unwrap().to_string(),
                a["line"].as_u64().unwrap(),
                a["attribution"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        appearances,
        [
            ("seeds/a.txt".to_string(), 4, "NBC News".to_string()),
            (
                "seeds/b.txt".to_string(),
                3,
                "The New York Times".to_string()
            )
        ]
    );
    // Questions are never claims.
    assert!(
        claims
            .iter()
            .all(|c| !c["text"].as_str().unwrap().ends_with('?'))
    );
    let trump = claims
        .iter()
        .find(|c| c["text"].as_str().unwrap().starts_with("Trump said"))
        .expect("the deaths claim");
    assert_eq!(trump["claimant"], "Trump");

    // One Claim-Id trailer per claim created, and the extract action.
    let trailers = repo.git(&["log", "-1", "--format=%(trailers:key=Claim-Id,valueonly)"]);
    assert_eq!(trailers.split_whitespace().count(), claims.len());
    insta::assert_snapshot!(repo.git(&["log", "-1", "--format=%B"]), @"
    Extract 3 claims from 2 documents

    Claim-Id: cpxhcqz64f
    Claim-Id: qsvtunql7b
    Claim-Id: wwgdsf6naa
    Claim-Action: extract
    ");
}

#[test]
fn extracting_the_same_documents_again_records_nothing() {
    let repo = Repo::new();
    write(&repo, "seeds/a.txt", ARTICLE_A.as_bytes());
    repo.ok(&["extract", "seeds/a.txt"]);
    let head = repo.head();
    insta::assert_snapshot!(repo.sees(&["extract", "seeds/a.txt"]), @"
    1 document (1 KB), 5 sentences, 2 check-worthy: 0 new claims (0 related to a known claim), 0 new appearances, 2 already recorded; nothing new to record
    models: check-worthiness n-grams and embeddings, stacked (built in), documents read as articles; matching on words, figures and all-MiniLM-L6-v2 (static embeddings)
    [exit status: 0]
    ");
    assert_eq!(repo.head(), head);

    // A new document repeating a known claim adds an appearance to it, nothing else.
    let before = records(&repo).len();
    write(
        &repo,
        "seeds/c.md",
        b"Mexico extradited 55 cartel members to the U.S. in 2025.\n",
    );
    repo.ok(&["extract", "seeds/c.md"]);
    assert_eq!(records(&repo).len(), before);
    let changed = repo.git(&["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(changed.lines().count(), 1, "{changed}");
}

/// A wire story updated with a line above its sentences, and an article repeating a sentence:
/// the moved sentences are the appearances they were recorded as, and a repeat is recorded once
/// per time the article states it.
#[test]
fn sentences_moved_by_an_update_are_the_appearances_recorded_before() {
    let repo = Repo::new();
    let repeated = "Mexico extradited 55 cartel members to the United States in 2025.\n";
    write(&repo, "seeds/a.txt", ARTICLE_A.as_bytes());
    write(&repo, "seeds/b.txt", ARTICLE_B.as_bytes());
    write(&repo, "seeds/r.txt", repeated.repeat(2).as_bytes());
    repo.ok(&["extract", "seeds/a.txt", "seeds/b.txt", "seeds/r.txt"]);
    let before = repo.ok(&["list", "--format", "json"]);
    let head = repo.head();
    write(
        &repo,
        "seeds/b.txt",
        format!("UPDATED 10:00 GMT\n\n{ARTICLE_B}").as_bytes(),
    );
    write(
        &repo,
        "seeds/r.txt",
        format!("Updated.\n{}", repeated.repeat(2)).as_bytes(),
    );
    insta::assert_snapshot!(repo.sees(&["extract", "seeds/a.txt", "seeds/b.txt", "seeds/r.txt"]), @"
    3 documents (1 KB), 12 sentences, 6 check-worthy: 0 new claims (0 related to a known claim), 0 new appearances, 6 already recorded; nothing new to record
    models: check-worthiness n-grams and embeddings, stacked (built in), documents read as articles; matching on words, figures and all-MiniLM-L6-v2 (static embeddings)
    [exit status: 0]
    ");
    assert_eq!(repo.head(), head);
    assert_eq!(repo.ok(&["list", "--format", "json"]), before);

    // A third time the article states it is an appearance of its own.
    write(
        &repo,
        "seeds/r.txt",
        format!("Updated.\n{}", repeated.repeat(3)).as_bytes(),
    );
    let output = repo.claims(&["extract", "seeds/r.txt"]).output().unwrap();
    insta::assert_snapshot!(at_head(&repo, &output), @"
    1 document (1 KB), 4 sentences, 3 check-worthy: 0 new claims (0 related to a known claim), 1 new appearance, 2 already recorded; commit COMMIT
    models: check-worthiness n-grams and embeddings, stacked (built in), documents read as articles; matching on words, figures and all-MiniLM-L6-v2 (static embeddings)
    [exit status: 0]
    ");
}

#[test]
fn differing_figures_make_related_claims_shown_side_by_side() {
    let repo = Repo::new();
    write(
        &repo,
        "a.txt",
        b"Mexico extradited 55 cartel members to the United States this year.\n",
    );
    write(
        &repo,
        "b.txt",
        b"Mexico extradited more than 50 cartel members to the United States this year.\n",
    );
    repo.ok(&["extract", "a.txt", "b.txt"]);
    let claims = records(&repo);
    assert_eq!(claims.len(), 2);
    let id = claims[0]["id"].as_str().unwrap();
    let shown = repo
        .claims(&["show", id])
        .env("COLUMNS", "120")
        .output()
        .unwrap();
    insta::assert_snapshot!(repo.shown(&shown), @"
    ┌─────────┬─────────────────────────────────────────────────────────────────────┐
    │         ┆ 6oymu2jiet                                                          │
    ╞═════════╪═════════════════════════════════════════════════════════════════════╡
    │ Claim   ┆ Mexico extradited 55 cartel members to the United States this year. │
    │ State   ┆ unverified                                                          │
    │ Created ┆ 2026-03-01T09:00:00Z                                                │
    └─────────┴─────────────────────────────────────────────────────────────────────┘

    Related claims with other figures
    ┌────────────┬────────────────────┬───────────────────────────────────────────────────────────────────────────────┐
    │ RELATED    ┆ FIGURES            ┆ CLAIM                                                                         │
    ╞════════════╪════════════════════╪═══════════════════════════════════════════════════════════════════════════════╡
    │ dt3aql7qxv ┆ 55 vs more than 50 ┆ Mexico extradited more than 50 cartel members to the United States this year. │
    └────────────┴────────────────────┴───────────────────────────────────────────────────────────────────────────────┘

    Appearances
    ┌─────────────┬──────┬───────────────┬─────────────────────────────────────────────────────────────────────┐
    │ APPEARED IN ┆ LINE ┆ ATTRIBUTED TO ┆ EXCERPT                                                             │
    ╞═════════════╪══════╪═══════════════╪═════════════════════════════════════════════════════════════════════╡
    │ a.txt       ┆ 1    ┆               ┆ Mexico extradited 55 cartel members to the United States this year. │
    └─────────────┴──────┴───────────────┴─────────────────────────────────────────────────────────────────────┘

    Sources: none yet

    ┌────────────────────────┬────────────────────────────────────────────────────────────────────────────────────────┐
    │ PROGRESS               ┆                                                                                        │
    ╞════════════════════════╪════════════════════════════════════════════════════════════════════════════════════════╡
    │ sourced                ┆ needs at least 1 supporting source; has 0                                              │
    │                        ┆ the sourced checklist is not confirmed: provenance, source, date, location, motivation │
    │ corroborated           ┆ needs supporting sources from at least 2 independent origins; has 0                    │
    │                        ┆ the sourced checklist is not confirmed: provenance, source, date, location, motivation │
    │                        ┆ the corroborated checklist is not confirmed: independence, context                     │
    │ disputed               ┆ needs at least 1 contradicting source; has 0                                           │
    │ sourced checklist      ┆ [ ] provenance  [ ] source  [ ] date  [ ] location  [ ] motivation                     │
    │ corroborated checklist ┆ [ ] independence  [ ] context                                                          │
    └────────────────────────┴────────────────────────────────────────────────────────────────────────────────────────┘
    [exit status: 0]
    ");
}

#[test]
fn dry_run_shows_the_plan_and_writes_nothing() {
    let repo = Repo::new();
    write(&repo, "seeds/a.txt", ARTICLE_A.as_bytes());
    let head = repo.head();
    let out = repo
        .claims(&["extract", "--dry-run", "seeds"])
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    insta::assert_snapshot!(repo.shown(&out), @"
    ┌───────┬───────────────────┬──────────────────────────────────────────────────────────────────────────────────────────┬───────────────┐
    │ SCORE ┆ WOULD             ┆ CLAIM                                                                                    ┆ WHERE         │
    ╞═══════╪═══════════════════╪══════════════════════════════════════════════════════════════════════════════════════════╪═══════════════╡
    │ 0.92  ┆ create qsvtunql7b ┆ Mexico extradited 55 cartel members to the United States in 2025, according to NBC News. ┆ seeds/a.txt:4 │
    │ 0.97  ┆ create wwgdsf6naa ┆ Trump said cartels cause 300,000 deaths in the U.S. every year.                          ┆ seeds/a.txt:5 │
    └───────┴───────────────────┴──────────────────────────────────────────────────────────────────────────────────────────┴───────────────┘
    1 document (1 KB), 5 sentences, 2 check-worthy: 2 new claims (0 related to a known claim), 0 new appearances, 0 already recorded; dry run: nothing recorded
    models: check-worthiness n-grams and embeddings, stacked (built in), documents read as articles; matching on words, figures and all-MiniLM-L6-v2 (static embeddings)
    [exit status: 0]
    ");
    assert_eq!(repo.head(), head);
    assert!(!repo.path().join("records").exists());
}

#[test]
fn bad_documents_get_clear_messages() {
    let repo = Repo::new();
    write(&repo, "docs/binary.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    write(&repo, "docs/empty.txt", b"");
    write(&repo, "docs/ignored.pdf", b"%PDF-1.4");
    write(
        &repo,
        "docs/latin1.txt",
        b"Unemployment fell to 4 percent in Espa\xf1a last year, the ministry said.\n",
    );
    let output = repo
        .claims(&["extract", "docs"])
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    insta::assert_snapshot!(at_head(&repo, &output), @"
    2 documents (1 KB), 1 sentence, 1 check-worthy: 1 new claim (0 related to a known claim), 0 new appearances, 0 already recorded; commit COMMIT
    models: check-worthiness n-grams and embeddings, stacked (built in), documents read as articles; matching on words, figures and all-MiniLM-L6-v2 (static embeddings)
    ------- stderr -------
    warning: skipped docs/binary.txt: it is a binary file, not plain text
    warning: docs/latin1.txt:1: not valid UTF-8; invalid bytes were replaced with U+FFFD
    [exit status: 0]
    ");
    let output = repo
        .claims(&["extract", "docs", "--dry-run"])
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    insta::assert_snapshot!(repo.shown(&output), @"
    ┌───────┬──────────────────────────────┬───────────────────────────────────────┬───────────────────┐
    │ SCORE ┆ WOULD                        ┆ CLAIM                                 ┆ WHERE             │
    ╞═══════╪══════════════════════════════╪═══════════════════════════════════════╪═══════════════════╡
    │ 0.93  ┆ nothing: known as anhk5ohbqz ┆ Unemployment fell to 4 percent in     ┆ docs/latin1.txt:1 │
    │       ┆                              ┆ Espa�a last year, the ministry said.  ┆                   │
    └───────┴──────────────────────────────┴───────────────────────────────────────┴───────────────────┘
    2 documents (1 KB), 1 sentence, 1 check-worthy: 0 new claims (0 related to a known claim), 0 new appearances, 1 already recorded; nothing new to record
    models: check-worthiness n-grams and embeddings, stacked (built in), documents read as articles; matching on words, figures and all-MiniLM-L6-v2 (static embeddings)
    ------- stderr -------
    warning: skipped docs/binary.txt: it is a binary file, not plain text
    warning: docs/latin1.txt:1: not valid UTF-8; invalid bytes were replaced with U+FFFD
    [exit status: 0]
    ");
    // The unsupported file is passed over without a word.
    assert!(!stderr(&output).contains("ignored.pdf"));

    insta::assert_snapshot!(repo.sees(&["extract", "docs/binary.txt"]), @"
    ------- stderr -------
    warning: skipped docs/binary.txt: it is a binary file, not plain text
    error: none of the documents could be read
    [exit status: 2]
    ");
    insta::assert_snapshot!(repo.sees(&["extract", "docs/missing.txt"]), @"
    ------- stderr -------
    error: cannot read docs/missing.txt: No such file or directory (os error 2)
    [exit status: 2]
    ");
    insta::assert_snapshot!(repo.sees(&["extract", "docs", "--min-score", "2"]), @"
    ------- stderr -------
    error: --min-score 2 is not between 0 and 1
    [exit status: 2]
    ");
    insta::assert_snapshot!(repo.sees(&["extract"]), @"
    ------- stderr -------
    error: the following required arguments were not provided:
      <PATH>...

    Usage: claims extract <PATH>...

    For more information, try '--help'.
    [exit status: 2]
    ");
}

#[test]
fn score_prints_score_verdict_and_sentence() {
    let repo = Repo::new();
    let input = "Unemployment fell to 3.5 percent last year.\n\nThank you all for coming.\n";
    let out = repo.claims(&["score"]).write_stdin(input).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2, "{text}");
    assert_eq!(rows[0][1], "yes", "{text}");
    assert_eq!(rows[1][1], "no", "{text}");
    assert!(rows[0][0].parse::<f32>().unwrap() > rows[1][0].parse::<f32>().unwrap());
    assert_eq!(rows[0][2], "Unemployment fell to 3.5 percent last year.");

    write(&repo, "s.txt", input.as_bytes());
    let json: serde_json::Value =
        serde_json::from_str(&repo.ok(&["score", "s.txt", "--format", "json"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert_eq!(json[0]["check_worthy"], true);
    assert_eq!(json[1]["line"], 3);
    repo.fails(&["score", "missing.txt"], 2);
}

#[test]
fn an_appearance_of_a_dismissed_claim_is_recorded_and_said_and_the_claim_stays_dismissed() {
    let repo = Repo::new();
    write(&repo, "seeds/a.txt", ARTICLE_A.as_bytes());
    repo.ok(&["extract", "seeds/a.txt"]);
    let claims = records(&repo);
    let deaths = claims
        .iter()
        .find(|c| c["text"].as_str().unwrap().contains("300,000 deaths"))
        .expect("the deaths claim")["id"]
        .as_str()
        .unwrap()
        .to_string();
    repo.ok(&[
        "dismiss",
        &deaths,
        "--reason",
        "not-check-worthy",
        "--note",
        "A figure thrown out in a speech",
    ]);
    write(
        &repo,
        "seeds/c.txt",
        b"Border\n\nTrump said cartels cause 300,000 deaths in the U.S. every year.\n",
    );
    let seen = |args: &[&str]| {
        let output = repo.claims(args).env("COLUMNS", "100").output().unwrap();
        at_head(&repo, &output)
    };
    insta::assert_snapshot!(seen(&["extract", "--dry-run", "seeds/c.txt"]), @"
    ┌───────┬───────────────────────────────┬──────────────────────────────────────────┬───────────────┐
    │ SCORE ┆ WOULD                         ┆ CLAIM                                    ┆ WHERE         │
    ╞═══════╪═══════════════════════════════╪══════════════════════════════════════════╪═══════════════╡
    │ 0.97  ┆ add appearance to wwgdsf6naa, ┆ Trump said cartels cause 300,000 deaths  ┆ seeds/c.txt:3 │
    │       ┆ dismissed (not-check-worthy)  ┆ in the U.S. every year.                  ┆               │
    └───────┴───────────────────────────────┴──────────────────────────────────────────┴───────────────┘
    1 document (1 KB), 2 sentences, 1 check-worthy: 0 new claims (0 related to a known claim), 1 new appearance, 0 already recorded; dry run: nothing recorded
    1 new appearance is of a dismissed claim, which stays dismissed: wwgdsf6naa (not-check-worthy); bring it back with: claims undismiss wwgdsf6naa --note WHY
    models: check-worthiness n-grams and embeddings, stacked (built in), documents read as articles; matching on words, figures and all-MiniLM-L6-v2 (static embeddings)
    [exit status: 0]
    ");
    insta::assert_snapshot!(seen(&["extract", "seeds/c.txt"]), @"
    1 document (1 KB), 2 sentences, 1 check-worthy: 0 new claims (0 related to a known claim), 1 new appearance, 0 already recorded; commit COMMIT
    1 new appearance is of a dismissed claim, which stays dismissed: wwgdsf6naa (not-check-worthy); bring it back with: claims undismiss wwgdsf6naa --note WHY
    models: check-worthiness n-grams and embeddings, stacked (built in), documents read as articles; matching on words, figures and all-MiniLM-L6-v2 (static embeddings)
    [exit status: 0]
    ");
    let shown: serde_json::Value =
        serde_json::from_str(&repo.ok(&["show", &deaths, "--format", "json"])).unwrap();
    assert_eq!(shown["appearances"].as_array().unwrap().len(), 2, "{shown}");
    assert_eq!(shown["dismissals"].as_array().unwrap().len(), 1, "{shown}");
    assert!(shown["dismissals"][0].get("undone").is_none(), "{shown}");
    assert!(
        records(&repo).iter().all(|c| c["id"] != deaths.as_str()),
        "a dismissed claim stays out of the list"
    );
    let audit = repo.ok(&["audit"]);
    assert!(audit.ends_with(": ok\n"), "{audit}");
}

const TRANSCRIPT: &str = "Transcript: the second presidential debate, Atlanta\n\n\
MODERATOR: Good evening and welcome to Atlanta.\n\n\
BIDEN: We created 15 million jobs in three years.\n\n\
And inflation is down to 3 percent.\n\n\
TRUMP: I was the one who passed the bill. We will make America great again.\n\n\
They cut the budget for the police.\n";

#[test]
fn a_transcript_credits_each_turn_to_its_speaker_at_the_transcripts_threshold() {
    let repo = Repo::new();
    write(&repo, "debate.txt", TRANSCRIPT.as_bytes());
    let output = repo
        .claims(&["extract", "--genre", "transcript", "debate.txt"])
        .output()
        .unwrap();
    insta::assert_snapshot!(at_head(&repo, &output), @"
    1 document (1 KB), 7 sentences, 4 check-worthy: 4 new claims (0 related to a known claim), 0 new appearances, 0 already recorded; commit COMMIT
    models: check-worthiness n-grams and embeddings, stacked (built in), documents read as transcripts; matching on words, figures and all-MiniLM-L6-v2 (static embeddings)
    [exit status: 0]
    ");
    let mut claims: Vec<(String, String, String)> = records(&repo)
        .iter()
        .map(|claim| {
            let id = claim["id"].as_str().unwrap();
            let shown: serde_json::Value =
                serde_json::from_str(&repo.ok(&["show", id, "--format", "json"])).unwrap();
            (
                claim["text"].as_str().unwrap().to_owned(),
                claim["claimant"].as_str().unwrap_or("").to_owned(),
                shown["appearances"][0]["excerpt"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        })
        .collect();
    claims.sort();
    let claim = |text: &str, claimant: &str, excerpt: &str| {
        (text.to_owned(), claimant.to_owned(), excerpt.to_owned())
    };
    // The labels name the claimants and stay in the excerpts only; the vow is no claim.
    assert_eq!(
        claims,
        [
            claim(
                "I was the one who passed the bill.",
                "Trump",
                "TRUMP: I was the one who passed the bill."
            ),
            claim(
                "Inflation is down to 3 percent.",
                "Biden",
                "And inflation is down to 3 percent."
            ),
            claim(
                "They cut the budget for the police.",
                "Trump",
                "They cut the budget for the police."
            ),
            claim(
                "We created 15 million jobs in three years.",
                "Biden",
                "BIDEN: We created 15 million jobs in three years."
            ),
        ]
    );
    // Read as news copy, the same turns fall below the articles' threshold.
    let sentences = "I was the one who passed the bill.\nThey cut the budget for the police.\n";
    let scored = |genre: &str| {
        let output = repo
            .claims(&["score", "--genre", genre])
            .write_stdin(sentences)
            .output()
            .unwrap();
        repo.shown(&output)
    };
    insta::assert_snapshot!(scored("transcript"), @"
    0.324	yes	I was the one who passed the bill.
    0.348	yes	They cut the budget for the police.
    [exit status: 0]
    ");
    insta::assert_snapshot!(scored("article"), @"
    0.324	no	I was the one who passed the bill.
    0.348	no	They cut the budget for the police.
    [exit status: 0]
    ");
    insta::assert_snapshot!(repo.sees(&["score", "--genre", "speech"]), @"
    ------- stderr -------
    error: invalid value 'speech' for '--genre <GENRE>'
      [possible values: article, transcript]

    For more information, try '--help'.
    [exit status: 2]
    ");
}
