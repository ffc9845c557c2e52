//! `claims review`: step through a queue of claims at the terminal, one card per claim, and
//! act on each with one key. Every action goes through the same engine as the one-shot
//! commands and is committed as soon as it is confirmed, so quitting at any point loses
//! nothing and leaves nothing half-done.

mod actions;
mod card;
mod interrupt;

use std::io::{self, Write};

use crate::domain::id::ClaimId;
use crate::domain::record::Stance;
use crate::domain::state::State;
use crate::engine::Engine;
use crate::ui::Ui;

use super::{CommandError, CommandErrorKind, Globals, short_id};

/// Review claims one by one: read, attach sources, confirm checklists, move them on
///
/// Shows a card per claim (the claim, where it appeared, its sources, the checklist for its
/// next state, recent history) and acts on it with one key: s add a source, m move (walks
/// through the target state's checklist), n add a note, p publish, e edit text, claimant and
/// tags in $EDITOR, d dismiss, j next, k back, q quit, ? help. Editing keeps the id: ids are minted once,
/// when a claim is recorded. Every action is committed at once, with the same guards and
/// trailers as the one-shot commands; Ctrl-C exits with code 130 and loses nothing.
///
/// The queue holds the claims not yet corroborated or disputed and not dismissed, oldest
/// first; --state and ids narrow it (ids alone may name claims in any state, dismissed too). Needs a terminal: without one, use
/// claims source add, claims mark, claims note and claims publish.
#[derive(Debug, Default, clap::Args)]
#[command(after_help = "Examples:\n  \
    claims review\n  \
    claims review --state sourced\n  \
    claims review abcd efgh")]
pub struct Args {
    /// Only claims in this state (repeatable) [default: unverified and sourced]
    #[arg(long = "state", value_name = "STATE")]
    pub states: Vec<State>,
    /// Only these claims (4 or more characters of each id)
    #[arg(value_name = "ID")]
    pub ids: Vec<String>,
}

pub fn run(args: Args, globals: &Globals, ui: &mut Ui) -> Result<(), CommandError> {
    if !ui.interactive {
        return Err(CommandError::usage(
            "claims review asks questions, and there is no terminal to ask them on",
        )
        .with_hint(
            "without a terminal (or with --no-input) use the one-shot commands: \
             claims source add, claims mark, claims note, claims publish",
        ));
    }
    let store = globals.open_store(ui)?;
    let engine = globals.engine(&store, ui)?;
    interrupt::install()?;
    review(&engine, &args, ui).map(drop)
}

/// What a review did, for the summary at its end.
#[derive(Debug, Default)]
pub struct Summary {
    /// Claims whose card was shown, in the order first shown.
    pub reviewed: Vec<ClaimId>,
    /// The size of the queue.
    pub queued: usize,
    pub moved: Vec<(ClaimId, State, State)>,
    /// One entry per source added.
    pub sourced: Vec<ClaimId>,
    pub noted: Vec<ClaimId>,
    pub published: Vec<ClaimId>,
    pub edited: Vec<ClaimId>,
    pub dismissed: Vec<ClaimId>,
}

impl Summary {
    pub fn commits(&self) -> usize {
        self.moved.len()
            + self.sourced.len()
            + self.noted.len()
            + self.published.len()
            + self.edited.len()
            + self.dismissed.len()
    }

    fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        write!(
            out,
            "\nReviewed {} of {} claim{}",
            self.reviewed.len(),
            self.queued,
            plural(self.queued)
        )?;
        match self.commits() {
            0 => writeln!(out, "; nothing changed.")?,
            1 => writeln!(out, "; 1 commit.")?,
            n => writeln!(out, "; {n} commits.")?,
        }
        for (id, from, to) in &self.moved {
            writeln!(out, "  moved      {id}  {from} → {to}")?;
        }
        // Sources and notes are counted per claim; publishing and editing are not.
        let per_claim: [(&str, &[ClaimId], Option<&str>); 5] = [
            ("sourced", &self.sourced, Some("source")),
            ("noted", &self.noted, Some("note")),
            ("published", &self.published, None),
            ("edited", &self.edited, None),
            ("dismissed", &self.dismissed, None),
        ];
        for (label, ids, unit) in per_claim {
            let mut seen: Vec<&ClaimId> = Vec::new();
            for id in ids {
                if seen.contains(&id) {
                    continue;
                }
                seen.push(id);
                let n = ids.iter().filter(|i| *i == id).count();
                match unit {
                    None => writeln!(out, "  {label:<10} {id}")?,
                    Some(unit) => writeln!(out, "  {label:<10} {id}  +{n} {unit}{}", plural(n))?,
                }
            }
        }
        Ok(())
    }
}

/// Runs the review of the queue that `args` selects, answering prompts through `ui`.
pub fn review(engine: &Engine<'_>, args: &Args, ui: &mut Ui) -> Result<Summary, CommandError> {
    let queue = queue(engine, args, ui)?;
    let mut summary = Summary {
        queued: queue.len(),
        ..Summary::default()
    };
    if queue.is_empty() {
        writeln!(ui.out(), "Nothing to review: no claim matches.")?;
        writeln!(
            ui.out(),
            "`claims list` shows every claim; `claims review --state corroborated` reviews the \
             corroborated ones (to publish them)."
        )?;
        return Ok(summary);
    }
    let stopped = Session {
        engine,
        queue: &queue,
        summary: &mut summary,
    }
    .run(ui);
    match stopped {
        Ok(()) => {
            summary.write(ui.out())?;
            Ok(summary)
        }
        Err(error) => {
            let interrupted = error.kind() == io::ErrorKind::Interrupted;
            if interrupted {
                // Ctrl-C inside a prompt leaves the cursor hidden.
                let _ = console::Term::stderr().show_cursor();
            }
            let _ = writeln!(
                ui.out(),
                "\n{}. Every change you confirmed is committed; nothing is half-done.",
                if interrupted {
                    "Interrupted"
                } else {
                    "Stopped"
                }
            );
            let _ = summary.write(ui.out());
            let _ = ui.out().flush();
            Err(if interrupted {
                CommandError::answered(CommandErrorKind::Interrupted)
            } else {
                CommandError::with_message(
                    CommandErrorKind::User,
                    "cannot go on with the review",
                    error,
                )
            })
        }
    }
}

/// The claims to review, oldest first.
fn queue(engine: &Engine<'_>, args: &Args, ui: &mut Ui) -> Result<Vec<ClaimId>, CommandError> {
    let store = engine.store;
    let named = args
        .ids
        .iter()
        .map(|prefix| store.resolve(prefix))
        .collect::<Result<Vec<ClaimId>, _>>()?;
    let states: &[State] = match (&args.states[..], named.is_empty()) {
        ([], true) => &[State::Unverified, State::Sourced],
        ([], false) => &State::ALL,
        (states, _) => states,
    };
    let mut records = Vec::new();
    for (_, parsed) in store.load_all()? {
        match parsed {
            Ok(record) => records.push(record),
            Err(error) => ui.warn(&format!("skipped {error}")),
        }
    }
    // A claim named on the command line is reviewed even when dismissed: that is asking
    // for it; the queue otherwise leaves dismissed claims out.
    records.retain(|r| {
        states.contains(&r.state)
            && match named.is_empty() {
                true => !r.is_dismissed(),
                false => named.contains(&r.id),
            }
    });
    records.sort_by(|a, b| (a.created, &a.id).cmp(&(b.created, &b.id)));
    Ok(records.into_iter().map(|r| r.id).collect())
}

