//! Normalised content of a sentence for matching: stemmed content words
//! with variants folded together, and the figures it states.

use std::sync::LazyLock;

use super::figures::{Figure, Qualifier, Unit, same_figures};
use super::tokens::{Tokenizer, always};

/// What a sentence claims, reduced for comparison: word order, case,
/// spelling variants ("organisation"/"organization"), "per cent"/"%" and
/// "U.S."/"United States" no longer matter; figures are kept apart because
/// they decide whether two claims are the same.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fingerprint {
    /// Sorted, deduplicated normalised content tokens.
    tokens: Vec<String>,
    /// Figures in a canonical order.
    figures: Vec<Figure>,
    /// Each figure with the content words around it: what the figure counts.
    anchored: Vec<Anchored>,
    polarity: Polarity,
    question: bool,
}

/// A figure with the content words that say what it counts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Anchored {
    pub(crate) figure: Figure,
    /// The content words right before and after it ("extradited 55 senior").
    pub(crate) neighbours: Vec<String>,
    /// The word right after it, if it is a content word: its unit or what it counts ("13
    /// feet", "68 people").
    pub(crate) counted: Option<String>,
}

impl Anchored {
    /// Whether two figures may measure one quantity: they count the same thing (or neither
    /// says what it counts), or a word next to each is the same ("extradited 55" /
    /// "extraditing more than 50"). Two times of day always may: an event's moment is told
    /// by one time.
    pub(crate) fn same_quantity(&self, other: &Anchored) -> bool {
        self.figure.unit == other.figure.unit
            && (self.figure.unit == Unit::Time
                || self.counted == other.counted
                || self
                    .neighbours
                    .iter()
                    .any(|word| other.neighbours.contains(word)))
    }
}

/// What flips or slants a claim: "did not" against "did", "rose" against
/// "fell". Wordings of one claim agree in polarity.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Polarity {
    negated: bool,
    /// The content word each negation bears on ("not accept", "no longer"), sorted.
    negated_words: Vec<String>,
    rising: bool,
    falling: bool,
}

impl Polarity {
    /// Whether two wordings may state one claim: neither negates a word the other states
    /// plainly ("will not accept" / "will accept"; a negation in a clause the other does not
    /// state, "no longer possible", says nothing against it), and not one only rising where
    /// the other only falls. A sentence with words of both directions ("cut rates as concern
    /// grows") says nothing against either. `states` and `other_states` say whether each
    /// wording has a content word.
    pub(crate) fn agrees_with(
        &self,
        other: &Polarity,
        states: impl Fn(&str) -> bool,
        other_states: impl Fn(&str) -> bool,
    ) -> bool {
        let negates = |p: &Polarity, word: &String| p.negated_words.binary_search(word).is_ok();
        // A word one negates and the other states plainly.
        let contradicted = |p: &Polarity, q: &Polarity, q_states: &dyn Fn(&str) -> bool| {
            p.negated_words
                .iter()
                .any(|word| q_states(word) && !negates(q, word))
        };
        let only_rising = |p: &Polarity| p.rising && !p.falling;
        let only_falling = |p: &Polarity| p.falling && !p.rising;
        let opposite =
            only_rising(self) && only_falling(other) || only_falling(self) && only_rising(other);
        !(contradicted(self, other, &other_states)
            || contradicted(other, self, &states)
            || opposite)
    }
}

