//! Input and repositories people really have: clones that convert line endings, and claim
//! text carrying terminal escapes and other control characters.

use crate::harness::Repo;

const ARTICLE: &str = "Border report\n\n\
Mexico extradited 55 cartel members to the United States in 2025, according to NBC News.\n";
const SECOND_ARTICLE: &str = "More on the border\n\n\
In 2025, Mexico extradited 55 cartel members to the U.S., officials told the New York Times.\n";

/// A repository whose records were extracted and sourced by the tool, with `attributes` as
/// its committed `.gitattributes`; returns it and the id of the extracted claim.
fn origin_with(attributes: &str) -> (Repo, String) {
    let origin = Repo::new();
    std::fs::write(origin.path().join(".gitattributes"), attributes).unwrap();
    std::fs::create_dir_all(origin.path().join("seeds")).unwrap();
    std::fs::write(origin.path().join("seeds/a.txt"), ARTICLE).unwrap();
    origin.git(&["add", ".gitattributes", "seeds"]);
    origin.git(&["commit", "-q", "-m", "Attributes and an article"]);
    origin.ok(&["extract", "seeds/a.txt"]);
    let list: serde_json::Value =
        serde_json::from_str(&origin.ok(&["list", "--format", "json"])).unwrap();
    let id = list[0]["id"].as_str().unwrap().to_string();
    origin.ok(&["source", "add", &id, "--url", "https://one.example/a"]);
    (origin, id)
}

/// In a clone whose checkout converts line endings (a Windows colleague's), every write works
/// and leaves `git status`, `claims check` and `claims audit` clean: with the attributes older
/// versions of `claims init` committed, under which git checks records out with CRLF, and with
/// today's, under which it does not.
#[test]
fn writes_work_in_a_clone_that_converts_line_endings() {
    const OLD_ATTRIBUTES: &str = "records/**/*.toml merge=claims\n";
    const TEXT_AUTO: &str = "* text=auto\nrecords/**/*.toml merge=claims\n";
    // The clone's config, the origin's `.gitattributes`, whether today's `claims init` ran
    // in the origin after it, and whether git then checks records out with CRLF.
    let cases: [(&str, &str, bool, bool); 4] = [
        ("core.autocrlf=true", OLD_ATTRIBUTES, false, true),
        ("core.eol=crlf", TEXT_AUTO, false, true),
        ("core.autocrlf=true", OLD_ATTRIBUTES, true, false),
        ("core.eol=crlf", TEXT_AUTO, true, false),
    ];
    for (config, attributes, init, crlf_checkout) in cases {
        let case = format!("{config} with {attributes:?}, init {init}");
        let (origin, id) = origin_with(attributes);
        if init {
            origin.ok(&["init"]);
        }
        let clone = origin.clone_with(&["-c", config]);
        let record = std::fs::read(clone.record_path(&id)).unwrap();
        assert_eq!(
            record.windows(2).any(|pair| pair == b"\r\n"),
            crlf_checkout,
            "{case}: the checkout is not what the case is about"
        );
        // Written again as it is, the record's stat data no longer vouches for it: the audit
        // reads it, and must see what git sees.
        std::fs::write(clone.record_path(&id), &record).unwrap();
        clone.ok(&["audit"]);
        assert_eq!(clone.status(), "", "{case}: git status of the checkout");
        std::fs::write(clone.path().join("seeds/b.txt"), SECOND_ARTICLE).unwrap();
        clone.git(&["add", "seeds/b.txt"]);
        clone.git(&["commit", "-q", "-m", "Another article"]);
        let before = clone.commit_count();
        for args in [
            vec!["note", &id, "Checked against the court filings."],
            vec!["source", "add", &id, "--url", "https://two.example/b"],
            vec!["mark", &id, "sourced", "--all-checked"],
            vec!["extract", "seeds/b.txt"],
        ] {
            let output = clone.claims(&args).output().unwrap();
            assert_eq!(
                output.status.code(),
                Some(0),
                "{case}: claims {args:?}:\n{}",
                crate::harness::describe(&output)
            );
            assert_eq!(
                clone.status(),
                "",
                "{case}: git status after claims {args:?}"
            );
        }
        assert_eq!(clone.commit_count(), before + 4, "{case}");
        let shown: serde_json::Value =
            serde_json::from_str(&clone.ok(&["show", &id, "--format", "json"])).unwrap();
        assert_eq!(shown["appearances"].as_array().unwrap().len(), 2, "{case}");
        assert_eq!(shown["state"], "sourced", "{case}");
        clone.ok(&["check"]);
        clone.ok(&["audit"]);
        // Git, refreshing every entry from the files, sees what the index says.
        clone.git(&["update-index", "--really-refresh"]);
        assert_eq!(clone.status(), "", "{case}: after git refreshed the index");
    }
}

