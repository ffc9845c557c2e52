//! The CI gate's rules: what makes a repository unfit to publish from.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::gate::record_rules;
use crate::domain::policy::Policy;
use crate::store::LoadedRecord;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub id: Option<String>,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    pub rule: String,
    pub message: String,
    /// For `claims audit`: the commit (short hash) and its author.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub ok: bool,
    pub checked: usize,
    pub violations: Vec<Violation>,
}

/// Checks every record file: it parses, its name matches its id, no id appears twice, and
/// each claim keeps the gate's rules (`gate::record_rules`: published only if corroborated,
/// its own evidence supports its state, its verdict's rating matches its state, and, when
/// `claims.toml` asks for it, the ClaimReview of a published claim or a verdict is ready). A document attached as evidence must still have the content it had
/// (`document_sha256` gives a document's hash now, `None` when it is missing).
pub fn check(
    records: &[LoadedRecord],
    policy: &Policy,
    document_sha256: &mut dyn FnMut(&str) -> Option<String>,
) -> Report {
    let mut violations = Vec::new();
    let mut paths_by_id: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (path, parsed) in records {
        let record = match parsed {
            Ok(record) => record,
            Err(error) => {
                violations.push(Violation {
                    id: None,
                    path: path.clone(),
                    line: Some(error.line),
                    column: Some(error.column),
                    rule: "parse".into(),
                    message: error.message.clone(),
                    commit: None,
                    author: None,
                });
                continue;
            }
        };
        let id = record.id.as_str();
        paths_by_id.entry(id).or_default().push(path);
        let violation = |rule: &str, message: String| Violation {
            id: Some(id.to_string()),
            path: path.clone(),
            line: None,
            column: None,
            rule: rule.into(),
            message,
            commit: None,
            author: None,
        };
        let expected = record.id.record_path();
        if *path != expected {
            violations.push(violation(
                "file-name",
                format!("the record of {id} belongs at {expected}"),
            ));
        }
        for rule in record_rules(record, policy) {
            violations.push(violation(rule.rule(), rule.to_string()));
        }
        for source in record.evidence() {
            let (Some(document), Some(recorded)) = (&source.document, &source.sha256) else {
                continue;
            };
            match document_sha256(document) {
                None => violations.push(violation(
                    "source-document-missing",
                    format!("the source document {document} is missing"),
                )),
                Some(now) if now != *recorded => violations.push(violation(
                    "source-document-changed",
                    format!(
                        "the source document {document} changed since it was attached \
                         (sha256 {} then, {} now)",
                        &recorded[..recorded.len().min(12)],
                        &now[..12]
                    ),
                )),
                Some(_) => {}
            }
        }
    }
    for (id, paths) in paths_by_id {
        if paths.len() > 1 {
            for path in &paths {
                violations.push(Violation {
                    id: Some(id.to_string()),
                    path: path.to_string(),
                    line: None,
                    column: None,
                    rule: "duplicate-id".into(),
                    message: format!(
                        "id {id} is used by {} files: {}",
                        paths.len(),
                        paths.join(", ")
                    ),
                    commit: None,
                    author: None,
                });
            }
        }
    }
    violations.sort_by(|a, b| (&a.path, &a.rule).cmp(&(&b.path, &b.rule)));
    Report {
        ok: violations.is_empty(),
        checked: records.len(),
        violations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::policy::Checklists;
    use crate::domain::record::Record;

    #[test]
    fn claimreview_readiness_is_linted_only_when_asked_for() {
        let mut record = Record::new(
            "A published claim whose text runs on well past what a ClaimReview summary may hold."
                .into(),
            "2026-01-01T00:00:00Z".parse().unwrap(),
        );
        record.state = crate::domain::state::State::Corroborated;
        record.verdict = Some(crate::domain::record::Verdict {
            rating: "True".into(),
            url: "https://elsewhere.example/story".into(),
            at: record.created,
            by: "Ana".into(),
        });
        let records = [(record.id.record_path(), Ok(record))];
        let rules = |policy: &Policy| -> Vec<String> {
            let mut rules: Vec<String> = check(&records, policy, &mut |_| None)
                .violations
                .into_iter()
                .map(|v| v.rule)
                .filter(|rule| rule.starts_with("claimreview-"))
                .collect();
            rules.sort();
            rules
        };
        assert!(rules(&Policy::default()).is_empty());
        let asking = Policy::from_toml(
            "[organization]\nname = \"Verifica\"\nurl = \"https://verifica.example\"\n\
             [check]\nclaimreview = true\n",
            Checklists::default(),
        )
        .unwrap();
        assert_eq!(
            rules(&asking),
            ["claimreview-domain", "claimreview-summary"]
        );
    }
}