impl Fingerprint {
    pub fn of(sentence: &str) -> Fingerprint {
        let items = lex(&fold_defined_acronyms(sentence));
        // Tokens and figures in sentence order, with their item positions.
        let mut tokens: Vec<(usize, String)> = Vec::new();
        let mut figures: Vec<(Figure, usize, usize)> = Vec::new();
        let mut polarity = Polarity::default();
        let mut negation_pending = false;
        let mut index = 0;
        while index < items.len() {
            if let Some((figure, next)) = read_figure(&items, index) {
                figures.push((figure, index, next));
                index = next;
                continue;
            }
            if let Some((token, next)) = compound(&items, index) {
                tokens.push((index, token.to_owned()));
                index = next;
                continue;
            }
            if let Some(word) = word_at(&items, index) {
                polarity.rising |= RISING.binary_search(&word).is_ok();
                polarity.falling |= FALLING.binary_search(&word).is_ok();
                if NEGATIONS.contains(&word) {
                    polarity.negated = true;
                    negation_pending = true;
                } else if !is_stopword(word) && !QUALIFIER_WORDS.contains(&word) {
                    let token = normalise(word);
                    if std::mem::take(&mut negation_pending) {
                        polarity.negated_words.push(token.clone());
                    }
                    tokens.push((index, token));
                }
            }
            index += 1;
        }
        // Both lists are in sentence order and a figure's own items are no
        // tokens, so one pass finds the tokens either side of each figure.
        let mut anchored = Vec::new();
        let mut next_token = 0;
        let mut previous_end = None;
        for &(figure, start, end) in &figures {
            while tokens.get(next_token).is_some_and(|(at, _)| *at < start) {
                next_token += 1;
            }
            // The word right after a figure is what that figure counts, not what the next
            // one does ("13 feet (four metres)").
            let before = next_token
                .checked_sub(1)
                .map(|at| &tokens[at])
                .filter(|(at, _)| start - at <= MAX_ANCHOR_DISTANCE && Some(*at) != previous_end);
            let after = tokens
                .get(next_token)
                .filter(|(at, _)| at - end < MAX_ANCHOR_DISTANCE);
            anchored.push(Anchored {
                figure,
                neighbours: before
                    .into_iter()
                    .chain(after)
                    .map(|(_, token)| token.clone())
                    .collect(),
                counted: after
                    .filter(|(at, _)| *at == end)
                    .map(|(_, token)| token.clone()),
            });
            previous_end = Some(end);
        }
        let mut tokens: Vec<String> = tokens.into_iter().map(|(_, token)| token).collect();
        tokens.sort_unstable();
        tokens.dedup();
        polarity.negated_words.sort_unstable();
        polarity.negated_words.dedup();
        let mut figures: Vec<Figure> = figures.into_iter().map(|(figure, _, _)| figure).collect();
        figures.sort_by(Figure::order);
        let question = sentence
            .trim_end()
            .trim_end_matches(['”', '’', '"', '\'', ')', ']'])
            .ends_with('?');
        Fingerprint {
            tokens,
            figures,
            anchored,
            polarity,
            question,
        }
    }

    /// Normalised content tokens, sorted.
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }

    /// Figures stated, in canonical order.
    pub fn figures(&self) -> &[Figure] {
        &self.figures
    }

    /// Figures, in sentence order, with the content words that say what they count.
    pub(crate) fn anchored_figures(&self) -> &[Anchored] {
        &self.anchored
    }

    /// Whether the sentence is negated ("not", "no", "never", "n't").
    pub fn is_negated(&self) -> bool {
        self.polarity.negated
    }

    pub(crate) fn polarity(&self) -> &Polarity {
        &self.polarity
    }

    /// Questions are not claims and never match one.
    pub fn is_question(&self) -> bool {
        self.question
    }

    /// Same figures, qualifiers and units, in any order.
    pub fn same_figures(&self, other: &Fingerprint) -> bool {
        same_figures(&self.figures, &other.figures)
    }
}

/// Words that may sit inside a name without giving its acronym a letter ("Directorate General
/// of Civil Aviation").
const NAME_CONNECTORS: &[&str] = &["and", "for", "of", "on", "the"];

/// A name given with its acronym, "the Directorate General of Civil Aviation (DGCA)", reads as
/// the acronym alone: the name is one thing, as "the DGCA" another outlet writes, and its words
/// are no common words ("civil aviation") to share with a sentence about something else. A
/// name is folded only when its capitalised words' initials spell the acronym.
fn fold_defined_acronyms(sentence: &str) -> std::borrow::Cow<'_, str> {
    let mut folded = String::new();
    let mut copied = 0;
    let mut search = 0;
    while let Some(open) = sentence[search..].find('(').map(|at| search + at) {
        search = open + 1;
        let Some(close) = sentence[open..].find(')').map(|at| open + at) else {
            break;
        };
        let acronym = &sentence[open + 1..close];
        if !(2..=10).contains(&acronym.len()) || !acronym.bytes().all(|b| b.is_ascii_uppercase()) {
            continue;
        }
        let Some(start) = name_spelling(&sentence[copied..open], acronym).map(|at| copied + at)
        else {
            continue;
        };
        folded.push_str(&sentence[copied..start]);
        folded.push_str(acronym);
        copied = close + 1;
        search = copied;
    }
    if copied == 0 {
        return std::borrow::Cow::Borrowed(sentence);
    }
    folded.push_str(&sentence[copied..]);
    std::borrow::Cow::Owned(folded)
}

/// Where, at the end of `before`, a name starts whose capitalised words' initials spell
/// `acronym` (connectors such as "of" spell nothing), if one does.
fn name_spelling(before: &str, acronym: &str) -> Option<usize> {
    let letters: Vec<char> = acronym.chars().collect();
    let mut left = letters.len();
    let mut end = before.trim_end().len();
    while left > 0 {
        let start = before[..end].rfind(char::is_whitespace).map_or(0, |at| {
            at + before[at..].chars().next().map_or(1, char::len_utf8)
        });
        let word = &before[start..end];
        // A capitalised word gives its initial; an acronym within the name ("U.S.", "US")
        // all its letters.
        let dotless: String = word.chars().filter(|&c| c != '.').collect();
        let spelled: Vec<char> =
            if dotless.len() >= 2 && dotless.chars().all(|c| c.is_ascii_uppercase()) {
                dotless.chars().collect()
            } else {
                word.chars()
                    .next()
                    .filter(|c| c.is_uppercase())
                    .into_iter()
                    .collect()
            };
        if !spelled.is_empty() && letters[..left].ends_with(&spelled) {
            left -= spelled.len();
            if left == 0 {
                return Some(start);
            }
        } else if left == letters.len() || !NAME_CONNECTORS.contains(&word) {
            return None;
        }
        end = before[..start].trim_end().len();
        if end == 0 {
            return None;
        }
    }
    None
}

