//! A claim's text as a reader understands it alone, out of its article: without the words that
//! tie it to the sentence before ("However,", "But", "And"), and with a speaker given as a
//! pronoun named where that is safe. The excerpt of the appearance keeps the sentence verbatim.

use super::attribution::{Gender, gender_of};

/// Words and phrases that open a sentence only to link it to the one before. Longest first, so
/// that "At the same time" is taken whole. A phrase that needs a comma after it to be a marker
/// ("Still," against "Still waters …") is written with it.
const DISCOURSE_MARKERS: &[&str] = word_list!("standalone/discourse-markers.txt");

/// Shorter than this (in words) once its markers are gone, a sentence is left as written: what
/// remains would not be a sentence.
const MIN_WORDS: usize = 4;

/// The sentence without the discourse markers that open it, capitalised again; the sentence as
/// it is when nothing opens it or too little would remain.
pub fn standalone(sentence: &str) -> String {
    let mut rest = sentence.trim_start();
    while let Some(after) = strip_marker(rest) {
        rest = after;
    }
    if rest.len() == sentence.trim_start().len() || rest.split_whitespace().count() < MIN_WORDS {
        return sentence.to_owned();
    }
    capitalise(rest)
}

fn strip_marker(text: &str) -> Option<&str> {
    DISCOURSE_MARKERS.iter().find_map(|marker| {
        let head = text.get(..marker.len())?;
        if !head.eq_ignore_ascii_case(marker) {
            return None;
        }
        let after = &text[marker.len()..];
        // A whole word: "So" opens "So far …" only as part of another phrase, "Andrew" is no "And".
        let bare = !marker.ends_with(',');
        if bare && !after.starts_with(|c: char| c.is_whitespace() || c == ',') {
            return None;
        }
        let after = after.trim_start_matches(',').trim_start();
        (!bare || !starts_phrase(after)).then_some(after)
    })
}

