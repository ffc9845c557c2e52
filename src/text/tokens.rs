//! Cutting a text into words and marks: the one way the text code reads words.
//!
//! A text is cut at separators (whitespace, and whatever else a reader adds) into pieces; each
//! piece is a word between the marks before and after it (`“Absolutely,` is the mark `“`, the
//! word `Absolutely` and the mark `,`). A word runs from its first letter or digit, or a
//! character the reader lets open one (`$5`), to its last letter or digit, or a character the
//! reader lets close one (`87%`). A character inside a word that is neither letter nor digit
//! keeps the word whole unless the reader says it does not; then it is a mark of its own and the
//! next word starts at the next letter or digit.

/// A word, or one mark: a character of no word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub(crate) text: &'a str,
    /// Byte offset of `text` in the text cut.
    pub(crate) start: usize,
    pub(crate) is_word: bool,
}

impl Token<'_> {
    pub(crate) fn end(&self) -> usize {
        self.start + self.text.len()
    }
}

/// How a reader cuts text into tokens.
pub(crate) struct Tokenizer {
    /// Characters besides whitespace that separate pieces; they are no token.
    pub(crate) separates: fn(char) -> bool,
    /// Characters besides letters and digits a word may open with.
    pub(crate) opens: fn(char) -> bool,
    /// Characters besides letters and digits a word may close with.
    pub(crate) closes: fn(char) -> bool,
    /// Whether a character inside a word, neither letter nor digit, keeps the word whole, given
    /// the characters before and after it.
    pub(crate) joins: fn(before: char, inner: char, after: char) -> bool,
}

/// For the options no reader sets.
pub(crate) fn never(_: char) -> bool {
    false
}

/// Every character inside a word keeps it whole: a word is its piece without the marks at
/// its ends.
pub(crate) fn always(_: char, _: char, _: char) -> bool {
    true
}

impl Tokenizer {
    /// Calls `each` with the words of `text`, in order.
    pub(crate) fn each_word<'a>(&self, text: &'a str, mut each: impl FnMut(&'a str)) {
        self.each_token(text, |token| {
            if token.is_word {
                each(token.text);
            }
        });
    }

    /// Calls `emit` with the tokens of `text`, in order.
    pub(crate) fn each_token<'a>(&self, text: &'a str, mut emit: impl FnMut(Token<'a>)) {
        let mut piece_start = None;
        for (at, c) in text.char_indices() {
            if c.is_whitespace() || (self.separates)(c) {
                if let Some(start) = piece_start.take() {
                    self.cut_piece(text, start, at, &mut emit);
                }
            } else {
                piece_start.get_or_insert(at);
            }
        }
        if let Some(start) = piece_start {
            self.cut_piece(text, start, text.len(), &mut emit);
        }
    }

    /// Cuts the piece `text[start..end]`, which holds no separator.
    fn cut_piece<'a>(
        &self,
        text: &'a str,
        start: usize,
        end: usize,
        emit: &mut impl FnMut(Token<'a>),
    ) {
        let piece = &text[start..end];
        let first = piece
            .char_indices()
            .find(|&(_, c)| c.is_alphanumeric() || (self.opens)(c));
        let last = piece
            .char_indices()
            .rev()
            .find(|&(_, c)| c.is_alphanumeric() || (self.closes)(c));
        let (first, last) = match (first, last) {
            (Some((first, _)), Some((last, c))) if first <= last => (first, last + c.len_utf8()),
            _ => return marks(text, start, end, emit),
        };
        marks(text, start, start + first, emit);
        let core_start = start + first;
        let mut chars = text[core_start..start + last].char_indices().peekable();
        // The word's first character, a letter, a digit or a sign that opens words.
        let mut before = chars.next().map_or(' ', |(_, c)| c);
        let mut word_start = Some(core_start);
        while let Some((at, c)) = chars.next() {
            let at = core_start + at;
            match word_start {
                // Inside the word: its last character closes it, whatever it is.
                Some(from) if !c.is_alphanumeric() => {
                    if let Some(&(_, after)) = chars.peek()
                        && !(self.joins)(before, c, after)
                    {
                        emit(token(text, from, at, true));
                        marks(text, at, at + c.len_utf8(), emit);
                        word_start = None;
                    }
                }
                Some(_) => {}
                None if c.is_alphanumeric() => word_start = Some(at),
                None => marks(text, at, at + c.len_utf8(), emit),
            }
            before = c;
        }
        if let Some(from) = word_start {
            emit(token(text, from, start + last, true));
        }
        marks(text, start + last, end, emit);
    }
}