/// How many lexical items away a content word may be to say what a figure
/// counts ("extradited more than 50": the qualifier sits in between).
const MAX_ANCHOR_DISTANCE: usize = 4;

/// A lexical item: a lower-cased word, or a number as written.
#[derive(Debug, Clone, PartialEq)]
enum Item {
    Word(String),
    Number(Number),
    /// A time of day, in minutes after midnight.
    Time(f64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Number {
    value: f64,
    percent: bool,
    currency: Option<char>,
}

/// Characters that separate raw tokens besides whitespace.
fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '—' | '–'
                | '/'
                | '('
                | ')'
                | '['
                | ']'
                | '{'
                | '}'
                | '“'
                | '”'
                | '"'
                | ';'
                | ':'
                | '!'
                | '?'
                | '…'
                | '«'
                | '»'
                | '|'
                | '*'
                | '#'
                | '@'
                | '+'
                | '='
        )
}

fn lex(sentence: &str) -> Vec<Item> {
    let mut items = Vec::new();
    let mut words = sentence.split_whitespace().peekable();
    // The word before, once past the first: a capitalised first word names nothing.
    let mut previous: Option<&str> = None;
    let mut first = true;
    while let Some(word) = words.next() {
        let before = std::mem::replace(&mut previous, (!first).then_some(word));
        first = false;
        if let Some((minutes, meridiem_read)) = clock_time(word, words.peek().copied()) {
            items.push(Item::Time(f64::from(minutes)));
            if meridiem_read {
                words.next();
            }
            continue;
        }
        if before.is_some_and(names_a_number)
            && is_plain_number(word)
            && let Some(Item::Word(name)) = items.last_mut()
        {
            name.push_str(word.trim_end_matches(|c: char| !c.is_ascii_digit()));
            continue;
        }
        // "9–13 feet": a range written with an en dash reads as "between 9 and 13 feet".
        if let Some((low, high)) = word.split_once('–')
            && low.ends_with(|c: char| c.is_ascii_digit())
            && high.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '$' | '€' | '£'))
        {
            items.push(Item::Word("between".to_owned()));
            lex_pieces(low, &mut items);
            items.push(Item::Word("and".to_owned()));
            lex_pieces(high, &mut items);
        } else {
            lex_pieces(word, &mut items);
        }
    }
    items
}

/// Whether a word written just before a plain number makes the number part of a name ("S&P
/// 500", "Nasdaq 100", "Falcon 9"): a capitalised word inside the sentence, neither a month
/// ("June 12" is a date) nor closed by a punctuation mark. The name with its number is one word
/// ("the Nasdaq 100" is not "the Nasdaq"), not a figure two claims share or compete on.
fn names_a_number(word: &str) -> bool {
    const MONTHS: &[&str] = &[
        "Jan",
        "January",
        "Feb",
        "February",
        "Mar",
        "March",
        "Apr",
        "April",
        "May",
        "Jun",
        "June",
        "Jul",
        "July",
        "Aug",
        "August",
        "Sep",
        "Sept",
        "September",
        "Oct",
        "October",
        "Nov",
        "November",
        "Dec",
        "December",
    ];
    word.starts_with(|c: char| c.is_uppercase())
        && word.ends_with(|c: char| c.is_alphanumeric())
        && !MONTHS.contains(&word.trim_end_matches('.'))
}

/// A whole number without sign, unit or separators, as a name's number is written ("500",
/// "100,", "9.").
fn is_plain_number(word: &str) -> bool {
    let digits = word.trim_end_matches([',', '.', ';', ')', '’', '\'']);
    !digits.is_empty() && digits.len() <= 4 && digits.chars().all(|c| c.is_ascii_digit())
}