/// The state a claim normally goes to from `state`; `None` once it has a verdict.
fn next_state(state: State) -> Option<State> {
    match state {
        State::Unverified => Some(State::Sourced),
        State::Sourced => Some(State::Corroborated),
        State::Corroborated | State::Disputed => None,
    }
}

/// The "s" of "2 sources".
fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// "a supporting source", "a contradicting source".
fn kind_of_source(stance: Stance) -> &'static str {
    match stance {
        Stance::Supports => "supporting",
        Stance::Contradicts => "contradicting",
    }
}

/// What the session does after an action on the current claim.
enum Then {
    /// Show the claim again, as it now is.
    Refresh,
    /// Stay on the claim without showing it again.
    Stay,
    /// Go on to the next claim.
    Next,
}

/// The keys of the action line, and what each does.
const HELP_LINE: &str =
    "s source  m move  n note  p publish  e edit  d dismiss  j next  k back  q quit  ? help";

const HELP: &str =
    "  s  add a source: url, publisher, origin (who first reported it), stance, excerpt
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
  is; j moves on. Quitting, or Ctrl-C, loses nothing.";

struct Session<'a, 'e> {
    engine: &'a Engine<'e>,
    queue: &'a [ClaimId],
    summary: &'a mut Summary,
}

impl Session<'_, '_> {
    fn run(&mut self, ui: &mut Ui) -> io::Result<()> {
        let mut position = 0;
        let mut show = true;
        loop {
            let id = &self.queue[position];
            let record = match self.engine.store.read(id) {
                Ok(record) => record,
                Err(error) => {
                    writeln!(ui.out(), "\n{id}: cannot be read ({error}); skipped.")?;
                    match self.next(position, ui)? {
                        Some(next) => {
                            position = next;
                            show = true;
                            continue;
                        }
                        None => return Ok(()),
                    }
                }
            };
            if show {
                card::write(&record, &self.engine.policy, position, self.queue.len(), ui)?;
                writeln!(ui.out(), "{HELP_LINE}")?;
                if !self.summary.reviewed.contains(id) {
                    self.summary.reviewed.push(id.clone());
                }
            }
            let prompt = format!(
                "[{}/{}] Action [s,m,n,p,e,d,j,k,q,?]?",
                position + 1,
                self.queue.len()
            );
            let key = ui.prompt()?.key(&prompt)?;
            let then = match key.to_ascii_lowercase() {
                's' => actions::add_source(self.engine, &record, ui, self.summary)?,
                'm' => actions::move_claim(self.engine, &record, ui, self.summary)?,
                'n' => actions::add_note(self.engine, &record, ui, self.summary)?,
                'p' => actions::publish(self.engine, &record, ui, self.summary)?,
                'e' => actions::edit(self.engine, &record, ui, self.summary)?,
                'd' => actions::dismiss(self.engine, &record, ui, self.summary)?,
                'j' => Then::Next,
                'k' => {
                    if position == 0 {
                        writeln!(ui.out(), "This is the first claim.")?;
                        Then::Stay
                    } else {
                        position -= 1;
                        Then::Refresh
                    }
                }
                'q' => return Ok(()),
                '?' => {
                    writeln!(ui.out(), "{HELP}")?;
                    Then::Stay
                }
                other => {
                    writeln!(
                        ui.out(),
                        "'{}' is not an action: {HELP_LINE}",
                        other.escape_default()
                    )?;
                    Then::Stay
                }
            };
            show = !matches!(then, Then::Stay);
            if let Then::Next = then {
                match self.next(position, ui)? {
                    Some(next) => position = next,
                    None => return Ok(()),
                }
            }
        }
    }

    /// The position after `position`, or `None` past the end of the queue.
    fn next(&self, position: usize, ui: &mut Ui) -> io::Result<Option<usize>> {
        let next = position + 1;
        if next >= self.queue.len() {
            writeln!(ui.out(), "\nThat was the last claim in the queue.")?;
            return Ok(None);
        }
        Ok(Some(next))
    }
}
