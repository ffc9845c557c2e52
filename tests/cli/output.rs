//! What people see: snapshots of list and show, and the record format on disk.

use crate::harness::Repo;

fn populated() -> (Repo, String) {
    let repo = Repo::new();
    let id = repo.claim_with_two_origins("Mexico extradited 55 people to the U.S. in 2025.");
    repo.ok(&["mark", &id, "sourced", "--all-checked"]);
    repo.ok(&["note", &id, "Ministry confirms the figure."]);
    repo.add("Cartels cause 300,000 deaths in the U.S. every year.");
    (repo, id)
}

#[test]
fn list_table() {
    let (repo, _) = populated();
    insta::assert_snapshot!(
        repo.claims(&["list"])
            .env("COLUMNS", "100")
            .output()
            .map(|o| String::from_utf8(o.stdout).unwrap())
            .unwrap()
    );
}

#[test]
fn list_filters_and_formats() {
    let (repo, id) = populated();
    let json: serde_json::Value =
        serde_json::from_str(&repo.ok(&["list", "--state", "sourced", "--format", "json"]))
            .unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["id"], id.as_str());
    assert_eq!(json[0]["origins"], 2);
    let csv = repo.ok(&["list", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        &rows[0][3],
        "Mexico extradited 55 people to the U.S. in 2025."
    );
    assert_eq!(repo.ok(&["list", "--published"]), "no claims match\n");
}

#[test]
fn show_text() {
    let (repo, id) = populated();
    insta::assert_snapshot!(
        repo.claims(&["show", &id])
            .env("COLUMNS", "100")
            .output()
            .map(|o| String::from_utf8(o.stdout).unwrap())
            .unwrap()
    );
}

#[test]
fn show_fits_a_narrow_terminal() {
    let (repo, id) = populated();
    let out = repo
        .claims(&["show", &id])
        .env("COLUMNS", "60")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text.lines() {
        assert!(line.chars().count() <= 60, "too wide: {line}");
    }
}

#[test]
fn the_record_on_disk() {
    let (repo, id) = populated();
    insta::assert_snapshot!(repo.read_record(&id));
}

#[test]
fn show_toml_is_the_file_and_json_has_everything() {
    let (repo, id) = populated();
    assert_eq!(
        repo.ok(&["show", &id, "--format", "toml"]),
        repo.read_record(&id)
    );
    let json: serde_json::Value =
        serde_json::from_str(&repo.ok(&["show", &id, "--format", "json"])).unwrap();
    assert_eq!(json["state"], "sourced");
    assert_eq!(json["sources"].as_array().unwrap().len(), 2);
    assert_eq!(json["checklist"]["sourced"]["provenance"], true);
    assert_eq!(json["next"].as_array().unwrap().len(), 3);
}

#[test]
fn log_of_a_claim_and_of_the_repository() {
    let (repo, id) = populated();
    let json: serde_json::Value =
        serde_json::from_str(&repo.ok(&["log", &id, "--format", "json"])).unwrap();
    let actions: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["note", "transition", "source", "source", "create"]
    );
    assert_eq!(json[1]["from"], "unverified");
    assert_eq!(json[1]["to"], "sourced");
    assert_eq!(json[0]["note"], "Ministry confirms the figure.");
    let all: serde_json::Value =
        serde_json::from_str(&repo.ok(&["log", "--format", "json", "-n", "2"])).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(all[0]["action"], "create");
}