/// Each character of `text[start..end]` as a mark of its own.
fn marks<'a>(text: &'a str, start: usize, end: usize, emit: &mut impl FnMut(Token<'a>)) {
    for (at, c) in text[start..end].char_indices() {
        let at = start + at;
        emit(token(text, at, at + c.len_utf8(), false));
    }
}

fn token(text: &str, start: usize, end: usize, is_word: bool) -> Token<'_> {
    Token {
        text: &text[start..end],
        start,
        is_word,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens<'a>(tokenizer: &Tokenizer, text: &'a str) -> Vec<Token<'a>> {
        let mut tokens = Vec::new();
        tokenizer.each_token(text, |token| tokens.push(token));
        tokens
    }

    fn cut(tokenizer: &Tokenizer, text: &str) -> Vec<(String, usize)> {
        tokens(tokenizer, text)
            .into_iter()
            .map(|token| {
                let shown = if token.is_word {
                    token.text.to_owned()
                } else {
                    format!("<{}>", token.text)
                };
                (shown, token.start)
            })
            .collect()
    }

    const WHOLE: Tokenizer = Tokenizer {
        separates: |c| c == '—',
        opens: |c| c == '$',
        closes: |c| c == '%',
        joins: always,
    };

    const SPLITTING: Tokenizer = Tokenizer {
        separates: char::is_control,
        opens: never,
        closes: never,
        joins: |before, inner, after| {
            inner == '\'' && before.is_alphabetic() && after.is_alphabetic()
        },
    };

    #[test]
    fn a_word_is_its_piece_without_the_marks_at_its_ends() {
        assert_eq!(
            cut(&WHOLE, "“U.S.-led,” $5 87%.—x"),
            [
                ("<“>".to_owned(), 0),
                ("U.S.-led".to_owned(), 3),
                ("<,>".to_owned(), 11),
                ("<”>".to_owned(), 12),
                ("$5".to_owned(), 16),
                ("87%".to_owned(), 19),
                ("<.>".to_owned(), 22),
                ("x".to_owned(), 26),
            ]
        );
        // A sign that may open a word cannot close one, nor the other way round.
        assert_eq!(
            cut(&WHOLE, "5$ %5 $"),
            [
                ("5".to_owned(), 0),
                ("<$>".to_owned(), 1),
                ("<%>".to_owned(), 3),
                ("5".to_owned(), 4),
                ("<$>".to_owned(), 6),
            ]
        );
    }

    #[test]
    fn inner_characters_that_do_not_join_are_marks_of_their_own() {
        let shown: Vec<String> = cut(&SPLITTING, "don't rock-'n'-roll ''x")
            .into_iter()
            .map(|(t, _)| t)
            .collect();
        assert_eq!(
            shown,
            [
                "don't", "rock", "<->", "<'>", "n", "<'>", "<->", "roll", "<'>", "<'>", "x"
            ]
        );
    }

    #[test]
    fn separators_are_no_tokens_and_odd_text_is_cut_whole() {
        assert!(tokens(&SPLITTING, "").is_empty());
        assert!(tokens(&SPLITTING, " \u{0}\t\u{7}\n").is_empty());
        assert_eq!(
            {
                let mut words = Vec::new();
                WHOLE.each_word("a—b  —c", |word| words.push(word));
                words
            },
            ["a", "b", "c"]
        );
        let text = "é’s ü—ñ ¿? 税金";
        for tokenizer in [&WHOLE, &SPLITTING] {
            for token in tokens(tokenizer, text) {
                assert_eq!(&text[token.start..token.end()], token.text);
            }
        }
    }
}
