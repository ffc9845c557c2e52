//! The claim record: one TOML file per claim, written with a stable key order so that diffs
//! stay small and a record survives write → read → write unchanged.

use std::collections::BTreeMap;
use std::fmt;

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
    /// Every checklist answer given, oldest first: who answered what and when, and a "no"
    /// with its reason. `checklist` holds the confirmations in force.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<ChecklistAnswer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub appearances: Vec<Appearance>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Transition>,
    /// The published fact-check: the rating it gave and the page that carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// Verdicts taken back without moving the claim (a page taken down, a verdict recorded
    /// on the wrong claim), oldest first, each as it was and with why it was withdrawn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdrawn_verdicts: Vec<WithdrawnVerdict>,
    /// Every time the claim was set aside, newest last; the claim is dismissed while the
    /// last one stands (was not undone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dismissals: Vec<Dismissal>,
    /// Keys a person added by hand: kept as they are, never dropped on the next write. Only
    /// here: a key added inside a source, a note or the verdict would be lost on the next
    /// write, so such a record does not parse, and the error names the key and its line.
    #[serde(flatten)]
    pub extra: toml::Table,
}

/// Where a claim was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

/// A piece of evidence attached to a claim: a web page, a file of the repository (a saved
/// page, a report, a transcript), or both (a page and the copy saved of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A file of the repository, by its path from the repository's root.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// The SHA-256 of the document's content when it was attached, in hex: evidence that
    /// changes afterwards is reported by `claims check`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
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
    /// A withdrawn source stays in the record but is no longer evidence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn: Option<Event>,
    /// Corrections made to this source, oldest first, each with the values it replaced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<Correction>,
}

/// Who did something to a record, when, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    #[serde(deserialize_with = "timestamp")]
    pub at: Timestamp,
    pub by: String,
    pub note: String,
}

/// One correction of a source: the values of the fields it changed, as they were before.
/// A field the source did not have before is recorded as an empty string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    #[serde(deserialize_with = "timestamp")]
    pub at: Timestamp,
    pub by: String,
    pub note: String,
    pub was: SourceFields,
}

/// The fields of a source a correction may change; each is set when it changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stance: Option<Stance>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

impl SourceFields {
    pub fn is_empty(&self) -> bool {
        *self == SourceFields::default()
    }

    /// The names of the fields set, in the order a source lists them.
    pub fn names(&self) -> Vec<&'static str> {
        [
            ("title", self.title.is_some()),
            ("publisher", self.publisher.is_some()),
            ("origin", self.origin.is_some()),
            ("stance", self.stance.is_some()),
            ("excerpt", self.excerpt.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, set)| set.then_some(name))
        .collect()
    }
}

/// Why a claim was set aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DismissReason {
    /// An opinion, a prediction or a description: nothing a fact-check can settle.
    NotCheckWorthy,
    /// Another claim says the same thing.
    Duplicate,
    /// Outside what the newsroom checks.
    OutOfScope,
}

impl DismissReason {
    pub const ALL: [DismissReason; 3] = [
        DismissReason::NotCheckWorthy,
        DismissReason::Duplicate,
        DismissReason::OutOfScope,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DismissReason::NotCheckWorthy => "not-check-worthy",
            DismissReason::Duplicate => "duplicate",
            DismissReason::OutOfScope => "out-of-scope",
        }
    }
}

impl fmt::Display for DismissReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A claim set aside: it keeps its record and history but leaves queues, lists and exports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dismissal {
    pub reason: DismissReason,
    /// The claim kept in its place, for a duplicate; its appearances moved there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<ClaimId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(deserialize_with = "timestamp")]
    pub at: Timestamp,
    pub by: String,
    /// When and why the claim was brought back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undone: Option<Event>,
}

/// The newsroom's published fact-check of a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verdict {
    /// A rating of the scale in claims.toml.
    pub rating: String,
    /// The page that carries the fact-check.
    pub url: String,
    #[serde(deserialize_with = "timestamp")]
    pub at: Timestamp,
    pub by: String,
}

/// A verdict withdrawn by `claims verdict ID --withdraw`: the verdict as it stood, and who
/// withdrew it, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawnVerdict {
    pub verdict: Verdict,
    pub withdrawn: Event,
}

