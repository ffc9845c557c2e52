//! Figures (numbers with their qualifier and unit) and how two sentences'
//! figures differ.

use std::cmp::Ordering;
use std::fmt;

/// How a figure is hedged. The qualifier is part of the figure: "more than
/// 50" and "50" are different claims.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Qualifier {
    Exactly,
    MoreThan,
    LessThan,
    AtLeast,
    AtMost,
    About,
    Nearly,
    UpTo,
    /// "between 250,000 and 300,000"; holds the upper bound.
    Between(f64),
}

impl Qualifier {
    /// Position in the canonical order of figures.
    fn rank(self) -> u8 {
        match self {
            Qualifier::Exactly => 0,
            Qualifier::MoreThan => 1,
            Qualifier::LessThan => 2,
            Qualifier::AtLeast => 3,
            Qualifier::AtMost => 4,
            Qualifier::About => 5,
            Qualifier::Nearly => 6,
            Qualifier::UpTo => 7,
            Qualifier::Between(_) => 8,
        }
    }

    fn upper(self) -> f64 {
        match self {
            Qualifier::Between(upper) => upper,
            _ => 0.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unit {
    Count,
    Percent,
    /// A currency, by its symbol.
    Currency(char),
    /// A time of day, in minutes after midnight.
    Time,
}

/// A number as a claim states it: "more than 50", "97%", "$1.5 billion".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub qualifier: Qualifier,
    pub value: f64,
    pub unit: Unit,
}

fn same_value(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

impl Figure {
    /// Same figure, qualifier and unit included.
    pub fn same_as(&self, other: &Figure) -> bool {
        let qualifiers_match = match (self.qualifier, other.qualifier) {
            (Qualifier::Between(a), Qualifier::Between(b)) => same_value(a, b),
            (a, b) => a == b,
        };
        qualifiers_match && self.unit == other.unit && same_value(self.value, other.value)
    }

    /// Same unit and value, whatever the qualifier: "185" and "up to 185"; a range states
    /// both its bounds ("up to 13" and "between 9 and 13").
    pub fn same_value_as(&self, other: &Figure) -> bool {
        let bounds = |figure: &Figure| {
            let upper = match figure.qualifier {
                Qualifier::Between(upper) => Some(upper),
                _ => None,
            };
            [Some(figure.value), upper].into_iter().flatten()
        };
        self.unit == other.unit && bounds(self).any(|a| bounds(other).any(|b| same_value(a, b)))
    }

    /// Whether the figure may be a year ("in 2024", "since 2017"): a plain
    /// whole count between 1900 and 2100. A date says when, not how much, so
    /// a differing year never makes two claims compete.
    pub fn is_year_like(&self) -> bool {
        self.unit == Unit::Count
            && self.qualifier == Qualifier::Exactly
            && self.value.fract() == 0.0
            && (1900.0..=2100.0).contains(&self.value)
    }

    /// A total order: unit, value, then qualifier.
    pub(crate) fn order(&self, other: &Figure) -> Ordering {
        self.unit
            .cmp(&other.unit)
            .then(self.value.total_cmp(&other.value))
            .then(self.qualifier.rank().cmp(&other.qualifier.rank()))
            .then(self.qualifier.upper().total_cmp(&other.qualifier.upper()))
    }
}

/// The same figures, in any order.
pub(crate) fn same_figures(a: &[Figure], b: &[Figure]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (only_a, only_b) = unmatched(a, b);
    only_a.is_empty() && only_b.is_empty()
}

/// Whether two different figures are close enough to be competing
/// statements of one quantity ("55" and "more than 50", "97%" and "90%").
pub(crate) fn comparable(a: &Figure, b: &Figure) -> bool {
    let (low, high) = if a.value <= b.value {
        (a.value, b.value)
    } else {
        (b.value, a.value)
    };
    a.unit == b.unit && !a.same_as(b) && low > 0.0 && high <= 2.0 * low
}

fn format_number(value: f64) -> String {
    for (scale, name) in [(1e12, "trillion"), (1e9, "billion"), (1e6, "million")] {
        let scaled = value / scale;
        if scaled.abs() >= 1.0 && same_value((scaled * 100.0).round(), scaled * 100.0) {
            return format!("{} {name}", format_plain(scaled));
        }
    }
    format_plain(value)
}

/// "250,000", "2.8", "15.1": thousands separators, no trailing zeros.
fn format_plain(value: f64) -> String {
    let rounded = (value * 1000.0).round() / 1000.0;
    let text = format!("{rounded}");
    let (integer, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let (sign, digits) = integer
        .strip_prefix('-')
        .map_or(("", integer), |digits| ("-", digits));
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 && digits.len() > 4 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

impl fmt::Display for Figure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let amount = |value: f64| match self.unit {
            Unit::Count => format_number(value),
            Unit::Percent => format!("{}%", format_number(value)),
            Unit::Currency(symbol) => format!("{symbol}{}", format_number(value)),
            Unit::Time => format!("{:02}:{:02}", value as u32 / 60, value as u32 % 60),
        };
        let prefix = match self.qualifier {
            Qualifier::Exactly => "",
            Qualifier::MoreThan => "more than ",
            Qualifier::LessThan => "less than ",
            Qualifier::AtLeast => "at least ",
            Qualifier::AtMost => "at most ",
            Qualifier::About => "about ",
            Qualifier::Nearly => "nearly ",
            Qualifier::UpTo => "up to ",
            Qualifier::Between(upper) => {
                return write!(f, "between {} and {}", amount(self.value), amount(upper));
            }
        };
        write!(f, "{prefix}{}", amount(self.value))
    }
}

/// At most this many differences are spelled out.
const MAX_DESCRIBED: usize = 5;

/// The figures of `a` that `b` does not state, and those of `b` that `a`
/// does not state (as multisets).
fn unmatched(a: &[Figure], b: &[Figure]) -> (Vec<Figure>, Vec<Figure>) {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort_by(Figure::order);
    b.sort_by(Figure::order);
    let (mut only_a, mut only_b) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].same_as(&b[j]) {
            i += 1;
            j += 1;
        } else if a[i].order(&b[j]).is_lt() {
            only_a.push(a[i]);
            i += 1;
        } else {
            only_b.push(b[j]);
            j += 1;
        }
    }
    only_a.extend_from_slice(&a[i..]);
    only_b.extend_from_slice(&b[j..]);
    (only_a, only_b)
}

/// Describes how the figures of two sets differ ("55 vs more than 50"), or
/// None when they state the same figures. Figures both sides share are left
/// out; the rest are paired by unit and closeness, years with years.
pub(crate) fn describe_difference(a: &[Figure], b: &[Figure]) -> Option<String> {
    let (only_a, mut only_b) = unmatched(a, b);
    if only_a.is_empty() && only_b.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    for figure in only_a.iter().take(MAX_DESCRIBED) {
        let closest = only_b
            .iter()
            .enumerate()
            // A year is paired with a year only: "300,000 vs 2017" compares nothing.
            .filter(|(_, other)| {
                other.unit == figure.unit && other.is_year_like() == figure.is_year_like()
            })
            .min_by(|(_, x), (_, y)| {
                (x.value - figure.value)
                    .abs()
                    .total_cmp(&(y.value - figure.value).abs())
            })
            .map(|(index, _)| index);
        match closest {
            Some(index) => parts.push(format!("{figure} vs {}", only_b.remove(index))),
            None => parts.push(format!("{figure} vs none")),
        }
    }
    let room = MAX_DESCRIBED.saturating_sub(parts.len());
    parts.extend(
        only_b
            .iter()
            .take(room)
            .map(|figure| format!("none vs {figure}")),
    );
    let left_out = only_a.len().saturating_sub(MAX_DESCRIBED) + only_b.len().saturating_sub(room);
    if left_out > 0 {
        parts.push(format!("{left_out} more"));
    }
    Some(parts.join("; "))
}

/// How the figures stated in sentence `a` differ from those in sentence `b`
/// ("55 vs more than 50", "97% vs 90%"), or None if they state the same
/// figures.
pub fn figure_difference(a: &str, b: &str) -> Option<String> {
    let a = super::Fingerprint::of(a);
    let b = super::Fingerprint::of(b);
    describe_difference(a.figures(), b.figures())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn difference_names_both_figures_with_qualifiers() {
        assert_eq!(
            figure_difference(
                "She has already extradited 55 senior cartel members to the U.S.",
                "Mexico has extradited more than 50 criminal leaders."
            )
            .as_deref(),
            Some("55 vs more than 50")
        );
        assert_eq!(
            figure_difference("Trafficking fell 97 per cent.", "Trafficking fell by 90%.")
                .as_deref(),
            Some("97% vs 90%")
        );
    }

    #[test]
    fn same_figures_in_other_words_make_no_difference() {
        assert_eq!(
            figure_difference(
                "It fell 87 per cent, costing $1.5 billion.",
                "A $1.5bn, 87% fall."
            ),
            None
        );
        assert_eq!(figure_difference("No figures.", "None here either."), None);
    }

    #[test]
    fn unpaired_figures_are_reported() {
        assert_eq!(
            figure_difference(
                "Six cartels were designated in 2025.",
                "Six cartels were designated."
            )
            .as_deref(),
            Some("2025 vs none")
        );
    }

    #[test]
    fn a_year_is_never_paired_with_a_count() {
        assert_eq!(
            figure_difference(
                "Fentanyl kills 250,000 to 300,000 Americans a year.",
                "Fentanyl has claimed over 100,000 lives since 2017."
            )
            .as_deref(),
            Some("250,000 vs more than 100,000; 300,000 vs none; none vs 2017")
        );
    }

    #[test]
    fn a_hedge_or_a_range_states_the_same_value() {
        let figure = |sentence: &str| super::super::Fingerprint::of(sentence).figures()[0];
        assert!(figure("up to 13 feet").same_value_as(&figure("13 feet")));
        assert!(figure("up to 13 feet").same_value_as(&figure("9–13 feet")));
        assert!(figure("9–13 feet").same_value_as(&figure("about 9 feet")));
        assert!(!figure("9–13 feet").same_value_as(&figure("11 feet")));
        assert!(!figure("13%").same_value_as(&figure("13 feet")));
    }

    #[test]
    fn qualifiers_tell_equal_values_apart() {
        assert_eq!(
            figure_difference("50 and more than 50", "more than 50 and 50"),
            None
        );
        assert_eq!(
            figure_difference("50 and more than 50", "more than 50 and about 50").as_deref(),
            Some("50 vs about 50")
        );
    }

    #[test]
    fn long_lists_of_differences_are_cut_short() {
        assert_eq!(
            figure_difference("1 2 3 4 5 6 7", "").as_deref(),
            Some("1 vs none; 2 vs none; 3 vs none; 4 vs none; 5 vs none; 2 more")
        );
    }

    #[test]
    fn ranges_and_large_numbers_display_readably() {
        assert_eq!(
            figure_difference(
                "between 250,000 and 300,000 people die",
                "between 200,000 and 300,000 people die"
            )
            .as_deref(),
            Some("between 250,000 and 300,000 vs between 200,000 and 300,000")
        );
        assert_eq!(
            figure_difference("$1.5 billion", "$2 billion").as_deref(),
            Some("$1.5 billion vs $2 billion")
        );
    }
}
