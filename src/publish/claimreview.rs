//! schema.org ClaimReview markup for reviewed claims, following Google's fact-check
//! structured data: a short summary of the claim, the rating on the newsroom's scale, the
//! published fact-check, its author and date, and the claim itself with who made it and where.
//! Only claims with a verdict (`claims verdict`) whose rating matches their state have one.

use std::fmt;

use serde::Serialize;

use super::{iso_date, web_link};
use crate::domain::policy::{Organization, RatingScale};
use crate::domain::record::{Appearance, Record, host_of};

/// Google shows at most this many characters of `claimReviewed`.
pub const SUMMARY_MAX_CHARS: usize = 75;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimReview {
    #[serde(rename = "@context")]
    pub context: &'static str,
    #[serde(rename = "@type")]
    pub kind: &'static str,
    /// The claim's id, so that a publishing system can match the markup to its page.
    pub identifier: String,
    pub claim_reviewed: String,
    pub review_rating: ReviewRating,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Agent>,
    pub date_published: String,
    pub item_reviewed: ClaimItem,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewRating {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub alternate_name: String,
    pub rating_value: u32,
    pub best_rating: u32,
    pub worst_rating: u32,
}

/// A person or organisation: the fact-check's author, or the claim's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agent {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The claim under review.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimItem {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Agent>,
    pub date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_appearance: Option<CreativeWork>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub appearance: Vec<CreativeWork>,
}

/// A work in which the claim appeared: a web page by its address, anything else by name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreativeWork {
    #[serde(rename = "@type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl CreativeWork {
    fn of(appearance: &Appearance) -> CreativeWork {
        let url = web_link(&appearance.document);
        CreativeWork {
            kind: "CreativeWork",
            name: url.is_none().then(|| appearance.document.clone()),
            url,
            text: appearance.excerpt.as_deref().map(summary),
        }
    }
}

/// The claim as `claimReviewed` gives it: its own words on one line. It is the claim, never
/// the verdict, which goes in the rating alone.
pub fn summary(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Why a reviewed claim has no ClaimReview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeftOut {
    /// Corroborated or disputed (or published), but no verdict was recorded.
    NoVerdict,
    /// The verdict's rating is not on the scale, or belongs to another state.
    RatingMismatch { rating: String },
    /// The verdict's page is not a web address.
    NotAWebPage { url: String },
}

impl LeftOut {
    /// The kind of reason without this claim's particulars, to group claims under.
    pub fn kind(&self) -> &'static str {
        match self {
            LeftOut::NoVerdict => {
                "no verdict (give it with: claims verdict ID --rating NAME --url URL)"
            }
            LeftOut::RatingMismatch { .. } => {
                "the verdict's rating does not match the claim's state (claims check says more)"
            }
            LeftOut::NotAWebPage { .. } => "the verdict's url is not an http or https address",
        }
    }
}

/// The ClaimReview of a claim with a verdict whose rating matches its state; otherwise why
/// it has none. Dated by the verdict.
pub fn claim_review(
    record: &Record,
    scale: &RatingScale,
    organization: Option<&Organization>,
) -> Result<ClaimReview, LeftOut> {
    let verdict = record.verdict.as_ref().ok_or(LeftOut::NoVerdict)?;
    let rating = scale
        .find(&verdict.rating)
        .filter(|r| r.verdict == record.state)
        .ok_or_else(|| LeftOut::RatingMismatch {
            rating: verdict.rating.clone(),
        })?;
    let url = web_link(&verdict.url).ok_or_else(|| LeftOut::NotAWebPage {
        url: verdict.url.clone(),
    })?;
    let appearances: Vec<CreativeWork> = record.appearances.iter().map(CreativeWork::of).collect();
    Ok(ClaimReview {
        context: "https://schema.org",
        kind: "ClaimReview",
        identifier: record.id.to_string(),
        claim_reviewed: summary(&record.text),
        review_rating: ReviewRating {
            kind: "Rating",
            alternate_name: rating.name.clone(),
            rating_value: rating.value,
            best_rating: scale.best,
            worst_rating: scale.worst,
        },
        url: Some(url),
        author: organization.map(|org| Agent {
            kind: "Organization",
            name: org.name.clone(),
            url: web_link(&org.url),
        }),
        date_published: iso_date(verdict.at),
        item_reviewed: ClaimItem {
            kind: "Claim",
            // Whether a claimant is a person or a body is not recorded; most are people.
            author: record.claimant.as_ref().map(|name| Agent {
                kind: "Person",
                name: name.clone(),
                url: None,
            }),
            // When the newsroom first recorded the claim: the earliest date the tool knows.
            date_published: iso_date(record.created),
            first_appearance: appearances.first().cloned(),
            appearance: appearances,
        },
    })
}