/// A time of day in minutes after midnight, one figure however written (570 for "9:30am",
/// "09:30" and "9.30 a.m."; 1,020 for "5 p.m."), and whether it took `next` as its "a.m." or
/// "p.m.": "5:00 a.m." is no 0 of anything. A number without a colon or a meridiem is no time.
fn clock_time(word: &str, next: Option<&str>) -> Option<(u32, bool)> {
    let trimmed = |w: &str| {
        w.trim_end_matches([',', ';', ')', '”', '"', '’', '\''])
            .trim_end_matches('.')
            .to_lowercase()
    };
    let is_pm = |w: &str| match w {
        "am" | "a.m" => Some(false),
        "pm" | "p.m" => Some(true),
        _ => None,
    };
    let word = trimmed(word);
    let hours_end = word
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(word.len());
    let (hours, rest) = word.split_at(hours_end);
    let (minutes, colon, rest) = match rest.as_bytes() {
        [separator @ (b':' | b'.'), m1, m2, ..] if m1.is_ascii_digit() && m2.is_ascii_digit() => {
            (&rest[1..3], *separator == b':', &rest[3..])
        }
        _ => ("00", false, rest),
    };
    let (pm, meridiem_read) = if rest.is_empty() {
        match next.map(trimmed).as_deref().and_then(is_pm) {
            Some(pm) => (Some(pm), true),
            None => (None, false),
        }
    } else {
        (Some(is_pm(rest)?), false)
    };
    // "5", "2019" and "6.7" are no times; "09:30" and "5 a.m." are.
    if !(1..=2).contains(&hours.len()) || !colon && pm.is_none() {
        return None;
    }
    let (mut hours, minutes): (u32, u32) = (hours.parse().ok()?, minutes.parse().ok()?);
    if minutes > 59 || hours > 23 || pm.is_some() && !(1..=12).contains(&hours) {
        return None;
    }
    match pm {
        Some(true) if hours < 12 => hours += 12,
        Some(false) if hours == 12 => hours = 0,
        _ => {}
    }
    Some((hours * 60 + minutes, meridiem_read))
}

/// A word is what lies between separators without the marks at its ends, but for a currency
/// sign before it and a percent sign after it ("$1.5bn", "87%", "U.S.-led").
const TOKENIZER: Tokenizer = Tokenizer {
    separates: is_separator,
    opens: |c| matches!(c, '$' | '€' | '£'),
    closes: |c| c == '%',
    joins: always,
};

fn lex_pieces(text: &str, items: &mut Vec<Item>) {
    TOKENIZER.each_word(text, |word| lex_word(word, items));
}

fn lex_word(raw: &str, items: &mut Vec<Item>) {
    if let Some(number) = parse_number(raw) {
        items.push(Item::Number(number));
        return;
    }
    // "U.S.", "C.I.A.", "U.S.-led": dotted acronyms lose their dots.
    if raw.contains('.') && !raw.contains("..") {
        let (head, tail) = raw.split_once("-").unwrap_or((raw, ""));
        let parts: Vec<&str> = head.split('.').filter(|part| !part.is_empty()).collect();
        if parts.len() >= 2 && parts.iter().all(|part| part.chars().count() <= 2) {
            items.push(Item::Word(acronym(&parts.concat())));
            lex_pieces(tail, items);
            return;
        }
    }
    if let Some((left, right)) = raw.split_once('-') {
        // "MS-13", "F-35": a name, not a figure.
        let letters = |part: &str| !part.is_empty() && part.chars().all(char::is_alphabetic);
        let digits = |part: &str| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit());
        if letters(left) && digits(right) || digits(left) && letters(right) {
            items.push(Item::Word(format!("{left}{right}").to_lowercase()));
            return;
        }
        for part in raw.split('-') {
            lex_pieces(part, items);
        }
        return;
    }
    for part in raw.split('.').filter(|part| !part.is_empty()) {
        if part.len() < raw.len() {
            lex_pieces(part, items);
        } else {
            items.push(Item::Word(word_form(part)));
        }
    }
}

/// Lower-cases a word, folding "US" (but not the pronoun "us") into one
/// name for the United States.
fn acronym(letters: &str) -> String {
    match letters {
        "US" | "USA" => "usa".to_owned(),
        "UK" => "uk".to_owned(),
        "UN" => "un".to_owned(),
        _ => letters.to_lowercase(),
    }
}

fn word_form(word: &str) -> String {
    if word.chars().all(|c| c.is_uppercase() || c.is_ascii_digit()) {
        return acronym(word);
    }
    let lower = word.to_lowercase().replace('’', "'");
    if lower.ends_with("n't") {
        // "don't", "can't", "won't": what matters is the negation.
        return "not".to_owned();
    }
    lower
        .strip_suffix("'s")
        .or_else(|| lower.strip_suffix('\''))
        .unwrap_or(&lower)
        .to_owned()
}

