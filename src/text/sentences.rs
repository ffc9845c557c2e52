//! Sentence splitting and classification for news copy.
//!
//! A document is first cut into paragraphs (a paragraph is usually one
//! line, but a line that obviously continues, e.g. ends with a comma and the
//! next starts in lower case, is joined to the next). Paragraphs that are
//! not running prose (headlines, bylines, captions, embedded posts,
//! copyright lines) become one sentence of their kind; prose is split at
//! sentence ends that survive the abbreviation, number and quotation rules.

use std::ops::Range;

use super::quotes::{inside, quote_spans};

/// What part of an article a sentence is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SentenceKind {
    /// A declarative sentence of running prose: a possible claim.
    Statement,
    /// A question (FAQ entries, rhetorical questions): never a claim.
    Question,
    /// A headline, section heading or masthead.
    Headline,
    /// Author, desk or publication-date line.
    Byline,
    /// A place/agency prefix such as "MEXICO CITY (AP) —".
    Dateline,
    /// A photo caption or image credit.
    Caption,
    /// An embedded social-media post, kept whole.
    SocialPost,
    /// Copyright notices and "read more" style furniture.
    Boilerplate,
}

/// One sentence of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// The sentence with runs of whitespace collapsed to one space.
    pub text: String,
    /// 1-based line of the document on which the sentence starts.
    pub line: usize,
    pub kind: SentenceKind,
}

/// Splits `document` into classified sentences, in document order.
pub fn sentences(document: &str) -> Vec<Sentence> {
    let paragraphs = paragraphs(document);
    let mut kinds: Vec<Option<SentenceKind>> = paragraphs
        .iter()
        .enumerate()
        .map(|(index, paragraph)| whole_paragraph_kind(&paragraph.text, index == 0))
        .collect();
    // A post's text often sits on the line above its "— Name (@handle) date"
    // signature.
    for index in 1..paragraphs.len() {
        let text = &paragraphs[index].text;
        if text.starts_with(['—', '–', '-'])
            && is_post_signature(text)
            && kinds[index - 1].is_none()
        {
            kinds[index - 1] = Some(SentenceKind::SocialPost);
        }
    }

    let mut out = Vec::new();
    for (paragraph, kind) in paragraphs.iter().zip(kinds) {
        if let Some(kind) = kind {
            out.push(Sentence {
                text: paragraph.text.clone(),
                line: paragraph.line_at(0),
                kind,
            });
            continue;
        }
        let body_start = match dateline_len(&paragraph.text) {
            Some(len) => {
                out.push(Sentence {
                    text: paragraph.text[..len].trim().to_owned(),
                    line: paragraph.line_at(0),
                    kind: SentenceKind::Dateline,
                });
                len
            }
            None => 0,
        };
        for range in split_prose(&paragraph.text[body_start..]) {
            let text = &paragraph.text[body_start + range.start..body_start + range.end];
            out.push(Sentence {
                text: text.to_owned(),
                line: paragraph.line_at(body_start + range.start),
                kind: prose_kind(text),
            });
        }
    }
    out
}

/// Lines joined into one unit of text, remembering where each line begins.
struct Paragraph {
    text: String,
    /// (byte offset in `text`, 1-based document line), ascending.
    line_starts: Vec<(usize, usize)>,
}

impl Paragraph {
    fn line_at(&self, offset: usize) -> usize {
        let after = self
            .line_starts
            .partition_point(|&(start, _)| start <= offset);
        self.line_starts[after.saturating_sub(1)].1
    }
}