/// The ClaimReviews of `records`, in their order, and the reviewed claims left out with
/// why. A claim is reviewed when it has a verdict, is corroborated or disputed, or is
/// published; dismissed claims are not exported at all.
pub fn claim_reviews<'r>(
    records: &'r [Record],
    scale: &RatingScale,
    organization: Option<&Organization>,
) -> (Vec<ClaimReview>, Vec<(&'r Record, LeftOut)>) {
    let mut reviews = Vec::new();
    let mut left_out = Vec::new();
    let reviewed = records.iter().filter(|r| {
        !r.is_dismissed() && (r.verdict.is_some() || r.state.is_verdict() || r.published)
    });
    for record in reviewed {
        match claim_review(record, scale, organization) {
            Ok(review) => reviews.push(review),
            Err(why) => left_out.push((record, why)),
        }
    }
    (reviews, left_out)
}

/// The reviews as a JSON-LD array, ready to paste into a `<script type="application/ld+json">`
/// element: `<`, `>` and `&` (which JSON allows only inside strings) are written as `\u`
/// escapes, so a claim quoting `</script>` cannot end the element early.
pub fn to_json_ld(reviews: &[ClaimReview]) -> String {
    let json = serde_json::to_string_pretty(reviews).expect("ClaimReview serialises to JSON");
    let mut escaped = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => escaped.push_str("\\u003c"),
            '>' => escaped.push_str("\\u003e"),
            '&' => escaped.push_str("\\u0026"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// What keeps a claim's ClaimReview from being accepted as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadinessGap {
    MissingUrl,
    OffDomain { url: String, domain: String },
    LongSummary { chars: usize },
}

impl ReadinessGap {
    /// A short stable name for the rule, as `claims check` reports it.
    pub fn rule(&self) -> &'static str {
        match self {
            ReadinessGap::MissingUrl => "claimreview-url",
            ReadinessGap::OffDomain { .. } => "claimreview-domain",
            ReadinessGap::LongSummary { .. } => "claimreview-summary",
        }
    }

    /// The kind of gap without this claim's particulars, to group claims under.
    pub fn kind(&self) -> &'static str {
        match self {
            ReadinessGap::MissingUrl => {
                "no verdict with its fact-check url (give it with: claims verdict ID --rating NAME --url URL)"
            }
            ReadinessGap::OffDomain { .. } => "published url not on the organisation's domain",
            ReadinessGap::LongSummary { .. } => "claim text too long for a ClaimReview summary",
        }
    }
}

impl fmt::Display for ReadinessGap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadinessGap::MissingUrl => f.write_str(self.kind()),
            ReadinessGap::OffDomain { url, domain } => {
                write!(
                    f,
                    "published url {url} is not on the organisation's domain {domain}"
                )
            }
            ReadinessGap::LongSummary { chars } => write!(
                f,
                "claim text is {chars} characters; ClaimReview summaries should be at most {SUMMARY_MAX_CHARS}"
            ),
        }
    }
}

/// What keeps the claim's ClaimReview from being ready. The domain is checked only when the
/// organisation is known.
pub fn readiness_gaps(record: &Record, organization: Option<&Organization>) -> Vec<ReadinessGap> {
    let mut gaps = Vec::new();
    match record.verdict.as_ref().and_then(|v| web_link(&v.url)) {
        None => gaps.push(ReadinessGap::MissingUrl),
        Some(url) => {
            if let Some(domain) = organization.and_then(|org| host_of(&org.url))
                && !on_domain(&url, &domain)
            {
                gaps.push(ReadinessGap::OffDomain { url, domain });
            }
        }
    }
    let chars = summary(&record.text).chars().count();
    if chars > SUMMARY_MAX_CHARS {
        gaps.push(ReadinessGap::LongSummary { chars });
    }
    gaps
}