/// Every kind of control character the tool must never print raw (the snapshots show the
/// visible form it prints instead, `\u001b`).
const ESCAPES: &[&str] = &[
    "\u{1b}]0;owned\u{7}",
    "\u{1b}[31m",
    "\r",
    "\u{202e}",
    "\u{2067}",
    "\u{8}",
    "\u{7f}",
    "\u{9b}",
];

/// The control characters in `bytes` a terminal would obey, by position: C0 but tab, newline
/// and the CR of a CRLF, DEL, C1, bidirectional embeddings, overrides and isolates, line and
/// paragraph separators.
fn raw_controls(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    let chars: Vec<char> = text.chars().collect();
    chars
        .iter()
        .enumerate()
        .filter(|&(at, &c)| {
            let crlf = c == '\r' && chars.get(at + 1) == Some(&'\n');
            let c0 = (c < ' ' && c != '\t' && c != '\n' && !crlf) || c == '\u{7f}';
            let c1 = ('\u{80}'..='\u{9f}').contains(&c);
            let bidi =
                ('\u{202a}'..='\u{202e}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c);
            c0 || c1 || bidi || c == '\u{2028}' || c == '\u{2029}'
        })
        .map(|(at, &c)| format!("U+{:04X} at {at}", u32::from(c)))
        .collect()
}

/// `ESCAPES` as a TOML basic string's contents, every character escaped as TOML allows.
fn toml_escaped(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            c if c.is_control() || ('\u{2000}'..='\u{2fff}').contains(&c) => {
                format!("\\u{:04X}", u32::from(c))
            }
            c => c.to_string(),
        })
        .collect()
}

