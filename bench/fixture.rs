//! Writes a `git fast-import` stream for a claims repository of N claims and M tool-shaped
//! commits, built from the real record type so the fixture is what the tool would have made:
//!
//!     cargo run --release --example fixture -- N M | git fast-import --quiet
//!
//! The first commits create the claims in batches (as `claims extract` does); the remaining
//! commits each change one claim: a source, a transition with its trailers, publication of a
//! corroborated claim with a fact-check url, or a note. One claim in ten is contradicted and
//! disputed instead.
//! Deterministic: the same N and M give the same repository.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};

use claims::domain::record::{Note, Record, Source, Stance};
use claims::domain::state::State;
use claims::domain::workflow::{Confirmations, MoveRequest, apply_move};
use claims::domain::{ClaimId, Policy};
use jiff::Timestamp;

const CREATE_BATCH: usize = 1_000;
const REVIEWER: &str = "Bench Reviewer <bench@example.org>";

/// A small deterministic generator (SplitMix64), so fixtures are reproducible.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

struct Stream<W: Write> {
    out: W,
    commits: usize,
    clock: i64,
}

impl<W: Write> Stream<W> {
    fn commit(&mut self, message: &str, files: &[&Record]) -> io::Result<()> {
        self.commits += 1;
        self.clock += 60;
        writeln!(self.out, "commit refs/heads/main")?;
        writeln!(self.out, "mark :{}", self.commits)?;
        writeln!(self.out, "author {REVIEWER} {} +0000", self.clock)?;
        writeln!(self.out, "committer {REVIEWER} {} +0000", self.clock)?;
        writeln!(self.out, "data {}\n{message}", message.len())?;
        if self.commits > 1 {
            writeln!(self.out, "from :{}", self.commits - 1)?;
        }
        for record in files {
            let text = record.to_toml();
            writeln!(self.out, "M 100644 inline {}", record.id.record_path())?;
            writeln!(self.out, "data {}\n{text}", text.len())?;
        }
        writeln!(self.out)
    }

    fn at(&self) -> Timestamp {
        Timestamp::from_second(self.clock + 60).expect("fixture times are in range")
    }
}

/// The k-th source of claim n, from an origin of its own.
fn source(n: usize, k: usize, stance: Stance, at: Timestamp) -> Source {
    Source {
        publisher: Some(format!("Outlet {}", (n + k) % 50)),
        origin: Some(format!("Origin {n}-{k}")),
        excerpt: Some("The figure was confirmed by the ministry.".into()),
        accessed: Some(at),
        added_by: Some(REVIEWER.into()),
        ..Source::at_url(
            &format!("https://outlet{}.example/{n}/{k}", (n + k) % 50),
            stance,
        )
    }
}

fn main() -> io::Result<()> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("usage: fixture N M (numbers)"))
        .collect();
    let (claims, commits) = match args[..] {
        [n, m] => (n, m),
        _ => (100_000, 100_000),
    };
    let policy = Policy::default();
    let mut random = Random(0x5eed);
    let mut stream = Stream {
        out: BufWriter::with_capacity(1 << 20, io::stdout().lock()),
        commits: 0,
        clock: 1_767_225_600, // 2026-01-01
    };
    let mut records: BTreeMap<usize, Record> = BTreeMap::new();

    let topics = [
        "extraditions",
        "deaths",
        "tariffs",
        "troops",
        "overdoses",
        "seizures",
    ];
    for start in (0..claims).step_by(CREATE_BATCH) {
        let batch: Vec<usize> = (start..(start + CREATE_BATCH).min(claims)).collect();
        for &n in &batch {
            let text = format!(
                "Claim {n}: officials reported {} {} in region {} during {}.",
                random.below(100_000),
                topics[n % topics.len()],
                random.below(500),
                2000 + random.below(26)
            );
            let mut record = Record::new(text, stream.at());
            record.claimant = Some(format!("Official {}", random.below(1000)));
            records.insert(n, record);
        }
        let mut message = format!("Extract {} claims\n\n", batch.len());
        for &n in &batch {
            message.push_str(&format!("Claim-Id: {}\n", records[&n].id));
        }
        message.push_str("Claim-Action: extract\n");
        let files: Vec<&Record> = batch.iter().map(|n| &records[n]).collect();
        stream.commit(&message, &files)?;
    }

    while stream.commits < commits.max(1) && !records.is_empty() {
        let n = random.below(claims);
        let at = stream.at();
        let record = records.get_mut(&n).expect("every claim number exists");
        let id: ClaimId = record.id.clone();
        let contested = n % 10 == 7;
        let (subject, action, moved) = match (record.state, record.supporting().count()) {
            (State::Unverified, _)
                if contested && record.standing_contradictions().count() == 0 =>
            {
                record
                    .sources
                    .push(source(n, record.sources.len(), Stance::Contradicts, at));
                (format!("Add contradicts source to {id}"), "source", None)
            }
            (State::Unverified, _) if contested => {
                let request = MoveRequest {
                    to: State::Disputed,
                    note: Some("The official record differs.".into()),
                    confirmations: Confirmations::all(),
                    unpublish: false,
                };
                *record = apply_move(record, &request, &policy, REVIEWER, at);
                let moved = (State::Unverified, State::Disputed);
                (
                    format!("Move {id} from unverified to disputed"),
                    "transition",
                    Some(moved),
                )
            }
            (State::Unverified, 0) | (State::Sourced, 1) => {
                record
                    .sources
                    .push(source(n, record.sources.len(), Stance::Supports, at));
                (format!("Add supports source to {id}"), "source", None)
            }
            (State::Unverified | State::Sourced, _) => {
                let to = if record.state == State::Unverified {
                    State::Sourced
                } else {
                    State::Corroborated
                };
                let request = MoveRequest {
                    to,
                    note: None,
                    confirmations: Confirmations::all(),
                    unpublish: false,
                };
                let from = record.state;
                *record = apply_move(record, &request, &policy, REVIEWER, at);
                (
                    format!("Move {id} from {from} to {to}"),
                    "transition",
                    Some((from, to)),
                )
            }
            (State::Corroborated, _) if !record.published => {
                record.published = true;
                record.published_url = Some(format!("https://factcheck.example/2026/{id}"));
                (format!("Publish {id}"), "publish", None)
            }
            _ => {
                record.notes.push(Note {
                    at,
                    by: REVIEWER.into(),
                    text: format!("Follow-up {} on this claim.", record.notes.len() + 1),
                });
                (format!("Note on {id}"), "note", None)
            }
        };
        let mut message = format!("{subject}\n\nClaim-Id: {id}\nClaim-Action: {action}\n");
        if let Some((from, to)) = moved {
            message.push_str(&format!("Claim-From: {from}\nClaim-To: {to}\n"));
        }
        let record = &records[&n];
        stream.commit(&message, &[record])?;
    }
    stream.out.flush()
}
