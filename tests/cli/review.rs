//! `claims review`: scripted prompts drive the review in this process, one test per action
//! and per refusal; three tests drive the real binary in a pseudo-terminal.

use std::sync::Once;

use claims::cli::CommandError;
use claims::cli::review::{self, Args, Summary};
use claims::engine::Engine;
use claims::store::Store;
use claims::ui::{Answer, Ui};
use rexpect::process::WaitStatus;
use rexpect::session::{PtySession, spawn_command};

use crate::harness::{REVIEWER, Repo, stderr};

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
    assert!(
        transcript.contains("[1/2] Action [s,m,n,p,e,d,j,k,q,?]?"),
        "{transcript}"
    );
    assert!(
        transcript.contains("That was the last claim"),
        "{transcript}"
    );
    assert!(
        transcript.contains("Reviewed 2 of 2 claims; nothing changed."),
        "{transcript}"
    );
    assert_eq!(repo.commit_count(), commits);

    let narrowed = reviewed(
        &repo,
        Args {
            states: vec!["corroborated".parse().unwrap()],
            ..Args::default()
        },
        keys("q"),
    );
    assert!(narrowed.contains(&format!("1/1 ━━ {done}")), "{narrowed}");
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
    for shown in [
        "“55 people were extradited.”",
        "Claimant  The minister",
        "Tags      mexico",
        "Appeared  seeds/a.txt:2",
        "“The minister said 55 people were extradited.”",
        "Sources   1 (1 independent supporting origin)",
        "STANCE",
        "supports",
        "One Daily",
        "NBC News",
        "Next      sourced: the evidence is there",
        "checklist 0/5: ·provenance ·source ·date ·location ·motivation",
        "Recent",
        "Ana Ruiz: note: Called the ministry.",
        "Ana Ruiz: added supporting source (NBC News)",
        "s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help",
    ] {
        assert!(card.contains(shown), "missing {shown:?} in:\n{card}");
    }
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

    assert!(
        transcript.contains("? Origin: who first reported it? [One Daily]"),
        "{transcript}"
    );
    assert!(
        transcript.contains("? Origin: who first reported it? [two.example]"),
        "{transcript}"
    );
    assert!(
        transcript.contains("✓ Added a supporting source; 1 independent supporting origin now"),
        "{transcript}"
    );
    let record = repo.read_record(&id);
    assert!(record.contains("origin = \"One Daily\""), "{record}");
    assert!(record.contains("excerpt = \"The passage.\""), "{record}");
    assert!(record.contains("origin = \"two.example\""), "{record}");
    assert!(record.contains("stance = \"contradicts\""), "{record}");
    assert_eq!(repo.commit_count(), commits + 2);
    assert!(last_message(&repo).contains("Claim-Action: source"));
    assert_eq!(repo.status(), "");
    assert!(
        transcript.contains(&format!("sourced    {id}  +2 sources")),
        "{transcript}"
    );
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
    assert!(
        transcript.contains(
            "1 independent supporting origin now (its origin, one.example, was already there)"
        ),
        "{transcript}"
    );
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
    assert!(
        transcript.contains("sources must be http or https"),
        "{transcript}"
    );
    assert!(
        transcript.contains("is already a source of"),
        "{transcript}"
    );
    assert!(
        transcript.contains("no source added: nothing changed"),
        "{transcript}"
    );
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

    assert!(
        transcript.contains("sourced (asks 5 checklist items)"),
        "{transcript}"
    );
    for (i, item) in ["Provenance", "Source", "Date", "Location", "Motivation"]
        .iter()
        .enumerate()
    {
        assert!(
            transcript.contains(&format!("? [{}/5] {item}: ", i + 1)),
            "{transcript}"
        );
    }
    let record = repo.read_record(&id);
    assert!(record.contains("state = \"sourced\""), "{record}");
    for item in ["provenance", "source", "date", "location", "motivation"] {
        assert!(record.contains(&format!("{item} = true")), "{record}");
    }
    assert_eq!(repo.commit_count(), commits + 1);
    let message = last_message(&repo);
    for trailer in [
        "Claim-Action: transition",
        "Claim-From: unverified",
        "Claim-To: sourced",
    ] {
        assert!(message.contains(trailer), "{message}");
    }
    // After the move the card shows the claim as it now is; j moved on and ended the queue.
    assert!(
        transcript.contains(&format!("1/1 ━━ {id} · sourced")),
        "{transcript}"
    );
    assert!(
        transcript.contains("That was the last claim"),
        "{transcript}"
    );
    assert!(
        transcript.contains(&format!("moved      {id}  unverified → sourced")),
        "{transcript}"
    );
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
    assert!(
        transcript.contains("? [1/2] Independence: "),
        "{transcript}"
    );
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
    assert!(
        transcript.contains("Blocked   sourced: needs at least 1 supporting source; has 0"),
        "{transcript}"
    );
    assert!(
        transcript.contains("No move is possible yet"),
        "{transcript}"
    );

    let transcript = reviewed(
        &repo,
        only(&sourced),
        [Answer::Key('m'), Answer::Cancel, Answer::Key('q')],
    );
    assert!(
        transcript.contains(
            "Blocked   corroborated: needs supporting sources from at least 2 independent origins"
        ),
        "{transcript}"
    );
    assert!(
        transcript.contains("          disputed: needs at least 1 contradicting source"),
        "{transcript}"
    );
    assert!(
        transcript.contains("not moved: nothing changed"),
        "{transcript}"
    );

    // A blocked state is not among the choices at all.
    let (result, transcript) = scripted(
        &repo,
        only(&sourced),
        [Answer::Key('m'), Answer::pick("corroborated")],
    );
    let error = result.expect_err(&transcript);
    assert!(error.to_string().contains("not among"), "{error}");
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
    assert!(
        transcript.contains(
            "Not moved: every item of the sourced checklist must be confirmed, and 'date' is not."
        ),
        "{transcript}"
    );
    assert!(
        transcript.contains("Answers kept: 2 confirmed, 'date' not; it is asked again next time"),
        "{transcript}"
    );
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
    assert!(transcript.contains("? [1/3] Date: "), "{transcript}");
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
    assert!(
        transcript.contains("not moved, a note is needed: nothing changed"),
        "{transcript}"
    );
    let record = repo.read_record(&id);
    assert!(record.contains("state = \"disputed\""), "{record}");
    assert!(record.contains("note = \"The ministry's figures show 12, not 55.\""));
    assert_eq!(repo.commit_count(), commits + 1);
    assert!(last_message(&repo).contains("The ministry's figures show 12, not 55."));
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
    assert!(
        transcript.contains("no note added: nothing changed"),
        "{transcript}"
    );
    assert!(
        transcript.contains("✓ Note added (1 in all)"),
        "{transcript}"
    );
    assert_eq!(repo.commit_count(), commits + 1);
    assert!(last_message(&repo).contains("Claim-Action: note"));
    assert!(transcript.contains(&format!("noted      {id}  +1 note")));
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
    assert!(
        transcript.contains("Only a corroborated claim is published from here"),
        "{transcript}"
    );
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
    assert!(last_message(&repo).contains("Claim-Action: publish"));
    assert!(
        transcript.contains(&format!("published  {id}")),
        "{transcript}"
    );

    let transcript = reviewed(&repo, only(&id), keys("pq"));
    assert!(transcript.contains("is already published"), "{transcript}");
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

    assert!(
        transcript.contains(&format!("The id stays {id}, even if the text changes")),
        "{transcript}"
    );
    assert!(transcript.contains("Cannot read the edit"), "{transcript}");
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
    let message = last_message(&repo);
    assert!(message.contains("Claim-Action: edit"), "{message}");
    assert!(
        message.contains("Was: Mexico extradited 55 peple."),
        "{message}"
    );
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
    assert!(
        transcript.contains("edit cancelled: nothing changed"),
        "{transcript}"
    );
    assert!(
        transcript.contains(&format!("error: {id} is unchanged")),
        "{transcript}"
    );
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
    assert!(transcript.contains("error: "), "{transcript}");
    assert!(transcript.contains("hint: commit the edit"), "{transcript}");
    assert!(transcript.contains("Reviewed 1 of 1 claim; nothing changed."));
    assert_eq!(repo.commit_count(), commits);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
}

