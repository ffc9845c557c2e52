//! Checklist answers: each one a reviewer gives is kept with who gave it and when, a "no"
//! with its reason, so that the next attempt asks only what is unanswered or was answered no.

use jiff::Timestamp;

use super::policy::Policy;
use super::record::{ChecklistAnswer, Record};
use super::state::State;

/// One answer a reviewer gives to an item of a checklist a move needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Given {
    pub item: String,
    pub confirmed: bool,
    pub reason: Option<String>,
}

impl Given {
    pub fn yes(item: &str) -> Given {
        Given {
            item: item.to_string(),
            confirmed: true,
            reason: None,
        }
    }

    pub fn no(item: &str, reason: Option<&str>) -> Given {
        Given {
            item: item.to_string(),
            confirmed: false,
            reason: reason
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string),
        }
    }
}

/// Whether the record holds a confirmation of `item` in the `list` checklist.
pub fn is_confirmed(record: &Record, list: State, item: &str) -> bool {
    record
        .checklist
        .get(&list)
        .and_then(|answers| answers.get(item))
        == Some(&true)
}

/// The items of the checklists a move to `to` needs that are still to be asked: never
/// answered, or answered no. Each with the checklist it belongs to.
pub fn still_to_ask(record: &Record, to: State, policy: &Policy) -> Vec<(State, String)> {
    policy
        .checklists
        .required_for(to)
        .filter(|(list, item)| !is_confirmed(record, *list, &item.item))
        .map(|(list, item)| (list, item.item.clone()))
        .collect()
}

/// The record with `given` answers (to items of the checklists a move to `to` needs)
/// recorded: a yes becomes a confirmation in force, and every answer joins the record's
/// answers. Answers to items no such checklist has are left out.
pub fn record_answers(
    record: &Record,
    to: State,
    given: &[Given],
    policy: &Policy,
    by: &str,
    at: Timestamp,
) -> Record {
    let mut next = record.clone();
    for answer in given {
        let Some((list, _)) = policy
            .checklists
            .required_for(to)
            .find(|(_, item)| item.item == answer.item)
        else {
            continue;
        };
        if answer.confirmed {
            next.checklist
                .entry(list)
                .or_default()
                .insert(answer.item.clone(), true);
        }
        next.answers.push(ChecklistAnswer {
            checklist: list,
            item: answer.item.clone(),
            confirmed: answer.confirmed,
            reason: answer.reason.clone(),
            at,
            by: by.to_string(),
        });
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANA: &str = "Ana <ana@example.org>";

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn claim() -> Record {
        Record::new(
            "The river rose 3 metres.".into(),
            at("2026-01-01T00:00:00Z"),
        )
    }

    fn asked(record: &Record) -> Vec<String> {
        still_to_ask(record, State::Sourced, &Policy::default())
            .into_iter()
            .map(|(_, item)| item)
            .collect()
    }

    #[test]
    fn yes_yes_no_keeps_both_yeses_and_the_no_with_its_reason() {
        let policy = Policy::default();
        let all = asked(&claim());
        assert_eq!(
            all,
            ["provenance", "source", "date", "location", "motivation"]
        );
        let given = [
            Given::yes("provenance"),
            Given::yes("source"),
            Given::no("date", Some(" The story is undated. ")),
        ];
        let first = record_answers(
            &claim(),
            State::Sourced,
            &given,
            &policy,
            ANA,
            at("2026-01-02T00:00:00Z"),
        );
        assert_eq!(asked(&first), ["date", "location", "motivation"]);
        assert_eq!(first.answers.len(), 3);
        assert_eq!(
            first.answers[2],
            ChecklistAnswer {
                checklist: State::Sourced,
                item: "date".into(),
                confirmed: false,
                reason: Some("The story is undated.".into()),
                at: at("2026-01-02T00:00:00Z"),
                by: ANA.into(),
            }
        );
        // The next attempt: the "no" is asked again, and confirmed this time.
        let second = record_answers(
            &first,
            State::Sourced,
            &[Given::yes("date")],
            &policy,
            "Ben <ben@example.org>",
            at("2026-01-03T00:00:00Z"),
        );
        assert_eq!(asked(&second), ["location", "motivation"]);
        assert_eq!(second.answers.len(), 4);
        assert_eq!(second.answers[3].by, "Ben <ben@example.org>");
    }

    #[test]
    fn answers_to_items_the_move_does_not_need_are_left_out() {
        let record = record_answers(
            &claim(),
            State::Sourced,
            &[Given::yes("independence")],
            &Policy::default(),
            ANA,
            at("2026-01-02T00:00:00Z"),
        );
        assert_eq!(record, claim());
    }

    #[test]
    fn records_in_the_old_layout_still_read() {
        let text = "id = \"abcdefgh\"\ntext = \"x\"\nstate = \"sourced\"\npublished = false\n\
                    created = \"2026-01-01T00:00:00Z\"\n\n[checklist.sourced]\nprovenance = true\n";
        let record: Record = toml::from_str(text).unwrap();
        assert!(is_confirmed(&record, State::Sourced, "provenance"));
        assert!(record.answers.is_empty());
        assert_eq!(record.to_toml(), text);
    }
}