impl Source {
    /// A web page as evidence, with nothing else known about it yet.
    pub fn at_url(url: &str, stance: Stance) -> Source {
        Source {
            url: Some(url.to_string()),
            document: None,
            sha256: None,
            title: None,
            publisher: None,
            origin: None,
            stance,
            excerpt: None,
            accessed: None,
            added_by: None,
            rebuttal: None,
            withdrawn: None,
            corrections: Vec::new(),
        }
    }

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
            .unwrap_or_else(|| {
                self.url
                    .as_deref()
                    .and_then(host_of)
                    .unwrap_or_else(|| self.key().to_string())
            });
        origin_key(&raw)
    }

    /// What names the source among a claim's sources: its URL, else its document's path.
    pub fn key(&self) -> &str {
        self.url
            .as_deref()
            .or(self.document.as_deref())
            .unwrap_or_default()
    }

    /// Whether this is the source a reviewer names by `key` (a URL or a document's path).
    pub fn is_named(&self, key: &str) -> bool {
        let key = key.trim();
        self.url.as_deref() == Some(key)
            || self.document.as_deref() == Some(key.trim_start_matches("./"))
    }

    /// A source is evidence until it is withdrawn.
    pub fn is_evidence(&self) -> bool {
        self.withdrawn.is_none()
    }

    /// A contradicting source stands until a reviewer records why it no longer does, or
    /// withdraws it.
    pub fn is_standing_contradiction(&self) -> bool {
        self.stance == Stance::Contradicts && self.rebuttal.is_none() && self.is_evidence()
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
#[serde(deny_unknown_fields)]
pub struct Note {
    #[serde(deserialize_with = "timestamp")]
    pub at: Timestamp,
    pub by: String,
    pub text: String,
}

/// One answer to one checklist item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistAnswer {
    /// The checklist: the state it is asked for.
    pub checklist: State,
    pub item: String,
    pub confirmed: bool,
    /// Why the item could not be confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(deserialize_with = "timestamp")]
    pub at: Timestamp,
    pub by: String,
}

/// One move of the workflow, as recorded in the claim itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transition {
    pub from: State,
    pub to: State,
    #[serde(deserialize_with = "timestamp")]
    pub at: Timestamp,
    pub by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What the move took back of what the newsroom had published: the note is then the
    /// correction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retracted: Option<Retraction>,
}

