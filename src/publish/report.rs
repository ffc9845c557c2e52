//! What the report says, ready for a template: counts per state, published claims with their
//! evidence, disputed claims with what contradicts them, the latest moves, and the chart.

use jiff::Timestamp;
use serde::Serialize;

use super::chart::state_chart;
use super::timeline::DayCounts;
use super::web_link;
use crate::domain::record::{Record, Source, Transition};
use crate::domain::state::State;

/// How many of the latest moves the report lists.
pub const RECENT_MOVES: usize = 20;

#[derive(Debug, Serialize)]
pub struct Report {
    /// The organisation's name, when `claims.toml` gives one.
    pub organization: Option<String>,
    pub generated: String,
    pub total: usize,
    pub counts: Vec<StateCount>,
    pub published: Vec<ClaimEntry>,
    pub disputed: Vec<ClaimEntry>,
    pub recent_moves: Vec<Move>,
    /// The state counts over time as SVG markup made by the tool (no record values in it),
    /// for a template to insert with `|safe`.
    pub chart: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct StateCount {
    pub state: State,
    pub count: usize,
}

#[derive(Debug, Serialize)]
pub struct ClaimEntry {
    pub id: String,
    pub text: String,
    pub state: State,
    pub claimant: Option<String>,
    /// The published fact-check, when it is a web address.
    pub url: Option<String>,
    pub origins: usize,
    pub supporting: Vec<SourceEntry>,
    /// Contradicting sources that still stand.
    pub contradicting: Vec<SourceEntry>,
}

#[derive(Debug, Serialize)]
pub struct SourceEntry {
    pub url: String,
    /// `url` when it is safe to follow (http or https).
    pub link: Option<String>,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub origin: Option<String>,
    pub excerpt: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Move {
    pub id: String,
    pub text: String,
    pub from: State,
    pub to: State,
    pub at: String,
    pub by: String,
    pub note: Option<String>,
}

impl Report {
    /// The report over `records` (in the order they should be listed), with the history's
    /// daily counts for the chart.
    pub fn build(
        records: &[Record],
        days: &[DayCounts],
        organization: Option<&str>,
        generated: Timestamp,
    ) -> Report {
        let counts = State::ALL
            .into_iter()
            .map(|state| StateCount {
                state,
                count: records.iter().filter(|r| r.state == state).count(),
            })
            .collect();
        let mut moves: Vec<(&Record, usize, &Transition)> = records
            .iter()
            .flat_map(|record| {
                let steps = record.history.iter().enumerate();
                steps.map(move |(step, t)| (record, step, t))
            })
            .collect();
        // Newest first; a claim's later step first when two moves share a second.
        moves.sort_by(|a, b| (b.2.at, &b.0.id, b.1).cmp(&(a.2.at, &a.0.id, a.1)));
        Report {
            organization: organization.map(str::to_string),
            generated: minute(generated),
            total: records.len(),
            counts,
            published: records
                .iter()
                .filter(|r| r.published)
                .map(ClaimEntry::of)
                .collect(),
            disputed: records
                .iter()
                .filter(|r| r.state == State::Disputed)
                .map(ClaimEntry::of)
                .collect(),
            recent_moves: moves
                .into_iter()
                .take(RECENT_MOVES)
                .map(|(record, _, t)| Move {
                    id: record.id.to_string(),
                    text: record.text.clone(),
                    from: t.from,
                    to: t.to,
                    at: minute(t.at),
                    by: t.by.clone(),
                    note: t.note.clone(),
                })
                .collect(),
            chart: state_chart(days),
        }
    }
}

impl ClaimEntry {
    fn of(record: &Record) -> ClaimEntry {
        ClaimEntry {
            id: record.id.to_string(),
            text: record.text.clone(),
            state: record.state,
            claimant: record.claimant.clone(),
            url: record.published_url.as_deref().and_then(web_link),
            origins: record.supporting_origins().len(),
            supporting: record.supporting().map(SourceEntry::of).collect(),
            contradicting: record
                .standing_contradictions()
                .map(SourceEntry::of)
                .collect(),
        }
    }
}

impl SourceEntry {
    fn of(source: &Source) -> SourceEntry {
        SourceEntry {
            url: source.key().to_string(),
            link: source.url.as_deref().and_then(web_link),
            title: source.title.clone(),
            publisher: source.publisher.clone(),
            origin: source.origin.clone(),
            excerpt: source.excerpt.clone(),
        }
    }
}

/// A time as a reader scans it: UTC, to the minute.
fn minute(at: Timestamp) -> String {
    at.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::Stance;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn source(url: &str, stance: Stance) -> Source {
        Source {
            publisher: Some(url.into()),
            ..Source::at_url(url, stance)
        }
    }

    #[test]
    fn report_counts_lists_and_orders_the_latest_moves_first() {
        let mut published = Record::new("Published claim.".into(), at("2026-01-01T00:00:00Z"));
        published.state = State::Corroborated;
        published.published = true;
        published.published_url = Some("https://verifica.example/a".into());
        published.sources = vec![
            source("https://one.example/a", Stance::Supports),
            source("javascript:alert(1)", Stance::Supports),
        ];
        let mut disputed = Record::new("Disputed claim.".into(), at("2026-01-01T00:00:00Z"));
        disputed.state = State::Disputed;
        disputed.sources = vec![source("https://three.example/c", Stance::Contradicts)];
        for (record, to, when) in [
            (&mut published, State::Corroborated, "2026-01-02T00:00:00Z"),
            (&mut disputed, State::Disputed, "2026-01-03T00:00:00Z"),
        ] {
            record.history.push(Transition {
                from: State::Sourced,
                to,
                at: at(when),
                by: "Ana".into(),
                note: None,
                retracted: None,
            });
        }
        let open = Record::new("Open claim.".into(), at("2026-01-01T00:00:00Z"));
        let records = [published, disputed, open];
        let report = Report::build(&records, &[], Some("Verifica"), at("2026-01-04T12:34:56Z"));
        assert_eq!(report.total, 3);
        let counts: Vec<usize> = report.counts.iter().map(|c| c.count).collect();
        assert_eq!(counts, [1, 0, 1, 1]);
        assert_eq!(report.published.len(), 1);
        assert_eq!(report.published[0].supporting.len(), 2);
        assert_eq!(report.published[0].supporting[1].link, None);
        assert_eq!(report.disputed[0].contradicting.len(), 1);
        assert_eq!(report.recent_moves[0].to, State::Disputed);
        assert_eq!(report.generated, "2026-01-04 12:34 UTC");
        assert_eq!(report.chart, None);
    }
}