/// The log takes the formats the list takes: a CSV row a commit, its claims joined by `;`,
/// its text guarded against spreadsheet formulas.
#[test]
fn log_as_csv() {
    let (repo, id) = populated();
    repo.ok(&["note", &id, "=SUM(A1:A9) is what the ministry sent."]);
    let csv = repo.sees(&["log", &id, "--format", "csv", "-n", "3"]);
    insta::assert_snapshot!(csv.replace(&id, "ID"), @"
    commit,date,author,action,claims,from,to,subject,note
    9894eb7212df924402ae8586216bc204d68c7fad,2026-03-01T09:00:00Z,Ana Ruiz <ana@example.org>,note,ID,,,Note on ID: =SUM(A1:A9) is what the ministry sent.,'=SUM(A1:A9) is what the ministry sent.
    af27c0fc9b3894457d524aec844c3a7f43a8ee7c,2026-03-01T09:00:00Z,Ana Ruiz <ana@example.org>,note,ID,,,Note on ID: Ministry confirms the figure.,Ministry confirms the figure.
    2d1af05b14cea31451347ffed7fca4f346d661dc,2026-03-01T09:00:00Z,Ana Ruiz <ana@example.org>,transition,ID,unverified,sourced,Move ID from unverified to sourced: Mexico extradited 55 people to the U.S. in 2025.,
    [exit status: 0]
    ");
}

#[test]
fn a_record_written_by_the_tool_is_rewritten_unchanged() {
    let (repo, id) = populated();
    // A note adds one table (four lines and a blank line) and changes nothing else.
    repo.ok(&["note", &id, "Second note."]);
    let diff = repo.git(&["diff", "--numstat", "HEAD~1", "HEAD"]);
    assert!(diff.starts_with("5\t0\t"), "{diff}");
}

#[test]
fn log_of_a_claim_follows_hand_edits_merges_and_rewritten_history() {
    let (repo, id) = populated();
    let actions = |repo: &Repo| -> Vec<String> {
        let json: serde_json::Value =
            serde_json::from_str(&repo.ok(&["log", &id, "--format", "json"])).unwrap();
        json.as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap_or("(by hand)").to_string())
            .collect()
    };
    assert_eq!(
        actions(&repo),
        ["note", "transition", "source", "source", "create"]
    );
    // A hand edit has no trailers: it is found by comparing trees.
    let path = repo.record_path(&id);
    let text = repo
        .read_record(&id)
        .replace("Mexico extradited", "Mexico sent");
    std::fs::write(&path, text).unwrap();
    repo.git(&["commit", "-qam", "Reword by hand"]);
    assert_eq!(actions(&repo)[0], "(by hand)");
    // Rewriting history (the index's tip is no longer an ancestor) rebuilds the index.
    repo.git(&["reset", "-q", "--hard", "HEAD~3"]);
    assert_eq!(actions(&repo), ["transition", "source", "source", "create"]);
    repo.ok(&["note", &id, "after the rewrite"]);
    assert_eq!(
        actions(&repo),
        ["note", "transition", "source", "source", "create"]
    );
}

/// `claims ARGS` with the terminal width `columns` (None: piped), as the user sees it.
fn shown(repo: &Repo, args: &[&str], columns: Option<&str>) -> String {
    let mut command = repo.claims(args);
    if let Some(columns) = columns {
        command.env("COLUMNS", columns);
    }
    repo.shown(&command.output().unwrap())
}

/// A claim as long as the ones extract finds in real articles, with a path in it.
const LONG: &str = "Mexico extradited 55 cartel members to the United States in 2025, according to \
    the ministry's report filed as seeds/000_16235a3c288e7261.txt, which lists every one of \
    them by name, age and the charges they face in federal courts in Texas and California.";