/// Whether `url` is on `domain` or one of its subdomains.
fn on_domain(url: &str, domain: &str) -> bool {
    host_of(url).is_some_and(|host| {
        host.eq_ignore_ascii_case(domain)
            || host
                .to_ascii_lowercase()
                .ends_with(&format!(".{}", domain.to_ascii_lowercase()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::{Transition, Verdict};
    use crate::domain::state::State;
    use jiff::Timestamp;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn organization() -> Organization {
        Organization {
            name: "Verifica".into(),
            url: "https://www.verifica.example".into(),
        }
    }

    fn disputed() -> Record {
        let mut record = Record::new(
            "Mexico  extradited\n55 people to the U.S. in 2025.".into(),
            at("2026-01-02T03:04:05Z"),
        );
        record.state = State::Disputed;
        record.claimant = Some("Claudia Sheinbaum".into());
        record.appearances.push(Appearance {
            document: "https://news.example/interview".into(),
            line: None,
            excerpt: Some("She said 55 people\nwere sent.".into()),
            attribution: None,
        });
        record.appearances.push(Appearance {
            document: "seeds/briefing.txt".into(),
            line: Some(4),
            excerpt: None,
            attribution: None,
        });
        record.history.push(Transition {
            from: State::Sourced,
            to: State::Disputed,
            at: at("2026-02-03T10:00:00Z"),
            by: "Ana <ana@example.org>".into(),
            note: Some("The ministry says 29.".into()),
            retracted: None,
        });
        record.verdict = Some(Verdict {
            rating: "False".into(),
            url: "https://verifica.example/2026/extraditions".into(),
            at: at("2026-02-03T10:00:00Z"),
            by: "Ana <ana@example.org>".into(),
        });
        record
    }

    fn verdict_url(record: &mut Record, url: &str) {
        record.verdict.as_mut().unwrap().url = url.into();
    }

    #[test]
    fn a_verdict_maps_to_every_claimreview_field() {
        let review =
            claim_review(&disputed(), &RatingScale::default(), Some(&organization())).unwrap();
        let json = serde_json::to_value(&review).unwrap();
        assert_eq!(json["@context"], "https://schema.org");
        assert_eq!(json["@type"], "ClaimReview");
        assert_eq!(
            json["claimReviewed"],
            "Mexico extradited 55 people to the U.S. in 2025."
        );
        assert_eq!(
            json["reviewRating"],
            serde_json::json!({"@type": "Rating", "alternateName": "False",
                "ratingValue": 1, "bestRating": 5, "worstRating": 1})
        );
        assert_eq!(json["url"], "https://verifica.example/2026/extraditions");
        assert_eq!(json["author"]["@type"], "Organization");
        assert_eq!(json["author"]["name"], "Verifica");
        assert_eq!(json["datePublished"], "2026-02-03", "dated by the verdict");
        let item = &json["itemReviewed"];
        assert_eq!(item["@type"], "Claim");
        assert_eq!(item["author"]["name"], "Claudia Sheinbaum");
        assert_eq!(item["datePublished"], "2026-01-02");
        assert_eq!(
            item["firstAppearance"]["url"],
            "https://news.example/interview"
        );
        assert_eq!(
            item["firstAppearance"]["text"],
            "She said 55 people were sent."
        );
        assert_eq!(item["appearance"][1]["name"], "seeds/briefing.txt");
        assert!(item["appearance"][1].get("url").is_none());
    }

    #[test]
    fn json_ld_cannot_close_a_script_element() {
        let mut record = disputed();
        record.text = "Says </script><script>alert('&')</script>".into();
        let review = claim_review(&record, &RatingScale::default(), None).unwrap();
        let json = to_json_ld(std::slice::from_ref(&review));
        assert!(!json.contains('<') && !json.contains('&'), "{json}");
        let parsed: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
        assert_eq!(parsed[0]["claimReviewed"], record.text);
    }

    #[test]
    fn only_claims_with_a_matching_verdict_are_reviewed_and_the_rest_say_why() {
        let scale = RatingScale::default();
        let rated = disputed();
        let mut unrated = disputed();
        unrated.text = "Unrated".into();
        unrated.verdict = None;
        let mut mismatched = disputed();
        mismatched.text = "Mismatched".into();
        mismatched.state = State::Corroborated;
        let mut dismissed = unrated.clone();
        dismissed.dismissals.push(crate::domain::record::Dismissal {
            reason: crate::domain::record::DismissReason::OutOfScope,
            duplicate_of: None,
            note: None,
            at: at("2026-02-04T00:00:00Z"),
            by: "Ana".into(),
            undone: None,
        });
        let mut open = unrated.clone();
        open.state = State::Sourced;
        let records = [rated, unrated, mismatched, dismissed, open];
        let (reviews, left_out) = claim_reviews(&records, &scale, None);
        assert_eq!(reviews.len(), 1);
        assert_eq!(reviews[0].author, None);
        let why: Vec<(&str, &LeftOut)> = left_out
            .iter()
            .map(|(record, why)| (record.text.as_str(), why))
            .collect();
        assert_eq!(
            why,
            [
                ("Unrated", &LeftOut::NoVerdict),
                (
                    "Mismatched",
                    &LeftOut::RatingMismatch {
                        rating: "False".into()
                    }
                )
            ]
        );
    }

    #[test]
    fn readiness_flags_missing_and_foreign_urls_and_long_summaries() {
        let org = organization();
        let mut record = disputed();
        assert_eq!(readiness_gaps(&record, Some(&org)), []);
        verdict_url(&mut record, "https://desk.verifica.example/x");
        assert_eq!(readiness_gaps(&record, Some(&org)), []);
        verdict_url(&mut record, "https://notverifica.example/x");
        let gaps = readiness_gaps(&record, Some(&org));
        assert_eq!(gaps.len(), 1);
        assert_eq!(gaps[0].rule(), "claimreview-domain");
        assert_eq!(
            readiness_gaps(&record, None),
            [],
            "no organisation, no domain"
        );
        record.verdict = None;
        record.text = "x".repeat(SUMMARY_MAX_CHARS + 1);
        let rules: Vec<&str> = readiness_gaps(&record, Some(&org))
            .iter()
            .map(ReadinessGap::rule)
            .collect();
        assert_eq!(rules, ["claimreview-url", "claimreview-summary"]);
    }
}
