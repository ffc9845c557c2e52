//! Who a sentence credits (attribution) and who made its claim (claimant).
//!
//! Attribution is the source the reporting relies on: a news outlet ("NBC
//! News reported", "told the New York Times", "according to The Guardian"),
//! an anonymous group ("officials said", "sources said") or whoever
//! "according to" names. Outlet names are normalised so that one report
//! repeated by many articles counts once. A person who simply "said"
//! something is the claimant, not an attribution.
//!
//! The claimant is whoever the sentence says made the claim: a person,
//! organisation or group ("Trump said", "President Claudia Sheinbaum
//! asserted", "critics warn"), with titles stripped.

use std::sync::LazyLock;

use super::quotes::{inside, quote_spans};
use super::sentences::{MONTHS, WEEKDAYS};
use super::tokens::{Tokenizer, always, never};

/// The party `sentence` credits for its information, normalised ("NBC
/// News", "The New York Times", "officials", "US officials"), if any.
/// An outlet named anywhere in the credit wins: "US officials speaking to
/// the New York Times" gives "The New York Times".
pub fn attribution(sentence: &str) -> Option<String> {
    let words = words(sentence);
    outlet_credit(&words).or_else(|| group_credit(&words))
}

/// Who `sentence` says made its claim, with titles stripped ("Claudia
/// Sheinbaum", "Trump", "critics"). None when there is no speaker or it is
/// only a pronoun ("He claimed …").
pub fn claimant(sentence: &str) -> Option<String> {
    claimant_with_context(sentence, None)
}

/// Like [`claimant`], but a speaker given only as a pronoun is taken to be
/// `previous_claimant`, the claimant of the preceding sentence as fully as the
/// article names them: "he"/"she" when that is a person's name, first name
/// and last ("Claudia Sheinbaum"; not "Democrats", "General Motors", an
/// outlet, a group or an organisation), "they" when it is a group. Gender is
/// not checked.
pub fn claimant_with_context(sentence: &str, previous_claimant: Option<&str>) -> Option<String> {
    if let Some(author) = post_author(sentence) {
        return Some(author);
    }
    // Groups are written in lower case ("officials", "US officials").
    let is_group = |name: &&str| {
        name.split(' ')
            .any(|word| word.starts_with(char::is_lowercase))
    };
    match find_claimant(&words(sentence)) {
        Some(Speaker::Named(name)) => Some(name),
        Some(Speaker::Person) => previous_claimant
            .filter(|name| is_full_personal_name(name))
            .map(str::to_owned),
        Some(Speaker::Group) => previous_claimant.filter(is_group).map(str::to_owned),
        Some(Speaker::Continuation) => previous_claimant.map(str::to_owned),
        None => None,
    }
}

/// Whether `name` reads as a person's name in full: two or more capitalised words, no outlet,
/// and no organisation's last word ("Ford Motor Company", "State Department").
fn is_full_personal_name(name: &str) -> bool {
    let words: Vec<&str> = name.split(' ').collect();
    let last = words
        .last()
        .map(|word| word.to_lowercase())
        .unwrap_or_default();
    words.len() >= 2
        && words
            .iter()
            .all(|word| word.starts_with(char::is_uppercase))
        && outlet_name(name).is_none()
        && !ORGANISATION_WORDS.contains(&last.as_str())
}

/// Most words a name is completed to: "Vishwash Kumar Ramesh", "Andrés Manuel López Obrador".
const MAX_NAME_WORDS: usize = 4;

/// The fullest form of a person's name that `article` writes: "Sheinbaum" becomes "Claudia
/// Sheinbaum" where the article says "President Claudia Sheinbaum" (titles are no part of a
/// name). Groups ("officials"), outlets and names the article never writes longer stay as
/// they are. Of several longer forms, the longest; but a name the article writes for two
/// people ("Melania Trump", "Donald Trump") stays as written, as either may be meant.
pub fn fullest_name(name: &str, article: &str) -> String {
    let parts: Vec<&str> = name.split(' ').collect();
    let is_name = |part: &&str| part.starts_with(char::is_uppercase);
    if parts.len() >= MAX_NAME_WORDS || !parts.iter().all(is_name) || outlet_name(name).is_some() {
        return name.to_owned();
    }
    let tokens: Vec<&str> = article.split_whitespace().collect();
    let mut longer_forms: Vec<String> = Vec::new();
    for end in 0..tokens.len() {
        let Some(start) = (end + 1).checked_sub(parts.len()) else {
            continue;
        };
        let written = tokens[start..=end].iter().zip(&parts).all(|(token, part)| {
            let token = token.trim_end_matches(|c: char| !c.is_alphanumeric());
            let token = token
                .strip_suffix("’s")
                .or(token.strip_suffix("'s"))
                .unwrap_or(token);
            token == *part
        });
        if !written {
            continue;
        }
        let first = name_start(&tokens, start, end);
        if first < start {
            let longer = format!("{} {name}", tokens[first..start].join(" "));
            if !longer_forms.contains(&longer) {
                longer_forms.push(longer);
            }
        }
    }
    let Some(fullest) = longer_forms
        .iter()
        .max_by_key(|form| form.split(' ').count())
    else {
        return name.to_owned();
    };
    // Every other form a shorter writing of the fullest ("Sheinbaum Pardo" of "Claudia
    // Sheinbaum Pardo"), or the name is two people's.
    let one_person = longer_forms
        .iter()
        .all(|form| fullest.ends_with(&format!(" {form}")) || form == fullest);
    // "Melania Trump" is not the "Trump" the article writes of as a man.
    let first_names: Vec<&str> = fullest
        .split(' ')
        .take_while(|word| *word != parts[0])
        .collect();
    let as_written = gender_written(&tokens, &parts, &[]);
    let in_full = gender_written(&tokens, &parts, &first_names);
    if one_person && !as_written.contradicts(&in_full) {
        fullest.clone()
    } else {
        name.to_owned()
    }
}

/// Where the name whose last words end at `end` and begin at `start` of `tokens` begins, once
/// the capitalised words before it are walked back over, up to a title, a lower-case word or
/// the end of a phrase.
fn name_start(tokens: &[&str], start: usize, end: usize) -> usize {
    let mut first = start;
    while first > 0 && end + 1 - first < MAX_NAME_WORDS {
        let before = tokens[first - 1];
        let bare = before.trim_start_matches(|c: char| !c.is_alphanumeric());
        let lower = bare.to_lowercase();
        if bare.len() != before.len()
            || !bare.starts_with(char::is_uppercase)
            || !bare.chars().all(char::is_alphabetic)
            || TITLES.contains(&lower.as_str())
            || NOT_NAMES.contains(&lower.as_str())
            || RELATIVE_DAYS.contains(&lower.as_str())
            || WEEKDAYS.contains(&lower.as_str())
            || MONTHS.contains(&lower.as_str())
        {
            break;
        }
        first -= 1;
    }
    first
}