/// Claims, notes, sources and commits that already hold control characters (edited by hand,
/// or written by an older version) are shown with each one escaped, visibly, by every
/// command that prints them, in every format; and the commits the tool makes about them carry
/// none raw.
#[test]
fn text_with_control_characters_is_never_printed_raw() {
    let repo = Repo::new();
    let id = repo.add("Crime fell by 3% in 2025.");
    let hostile: String = ESCAPES.concat();
    let record = repo.record_path(&id);
    let edited = repo.read_record(&id).replace(
        "Crime fell",
        &format!("Crime{} fell", toml_escaped(&hostile)),
    ) + &format!(
        "claimant = \"Ana{0}\"\ntags = [\"t{0}\"]\n\n[[sources]]\nurl = \"https://one.example/a\"\n\
             publisher = \"One{0}\"\norigin = \"One{0}\"\nstance = \"supports\"\n\n\
             [[notes]]\nat = \"2026-01-02T00:00:00Z\"\nby = \"Ana{0}\"\ntext = \"Seen{0}\"\n",
        toml_escaped(&hostile)
    );
    std::fs::write(&record, edited).unwrap();
    repo.git(&["add", "records"]);
    let message = repo.path().join("message");
    std::fs::write(&message, format!("Hand edit {hostile}\n\nBody {hostile}\n")).unwrap();
    repo.git(&["commit", "-q", "-F", message.to_str().unwrap()]);
    repo.ok(&["note", &id, "Checked."]);
    repo.ok(&["mark", &id, "sourced", "--all-checked"]);

    for args in [
        vec!["list"],
        vec!["list", "--format", "csv"],
        vec!["list", "--format", "json"],
        vec!["show", &id],
        vec!["show", &id, "--format", "json"],
        vec!["show", &id, "--format", "toml"],
        vec!["log"],
        vec!["log", &id],
        vec!["log", "--format", "json"],
        vec!["export", "--format", "csv"],
        vec!["export", "--format", "json"],
        vec!["report"],
    ] {
        let output = repo.claims(&args).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "claims {args:?}");
        for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            assert_eq!(
                raw_controls(bytes),
                Vec::<String>::new(),
                "claims {args:?}: {stream}"
            );
        }
    }
    // What JSON and CSV escape read back as what the record holds.
    let listed: serde_json::Value =
        serde_json::from_str(&repo.ok(&["list", "--format", "json"])).unwrap();
    assert_eq!(
        listed[0]["text"],
        format!("Crime{hostile} fell by 3% in 2025.")
    );
    insta::assert_snapshot!(repo.sees(&["show", &id]), @r"
    ┌──────────┬─────────────────────────────────────────────────────────────────────────────────────────────┐
    │          ┆ hjxeuvxygn                                                                                  │
    ╞══════════╪═════════════════════════════════════════════════════════════════════════════════════════════╡
    │ Claim    ┆ Crime\u001b]0;owned\u0007\u001b[31m\u000d\u202e\u2067\u0008\u007f\u009b fell by 3% in 2025. │
    │ State    ┆ sourced                                                                                     │
    │ Claimant ┆ Ana\u001b]0;owned\u0007\u001b[31m\u000d\u202e\u2067\u0008\u007f\u009b                       │
    │ Tags     ┆ t\u001b]0;owned\u0007\u001b[31m\u000d\u202e\u2067\u0008\u007f\u009b                         │
    │ Created  ┆ 2026-03-01T09:00:00Z                                                                        │
    └──────────┴─────────────────────────────────────────────────────────────────────────────────────────────┘

    Sources (1 independent supporting origin)
    ┌──────────┬───────────────────────────────────────────────────────────────────────┬───────────────────────────────────────────────────────────────────────┬───────────────────────┐
    │ STANCE   ┆ ORIGIN                                                                ┆ PUBLISHER                                                             ┆ URL                   │
    ╞══════════╪═══════════════════════════════════════════════════════════════════════╪═══════════════════════════════════════════════════════════════════════╪═══════════════════════╡
    │ supports ┆ One\u001b]0;owned\u0007\u001b[31m\u000d\u202e\u2067\u0008\u007f\u009b ┆ One\u001b]0;owned\u0007\u001b[31m\u000d\u202e\u2067\u0008\u007f\u009b ┆ https://one.example/a │
    └──────────┴───────────────────────────────────────────────────────────────────────┴───────────────────────────────────────────────────────────────────────┴───────────────────────┘

    ┌────────────────────────┬────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┐
    │ PROGRESS               ┆                                                                                                                                        │
    ╞════════════════════════╪════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════════╡
    │ unverified             ┆ ready                                                                                                                                  │
    │ corroborated           ┆ needs supporting sources from at least 2 independent origins; has 1 (one\u001b]0;owned\u0007\u001b[31m \u202e\u2067\u0008\u007f\u009b) │
    │                        ┆ the corroborated checklist is not confirmed: independence, context                                                                     │
    │ disputed               ┆ needs at least 1 contradicting source; has 0                                                                                           │
    │ sourced checklist      ┆ [x] provenance  [x] source  [x] date  [x] location  [x] motivation                                                                     │
    │ corroborated checklist ┆ [ ] independence  [ ] context                                                                                                          │
    └────────────────────────┴────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────┘

    History
    ┌──────────────────────┬────────────────────────────┬──────────────────────┬──────┐
    │ WHEN                 ┆ BY                         ┆ MOVE                 ┆ NOTE │
    ╞══════════════════════╪════════════════════════════╪══════════════════════╪══════╡
    │ 2026-03-01T09:00:00Z ┆ Ana Ruiz <ana@example.org> ┆ unverified → sourced ┆      │
    └──────────────────────┴────────────────────────────┴──────────────────────┴──────┘

    Notes
    ┌──────────────────────┬───────────────────────────────────────────────────────────────────────┬────────────────────────────────────────────────────────────────────────┐
    │ WHEN                 ┆ BY                                                                    ┆ NOTE                                                                   │
    ╞══════════════════════╪═══════════════════════════════════════════════════════════════════════╪════════════════════════════════════════════════════════════════════════╡
    │ 2026-01-02T00:00:00Z ┆ Ana\u001b]0;owned\u0007\u001b[31m\u000d\u202e\u2067\u0008\u007f\u009b ┆ Seen\u001b]0;owned\u0007\u001b[31m\u000d\u202e\u2067\u0008\u007f\u009b │
    │ 2026-03-01T09:00:00Z ┆ Ana Ruiz <ana@example.org>                                            ┆ Checked.                                                               │
    └──────────────────────┴───────────────────────────────────────────────────────────────────────┴────────────────────────────────────────────────────────────────────────┘
    [exit status: 0]
    ");
    insta::assert_snapshot!(repo.sees(&["export", "--format", "csv"]), @r"
    id,state,published,text,claimant,sources,origins,updated
    hjxeuvxygn,sourced,false,Crime\u001b]0;owned\u0007\u001b[31m\u000d\u202e\u2067\u0008\u007f\u009b fell by 3% in 2025.,Ana\u001b]0;owned\u0007\u001b[31m\u000d\u202e\u2067\u0008\u007f\u009b,1,1,2026-03-01T09:00:00Z
    [exit status: 0]
    ");

    // The tool's commits about the claim quote its text: escaped.
    let messages = repo.git(&["log", "--format=%B", "-n", "2"]);
    assert_eq!(raw_controls(messages.as_bytes()), Vec::<String>::new());
    insta::assert_snapshot!(repo.git(&["log", "--format=%s", "-n", "2"]), @r"
    Move hjxeuvxygn from unverified to sourced: Crime\u001b]0;owned\u0007\u001b[31m \u202e\u2067\u0008\u007f\u009b fell by 3% in 2025.
    Note on hjxeuvxygn: Checked.
    ");
}

/// A table lays out text already escaped: a cell holding an escape sequence, a tab, a carriage
/// return or a bidirectional override is measured as it is printed, so every column lines up.
#[test]
fn tables_line_up_around_control_characters() {
    let repo = Repo::new();
    let id = repo.add("Crime fell by 3% in 2025.");
    repo.ok(&[
        "source",
        "add",
        &id,
        "--url",
        "https://one.example/a",
        "--publisher",
        "One",
    ]);
    repo.ok(&[
        "source",
        "remove",
        &id,
        "--url",
        "https://one.example/a",
        "--note",
        "Page gone.",
    ]);
    let hostile = toml_escaped("\u{1b}[31m\t\r\u{202e}");
    repo.edit_record(&id, "Crime fell", &format!("Crime{hostile} fell"));
    repo.edit_record(&id, "Page gone.", &format!("Page{hostile} gone."));

    let mut seen = String::new();
    for args in [vec!["show", id.as_str()], vec!["list"]] {
        let output = repo.claims(&args).output().unwrap();
        let controls: Vec<char> = String::from_utf8_lossy(&output.stdout)
            .chars()
            .filter(|c| c.is_control() && *c != '\n' || ('\u{202a}'..='\u{202e}').contains(c))
            .collect();
        assert_eq!(controls, Vec::<char>::new(), "claims {args:?}");
        seen.push_str(&repo.transcript(&args, &output));
    }
    insta::assert_snapshot!(seen, @r#"
    $ claims ["show", "hjxeuvxygn"]
    ┌─────────┬───────────────────────────────────────────────────────┐
    │         ┆ hjxeuvxygn                                            │
    ╞═════════╪═══════════════════════════════════════════════════════╡
    │ Claim   ┆ Crime\u001b[31m\u0009\u000d\u202e fell by 3% in 2025. │
    │ State   ┆ unverified                                            │
    │ Created ┆ 2026-03-01T09:00:00Z                                  │
    └─────────┴───────────────────────────────────────────────────────┘

    Sources (0 independent supporting origins)
    ┌──────────────────────────────────────────────────────────────┬────────┬───────────┬───────────────────────┐
    │ STANCE                                                       ┆ ORIGIN ┆ PUBLISHER ┆ URL                   │
    ╞══════════════════════════════════════════════════════════════╪════════╪═══════════╪═══════════════════════╡
    │ supports (withdrawn: Page\u001b[31m\u0009\u000d\u202e gone.) ┆ One    ┆ One       ┆ https://one.example/a │
    └──────────────────────────────────────────────────────────────┴────────┴───────────┴───────────────────────┘

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
    $ claims ["list"]
     ID          STATE       PUB  SOURCES  ORIGINS  CLAIM
     hjxeuvxygn  unverified       0        0        Crime\u001b[31m\u0009\u000d\u202e fell by 3% in 2025.
    1 claim: 1 unverified
    next: claims review   (steps through the 1 claim still to check)
    [exit status: 0]
    "#);
}

/// Typed input: a field that only breaks lines or spaces words gets one space per break (a
/// note keeps its lines); one with any other control character is refused, naming the field
/// and the character, and nothing changes.
#[test]
fn control_characters_in_input_are_normalised_or_refused() {
    let repo = Repo::new();
    let id = repo.add("Crime fell\r\nby 3%\tin 2025.");
    repo.ok(&["note", &id, "Line one.\r\nLine\ttwo."]);
    repo.ok(&[
        "add",
        "Unemployment rose.",
        "--claimant",
        "Ana\nRuiz",
        "--tag",
        "eco\tnomy",
    ]);
    let shown: serde_json::Value =
        serde_json::from_str(&repo.ok(&["show", &id, "--format", "json"])).unwrap();
    assert_eq!(shown["text"], "Crime fell by 3% in 2025.");
    assert_eq!(shown["notes"][0]["text"], "Line one.\nLine two.");
    let listed: serde_json::Value =
        serde_json::from_str(&repo.ok(&["list", "--format", "json"])).unwrap();
    let other = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|claim| claim["text"] == "Unemployment rose.")
        .unwrap();
    assert_eq!(other["claimant"], "Ana Ruiz");
    assert_eq!(other["tags"][0], "eco nomy");

    let mut refusals = String::new();
    for raw in ESCAPES.iter().filter(|raw| **raw != "\r") {
        for args in [
            vec!["add".to_string(), format!("Crime{raw} rose.")],
            vec![
                "add".into(),
                "Crime rose.".into(),
                "--claimant".into(),
                format!("A{raw}"),
            ],
            vec![
                "add".into(),
                "Crime rose.".into(),
                "--tag".into(),
                format!("t{raw}"),
            ],
            vec!["note".into(), id.clone(), format!("Seen{raw}")],
            vec![
                "mark".into(),
                id.clone(),
                "unverified".into(),
                "--note".into(),
                format!("No{raw}"),
            ],
            vec![
                "source".into(),
                "add".into(),
                id.clone(),
                "--url".into(),
                "https://two.example/b".into(),
                "--publisher".into(),
                format!("Two{raw}"),
            ],
        ] {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let before = repo.snapshot();
            let output = repo.fails(&args, 2);
            assert_eq!(
                repo.snapshot(),
                before,
                "claims {args:?} changed the repository"
            );
            assert_eq!(
                raw_controls(&output.stderr),
                Vec::<String>::new(),
                "{args:?}"
            );
            if *raw == "\u{1b}[31m" {
                refusals.push_str(&format!(
                    "$ claims {}\n{}",
                    args[0],
                    crate::harness::stderr(&output)
                ));
            }
        }
    }
    insta::assert_snapshot!(refusals, @r"
    $ claims add
    error: the claim contains a control character (\u001b) at character 6
    hint: terminal escapes, bidirectional overrides and other control characters cannot be recorded: remove it and run the command again
    $ claims add
    error: the claimant contains a control character (\u001b) at character 2
    hint: terminal escapes, bidirectional overrides and other control characters cannot be recorded: remove it and run the command again
    $ claims add
    error: the tag contains a control character (\u001b) at character 2
    hint: terminal escapes, bidirectional overrides and other control characters cannot be recorded: remove it and run the command again
    $ claims note
    error: the note contains a control character (\u001b) at character 5
    hint: terminal escapes, bidirectional overrides and other control characters cannot be recorded: remove it and run the command again
    $ claims mark
    error: the note contains a control character (\u001b) at character 3
    hint: terminal escapes, bidirectional overrides and other control characters cannot be recorded: remove it and run the command again
    $ claims source
    error: the publisher contains a control character (\u001b) at character 4
    hint: terminal escapes, bidirectional overrides and other control characters cannot be recorded: remove it and run the command again
    ");
}

/// An article is taken as it is: its control characters are dropped, with a warning naming
/// the document and line, and what is recorded holds none.
#[test]
fn extract_drops_the_control_characters_of_an_article() {
    let repo = Repo::new();
    std::fs::write(
        repo.path().join("article.txt"),
        "Border report\r\n\r\nMexico extradited 55 cartel\u{1b}[8m members to the United States \
         in 2025\u{202e}, according to NBC News.\r\n",
    )
    .unwrap();
    let output = repo.fails(&["extract", "article.txt"], 0);
    insta::assert_snapshot!(crate::harness::stderr(&output), @"warning: article.txt:3: control characters (terminal escapes and the like) were removed");
    let records = repo.ok(&["export", "--format", "json"]);
    let records: serde_json::Value = serde_json::from_str(&records).unwrap();
    assert_eq!(
        records[0]["text"],
        "Mexico extradited 55 cartel[8m members to the United States in 2025, according to NBC News."
    );
    assert_eq!(records[0]["appearances"][0]["line"], 3);
}
