//! The claim record: one TOML file per claim, written with a stable key order so that diffs
//! stay small and a record survives write → read → write unchanged.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize};

use super::id::ClaimId;
use super::state::State;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: ClaimId,
    pub text: String,
    pub state: State,
    pub published: bool,
    #[serde(deserialize_with = "timestamp")]
    pub created: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claimant: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Where the newsroom published its fact-check of this claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_url: Option<String>,
    /// Claims that say nearly the same thing with other figures.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<ClaimId>,
    /// Checklist answers per target state: item → confirmed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub checklist: BTreeMap<State, BTreeMap<String, bool>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub appearances: Vec<Appearance>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Transition>,
    /// Keys a person added by hand: kept as they are, never dropped on the next write.
    #[serde(flatten)]
    pub extra: toml::Table,
}

/// Where a claim was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Appearance {
    pub document: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// Whom the document credits for the claim ("NBC News", "officials").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stance {
    Supports,
    Contradicts,
}

impl Stance {
    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Supports => "supports",
            Stance::Contradicts => "contradicts",
        }
    }
}

/// A piece of evidence attached to a claim.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Source {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    /// Who first reported the information; sources are independent when their origins differ.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    pub stance: Stance,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    #[serde(
        default,
        deserialize_with = "optional_timestamp",
        skip_serializing_if = "Option::is_none"
    )]
    pub accessed: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_by: Option<String>,
    /// Why a contradicting source no longer stands (for example, it was retracted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rebuttal: Option<String>,
}

impl Source {
    /// The origin as given, else the publisher, else the URL's host, in a form where
    /// "The New York Times", "new york times" and "www.nytimes.com"-style spellings of one
    /// name compare equal.
    pub fn origin_key(&self) -> String {
        let raw = self
            .origin
            .as_deref()
            .or(self.publisher.as_deref())
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| host_of(&self.url).unwrap_or_else(|| self.url.clone()));
        origin_key(&raw)
    }

    /// A contradicting source stands until a reviewer records why it no longer does.
    pub fn is_standing_contradiction(&self) -> bool {
        self.stance == Stance::Contradicts && self.rebuttal.is_none()
    }
}

/// The comparable form of an origin name.
pub fn origin_key(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    let stripped = lower
        .strip_prefix("the ")
        .or_else(|| lower.strip_prefix("www."))
        .unwrap_or(&lower);
    stripped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The host of an http(s) URL, without a leading "www.".
pub fn host_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    Some(host.strip_prefix("www.").unwrap_or(host).to_string())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    #[serde(deserialize_with = "timestamp")]
    pub at: Timestamp,
    pub by: String,
    pub text: String,
}

/// One move of the workflow, as recorded in the claim itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    pub from: State,
    pub to: State,
    #[serde(deserialize_with = "timestamp")]
    pub at: Timestamp,
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Record {
    pub fn new(text: String, created: Timestamp) -> Record {
        Record {
            id: ClaimId::derive(&text),
            text,
            state: State::Unverified,
            published: false,
            created,
            claimant: None,
            tags: Vec::new(),
            published_url: None,
            related: Vec::new(),
            checklist: BTreeMap::new(),
            appearances: Vec::new(),
            sources: Vec::new(),
            notes: Vec::new(),
            history: Vec::new(),
            extra: toml::Table::new(),
        }
    }

    pub fn supporting(&self) -> impl Iterator<Item = &Source> {
        self.sources.iter().filter(|s| s.stance == Stance::Supports)
    }

    /// Distinct origins among the supporting sources, sorted.
    pub fn supporting_origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = self.supporting().map(Source::origin_key).collect();
        origins.sort();
        origins.dedup();
        origins
    }

    pub fn standing_contradictions(&self) -> impl Iterator<Item = &Source> {
        self.sources
            .iter()
            .filter(|s| s.is_standing_contradiction())
    }

    /// When the record last changed, by its own account.
    pub fn updated(&self) -> Timestamp {
        let history = self.history.iter().map(|t| t.at);
        let notes = self.notes.iter().map(|n| n.at);
        let sources = self.sources.iter().filter_map(|s| s.accessed);
        history
            .chain(notes)
            .chain(sources)
            .fold(self.created, Timestamp::max)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a record always serialises: every key is a string")
    }
}