/// The one person `sentence` names, as fully as `article` names them, if it speaks of exactly
/// one: a person's name in full, or a name after a title ("President Macron"), with no other
/// person named or written of without a name ("the President", "a police spokesman").
/// Outlets, organisations, places and single words the article writes no longer ("the Fed’s
/// Board of Governors", "Police") are no people; two names of one person ("Claudia Sheinbaum"
/// then "Sheinbaum") are one.
pub fn sole_person(sentence: &str, article: &str) -> Option<String> {
    let tokens: Vec<&str> = sentence.split_whitespace().collect();
    let runs = capitalised_runs(&tokens);
    if speaks_of_someone_unnamed(&tokens, &runs) {
        return None;
    }
    let mut sole: Option<String> = None;
    for (start, end) in runs {
        if !names_a_person(&tokens[start..=end], article) {
            continue;
        }
        // A title alone ("the President") is someone, unnamed.
        let RunName::Name { name, .. } = run_name(&tokens, start, end) else {
            return None;
        };
        let name = fullest_name(&name, article);
        match &sole {
            Some(known) if *known == name || known.ends_with(&format!(" {name}")) => {}
            Some(_) => return None,
            None => sole = Some(name),
        }
    }
    sole
}

/// Words for one person that a sentence may use without naming them ("a police spokesman").
const UNNAMED_PEOPLE: &[&str] = word_list!("attribution/unnamed-people.txt");

/// Whether `tokens` speak of a person without a name ("A police spokesman said officers
/// arrested Juarez"), whom a pronoun after may be. A word for a person right before a name, or
/// before a comma and a name, is that person ("immigration minister Caroline Nokes", "the sole
/// survivor, 40-year-old Vishwas Kumar Ramesh").
fn speaks_of_someone_unnamed(tokens: &[&str], runs: &[(usize, usize)]) -> bool {
    tokens.iter().enumerate().any(|(at, token)| {
        let word = token.trim_matches(|c: char| !c.is_alphanumeric());
        if !UNNAMED_PEOPLE.contains(&word) {
            return false;
        }
        let before_a_name =
            |start: usize| start == at + 1 || token.ends_with(',') && start == at + 2;
        !runs.iter().any(|&(start, _)| before_a_name(start))
    })
}

/// The runs of capitalised words of `tokens`, as (first, last) indexes: a run ends at a word
/// followed by punctuation ("Miran,") or written as a possessive ("Fed’s").
fn capitalised_runs(tokens: &[&str]) -> Vec<(usize, usize)> {
    let bare = |token: &str| {
        token
            .trim_start_matches(|c: char| !c.is_alphanumeric())
            .trim_end_matches(|c: char| !c.is_alphanumeric())
            .to_owned()
    };
    let mut runs = Vec::new();
    let mut start = None;
    for (at, token) in tokens.iter().enumerate() {
        let word = bare(token);
        let capitalised = word.starts_with(char::is_uppercase)
            && word
                .chars()
                .all(|c| c.is_alphabetic() || "’'.-".contains(c));
        if capitalised {
            let first = *start.get_or_insert(at);
            let ends = token.ends_with(|c: char| !c.is_alphanumeric())
                || word.ends_with("’s")
                || word.ends_with("'s");
            if ends {
                runs.push((first, at));
                start = None;
            }
        } else if let Some(first) = start.take() {
            runs.push((first, at - 1));
        }
    }
    if let Some(first) = start {
        runs.push((first, tokens.len() - 1));
    }
    runs
}

/// What a run of capitalised words names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RunName {
    /// Titles alone ("the President"): someone, unnamed.
    Titles,
    /// A word that is no name ("The", "According"), or an organisation's.
    NoName,
    /// The name the run ends with, without the titles and descriptors before it ("US
    /// President Donald Trump" is "Donald Trump"), and whether a title came before it.
    Name { name: String, titled: bool },
}

fn run_name(tokens: &[&str], first: usize, end: usize) -> RunName {
    let bare: Vec<&str> = tokens[first..=end]
        .iter()
        .map(|token| {
            let token = token.trim_matches(|c: char| !c.is_alphanumeric());
            token
                .strip_suffix("’s")
                .or(token.strip_suffix("'s"))
                .unwrap_or(token)
        })
        .collect();
    let is_title = |word: &str| TITLES.contains(&word.to_lowercase().as_str());
    let last = bare.len() - 1;
    let last_word = bare[last].to_lowercase();
    // "The White House", "the State Department": an organisation, though "house" and
    // "state" open titles too.
    if NOT_NAMES.contains(&last_word.as_str()) || ORGANISATION_WORDS.contains(&last_word.as_str()) {
        return RunName::NoName;
    }
    // "Mexican cartels", "U.S. forces": a descriptor alone is no one.
    if DESCRIPTORS.contains(&last_word.as_str()) {
        return RunName::NoName;
    }
    if is_title(bare[last]) {
        return RunName::Titles;
    }
    let start = name_start(&bare, last, last);
    RunName::Name {
        name: bare[start..].join(" "),
        titled: bare[..start].iter().any(|word| is_title(word)),
    }
}

/// Whether the capitalised words `tokens` open with name a person: a title ("President
/// Biden", "Prince William") or a person's name in full as `article` writes it. Places,
/// organisations and single words the article writes no longer ("the Fed’s Board of
/// Governors") are not.
fn names_a_person(tokens: &[&str], article: &str) -> bool {
    let Some(&(first, end)) = capitalised_runs(tokens).first().filter(|run| run.0 == 0) else {
        return false;
    };
    match run_name(tokens, first, end) {
        RunName::Titles => true,
        RunName::NoName => false,
        RunName::Name { name, titled } => {
            let full = fullest_name(&name, article);
            titled || is_full_personal_name(&full) && !written_as_a_place(&full, article)
        }
    }
}

/// Words right before a place's or a thing's name that a person's name never follows: "in
/// Mexico City", "the Notre Dame cathedral".
const BEFORE_PLACES: &[&str] = &[
    "the",
    "in",
    "at",
    "near",
    "inside",
    "outside",
    "across",
    "throughout",
];

/// Whether `article` writes the words of `name` right after one of `BEFORE_PLACES`.
fn written_as_a_place(name: &str, article: &str) -> bool {
    let parts: Vec<&str> = name.split(' ').collect();
    let tokens: Vec<&str> = article.split_whitespace().collect();
    tokens.windows(parts.len() + 1).any(|window| {
        BEFORE_PLACES.contains(&window[0].to_lowercase().as_str())
            && window[1..].iter().zip(&parts).all(|(token, part)| {
                token.trim_end_matches(|c: char| !c.is_alphanumeric()) == *part
            })
    })
}

/// A man or a woman, as a pronoun or a title says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Man,
    Woman,
}

/// What an article says of one person's gender: whether it writes of them as a man, as a
/// woman, both (two people of one name, or a pronoun that was someone else's), or neither.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GenderWritten {
    pub man: bool,
    pub woman: bool,
}

impl GenderWritten {
    /// The gender the article gives, when it gives one and only one.
    pub fn known(&self) -> Option<Gender> {
        match (self.man, self.woman) {
            (true, false) => Some(Gender::Man),
            (false, true) => Some(Gender::Woman),
            _ => None,
        }
    }

    /// Whether `gender` goes against what the article says: it gives the other, or both.
    pub fn refuses(&self, gender: Gender) -> bool {
        self.man && self.woman || self.known().is_some_and(|known| known != gender)
    }

    fn contradicts(&self, other: &GenderWritten) -> bool {
        matches!((self.known(), other.known()), (Some(a), Some(b)) if a != b)
    }
}

