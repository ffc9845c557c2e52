//! Quotation spans, shared by the splitter (no sentence break inside a
//! quotation) and by attribution (verbs inside quotes are not the speaker's).

use std::ops::Range;

/// A quotation longer than this is more likely an unbalanced mark than a
/// real quote; ignoring it keeps one stray mark from swallowing a document.
const MAX_QUOTE_BYTES: usize = 1500;

/// Byte ranges of balanced quotations in `text`, opening mark to closing
/// mark inclusive, merged into sorted disjoint ranges.
pub(crate) fn quote_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut curly_double: Option<usize> = None;
    let mut straight_double: Option<usize> = None;
    let mut curly_single: Option<usize> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let end = at + c.len_utf8();
        match c {
            '“' => {
                curly_double.get_or_insert(at);
            }
            '”' => {
                if let Some(start) = curly_double.take() {
                    spans.push(start..end);
                }
            }
            '"' => match straight_double.take() {
                Some(start) => spans.push(start..end),
                None => straight_double = Some(at),
            },
            '‘' => {
                curly_single.get_or_insert(at);
            }
            // ’ is also the apostrophe ("They’re"); it closes a quotation
            // only when no letter follows it.
            '’' => {
                let apostrophe = chars.peek().is_some_and(|&(_, next)| next.is_alphabetic());
                if !apostrophe && let Some(start) = curly_single.take() {
                    spans.push(start..end);
                }
            }
            _ => {}
        }
    }
    spans.retain(|span| span.len() <= MAX_QUOTE_BYTES);
    spans.sort_by_key(|span| span.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start < last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
}

/// Whether byte position `at` lies strictly inside one of `spans`
/// (which must come from [`quote_spans`]).
pub(crate) fn inside(spans: &[Range<usize>], at: usize) -> bool {
    let after = spans.partition_point(|span| span.start < at);
    after > 0 && at < spans[after - 1].end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apostrophes_do_not_close_single_quotes() {
        let text = "He said ‘they’re on the menu,’ today.";
        let spans = quote_spans(text);
        assert_eq!(spans.len(), 1);
        assert_eq!(&text[spans[0].clone()], "‘they’re on the menu,’");
    }

    #[test]
    fn unbalanced_marks_make_no_span() {
        assert!(quote_spans("An “open quote that never closes. Next.").is_empty());
    }

    #[test]
    fn inside_is_strict() {
        let spans = quote_spans("a “bc” d");
        let open = "a ".len();
        let close = "a “bc”".len();
        assert!(!inside(&spans, open));
        assert!(inside(&spans, open + 1));
        assert!(!inside(&spans, close));
    }
}
