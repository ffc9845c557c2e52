//! Reading the labelled sentences: the debate TSV files and the news set.

use std::path::{Path, PathBuf};

/// Errors from reading the labelled data.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}: {message}", path.display())]
    MalformedTsv {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// One labelled sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub text: String,
    pub check_worthy: bool,
}

/// Reads a `Sentence_id<TAB>Text<TAB>class_label` file with a header line and `Yes`/`No` labels.
///
/// Texts may be wrapped in double quotes with `""` escapes and lines may end in `\r`. A record
/// whose line break went missing (`...<TAB>No12345<TAB>next text<TAB>Yes`) is split back into two.
pub fn read_tsv(path: &Path) -> Result<Vec<Example>, DataError> {
    let content = std::fs::read_to_string(path).map_err(|source| DataError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_tsv(&content, path)
}

/// Parses the content of the TSV file at `path` (named in errors).
fn parse_tsv(content: &str, path: &Path) -> Result<Vec<Example>, DataError> {
    let malformed = |line: usize, message: String| DataError::MalformedTsv {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut examples = Vec::new();
    for (index, line) in content.lines().enumerate().skip(1) {
        let line_number = index + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() < 3 || fields.len().is_multiple_of(2) {
            return Err(malformed(
                line_number,
                format!("expected 3 tab-separated fields, found {}", fields.len()),
            ));
        }
        // Fields after the first come in (text, label) pairs; all labels but the last carry
        // the next record's id glued on.
        for (pair, chunk) in fields[1..].chunks_exact(2).enumerate() {
            let is_last = pair == (fields.len() - 1) / 2 - 1;
            let label = if is_last {
                chunk[1]
            } else {
                chunk[1].trim_end_matches(|c: char| c.is_ascii_digit())
            };
            let check_worthy = match label.trim() {
                "Yes" => true,
                "No" => false,
                other => {
                    return Err(malformed(
                        line_number,
                        format!("label must be Yes or No, found {other:?}"),
                    ));
                }
            };
            examples.push(Example {
                text: unquote(chunk[0]),
                check_worthy,
            });
        }
    }
    Ok(examples)
}

/// Strips CSV-style double quotes, turning `""` back into `"`.
fn unquote(field: &str) -> String {
    match field
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
    {
        Some(inner) => inner.replace("\"\"", "\""),
        None => field.to_string(),
    }
}

/// One sentence of the labelled news set, with the article it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsSentence {
    pub article: String,
    /// The guide's category: `F` check-worthy, `U` unimportant factual, `O` opinion,
    /// `P` prediction, `V` vow, `Q` question.
    pub category: char,
    /// The second labeller's category, given blind by the same guide (test splits only).
    pub second: Option<char>,
    pub example: Example,
}

/// The labelled news set, split by article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewsSet {
    pub train: Vec<NewsSentence>,
    /// For reporting only: never trained on, never used to choose anything. Read while the
    /// present model was chosen, so no longer a clean test.
    pub test: Vec<NewsSentence>,
    /// The clean test split, labelled after the first one: reporting only, read once.
    pub test2: Vec<NewsSentence>,
}

/// Which part of the news set an article belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Split {
    Train,
    Test,
    Test2,
}

/// The guide's categories; only `F` is check-worthy.
const NEWS_CATEGORIES: &str = "FUOPVQ";

/// Reads `articles.tsv` (`article<TAB>split<TAB>outlet<TAB>topic<TAB>url`),
/// `sentences.tsv` (`article<TAB>category<TAB>class_label<TAB>text`) and, when present,
/// `second-labels.tsv` (`article<TAB>category<TAB>text`: a second labeller's categories of
/// the test splits) from `dir`.
pub fn read_news_set(dir: &Path) -> Result<NewsSet, DataError> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read_to_string(&path)
            .map(|content| (content, path.clone()))
            .map_err(|source| DataError::Io { path, source })
    };
    let (articles, articles_path) = read("articles.tsv")?;
    let (sentences, sentences_path) = read("sentences.tsv")?;
    let mut set = parse_news_set(&articles, &articles_path, &sentences, &sentences_path)?;
    if dir.join(SECOND_LABELS).exists() {
        let (second, second_path) = read(SECOND_LABELS)?;
        add_second_labels(&mut set, &second, &second_path)?;
    }
    Ok(set)
}

/// One of the guide's categories, read from its field.
fn news_category(field: &str) -> Result<char, String> {
    match field.chars().collect::<Vec<_>>().as_slice() {
        [c] if NEWS_CATEGORIES.contains(*c) => Ok(*c),
        _ => Err(format!(
            "category must be one of {NEWS_CATEGORIES}, found {field:?}"
        )),
    }
}