fn parse_number(raw: &str) -> Option<Number> {
    let (currency, rest) = match raw.chars().next() {
        Some(symbol @ ('$' | '€' | '£')) => (Some(symbol), &raw[symbol.len_utf8()..]),
        _ => (None, raw),
    };
    let (percent, rest) = match rest.strip_suffix('%') {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    let digits_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .unwrap_or(rest.len());
    let (digits, suffix) = rest.split_at(digits_end);
    if !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let scale = match suffix.to_lowercase().as_str() {
        "" => 1.0,
        "k" => 1e3,
        "m" | "mn" if currency.is_some() => 1e6,
        "bn" | "b" if currency.is_some() => 1e9,
        "bn" => 1e9,
        _ => return None,
    };
    // Thousands separators: "250,000"; anything else with commas is a list.
    let grouped = digits.split('.').next().unwrap_or_default();
    if grouped.contains(',') {
        let mut groups = grouped.split(',');
        let first_ok = groups
            .next()
            .is_some_and(|group| (1..=3).contains(&group.len()));
        if !first_ok || !groups.all(|group| group.len() == 3) {
            return None;
        }
    }
    // Absurdly long digit strings would overflow to infinity, which never
    // equals itself.
    let value = digits.replace(',', "").parse::<f64>().ok()? * scale;
    if !value.is_finite() {
        return None;
    }
    Some(Number {
        value,
        percent,
        currency,
    })
}

const NUMBER_WORDS: &[(&str, f64)] = &[
    ("dozen", 12.0),
    ("eight", 8.0),
    ("eighteen", 18.0),
    ("eighty", 80.0),
    ("eleven", 11.0),
    ("fifteen", 15.0),
    ("fifty", 50.0),
    ("five", 5.0),
    ("forty", 40.0),
    ("four", 4.0),
    ("fourteen", 14.0),
    ("hundred", 100.0),
    ("nine", 9.0),
    ("nineteen", 19.0),
    ("ninety", 90.0),
    ("seven", 7.0),
    ("seventeen", 17.0),
    ("seventy", 70.0),
    ("six", 6.0),
    ("sixteen", 16.0),
    ("sixty", 60.0),
    ("ten", 10.0),
    ("thirteen", 13.0),
    ("thirty", 30.0),
    ("three", 3.0),
    ("twelve", 12.0),
    ("twenty", 20.0),
    ("two", 2.0),
];

/// The value for `key` in a table sorted by key.
fn lookup<T: Copy>(table: &[(&str, T)], key: &str) -> Option<T> {
    table
        .binary_search_by(|(name, _)| (*name).cmp(key))
        .ok()
        .map(|at| table[at].1)
}

const SCALE_WORDS: &[(&str, f64)] = &[
    ("thousand", 1e3),
    ("million", 1e6),
    ("billion", 1e9),
    ("trillion", 1e12),
    ("bn", 1e9),
];

/// Qualifier phrases, longest first, as they appear before a number.
const QUALIFIERS: &[(&[&str], Qualifier)] = &[
    (&["in", "excess", "of"], Qualifier::MoreThan),
    (&["no", "fewer", "than"], Qualifier::AtLeast),
    (&["as", "much", "as"], Qualifier::UpTo),
    (&["as", "many", "as"], Qualifier::UpTo),
    (&["as", "high", "as"], Qualifier::UpTo),
    (&["more", "than"], Qualifier::MoreThan),
    (&["over"], Qualifier::MoreThan),
    (&["above"], Qualifier::MoreThan),
    (&["fewer", "than"], Qualifier::LessThan),
    (&["less", "than"], Qualifier::LessThan),
    (&["under"], Qualifier::LessThan),
    (&["below"], Qualifier::LessThan),
    (&["at", "least"], Qualifier::AtLeast),
    (&["at", "most"], Qualifier::AtMost),
    (&["up", "to"], Qualifier::UpTo),
    (&["close", "to"], Qualifier::Nearly),
    (&["nearly"], Qualifier::Nearly),
    (&["almost"], Qualifier::Nearly),
    (&["about"], Qualifier::About),
    (&["around"], Qualifier::About),
    (&["approximately"], Qualifier::About),
    (&["roughly"], Qualifier::About),
    (&["some"], Qualifier::About),
    (&["estimated"], Qualifier::About),
];

/// Words that only qualify figures and carry no content of their own.
const QUALIFIER_WORDS: &[&str] = word_list!("fingerprint/qualifier-words.txt");

fn word_at(items: &[Item], index: usize) -> Option<&str> {
    match items.get(index) {
        Some(Item::Word(word)) => Some(word),
        _ => None,
    }
}

fn number_value(items: &[Item], index: usize) -> Option<Number> {
    match items.get(index) {
        Some(Item::Number(number)) => Some(*number),
        Some(Item::Word(word)) => {
            NUMBER_WORDS
                .iter()
                .find(|(name, _)| name == word)
                .map(|&(_, value)| Number {
                    value,
                    percent: false,
                    currency: None,
                })
        }
        Some(Item::Time(_)) | None => None,
    }
}

/// Reads the number at `index` with any scale word and "per cent" after it;
/// returns the number and the index after it.
fn read_amount(items: &[Item], index: usize) -> Option<(Number, usize)> {
    let mut number = number_value(items, index)?;
    let mut next = index + 1;
    if let Some(word) = word_at(items, next)
        && let Some(&(_, scale)) = SCALE_WORDS.iter().find(|(name, _)| *name == word)
    {
        number.value *= scale;
        next += 1;
    }
    match word_at(items, next) {
        Some("percent" | "pc") => {
            number.percent = true;
            next += 1;
        }
        Some("per") if word_at(items, next + 1) == Some("cent") => {
            number.percent = true;
            next += 2;
        }
        _ => {}
    }
    Some((number, next))
}

fn unit_of(number: &Number) -> Unit {
    match (number.percent, number.currency) {
        (true, _) => Unit::Percent,
        (false, Some(symbol)) => Unit::Currency(symbol),
        (false, None) => Unit::Count,
    }
}

/// The qualifier written just before `index`, if any.
fn qualifier_before(items: &[Item], index: usize) -> Qualifier {
    for (phrase, qualifier) in QUALIFIERS {
        let Some(start) = index.checked_sub(phrase.len()) else {
            continue;
        };
        if phrase
            .iter()
            .enumerate()
            .all(|(offset, word)| word_at(items, start + offset) == Some(word))
        {
            return *qualifier;
        }
    }
    Qualifier::Exactly
}

/// The figure starting at `index` (a number or a number word), if any, and
/// the index after it.
fn read_figure(items: &[Item], index: usize) -> Option<(Figure, usize)> {
    if let Some(&Item::Time(minutes)) = items.get(index) {
        let figure = Figure {
            qualifier: qualifier_before(items, index),
            value: minutes,
            unit: Unit::Time,
        };
        return Some((figure, index + 1));
    }
    let (number, next) = read_amount(items, index)?;
    let mut unit = unit_of(&number);
    let mut qualifier = qualifier_before(items, index);
    let mut next = next;
    if index > 0
        && word_at(items, index - 1) == Some("between")
        && word_at(items, next) == Some("and")
        && let Some((upper, after)) = read_amount(items, next + 1)
    {
        // "between 5 and 10%": the unit may be written only once.
        if unit == Unit::Count {
            unit = unit_of(&upper);
        }
        qualifier = Qualifier::Between(upper.value);
        next = after;
    }
    Some((
        Figure {
            qualifier,
            value: number.value,
            unit,
        },
        next,
    ))
}

/// Multi-word names folded into one token: "United States" and friends.
/// Returns the token and the index after the phrase.
fn compound(items: &[Item], index: usize) -> Option<(&'static str, usize)> {
    let word = word_at(items, index)?;
    let next = word_at(items, index + 1);
    match (word, next) {
        ("united", Some("states")) => Some(("usa", index + 2)),
        ("united", Some("kingdom")) => Some(("uk", index + 2)),
        ("united", Some("nations")) => Some(("un", index + 2)),
        // "Latin America" is not the United States.
        ("latin" | "south" | "central" | "north", Some("america" | "american" | "americans")) => {
            Some(("latin-america", index + 2))
        }
        _ => None,
    }
}

/// Verbs and adjectives of increase, one a line, sorted.
const RISING: &[&str] = word_list!("fingerprint/rising.txt");

/// Verbs and adjectives of decrease, one a line, sorted.
const FALLING: &[&str] = word_list!("fingerprint/falling.txt");

const NEGATIONS: &[&str] = word_list!("fingerprint/negations.txt");

/// Function words, reporting verbs and honorifics: they say nothing about
/// what is claimed.
const STOPWORDS: &[&str] = word_list!("fingerprint/stopwords.txt");

fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// Demonyms and synonyms folded before stemming, so "Mexican soil" and
/// "Mexico's soil" or "soldiers" and "troops" share a token.
static FOLDS: LazyLock<Vec<(&str, &str)>> = LazyLock::new(|| {
    include_str!("words/fingerprint/folds.tsv")
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .collect()
});

/// Words the plural rule would mangle.
const UNSTEMMED: &[&str] = word_list!("fingerprint/unstemmed.txt");

/// Replaces the first of `rules` whose suffix `stem` ends with, keeping at
/// least `min_stem` letters; "ss", "us" and "is" are not plurals.
fn replace_suffix(stem: &mut String, rules: &[(&str, &str)], min_stem: usize) {
    for (suffix, replacement) in rules {
        let Some(base) = stem.strip_suffix(suffix) else {
            continue;
        };
        if base.chars().count() >= min_stem && !(*suffix == "s" && base.ends_with(['s', 'u', 'i']))
        {
            stem.truncate(base.len());
            stem.push_str(replacement);
            return;
        }
    }
}

/// Folds, stems and spelling-normalises a lower-cased word. The rules are
/// crude but applied identically to every sentence, which is all matching
/// needs.
fn normalise(word: &str) -> String {
    // A folded word is stemmed as the word it is folded into would be.
    let word = lookup(&FOLDS, word).unwrap_or(word);
    if !word.chars().all(char::is_alphabetic)
        || word.chars().count() <= 3
        || UNSTEMMED.contains(&word)
    {
        return word.to_owned();
    }
    let mut stem = word.to_owned();
    replace_suffix(&mut stem, &[("ies", "y"), ("sses", "ss"), ("s", "")], 3);
    // "early" is not "ear" + "ly".
    replace_suffix(&mut stem, &[("ly", "")], 4);
    replace_suffix(
        &mut stem,
        &[
            ("isation", "izate"),
            ("ization", "izate"),
            ("ational", "ate"),
            ("ation", "ate"),
            ("ingly", ""),
            ("ing", ""),
            ("edly", ""),
            ("ed", ""),
        ],
        3,
    );
    if stem.chars().count() > 3 && stem.ends_with('e') {
        stem.pop();
    }
    // British and American spellings: "organis-" / "organiz-",
    // "defenc-" / "defens-", "signall-" / "signal-".
    replace_suffix(&mut stem, &[("is", "iz"), ("nc", "ns")], 1);
    let mut last_two = stem.chars().rev().take(2);
    if stem.chars().count() > 3 && last_two.next() == last_two.next() {
        stem.pop();
    }
    stem
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(sentence: &str) -> Vec<String> {
        Fingerprint::of(sentence).tokens().to_vec()
    }

    fn figures(sentence: &str) -> Vec<String> {
        Fingerprint::of(sentence)
            .figures()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(STOPWORDS.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(RISING.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(FALLING.windows(2).all(|pair| pair[0] < pair[1]));
        assert!(NUMBER_WORDS.windows(2).all(|pair| pair[0].0 < pair[1].0));
        assert!(FOLDS.windows(2).all(|pair| pair[0].0 < pair[1].0));
    }

    #[test]
    fn united_states_variants_fold_but_pronoun_us_does_not() {
        for sentence in [
            "troops in the U.S.",
            "troops in the US",
            "troops in the United States",
            "troops in America",
        ] {
            assert_eq!(tokens(sentence), ["troop", "usa"], "{sentence}");
        }
        assert_eq!(tokens("they helped us"), ["help"]);
        assert_eq!(tokens("Latin America"), ["latin-america"]);
    }

    #[test]
    fn a_name_given_with_its_acronym_reads_as_the_acronym() {
        assert_eq!(
            tokens("India’s Directorate General of Civil Aviation (DGCA) confirmed it."),
            ["confirm", "dgca", "india"]
        );
        assert_eq!(
            tokens("India’s Directorate General of Civil Aviation (DGCA) confirmed it."),
            tokens("India’s DGCA confirmed it.")
        );
        // Initials that do not spell the acronym, an acronym with no name before it, and a
        // parenthesis that is no acronym leave the words as they are.
        assert_eq!(
            tokens("The civil aviation authority (DGCA) confirmed it."),
            tokens("The civil aviation authority DGCA confirmed it.")
        );
        assert_eq!(tokens("(DGCA) confirmed it."), ["confirm", "dgca"]);
        // An acronym inside the name gives all its letters.
        for sentence in [
            "The U.S. Geological Survey (USGS) warned.",
            "The US Geological Survey (USGS) warned.",
            "The United States Geological Survey (USGS) warned.",
        ] {
            assert_eq!(tokens(sentence), tokens("The USGS warned."), "{sentence}");
        }
        assert_eq!(
            tokens("Civil Aviation (for now) confirmed it."),
            tokens("Civil Aviation for now confirmed it.")
        );
        assert_eq!(
            tokens(
                "The National Transportation Safety Board (NTSB) and the Federal Aviation \
                 Administration (FAA) said so."
            ),
            ["faa", "ntsb"]
        );
    }

    #[test]
    fn percent_variants_are_one_figure() {
        for sentence in ["87 per cent", "87%", "87 percent"] {
            assert_eq!(figures(sentence), ["87%"], "{sentence}");
        }
    }

    #[test]
    fn qualifiers_scales_and_ranges_are_part_of_the_figure() {
        assert_eq!(figures("more than 50 leaders"), ["more than 50"]);
        assert_eq!(figures("over 100,000 lives"), ["more than 100,000"]);
        assert_eq!(figures("as much as 97 percent"), ["up to 97%"]);
        assert_eq!(
            figures("$1.5 billion and $2bn"),
            ["$1.5 billion", "$2 billion"]
        );
        assert_eq!(
            figures("between 250,000 and 300,000 people"),
            ["between 250,000 and 300,000"]
        );
        assert_eq!(figures("six Mexican cartels"), ["6"]);
        assert_eq!(
            figures("the MS-13 gang and F-35 jets"),
            Vec::<String>::new()
        );
        // A range written with an en dash is one figure, as "between … and …" is.
        assert_eq!(
            figures("9–13 feet of storm surge and up to 30–40 inches of rain"),
            ["between 9 and 13", "between 30 and 40"]
        );
    }

    fn anchors(sentence: &str) -> Vec<(String, Vec<String>, Option<String>)> {
        Fingerprint::of(sentence)
            .anchored_figures()
            .iter()
            .map(|a| {
                (
                    a.figure.to_string(),
                    a.neighbours.clone(),
                    a.counted.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn a_figure_is_anchored_to_what_it_counts() {
        let owned = |words: &[&str]| words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        // "feet" says what 13 counts, not what four does.
        assert_eq!(
            anchors("a storm surge of up to 13 feet (four metres) along the coast"),
            [
                (
                    "up to 13".to_owned(),
                    owned(&["surg", "feet"]),
                    Some("feet".to_owned())
                ),
                ("4".to_owned(), owned(&["metr"]), Some("metr".to_owned())),
            ]
        );
        // A figure followed by a function word counts nothing it names.
        assert_eq!(
            anchors("the death toll has risen to 1,000, with 1,670 people injured")[0],
            ("1000".to_owned(), owned(&["risen", "peopl"]), None)
        );
    }

    #[test]
    fn a_time_of_day_is_one_figure_however_written() {
        for sentence in [
            "The thieves got in at 9:30am.",
            "The thieves got in at 09:30.",
            "The thieves got in at 9.30 a.m. on Sunday.",
        ] {
            assert_eq!(figures(sentence), ["09:30"], "{sentence}");
            assert!(
                !tokens(sentence).iter().any(|t| t.contains("30")),
                "{sentence}"
            );
        }
        assert_eq!(figures("Power was back by 5:00 a.m."), ["05:00"]);
        assert_eq!(figures("Power was back by 5 a.m."), ["05:00"]);
        assert_eq!(figures("The grid failed at 12:33 p.m."), ["12:33"]);
        assert_eq!(
            figures("The crash came at about 1:38 p.m."),
            ["about 13:38"]
        );
        // Other figures stay what they were.
        assert_eq!(
            figures("A magnitude 6.7 aftershock hit at 5 p.m."),
            ["6.7", "17:00"]
        );
        assert_eq!(figures("Ratio 3:1 in 2019."), ["1", "3", "2019"]);
    }

    #[test]
    fn a_number_in_a_name_is_a_word_of_the_name() {
        let sentence = "The S&P 500 and the Nasdaq 100 fell 2% as a Falcon 9 flew.";
        assert_eq!(figures(sentence), ["2%"]);
        assert_eq!(
            tokens(sentence),
            ["falcon9", "fel", "flew", "nasdaq100", "s&p500"]
        );
        // A date, a sentence's first word and a number after a mark stay figures.
        assert_eq!(
            figures("In 2019, the storm hit on June 12."),
            ["12", "2019"]
        );
        assert_eq!(figures("Officials said, 241 people died."), ["241"]);
    }

    #[test]
    fn a_negation_bears_on_the_word_after_it() {
        let negated = |sentence: &str| Fingerprint::of(sentence).polarity().negated_words.clone();
        assert_eq!(negated("Mexico will not accept troops."), ["accept"]);
        assert_eq!(negated("Mexico won’t accept troops."), ["accept"]);
        assert_eq!(
            negated("Officials warned of a surge and said preparation was no longer possible."),
            ["longer"]
        );
        assert!(negated("Mexico will accept troops.").is_empty());
    }

    #[test]
    fn spelling_variants_share_stems() {
        assert_eq!(
            tokens("foreign terrorist organisations"),
            tokens("foreign terrorist organization")
        );
        assert_eq!(tokens("signalling"), tokens("signaling"));
        assert_eq!(tokens("Mexican soil"), tokens("Mexico's soil"));
    }

    #[test]
    fn negation_and_questions_are_flagged() {
        assert!(Fingerprint::of("Mexico will not accept troops.").is_negated());
        assert!(Fingerprint::of("Mexico won’t accept troops.").is_negated());
        assert!(!Fingerprint::of("Mexico will accept troops.").is_negated());
        assert!(Fingerprint::of("Will Mexico accept troops?").is_question());
    }

    #[test]
    fn odd_input_does_not_panic() {
        for text in [
            "", "$", "%", "$%", "1,2,3", "..", "-", "U.S.-", "’s", "é.’", "9bn%", "\u{0}",
        ] {
            let _ = Fingerprint::of(text);
        }
        let enormous = "9".repeat(400);
        assert!(Fingerprint::of(&enormous).figures().is_empty());
    }
}
