//! How `claims check` and `claims audit` print what they found: for people, for programs,
//! for CI servers (JUnit XML) and for GitHub Actions (workflow annotations).

use std::collections::BTreeMap;
use std::io::Write;

use crate::audit::Accepted;
use crate::checks::Violation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people
    Text,
    /// {"ok", "checked", "violations": [{"id", "path", "rule", "message", …}]}
    Json,
    /// JUnit XML, one test case per item checked
    Junit,
    /// GitHub Actions workflow annotations (::error file=…)
    Github,
}

/// What was examined, and what was wrong with it.
pub struct Findings<'a> {
    /// `claims check` or `claims audit`: the JUnit suite name.
    pub suite: &'a str,
    /// What one item is, for the summary line: "claim" or "commit".
    pub noun: &'a str,
    /// How many things were examined, for the summary line.
    pub count: usize,
    /// The JUnit test cases: (key, test case name). Violations belong to the item whose key
    /// `key_of` gives.
    pub items: Vec<(String, String)>,
    pub key_of: fn(&Violation) -> String,
    pub violations: &'a [Violation],
    /// Findings a reviewer accepted: listed, never failures.
    pub accepted: &'a [Accepted],
    /// Extra fields of the JSON object, after ok/checked/violations.
    pub json_extra: serde_json::Map<String, serde_json::Value>,
    /// Lines said before the summary in text form (warnings such as a shallow history).
    pub notes: Vec<String>,
}

impl Findings<'_> {
    pub fn ok(&self) -> bool {
        self.violations.is_empty()
    }

    pub fn write(&self, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
        match format {
            Format::Text => self.text(out),
            Format::Json => self.json(out),
            Format::Junit => self.junit(out),
            Format::Github => self.github(out),
        }
    }

    fn text(&self, out: &mut dyn Write) -> std::io::Result<()> {
        for v in self.violations {
            writeln!(out, "{}", line_of(v))?;
        }
        for a in self.accepted {
            writeln!(
                out,
                "accepted: {}\n  accepted by {} on {}: {}",
                line_of(&a.finding),
                a.accepted_by,
                a.accepted_at.strftime("%Y-%m-%d"),
                a.note
            )?;
        }
        for note in &self.notes {
            writeln!(out, "note: {note}")?;
        }
        let n = self.count;
        writeln!(
            out,
            "{} {n} {}{}: {}",
            if self.noun == "commit" {
                "audited"
            } else {
                "checked"
            },
            self.noun,
            if n == 1 { "" } else { "s" },
            match (self.violations.len(), self.accepted.len()) {
                (0, 0) => "ok".to_string(),
                (0, 1) => "ok, 1 finding accepted".to_string(),
                (0, a) => format!("ok, {a} findings accepted"),
                (1, _) => "1 violation".to_string(),
                (v, _) => format!("{v} violations"),
            }
        )
    }

    fn json(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut object = serde_json::Map::new();
        object.insert("ok".into(), self.ok().into());
        object.insert("checked".into(), self.count.into());
        object.insert(
            "violations".into(),
            serde_json::to_value(self.violations).map_err(std::io::Error::other)?,
        );
        object.extend(self.json_extra.clone());
        serde_json::to_writer_pretty(&mut *out, &object).map_err(std::io::Error::other)?;
        writeln!(out)
    }

    fn junit(&self, out: &mut dyn Write) -> std::io::Result<()> {
        let mut by_item: BTreeMap<String, Vec<&Violation>> = BTreeMap::new();
        for v in self.violations {
            by_item.entry((self.key_of)(v)).or_default().push(v);
        }
        let failed = self
            .items
            .iter()
            .filter(|(key, _)| by_item.contains_key(key))
            .count();
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<testsuites name="{0}" tests="{1}" failures="{2}" errors="0">"#,
            xml(self.suite),
            self.items.len(),
            failed
        )?;
        writeln!(
            out,
            r#"  <testsuite name="{0}" tests="{1}" failures="{2}" errors="0" skipped="0">"#,
            xml(self.suite),
            self.items.len(),
            failed
        )?;
        for (key, name) in &self.items {
            let classname = xml(&self.suite.replace(' ', "."));
            match by_item.get(key) {
                None => writeln!(
                    out,
                    r#"    <testcase classname="{classname}" name="{}"/>"#,
                    xml(name)
                )?,
                Some(violations) => {
                    writeln!(
                        out,
                        r#"    <testcase classname="{classname}" name="{}">"#,
                        xml(name)
                    )?;
                    let rules: Vec<&str> = violations.iter().map(|v| v.rule.as_str()).collect();
                    let details: Vec<String> = violations
                        .iter()
                        .map(|v| format!("{}: {}: {}", v.path, v.rule, v.message))
                        .collect();
                    writeln!(
                        out,
                        r#"      <failure type="{}" message="{}">{}</failure>"#,
                        xml(&rules.join(", ")),
                        xml(&violations[0].message),
                        xml(&details.join("\n"))
                    )?;
                    writeln!(out, "    </testcase>")?;
                }
            }
        }
        writeln!(out, "  </testsuite>")?;
        writeln!(out, "</testsuites>")
    }

    fn github(&self, out: &mut dyn Write) -> std::io::Result<()> {
        for v in self.violations {
            let mut properties = format!("file={}", annotation_property(&v.path));
            if let Some(line) = v.line {
                properties.push_str(&format!(",line={line}"));
            }
            if let Some(column) = v.column {
                properties.push_str(&format!(",col={column}"));
            }
            properties.push_str(&format!(",title={}", annotation_property(&v.rule)));
            let mut message = v.message.clone();
            if let (Some(commit), Some(author)) = (&v.commit, &v.author) {
                message = format!("{commit} by {author}: {message}");
            }
            writeln!(out, "::error {properties}::{}", annotation_data(&message))?;
        }
        for a in self.accepted {
            let message = format!(
                "accepted by {}: {}: {}",
                a.accepted_by,
                a.note,
                line_of(&a.finding)
            );
            writeln!(out, "::notice ::{}", annotation_data(&message))?;
        }
        for note in &self.notes {
            writeln!(out, "::warning ::{}", annotation_data(note))?;
        }
        Ok(())
    }
}

/// One finding on one line: where, which rule, what.
fn line_of(v: &Violation) -> String {
    let mut place = v.path.clone();
    if let (Some(line), Some(column)) = (v.line, v.column) {
        place.push_str(&format!(":{line}:{column}"));
    }
    match (&v.commit, &v.author) {
        (Some(commit), Some(author)) => {
            format!("{commit} ({author}) {place}: {}: {}", v.rule, v.message)
        }
        _ => format!("{place}: {}: {}", v.rule, v.message),
    }
}

/// Escapes text for XML content and attribute values; drops characters XML 1.0 cannot hold.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// GitHub's workflow-command escaping for the message part.
fn annotation_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub's workflow-command escaping for a property value.
fn annotation_property(text: &str) -> String {
    annotation_data(text)
        .replace(':', "%3A")
        .replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_control_characters() {
        assert_eq!(
            xml("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
        assert_eq!(xml("a\u{1b}b\nc"), "a\u{fffd}b&#10;c");
    }

    #[test]
    fn annotations_escape_what_github_reads_as_syntax() {
        assert_eq!(annotation_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(annotation_property("a:b,c"), "a%3Ab%2Cc");
    }
}