fn paragraphs(document: &str) -> Vec<Paragraph> {
    let lines: Vec<String> = document.lines().map(clean_line).collect();
    let mut out = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        if lines[index].is_empty() {
            index += 1;
            continue;
        }
        let mut paragraph = Paragraph {
            text: lines[index].clone(),
            line_starts: vec![(0, index + 1)],
        };
        let mut last = index;
        loop {
            let mut next = last + 1;
            while next < lines.len() && lines[next].is_empty() {
                next += 1;
            }
            if next >= lines.len() || !continues(&lines[last], &lines[next], next > last + 1) {
                break;
            }
            paragraph.text.push(' ');
            paragraph.line_starts.push((paragraph.text.len(), next + 1));
            paragraph.text.push_str(&lines[next]);
            last = next;
        }
        out.push(paragraph);
        index = last + 1;
    }
    out
}

/// Trims a line, turns control characters into spaces and collapses runs of
/// whitespace, so that offsets and texts downstream are clean.
fn clean_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if c == '\u{feff}' {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Words after which a line cannot end a sentence or a headline.
const DANGLING_WORDS: &[&str] = word_list!("sentences/dangling-words.txt");

/// Whether `next` (after a blank line if `blank_between`) continues `line`.
fn continues(line: &str, next: &str, blank_between: bool) -> bool {
    if ends_sentence(line) || is_byline(next) {
        return false;
    }
    let next_lower = next.chars().next().is_some_and(char::is_lowercase);
    if blank_between {
        return next_lower;
    }
    let dangling = line
        .rsplit(' ')
        .next()
        .is_some_and(|word| DANGLING_WORDS.contains(&word));
    // Hard-wrapped copy: a long unpunctuated line that is not a headline
    // runs on into the next.
    let wrapped = line.chars().count() >= MIN_WRAPPED_LINE
        && !is_title_case(line)
        && !is_social_post(line)
        && !is_caption(line);
    next_lower || dangling || wrapped || line.ends_with([',', '-', '–', '—'])
}

/// Shortest line taken to be hard-wrapped prose when it lacks final
/// punctuation (wrapping is usually at 65–80 columns).
const MIN_WRAPPED_LINE: usize = 60;

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

fn is_closer(c: char) -> bool {
    matches!(c, '”' | '’' | '"' | '\'' | ')' | ']' | '»')
}

/// The text without trailing closing quotes and brackets.
fn without_closers(text: &str) -> &str {
    text.trim_end_matches(is_closer)
}

fn ends_sentence(text: &str) -> bool {
    without_closers(text).ends_with(is_terminal)
}

/// The kind of a paragraph that is kept whole, or None for running prose.
fn whole_paragraph_kind(text: &str, first: bool) -> Option<SentenceKind> {
    if is_social_post(text) {
        return Some(SentenceKind::SocialPost);
    }
    if is_boilerplate(text) {
        return Some(SentenceKind::Boilerplate);
    }
    if is_caption(text) {
        return Some(SentenceKind::Caption);
    }
    if is_byline(text) {
        return Some(SentenceKind::Byline);
    }
    // Unpunctuated short lines are headlines or captions; a long one is
    // more likely prose that lost its full stop.
    if ends_sentence(text) || text.ends_with(':') || text.len() > 300 {
        return None;
    }
    if first || is_title_case(text) {
        Some(SentenceKind::Headline)
    } else {
        Some(SentenceKind::Caption)
    }
}

fn prose_kind(sentence: &str) -> SentenceKind {
    if without_closers(sentence).ends_with('?') {
        SentenceKind::Question
    } else if is_boilerplate(sentence) {
        SentenceKind::Boilerplate
    } else {
        SentenceKind::Statement
    }
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
}

fn contains_ignore_case(text: &str, needle: &str) -> bool {
    text.to_lowercase().contains(needle)
}

const BOILERPLATE_PREFIXES: &[&str] = word_list!("sentences/boilerplate-prefixes.txt");

/// Furniture is short; a long paragraph that happens to start with
/// "Copyright" is prose.
const MAX_BOILERPLATE_LEN: usize = 200;

fn is_boilerplate(text: &str) -> bool {
    let furniture_start = BOILERPLATE_PREFIXES.iter().any(|prefix| {
        starts_with_ignore_case(text, prefix)
            && !text[prefix.len()..].starts_with(char::is_alphanumeric)
    });
    text.len() <= MAX_BOILERPLATE_LEN
        && (furniture_start || contains_ignore_case(text, "all rights reserved"))
}

fn is_social_post(text: &str) -> bool {
    text.contains("pic.twitter.com/")
        || ((text.contains("twitter.com/") || text.contains("x.com/")) && text.contains("/status/"))
        || starts_with_ignore_case(text, "a post shared by")
        || is_post_signature(text)
}

/// The months, lower-cased: dates in datelines and signatures, and never part of a name.
pub(crate) const MONTHS: &[&str] = word_list!("sentences/months.txt");

/// "— Donald J. Trump (@realDonaldTrump) March 3, 2025": a handle in
/// parentheses followed by a date, as embedded posts are signed.
fn is_post_signature(text: &str) -> bool {
    let Some(open) = text.find("(@") else {
        return false;
    };
    let Some(close) = text[open..].find(')') else {
        return false;
    };
    let handle = &text[open + 2..open + close];
    let after = text[open + close + 1..].trim_start().to_lowercase();
    !handle.is_empty()
        && handle.chars().all(|c| c.is_alphanumeric() || c == '_')
        && MONTHS.iter().any(|month| after.starts_with(month))
}

const CAPTION_PREFIXES: &[&str] = word_list!("sentences/caption-prefixes.txt");

const CREDIT_WORDS: &[&str] = word_list!("sentences/credit-words.txt");

fn is_caption(text: &str) -> bool {
    if CAPTION_PREFIXES
        .iter()
        .any(|prefix| starts_with_ignore_case(text, prefix))
    {
        return true;
    }
    if text.len() > 300 {
        return false;
    }
    if text.contains('©') || text.contains(" - Image") || contains_ignore_case(text, "getty images")
    {
        return true;
    }
    // "Soldiers patrol the border in Tijuana. (Reuters)"
    let trimmed = text.trim_end_matches('.');
    trimmed.ends_with(')')
        && trimmed.rfind('(').is_some_and(|open| {
            let credit = trimmed[open + 1..trimmed.len() - 1].to_lowercase();
            credit
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .is_some_and(|word| CREDIT_WORDS.contains(&word))
        })
}

const CREDIT_LINE_STARTS: &[&str] = word_list!("sentences/credit-line-starts.txt");

const BYLINE_ENDINGS: &[&str] = word_list!("sentences/byline-endings.txt");

pub(crate) const WEEKDAYS: &[&str] = word_list!("sentences/weekdays.txt");

const META_PREFIXES: &[&str] = word_list!("sentences/meta-prefixes.txt");

fn is_dateish_word(word: &str) -> bool {
    let word = word
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    word.is_empty()
        || word.chars().all(|c| c.is_ascii_digit())
        || MONTHS
            .iter()
            .chain(WEEKDAYS)
            .any(|name| word == *name || (word.len() >= 3 && name.starts_with(word.as_str())))
}

/// Author, desk and date lines: "By Jane Doe", "Digital Desk",
/// "Tuesday, November 4, 2025 by Alex Smith", "Published: 3 Nov 2025".
fn is_byline(text: &str) -> bool {
    let words: Vec<&str> = text.split(' ').collect();
    // Agency credit lines: "Reporting by Dave Graham; Editing by Diane Craft".
    let lower = text.to_lowercase();
    if words.len() <= 25
        && CREDIT_LINE_STARTS
            .iter()
            .any(|start| lower.starts_with(start))
    {
        return true;
    }
    if words.len() > 12 || ends_sentence(text) && words.len() > 4 {
        return false;
    }
    let capitalised = |word: &&str| word.chars().next().is_some_and(char::is_uppercase);
    if words.len() >= 2
        && words[0].eq_ignore_ascii_case("by")
        && capitalised(&words[1])
        && !ends_sentence(text)
    {
        return true;
    }
    if let Some(by) = words.iter().rposition(|word| *word == "by")
        && by > 0
        && by + 1 < words.len()
        && words[by + 1..].iter().all(capitalised)
        && words[..by]
            .iter()
            .any(|word| is_dateish_word(word) && !word.is_empty())
    {
        return true;
    }
    let last = words
        .last()
        .map(|word| word.to_lowercase())
        .unwrap_or_default();
    if words.len() <= 6 && BYLINE_ENDINGS.contains(&last.as_str()) {
        return true;
    }
    META_PREFIXES
        .iter()
        .any(|prefix| starts_with_ignore_case(text, prefix))
        || words.iter().all(|word| is_dateish_word(word))
}

/// Short words Title Case leaves in lower case.
const TITLE_CASE_EXCEPTIONS: &[&str] = word_list!("sentences/title-case-exceptions.txt");

/// Title Case headlines: at least three in four words other than short
/// function words capitalised.
fn is_title_case(text: &str) -> bool {
    let mut counted = 0;
    let mut capitalised = 0;
    for word in text.split(' ') {
        let word = word.trim_start_matches(|c: char| !c.is_alphanumeric());
        if !word.starts_with(char::is_alphabetic) || TITLE_CASE_EXCEPTIONS.contains(&word) {
            continue;
        }
        counted += 1;
        if word.starts_with(char::is_uppercase) {
            capitalised += 1;
        }
    }
    counted > 0 && capitalised * 4 >= counted * 3
}

/// Length in bytes of a dateline prefix ("MEXICO CITY (AP) — ",
/// "WASHINGTON, Nov 3 (Reuters) - ", "date 2025-11-03 "), if any.
fn dateline_len(text: &str) -> Option<usize> {
    let mut words = text.split(' ').scan(0, |offset, word| {
        let start = *offset;
        *offset += word.len() + 1;
        Some((start, word))
    });
    let (_, first) = words.next()?;
    if ["date", "dated", "published", "updated", "posted"]
        .contains(&first.trim_end_matches(':').to_lowercase().as_str())
    {
        let (start, date) = words.next()?;
        let is_date = date.len() >= 8
            && date.starts_with(|c: char| c.is_ascii_digit())
            && date.contains(['-', '/']);
        return is_date.then(|| (start + date.len() + 1).min(text.len()));
    }
    // "US - Mexico talks" is not a dateline: a place name has a few
    // letters, or an agency credit follows it.
    let mut place_letters = 0;
    let mut agency = false;
    for (start, word) in std::iter::once((0, first)).chain(words) {
        let bare = word.trim_end_matches(',');
        if matches!(bare, "—" | "–" | "-" | "--") {
            let dateline = agency || place_letters >= 4;
            return dateline.then(|| (start + word.len() + 1).min(text.len()));
        }
        let letters = bare.chars().filter(|c| c.is_alphabetic()).count();
        if bare.starts_with('(') && bare.ends_with(')') && letters >= 2 {
            agency = true;
        } else if letters >= 2 && !bare.chars().any(char::is_lowercase) {
            place_letters += letters;
        } else if !is_dateish_word(bare) {
            return None;
        }
    }
    None
}

/// Titles that never end a sentence.
const TITLES: &[&str] = word_list!("sentences/titles.txt");

/// Abbreviations that end a sentence only before a typical sentence opener.
const ABBREVIATIONS: &[&str] = word_list!("sentences/abbreviations.txt");

/// Abbreviations used before a number: "No. 2", "Vol. 3", "Art. 5".
const NUMBER_ABBREVIATIONS: &[&str] = word_list!("sentences/number-abbreviations.txt");

/// Words that typically open a sentence, used to decide whether "U.S." or
/// "Jr." ends one.
const SENTENCE_OPENERS: &[&str] = word_list!("sentences/sentence-openers.txt");

fn word_before(text: &str, end: usize) -> &str {
    let start = text[..end]
        .rfind(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '-' | '\'' | '’')))
        .map_or(0, |at| {
            at + text[at..].chars().next().map_or(1, char::len_utf8)
        });
    &text[start..end]
}

