//! Publishing outputs: schema.org ClaimReview markup, the report model and its rendering,
//! and the state-over-time chart. Pure code over records and history; the commands read the
//! repository and write the results.

pub mod chart;
pub mod claimreview;
pub mod render;
pub mod report;
pub mod timeline;

/// An address a reader can follow: http or https only, so that a hand-edited record cannot
/// slip a `javascript:` link into a published page.
pub fn web_link(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    (matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some())
        .then(|| parsed.to_string())
}

/// A calendar date (UTC) in ISO 8601, as schema.org dates are written.
pub fn iso_date(at: jiff::Timestamp) -> String {
    at.strftime("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_addresses_become_links() {
        assert_eq!(
            web_link(" https://example.org/a b").as_deref(),
            Some("https://example.org/a%20b")
        );
        assert_eq!(web_link("javascript:alert(1)"), None);
        assert_eq!(web_link("seeds/article.txt"), None);
    }

    #[test]
    fn dates_are_utc_calendar_days() {
        let at: jiff::Timestamp = "2026-03-01T23:30:00-05:00".parse().unwrap();
        assert_eq!(iso_date(at), "2026-03-02");
    }
}