#[test]
fn back_skip_help_and_unknown_keys() {
    let repo = Repo::new();
    let first = repo.add("The first claim.");
    repo.add("The second claim.");
    let transcript = reviewed(&repo, Args::default(), keys("kjkx?q"));
    assert!(
        transcript.contains("This is the first claim."),
        "{transcript}"
    );
    assert_eq!(
        transcript.matches(&format!("1/2 ━━ {first}")).count(),
        2,
        "{transcript}"
    );
    assert!(transcript.contains("'x' is not an action"), "{transcript}");
    assert!(
        transcript.contains("the id stays the same, since ids are minted"),
        "{transcript}"
    );
    assert!(
        transcript.contains("Reviewed 2 of 2 claims; nothing changed."),
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
    assert!(transcript.contains("Interrupted. Every change you confirmed is committed"));
    assert!(
        transcript.contains(&format!("noted      {id}  +1 note")),
        "{transcript}"
    );
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
    assert!(transcript.contains("Nothing to review"), "{transcript}");
}

#[test]
fn without_a_terminal_review_exits_2_and_names_the_one_shot_commands() {
    let repo = Repo::new();
    repo.add("A claim.");
    for args in [&["review"][..], &["review", "--no-input"]] {
        let output = repo.fails(args, 2);
        let message = stderr(&output);
        for command in [
            "claims source add",
            "claims mark",
            "claims note",
            "claims publish",
        ] {
            assert!(message.contains(command), "{message}");
        }
    }
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
    let refused = repo.fails(&["mark", &id, "sourced", "--check", "date"], 1);
    assert!(
        stderr(&refused).contains("the sourced checklist is not confirmed: location, motivation"),
        "{}",
        stderr(&refused)
    );
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
    assert!(
        transcript.contains(&format!("✓ Dismissed {duplicate} as a duplicate of {kept}")),
        "{transcript}"
    );
    assert!(
        transcript.contains("type another, or Enter to cancel"),
        "{transcript}"
    );
    // The review went on to the next claim: the kept one.
    assert!(
        transcript.contains(&format!("2/2 ━━ {kept}")),
        "{transcript}"
    );
    let message = last_message(&repo);
    assert!(
        message.contains(&format!(
            "Claim-Id: {duplicate}\nClaim-Id: {kept}\nClaim-Action: dismiss"
        )),
        "{message}"
    );
    assert_eq!(repo.status(), "");

    let again = reviewed(&repo, Args::default(), keys("q"));
    assert!(!again.contains(&duplicate), "{again}");
    assert!(again.contains(&format!("1/1 ━━ {kept}")), "{again}");
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
    assert!(
        transcript.contains("unverified (back; retracts what was published; asks a note)"),
        "{transcript}"
    );
    assert!(
        transcript.contains("The correction, published with the retraction"),
        "{transcript}"
    );
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
    let message = last_message(&repo);
    assert!(message.contains("Claim-Action: dismiss"), "{message}");
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
    assert!(!repo.ok(&["list"]).contains(&opinion));
    assert!(repo.ok(&["show", &opinion]).contains(&opinion));
    repo.ok(&["audit"]);
}