fn is_initial_or_acronym(word: &str) -> bool {
    let mut chars = word.chars();
    let single_capital = chars.next().is_some_and(char::is_uppercase) && chars.next().is_none();
    // "U.S", "C.I.A", "a.m", "e.g": letters separated by dots.
    let dotted = word.contains('.')
        && word.split('.').all(|part| {
            (1..=2).contains(&part.chars().count()) && part.chars().all(char::is_alphabetic)
        });
    single_capital || dotted
}

/// Whether a single full stop after `word` ends the sentence, given the
/// word that follows.
fn period_ends_sentence(word: &str, next_word: &str) -> bool {
    let lower = word.to_lowercase();
    let next_is_opener = || {
        let next = next_word
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        SENTENCE_OPENERS.contains(&next.as_str()) || next_word.starts_with(['“', '"', '‘'])
    };
    if TITLES.contains(&lower.as_str()) {
        false
    } else if NUMBER_ABBREVIATIONS.contains(&lower.as_str()) {
        !next_word.starts_with(|c: char| c.is_ascii_digit())
    } else if ABBREVIATIONS.contains(&lower.as_str()) || is_initial_or_acronym(word) {
        next_is_opener()
    } else {
        true
    }
}

/// Byte ranges of the sentences of a prose paragraph.
fn split_prose(text: &str) -> Vec<Range<usize>> {
    let quotes = quote_spans(text);
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if !is_terminal(c) {
            continue;
        }
        let mut end = at + c.len_utf8();
        let mut single_full_stop = c == '.';
        while let Some(&(next_at, next)) = chars.peek() {
            if !is_terminal(next) {
                break;
            }
            single_full_stop = false;
            end = next_at + next.len_utf8();
            chars.next();
        }
        while let Some(&(next_at, next)) = chars.peek() {
            if !is_closer(next) {
                break;
            }
            end = next_at + next.len_utf8();
            chars.next();
        }
        let rest = &text[end..];
        if !rest.starts_with(' ') || inside(&quotes, end) {
            continue;
        }
        let next_text = rest.trim_start();
        let next_word = next_text.split(' ').next().unwrap_or_default();
        if next_text.starts_with(char::is_lowercase) {
            continue;
        }
        if single_full_stop && !period_ends_sentence(word_before(text, at), next_word) {
            continue;
        }
        // "1. Mexico rejected the plan.": a list number opens a sentence.
        let list_marker = text[start..at].trim().chars().all(|c| c.is_ascii_digit());
        if single_full_stop && list_marker {
            continue;
        }
        out.push(start..end);
        start = text.len() - next_text.len();
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    out.retain(|range| !text[range.clone()].trim().is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(document: &str) -> Vec<(String, usize, SentenceKind)> {
        sentences(document)
            .into_iter()
            .map(|sentence| (sentence.text, sentence.line, sentence.kind))
            .collect()
    }

    fn statement(text: &str, line: usize) -> (String, usize, SentenceKind) {
        (text.to_owned(), line, SentenceKind::Statement)
    }

    #[test]
    fn dotted_country_abbreviation_does_not_split() {
        assert_eq!(
            texts("The U.S. administration is exploring a plan. U.S. officials deny it."),
            [
                statement("The U.S. administration is exploring a plan.", 1),
                statement("U.S. officials deny it.", 1),
            ]
        );
    }

    #[test]
    fn dotted_abbreviation_at_sentence_end_splits_before_opener() {
        assert_eq!(
            texts("Fentanyl keeps flowing into the U.S. The White House says so."),
            [
                statement("Fentanyl keeps flowing into the U.S.", 1),
                statement("The White House says so.", 1),
            ]
        );
    }

    #[test]
    fn titles_do_not_split() {
        assert_eq!(
            texts("Mr. Smith met Dr. Jones. They talked."),
            [
                statement("Mr. Smith met Dr. Jones.", 1),
                statement("They talked.", 1)
            ]
        );
    }

    #[test]
    fn month_abbreviation_before_day_does_not_split() {
        assert_eq!(
            texts("The riot happened on Jan. 6, 2021. Hundreds were charged."),
            [
                statement("The riot happened on Jan. 6, 2021.", 1),
                statement("Hundreds were charged.", 1),
            ]
        );
    }

    #[test]
    fn number_abbreviation_does_not_split() {
        assert_eq!(
            texts("He is the No. 2 official. He resigned."),
            [
                statement("He is the No. 2 official.", 1),
                statement("He resigned.", 1)
            ]
        );
    }

    #[test]
    fn initials_do_not_split() {
        assert_eq!(
            texts("J. Smith wrote to Donald J. Trump. Nobody replied."),
            [
                statement("J. Smith wrote to Donald J. Trump.", 1),
                statement("Nobody replied.", 1),
            ]
        );
    }

    #[test]
    fn decimals_percentages_and_money_do_not_split() {
        assert_eq!(
            texts("Growth was 2.8% and inflation 15.1%. The deal is worth $1.5 billion. Done."),
            [
                statement("Growth was 2.8% and inflation 15.1%.", 1),
                statement("The deal is worth $1.5 billion.", 1),
                statement("Done.", 1),
            ]
        );
    }

    #[test]
    fn quotation_spanning_sentences_stays_whole() {
        let text = "She told reporters that “there will be no invasion. It’s off the table.” \
                    This creates tension.";
        assert_eq!(
            texts(text),
            [
                statement(
                    "She told reporters that “there will be no invasion. It’s off the table.”",
                    1
                ),
                statement("This creates tension.", 1),
            ]
        );
    }

    #[test]
    fn sentence_ends_inside_closing_single_quote() {
        let text = "Sheinbaum said: ‘We always say that [U.S. involvement] is not necessary.’ \
                    The two leaders agreed.";
        assert_eq!(
            texts(text),
            [
                statement(
                    "Sheinbaum said: ‘We always say that [U.S. involvement] is not necessary.’",
                    1
                ),
                statement("The two leaders agreed.", 1),
            ]
        );
    }

    #[test]
    fn quoted_question_followed_by_attribution_is_one_statement() {
        assert_eq!(
            texts("“Why now?” he asked. Nobody knew."),
            [
                statement("“Why now?” he asked.", 1),
                statement("Nobody knew.", 1)
            ]
        );
    }

    #[test]
    fn headline_byline_and_body() {
        let text = "Trump Signals Possible Ground Operations Against Mexican Drug Cartels\n\
                    Digital Desk\n\
                    US President Donald Trump has escalated rhetoric.";
        assert_eq!(
            texts(text),
            [
                (
                    "Trump Signals Possible Ground Operations Against Mexican Drug Cartels"
                        .to_owned(),
                    1,
                    SentenceKind::Headline
                ),
                ("Digital Desk".to_owned(), 2, SentenceKind::Byline),
                statement("US President Donald Trump has escalated rhetoric.", 3),
            ]
        );
    }

    #[test]
    fn dated_byline() {
        assert_eq!(
            texts("Tuesday, November 4, 2025 by Alex Smith\n\nBy Jane Doe"),
            [
                (
                    "Tuesday, November 4, 2025 by Alex Smith".to_owned(),
                    1,
                    SentenceKind::Byline
                ),
                ("By Jane Doe".to_owned(), 3, SentenceKind::Byline),
            ]
        );
    }

    #[test]
    fn agency_credit_line_is_a_byline() {
        assert_eq!(
            texts("Reporting by Dave Graham; Editing by Diane Craft")[0].2,
            SentenceKind::Byline
        );
    }

    #[test]
    fn dateline_is_separated() {
        assert_eq!(
            texts("MEXICO CITY (AP) — Mexico rejected the plan. It said so twice."),
            [
                ("MEXICO CITY (AP) —".to_owned(), 1, SentenceKind::Dateline),
                statement("Mexico rejected the plan.", 1),
                statement("It said so twice.", 1),
            ]
        );
        assert_eq!(
            texts("WASHINGTON, Nov 3 (Reuters) - Officials met."),
            [
                (
                    "WASHINGTON, Nov 3 (Reuters) -".to_owned(),
                    1,
                    SentenceKind::Dateline
                ),
                statement("Officials met.", 1),
            ]
        );
        assert_eq!(
            texts(" date 2025-11-03 The administration is considering it."),
            [
                ("date 2025-11-03".to_owned(), 1, SentenceKind::Dateline),
                statement("The administration is considering it.", 1),
            ]
        );
    }

    #[test]
    fn capitals_before_a_dash_need_a_place_or_agency() {
        assert_eq!(
            texts("US - Mexico talks resumed."),
            [statement("US - Mexico talks resumed.", 1)]
        );
        assert_eq!(
            texts("(CNN) — Talks resumed.")[0],
            ("(CNN) —".to_owned(), 1, SentenceKind::Dateline)
        );
    }

    #[test]
    fn photo_captions() {
        assert_eq!(
            texts("Photo: Soldiers at the border.\n\nSoldiers patrol Tijuana. (Reuters)"),
            [
                (
                    "Photo: Soldiers at the border.".to_owned(),
                    1,
                    SentenceKind::Caption
                ),
                (
                    "Soldiers patrol Tijuana. (Reuters)".to_owned(),
                    3,
                    SentenceKind::Caption
                ),
            ]
        );
        assert_eq!(
            texts(
                "Body text here.\n\nUS Army soldiers guard a border wall in Santa Teresa, New Mexico"
            ),
            [
                statement("Body text here.", 1),
                (
                    "US Army soldiers guard a border wall in Santa Teresa, New Mexico".to_owned(),
                    3,
                    SentenceKind::Caption
                ),
            ]
        );
        assert_eq!(
            texts("Training of U.S. troops - Image © media.defense.gov")[0].2,
            SentenceKind::Caption
        );
    }

    #[test]
    fn embedded_social_post_is_one_unit() {
        let text = "Intro sentence.\n\
                    We will act now. pic.twitter.com/AbC123 — Donald J. Trump \
                    (@realDonaldTrump) March 3, 2025\n\
                    After the post.";
        assert_eq!(
            texts(text),
            [
                statement("Intro sentence.", 1),
                (
                    "We will act now. pic.twitter.com/AbC123 — Donald J. Trump \
                     (@realDonaldTrump) March 3, 2025"
                        .to_owned(),
                    2,
                    SentenceKind::SocialPost
                ),
                statement("After the post.", 3),
            ]
        );
    }

    #[test]
    fn post_text_above_its_signature_is_part_of_the_post() {
        let text = "We will act now!\n— Donald J. Trump (@realDonaldTrump) March 3, 2025";
        assert_eq!(
            texts(text),
            [
                ("We will act now!".to_owned(), 1, SentenceKind::SocialPost),
                (
                    "— Donald J. Trump (@realDonaldTrump) March 3, 2025".to_owned(),
                    2,
                    SentenceKind::SocialPost
                ),
            ]
        );
    }

    #[test]
    fn faq_questions_are_questions() {
        let text = "Key Questions on U.S. Military Plans in Mexico\n\n\
                    What does this mean for Mexico?\n\n\
                    It means more pressure.";
        assert_eq!(
            texts(text),
            [
                (
                    "Key Questions on U.S. Military Plans in Mexico".to_owned(),
                    1,
                    SentenceKind::Headline
                ),
                (
                    "What does this mean for Mexico?".to_owned(),
                    3,
                    SentenceKind::Question
                ),
                statement("It means more pressure.", 5),
            ]
        );
    }

    #[test]
    fn wrapped_sentence_keeps_its_first_line() {
        let text = "While we don’t know whether it will go ahead,\n\n\
                    officials insist on coordination.\nNext one.";
        assert_eq!(
            texts(text),
            [
                statement(
                    "While we don’t know whether it will go ahead, officials insist on coordination.",
                    1
                ),
                statement("Next one.", 4),
            ]
        );
        assert_eq!(
            texts("Officials said the plan, according to\nNBC News, is ready."),
            [statement(
                "Officials said the plan, according to NBC News, is ready.",
                1
            )]
        );
    }

    #[test]
    fn hard_wrapped_paragraph_is_joined() {
        let text = "Mexico has extradited more than 50 criminal leaders to the United\n\
                    States this year, officials said. The White House welcomed the move\n\
                    on Monday.";
        assert_eq!(
            texts(text),
            [
                statement(
                    "Mexico has extradited more than 50 criminal leaders to the United States \
                     this year, officials said.",
                    1
                ),
                statement("The White House welcomed the move on Monday.", 2),
            ]
        );
    }

    #[test]
    fn list_numbers_stay_with_their_item() {
        assert_eq!(
            texts("1. Mexico rejected the plan. 2. It said so twice."),
            [
                statement("1. Mexico rejected the plan.", 1),
                statement("2. It said so twice.", 1),
            ]
        );
    }

    #[test]
    fn lower_case_after_full_stop_does_not_split() {
        assert_eq!(
            texts("As for Sheinbaum. she has shown willingness."),
            [statement("As for Sheinbaum. she has shown willingness.", 1)]
        );
    }

    #[test]
    fn copyright_line_is_boilerplate() {
        assert_eq!(
            texts("© CubaHeadlines 2025")[0].2,
            SentenceKind::Boilerplate
        );
    }

    #[test]
    fn hostile_input_does_not_panic() {
        assert!(sentences("").is_empty());
        assert!(sentences("\n\n   \n").is_empty());
        let huge = "Word. U.S. “quote ‘x’ ”.. … ? ! ".repeat(20_000);
        assert!(!sentences(&huge).is_empty());
        let control = "A\u{0}B\u{7}.\u{1b}[31m C\r\nD\u{feff}é.’”’ ( — (@) (@x) march";
        let _ = sentences(control);
        for text in [
            "—",
            "(@",
            "date",
            "date 2025-11-03",
            ".",
            "’",
            "…",
            "A. B. C.",
        ] {
            let _ = sentences(text);
        }
    }

    /// What every split must give: sentences in document order, on lines of the document,
    /// made of the document's own text.
    fn assert_well_formed(document: &str) {
        let found = sentences(document);
        let lines = document.lines().count().max(1);
        let mut previous_line = 1;
        for sentence in &found {
            assert!(!sentence.text.is_empty(), "{found:?}");
            assert!(
                (previous_line..=lines).contains(&sentence.line),
                "line {} after {previous_line} in a document of {lines} lines: {document:?}",
                sentence.line
            );
            previous_line = sentence.line;
        }
        let output: usize = found.iter().map(|sentence| sentence.text.len()).sum();
        assert!(
            output <= document.len(),
            "{output} bytes out of {document:?}"
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_strings_split_well(document in "(?s).{0,2000}") {
            assert_well_formed(&document);
        }

        #[test]
        fn news_copy_splits_well(
            pieces in proptest::collection::vec(proptest::sample::select(crate::text::tests::PIECES), 0..400)
        ) {
            assert_well_formed(&pieces.concat());
        }
    }
}
