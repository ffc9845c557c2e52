//! The state counts over time as a small stacked-area chart in inline SVG: no script, no
//! external assets, readable at phone width. Its only text is dates, numbers and state
//! names, none of which comes from a record.

use std::fmt::Write;

use super::timeline::DayCounts;
use crate::domain::state::State;

// Sized so that, scaled down to a phone's width, the labels stay readable.
const WIDTH: f64 = 400.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 392.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 170.0;
/// The legend: two columns of two states under the dates.
const LEGEND_COLUMN: f64 = 180.0;
const LEGEND_TOP: f64 = BOTTOM + 28.0;
const LEGEND_ROW: f64 = 20.0;
/// More columns than this add nothing a reader can see at phone width.
const MAX_COLUMNS: usize = 240;

/// Fill colours, in the order of `State::ALL`, stacked bottom to top.
const COLOURS: [&str; 4] = ["#9aa0a6", "#e0a526", "#2e8b57", "#c9302c"];

/// The chart, or `None` when there is no history to draw.
pub fn state_chart(days: &[DayCounts]) -> Option<String> {
    let last = days.last()?;
    let mut columns = sample(days);
    if columns.len() == 1 {
        // One day: draw it across the whole width.
        columns.push(last);
    }
    let peak = columns.iter().map(|d| d.total()).max().unwrap_or(0).max(1);
    let x = |i: usize| LEFT + (RIGHT - LEFT) * i as f64 / (columns.len() - 1) as f64;
    let y = |count: usize| BOTTOM - (BOTTOM - TOP) * count as f64 / peak as f64;

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-labelledby="state-chart-title"><title id="state-chart-title">Claims per state from {} to {}</title>"#,
        days[0].day, last.day
    );
    for (layer, colour) in COLOURS.iter().enumerate() {
        let below = |i: usize| columns[i].counts[..layer].iter().sum::<usize>();
        let above = |i: usize| below(i) + columns[i].counts[layer];
        let mut path = String::new();
        for i in 0..columns.len() {
            let _ = write!(
                path,
                "{}{:.1},{:.1}",
                if i == 0 { "M" } else { " L" },
                x(i),
                y(above(i))
            );
        }
        for i in (0..columns.len()).rev() {
            let _ = write!(path, " L{:.1},{:.1}", x(i), y(below(i)));
        }
        let _ = write!(svg, r#"<path d="{path} Z" fill="{colour}"/>"#);
    }
    let _ = write!(
        svg,
        concat!(
            r##"<g font-family="sans-serif" font-size="12.5" fill="#333">"##,
            r##"<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#333"/>"##,
            r##"<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#333"/>"##,
            r#"<text x="{label}" y="{top_text}" text-anchor="end">{peak}</text>"#,
            r#"<text x="{label}" y="{bottom}" text-anchor="end">0</text>"#,
            r#"<text x="{left}" y="{dates}">{first}</text>"#,
            r#"<text x="{right}" y="{dates}" text-anchor="end">{last}</text>"#,
        ),
        left = LEFT,
        right = RIGHT,
        top = TOP,
        bottom = BOTTOM,
        label = LEFT - 6.0,
        top_text = TOP + 10.0,
        dates = BOTTOM + 16.0,
        peak = peak,
        first = days[0].day,
        last = last.day,
    );
    for (i, (state, colour)) in State::ALL.iter().zip(COLOURS).enumerate() {
        let left = LEFT + LEGEND_COLUMN * (i % 2) as f64;
        let top = LEGEND_TOP + LEGEND_ROW * (i / 2) as f64;
        let _ = write!(
            svg,
            r#"<rect x="{left}" y="{top}" width="11" height="11" fill="{colour}"/><text x="{}" y="{}">{state} {}</text>"#,
            left + 16.0,
            top + 10.0,
            last.counts[i]
        );
    }
    svg.push_str("</g></svg>");
    Some(svg)
}

/// At most `MAX_COLUMNS` days, evenly spread, always keeping the first and the last.
fn sample(days: &[DayCounts]) -> Vec<&DayCounts> {
    if days.len() <= MAX_COLUMNS {
        return days.iter().collect();
    }
    (0..MAX_COLUMNS)
        .map(|i| &days[i * (days.len() - 1) / (MAX_COLUMNS - 1)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(offset: i64, counts: [usize; 4]) -> DayCounts {
        let start = jiff::civil::date(2026, 1, 1);
        DayCounts {
            day: start.checked_add(jiff::Span::new().days(offset)).unwrap(),
            counts,
        }
    }

    #[test]
    fn draws_one_layer_per_state_with_dates_and_the_latest_counts() {
        let svg = state_chart(&[day(0, [3, 0, 0, 0]), day(5, [1, 1, 2, 1])]).unwrap();
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<path ").count(), 4);
        assert!(svg.contains("2026-01-01") && svg.contains("2026-01-06"));
        assert!(svg.contains(">corroborated 2<"), "{svg}");
        assert!(svg.contains(">5<"), "the peak labels the axis: {svg}");
    }

    #[test]
    fn a_single_day_spans_the_width_and_no_history_draws_nothing() {
        let svg = state_chart(&[day(0, [2, 0, 0, 0])]).unwrap();
        assert!(
            svg.contains(&format!("M{LEFT:.1},{TOP:.1} L{RIGHT:.1},{TOP:.1}")),
            "{svg}"
        );
        assert_eq!(state_chart(&[]), None);
    }

    #[test]
    fn long_histories_are_sampled_keeping_both_ends() {
        let days: Vec<DayCounts> = (0..1000).map(|i| day(i, [i as usize, 0, 0, 0])).collect();
        let columns = sample(&days);
        assert_eq!(columns.len(), MAX_COLUMNS);
        assert_eq!(columns[0].day, days[0].day);
        assert_eq!(columns[MAX_COLUMNS - 1].day, days[999].day);
    }
}