/// Titles that say a man ("Mr", "King", "spokesman") or a woman ("Ms", "Queen",
/// "spokeswoman", "first lady") when they stand right before a name.
const TITLES_OF_MEN: &[&str] = word_list!("attribution/titles-of-men.txt");
const TITLES_OF_WOMEN: &[&str] = word_list!("attribution/titles-of-women.txt");

/// Most words after a name in which its pronoun ("…, signalling that his administration …")
/// is looked for.
const PRONOUN_REACH: usize = 12;

/// What `article` says of the gender of the person it names `name` ("Claudia Sheinbaum", or
/// "Sheinbaum"): from a title right before a writing of the name ("Ms Sheinbaum"), and from
/// the first third-person pronoun after it in its sentence ("Sheinbaum said her government
/// …"), when no other name, quotation or sentence end comes between. A writing of the last
/// name with other first names ("Melania Trump" for "Donald Trump") is someone else's.
pub fn gender_of(name: &str, article: &str) -> GenderWritten {
    let parts: Vec<&str> = name.split(' ').collect();
    let Some((last, first_names)) = parts.split_last() else {
        return GenderWritten::default();
    };
    let tokens: Vec<&str> = article.split_whitespace().collect();
    // The last name alone, and with this person's first names, the last of them or more.
    (0..=first_names.len())
        .map(|count| {
            let own = &first_names[first_names.len() - count..];
            gender_written(&tokens, &[*last], own)
        })
        .fold(GenderWritten::default(), |said, own| GenderWritten {
            man: said.man || own.man,
            woman: said.woman || own.woman,
        })
}

/// What the writings of the name `parts` in `tokens` with exactly `first_names` before them
/// (none: the name alone) say of a gender.
fn gender_written(tokens: &[&str], parts: &[&str], first_names: &[&str]) -> GenderWritten {
    let mut said = GenderWritten::default();
    let bare = |token: &str| {
        let token = token.trim_matches(|c: char| !c.is_alphanumeric());
        token
            .strip_suffix("’s")
            .or(token.strip_suffix("'s"))
            .unwrap_or(token)
            .to_owned()
    };
    for end in 0..tokens.len() {
        let Some(start) = (end + 1).checked_sub(parts.len()) else {
            continue;
        };
        if !tokens[start..=end]
            .iter()
            .zip(parts)
            .all(|(token, part)| bare(token) == *part)
        {
            continue;
        }
        let first = name_start(tokens, start, end);
        let written: Vec<String> = tokens[first..start].iter().map(|t| bare(t)).collect();
        if written != first_names {
            continue;
        }
        // Right before, with no comma between ("Mr. Trump", "first lady Melania Trump").
        let title = first
            .checked_sub(1)
            .map(|at| tokens[at].trim_end_matches('.'))
            .filter(|token| token.chars().all(char::is_alphabetic))
            .map(str::to_lowercase);
        if let Some(title) = title {
            said.man |= TITLES_OF_MEN.contains(&title.as_str());
            said.woman |= TITLES_OF_WOMEN.contains(&title.as_str());
        }
        for at in end + 1..tokens.len().min(end + 1 + PRONOUN_REACH) {
            let before = tokens[at - 1];
            let token = tokens[at];
            let ends_sentence = before.ends_with(['.', '!', '?', ':', ';'])
                || before.ends_with(['"', '”', '’', '\''])
                    && before
                        .trim_end_matches(['"', '”', '’', '\''])
                        .ends_with(['.', '!', '?']);
            if ends_sentence
                || token.starts_with(['"', '“', '‘', '\''])
                || token.starts_with(char::is_uppercase)
            {
                break;
            }
            match bare(token).as_str() {
                "he" | "him" | "his" | "himself" => said.man = true,
                "she" | "her" | "hers" | "herself" => said.woman = true,
                _ => continue,
            }
            break;
        }
    }
    said
}

/// A turn of a transcript: who speaks, as a label opening the paragraph gives them, and what
/// they said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn<'a> {
    /// The speaker with titles stripped and a name in capitals written as a name ("BIDEN"
    /// becomes "Biden"); none for a label of one letter ("Q:", "A:").
    pub speaker: Option<String>,
    /// The sentence after the label.
    pub said: &'a str,
}

/// Most words a speaker's label has: "SEN. ELIZABETH WARREN", "VICE PRESIDENT KAMALA HARRIS".
const MAX_LABEL_WORDS: usize = 5;

/// Labels that open a paragraph the way a speaker's does and name no one ("Note:",
/// "Editor's note:", "Update:").
const NOT_SPEAKERS: &[&str] = word_list!("attribution/not-speakers.txt");

/// The speaker's label that opens `sentence` in a transcript, "BIDEN: We created …", "Kristen
/// Welker: Good evening.", "Q: Did you …": capitalised words (titles and names) before a colon
/// and a space. A time ("10:30"), a lower-case word or a label such as "Note:" is no turn.
pub fn speaker_turn(sentence: &str) -> Option<Turn<'_>> {
    let (label, rest) = sentence.split_once(':')?;
    let said = rest.trim_start();
    if !rest.starts_with(char::is_whitespace) || said.is_empty() {
        return None;
    }
    let words: Vec<&str> = label.split_whitespace().collect();
    let is_label_word = |word: &&str| {
        word.starts_with(char::is_uppercase)
            && word
                .chars()
                .all(|c| c.is_alphabetic() || matches!(c, '.' | '-' | '\'' | '’'))
    };
    if words.is_empty() || words.len() > MAX_LABEL_WORDS || !words.iter().all(is_label_word) {
        return None;
    }
    let lower = label.trim().to_lowercase().replace('’', "'");
    if NOT_SPEAKERS.contains(&lower.as_str()) {
        return None;
    }
    if let [word] = words[..]
        && word.chars().count() == 1
    {
        return Some(Turn {
            speaker: None,
            said,
        });
    }
    let is_title = |word: &&str| {
        let bare = word.trim_end_matches('.').to_lowercase();
        TITLES.contains(&bare.as_str()) || bare == "the"
    };
    let name = match words.iter().position(|word| !is_title(word)) {
        Some(first) => &words[first..],
        None => &words[..],
    };
    let speaker = name
        .iter()
        .map(|word| written_as_a_name(word))
        .collect::<Vec<_>>()
        .join(" ");
    Some(Turn {
        speaker: Some(speaker),
        said,
    })
}

/// A word of a name as names are written: "BIDEN" is "Biden", "O'ROURKE" is "O'Rourke",
/// "MCCAIN" stays "Mccain"; a word with lower-case letters is left as it is.
fn written_as_a_name(word: &str) -> String {
    if word.chars().any(char::is_lowercase) {
        return word.to_owned();
    }
    let mut out = String::with_capacity(word.len());
    let mut start = true;
    for c in word.chars() {
        if start {
            out.push(c);
        } else {
            out.extend(c.to_lowercase());
        }
        start = matches!(c, '-' | '\'' | '’');
    }
    out
}

/// Capitalised words that say when, never part of a name ("On Monday Sheinbaum said"), beside
/// `WEEKDAYS` and `MONTHS`.
const RELATIVE_DAYS: &[&str] = word_list!("attribution/relative-days.txt");

