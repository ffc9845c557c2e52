//! `claims review`: scripted prompts drive the review in this process, one test per action
//! and per refusal; a few tests drive the real binary in a pseudo-terminal.

use std::sync::Once;

use claims::cli::CommandError;
use claims::cli::review::{self, Args, Summary};
use claims::engine::Engine;
use claims::store::Store;
use claims::ui::{Answer, Ui};
use rexpect::process::WaitStatus;
use rexpect::session::{PtySession, spawn_command};

use crate::harness::{REVIEWER, Repo};

/// Keeps libgit2 in this process from reading the machine's git configuration (a global
/// `commit.gpgsign` would make every commit here try to sign), as the harness does for the
/// binary.
fn hermetic_git() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let nowhere = std::env::temp_dir().join("claims-review-tests-have-no-git-config");
        for level in [
            git2::ConfigLevel::System,
            git2::ConfigLevel::XDG,
            git2::ConfigLevel::Global,
        ] {
            // SAFETY: runs once, before any test of this binary opens a repository in-process.
            unsafe { git2::opts::set_search_path(level, nowhere.as_os_str()) }
                .expect("libgit2 takes a search path");
        }
    });
}

/// Runs `claims review ARGS` in this process, answering its prompts from `answers`.
fn scripted(
    repo: &Repo,
    args: Args,
    answers: impl IntoIterator<Item = Answer>,
) -> (Result<Summary, CommandError>, String) {
    hermetic_git();
    let store = Store::open(repo.path()).unwrap();
    let engine = Engine::new(&store, Some(REVIEWER)).unwrap();
    let (mut ui, transcript) = Ui::scripted(answers);
    let result = review::review(&engine, &args, &mut ui);
    (result, transcript.text())
}

/// Like `scripted`, expecting the review to finish.
fn reviewed(repo: &Repo, args: Args, answers: impl IntoIterator<Item = Answer>) -> String {
    let (result, transcript) = scripted(repo, args, answers);
    if let Err(error) = result {
        panic!("review failed: {error}\n--- transcript ---\n{transcript}");
    }
    transcript
}

fn only(id: &str) -> Args {
    Args {
        ids: vec![id.to_string()],
        ..Args::default()
    }
}

fn keys(keys: &str) -> Vec<Answer> {
    keys.chars().map(Answer::Key).collect()
}