/// Words after which a bare marker belongs to a phrase that carries meaning ("So far", "So
/// many", "Or more"), which is then kept.
fn starts_phrase(after: &str) -> bool {
    let next = after
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_lowercase();
    matches!(
        next.as_str(),
        "far" | "much" | "many" | "long" | "that" | "too" | "more" | "less" | "called"
    )
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The sentence with its opening subject pronoun ("He said …", "She told …") replaced by
/// `speaker`, who the sentence before named as its own speaker; the sentence as it is when it
/// does not open with such a pronoun, or when `article` writes of the speaker as someone the
/// pronoun cannot be ("Sheinbaum said her government …" before "He said …").
pub fn name_speaker(sentence: &str, speaker: &str, article: &str) -> String {
    for (pronoun, gender) in [("He ", Gender::Man), ("She ", Gender::Woman)] {
        if let Some(rest) = sentence.strip_prefix(pronoun) {
            if gender_of(speaker, article).refuses(gender) {
                break;
            }
            return format!("{speaker} {rest}");
        }
    }
    sentence.to_owned()
}

/// The pronouns that open a sentence in place of a person: subjects, and possessives ("Her
/// government has …"). At the start of a sentence "Her" is the possessive.
const PERSONAL_PRONOUNS: [(&str, Gender, bool); 4] = [
    ("He ", Gender::Man, false),
    ("She ", Gender::Woman, false),
    ("His ", Gender::Man, true),
    ("Her ", Gender::Woman, true),
];

/// Whether the sentence opens with a pronoun that stands for a person.
pub fn opens_with_personal_pronoun(sentence: &str) -> bool {
    PERSONAL_PRONOUNS
        .iter()
        .any(|(pronoun, ..)| sentence.starts_with(pronoun))
}

/// The sentence with its opening pronoun ("He was seated …", "Her government has …")
/// replaced by `person`, the one person the sentence before speaks of (see `sole_person`),
/// unless `article` writes of that person as someone the pronoun cannot be (a title, or a
/// pronoun after their name; see `gender_of`).
pub fn name_subject(sentence: &str, person: &str, article: &str) -> String {
    for (pronoun, gender, possessive) in PERSONAL_PRONOUNS {
        let Some(rest) = sentence.strip_prefix(pronoun) else {
            continue;
        };
        if gender_of(person, article).refuses(gender) {
            break;
        }
        if !possessive {
            return format!("{person} {rest}");
        }
        // Written with the article's own apostrophe.
        let apostrophe = if article.contains("’s ") {
            '’'
        } else {
            '\''
        };
        return format!("{person}{apostrophe}s {rest}");
    }
    sentence.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_markers_go_and_the_sentence_is_capitalised_again() {
        for (sentence, expected) in [
            (
                "Nevertheless, her government has allowed increased CIA surveillance flights.",
                "Her government has allowed increased CIA surveillance flights.",
            ),
            (
                "However, the State Department designated six cartels.",
                "The State Department designated six cartels.",
            ),
            (
                "But Mexico has extradited 55 cartel members.",
                "Mexico has extradited 55 cartel members.",
            ),
            (
                "And yet, the number of overdoses fell by 20%.",
                "The number of overdoses fell by 20%.",
            ),
            (
                "But, at the same time, Mexico deployed 10,000 troops.",
                "Mexico deployed 10,000 troops.",
            ),
            (
                "  And the ministry said eight items were stolen.",
                "The ministry said eight items were stolen.",
            ),
        ] {
            assert_eq!(standalone(sentence), expected, "{sentence}");
        }
    }

    #[test]
    fn words_that_only_look_like_markers_stay() {
        for sentence in [
            "Andrew Holness declared Jamaica a disaster area.",
            "So far 241 people have been confirmed dead.",
            "Still waters covered the parish of St. Elizabeth.",
            "Butter prices rose 12% in a year.",
            "The Fed cut rates, but Miran wanted more.",
            // Too little would remain to be a sentence.
            "But not this year.",
            "",
        ] {
            assert_eq!(standalone(sentence), sentence);
        }
    }

    #[test]
    fn a_pronoun_speaker_is_named() {
        let article = "Claudia Sheinbaum spoke on Monday.";
        let she = "She said Mexico would not accept it.";
        assert_eq!(
            name_speaker(she, "Claudia Sheinbaum", article),
            "Claudia Sheinbaum said Mexico would not accept it."
        );
        assert_eq!(
            name_speaker(
                "They said Mexico would not accept it.",
                "Claudia Sheinbaum",
                article
            ),
            "They said Mexico would not accept it."
        );
        assert_eq!(
            name_speaker("Shell said so.", "Trump", article),
            "Shell said so."
        );
    }

    #[test]
    fn a_pronoun_opening_a_sentence_is_the_subject_of_the_one_before() {
        let article = "Claudia Sheinbaum rejected it. Stephen Miran’s vote came early.";
        assert_eq!(
            name_subject(
                "Her government has allowed flights.",
                "Claudia Sheinbaum",
                article
            ),
            "Claudia Sheinbaum’s government has allowed flights."
        );
        assert_eq!(
            name_subject(
                "She deployed 10,000 soldiers.",
                "Claudia Sheinbaum",
                "No quote."
            ),
            "Claudia Sheinbaum deployed 10,000 soldiers."
        );
        assert_eq!(
            name_subject(
                "Her government acted.",
                "Claudia Sheinbaum",
                "No curly quote."
            ),
            "Claudia Sheinbaum's government acted."
        );
        // The article writes of her as a woman: "He" is someone else.
        let written = "Claudia Sheinbaum said her plan works.";
        let he = "He deployed 10,000 soldiers.";
        assert_eq!(name_subject(he, "Claudia Sheinbaum", written), he);
        for sentence in [
            "They deployed soldiers.",
            "Hers was the plan.",
            "Heat rose.",
        ] {
            assert_eq!(
                name_subject(sentence, "Claudia Sheinbaum", article),
                sentence
            );
        }
        assert!(opens_with_personal_pronoun("His staff knocked."));
        assert!(!opens_with_personal_pronoun("Hispanic voters knocked."));
    }

    #[test]
    fn a_pronoun_the_article_says_is_not_the_speakers_stays() {
        let article = "Claudia Sheinbaum said her government would act. He said more.";
        let he = "He said Mexico would not accept it.";
        assert_eq!(name_speaker(he, "Claudia Sheinbaum", article), he);
        let she = "She said Mexico would not accept it.";
        assert_eq!(
            name_speaker(she, "Claudia Sheinbaum", article),
            "Claudia Sheinbaum said Mexico would not accept it."
        );
        // Written of as a man and as a woman: neither pronoun is safely hers.
        let both = "Ms Sheinbaum spoke. Sheinbaum said his plan works.";
        assert_eq!(name_speaker(she, "Claudia Sheinbaum", both), she);
    }
}