/// The author of an embedded post signed "— Name (@handle) date".
fn post_author(sentence: &str) -> Option<String> {
    let handle = sentence.find("(@")?;
    let before = &sentence[..handle];
    let dash = before.rfind(['—', '–'])?;
    let name = before[dash..].trim_start_matches(['—', '–']).trim();
    (!name.is_empty() && name.split(' ').count() <= 6).then(|| name.to_owned())
}

/// A word of a sentence with its surrounding punctuation removed.
#[derive(Debug)]
struct Word<'a> {
    text: &'a str,
    lower: String,
    /// A comma, colon, dash or similar follows: a phrase ends here.
    break_after: bool,
    quoted: bool,
}

impl Word<'_> {
    fn is(&self, lower: &str) -> bool {
        self.lower == lower
    }

    fn capitalised(&self) -> bool {
        self.text.starts_with(char::is_uppercase)
    }
}

/// A word is what lies between whitespace or dashes, without the marks at its ends ("U.S.",
/// "Agence France-Presse" and "attorney general's" stay whole).
const TOKENIZER: Tokenizer = Tokenizer {
    separates: is_dash,
    opens: never,
    closes: never,
    joins: always,
};

fn is_dash(c: char) -> bool {
    matches!(c, '—' | '–')
}

fn words(sentence: &str) -> Vec<Word<'_>> {
    let quotes = quote_spans(sentence);
    let mut out: Vec<Word<'_>> = Vec::new();
    // Whether the marks read since the last word are stuck to it ("said," but not "said ,").
    let mut stuck = false;
    let mut end = 0;
    TOKENIZER.each_token(sentence, |token| {
        let gap = &sentence[end..token.start];
        end = token.end();
        stuck &= gap.is_empty();
        if let Some(last) = out.last_mut() {
            // A full stop inside a sentence ends an abbreviation ("U.S."), not a phrase.
            let ends_phrase = matches!(token.text, "," | ";" | ":" | "?" | "!" | ")");
            last.break_after |= gap.contains(is_dash) || !token.is_word && stuck && ends_phrase;
        }
        if token.is_word {
            out.push(Word {
                text: token.text,
                lower: token.text.to_lowercase(),
                break_after: false,
                quoted: inside(&quotes, token.start),
            });
            stuck = true;
        }
    });
    if let Some(last) = out.last_mut() {
        last.break_after |= sentence[end..].contains(is_dash);
    }
    out
}

/// Outlets whose names are commonly written several ways, keyed by the
/// lower-cased name without a leading "the" and without dots.
static OUTLET_ALIASES: LazyLock<Vec<(&str, &str)>> = LazyLock::new(|| {
    include_str!("words/attribution/outlet-aliases.tsv")
        .lines()
        .filter_map(|line| line.split_once('\t'))
        .collect()
});

/// Last words that mark a name as a news outlet.
const OUTLET_WORDS: &[&str] = word_list!("attribution/outlet-words.txt");

/// The canonical name of an outlet, or None if `name` does not look like one.
fn outlet_name(name: &str) -> Option<String> {
    let name = strip_article(name);
    let key = name.to_lowercase().replace('.', "");
    if let Some(&(_, canonical)) = OUTLET_ALIASES.iter().find(|(alias, _)| *alias == key) {
        return Some(canonical.to_owned());
    }
    let last = key.rsplit(' ').next().unwrap_or_default();
    let looks_like_outlet = OUTLET_WORDS.contains(&last) || key.starts_with("news");
    looks_like_outlet.then(|| name.to_owned())
}

fn strip_article(name: &str) -> &str {
    ["the ", "The ", "a ", "A ", "an ", "An "]
        .iter()
        .find_map(|article| name.strip_prefix(article))
        .unwrap_or(name)
}