#[test]
fn list_piped_is_one_line_a_row_and_on_a_terminal_fits_the_width() {
    let (repo, _) = populated();
    repo.add(LONG);
    let piped = shown(&repo, &["list"], None);
    assert!(
        piped.lines().any(|l| l.ends_with("Texas and California.")),
        "{piped}"
    );
    insta::assert_snapshot!(piped.replace(LONG, "LONG"), @"
     ID          STATE       PUB  SOURCES  ORIGINS  CLAIM
     4xsw2ptu5o  unverified       0        0        LONG
     donvxsgghk  sourced          2        2        Mexico extradited 55 people to the U.S. in 2025.
     ur7rl2pmi2  unverified       0        0        Cartels cause 300,000 deaths in the U.S. every year.
    3 claims: 2 unverified, 1 sourced
    next: claims review   (steps through the 3 claims still to check)
    [exit status: 0]
    ");
    let narrow = shown(&repo, &["list"], Some("80"));
    assert!(narrow.lines().all(|l| l.chars().count() <= 80), "{narrow}");
    insta::assert_snapshot!(narrow, @"
     ID          STATE       PUB  SOURCES  ORIGINS  CLAIM
     4xsw2ptu5o  unverified       0        0        Mexico extradited 55 cartel…
     donvxsgghk  sourced          2        2        Mexico extradited 55 people to…
     ur7rl2pmi2  unverified       0        0        Cartels cause 300,000 deaths i…
    3 claims: 2 unverified, 1 sourced
    next: claims review   (steps through the 3 claims still to check)
    [exit status: 0]
    ");
}

#[test]
fn list_ends_with_counts_per_state_and_the_next_command() {
    let (repo, id) = populated();
    repo.ok(&["mark", &id, "corroborated", "--all-checked"]);
    repo.ok(&["publish", &id]);
    let other = repo.add("A claim nobody checks here.");
    repo.ok(&["dismiss", &other, "--reason", "out-of-scope"]);
    // The table above the counts is other tests' concern: only the last lines are kept.
    let ending = |text: String| -> String {
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len() - 3..].join("\n")
    };
    insta::assert_snapshot!(ending(shown(&repo, &["list"], None)), @"
    2 claims: 1 unverified, 1 corroborated, 1 published (1 dismissed not shown: claims list --all)
    next: claims review   (steps through the 1 claim still to check)
    [exit status: 0]
    ");
    let all = shown(&repo, &["list", "--all", "--state", "corroborated"], None);
    insta::assert_snapshot!(ending(all), @"
    1 claim: 1 corroborated, 1 published
    next: claims report   (the newsroom's report of these claims)
    [exit status: 0]
    ");
}

#[test]
fn log_of_the_repository_names_the_claim_of_every_row() {
    let (repo, id) = populated();
    let log = shown(&repo, &["log", "-n", "3"], Some("120"));
    insta::assert_snapshot!(log.replace(&id, "ID"), @"
    ┌──────────┬────────────┬──────────────────────┬────────────────────────────┬────────────┬──────────────────────────┐
    │ COMMIT   ┆ CLAIM      ┆ DATE                 ┆ AUTHOR                     ┆ ACTION     ┆ CHANGE                   │
    ╞══════════╪════════════╪══════════════════════╪════════════════════════════╪════════════╪══════════════════════════╡
    │ 46fb7158 ┆ ur7rl2pmi2 ┆ 2026-03-01T09:00:00Z ┆ Ana Ruiz <ana@example.org> ┆ create     ┆ Add claim ur7rl2pmi2:    │
    │          ┆            ┆                      ┆                            ┆            ┆ Cartels cause 300,000    │
    │          ┆            ┆                      ┆                            ┆            ┆ deaths in the U.S. every │
    │          ┆            ┆                      ┆                            ┆            ┆ ye…                      │
    │ af27c0fc ┆ ID ┆ 2026-03-01T09:00:00Z ┆ Ana Ruiz <ana@example.org> ┆ note       ┆ Note on ID:      │
    │          ┆            ┆                      ┆                            ┆            ┆ Ministry confirms the    │
    │          ┆            ┆                      ┆                            ┆            ┆ figure.                  │
    │          ┆            ┆                      ┆                            ┆            ┆ Ministry confirms the    │
    │          ┆            ┆                      ┆                            ┆            ┆ figure.                  │
    │ 2d1af05b ┆ ID ┆ 2026-03-01T09:00:00Z ┆ Ana Ruiz <ana@example.org> ┆ transition ┆ unverified → sourced     │
    └──────────┴────────────┴──────────────────────┴────────────────────────────┴────────────┴──────────────────────────┘
    [exit status: 0]
    ");
    let of_one = shown(&repo, &["log", &id, "-n", "1"], Some("120"));
    insta::assert_snapshot!(of_one.replace(&id, "ID"), @"
    ┌──────────┬──────────────────────┬────────────────────────────┬────────┬───────────────────────────────────────────┐
    │ COMMIT   ┆ DATE                 ┆ AUTHOR                     ┆ ACTION ┆ CHANGE                                    │
    ╞══════════╪══════════════════════╪════════════════════════════╪════════╪═══════════════════════════════════════════╡
    │ af27c0fc ┆ 2026-03-01T09:00:00Z ┆ Ana Ruiz <ana@example.org> ┆ note   ┆ Note on ID: Ministry confirms the │
    │          ┆                      ┆                            ┆        ┆ figure.                                   │
    │          ┆                      ┆                            ┆        ┆ Ministry confirms the figure.             │
    └──────────┴──────────────────────┴────────────────────────────┴────────┴───────────────────────────────────────────┘
    [exit status: 0]
    ");
}

#[test]
fn show_lists_the_excerpt_of_each_source() {
    let repo = Repo::new();
    let id = repo.add("The river rose 3 metres.");
    repo.ok(&[
        "source",
        "add",
        &id,
        "--url",
        "https://one.example/a",
        "--excerpt",
        "The gauge read 3.1 m at dawn.",
    ]);
    let show = shown(&repo, &["show", &id], Some("100"));
    insta::assert_snapshot!(show.replace(&id, "ID"), @"
    ┌─────────┬──────────────────────────┐
    │         ┆ ID               │
    ╞═════════╪══════════════════════════╡
    │ Claim   ┆ The river rose 3 metres. │
    │ State   ┆ unverified               │
    │ Created ┆ 2026-03-01T09:00:00Z     │
    └─────────┴──────────────────────────┘

    Sources (1 independent supporting origin)
    ┌──────────┬─────────────┬───────────┬───────────────────────┐
    │ STANCE   ┆ ORIGIN      ┆ PUBLISHER ┆ URL                   │
    ╞══════════╪═════════════╪═══════════╪═══════════════════════╡
    │ supports ┆ one.example ┆           ┆ https://one.example/a │
    └──────────┴─────────────┴───────────┴───────────────────────┘

    Excerpts
      https://one.example/a: “The gauge read 3.1 m at dawn.”

    ┌────────────────────────┬─────────────────────────────────────────────────────────────────────┐
    │ PROGRESS               ┆                                                                     │
    ╞════════════════════════╪═════════════════════════════════════════════════════════════════════╡
    │ sourced                ┆ the sourced checklist is not confirmed: provenance, source, date,   │
    │                        ┆ location, motivation                                                │
    │ corroborated           ┆ needs supporting sources from at least 2 independent origins; has 1 │
    │                        ┆ (one.example)                                                       │
    │                        ┆ the sourced checklist is not confirmed: provenance, source, date,   │
    │                        ┆ location, motivation                                                │
    │                        ┆ the corroborated checklist is not confirmed: independence, context  │
    │ disputed               ┆ needs at least 1 contradicting source; has 0                        │
    │ sourced checklist      ┆ [ ] provenance  [ ] source  [ ] date  [ ] location  [ ] motivation  │
    │ corroborated checklist ┆ [ ] independence  [ ] context                                       │
    └────────────────────────┴─────────────────────────────────────────────────────────────────────┘
    [exit status: 0]
    ");
}

#[test]
fn long_output_on_a_terminal_goes_through_the_pager_never_when_piped() {
    let (repo, _) = populated();
    let list = |args: &[&str], pager: &str| {
        let mut command = repo.process(args);
        command.env("PAGER", pager);
        let mut session =
            rexpect::session::spawn_command(command, Some(30_000)).expect("a pseudo-terminal");
        // The pseudo-terminal's reader hands back each byte as a char: decoded again as UTF-8.
        let bytes: Vec<u8> = session
            .exp_eof()
            .unwrap()
            .chars()
            .map(|c| c as u8)
            .collect();
        String::from_utf8(bytes).unwrap().replace("\r\n", "\n")
    };
    let paged = list(&["list"], "sed 's/^/paged: /'");
    insta::assert_snapshot!(paged, @"
    paged:  ID          STATE       PUB  SOURCES  ORIGINS  CLAIM
    paged:  donvxsgghk  sourced          2        2        Mexico extradited 55 people to the U.S. in 2025.
    paged:  ur7rl2pmi2  unverified       0        0        Cartels cause 300,000 deaths in the U.S. every…
    paged: 2 claims: 1 unverified, 1 sourced
    paged: next: claims review   (steps through the 2 claims still to check)
    ");
    let unpaged = list(&["--no-pager", "list"], "sed 's/^/paged: /'");
    insta::assert_snapshot!(unpaged, @"
     ID          STATE       PUB  SOURCES  ORIGINS  CLAIM
     donvxsgghk  sourced          2        2        Mexico extradited 55 people to the U.S. in 2025.
     ur7rl2pmi2  unverified       0        0        Cartels cause 300,000 deaths in the U.S. every…
    2 claims: 1 unverified, 1 sourced
    next: claims review   (steps through the 2 claims still to check)
    ");
    assert_eq!(list(&["list"], "cat"), unpaged);
    // Piped, the pager is never started.
    let piped = repo
        .claims(&["list"])
        .env("PAGER", "sed 's/^/paged: /'")
        .output()
        .unwrap();
    insta::assert_snapshot!(repo.shown(&piped), @"
     ID          STATE       PUB  SOURCES  ORIGINS  CLAIM
     donvxsgghk  sourced          2        2        Mexico extradited 55 people to the U.S. in 2025.
     ur7rl2pmi2  unverified       0        0        Cartels cause 300,000 deaths in the U.S. every year.
    2 claims: 1 unverified, 1 sourced
    next: claims review   (steps through the 2 claims still to check)
    [exit status: 0]
    ");
}