/// The text with the times of an in-process review, which runs on the real clock, left out.
fn timeless(text: &str) -> String {
    text.lines()
        .map(|line| match line.strip_prefix("at = ") {
            Some(_) => "at = \"TIME\"",
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A transcript with what an in-process review takes from the real clock (the commits it
/// makes, and their times on the card) shown as COMMIT and TIME, so it reads the same on
/// every run. Events of the review itself are listed on the card newest first, so whether
/// two of them fell in one second decides their order: they are shown sorted instead.
fn stable(transcript: &str) -> String {
    let commit = regex::Regex::new(r"\(commit [0-9a-f]{8}\)").unwrap();
    let time = regex::Regex::new(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}").unwrap();
    let transcript = commit.replace_all(transcript, "(commit COMMIT)");
    let transcript = time.replace_all(&transcript, |found: &regex::Captures<'_>| {
        match &found[0] {
            // The fixed time of the commits the harness makes.
            "2026-03-01 09:00" => found[0].to_string(),
            _ => "TIME".to_string(),
        }
    });
    let lines: Vec<&str> = transcript.lines().collect();
    let mut rest = &lines[..];
    let mut shown = Vec::new();
    while !rest.is_empty() {
        let run = rest
            .iter()
            .take_while(|line| line.contains("TIME "))
            .count();
        let run = run.max(1);
        let (prefixes, mut events): (Vec<&str>, Vec<&str>) = rest[..run]
            .iter()
            .map(|line| line.split_at(line.find("TIME ").unwrap_or(0)))
            .unzip();
        events.sort_unstable();
        shown.extend(prefixes.iter().zip(events).map(|(p, e)| format!("{p}{e}")));
        rest = &rest[run..];
    }
    shown.join("\n")
}

fn last_message(repo: &Repo) -> String {
    repo.git(&["log", "-1", "--format=%B"])
}

fn with_one_source(repo: &Repo, text: &str) -> String {
    let id = repo.add(text);
    repo.ok(&["source", "add", &id, "--url", "https://one.example/a"]);
    id
}

#[test]
fn the_queue_is_unfinished_claims_oldest_first_with_a_position() {
    let repo = Repo::new();
    let first = repo.add("The first claim.");
    let second = repo.add("The second claim.");
    let done = repo.claim_with_two_origins("A corroborated claim.");
    repo.ok(&["mark", &done, "sourced", "--all-checked"]);
    repo.ok(&["mark", &done, "corroborated", "--all-checked"]);
    let commits = repo.commit_count();

    let transcript = reviewed(&repo, Args::default(), keys("jj"));
    let one = transcript
        .find(&format!("1/2 ━━ {first}"))
        .expect(&transcript);
    let two = transcript
        .find(&format!("2/2 ━━ {second}"))
        .expect(&transcript);
    assert!(one < two, "{transcript}");
    assert!(!transcript.contains(&done), "{transcript}");
    insta::assert_snapshot!(stable(&transcript), @"

    ━━ 1/2 ━━ 2wg3z5fvks · unverified ━━
                “The first claim.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/2] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('j')

    ━━ 2/2 ━━ 43pkjsilkh · unverified ━━
                “The second claim.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [2/2] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('j')

    That was the last claim in the queue.

    Reviewed 2 of 2 claims; nothing changed.
    ");
    assert_eq!(repo.commit_count(), commits);

    let narrowed = reviewed(
        &repo,
        Args {
            states: vec!["corroborated".parse().unwrap()],
            ..Args::default()
        },
        keys("q"),
    );
    insta::assert_snapshot!(stable(&narrowed), @"

    ━━ 1/1 ━━ gy3ydyj4b2 · corroborated ━━
                “A corroborated claim.”
      Sources   2 (2 independent supporting origins)
    ┌──────────┬───────────┬───────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN    ┆ URL                   │
    ╞══════════╪═══════════╪═══════════╪═══════════════════════╡
    │ supports ┆ One Daily ┆ One Daily ┆ https://one.example/a │
    │ supports ┆ Two Times ┆ Two Times ┆ https://two.example/b │
    └──────────┴───────────┴───────────┴───────────────────────┘
      Verdict   corroborated · not published yet (p publishes it)
      Recent    2026-03-01 09:00 Ana Ruiz: moved unverified → sourced
                2026-03-01 09:00 Ana Ruiz: moved sourced → corroborated
                2026-03-01 09:00 Ana Ruiz: added supporting source (One Daily)
                2026-03-01 09:00 Ana Ruiz: added supporting source (Two Times)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; nothing changed.
    ");
}

#[test]
fn the_card_shows_claim_appearance_sources_checklist_and_history() {
    let repo = Repo::new();
    std::fs::create_dir_all(repo.path().join("seeds")).unwrap();
    std::fs::write(
        repo.path().join("seeds/a.txt"),
        "Headline\nThe minister said 55 people were extradited.\n",
    )
    .unwrap();
    let id = repo
        .ok(&[
            "add",
            "55 people were extradited.",
            "--claimant",
            "The minister",
            "--tag",
            "mexico",
            "--document",
            "seeds/a.txt",
            "--line",
            "2",
        ])
        .trim()
        .to_string();
    repo.ok(&[
        "source",
        "add",
        &id,
        "--url",
        "https://one.example/a",
        "--publisher",
        "One Daily",
        "--origin",
        "NBC News",
    ]);
    repo.ok(&["note", &id, "Called the ministry."]);

    let card = reviewed(&repo, only(&id), keys("q"));
    insta::assert_snapshot!(stable(&card), @"

    ━━ 1/1 ━━ urjvyhht34 · unverified ━━
                “55 people were extradited.”
      Claimant  The minister
      Tags      mexico
      Appeared  seeds/a.txt:2
                “The minister said 55 people were extradited.”
      Sources   1 (1 independent supporting origin)
    ┌──────────┬───────────┬──────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN   ┆ URL                   │
    ╞══════════╪═══════════╪══════════╪═══════════════════════╡
    │ supports ┆ One Daily ┆ NBC News ┆ https://one.example/a │
    └──────────┴───────────┴──────────┴───────────────────────┘
      Next      sourced: the evidence is there; m walks through the checklist
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
      Recent    2026-03-01 09:00 Ana Ruiz: note: Called the ministry.
                2026-03-01 09:00 Ana Ruiz: added supporting source (NBC News)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; nothing changed.
    ");
}

#[test]
fn control_characters_in_a_record_are_not_sent_to_the_terminal() {
    let repo = Repo::new();
    let id = repo.add("A claim with an escape.");
    // Input refuses control characters: this one came with a hand edit.
    let record = repo.record_path(&id);
    let edited = repo
        .read_record(&id)
        .replace("with an", "\\u001B[2Jwith an");
    std::fs::write(&record, edited).unwrap();
    repo.git(&["commit", "-q", "-am", "Hand edit"]);
    let card = reviewed(&repo, only(&id), keys("q"));
    assert!(!card.contains('\u{1b}'), "{card:?}");
    insta::assert_snapshot!(stable(&card), @r"

    ━━ 1/1 ━━ zwporhyrlt · unverified ━━
                “A claim \u001b[2Jwith an escape.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; nothing changed.
    ");
}

#[test]
fn adding_a_source_commits_it_with_the_origin_defaulting_to_the_publisher_then_the_host() {
    let repo = Repo::new();
    let id = repo.add("A claim to source.");
    let commits = repo.commit_count();
    let mut answers = vec![
        Answer::Key('s'),
        Answer::text("https://www.one.example/story"),
        Answer::text("One Daily"),
        Answer::Enter,
        Answer::pick("supports"),
        Answer::text("The passage."),
        Answer::Key('s'),
        Answer::text("https://www.two.example/story"),
        Answer::Enter,
        Answer::Enter,
        Answer::pick("contradicts"),
        Answer::Enter,
    ];
    answers.extend(keys("q"));
    let (summary, transcript) = scripted(&repo, only(&id), answers);
    let summary = summary.expect(&transcript);
    assert_eq!(summary.sourced.len(), 2);
    assert_eq!(summary.commits(), 2);

    insta::assert_snapshot!(stable(&transcript), @r#"

    ━━ 1/1 ━━ s5vtxve2ht · unverified ━━
                “A claim to source.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('s')
    ? Source URL (Enter to cancel)
      > Text("https://www.one.example/story")
    ? Publisher (Enter to leave out)
      > Text("One Daily")
    ? Origin: who first reported it? [One Daily]
      > Enter
    ? Stance
        supports
        contradicts
      > Pick("supports")
    ? Excerpt (Enter to leave out)
      > Text("The passage.")
      ✓ Added a supporting source; 1 independent supporting origin now (commit COMMIT)

    ━━ 1/1 ━━ s5vtxve2ht · unverified ━━
                “A claim to source.”
      Sources   1 (1 independent supporting origin)
    ┌──────────┬───────────┬───────────┬───────────────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN    ┆ URL                           │
    ╞══════════╪═══════════╪═══════════╪═══════════════════════════════╡
    │ supports ┆ One Daily ┆ One Daily ┆ https://www.one.example/story │
    └──────────┴───────────┴───────────┴───────────────────────────────┘
      Next      sourced: the evidence is there; m walks through the checklist
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
      Recent    TIME Ana Ruiz: added supporting source (One Daily)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('s')
    ? Source URL (Enter to cancel)
      > Text("https://www.two.example/story")
    ? Publisher (Enter to leave out)
      > Enter
    ? Origin: who first reported it? [two.example]
      > Enter
    ? Stance
        supports
        contradicts
      > Pick("contradicts")
    ? Excerpt (Enter to leave out)
      > Enter
      ✓ Added a contradicting source; 1 independent supporting origin now (commit COMMIT)

    ━━ 1/1 ━━ s5vtxve2ht · unverified ━━
                “A claim to source.”
      Sources   2 (1 independent supporting origin)
    ┌─────────────┬───────────┬─────────────┬───────────────────────────────┐
    │ STANCE      ┆ PUBLISHER ┆ ORIGIN      ┆ URL                           │
    ╞═════════════╪═══════════╪═════════════╪═══════════════════════════════╡
    │ supports    ┆ One Daily ┆ One Daily   ┆ https://www.one.example/story │
    │ contradicts ┆           ┆ two.example ┆ https://www.two.example/story │
    └─────────────┴───────────┴─────────────┴───────────────────────────────┘
      Next      sourced: the evidence is there; m walks through the checklist
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
      Recent    TIME Ana Ruiz: added contradicting source (two.example)
                TIME Ana Ruiz: added supporting source (One Daily)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; 2 commits.
      sourced    s5vtxve2ht  +2 sources
    "#);
    let record = repo.read_record(&id);
    assert!(record.contains("origin = \"One Daily\""), "{record}");
    assert!(record.contains("excerpt = \"The passage.\""), "{record}");
    assert!(record.contains("origin = \"two.example\""), "{record}");
    assert!(record.contains("stance = \"contradicts\""), "{record}");
    assert_eq!(repo.commit_count(), commits + 2);
    insta::assert_snapshot!(last_message(&repo), @"
    Add contradicts source to s5vtxve2ht: two.example

    Claim-Id: s5vtxve2ht
    Claim-Action: source
    ");
    assert_eq!(repo.status(), "");
}

#[test]
fn a_source_that_repeats_an_origin_is_called_out() {
    let repo = Repo::new();
    let id = with_one_source(&repo, "A claim reported once.");
    let mut answers = vec![
        Answer::Key('s'),
        Answer::text("https://copy.example/b"),
        Answer::text("Copy Weekly"),
        Answer::text("one.example"),
        Answer::pick("supports"),
        Answer::Enter,
    ];
    answers.extend(keys("q"));
    let transcript = reviewed(&repo, only(&id), answers);
    insta::assert_snapshot!(stable(&transcript), @r#"

    ━━ 1/1 ━━ lio5rx7jnm · unverified ━━
                “A claim reported once.”
      Sources   1 (1 independent supporting origin)
    ┌──────────┬───────────┬─────────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN      ┆ URL                   │
    ╞══════════╪═══════════╪═════════════╪═══════════════════════╡
    │ supports ┆           ┆ one.example ┆ https://one.example/a │
    └──────────┴───────────┴─────────────┴───────────────────────┘
      Next      sourced: the evidence is there; m walks through the checklist
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
      Recent    2026-03-01 09:00 Ana Ruiz: added supporting source (one.example)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('s')
    ? Source URL (Enter to cancel)
      > Text("https://copy.example/b")
    ? Publisher (Enter to leave out)
      > Text("Copy Weekly")
    ? Origin: who first reported it? [Copy Weekly]
      > Text("one.example")
    ? Stance
        supports
        contradicts
      > Pick("supports")
    ? Excerpt (Enter to leave out)
      > Enter
      ✓ Added a supporting source; 1 independent supporting origin now (its origin, one.example, was already there) (commit COMMIT)

    ━━ 1/1 ━━ lio5rx7jnm · unverified ━━
                “A claim reported once.”
      Sources   2 (1 independent supporting origin)
    ┌──────────┬─────────────┬─────────────┬────────────────────────┐
    │ STANCE   ┆ PUBLISHER   ┆ ORIGIN      ┆ URL                    │
    ╞══════════╪═════════════╪═════════════╪════════════════════════╡
    │ supports ┆             ┆ one.example ┆ https://one.example/a  │
    │ supports ┆ Copy Weekly ┆ one.example ┆ https://copy.example/b │
    └──────────┴─────────────┴─────────────┴────────────────────────┘
      Next      sourced: the evidence is there; m walks through the checklist
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
      Recent    TIME Ana Ruiz: added supporting source (one.example)
                2026-03-01 09:00 Ana Ruiz: added supporting source (one.example)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; 1 commit.
      sourced    lio5rx7jnm  +1 source
    "#);
}

#[test]
fn a_bad_or_repeated_url_is_asked_again_and_enter_cancels() {
    let repo = Repo::new();
    let id = with_one_source(&repo, "A claim with a source.");
    let commits = repo.commit_count();
    let mut answers = vec![
        Answer::Key('s'),
        Answer::text("javascript:alert(1)"),
        Answer::text("https://one.example/a"),
        Answer::Enter,
    ];
    answers.extend(keys("q"));
    let transcript = reviewed(&repo, only(&id), answers);
    insta::assert_snapshot!(transcript, @r#"

    ━━ 1/1 ━━ e5fmojpndn · unverified ━━
                “A claim with a source.”
      Sources   1 (1 independent supporting origin)
    ┌──────────┬───────────┬─────────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN      ┆ URL                   │
    ╞══════════╪═══════════╪═════════════╪═══════════════════════╡
    │ supports ┆           ┆ one.example ┆ https://one.example/a │
    └──────────┴───────────┴─────────────┴───────────────────────┘
      Next      sourced: the evidence is there; m walks through the checklist
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
      Recent    2026-03-01 09:00 Ana Ruiz: added supporting source (one.example)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('s')
    ? Source URL (Enter to cancel)
      > Text("javascript:alert(1)")
      'javascript:alert(1)' is a javascript: URL; sources must be http or https: type the full address, or Enter to cancel
    ? Source URL (Enter to cancel)
      > Text("https://one.example/a")
      https://one.example/a is already a source of e5fmojpndn: type another, or Enter to cancel
    ? Source URL (Enter to cancel)
      > Enter
      no source added: nothing changed.
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; nothing changed.
    "#);
    assert_eq!(repo.commit_count(), commits);
}

#[test]
fn moving_walks_the_checklist_one_item_at_a_time_and_records_every_answer() {
    let repo = Repo::new();
    let id = with_one_source(&repo, "A claim ready to be sourced.");
    let commits = repo.commit_count();
    let mut answers = vec![Answer::Key('m'), Answer::pick("sourced")];
    answers.extend(std::iter::repeat_n(Answer::Yes, 5));
    answers.extend(keys("j"));
    let transcript = reviewed(&repo, only(&id), answers);

    insta::assert_snapshot!(stable(&transcript), @r#"

    ━━ 1/1 ━━ lfmwjlljcj · unverified ━━
                “A claim ready to be sourced.”
      Sources   1 (1 independent supporting origin)
    ┌──────────┬───────────┬─────────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN      ┆ URL                   │
    ╞══════════╪═══════════╪═════════════╪═══════════════════════╡
    │ supports ┆           ┆ one.example ┆ https://one.example/a │
    └──────────┴───────────┴─────────────┴───────────────────────┘
      Next      sourced: the evidence is there; m walks through the checklist
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
      Recent    2026-03-01 09:00 Ana Ruiz: added supporting source (one.example)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('m')
      Blocked   corroborated: needs supporting sources from at least 2 independent origins; has 1 (one.example)
                disputed: needs at least 1 contradicting source; has 0
    ? Move lfmwjlljcj from unverified to (Esc cancels)
        sourced (asks 5 checklist items)
      > Pick("sourced")
    ? [1/5] Provenance: have we traced the claim to the original statement, document or post?
      > Yes
    ? [2/5] Source: do we know who made the claim, and who published each piece of evidence?
      > Yes
    ? [3/5] Date: do we know when the claim was made, and do the sources date from then?
      > Yes
    ? [4/5] Location: do we know where the claim was made, and does the evidence concern that place?
      > Yes
    ? [5/5] Motivation: have we considered why the claimant and each source say what they say?
      > Yes
      ✓ Moved lfmwjlljcj: unverified → sourced (commit COMMIT)

    ━━ 1/1 ━━ lfmwjlljcj · sourced ━━
                “A claim ready to be sourced.”
      Sources   1 (1 independent supporting origin)
    ┌──────────┬───────────┬─────────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN      ┆ URL                   │
    ╞══════════╪═══════════╪═════════════╪═══════════════════════╡
    │ supports ┆           ┆ one.example ┆ https://one.example/a │
    └──────────┴───────────┴─────────────┴───────────────────────┘
      Next      corroborated: needs supporting sources from at least 2 independent origins; has 1 (one.example)
                checklist 5/7: ✓provenance ✓source ✓date ✓location ✓motivation ·independence ·context
      Recent    TIME Ana Ruiz: moved unverified → sourced
                2026-03-01 09:00 Ana Ruiz: added supporting source (one.example)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('j')

    That was the last claim in the queue.

    Reviewed 1 of 1 claim; 1 commit.
      moved      lfmwjlljcj  unverified → sourced
    "#);
    let record = repo.read_record(&id);
    assert!(record.contains("state = \"sourced\""), "{record}");
    for item in ["provenance", "source", "date", "location", "motivation"] {
        assert!(record.contains(&format!("{item} = true")), "{record}");
    }
    assert_eq!(repo.commit_count(), commits + 1);
    insta::assert_snapshot!(last_message(&repo), @"
    Move lfmwjlljcj from unverified to sourced: A claim ready to be sourced.

    Claim-Id: lfmwjlljcj
    Claim-Action: transition
    Claim-From: unverified
    Claim-To: sourced
    ");
    // After the move the card shows the claim as it now is; j moved on and ended the queue.
    repo.ok(&["check"]);
}

#[test]
fn moving_to_corroborated_asks_only_what_was_not_answered_before() {
    let repo = Repo::new();
    let id = repo.claim_with_two_origins("A claim with two origins.");
    repo.ok(&["mark", &id, "sourced", "--all-checked"]);
    let answers = vec![
        Answer::Key('m'),
        Answer::pick("corroborated (asks 2 checklist items)"),
        Answer::Yes,
        Answer::Yes,
        Answer::Key('q'),
    ];
    let transcript = reviewed(&repo, only(&id), answers);
    insta::assert_snapshot!(stable(&transcript), @r#"

    ━━ 1/1 ━━ bhlqiahqev · sourced ━━
                “A claim with two origins.”
      Sources   2 (2 independent supporting origins)
    ┌──────────┬───────────┬───────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN    ┆ URL                   │
    ╞══════════╪═══════════╪═══════════╪═══════════════════════╡
    │ supports ┆ One Daily ┆ One Daily ┆ https://one.example/a │
    │ supports ┆ Two Times ┆ Two Times ┆ https://two.example/b │
    └──────────┴───────────┴───────────┴───────────────────────┘
      Next      corroborated: the evidence is there; m walks through the checklist
                checklist 5/7: ✓provenance ✓source ✓date ✓location ✓motivation ·independence ·context
      Recent    2026-03-01 09:00 Ana Ruiz: moved unverified → sourced
                2026-03-01 09:00 Ana Ruiz: added supporting source (One Daily)
                2026-03-01 09:00 Ana Ruiz: added supporting source (Two Times)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('m')
      Blocked   disputed: needs at least 1 contradicting source; has 0
    ? Move bhlqiahqev from sourced to (Esc cancels)
        corroborated (asks 2 checklist items)
        unverified (back; asks a note)
      > Pick("corroborated (asks 2 checklist items)")
    ? [1/2] Independence: do at least two supporting sources trace back to different origins, not one report repeated?
      > Yes
    ? [2/2] Context: does the evidence support the claim as stated, not a narrower, older or cropped version of it?
      > Yes
      ✓ Moved bhlqiahqev: sourced → corroborated (commit COMMIT)

    ━━ 1/1 ━━ bhlqiahqev · corroborated ━━
                “A claim with two origins.”
      Sources   2 (2 independent supporting origins)
    ┌──────────┬───────────┬───────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN    ┆ URL                   │
    ╞══════════╪═══════════╪═══════════╪═══════════════════════╡
    │ supports ┆ One Daily ┆ One Daily ┆ https://one.example/a │
    │ supports ┆ Two Times ┆ Two Times ┆ https://two.example/b │
    └──────────┴───────────┴───────────┴───────────────────────┘
      Verdict   corroborated · not published yet (p publishes it)
      Recent    TIME Ana Ruiz: moved sourced → corroborated
                2026-03-01 09:00 Ana Ruiz: moved unverified → sourced
                2026-03-01 09:00 Ana Ruiz: added supporting source (One Daily)
                2026-03-01 09:00 Ana Ruiz: added supporting source (Two Times)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; 1 commit.
      moved      bhlqiahqev  sourced → corroborated
    "#);
    assert!(!transcript.contains("Provenance"), "{transcript}");
    assert!(repo.read_record(&id).contains("state = \"corroborated\""));
}

#[test]
fn the_usual_next_step_is_offered_first_and_moving_back_last() {
    let repo = Repo::new();
    let id = repo.claim_with_two_origins("A sourced claim with two origins.");
    repo.ok(&["mark", &id, "sourced", "--all-checked"]);
    let transcript = reviewed(
        &repo,
        only(&id),
        [Answer::Key('m'), Answer::Cancel, Answer::Key('q')],
    );
    let forward = transcript
        .find("    corroborated (asks 2 checklist items)")
        .expect(&transcript);
    let back = transcript
        .find("    unverified (back; asks a note)")
        .expect(&transcript);
    assert!(forward < back, "{transcript}");
}

#[test]
fn blocked_states_are_not_offered_and_the_card_says_why() {
    let repo = Repo::new();
    let bare = repo.add("A claim with no evidence.");
    let sourced = with_one_source(&repo, "A claim with one source.");
    let commits = repo.commit_count();

    let transcript = reviewed(&repo, only(&bare), keys("mq"));
    insta::assert_snapshot!(stable(&transcript), @"

    ━━ 1/1 ━━ zkraj7jyf3 · unverified ━━
                “A claim with no evidence.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('m')
      Blocked   sourced: needs at least 1 supporting source; has 0
                corroborated: needs supporting sources from at least 2 independent origins; has 0
                disputed: needs at least 1 contradicting source; has 0
      No move is possible yet: add evidence with s, or a note with n.
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; nothing changed.
    ");

    let transcript = reviewed(
        &repo,
        only(&sourced),
        [Answer::Key('m'), Answer::Cancel, Answer::Key('q')],
    );
    insta::assert_snapshot!(stable(&transcript), @"

    ━━ 1/1 ━━ gqwsie7tbx · unverified ━━
                “A claim with one source.”
      Sources   1 (1 independent supporting origin)
    ┌──────────┬───────────┬─────────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN      ┆ URL                   │
    ╞══════════╪═══════════╪═════════════╪═══════════════════════╡
    │ supports ┆           ┆ one.example ┆ https://one.example/a │
    └──────────┴───────────┴─────────────┴───────────────────────┘
      Next      sourced: the evidence is there; m walks through the checklist
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
      Recent    2026-03-01 09:00 Ana Ruiz: added supporting source (one.example)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('m')
      Blocked   corroborated: needs supporting sources from at least 2 independent origins; has 1 (one.example)
                disputed: needs at least 1 contradicting source; has 0
    ? Move gqwsie7tbx from unverified to (Esc cancels)
        sourced (asks 5 checklist items)
      > Cancel
      not moved: nothing changed.
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; nothing changed.
    ");

    // A blocked state is not among the choices at all.
    let (result, transcript) = scripted(
        &repo,
        only(&sourced),
        [Answer::Key('m'), Answer::pick("corroborated")],
    );
    let error = result.expect_err(&transcript);
    insta::assert_snapshot!(error, @r#"
    error: cannot go on with the review
    caused by: the script picked 'corroborated', which is not among ["sourced (asks 5 checklist items)"]
    "#);
    assert_eq!(repo.commit_count(), commits);
}

#[test]
fn a_no_in_the_checklist_keeps_every_answer_and_the_next_attempt_asks_only_the_rest() {
    let repo = Repo::new();
    let id = with_one_source(&repo, "A claim whose date is unknown.");
    let commits = repo.commit_count();
    let mut answers = vec![
        Answer::Key('m'),
        Answer::pick("sourced"),
        Answer::Yes,
        Answer::Yes,
        Answer::No,
        Answer::text("The story is undated."),
    ];
    answers.extend(keys("q"));
    let transcript = reviewed(&repo, only(&id), answers);
    insta::assert_snapshot!(stable(&transcript), @r#"

    ━━ 1/1 ━━ 5jrok7r2ag · unverified ━━
                “A claim whose date is unknown.”
      Sources   1 (1 independent supporting origin)
    ┌──────────┬───────────┬─────────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN      ┆ URL                   │
    ╞══════════╪═══════════╪═════════════╪═══════════════════════╡
    │ supports ┆           ┆ one.example ┆ https://one.example/a │
    └──────────┴───────────┴─────────────┴───────────────────────┘
      Next      sourced: the evidence is there; m walks through the checklist
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
      Recent    2026-03-01 09:00 Ana Ruiz: added supporting source (one.example)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('m')
      Blocked   corroborated: needs supporting sources from at least 2 independent origins; has 1 (one.example)
                disputed: needs at least 1 contradicting source; has 0
    ? Move 5jrok7r2ag from unverified to (Esc cancels)
        sourced (asks 5 checklist items)
      > Pick("sourced")
    ? [1/5] Provenance: have we traced the claim to the original statement, document or post?
      > Yes
    ? [2/5] Source: do we know who made the claim, and who published each piece of evidence?
      > Yes
    ? [3/5] Date: do we know when the claim was made, and do the sources date from then?
      > No
      Not moved: every item of the sourced checklist must be confirmed, and 'date' is not.
    ? What is missing for 'date'? (kept with the answer; Enter for no reason)
      > Text("The story is undated.")
      ✓ Answers kept: 2 confirmed, 'date' not; it is asked again next time (commit COMMIT)

    ━━ 1/1 ━━ 5jrok7r2ag · unverified ━━
                “A claim whose date is unknown.”
      Sources   1 (1 independent supporting origin)
    ┌──────────┬───────────┬─────────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN      ┆ URL                   │
    ╞══════════╪═══════════╪═════════════╪═══════════════════════╡
    │ supports ┆           ┆ one.example ┆ https://one.example/a │
    └──────────┴───────────┴─────────────┴───────────────────────┘
      Next      sourced: the evidence is there; m walks through the checklist
                checklist 2/5: ✓provenance ✓source ·date ·location ·motivation
      Recent    2026-03-01 09:00 Ana Ruiz: added supporting source (one.example)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; 1 commit.
      noted      5jrok7r2ag  +1 note
    "#);
    let record = repo.read_record(&id);
    assert!(record.contains("state = \"unverified\""), "{record}");
    insta::assert_snapshot!(
        timeless(
            &record[record.find("[checklist.sourced]").unwrap()..record.find("[[sources]]").unwrap()]
        ),
        @r#"
            [checklist.sourced]
            provenance = true
            source = true

            [[answers]]
            checklist = "sourced"
            item = "provenance"
            confirmed = true
            at = "TIME"
            by = "Ana Ruiz <ana@example.org>"

            [[answers]]
            checklist = "sourced"
            item = "source"
            confirmed = true
            at = "TIME"
            by = "Ana Ruiz <ana@example.org>"

            [[answers]]
            checklist = "sourced"
            item = "date"
            confirmed = false
            reason = "The story is undated."
            at = "TIME"
            by = "Ana Ruiz <ana@example.org>"
            "#
    );
    assert_eq!(repo.commit_count(), commits + 1);
    let message = last_message(&repo);
    insta::assert_snapshot!(message, @r#"
        Checklist for sourced on 5jrok7r2ag: 2 confirmed, not date

        date: The story is undated.

        Claim-Id: 5jrok7r2ag
        Claim-Action: checklist
        "#);

    // The next attempt asks the "no" again and what was never asked, nothing else.
    let mut answers = vec![
        Answer::Key('m'),
        Answer::pick("sourced (asks 3 checklist items)"),
    ];
    answers.extend(std::iter::repeat_n(Answer::Yes, 3));
    answers.extend(keys("q"));
    let transcript = reviewed(&repo, only(&id), answers);
    insta::assert_snapshot!(stable(&transcript), @r#"

    ━━ 1/1 ━━ 5jrok7r2ag · unverified ━━
                “A claim whose date is unknown.”
      Sources   1 (1 independent supporting origin)
    ┌──────────┬───────────┬─────────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN      ┆ URL                   │
    ╞══════════╪═══════════╪═════════════╪═══════════════════════╡
    │ supports ┆           ┆ one.example ┆ https://one.example/a │
    └──────────┴───────────┴─────────────┴───────────────────────┘
      Next      sourced: the evidence is there; m walks through the checklist
                checklist 2/5: ✓provenance ✓source ·date ·location ·motivation
      Recent    2026-03-01 09:00 Ana Ruiz: added supporting source (one.example)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('m')
      Blocked   corroborated: needs supporting sources from at least 2 independent origins; has 1 (one.example)
                disputed: needs at least 1 contradicting source; has 0
    ? Move 5jrok7r2ag from unverified to (Esc cancels)
        sourced (asks 3 checklist items)
      > Pick("sourced (asks 3 checklist items)")
    ? [1/3] Date: do we know when the claim was made, and do the sources date from then?
      > Yes
    ? [2/3] Location: do we know where the claim was made, and does the evidence concern that place?
      > Yes
    ? [3/3] Motivation: have we considered why the claimant and each source say what they say?
      > Yes
      ✓ Moved 5jrok7r2ag: unverified → sourced (commit COMMIT)

    ━━ 1/1 ━━ 5jrok7r2ag · sourced ━━
                “A claim whose date is unknown.”
      Sources   1 (1 independent supporting origin)
    ┌──────────┬───────────┬─────────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN      ┆ URL                   │
    ╞══════════╪═══════════╪═════════════╪═══════════════════════╡
    │ supports ┆           ┆ one.example ┆ https://one.example/a │
    └──────────┴───────────┴─────────────┴───────────────────────┘
      Next      corroborated: needs supporting sources from at least 2 independent origins; has 1 (one.example)
                checklist 5/7: ✓provenance ✓source ✓date ✓location ✓motivation ·independence ·context
      Recent    TIME Ana Ruiz: moved unverified → sourced
                2026-03-01 09:00 Ana Ruiz: added supporting source (one.example)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; 1 commit.
      moved      5jrok7r2ag  unverified → sourced
    "#);
    assert!(!transcript.contains("Provenance"), "{transcript}");
    let record = repo.read_record(&id);
    assert!(record.contains("state = \"sourced\""), "{record}");
    assert_eq!(record.matches("[[answers]]").count(), 6, "{record}");
    repo.ok(&["check"]);
    repo.ok(&["audit"]);
}

#[test]
fn disputing_needs_a_note_and_enter_cancels_the_move() {
    let repo = Repo::new();
    let id = repo.add("A contradicted claim.");
    repo.ok(&[
        "source",
        "add",
        &id,
        "--url",
        "https://no.example/a",
        "--stance",
        "contradicts",
    ]);
    let commits = repo.commit_count();
    let answers = vec![
        Answer::Key('m'),
        Answer::pick("disputed (asks a note)"),
        Answer::Enter,
        Answer::Key('m'),
        Answer::pick("disputed"),
        Answer::text("The ministry's figures show 12, not 55."),
        Answer::Key('q'),
    ];
    let transcript = reviewed(&repo, only(&id), answers);
    insta::assert_snapshot!(stable(&transcript), @r#"

    ━━ 1/1 ━━ epf7jznwml · unverified ━━
                “A contradicted claim.”
      Sources   1 (0 independent supporting origins)
    ┌─────────────┬───────────┬────────────┬──────────────────────┐
    │ STANCE      ┆ PUBLISHER ┆ ORIGIN     ┆ URL                  │
    ╞═════════════╪═══════════╪════════════╪══════════════════════╡
    │ contradicts ┆           ┆ no.example ┆ https://no.example/a │
    └─────────────┴───────────┴────────────┴──────────────────────┘
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
      Recent    2026-03-01 09:00 Ana Ruiz: added contradicting source (no.example)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('m')
      Blocked   sourced: needs at least 1 supporting source; has 0
                corroborated: needs supporting sources from at least 2 independent origins; has 0; a contradicting source still stands: https://no.example/a
    ? Move epf7jznwml from unverified to (Esc cancels)
        disputed (asks a note)
      > Pick("disputed (asks a note)")
    ? Why move it to disputed? (Enter to cancel)
      > Enter
      not moved, a note is needed: nothing changed.
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('m')
      Blocked   sourced: needs at least 1 supporting source; has 0
                corroborated: needs supporting sources from at least 2 independent origins; has 0; a contradicting source still stands: https://no.example/a
    ? Move epf7jznwml from unverified to (Esc cancels)
        disputed (asks a note)
      > Pick("disputed")
    ? Why move it to disputed? (Enter to cancel)
      > Text("The ministry's figures show 12, not 55.")
      ✓ Moved epf7jznwml: unverified → disputed (commit COMMIT)

    ━━ 1/1 ━━ epf7jznwml · disputed ━━
                “A contradicted claim.”
      Sources   1 (0 independent supporting origins)
    ┌─────────────┬───────────┬────────────┬──────────────────────┐
    │ STANCE      ┆ PUBLISHER ┆ ORIGIN     ┆ URL                  │
    ╞═════════════╪═══════════╪════════════╪══════════════════════╡
    │ contradicts ┆           ┆ no.example ┆ https://no.example/a │
    └─────────────┴───────────┴────────────┴──────────────────────┘
      Verdict   disputed
      Recent    TIME Ana Ruiz: moved unverified → disputed (The ministry's figures show 12, not 55.)
                2026-03-01 09:00 Ana Ruiz: added contradicting source (no.example)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; 1 commit.
      moved      epf7jznwml  unverified → disputed
    "#);
    let record = repo.read_record(&id);
    assert!(record.contains("state = \"disputed\""), "{record}");
    assert!(record.contains("note = \"The ministry's figures show 12, not 55.\""));
    assert_eq!(repo.commit_count(), commits + 1);
    insta::assert_snapshot!(last_message(&repo), @"
    Move epf7jznwml from unverified to disputed: A contradicted claim.

    The ministry's figures show 12, not 55.

    Claim-Id: epf7jznwml
    Claim-Action: transition
    Claim-From: unverified
    Claim-To: disputed
    ");
}

#[test]
fn notes_are_committed_and_an_empty_note_is_not() {
    let repo = Repo::new();
    let id = repo.add("A claim to note.");
    let commits = repo.commit_count();
    let mut answers = vec![
        Answer::Key('n'),
        Answer::Enter,
        Answer::Key('n'),
        Answer::text("Called the ministry."),
    ];
    answers.extend(keys("q"));
    let transcript = reviewed(&repo, only(&id), answers);
    insta::assert_snapshot!(stable(&transcript), @r#"

    ━━ 1/1 ━━ 7micei4fiz · unverified ━━
                “A claim to note.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('n')
    ? Note (Enter to cancel)
      > Enter
      no note added: nothing changed.
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('n')
    ? Note (Enter to cancel)
      > Text("Called the ministry.")
      ✓ Note added (1 in all) (commit COMMIT)

    ━━ 1/1 ━━ 7micei4fiz · unverified ━━
                “A claim to note.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
      Recent    TIME Ana Ruiz: note: Called the ministry.
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; 1 commit.
      noted      7micei4fiz  +1 note
    "#);
    assert_eq!(repo.commit_count(), commits + 1);
    insta::assert_snapshot!(last_message(&repo), @"
    Note on 7micei4fiz: Called the ministry.

    Called the ministry.

    Claim-Id: 7micei4fiz
    Claim-Action: note
    ");
}

#[test]
fn only_a_corroborated_claim_is_published() {
    let repo = Repo::new();
    let early = repo.add("An unverified claim.");
    let id = repo.claim_with_two_origins("A claim to publish.");
    repo.ok(&["mark", &id, "sourced", "--all-checked"]);
    repo.ok(&["mark", &id, "corroborated", "--all-checked"]);
    let commits = repo.commit_count();

    let transcript = reviewed(&repo, only(&early), keys("pq"));
    insta::assert_snapshot!(stable(&transcript), @"

    ━━ 1/1 ━━ ovrmrerxus · unverified ━━
                “An unverified claim.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('p')
      Only a corroborated claim is published from here; ovrmrerxus is unverified.
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; nothing changed.
    ");
    assert_eq!(repo.commit_count(), commits);

    let answers = vec![
        Answer::Key('p'),
        Answer::text("https://factcheck.example.org/claim"),
        Answer::Yes,
        Answer::Key('q'),
    ];
    let transcript = reviewed(&repo, only(&id), answers);
    let record = repo.read_record(&id);
    assert!(record.contains("published = true"), "{record}");
    assert!(record.contains("published_url = \"https://factcheck.example.org/claim\""));
    insta::assert_snapshot!(last_message(&repo), @"
    Publish krw72jmc7z: A claim to publish.

    Claim-Id: krw72jmc7z
    Claim-Action: publish
    ");
    insta::assert_snapshot!(stable(&transcript), @r#"

    ━━ 1/1 ━━ krw72jmc7z · corroborated ━━
                “A claim to publish.”
      Sources   2 (2 independent supporting origins)
    ┌──────────┬───────────┬───────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN    ┆ URL                   │
    ╞══════════╪═══════════╪═══════════╪═══════════════════════╡
    │ supports ┆ One Daily ┆ One Daily ┆ https://one.example/a │
    │ supports ┆ Two Times ┆ Two Times ┆ https://two.example/b │
    └──────────┴───────────┴───────────┴───────────────────────┘
      Verdict   corroborated · not published yet (p publishes it)
      Recent    2026-03-01 09:00 Ana Ruiz: moved unverified → sourced
                2026-03-01 09:00 Ana Ruiz: moved sourced → corroborated
                2026-03-01 09:00 Ana Ruiz: added supporting source (One Daily)
                2026-03-01 09:00 Ana Ruiz: added supporting source (Two Times)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('p')
    ? URL of the published fact-check (Enter to leave out)
      > Text("https://factcheck.example.org/claim")
    ? Publish krw72jmc7z now?
      > Yes
      ✓ Published krw72jmc7z (commit COMMIT)

    ━━ 1/1 ━━ krw72jmc7z · corroborated · published ━━
                “A claim to publish.”
      Sources   2 (2 independent supporting origins)
    ┌──────────┬───────────┬───────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN    ┆ URL                   │
    ╞══════════╪═══════════╪═══════════╪═══════════════════════╡
    │ supports ┆ One Daily ┆ One Daily ┆ https://one.example/a │
    │ supports ┆ Two Times ┆ Two Times ┆ https://two.example/b │
    └──────────┴───────────┴───────────┴───────────────────────┘
      Verdict   corroborated · published at https://factcheck.example.org/claim
      Recent    2026-03-01 09:00 Ana Ruiz: moved unverified → sourced
                2026-03-01 09:00 Ana Ruiz: moved sourced → corroborated
                2026-03-01 09:00 Ana Ruiz: added supporting source (One Daily)
                2026-03-01 09:00 Ana Ruiz: added supporting source (Two Times)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; 1 commit.
      published  krw72jmc7z
    "#);

    let transcript = reviewed(&repo, only(&id), keys("pq"));
    insta::assert_snapshot!(stable(&transcript), @"

    ━━ 1/1 ━━ krw72jmc7z · corroborated · published ━━
                “A claim to publish.”
      Sources   2 (2 independent supporting origins)
    ┌──────────┬───────────┬───────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN    ┆ URL                   │
    ╞══════════╪═══════════╪═══════════╪═══════════════════════╡
    │ supports ┆ One Daily ┆ One Daily ┆ https://one.example/a │
    │ supports ┆ Two Times ┆ Two Times ┆ https://two.example/b │
    └──────────┴───────────┴───────────┴───────────────────────┘
      Verdict   corroborated · published at https://factcheck.example.org/claim
      Recent    2026-03-01 09:00 Ana Ruiz: moved unverified → sourced
                2026-03-01 09:00 Ana Ruiz: moved sourced → corroborated
                2026-03-01 09:00 Ana Ruiz: added supporting source (One Daily)
                2026-03-01 09:00 Ana Ruiz: added supporting source (Two Times)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('p')
      krw72jmc7z is already published.
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; nothing changed.
    ");
    assert_eq!(repo.commit_count(), commits + 1);
}

#[test]
fn editing_rewrites_text_claimant_and_tags_and_keeps_the_id() {
    let repo = Repo::new();
    let id = repo.add("Mexico extradited 55 peple.");
    let commits = repo.commit_count();
    let fixed = "text = \"Mexico extradited 55 people.\"\nclaimant = \"Claudia Sheinbaum\"\n\
                 tags = [\"mexico\", \" \", \"mexico\", \"security\"]\n";
    let mut answers = vec![
        Answer::Key('e'),
        Answer::text("text = \"unterminated"),
        Answer::Yes,
        Answer::text(fixed),
    ];
    answers.extend(keys("q"));
    let transcript = reviewed(&repo, only(&id), answers);

    insta::assert_snapshot!(stable(&transcript), @r#"

    ━━ 1/1 ━━ 2erm3hqcrw · unverified ━━
                “Mexico extradited 55 peple.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('e')
    --- editor ---
    # Edit the claim's text, claimant and tags, then save and close the editor.
    # Close without saving to cancel. The id stays 2erm3hqcrw, even if the text changes:
    # ids are minted once, when a claim is recorded.

    text = "Mexico extradited 55 peple."
    claimant = ""
    tags = []

    --------------
    ? (editor)
      > Text("text = \"unterminated")
      Cannot read the edit: invalid basic string, expected `"`
    ? Edit again?
      > Yes
    --- editor ---
    text = "unterminated
    --------------
    ? (editor)
      > Text("text = \"Mexico extradited 55 people.\"\nclaimant = \"Claudia Sheinbaum\"\ntags = [\"mexico\", \" \", \"mexico\", \"security\"]\n")
      ✓ Edited 2erm3hqcrw; its id stays the same (commit COMMIT)

    ━━ 1/1 ━━ 2erm3hqcrw · unverified ━━
                “Mexico extradited 55 people.”
      Claimant  Claudia Sheinbaum
      Tags      mexico, security
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; 1 commit.
      edited     2erm3hqcrw
    "#);
    let record = repo.read_record(&id);
    assert!(record.contains(&format!("id = \"{id}\"")), "{record}");
    assert!(record.contains("text = \"Mexico extradited 55 people.\""));
    assert!(record.contains("claimant = \"Claudia Sheinbaum\""));
    assert!(
        record.contains("tags = [\n    \"mexico\",\n    \"security\",\n]")
            || record.contains("tags = [\"mexico\", \"security\"]"),
        "{record}"
    );
    assert_eq!(repo.commit_count(), commits + 1);
    insta::assert_snapshot!(last_message(&repo), @"
    Edit text, claimant, tags of 2erm3hqcrw: Mexico extradited 55 people.

    Was: Mexico extradited 55 peple.

    Claim-Id: 2erm3hqcrw
    Claim-Action: edit
    ");
    assert_eq!(repo.status(), "");
    repo.ok(&["check"]);
    // The edit changed only what an edit may change.
    repo.ok(&["audit"]);
}

#[test]
fn an_edit_left_unchanged_or_unsaved_commits_nothing() {
    let repo = Repo::new();
    let id = repo.add("A claim nobody edits.");
    let commits = repo.commit_count();
    let mut answers = vec![
        Answer::Key('e'),
        Answer::Cancel,
        Answer::Key('e'),
        Answer::text("text = \"A claim nobody edits.\""),
    ];
    answers.extend(keys("q"));
    let transcript = reviewed(&repo, only(&id), answers);
    insta::assert_snapshot!(stable(&transcript), @r#"

    ━━ 1/1 ━━ 4yh2x5djau · unverified ━━
                “A claim nobody edits.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('e')
    --- editor ---
    # Edit the claim's text, claimant and tags, then save and close the editor.
    # Close without saving to cancel. The id stays 4yh2x5djau, even if the text changes:
    # ids are minted once, when a claim is recorded.

    text = "A claim nobody edits."
    claimant = ""
    tags = []

    --------------
    ? (editor)
      > Cancel
      edit cancelled: nothing changed.
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('e')
    --- editor ---
    # Edit the claim's text, claimant and tags, then save and close the editor.
    # Close without saving to cancel. The id stays 4yh2x5djau, even if the text changes:
    # ids are minted once, when a claim is recorded.

    text = "A claim nobody edits."
    claimant = ""
    tags = []

    --------------
    ? (editor)
      > Text("text = \"A claim nobody edits.\"")
    error: 4yh2x5djau is unchanged
    hint: nothing to do
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; nothing changed.
    "#);
    assert_eq!(repo.commit_count(), commits);
}

#[test]
fn a_change_the_engine_refuses_is_shown_and_the_review_goes_on() {
    let repo = Repo::new();
    let id = repo.add("A claim someone is editing by hand.");
    let path = repo.record_path(&id);
    let edited = format!("{}# checking the figure\n", repo.read_record(&id));
    std::fs::write(&path, &edited).unwrap();
    let commits = repo.commit_count();
    let mut answers = vec![Answer::Key('n'), Answer::text("A note.")];
    answers.extend(keys("q"));
    let transcript = reviewed(&repo, only(&id), answers);
    insta::assert_snapshot!(stable(&transcript), @r#"

    ━━ 1/1 ━━ hfe2js52uq · unverified ━━
                “A claim someone is editing by hand.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('n')
    ? Note (Enter to cancel)
      > Text("A note.")
    error: records/hf/hfe2js52uq.toml has changes that are not committed
    hint: commit the edit (git commit records/hf/hfe2js52uq.toml) or discard it (git checkout -- records/hf/hfe2js52uq.toml), then run the command again
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; nothing changed.
    "#);
    assert_eq!(repo.commit_count(), commits);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
}

#[test]
fn back_skip_help_and_unknown_keys() {
    let repo = Repo::new();
    let first = repo.add("The first claim.");
    repo.add("The second claim.");
    let transcript = reviewed(&repo, Args::default(), keys("kjkx?q"));
    insta::assert_snapshot!(stable(&transcript), @"

    ━━ 1/2 ━━ 2wg3z5fvks · unverified ━━
                “The first claim.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/2] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('k')
    This is the first claim.
    ? [1/2] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('j')

    ━━ 2/2 ━━ 43pkjsilkh · unverified ━━
                “The second claim.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [2/2] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('k')

    ━━ 1/2 ━━ 2wg3z5fvks · unverified ━━
                “The first claim.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/2] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('x')
    'x' is not an action: s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/2] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('?')
      s  add a source: url, publisher, origin (who first reported it), stance, excerpt
      m  move the claim: offers the states its evidence allows, says why the others are
         blocked, and asks that state's checklist one item at a time; a move away from what
         was published retracts it in the same commit, with a correction note
      n  add a note
      p  publish the claim (corroborated claims only)
      e  edit text, claimant and tags in $EDITOR; the id stays the same, since ids are minted
         once, when a claim is recorded
      d  dismiss: not check-worthy, a duplicate (its appearances move to the claim kept), or
         out of scope; the claim leaves the queue
      j  next claim (skip this one)      k  previous claim
      q  quit
      Each change is committed as soon as you confirm it, and the card is shown again as it now
      is; j moves on. Quitting, or Ctrl-C, loses nothing.
    ? [1/2] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 2 of 2 claims; nothing changed.
    ");
    assert_eq!(
        transcript.matches(&format!("1/2 ━━ {first}")).count(),
        2,
        "{transcript}"
    );
}

#[test]
fn ctrl_c_at_a_prompt_commits_nothing_and_ends_with_130() {
    let repo = Repo::new();
    let id = with_one_source(&repo, "A claim interrupted mid-checklist.");
    let head = repo.head();
    let answers = vec![
        Answer::Key('n'),
        Answer::text("Kept: confirmed before the interruption."),
        Answer::Key('m'),
        Answer::pick("sourced"),
        Answer::Yes,
        Answer::Interrupt,
    ];
    let (result, transcript) = scripted(&repo, only(&id), answers);
    let error = result.expect_err(&transcript);
    assert_eq!(error.exit_code(), 130);
    insta::assert_snapshot!(stable(&transcript), @r#"

    ━━ 1/1 ━━ cnikwgk7ta · unverified ━━
                “A claim interrupted mid-checklist.”
      Sources   1 (1 independent supporting origin)
    ┌──────────┬───────────┬─────────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN      ┆ URL                   │
    ╞══════════╪═══════════╪═════════════╪═══════════════════════╡
    │ supports ┆           ┆ one.example ┆ https://one.example/a │
    └──────────┴───────────┴─────────────┴───────────────────────┘
      Next      sourced: the evidence is there; m walks through the checklist
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
      Recent    2026-03-01 09:00 Ana Ruiz: added supporting source (one.example)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('n')
    ? Note (Enter to cancel)
      > Text("Kept: confirmed before the interruption.")
      ✓ Note added (1 in all) (commit COMMIT)

    ━━ 1/1 ━━ cnikwgk7ta · unverified ━━
                “A claim interrupted mid-checklist.”
      Sources   1 (1 independent supporting origin)
    ┌──────────┬───────────┬─────────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN      ┆ URL                   │
    ╞══════════╪═══════════╪═════════════╪═══════════════════════╡
    │ supports ┆           ┆ one.example ┆ https://one.example/a │
    └──────────┴───────────┴─────────────┴───────────────────────┘
      Next      sourced: the evidence is there; m walks through the checklist
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
      Recent    TIME Ana Ruiz: note: Kept: confirmed before the interruption.
                2026-03-01 09:00 Ana Ruiz: added supporting source (one.example)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('m')
      Blocked   corroborated: needs supporting sources from at least 2 independent origins; has 1 (one.example)
                disputed: needs at least 1 contradicting source; has 0
    ? Move cnikwgk7ta from unverified to (Esc cancels)
        sourced (asks 5 checklist items)
      > Pick("sourced")
    ? [1/5] Provenance: have we traced the claim to the original statement, document or post?
      > Yes
    ? [2/5] Source: do we know who made the claim, and who published each piece of evidence?
      > Interrupt

    Interrupted. Every change you confirmed is committed; nothing is half-done.

    Reviewed 1 of 1 claim; 1 commit.
      noted      cnikwgk7ta  +1 note
    "#);
    assert_eq!(
        repo.git(&["rev-list", "--count", &format!("{head}..HEAD")])
            .trim(),
        "1"
    );
    assert!(repo.read_record(&id).contains("state = \"unverified\""));
    assert_eq!(repo.status(), "");
}

#[test]
fn unknown_ids_and_an_empty_queue() {
    let repo = Repo::new();
    let (result, _) = scripted(&repo, only("zzzz"), []);
    assert_eq!(result.unwrap_err().exit_code(), 2);
    let transcript = reviewed(&repo, Args::default(), []);
    insta::assert_snapshot!(stable(&transcript), @"
    Nothing to review: no claim matches.
    `claims list` shows every claim; `claims review --state corroborated` reviews the corroborated ones (to publish them).
    ");
}

#[test]
fn without_a_terminal_review_exits_2_and_names_the_one_shot_commands() {
    let repo = Repo::new();
    repo.add("A claim.");
    let refused = repo.sees(&["review"]);
    insta::assert_snapshot!(refused, @"
    ------- stderr -------
    error: claims review asks questions, and there is no terminal to ask them on
    hint: without a terminal (or with --no-input) use the one-shot commands: claims source add, claims mark, claims note, claims publish
    [exit status: 2]
    ");
    assert_eq!(repo.sees(&["review", "--no-input"]), refused);
}

/// `claims review ARGS` in a pseudo-terminal.
fn terminal(repo: &Repo, args: &[&str]) -> PtySession {
    let mut command = repo.process(&["review"]);
    command.args(args);
    spawn_command(command, Some(30_000)).expect("a pseudo-terminal")
}

/// Types keys without Enter, as at a single-key prompt.
fn press(session: &mut PtySession, keys: &str) {
    session.send(keys).unwrap();
    session.flush().unwrap();
}

fn exit_code(session: &PtySession) -> i32 {
    match session.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("claims did not exit: {other:?}"),
    }
}

#[test]
fn terminal_add_a_source_then_move_to_sourced_through_the_checklist() {
    let repo = Repo::new();
    let id = repo.add("Mexico extradited 55 people to the U.S. in 2025.");
    let commits = repo.commit_count();
    let mut session = terminal(&repo, &[]);
    session
        .exp_string("[1/1] Action [s,m,n,p,e,d,j,k,q,?]?")
        .unwrap();
    press(&mut session, "s");
    session.exp_string("Source URL").unwrap();
    session.send_line("https://one.example/a").unwrap();
    session.exp_string("Publisher").unwrap();
    session.send_line("One Daily").unwrap();
    session.exp_string("Origin").unwrap();
    session.send_line("").unwrap();
    session.exp_string("contradicts").unwrap();
    session.send_line("").unwrap();
    session.exp_string("Excerpt").unwrap();
    session.send_line("").unwrap();
    session.exp_string("Added a supporting source").unwrap();
    session
        .exp_string("[1/1] Action [s,m,n,p,e,d,j,k,q,?]?")
        .unwrap();
    press(&mut session, "m");
    session
        .exp_string("sourced (asks 5 checklist items)")
        .unwrap();
    session.send_line("").unwrap();
    for item in ["Provenance", "Source", "Date", "Location", "Motivation"] {
        session.exp_string(item).unwrap();
        press(&mut session, "y");
    }
    session.exp_string("Moved").unwrap();
    session
        .exp_string("[1/1] Action [s,m,n,p,e,d,j,k,q,?]?")
        .unwrap();
    press(&mut session, "q");
    session
        .exp_string("Reviewed 1 of 1 claim; 2 commits.")
        .unwrap();
    session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 0);
    assert_eq!(repo.commit_count(), commits + 2);
    assert!(repo.read_record(&id).contains("state = \"sourced\""));
    assert_eq!(repo.status(), "");
}

#[test]
fn terminal_ctrl_c_in_a_prompt_changes_nothing_shows_the_cursor_and_exits_130() {
    let repo = Repo::new();
    let id = with_one_source(&repo, "A claim interrupted at the terminal.");
    let head = repo.head();
    let record = repo.read_record(&id);
    let mut session = terminal(&repo, &[]);
    session
        .exp_string("[1/1] Action [s,m,n,p,e,d,j,k,q,?]?")
        .unwrap();
    press(&mut session, "m");
    session.exp_string("sourced (asks").unwrap();
    session.send_line("").unwrap();
    session.exp_string("Provenance").unwrap();
    press(&mut session, "y");
    session.exp_string("Source:").unwrap();
    // The confirm prompt hides the cursor while it waits for y or n.
    session.exp_string("\u{1b}[?25l").unwrap();
    session.send_control('c').unwrap();
    let rest = session.exp_eof().unwrap();
    assert!(
        rest.contains("\u{1b}[?25h"),
        "cursor not shown again: {rest:?}"
    );
    assert!(rest.contains("Interrupted"), "{rest:?}");
    assert_eq!(exit_code(&session), 130);
    assert_eq!(repo.head(), head);
    assert_eq!(repo.read_record(&id), record);
    assert_eq!(repo.status(), "");
}

/// The card on a real terminal shows an escape in a record as every other command does,
/// visibly, and sends none of it to the terminal.
#[test]
fn terminal_the_card_shows_an_escape_in_a_record_visibly() {
    let repo = Repo::new();
    let id = repo.add("A claim with an escape.");
    repo.edit_record(&id, "with an", "\\u001B[2Jwith\\tan");
    repo.git(&["commit", "-q", "-am", "Hand edit"]);
    let mut session = terminal(&repo, &[]);
    let card = session
        .exp_string("[1/1] Action [s,m,n,p,e,d,j,k,q,?]?")
        .unwrap();
    press(&mut session, "q");
    session.exp_eof().unwrap();
    // rexpect hands back each byte as one character.
    let card = String::from_utf8(card.chars().map(|c| c as u8).collect()).unwrap();
    assert!(!card.contains("\u{1b}[2J"), "{card:?}");
    let card: String = card
        .replace("\r\n", "\n")
        .lines()
        .skip_while(|line| !line.starts_with("━━"))
        .take_while(|line| !line.starts_with("s source"))
        .map(|line| format!("{}\n", line.trim_end()))
        .collect();
    insta::assert_snapshot!(format!("{card}[exit status: {}]", exit_code(&session)), @r"
    ━━ 1/1 ━━ zwporhyrlt · unverified ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
                “A claim \u001b[2Jwith\u0009an escape.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    [exit status: 0]
    ");
}

#[test]
fn terminal_quit_after_two_actions_makes_exactly_two_commits() {
    let repo = Repo::new();
    let id = repo.add("A claim worked on, then left.");
    repo.add("A claim never reached.");
    let commits = repo.commit_count();
    let mut session = terminal(&repo, &[]);
    session
        .exp_string("[1/2] Action [s,m,n,p,e,d,j,k,q,?]?")
        .unwrap();
    press(&mut session, "n");
    session.exp_string("Note").unwrap();
    session.send_line("Called the ministry.").unwrap();
    session.exp_string("Note added").unwrap();
    session
        .exp_string("[1/2] Action [s,m,n,p,e,d,j,k,q,?]?")
        .unwrap();
    press(&mut session, "n");
    session.exp_string("Note").unwrap();
    session.send_line("They will call back.").unwrap();
    session.exp_string("Note added (2 in all)").unwrap();
    session
        .exp_string("[1/2] Action [s,m,n,p,e,d,j,k,q,?]?")
        .unwrap();
    press(&mut session, "q");
    session
        .exp_string("Reviewed 1 of 2 claims; 2 commits.")
        .unwrap();
    session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 0);
    assert_eq!(repo.commit_count(), commits + 2);
    assert!(repo.read_record(&id).contains("They will call back."));
    assert_eq!(repo.status(), "");
}

#[test]
fn terminal_checklist_answers_are_kept_across_attempts() {
    let repo = Repo::new();
    let id = with_one_source(&repo, "Mexico extradited 55 people to the U.S. in 2025.");
    let mut session = terminal(&repo, &[]);
    session
        .exp_string("[1/1] Action [s,m,n,p,e,d,j,k,q,?]?")
        .unwrap();
    press(&mut session, "m");
    session
        .exp_string("sourced (asks 5 checklist items)")
        .unwrap();
    session.send_line("").unwrap();
    for (item, key) in [("Provenance", "y"), ("Source", "y"), ("Date", "n")] {
        session.exp_string(item).unwrap();
        press(&mut session, key);
    }
    session.exp_string("What is missing for 'date'?").unwrap();
    session.send_line("The story is undated.").unwrap();
    session.exp_string("Answers kept: 2 confirmed").unwrap();
    session
        .exp_string("[1/1] Action [s,m,n,p,e,d,j,k,q,?]?")
        .unwrap();
    press(&mut session, "m");
    session
        .exp_string("sourced (asks 3 checklist items)")
        .unwrap();
    session.send_line("").unwrap();
    for item in ["[1/3] Date", "[2/3] Location", "[3/3] Motivation"] {
        session.exp_string(item).unwrap();
        press(&mut session, "y");
    }
    session.exp_string("Moved").unwrap();
    press(&mut session, "q");
    session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 0);
    let record = repo.read_record(&id);
    assert!(record.contains("state = \"sourced\""), "{record}");
    assert!(
        record.contains("reason = \"The story is undated.\""),
        "{record}"
    );
    assert_eq!(repo.status(), "");
}

#[test]
fn mark_check_counts_the_answers_review_kept_and_records_its_own() {
    let repo = Repo::new();
    let id = with_one_source(&repo, "A claim checked in two ways.");
    let mut answers = vec![
        Answer::Key('m'),
        Answer::pick("sourced"),
        Answer::Yes,
        Answer::Yes,
        Answer::No,
        Answer::text(""),
    ];
    answers.extend(keys("q"));
    reviewed(&repo, only(&id), answers);
    insta::assert_snapshot!(repo.sees(&["mark", &id, "sourced", "--check", "date"]), @"
    ------- stderr -------
    error: cannot move 5ntav4mtyj from unverified to sourced
      - the sourced checklist is not confirmed: location, motivation (checklist)
        fix: confirm the items (claims review 5ntav4mtyj), or: claims mark 5ntav4mtyj sourced --check location --check motivation
    [exit status: 1]
    ");
    repo.ok(&[
        "mark",
        &id,
        "sourced",
        "--check",
        "date",
        "--check",
        "location",
        "--check",
        "motivation",
    ]);
    let record = repo.read_record(&id);
    assert_eq!(record.matches("[[answers]]").count(), 6, "{record}");
    assert_eq!(record.matches("confirmed = false").count(), 1, "{record}");
    repo.ok(&["audit"]);
}

#[test]
fn dismissing_a_duplicate_from_the_card_folds_it_into_the_kept_claim_and_leaves_the_queue() {
    let repo = Repo::new();
    let duplicate = repo.add("Mexico sent 55 people north.");
    let kept = repo.add("Mexico extradited 55 people.");
    let commits = repo.commit_count();
    let mut answers = vec![
        Answer::Key('d'),
        Answer::pick("duplicate"),
        Answer::text("zzzz"),
        Answer::text(&kept[..6]),
        Answer::text("Same figure, same week"),
    ];
    answers.extend(keys("q"));
    let (summary, transcript) = scripted(&repo, Args::default(), answers);
    let summary = summary.expect(&transcript);
    let dismissed: Vec<String> = summary.dismissed.iter().map(ToString::to_string).collect();
    assert_eq!(dismissed, std::slice::from_ref(&duplicate));
    assert_eq!(repo.commit_count(), commits + 1);
    insta::assert_snapshot!(stable(&transcript), @r#"

    ━━ 1/2 ━━ ivmwvutxsj · unverified ━━
                “Mexico sent 55 people north.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/2] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('d')
    ? Dismiss ivmwvutxsj as (Esc cancels)
        not check-worthy (opinion, prediction, description)
        duplicate of another claim
        out of scope
      > Pick("duplicate")
    ? Id of the claim to keep (Enter to cancel)
      > Text("zzzz")
      no claim has an id starting with 'zzzz': type another, or Enter to cancel
    ? Id of the claim to keep (Enter to cancel)
      > Text("j4wrki")
    ? Note (Enter to leave out)
      > Text("Same figure, same week")
      ✓ Dismissed ivmwvutxsj as a duplicate of j4wrkiltmn (commit COMMIT)

    ━━ 2/2 ━━ j4wrkiltmn · unverified ━━
                “Mexico extradited 55 people.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [2/2] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 2 of 2 claims; 1 commit.
      dismissed  ivmwvutxsj
    "#);
    // The review went on to the next claim: the kept one.
    insta::assert_snapshot!(last_message(&repo), @"
    Dismiss ivmwvutxsj as a duplicate of j4wrkiltmn: Mexico sent 55 people north.

    Same figure, same week

    Claim-Id: ivmwvutxsj
    Claim-Id: j4wrkiltmn
    Claim-Action: dismiss
    ");
    assert_eq!(repo.status(), "");

    let again = reviewed(&repo, Args::default(), keys("q"));
    assert!(!again.contains(&duplicate), "{again}");
    insta::assert_snapshot!(stable(&again), @"

    ━━ 1/1 ━━ j4wrkiltmn · unverified ━━
                “Mexico extradited 55 people.”
      Sources   none yet
      Next      sourced: needs at least 1 supporting source; has 0
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; nothing changed.
    ");
}

#[test]
fn moving_a_published_claim_back_from_the_card_retracts_it_with_a_correction() {
    let repo = Repo::new();
    let id = repo.corroborated("The bridge cost 40 million.");
    repo.ok(&["publish", &id]);
    let mut answers = vec![
        Answer::Key('m'),
        Answer::pick("unverified"),
        Answer::text("correction: it cost 14 million"),
    ];
    answers.extend(keys("q"));
    let transcript = reviewed(&repo, only(&id), answers);
    insta::assert_snapshot!(stable(&transcript), @r#"

    ━━ 1/1 ━━ tgidz5nixu · corroborated · published ━━
                “The bridge cost 40 million.”
      Sources   2 (2 independent supporting origins)
    ┌──────────┬───────────┬───────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN    ┆ URL                   │
    ╞══════════╪═══════════╪═══════════╪═══════════════════════╡
    │ supports ┆ One Daily ┆ One Daily ┆ https://one.example/a │
    │ supports ┆ Two Times ┆ Two Times ┆ https://two.example/b │
    └──────────┴───────────┴───────────┴───────────────────────┘
      Verdict   corroborated · published
      Recent    2026-03-01 09:00 Ana Ruiz: moved unverified → sourced
                2026-03-01 09:00 Ana Ruiz: moved sourced → corroborated
                2026-03-01 09:00 Ana Ruiz: added supporting source (One Daily)
                2026-03-01 09:00 Ana Ruiz: added supporting source (Two Times)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('m')
      Blocked   disputed: needs at least 1 contradicting source; has 0
    ? Move tgidz5nixu from corroborated to (Esc cancels)
        unverified (back; retracts what was published; asks a note)
        sourced (back; retracts what was published; asks a note)
      > Pick("unverified")
    ? The correction, published with the retraction (Enter to cancel)
      > Text("correction: it cost 14 million")
      ✓ Moved tgidz5nixu: corroborated → unverified (commit COMMIT)

    ━━ 1/1 ━━ tgidz5nixu · unverified ━━
                “The bridge cost 40 million.”
      Sources   2 (2 independent supporting origins)
    ┌──────────┬───────────┬───────────┬───────────────────────┐
    │ STANCE   ┆ PUBLISHER ┆ ORIGIN    ┆ URL                   │
    ╞══════════╪═══════════╪═══════════╪═══════════════════════╡
    │ supports ┆ One Daily ┆ One Daily ┆ https://one.example/a │
    │ supports ┆ Two Times ┆ Two Times ┆ https://two.example/b │
    └──────────┴───────────┴───────────┴───────────────────────┘
      Next      sourced: the evidence is there; m walks through the checklist
                checklist 0/5: ·provenance ·source ·date ·location ·motivation
      Recent    TIME Ana Ruiz: moved corroborated → unverified (correction: it cost 14 million)
                2026-03-01 09:00 Ana Ruiz: moved unverified → sourced
                2026-03-01 09:00 Ana Ruiz: moved sourced → corroborated
                2026-03-01 09:00 Ana Ruiz: added supporting source (One Daily)
    s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help
    ? [1/1] Action [s,m,n,p,e,d,j,k,q,?]?
      > Key('q')

    Reviewed 1 of 1 claim; 1 commit.
      moved      tgidz5nixu  corroborated → unverified
    "#);
    let record = repo.read_record(&id);
    assert!(record.contains("published = false"), "{record}");
    assert!(record.contains("[history.retracted]"), "{record}");
    repo.ok(&["check"]);
    assert_eq!(repo.status(), "");
}

#[test]
fn terminal_dismissing_a_claim_commits_it_and_it_leaves_the_queue() {
    let repo = Repo::new();
    let opinion = repo.add("Critics argue the plan reflects a troubling disregard for norms.");
    let commits = repo.commit_count();
    let mut session = terminal(&repo, &[&opinion]);
    session
        .exp_string("[1/1] Action [s,m,n,p,e,d,j,k,q,?]?")
        .unwrap();
    press(&mut session, "d");
    session
        .exp_string(&format!("Dismiss {opinion} as"))
        .unwrap();
    session.exp_string("not check-worthy").unwrap();
    // The first reason is highlighted: Enter takes it.
    session.send_line("").unwrap();
    session.exp_string("Note (Enter to leave out)").unwrap();
    session
        .send_line("An opinion, not a checkable claim")
        .unwrap();
    session
        .exp_string(&format!("Dismissed {opinion} (not-check-worthy)"))
        .unwrap();
    let rest = session.exp_eof().unwrap();
    assert_eq!(exit_code(&session), 0, "{rest}");
    assert_eq!(repo.commit_count(), commits + 1);
    insta::assert_snapshot!(last_message(&repo), @"
    Dismiss pxfa5omqip (not-check-worthy): Critics argue the plan reflects a troubling disre…

    An opinion, not a checkable claim

    Claim-Id: pxfa5omqip
    Claim-Action: dismiss
    ");
    let record = repo.read_record(&opinion);
    assert!(record.contains("not-check-worthy"), "{record}");
    assert!(
        record.contains("An opinion, not a checkable claim"),
        "{record}"
    );
    assert_eq!(repo.status(), "");
    // Out of the queue and of the list, still known to show.
    let again = reviewed(&repo, Args::default(), keys("q"));
    assert!(!again.contains(&opinion), "{again}");
    insta::assert_snapshot!(repo.sees(&["list"]), @"
    no claims match
    [exit status: 0]
    ");
    insta::assert_snapshot!(repo.sees(&["show", &opinion]), @"
    ┌───────────┬───────────────────────────────────────────────────────────────────────────────────────────────────────────┐
    │           ┆ pxfa5omqip                                                                                                │
    ╞═══════════╪═══════════════════════════════════════════════════════════════════════════════════════════════════════════╡
    │ Claim     ┆ Critics argue the plan reflects a troubling disregard for norms.                                          │
    │ State     ┆ unverified                                                                                                │
    │ Dismissed ┆ not-check-worthy by Ana Ruiz <ana@example.org> at 2026-03-01T09:00:00Z; An opinion, not a checkable claim │
    │ Created   ┆ 2026-03-01T09:00:00Z                                                                                      │
    └───────────┴───────────────────────────────────────────────────────────────────────────────────────────────────────────┘

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
    repo.ok(&["audit"]);
}
