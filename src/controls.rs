//! Control characters in text the tool takes in or shows. A terminal obeys some of them: an
//! escape sequence retitles the window, recolours or clears the screen, a carriage return
//! overwrites the line, a bidirectional override reorders what is shown (Trojan Source). So
//! none is stored from input ([`one_line`], [`multi_line`], [`strip`]), and none is printed
//! as it is, whatever a record or a commit holds: [`escape`] and [`Escaping`] show each as
//! `\u001b`, visibly, and in a form JSON and TOML strings read back as the same character.
//!
//! Tab and newline are text (the tool's own output is lines, some with tabs); every other C0
//! control, DEL, the C1 controls, the bidirectional embeddings, overrides and isolates, and
//! the line and paragraph separators are not. The bidirectional marks (U+200E, U+200F,
//! U+061C) stay: right-to-left text needs them, and they reorder nothing but punctuation.

use std::borrow::Cow;
use std::io::{self, Write};

/// Whether `c` is a control character in the sense above (tab and newline included).
pub fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

/// The controls that only break a line or space words: in a one-line field, a space.
fn is_spacing(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Whether `c` is shown escaped: a control that is neither tab nor newline.
fn shown_escaped(c: char) -> bool {
    is_control(c) && c != '\t' && c != '\n'
}

fn push_escaped(c: char, out: &mut String) {
    use std::fmt::Write as _;
    let _ = write!(out, "\\u{:04x}", u32::from(c));
}

/// `text` with every control but tab and newline written as `\u001b`; a CRLF line ending is
/// left as it is (it moves nothing on a terminal).
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(shown_escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            out.push(c);
        } else if shown_escaped(c) {
            push_escaped(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text laid out in columns before it is printed (a table's cell, a field of the review's
/// card): escaped as [`escape`] does, and tab and carriage return too, which would jump the
/// cursor to a tab stop or back to the line's start in the middle of a row the layout has
/// measured. A CRLF line ending is a newline, which a cell keeps as a line break.
pub fn cell(text: &str) -> Cow<'_, str> {
    let escaped = |c: char| is_control(c) && c != '\n';
    if !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.replace("\r\n", "\n").chars() {
        if escaped(c) {
            push_escaped(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Input that holds a control character the field cannot take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the {field} contains a control character ({}) at character {at}",
    escape(&character.to_string())
)]
pub struct ControlCharacter {
    pub field: &'static str,
    pub character: char,
    /// Where it is, counting characters from 1.
    pub at: usize,
}

/// Refuses the first control character of `text` that is not a spacing one.
fn refuse_controls(field: &'static str, text: &str) -> Result<(), ControlCharacter> {
    match text
        .chars()
        .enumerate()
        .find(|&(_, c)| is_control(c) && !is_spacing(c))
    {
        Some((at, character)) => Err(ControlCharacter {
            field,
            character,
            at: at + 1,
        }),
        None => Ok(()),
    }
}

/// A one-line field (a claim, a claimant, a tag, a source's title): line breaks, tabs and
/// runs of spaces become one space, the ends are trimmed, and any other control character is
/// refused.
pub fn one_line(field: &'static str, text: &str) -> Result<String, ControlCharacter> {
    refuse_controls(field, text)?;
    let spaced: String = text
        .chars()
        .map(|c| if is_spacing(c) { ' ' } else { c })
        .collect();
    Ok(spaced
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" "))
}

/// A field of lines (a note): CRLF and CR line endings become newlines, tabs and the other
/// spacing controls spaces, the ends are trimmed, and any other control character is
/// refused.
pub fn multi_line(field: &'static str, text: &str) -> Result<String, ControlCharacter> {
    refuse_controls(field, text)?;
    let lines = text.replace("\r\n", "\n").replace('\r', "\n");
    let spaced: String = lines
        .chars()
        .map(|c| if c != '\n' && is_spacing(c) { ' ' } else { c })
        .collect();
    Ok(spaced.trim().to_string())
}

/// Text from a document (an article): CRLF line endings become newlines, the other spacing
/// controls spaces (a lone CR too: lines are counted by newlines), and the other control
/// characters are removed. Returns the text and whether anything was removed.
pub fn strip(text: &str) -> (Cow<'_, str>, bool) {
    if !text.chars().any(|c| is_control(c) && c != '\n') {
        return (Cow::Borrowed(text), false);
    }
    let lines = text.replace("\r\n", "\n");
    let mut removed = false;
    let mut out = String::with_capacity(lines.len());
    for c in lines.chars() {
        if c == '\n' {
            out.push('\n');
        } else if is_spacing(c) {
            out.push(' ');
        } else if is_control(c) {
            removed = true;
        } else {
            out.push(c);
        }
    }
    (Cow::Owned(out), removed)
}

/// A text cell of a CSV file, its controls escaped as [`escape`] does and made safe to open in
/// a spreadsheet: a cell that starts with `=`, `+`, `-`, `@` or a tab is read as a formula by
/// Excel, LibreOffice and Google Sheets, so it gets a leading `'`, as OWASP advises (CSV
/// injection).
pub fn csv_cell(text: &str) -> Cow<'_, str> {
    let escaped = escape(text);
    if escaped.starts_with(['=', '+', '-', '@', '\t']) {
        Cow::Owned(format!("'{escaped}"))
    } else {
        escaped
    }
}

/// A writer that passes text on with its control characters escaped as [`escape`] does.
/// Bytes that are not UTF-8 pass unchanged; a character split between two writes, and a
/// carriage return that may begin a CRLF, wait for the next write.
pub struct Escaping<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Escaping<W> {
    pub fn new(inner: W) -> Escaping<W> {
        Escaping {
            inner,
            pending: Vec::new(),
        }
    }

    /// Writes out what `bytes` can be written as now; returns how many bytes must wait.
    fn pass(&mut self, bytes: &[u8], at_end: bool) -> io::Result<usize> {
        let mut out = Vec::with_capacity(bytes.len());
        let mut rest = bytes;
        let waiting = loop {
            let (valid, after) = match std::str::from_utf8(rest) {
                Ok(text) => (text, &[][..]),
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    (std::str::from_utf8(valid).unwrap_or_default(), after)
                }
            };
            let held = usize::from(!at_end && after.is_empty() && valid.ends_with('\r'));
            out.extend_from_slice(escape(&valid[..valid.len() - held]).as_bytes());
            if held == 1 {
                break 1;
            }
            if after.is_empty() {
                break 0;
            }
            match std::str::from_utf8(after).map_err(|e| e.error_len()) {
                // A character cut short at the end: the next write completes it.
                Err(None) if !at_end => break after.len(),
                Err(Some(bad)) => {
                    out.extend_from_slice(&after[..bad]);
                    rest = &after[bad..];
                }
                _ => {
                    out.extend_from_slice(after);
                    break 0;
                }
            }
        };
        self.inner.write_all(&out)?;
        Ok(waiting)
    }
}

impl<W: Write> Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(buf);
        let waiting = self.pass(&bytes, false)?;
        self.pending = bytes[bytes.len() - waiting..].to_vec();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write> Drop for Escaping<W> {
    fn drop(&mut self) {
        let bytes = std::mem::take(&mut self.pending);
        let _ = self.pass(&bytes, true).and_then(|_| self.inner.flush());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of each kind of character the module is about, with how it is shown.
    const KINDS: &[(char, &str)] = &[
        ('\u{0}', "\\u0000"),
        ('\u{7}', "\\u0007"),
        ('\u{8}', "\\u0008"),
        ('\u{b}', "\\u000b"),
        ('\u{c}', "\\u000c"),
        ('\r', "\\u000d"),
        ('\u{1b}', "\\u001b"),
        ('\u{1f}', "\\u001f"),
        ('\u{7f}', "\\u007f"),
        ('\u{80}', "\\u0080"),
        ('\u{85}', "\\u0085"),
        ('\u{9b}', "\\u009b"),
        ('\u{9f}', "\\u009f"),
        ('\u{202a}', "\\u202a"),
        ('\u{202b}', "\\u202b"),
        ('\u{202c}', "\\u202c"),
        ('\u{202d}', "\\u202d"),
        ('\u{202e}', "\\u202e"),
        ('\u{2066}', "\\u2066"),
        ('\u{2067}', "\\u2067"),
        ('\u{2068}', "\\u2068"),
        ('\u{2069}', "\\u2069"),
        ('\u{2028}', "\\u2028"),
        ('\u{2029}', "\\u2029"),
    ];

    #[test]
    fn every_control_is_escaped_and_nothing_else() {
        for &(c, shown) in KINDS {
            assert!(is_control(c), "{shown}");
            assert_eq!(escape(&format!("a{c}b")), format!("a{shown}b"));
        }
        // Every C0 and C1 control and DEL, by code.
        for code in (0u32..0x20).chain(0x7f..0xa0) {
            let c = char::from_u32(code).unwrap();
            let expected = match c {
                '\t' | '\n' => c.to_string(),
                _ => format!("\\u{code:04x}"),
            };
            assert_eq!(escape(&c.to_string()), expected, "U+{code:04X}");
        }
        for text in [
            "plain text",
            "tab\tand\nnewline",
            "línea, 87 %, “quoted” — ok",
            "שלום \u{200f}עולם\u{200e} مرحبا\u{61c}",
            "emoji 🧾 and CJK 事实",
            "",
        ] {
            assert!(
                matches!(escape(text), Cow::Borrowed(t) if t == text),
                "{text}"
            );
        }
    }

    #[test]
    fn terminal_sequences_become_visible_text() {
        assert_eq!(
            escape("\u{1b}]0;owned\u{7}\u{1b}[31mred\u{1b}[0m"),
            "\\u001b]0;owned\\u0007\\u001b[31mred\\u001b[0m"
        );
        assert_eq!(escape("safe\rUNSAFE"), "safe\\u000dUNSAFE");
        assert_eq!(escape("line\r\nnext\r"), "line\r\nnext\\u000d");
        assert_eq!(escape("abc\u{202e}fed"), "abc\\u202efed");
    }

    #[test]
    fn a_cell_escapes_tabs_and_carriage_returns_and_keeps_its_lines() {
        for &(c, shown) in KINDS {
            assert_eq!(cell(&format!("a{c}b")), format!("a{shown}b"));
        }
        assert_eq!(cell("a\tb"), "a\\u0009b");
        assert_eq!(cell("line\r\nnext\r"), "line\nnext\\u000d");
        assert!(matches!(cell("two\nlines"), Cow::Borrowed("two\nlines")));
    }

    #[test]
    fn escapes_read_back_as_the_same_characters_in_json_and_toml() {
        for &(c, _) in KINDS {
            let text = format!("a{c}b");
            let json = format!("\"{}\"", escape(&text));
            let back: String = serde_json::from_str(&json).unwrap();
            assert_eq!(back, text);
            // Within what serde_json writes, too: its own escapes are left alone.
            let written = serde_json::to_string(&text).unwrap();
            assert_eq!(
                serde_json::from_str::<String>(&escape(&written)).unwrap(),
                text
            );
            let toml_text = toml::to_string(&std::collections::BTreeMap::from([("t", &text)]));
            let escaped = escape(&toml_text.unwrap()).into_owned();
            let back: std::collections::BTreeMap<String, String> =
                toml::from_str(&escaped).unwrap();
            assert_eq!(back["t"], text);
        }
    }

    #[test]
    fn one_line_fields_space_out_breaks_and_refuse_other_controls() {
        assert_eq!(
            one_line(
                "claim",
                "  Crime\r\nfell\t by\u{b}\u{c}\u{85}\u{2028}\u{2029}3%  \n"
            )
            .unwrap(),
            "Crime fell by 3%"
        );
        assert_eq!(one_line("claim", "").unwrap(), "");
        assert_eq!(
            one_line("claimant", "Ana \u{1b}[31mRuiz"),
            Err(ControlCharacter {
                field: "claimant",
                character: '\u{1b}',
                at: 5
            })
        );
        for &(c, _) in KINDS {
            let result = one_line("tag", &format!("x{c}y"));
            if is_spacing(c) {
                assert_eq!(result.unwrap(), "x y");
            } else {
                assert_eq!(result.unwrap_err().character, c);
            }
        }
        assert_eq!(
            one_line("claim", "abc\u{202e}fed").unwrap_err().to_string(),
            "the claim contains a control character (\\u202e) at character 4"
        );
        assert_eq!(
            one_line("claim", "שלום \u{200f}עולם").unwrap(),
            "שלום \u{200f}עולם"
        );
    }

    #[test]
    fn notes_keep_their_lines_and_refuse_other_controls() {
        assert_eq!(
            multi_line("note", " First.\r\nSecond.\rThird.\n\tIndented.\u{2028}x ").unwrap(),
            "First.\nSecond.\nThird.\n Indented. x"
        );
        for &(c, _) in KINDS {
            let result = multi_line("note", &format!("x{c}y"));
            match c {
                '\r' => assert_eq!(result.unwrap(), "x\ny"),
                c if is_spacing(c) => assert_eq!(result.unwrap(), "x y"),
                c => assert_eq!(result.unwrap_err().character, c),
            }
        }
    }

    #[test]
    fn documents_lose_their_controls_and_keep_their_lines() {
        assert_eq!(
            strip("Title\r\n\r\nCrime\u{1b}[1m fell\u{7}.\rNext\tline\u{202e}."),
            (
                Cow::Owned("Title\n\nCrime[1m fell. Next line.".into()),
                true
            )
        );
        assert_eq!(
            strip("Plain\nlines \u{200f}"),
            (Cow::Borrowed("Plain\nlines \u{200f}"), false)
        );
        assert_eq!(strip("a\tb"), (Cow::Owned("a b".into()), false));
    }

    #[test]
    fn csv_cells_never_start_a_formula_nor_carry_a_control() {
        for cell in ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "=HYPERLINK(\"x\")"] {
            assert_eq!(csv_cell(cell), format!("'{cell}"));
        }
        for cell in ["Crime fell", "", "1", "'quoted", " =1", "a=b", "two\nlines"] {
            assert!(
                matches!(csv_cell(cell), Cow::Borrowed(c) if c == cell),
                "{cell}"
            );
        }
        assert_eq!(csv_cell("\rx"), "\\u000dx");
        assert_eq!(csv_cell("a\u{1b}[31m\r\n"), "a\\u001b[31m\r\n");
    }

    /// Writes `pieces` through an `Escaping` writer, one write each.
    fn through_writer(pieces: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let mut writer = Escaping::new(&mut out);
            for piece in pieces {
                writer.write_all(piece).unwrap();
            }
            writer.flush().unwrap();
        }
        out
    }

    #[test]
    fn the_writer_escapes_across_write_boundaries() {
        assert_eq!(
            through_writer(&[b"a\x1b[2Jb", b"\n"]),
            b"a\\u001b[2Jb\n".to_vec()
        );
        // U+202E (E2 80 AE) and U+009B (C2 9B) cut in two.
        assert_eq!(
            through_writer(&[b"x\xe2\x80", b"\xaey\xc2", b"\x9bz"]),
            b"x\\u202ey\\u009bz".to_vec()
        );
        // A CRLF cut in two stays a CRLF; a CR at the very end is shown.
        assert_eq!(
            through_writer(&[b"a\r", b"\nb\r"]),
            b"a\r\nb\\u000d".to_vec()
        );
        assert_eq!(through_writer(&[b"a\r", b"b"]), b"a\\u000db".to_vec());
        // Bytes that are not UTF-8 pass as they are, and so does a cut character at the end.
        assert_eq!(
            through_writer(&[b"\xff\x1b\xfe", b"ok\xe2\x80"]),
            b"\xff\\u001b\xfeok\xe2\x80".to_vec()
        );
        assert_eq!(through_writer(&[b"tab\there\n"]), b"tab\there\n".to_vec());
    }

    proptest::proptest! {
        #[test]
        fn the_writer_shows_no_control_whatever_the_bytes(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256),
            cut in 0usize..256,
        ) {
            let cut = cut.min(bytes.len());
            let out = through_writer(&[&bytes[..cut], &bytes[cut..]]);
            let text = String::from_utf8_lossy(&out);
            let raw_cr = text.match_indices('\r').any(|(at, _)| !text[at..].starts_with("\r\n"));
            proptest::prop_assert!(!raw_cr);
            proptest::prop_assert!(!text.chars().any(|c| is_control(c) && c != '\t' && c != '\n' && c != '\r'));
            // What was valid text comes out as `escape` writes it.
            if let Ok(text) = std::str::from_utf8(&bytes) {
                proptest::prop_assert_eq!(out, escape(text).as_bytes().to_vec());
            }
        }
    }
}
