//! What the history says over time, replayed from commit trailers alone: how many claims
//! stood in each state at the end of each day, and when each claim was last published.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::domain::state::State;
use crate::store::Change;

/// Claims per state at the end of one day (UTC), in the order of `State::ALL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayCounts {
    pub day: Date,
    pub counts: [usize; 4],
}

impl DayCounts {
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }
}

fn slot(state: State) -> usize {
    State::ALL
        .iter()
        .position(|&s| s == state)
        .expect("State::ALL lists every state")
}

fn day_of(at: Timestamp) -> Date {
    at.to_zoned(TimeZone::UTC).date()
}

/// Replays `changes` (in any order) into counts for every day from the first change to the
/// last. A claim enters as unverified when created or extracted and moves with each
/// transition; a claim first seen in a transition (created by hand) enters there.
pub fn daily_counts(changes: &[Change]) -> Vec<DayCounts> {
    let mut ordered: Vec<&Change> = changes.iter().collect();
    ordered.sort_by_key(|change| change.at);
    let mut states: HashMap<&str, State> = HashMap::new();
    let mut counts = [0; 4];
    let mut days: Vec<DayCounts> = Vec::new();
    for change in ordered {
        let trailers = &change.trailers;
        let next = match trailers.action.as_deref() {
            Some("create" | "extract") => None,
            Some("transition") => match trailers.to.as_deref().map(str::parse::<State>) {
                Some(Ok(to)) => Some(to),
                _ => continue,
            },
            _ => continue,
        };
        for id in &trailers.ids {
            match (states.get(id.as_str()).copied(), next) {
                (None, next) => {
                    let state = next.unwrap_or(State::Unverified);
                    states.insert(id, state);
                    counts[slot(state)] += 1;
                }
                (Some(from), Some(to)) => {
                    states.insert(id, to);
                    counts[slot(from)] -= 1;
                    counts[slot(to)] += 1;
                }
                // Created twice (a replayed or merged commit): already counted.
                (Some(_), None) => {}
            }
        }
        let day = day_of(change.at);
        if let Some(last) = days.last()
            && last.day < day
        {
            // The days without changes kept the counts of the day before.
            let kept = last.counts;
            let mut gap = last.day.tomorrow();
            while let Ok(quiet) = gap
                && quiet < day
            {
                days.push(DayCounts {
                    day: quiet,
                    counts: kept,
                });
                gap = quiet.tomorrow();
            }
        }
        match days.last_mut() {
            Some(last) if last.day == day => last.counts = counts,
            _ => days.push(DayCounts { day, counts }),
        }
    }
    days
}

/// When each claim was last published (or its publication changed), by claim id.
pub fn publication_times(changes: &[Change]) -> HashMap<String, Timestamp> {
    let mut times: HashMap<String, Timestamp> = HashMap::new();
    for change in changes {
        if change.trailers.action.as_deref() == Some("publish") {
            for id in &change.trailers.ids {
                let latest = times.entry(id.clone()).or_insert(change.at);
                *latest = (*latest).max(change.at);
            }
        }
    }
    times
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Trailers;

    fn change(at: &str, ids: &[&str], action: &str, to: Option<&str>) -> Change {
        Change {
            commit: git2::Oid::ZERO_SHA1,
            author: "Ana <ana@example.org>".into(),
            at: at.parse().unwrap(),
            subject: String::new(),
            body: String::new(),
            trailers: Trailers {
                ids: ids.iter().map(|id| id.to_string()).collect(),
                action: Some(action.into()),
                from: None,
                to: to.map(str::to_string),
                ..Trailers::default()
            },
        }
    }

    #[test]
    fn counts_follow_creations_and_moves_day_by_day() {
        let changes = [
            change(
                "2026-01-01T10:00:00Z",
                &["aaaa1111", "bbbb2222"],
                "extract",
                None,
            ),
            change("2026-01-01T11:00:00Z", &["aaaa1111"], "source", None),
            change(
                "2026-01-01T12:00:00Z",
                &["aaaa1111"],
                "transition",
                Some("sourced"),
            ),
            // A hand-made claim first seen when it moves.
            change(
                "2026-01-04T09:00:00Z",
                &["cccc3333"],
                "transition",
                Some("disputed"),
            ),
            change(
                "2026-01-04T10:00:00Z",
                &["aaaa1111"],
                "transition",
                Some("corroborated"),
            ),
        ];
        let days = daily_counts(&changes);
        let summary: Vec<(String, [usize; 4])> =
            days.iter().map(|d| (d.day.to_string(), d.counts)).collect();
        assert_eq!(
            summary,
            [
                ("2026-01-01".to_string(), [1, 1, 0, 0]),
                ("2026-01-02".to_string(), [1, 1, 0, 0]),
                ("2026-01-03".to_string(), [1, 1, 0, 0]),
                ("2026-01-04".to_string(), [1, 0, 1, 1]),
            ]
        );
        assert_eq!(days[3].total(), 3);
        assert_eq!(daily_counts(&[]), []);
    }

    #[test]
    fn the_latest_publish_commit_dates_a_publication() {
        let changes = [
            change("2026-01-02T00:00:00Z", &["aaaa1111"], "publish", None),
            change("2026-01-05T00:00:00Z", &["aaaa1111"], "publish", None),
            change("2026-01-06T00:00:00Z", &["aaaa1111"], "note", None),
        ];
        let times = publication_times(&changes);
        assert_eq!(times.len(), 1);
        assert_eq!(times["aaaa1111"], "2026-01-05T00:00:00Z".parse().unwrap());
    }
}