fn phrase(words: &[Word<'_>]) -> String {
    words
        .iter()
        .map(|word| word.text)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Lower-case words that may sit inside a name ("Bank of America").
const NAME_CONNECTORS: &[&str] = word_list!("attribution/name-connectors.txt");

/// Capitalised words that open sentences or clauses rather than names.
const NOT_NAMES: &[&str] = word_list!("attribution/not-names.txt");

/// The capitalised name starting at `start` (after an optional "the"),
/// up to the first phrase break.
fn name_forward(words: &[Word<'_>], start: usize) -> Option<(usize, usize)> {
    let mut first = start;
    if words.get(first).is_some_and(|word| word.is("the")) {
        first += 1;
    }
    let mut end = first;
    while let Some(word) = words.get(end) {
        // "Juan Ramón de la Fuente": connectors lead on to a capital.
        let connector = NAME_CONNECTORS.contains(&word.lower.as_str())
            && words[end..]
                .iter()
                .find(|next| !NAME_CONNECTORS.contains(&next.lower.as_str()))
                .is_some_and(Word::capitalised);
        if !(word.capitalised() || connector) || word.quoted {
            break;
        }
        end += 1;
        if word.break_after {
            break;
        }
    }
    (end > first).then_some((start, end))
}

/// The capitalised name ending at `last` (inclusive), stopping at a phrase
/// break or a sentence-opening word.
fn name_backward(words: &[Word<'_>], last: usize) -> Option<(usize, usize)> {
    let is_name_word = |word: &Word<'_>| {
        word.capitalised() && !word.quoted && !NOT_NAMES.contains(&word.lower.as_str())
    };
    if !is_name_word(words.get(last)?) {
        return None;
    }
    let mut start = last;
    while start > 0 {
        let previous = &words[start - 1];
        let connector = NAME_CONNECTORS.contains(&previous.lower.as_str());
        if previous.break_after || !(is_name_word(previous) || connector) {
            break;
        }
        start -= 1;
    }
    while start < last && NAME_CONNECTORS.contains(&words[start].lower.as_str()) {
        start += 1;
    }
    Some((start, last + 1))
}

/// An outlet credited by "according to", "told", "reports by" or an
/// outlet-as-subject verb.
fn outlet_credit(words: &[Word<'_>]) -> Option<String> {
    for (index, word) in words.iter().enumerate() {
        if word.quoted {
            continue;
        }
        let next_is =
            |offset: usize, lower: &str| words.get(index + offset).is_some_and(|w| w.is(lower));
        let found = if word.is("according") && next_is(1, "to") {
            according_to(words, index + 2)
        } else if matches!(word.lower.as_str(), "told" | "tells" | "tell") {
            outlet_at(words, index + 1)
        } else if (SPOKEN_TO.contains(&word.lower.as_str()) && next_is(1, "to"))
            || (CREDITED_WORKS.contains(&word.lower.as_str())
                && words
                    .get(index + 1)
                    .is_some_and(|w| matches!(w.lower.as_str(), "by" | "from" | "in" | "with")))
        {
            outlet_at(words, index + 2)
        } else if OUTLET_VERBS.contains(&word.lower.as_str()) {
            subject_before(words, index)
                .and_then(|(start, end)| outlet_name(&phrase(&words[start..end])))
        } else {
            None
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// "speaking to X", "said to X": X is credited.
const SPOKEN_TO: &[&str] = word_list!("attribution/spoken-to.txt");

/// "reports by X", "an interview with X": X is credited.
const CREDITED_WORKS: &[&str] = word_list!("attribution/credited-works.txt");

/// Verbs whose subject, when it is an outlet, is the credited party.
const OUTLET_VERBS: &[&str] = word_list!("attribution/outlet-verbs.txt");

fn outlet_at(words: &[Word<'_>], start: usize) -> Option<String> {
    let (start, end) = name_forward(words, start)?;
    outlet_name(&phrase(&words[start..end]))
}

/// "according to [reporting from] X[, citing Y]": an outlet named anywhere
/// in the phrase ("sources consulted by NBC News") wins; otherwise the
/// party named first.
fn according_to(words: &[Word<'_>], start: usize) -> Option<String> {
    let mut end = start;
    while end < words.len() && end - start < 10 {
        let word = &words[end];
        if word.quoted || STOP_AFTER_SOURCE.contains(&word.lower.as_str()) {
            break;
        }
        end += 1;
        if word.break_after {
            break;
        }
    }
    let source = &words[start..end];
    for index in 0..source.len() {
        if let Some(outlet) = outlet_at(source, index) {
            return Some(outlet);
        }
    }
    according_to_party(words, start)
}

/// End of a group phrase whose noun is at `head`, taking in "familiar with
/// the matter" (the usual description of anonymous sources).
fn familiar_end(words: &[Word<'_>], head: usize) -> usize {
    let familiar = ["familiar", "with", "the"]
        .iter()
        .enumerate()
        .all(|(offset, expected)| words.get(head + 1 + offset).is_some_and(|w| w.is(expected)));
    if familiar && words.len() > head + 4 {
        head + 5
    } else {
        head + 1
    }
}

/// Words after which an "according to" source has ended.
const STOP_AFTER_SOURCE: &[&str] = word_list!("attribution/stop-after-source.txt");

/// Anonymous sources that reporting credits.
const GROUP_SOURCES: &[&str] = word_list!("attribution/group-sources.txt");

/// Verbs by which an anonymous group is credited.
const SOURCE_VERBS: &[&str] = word_list!("attribution/source-verbs.txt");

/// Words allowed between a group and its verb: auxiliaries, adverbs and
/// participial phrases such as "cited in the report".
const BETWEEN_SOURCE_AND_VERB: &[&str] = word_list!("attribution/between-source-and-verb.txt");

/// "officials said", "US officials cited in the report said", "a senior
/// administration official stated".
fn group_credit(words: &[Word<'_>]) -> Option<String> {
    for (index, word) in words.iter().enumerate() {
        if word.quoted || !GROUP_SOURCES.contains(&word.lower.as_str()) {
            continue;
        }
        // "People say …" credits nobody; "people familiar with …" do.
        let vague = matches!(word.lower.as_str(), "people" | "person");
        if vague && !words.get(index + 1).is_some_and(|next| next.is("familiar")) {
            continue;
        }
        let mut next = index + 1;
        let mut broken = word.break_after;
        while !broken
            && next < words.len()
            && next - index <= 7
            && BETWEEN_SOURCE_AND_VERB.contains(&words[next].lower.as_str())
        {
            broken = words[next].break_after;
            next += 1;
        }
        if !broken
            && words
                .get(next)
                .is_some_and(|verb| SOURCE_VERBS.contains(&verb.lower.as_str()))
        {
            let start = modifiers_start(words, index);
            return Some(group_phrase(&words[start..familiar_end(words, index)]));
        }
    }
    None
}

/// Lower-case modifiers that belong to a group ("senior administration
/// officials", "current officials").
const GROUP_MODIFIERS: &[&str] = word_list!("attribution/group-modifiers.txt");

/// Start of the modifiers before the group noun at `head`.
fn modifiers_start(words: &[Word<'_>], head: usize) -> usize {
    let mut start = head;
    while start > 0 {
        let previous = &words[start - 1];
        let modifier = GROUP_MODIFIERS.contains(&previous.lower.as_str())
            || previous.capitalised() && !NOT_NAMES.contains(&previous.lower.as_str());
        if previous.break_after || previous.quoted || !modifier {
            break;
        }
        start -= 1;
    }
    start
}

/// A group phrase with "U.S."/"American" written "US", common nouns in
/// lower case and a leading article dropped.
fn group_phrase(words: &[Word<'_>]) -> String {
    words
        .iter()
        .skip_while(|word| matches!(word.lower.as_str(), "a" | "an" | "the"))
        .map(|word| match word.lower.as_str() {
            "u.s" | "us" | "american" => "US",
            lower
                if GROUP_SOURCES.contains(&lower)
                    || CLAIMANT_GROUPS.contains(&lower)
                    || GROUP_MODIFIERS.contains(&lower) =>
            {
                lower
            }
            _ => word.text,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(Debug, PartialEq)]
enum Speaker {
    Named(String),
    /// "he" or "she": a person named earlier.
    Person,
    /// "they": a group named earlier.
    Group,
    /// A sentence that is all quotation continues the previous speaker.
    Continuation,
}

/// The speaker a pronoun stands for, if `word` is a third-person subject
/// pronoun. "I" and "we" speak inside quotations and are not resolved.
fn pronoun(word: &Word<'_>) -> Option<Speaker> {
    match word.lower.as_str() {
        "he" | "she" => Some(Speaker::Person),
        "they" => Some(Speaker::Group),
        _ => None,
    }
}

/// Verbs that introduce a claim.
const SPEECH_VERBS: &[&str] = word_list!("attribution/speech-verbs.txt");

/// Verbs that may come before their speaker ("…,” said Sheinbaum).
const INVERTING_VERBS: &[&str] = word_list!("attribution/inverting-verbs.txt");

/// Words that may stand between a speaker and the verb ("has repeatedly
/// said", "firmly rejected").
const SPEAKER_VERB_FILLERS: &[&str] = word_list!("attribution/speaker-verb-fillers.txt");

/// Groups that can make a claim.
const CLAIMANT_GROUPS: &[&str] = word_list!("attribution/claimant-groups.txt");

/// Participles that attach a phrase to a speaker ("officials cited in the
/// report said", "sources familiar with the plans say").
const PARTICIPLES: &[&str] = word_list!("attribution/participles.txt");

fn is_filler(word: &Word<'_>) -> bool {
    SPEAKER_VERB_FILLERS.contains(&word.lower.as_str())
        || word.lower.len() > 4 && word.lower.ends_with("ly") && !word.capitalised()
}

/// The subject right before the verb at `verb`: skips fillers, then takes a
/// name or a group; also accepts "GROUP cited in the report VERB".
fn subject_before(words: &[Word<'_>], verb: usize) -> Option<(usize, usize)> {
    let mut last = verb.checked_sub(1)?;
    while is_filler(&words[last]) && !words[last].break_after {
        last = last.checked_sub(1)?;
    }
    let word = &words[last];
    if word.break_after || word.quoted {
        return None;
    }
    if CLAIMANT_GROUPS.contains(&word.lower.as_str()) {
        return Some((modifiers_start(words, last), last + 1));
    }
    if let Some((start, end)) = name_backward(words, last) {
        // "Trump on Truth Social wrote": the name after a preposition is
        // where, not who.
        let preposition = start
            .checked_sub(1)
            .filter(|&at| PREPOSITIONS.contains(&words[at].lower.as_str()));
        return match preposition {
            Some(at) if !words[at].break_after => at
                .checked_sub(1)
                .and_then(|before| name_backward(words, before)),
            _ => Some((start, end)),
        };
    }
    // A participial phrase between speaker and verb.
    let earliest = last.saturating_sub(6);
    (earliest..last).rev().find_map(|participle| {
        if !PARTICIPLES.contains(&words[participle].lower.as_str()) || participle == 0 {
            return None;
        }
        let head = participle - 1;
        if words[head..last].iter().any(|word| word.break_after) {
            return None;
        }
        if CLAIMANT_GROUPS.contains(&words[head].lower.as_str()) {
            Some((modifiers_start(words, head), head + 1))
        } else {
            name_backward(words, head)
        }
    })
}

/// Prepositions whose object can sit between a speaker and the verb.
const PREPOSITIONS: &[&str] = word_list!("attribution/prepositions.txt");

/// Titles and descriptors dropped from the front of a speaker's name.
const TITLES: &[&str] = word_list!("attribution/titles.txt");

/// The titles that describe someone without naming an office ("Mexican", "Former", "U.S."):
/// written alone, they speak of no one.
const DESCRIPTORS: &[&str] = word_list!("attribution/descriptors.txt");

/// Last words of organisation names, which keep their descriptors
/// ("State Department", "House Judiciary Committee").
const ORGANISATION_WORDS: &[&str] = word_list!("attribution/organisation-words.txt");

/// A speaker's name without titles ("US President Donald Trump" → "Donald
/// Trump") and without a leading article.
fn speaker_name(words: &[Word<'_>]) -> String {
    let last = words
        .last()
        .map(|word| word.lower.as_str())
        .unwrap_or_default();
    if CLAIMANT_GROUPS.contains(&last) {
        return group_phrase(words);
    }
    let organisation = ORGANISATION_WORDS.contains(&last);
    let mut start = 0;
    while start + 1 < words.len() {
        let word = &words[start];
        let title = TITLES.contains(&word.lower.as_str()) && !organisation;
        let possessive = word.lower.ends_with("'s") || word.lower.ends_with("’s");
        if !(title || possessive || word.is("the")) {
            break;
        }
        start += 1;
    }
    // The tokens of an abbreviation leave out its last full stop ("U.S" of "U.S. Steel").
    let name = words[start..]
        .iter()
        .map(|word| match word.text.contains('.') {
            true => format!("{}.", word.text),
            false => word.text.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ");
    match outlet_name(&name) {
        Some(outlet) => outlet,
        None => name,
    }
}

fn find_claimant(words: &[Word<'_>]) -> Option<Speaker> {
    if !words.is_empty() && words.iter().all(|word| word.quoted) {
        return Some(Speaker::Continuation);
    }
    for (index, word) in words.iter().enumerate() {
        if word.quoted || !SPEECH_VERBS.contains(&word.lower.as_str()) {
            continue;
        }
        // "he said", "Trump has repeatedly said"
        let mut last = index;
        while last > 0 && is_filler(&words[last - 1]) && !words[last - 1].break_after {
            last -= 1;
        }
        let before = last.checked_sub(1).map(|at| &words[at]);
        if let Some(subject) = before
            && !subject.break_after
            && let Some(speaker) = pronoun(subject)
        {
            return Some(speaker);
        }
        if let Some((start, end)) = subject_before(words, index) {
            return Some(Speaker::Named(speaker_name(&words[start..end])));
        }
        // Inverted: "“…,” said Sheinbaum."
        let after_break = before.is_some_and(|word| word.quoted || word.break_after);
        if after_break
            && INVERTING_VERBS.contains(&word.lower.as_str())
            && let Some((start, end)) = name_forward(words, index + 1)
            && !words[end - 1].lower.ends_with("’s")
            && !words[end - 1].lower.ends_with("'s")
        {
            return Some(Speaker::Named(speaker_name(&words[start..end])));
        }
        // "Sheinbaum has rejected it, stating …", "Jordan, when asked …,
        // replied", "He compared … and argued": the sentence's subject.
        if (after_break || before.is_some_and(|word| word.is("and")))
            && let Some(speaker) = sentence_subject(words)
        {
            return Some(speaker);
        }
    }
    according_to_speaker(words)
}

/// The name or pronoun a sentence opens with, if it opens with one.
fn sentence_subject(words: &[Word<'_>]) -> Option<Speaker> {
    let first = words.first()?;
    if first.quoted {
        return None;
    }
    if let Some(speaker) = pronoun(first) {
        return Some(speaker);
    }
    if !first.capitalised() || NOT_NAMES.contains(&first.lower.as_str()) {
        return None;
    }
    let (start, end) = name_forward(words, 0)?;
    Some(Speaker::Named(speaker_name(&words[start..end])))
}

/// "according to Trump", "according to U.S. officials speaking to …",
/// "according to NBC News": the first party named.
fn according_to_speaker(words: &[Word<'_>]) -> Option<Speaker> {
    let according = words
        .windows(2)
        .position(|pair| !pair[0].quoted && pair[0].is("according") && pair[1].is("to"))?;
    according_to_party(words, according + 2).map(Speaker::Named)
}

/// The party named first after "according to" (`start` is the word after
/// "to"): a group ("US officials", "person familiar with the matter"), a
/// name without titles ("Trump", "NBC News") or a descriptive phrase
/// ("Mexican attorney general's office").
fn according_to_party(words: &[Word<'_>], start: usize) -> Option<String> {
    let mut first = start;
    while words.get(first).is_some_and(|word| {
        matches!(
            word.lower.as_str(),
            "reporting" | "reports" | "report" | "a" | "from" | "by" | "in"
        )
    }) {
        first += 1;
    }
    for at in first..words.len().min(first + 5) {
        let lower = words[at].lower.as_str();
        if CLAIMANT_GROUPS.contains(&lower) || GROUP_SOURCES.contains(&lower) {
            let end = familiar_end(words, at);
            return Some(group_phrase(&words[first..end]));
        }
        if words[at].break_after {
            break;
        }
    }
    let (start, end) = name_forward(words, first)?;
    let modifies_noun = !words[end - 1].break_after
        && words
            .get(end)
            .is_some_and(|next| !next.capitalised() && !next.quoted);
    if modifies_noun {
        // "the Mexican attorney general's office": the whole phrase.
        let phrase_end = (end..words.len().min(end + MAX_SOURCE_WORDS))
            .find(|&at| words[at].break_after || words[at].quoted)
            .map_or(words.len().min(end + MAX_SOURCE_WORDS), |at| at + 1);
        let name = phrase(&words[start..phrase_end]);
        return Some(strip_article(&name).to_owned());
    }
    Some(speaker_name(&words[start..end]))
}

/// Longest source phrase taken after "according to".
const MAX_SOURCE_WORDS: usize = 6;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_speakers_label_opens_a_turn_and_names_the_speaker() {
        let turn =
            |sentence| speaker_turn(sentence).map(|turn| (turn.speaker, turn.said.to_owned()));
        let said =
            |speaker: Option<&str>, said: &str| Some((speaker.map(str::to_owned), said.to_owned()));
        assert_eq!(
            turn("BIDEN: We created 15 million jobs."),
            said(Some("Biden"), "We created 15 million jobs.")
        );
        assert_eq!(
            turn("VICE PRESIDENT KAMALA HARRIS: Inflation is down."),
            said(Some("Kamala Harris"), "Inflation is down.")
        );
        assert_eq!(
            turn("SEN. O'ROURKE-SMITH:  It passed."),
            said(Some("O'Rourke-Smith"), "It passed.")
        );
        assert_eq!(
            turn("Kristen Welker: Good evening."),
            said(Some("Kristen Welker"), "Good evening.")
        );
        assert_eq!(
            turn("THE PRESIDENT: Thank you."),
            said(Some("The President"), "Thank you.")
        );
        assert_eq!(turn("Q: Did it pass?"), said(None, "Did it pass?"));
        for not_a_turn in [
            "The vote is at 10:30 tomorrow.",
            "At 10:30: nothing.",
            "He said three things: jobs, taxes and trade.",
            "Note: the figures are provisional.",
            "Editor’s note: this article was updated.",
            "BIDEN:",
            "BIDEN:no space",
            "No colon at all.",
            "One Two Three Four Five Six: too many words.",
        ] {
            assert_eq!(speaker_turn(not_a_turn), None, "{not_a_turn}");
        }
    }

    #[test]
    fn attribution_to_outlets() {
        let cases = [
            (
                "According to NBC News, two officials confirmed the plan.",
                "NBC News",
            ),
            ("The plan was leaked, NBC News reported.", "NBC News"),
            (
                "Reports by NBC News suggest the administration is planning it.",
                "NBC News",
            ),
            (
                "Officials told NBC News that the mission is new.",
                "NBC News",
            ),
            (
                "A general told the New York Times that it was ready.",
                "The New York Times",
            ),
            ("The NYT reported that it was ready.", "The New York Times"),
            (
                "The White House, according to U.S. officials speaking to the New York Times, \
                 is lobbying hard.",
                "The New York Times",
            ),
            (
                "The White House is pushing hard, U.S. officials said to the New York Times",
                "The New York Times",
            ),
            (
                "According to The Guardian, she told reporters it was over.",
                "The Guardian",
            ),
            (
                "The Daily Mail reported that the proposal builds on a promise.",
                "Daily Mail",
            ),
            (
                "NBC first released a story in April about the strikes.",
                "NBC News",
            ),
            (
                "According to sources consulted by NBC News, the strategy includes drones.",
                "NBC News",
            ),
            (
                "According to News18, the plan could authorize attacks.",
                "News18",
            ),
        ];
        for (sentence, expected) in cases {
            assert_eq!(
                attribution(sentence).as_deref(),
                Some(expected),
                "{sentence}"
            );
        }
    }

    #[test]
    fn attribution_to_groups_and_named_sources() {
        let cases = [
            ("Officials said the plan is ready.", "officials"),
            ("The plan is ready, officials said.", "officials"),
            (
                "US officials cited in the report said preliminary training has already begun.",
                "US officials",
            ),
            ("Sources said planning remains preliminary.", "sources"),
            (
                "A senior administration official stated, “We are ready.”",
                "senior administration official",
            ),
            (
                "The administration has begun planning, according to reporting from multiple \
                 news outlets.",
                "multiple news outlets",
            ),
            (
                "According to a person familiar with the matter, the order was signed.",
                "person familiar with the matter",
            ),
            (
                "Mexico sent 50 people, according to the Mexican attorney general's office.",
                "Mexican attorney general's office",
            ),
            (
                "According to President Trump, the border is closed.",
                "Trump",
            ),
            (
                "People familiar with the plans said the order was signed.",
                "people familiar with the plans",
            ),
            (
                "Local media reported that the order was signed.",
                "local media",
            ),
        ];
        for (sentence, expected) in cases {
            assert_eq!(
                attribution(sentence).as_deref(),
                Some(expected),
                "{sentence}"
            );
        }
    }

    #[test]
    fn no_attribution_for_people_or_plain_statements() {
        for sentence in [
            "Trump said that drug cartels wield enormous power.",
            "Mexico rejected the plan.",
            "She told reporters that there will be no invasion.",
            "“NBC News reported it,” he joked.",
            "Many people say the plan is illegal.",
            "",
        ] {
            assert_eq!(attribution(sentence), None, "{sentence}");
        }
    }

    #[test]
    fn claimants() {
        let cases = [
            (
                "Trump said that drug cartels wield enormous power.",
                "Trump",
            ),
            ("Sheinbaum stated that Mexico is sovereign.", "Sheinbaum"),
            (
                "The remarks drew a response, with President Claudia Sheinbaum asserting that \
                 sovereignty is non-negotiable.",
                "Claudia Sheinbaum",
            ),
            (
                "Mexican President Claudia Sheinbaum stated, “We reject any intervention.”",
                "Claudia Sheinbaum",
            ),
            ("“We reject any intervention,” said Sheinbaum.", "Sheinbaum"),
            (
                "‘Absolutely yes,’ Mast stated, reinforcing the idea.",
                "Mast",
            ),
            (
                "House Judiciary Chairman Jim Jordan has repeatedly said it was legal.",
                "Jim Jordan",
            ),
            (
                "Critics warn that unilateral action could strain ties.",
                "critics",
            ),
            (
                "The State Department said the designation stands.",
                "State Department",
            ),
            (
                "The Daily Mail reported that the proposal builds on a promise.",
                "Daily Mail",
            ),
            (
                "US officials cited in the report said training has begun.",
                "US officials",
            ),
            (
                "We will act! pic.twitter.com/x — Donald J. Trump (@realDonaldTrump) March 3, 2025",
                "Donald J. Trump",
            ),
            (
                "Responding to claims that troops were offered, Sheinbaum said no.",
                "Sheinbaum",
            ),
            // A company's name that opens with a title word keeps it.
            (
                "General Motors said it would close the plant.",
                "General Motors",
            ),
            ("U.S. Steel said output fell 4 percent.", "U.S. Steel"),
            (
                "American Express reported that spending rose in March.",
                "American Express",
            ),
        ];
        for (sentence, expected) in cases {
            assert_eq!(claimant(sentence).as_deref(), Some(expected), "{sentence}");
        }
    }

    #[test]
    fn a_claimant_is_named_as_fully_as_the_article_names_them() {
        let article = "Mexican President Claudia Sheinbaum spoke on Monday. On Tuesday \
                       Sheinbaum said more. The sole survivor, Vishwash Kumar Ramesh, is British. \
                       Ramesh's brother is missing. Fed Chair Jerome Powell said little.";
        for (name, expected) in [
            ("Sheinbaum", "Claudia Sheinbaum"),
            ("Claudia Sheinbaum", "Claudia Sheinbaum"),
            ("Ramesh", "Vishwash Kumar Ramesh"),
            ("Powell", "Jerome Powell"),
            // Never written longer, a group, an outlet: as they are.
            ("Trump", "Trump"),
            ("officials", "officials"),
            ("BBC", "BBC"),
        ] {
            assert_eq!(fullest_name(name, article), expected, "{name}");
        }
        // A last name the article gives two people is either of them.
        let family = "Melania Trump hosted the event. Donald Trump spoke. Trump said little. \
                      President Claudia Sheinbaum Pardo came; Sheinbaum Pardo spoke.";
        assert_eq!(fullest_name("Trump", family), "Trump");
        assert_eq!(fullest_name("Sheinbaum", family), "Claudia Sheinbaum");
        assert_eq!(fullest_name("Pardo", family), "Claudia Sheinbaum Pardo");
        // One of them written in full, the other by the last name alone: the two are told
        // apart only where the article gives them different genders.
        let spouses = "First lady Melania Trump hosted the event. Trump said his plan works.";
        assert_eq!(fullest_name("Trump", spouses), "Trump");
        let unknown = "Melania Trump hosted the event. Trump said the plan works.";
        assert_eq!(fullest_name("Trump", unknown), "Melania Trump");
        let same = "Melania Trump said she was proud. Trump said her work mattered.";
        assert_eq!(fullest_name("Trump", same), "Melania Trump");
    }

    #[test]
    fn a_sentence_speaking_of_one_person_names_them() {
        let article = "Mexican President Claudia Sheinbaum spoke. Donald Trump replied. \
                       Vishwash Kumar Ramesh survived. Prince William came.";
        for (sentence, expected) in [
            (
                "President Claudia Sheinbaum has rejected it, stating, \"Mexico decides.\"",
                Some("Claudia Sheinbaum"),
            ),
            (
                "Stephen Miran, a fresh arrival at the Fed’s Board of Governors and on leave from \
                 his White House role, broke ranks.",
                Some("Stephen Miran"),
            ),
            ("Ramesh was seated in 11A.", Some("Vishwash Kumar Ramesh")),
            (
                "The sole survivor, 40-year-old Vishwash Kumar Ramesh, is British.",
                Some("Vishwash Kumar Ramesh"),
            ),
            (
                "Police have arrested Armando Luis Juarez.",
                Some("Armando Luis Juarez"),
            ),
            (
                "The report came as immigration minister Caroline Nokes said more will be done.",
                Some("Caroline Nokes"),
            ),
            (
                "The Daily Mail reported that the plan builds on President Donald Trump’s vow.",
                Some("Donald Trump"),
            ),
            ("Trump’s plan failed.", Some("Donald Trump")),
            (
                "Claudia Sheinbaum met Sheinbaum’s aides.",
                Some("Claudia Sheinbaum"),
            ),
            // A descriptor alone ("Mexican", "U.S.") is no one.
            (
                "Trump’s promise to destroy Mexican cartels with U.S. forces stands.",
                Some("Donald Trump"),
            ),
            // Someone else, named or not: the pronoun may be theirs.
            ("Trump shook hands with Britain’s Prince William.", None),
            ("Trump met the Mexican President.", None),
            ("Claudia Sheinbaum met Donald Trump on Monday.", None),
            ("Sheinbaum spoke with Trump.", None),
            ("Sheinbaum spoke with the President.", None),
            ("A police spokesman said officers arrested Juarez.", None),
            (
                "Police arrested Juarez on charges of assaulting an officer.",
                None,
            ),
            // No person at all.
            (
                "The archbishop, dressed in vestments, led a procession to the Notre Dame doors.",
                None,
            ),
            (
                "Rescuers reached survivors in Mexico City on Tuesday.",
                None,
            ),
            ("State Department officials said so in Mexico City.", None),
            ("", None),
        ] {
            // The sentence is part of its article, as in extraction.
            let whole = format!("{article} {sentence}");
            assert_eq!(
                sole_person(sentence, &whole).as_deref(),
                expected,
                "{sentence}"
            );
        }
    }

    #[test]
    fn an_article_gives_a_person_a_gender_by_a_title_or_the_pronoun_after_their_name() {
        let said = |name: &str, article: &str| {
            let written = gender_of(name, article);
            (written.man, written.woman)
        };
        for (article, expected) in [
            ("Ms Sheinbaum spoke.", (false, true)),
            ("Mr. Sheinbaum spoke.", (true, false)),
            ("The queen, Claudia Sheinbaum, spoke.", (false, false)),
            ("Queen Claudia Sheinbaum spoke.", (false, true)),
            ("Sheinbaum said her government would act.", (false, true)),
            (
                "Claudia Sheinbaum, signalling that she would act, spoke.",
                (false, true),
            ),
            // Another name, a quotation or the end of the sentence come first: not hers.
            ("Sheinbaum said Trump told his aides.", (false, false)),
            ("Sheinbaum said: \"he is wrong\".", (false, false)),
            ("Sheinbaum spoke. His aides left.", (false, false)),
            (
                "Sheinbaum said \u{201c}his plan fails\u{201d}.",
                (false, false),
            ),
            // Another person of the same last name.
            ("Ricardo Sheinbaum said his plan works.", (false, false)),
            // Two genders: two people, or a pronoun that was someone else's.
            (
                "Sheinbaum said her plan works. Ms Sheinbaum spoke. Sheinbaum and his aides left.",
                (true, true),
            ),
            ("Nobody by that name.", (false, false)),
        ] {
            assert_eq!(said("Claudia Sheinbaum", article), expected, "{article}");
        }
        let both = GenderWritten {
            man: true,
            woman: true,
        };
        let woman = GenderWritten {
            man: false,
            woman: true,
        };
        assert!(both.refuses(Gender::Man) && both.refuses(Gender::Woman));
        assert!(woman.refuses(Gender::Man) && !woman.refuses(Gender::Woman));
        assert!(!GenderWritten::default().refuses(Gender::Man));
    }

    #[test]
    fn pronoun_claimant_needs_context() {
        let sentence = "He claimed that US efforts have reduced trafficking by 97 percent.";
        assert_eq!(claimant(sentence), None);
        assert_eq!(
            claimant_with_context(sentence, Some("Donald Trump")).as_deref(),
            Some("Donald Trump")
        );
        assert_eq!(
            claimant_with_context("Mexico rejected the plan.", Some("Donald Trump")),
            None
        );
        // "He" is a person named in full: not an outlet, a group, an organisation, or a word
        // that may be a party's ("Democrats") or what a title left of a company ("Motors").
        for previous in [
            "Daily Mail",
            "officials",
            "Democrats",
            "Motors",
            "Trump",
            "Ford Motor Company",
            "State Department",
            "The New York Times",
        ] {
            assert_eq!(
                claimant_with_context(sentence, Some(previous)),
                None,
                "{previous}"
            );
        }
        assert_eq!(
            claimant_with_context("“We will not allow it.”", Some("officials")).as_deref(),
            Some("officials")
        );
        let plural = "They insist the plan is lawful.";
        assert_eq!(
            claimant_with_context(plural, Some("US officials")).as_deref(),
            Some("US officials")
        );
        assert_eq!(claimant_with_context(plural, Some("Trump")), None);
    }

    #[test]
    fn no_claimant_in_plain_statements_or_quotes() {
        for sentence in [
            "Mexico rejected the plan.",
            "The plan “said nothing new,” critics noted",
            "“They said it would be quick.”",
            "",
            "said",
            "“",
        ] {
            let found = claimant(sentence);
            assert!(
                found.is_none() || found.as_deref() == Some("critics"),
                "{sentence}: {found:?}"
            );
        }
    }
}