/// The second labeller's file in the news set's folder.
const SECOND_LABELS: &str = "second-labels.tsv";

/// Gives each test sentence its second label. Every row must name a test sentence; a test
/// sentence without a row keeps `second: None`.
fn add_second_labels(set: &mut NewsSet, content: &str, path: &Path) -> Result<(), DataError> {
    let malformed = |line: usize, message: String| DataError::MalformedTsv {
        path: path.to_path_buf(),
        line,
        message,
    };
    for (index, line) in content.lines().enumerate().skip(1) {
        let fields: Vec<&str> = line.trim_end_matches('\r').splitn(3, '\t').collect();
        let [article, category, text] = fields.as_slice() else {
            return Err(malformed(
                index + 1,
                format!("expected 3 tab-separated fields, found {}", fields.len()),
            ));
        };
        let category = news_category(category).map_err(|message| malformed(index + 1, message))?;
        let sentence = set
            .test
            .iter_mut()
            .chain(set.test2.iter_mut())
            .find(|s| s.article == *article && s.example.text == *text)
            .ok_or_else(|| {
                malformed(
                    index + 1,
                    format!("no test sentence of article {article:?} reads {text:?}"),
                )
            })?;
        sentence.second = Some(category);
    }
    Ok(())
}

fn parse_news_set(
    articles: &str,
    articles_path: &Path,
    sentences: &str,
    sentences_path: &Path,
) -> Result<NewsSet, DataError> {
    let malformed = |path: &Path, line: usize, message: String| DataError::MalformedTsv {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut split_of = std::collections::HashMap::new();
    for (index, line) in articles.lines().enumerate().skip(1) {
        let fields: Vec<&str> = line.trim_end_matches('\r').split('\t').collect();
        let split = match fields.as_slice() {
            [_, "train", _, _, _] => Split::Train,
            [_, "test", _, _, _] => Split::Test,
            [_, "test2", _, _, _] => Split::Test2,
            _ => {
                return Err(malformed(
                    articles_path,
                    index + 1,
                    "expected article, split (train, test or test2), outlet, topic and url".into(),
                ));
            }
        };
        split_of.insert(fields[0], split);
    }
    let mut set = NewsSet {
        train: Vec::new(),
        test: Vec::new(),
        test2: Vec::new(),
    };
    for (index, line) in sentences.lines().enumerate().skip(1) {
        let line = line.trim_end_matches('\r');
        let fields: Vec<&str> = line.splitn(4, '\t').collect();
        let [article, category, label, text] = fields.as_slice() else {
            return Err(malformed(
                sentences_path,
                index + 1,
                format!("expected 4 tab-separated fields, found {}", fields.len()),
            ));
        };
        let split = *split_of.get(article).ok_or_else(|| {
            malformed(
                sentences_path,
                index + 1,
                format!("article {article:?} is not in articles.tsv"),
            )
        })?;
        let category = news_category(category)
            .map_err(|message| malformed(sentences_path, index + 1, message))?;
        let expected = if category == 'F' { "Yes" } else { "No" };
        if *label != expected {
            return Err(malformed(
                sentences_path,
                index + 1,
                format!("category {category} is labelled {expected}, found {label:?}"),
            ));
        }
        let sentence = NewsSentence {
            article: article.to_string(),
            category,
            second: None,
            example: Example {
                text: text.to_string(),
                check_worthy: category == 'F',
            },
        };
        match split {
            Split::Train => set.train.push(sentence),
            Split::Test => set.test.push(sentence),
            Split::Test2 => set.test2.push(sentence),
        }
    }
    Ok(set)
}

/// Labelled sentences for the tests of this folder.
#[cfg(test)]
pub(crate) mod test_support {
    use super::{Example, NewsSentence};

    pub(crate) fn example(text: &str, check_worthy: bool) -> Example {
        Example {
            text: text.to_string(),
            check_worthy,
        }
    }

    pub(crate) fn news_sentence(article: &str, text: &str, check_worthy: bool) -> NewsSentence {
        NewsSentence {
            article: article.to_string(),
            category: if check_worthy { 'F' } else { 'O' },
            second: None,
            example: example(text, check_worthy),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::test_support::{example, news_sentence};

    #[test]
    fn tsv_parsing_handles_quotes_carriage_returns_and_glued_lines() {
        let content = "Sentence_id\tText\tclass_label\r\n\
            1\t\"He said \"\"no\"\" twice.\"\tNo\r\n\
            2\tTaxes rose 5%.\tYes\n\
            3\tWe must act.\tNo4\tIt cost $9.\tYes\n";
        let examples = parse_tsv(content, Path::new("x.tsv")).expect("valid TSV");
        assert_eq!(
            examples,
            [
                example("He said \"no\" twice.", false),
                example("Taxes rose 5%.", true),
                example("We must act.", false),
                example("It cost $9.", true),
            ]
        );
        let error = parse_tsv("id\ttext\tlabel\n1\tHello\tMaybe\n", Path::new("x.tsv"));
        assert!(matches!(
            error,
            Err(DataError::MalformedTsv { line: 2, .. })
        ));
        let error = parse_tsv("id\ttext\tlabel\n1\tHello\n", Path::new("x.tsv"));
        assert!(matches!(
            error,
            Err(DataError::MalformedTsv { line: 2, .. })
        ));
    }

    /// One article of each split.
    const ARTICLES: &str = "article\tsplit\toutlet\ttopic\turl\n\
        a1\ttrain\tOutlet\ttopic\thttps://example.com/1\n\
        a2\ttest\tOutlet\ttopic\thttps://example.com/2\n\
        a3\ttest2\tOutlet\ttopic\thttps://example.com/3\n";

    #[test]
    fn news_set_parsing_checks_every_field() {
        let parse = |sentences: &str| {
            parse_news_set(ARTICLES, Path::new("a.tsv"), sentences, Path::new("s.tsv"))
        };
        let header = "article\tcategory\tclass_label\ttext\n";
        let set = parse(&format!(
            "{header}a1\tF\tYes\tThe toll rose to 381.\na2\tP\tNo\tIt will rain.\n\
             a3\tV\tNo\tWe will win.\n"
        ))
        .expect("valid set");
        assert_eq!(
            set.train,
            [news_sentence("a1", "The toll rose to 381.", true)]
        );
        assert_eq!(
            (
                set.test.len(),
                set.test[0].category,
                set.test[0].example.check_worthy
            ),
            (1, 'P', false)
        );
        assert_eq!((set.test2.len(), set.test2[0].category), (1, 'V'));
        for (bad, message) in [
            ("a4\tF\tYes\tText.", "not in articles.tsv"),
            ("a1\tX\tNo\tText.", "category must be one of"),
            ("a1\tF\tNo\tText.", "category F is labelled Yes"),
            ("a1\tF\tYes", "expected 4 tab-separated fields"),
        ] {
            let error = parse(&format!("{header}{bad}\n")).unwrap_err().to_string();
            assert!(
                error.starts_with("s.tsv:2: ") && error.contains(message),
                "{error}"
            );
        }
        let error = parse_news_set(
            "h\na1\tdev\to\tt\tu\n",
            Path::new("a.tsv"),
            header,
            Path::new("s.tsv"),
        )
        .unwrap_err()
        .to_string();
        assert!(error.starts_with("a.tsv:2: "), "{error}");
    }

    #[test]
    fn second_labels_join_test_sentences_by_article_and_text() {
        let sentences = "article\tcategory\tclass_label\ttext\n\
            a1\tF\tYes\tThe toll rose to 381.\n\
            a2\tP\tNo\tIt will rain.\n\
            a2\tU\tNo\tHe spoke in Paris.\n\
            a3\tV\tNo\tWe will win.\n";
        let set = || {
            parse_news_set(ARTICLES, Path::new("a.tsv"), sentences, Path::new("s.tsv"))
                .expect("valid set")
        };
        let header = "article\tcategory\ttext\n";
        let mut labelled = set();
        add_second_labels(
            &mut labelled,
            &format!("{header}a2\tF\tIt will rain.\na3\tV\tWe will win.\n"),
            Path::new("2.tsv"),
        )
        .expect("valid second labels");
        let second = |sentences: &[NewsSentence]| -> Vec<Option<char>> {
            sentences.iter().map(|s| s.second).collect()
        };
        assert_eq!(second(&labelled.test), [Some('F'), None]);
        assert_eq!(second(&labelled.test2), [Some('V')]);
        assert_eq!(second(&labelled.train), [None]);
        for (bad, message) in [
            (
                "a1\tF\tThe toll rose to 381.",
                "no test sentence of article \"a1\"",
            ),
            ("a2\tF\tIt will snow.", "no test sentence"),
            ("a2\tY\tIt will rain.", "category must be one of"),
            ("a2\tF", "expected 3 tab-separated fields"),
        ] {
            let error =
                add_second_labels(&mut set(), &format!("{header}{bad}\n"), Path::new("2.tsv"))
                    .unwrap_err()
                    .to_string();
            assert!(
                error.starts_with("2.tsv:2: ") && error.contains(message),
                "{error}"
            );
        }
    }
}