/// Accepts an RFC 3339 timestamp written as a string (as the tool writes it) or as a bare
/// TOML datetime (as a person might type it).
fn timestamp<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Text(String),
        Toml(toml::value::Datetime),
    }
    let text = match Written::deserialize(deserializer) {
        Ok(Written::Text(text)) => text,
        Ok(Written::Toml(datetime)) => datetime.to_string(),
        Err(_) => {
            return Err(serde::de::Error::custom(
                "expected an RFC 3339 timestamp such as \"2026-01-31T09:30:00Z\"",
            ));
        }
    };
    text.parse::<Timestamp>().map_err(|e| {
        serde::de::Error::custom(format!(
            "'{text}' is not an RFC 3339 timestamp such as \"2026-01-31T09:30:00Z\": {e}"
        ))
    })
}

fn optional_timestamp<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Timestamp>, D::Error> {
    timestamp(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn full_record() -> Record {
        let mut record = Record::new(
            "Mexico extradited 55 people to the U.S. in 2025.".into(),
            at("2026-01-02T03:04:05Z"),
        );
        record.claimant = Some("Claudia Sheinbaum".into());
        record.tags = vec!["mexico".into(), "security".into()];
        record.state = State::Sourced;
        record
            .checklist
            .entry(State::Sourced)
            .or_default()
            .insert("provenance".into(), true);
        record.appearances.push(Appearance {
            document: "seeds/a.txt".into(),
            line: Some(3),
            excerpt: Some("She said “55” people were sent north.\nSecond line".into()),
            attribution: Some("NBC News".into()),
        });
        record.sources.push(Source {
            url: "https://example.org/a?b=c#d".into(),
            title: Some("Title with \"quotes\" and 'single'".into()),
            publisher: Some("Example Times".into()),
            origin: Some("NBC News".into()),
            stance: Stance::Supports,
            excerpt: None,
            accessed: Some(at("2026-01-03T00:00:00Z")),
            added_by: Some("Ana <ana@example.org>".into()),
            rebuttal: None,
        });
        record.notes.push(Note {
            at: at("2026-01-04T00:00:00Z"),
            by: "Ana <ana@example.org>".into(),
            text: "Called the ministry.\n\nNo answer yet.".into(),
        });
        record.history.push(Transition {
            from: State::Unverified,
            to: State::Sourced,
            at: at("2026-01-05T00:00:00Z"),
            by: "Ana <ana@example.org>".into(),
            note: None,
        });
        record
    }

    #[test]
    fn record_survives_write_read_write_unchanged() {
        let record = full_record();
        let written = record.to_toml();
        let read: Record = toml::from_str(&written).unwrap();
        assert_eq!(read, record);
        assert_eq!(read.to_toml(), written);
    }

    #[test]
    fn keys_are_written_in_a_stable_order() {
        let written = full_record().to_toml();
        let keys: Vec<&str> = written
            .lines()
            .filter(|l| !l.starts_with(' ') && (l.contains(" = ") || l.starts_with('[')))
            .map(|l| l.split(" = ").next().unwrap())
            .take(9)
            .collect();
        assert_eq!(
            keys,
            [
                "id",
                "text",
                "state",
                "published",
                "created",
                "claimant",
                "tags",
                "[checklist.sourced]",
                "provenance"
            ]
        );
    }

    #[test]
    fn hand_added_keys_and_bare_datetimes_are_read_and_kept() {
        let text = "id = \"abcdefgh\"\ntext = \"x\"\nstate = \"unverified\"\npublished = false\n\
                    created = 2026-01-01T00:00:00Z\ndesk = \"politics\"\n\n[review]\nby = \"Ana\"\n";
        let record: Record = toml::from_str(text).unwrap();
        assert_eq!(record.created, at("2026-01-01T00:00:00Z"));
        let written = record.to_toml();
        assert!(written.contains("desk = \"politics\""), "{written}");
        assert!(written.contains("[review]\nby = \"Ana\""), "{written}");
        let again: Record = toml::from_str(&written).unwrap();
        assert_eq!(again.to_toml(), written);
    }

    #[test]
    fn origin_defaults_to_publisher_then_host() {
        let mut source = full_record().sources[0].clone();
        assert_eq!(source.origin_key(), "nbc news");
        source.origin = None;
        assert_eq!(source.origin_key(), "example times");
        source.publisher = None;
        source.url = "https://www.Example.org/story".into();
        assert_eq!(source.origin_key(), "example.org");
        assert_eq!(
            origin_key("The New York  Times"),
            origin_key("new york times")
        );
    }

    #[test]
    fn updated_is_the_latest_event() {
        assert_eq!(full_record().updated(), at("2026-01-05T00:00:00Z"));
    }
}