/// A published claim, or a verdict, taken back by a move.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retraction {
    /// The claim was published and no longer is.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unpublished: bool,
    /// The verdict withdrawn, as it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
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
            answers: Vec::new(),
            appearances: Vec::new(),
            sources: Vec::new(),
            notes: Vec::new(),
            history: Vec::new(),
            verdict: None,
            withdrawn_verdicts: Vec::new(),
            dismissals: Vec::new(),
            extra: toml::Table::new(),
        }
    }

    /// The dismissal in force, if the claim is set aside.
    pub fn dismissal(&self) -> Option<&Dismissal> {
        self.dismissals.last().filter(|d| d.undone.is_none())
    }

    pub fn is_dismissed(&self) -> bool {
        self.dismissal().is_some()
    }

    /// The sources that are evidence: every source not withdrawn.
    pub fn evidence(&self) -> impl Iterator<Item = &Source> {
        self.sources.iter().filter(|s| s.is_evidence())
    }

    /// The source a reviewer names by its URL or document path.
    pub fn source_named(&self, key: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.is_named(key))
    }

    pub fn supporting(&self) -> impl Iterator<Item = &Source> {
        self.evidence().filter(|s| s.stance == Stance::Supports)
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
        let sources = self.sources.iter().flat_map(|s| {
            let corrections = s.corrections.iter().map(|c| c.at);
            s.accessed
                .into_iter()
                .chain(s.withdrawn.as_ref().map(|w| w.at))
                .chain(corrections)
        });
        let dismissals = self
            .dismissals
            .iter()
            .flat_map(|d| std::iter::once(d.at).chain(d.undone.as_ref().map(|u| u.at)));
        history
            .chain(notes)
            .chain(sources)
            .chain(dismissals)
            .chain(self.verdict.as_ref().map(|v| v.at))
            .chain(self.withdrawn_verdicts.iter().map(|w| w.withdrawn.at))
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
            url: Some("https://example.org/a?b=c#d".into()),
            document: None,
            sha256: None,
            title: Some("Title with \"quotes\" and 'single'".into()),
            publisher: Some("Example Times".into()),
            origin: Some("NBC News".into()),
            stance: Stance::Supports,
            excerpt: None,
            accessed: Some(at("2026-01-03T00:00:00Z")),
            added_by: Some("Ana <ana@example.org>".into()),
            rebuttal: None,
            withdrawn: None,
            corrections: Vec::new(),
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
            retracted: None,
        });
        record
    }

    /// A record with every field of the newsroom workflow set: a withdrawn and corrected
    /// source, a document source, a retraction, a verdict and a dismissal undone.
    fn workflow_record() -> Record {
        let mut record = full_record();
        let ana = "Ana <ana@example.org>".to_string();
        let mut withdrawn = record.sources[0].clone();
        withdrawn.url = Some("https://example.org/withdrawn".into());
        withdrawn.withdrawn = Some(Event {
            at: at("2026-01-06T00:00:00Z"),
            by: ana.clone(),
            note: "The page was a copy of another outlet's story.".into(),
        });
        withdrawn.corrections.push(Correction {
            at: at("2026-01-05T12:00:00Z"),
            by: ana.clone(),
            note: "Wrong publisher".into(),
            was: SourceFields {
                publisher: Some("Exampel Times".into()),
                origin: Some(String::new()),
                stance: Some(Stance::Contradicts),
                ..SourceFields::default()
            },
        });
        record.sources.push(withdrawn);
        record.sources.push(Source {
            url: None,
            document: Some("seeds/001_report.txt".into()),
            sha256: Some("ab".repeat(32)),
            title: None,
            publisher: Some("El Universal".into()),
            origin: Some("officials".into()),
            stance: Stance::Supports,
            excerpt: Some("55 people".into()),
            accessed: Some(at("2026-01-07T00:00:00Z")),
            added_by: Some(ana.clone()),
            rebuttal: None,
            withdrawn: None,
            corrections: Vec::new(),
        });
        record.history.push(Transition {
            from: State::Sourced,
            to: State::Unverified,
            at: at("2026-01-08T00:00:00Z"),
            by: ana.clone(),
            note: Some("correction: the figure was 50".into()),
            retracted: Some(Retraction {
                unpublished: true,
                verdict: Some(Verdict {
                    rating: "True".into(),
                    url: "https://factcheck.example/55".into(),
                    at: at("2026-01-07T12:00:00Z"),
                    by: ana.clone(),
                }),
            }),
        });
        record.verdict = Some(Verdict {
            rating: "Mostly true".into(),
            url: "https://factcheck.example/55-again".into(),
            at: at("2026-01-09T00:00:00Z"),
            by: ana.clone(),
        });
        record.dismissals.push(Dismissal {
            reason: DismissReason::Duplicate,
            duplicate_of: Some(ClaimId::derive("another claim")),
            note: Some("Same as the ministry's figure".into()),
            at: at("2026-01-10T00:00:00Z"),
            by: ana.clone(),
            undone: Some(Event {
                at: at("2026-01-11T00:00:00Z"),
                by: ana,
                note: "Not the same year".into(),
            }),
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
    fn workflow_fields_survive_write_read_write_unchanged() {
        let record = workflow_record();
        let written = record.to_toml();
        let read: Record = toml::from_str(&written).unwrap();
        assert_eq!(read, record);
        assert_eq!(read.to_toml(), written);
        assert!(read.extra.is_empty(), "{:?}", read.extra);
    }

    #[test]
    fn a_record_written_before_the_workflow_fields_reads_unchanged() {
        let old = "id = \"abcdefgh\"\ntext = \"x\"\nstate = \"sourced\"\npublished = false\n\
                   created = \"2026-01-01T00:00:00Z\"\n\n[[sources]]\nurl = \"https://example.org/a\"\n\
                   stance = \"supports\"\n\n[[history]]\nfrom = \"unverified\"\nto = \"sourced\"\n\
                   at = \"2026-01-02T00:00:00Z\"\nby = \"Ana\"\n";
        let record: Record = toml::from_str(old).unwrap();
        assert_eq!(record.to_toml(), old);
        assert_eq!(
            record.sources[0].url.as_deref(),
            Some("https://example.org/a")
        );
        assert!(record.sources[0].is_evidence());
        assert!(!record.is_dismissed());
        assert_eq!(record.verdict, None);
    }

    #[test]
    fn a_withdrawn_source_is_not_evidence_and_a_dismissal_undone_no_longer_stands() {
        let record = workflow_record();
        assert_eq!(record.sources.len(), 3);
        assert_eq!(record.evidence().count(), 2);
        assert_eq!(record.supporting_origins(), ["nbc news", "officials"]);
        assert!(!record.is_dismissed());
        let mut dismissed = record.clone();
        dismissed.dismissals[0].undone = None;
        assert_eq!(
            dismissed.dismissal().map(|d| d.reason),
            Some(DismissReason::Duplicate)
        );
        assert!(
            record
                .source_named("./seeds/001_report.txt")
                .is_some_and(|s| s.key() == "seeds/001_report.txt")
        );
        assert_eq!(record.updated(), at("2026-01-11T00:00:00Z"));
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
        source.url = Some("https://www.Example.org/story".into());
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
