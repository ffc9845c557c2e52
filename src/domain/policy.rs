//! The newsroom's policy: guard thresholds from `claims.toml` and the checklists from
//! `templates/checklist.toml`. Parsing only; reading the files is the store's job.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::state::State;

/// The guard thresholds in force. `claims.toml` may tighten the defaults, never loosen them.
/// It also names the publishing organisation and its rating scale.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub sourced_min_sources: usize,
    pub corroborated_min_origins: usize,
    pub disputed_min_contradicting: usize,
    pub checklists: Checklists,
    /// Who publishes the fact-checks; the author of every ClaimReview.
    pub organization: Option<Organization>,
    pub rating: RatingScale,
    /// `claims check` also lints published claims for ClaimReview readiness.
    pub check_claimreview: bool,
    /// `claims audit` reports commits that change records without a signature.
    pub require_signed_commits: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            sourced_min_sources: 1,
            corroborated_min_origins: 2,
            disputed_min_contradicting: 1,
            checklists: Checklists::default(),
            require_signed_commits: false,
            organization: None,
            rating: RatingScale::default(),
            check_claimreview: false,
        }
    }
}

/// The newsroom that publishes the fact-checks.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub name: String,
    /// Its website: published fact-checks are expected on this domain.
    pub url: String,
}

/// One rating of the newsroom's scale: its name, its value on the scale, and the verdict
/// (corroborated or disputed) a claim must have to be given it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    pub name: String,
    pub value: u32,
    pub verdict: State,
}

/// A rating as the older `[rating]` layout names it: one per verdict, its verdict given by
/// the key it is under.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct VerdictRating {
    name: String,
    value: u32,
}

/// The rating scale of published fact-checks: named ratings with values between `worst`
/// (at least 1, as ClaimReview requires) and `best`, each belonging to one verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingScale {
    pub best: u32,
    pub worst: u32,
    pub ratings: Vec<Rating>,
}

impl Default for RatingScale {
    fn default() -> Self {
        let rating = |name: &str, value, verdict| Rating {
            name: name.into(),
            value,
            verdict,
        };
        RatingScale {
            best: 5,
            worst: 1,
            ratings: vec![
                rating("True", 5, State::Corroborated),
                rating("Mostly true", 4, State::Corroborated),
                rating("Missing context", 3, State::Disputed),
                rating("Misleading", 2, State::Disputed),
                rating("False", 1, State::Disputed),
            ],
        }
    }
}

impl RatingScale {
    /// The rating called `name`, in any case.
    pub fn find(&self, name: &str) -> Option<&Rating> {
        self.ratings
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name.trim()))
    }

    /// The ratings a claim in `state` may be given; none unless the state is a verdict.
    pub fn for_state(&self, state: State) -> impl Iterator<Item = &Rating> {
        self.ratings.iter().filter(move |r| r.verdict == state)
    }

    /// The names of the ratings of `state`, quoted, for messages.
    pub fn names_for(&self, state: State) -> String {
        let names: Vec<String> = self
            .for_state(state)
            .map(|r| format!("\"{}\"", r.name))
            .collect();
        names.join(", ")
    }

    fn validate(&self) -> Result<(), PolicyError> {
        let invalid = |message: String| Err(PolicyError::Rating(message));
        if self.worst < 1 || self.worst >= self.best {
            return invalid(format!(
                "worst = {} and best = {}: worst must be at least 1 and below best",
                self.worst, self.best
            ));
        }
        if self.ratings.is_empty() {
            return invalid("the scale has no ratings".into());
        }
        for (i, rating) in self.ratings.iter().enumerate() {
            if rating.name.trim().is_empty() {
                return invalid(format!("the {} rating's name is empty", rating.verdict));
            }
            if self.ratings[..i]
                .iter()
                .any(|r| r.name.eq_ignore_ascii_case(rating.name.trim()))
            {
                return invalid(format!("\"{}\" is on the scale twice", rating.name));
            }
            if !rating.verdict.is_verdict() {
                return invalid(format!(
                    "\"{}\" belongs to {}; a rating belongs to corroborated or disputed",
                    rating.name, rating.verdict
                ));
            }
            if !(self.worst..=self.best).contains(&rating.value) {
                return invalid(format!(
                    "\"{}\" has value {}, outside the scale {}..={}",
                    rating.name, rating.value, self.worst, self.best
                ));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PolicyError {
    #[error("{0}")]
    Syntax(String),
    #[error(
        "guards.{key} = {value} would loosen the built-in rule ({default}); claims.toml may only tighten it"
    )]
    Loosened {
        key: &'static str,
        value: usize,
        default: usize,
    },
    #[error("checklist item '{item}' appears twice in the {state} checklist")]
    DuplicateItem { state: State, item: String },
    #[error("rating: {0}")]
    Rating(String),
    #[error("organization.url '{0}' is not an http or https address")]
    OrganizationUrl(String),
    #[error("check.claimreview = true needs an [organization] with a name and url")]
    ClaimReviewWithoutOrganization,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    guards: GuardsFile,
    organization: Option<Organization>,
    #[serde(default)]
    rating: RatingFile,
    #[serde(default)]
    check: CheckFile,
    #[serde(default)]
    audit: AuditFile,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditFile {
    #[serde(default)]
    require_signed_commits: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RatingFile {
    best: Option<u32>,
    worst: Option<u32>,
    scale: Option<Vec<Rating>>,
    /// The older layout, one rating per verdict; still read.
    corroborated: Option<VerdictRating>,
    disputed: Option<VerdictRating>,
}

impl RatingFile {
    /// The ratings the file names: its `scale`, else the older one-per-verdict keys (with the
    /// built-in True and False for a verdict it leaves out), else the built-in scale.
    fn ratings(self, defaults: Vec<Rating>) -> Result<Vec<Rating>, PolicyError> {
        let older = [
            (State::Corroborated, self.corroborated, "True", 5),
            (State::Disputed, self.disputed, "False", 1),
        ];
        let uses_older = older.iter().any(|(_, rating, ..)| rating.is_some());
        match self.scale {
            Some(_) if uses_older => Err(PolicyError::Rating(
                "give the ratings either as scale = [...] or as corroborated and disputed, \
                 not both"
                    .into(),
            )),
            Some(scale) => Ok(scale),
            None if uses_older => Ok(older
                .into_iter()
                .map(|(verdict, rating, name, value)| {
                    let rating = rating.unwrap_or(VerdictRating {
                        name: name.into(),
                        value,
                    });
                    Rating {
                        name: rating.name,
                        value: rating.value,
                        verdict,
                    }
                })
                .collect()),
            None => Ok(defaults),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckFile {
    #[serde(default)]
    claimreview: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct GuardsFile {
    sourced_min_sources: Option<usize>,
    corroborated_min_origins: Option<usize>,
    disputed_min_contradicting: Option<usize>,
}

impl Policy {
    /// Reads `claims.toml` (its text) on top of the defaults, with these checklists.
    pub fn from_toml(text: &str, checklists: Checklists) -> Result<Policy, PolicyError> {
        let file: PolicyFile =
            toml::from_str(text).map_err(|e| PolicyError::Syntax(e.to_string()))?;
        let defaults = Policy::default();
        let tighten = |key, value: Option<usize>, default: usize| match value {
            Some(value) if value < default => Err(PolicyError::Loosened {
                key,
                value,
                default,
            }),
            Some(value) => Ok(value),
            None => Ok(default),
        };
        let rating = RatingScale {
            best: file.rating.best.unwrap_or(defaults.rating.best),
            worst: file.rating.worst.unwrap_or(defaults.rating.worst),
            ratings: file.rating.ratings(defaults.rating.ratings)?,
        };
        rating.validate()?;
        if let Some(organization) = &file.organization
            && !url::Url::parse(&organization.url)
                .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
        {
            return Err(PolicyError::OrganizationUrl(organization.url.clone()));
        }
        if file.check.claimreview && file.organization.is_none() {
            return Err(PolicyError::ClaimReviewWithoutOrganization);
        }
        Ok(Policy {
            sourced_min_sources: tighten(
                "sourced_min_sources",
                file.guards.sourced_min_sources,
                defaults.sourced_min_sources,
            )?,
            corroborated_min_origins: tighten(
                "corroborated_min_origins",
                file.guards.corroborated_min_origins,
                defaults.corroborated_min_origins,
            )?,
            disputed_min_contradicting: tighten(
                "disputed_min_contradicting",
                file.guards.disputed_min_contradicting,
                defaults.disputed_min_contradicting,
            )?,
            checklists,
            organization: file.organization,
            rating,
            check_claimreview: file.check.claimreview,
            require_signed_commits: file.audit.require_signed_commits,
        })
    }
}

/// One question a reviewer answers before a move.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    pub item: String,
    pub ask: String,
}

/// The checklist items for each target state, in the order a reviewer walks through them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checklists(BTreeMap<State, Vec<ChecklistItem>>);

/// The checklists `claims init` writes to `templates/checklist.toml`, and the ones in force
/// when a repository has no such file.
pub const DEFAULT_CHECKLISTS: &str = include_str!("../../templates/checklist.toml");

impl Default for Checklists {
    fn default() -> Self {
        Checklists::from_toml(DEFAULT_CHECKLISTS).expect("the built-in checklists parse")
    }
}

impl Checklists {
    pub fn from_toml(text: &str) -> Result<Checklists, PolicyError> {
        let lists: BTreeMap<State, Vec<ChecklistItem>> =
            toml::from_str(text).map_err(|e| PolicyError::Syntax(e.to_string()))?;
        for (state, items) in &lists {
            for (i, item) in items.iter().enumerate() {
                if items[..i].iter().any(|earlier| earlier.item == item.item) {
                    return Err(PolicyError::DuplicateItem {
                        state: *state,
                        item: item.item.clone(),
                    });
                }
            }
        }
        Ok(Checklists(lists))
    }

    pub fn items(&self, state: State) -> &[ChecklistItem] {
        self.0.get(&state).map(Vec::as_slice).unwrap_or_default()
    }

    /// Every item that must be confirmed for a claim to stand in `state`, with the state
    /// whose checklist it belongs to.
    pub fn required_for(&self, state: State) -> impl Iterator<Item = (State, &ChecklistItem)> {
        state
            .checklists_required()
            .iter()
            .flat_map(move |&list| self.items(list).iter().map(move |item| (list, item)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_checklists_follow_the_verification_pillars() {
        let lists = Checklists::default();
        let names =
            |state| -> Vec<&str> { lists.items(state).iter().map(|i| i.item.as_str()).collect() };
        assert_eq!(
            names(State::Sourced),
            ["provenance", "source", "date", "location", "motivation"]
        );
        assert_eq!(names(State::Corroborated), ["independence", "context"]);
        assert_eq!(lists.required_for(State::Corroborated).count(), 7);
        assert_eq!(lists.required_for(State::Unverified).count(), 0);
    }

    #[test]
    fn empty_policy_file_gives_the_defaults() {
        let policy = Policy::from_toml("", Checklists::default()).unwrap();
        assert_eq!(policy, Policy::default());
    }

    #[test]
    fn policy_may_tighten_but_not_loosen() {
        let tight = Policy::from_toml(
            "[guards]\ncorroborated_min_origins = 3\n",
            Checklists::default(),
        )
        .unwrap();
        assert_eq!(tight.corroborated_min_origins, 3);
        let loose = Policy::from_toml(
            "[guards]\ncorroborated_min_origins = 1\n",
            Checklists::default(),
        );
        assert!(matches!(
            loose,
            Err(PolicyError::Loosened {
                value: 1,
                default: 2,
                ..
            })
        ));
    }

    #[test]
    fn misspelt_policy_keys_are_errors_not_silently_ignored() {
        let err = Policy::from_toml(
            "[guards]\ncorroborated_min_orgins = 3\n",
            Checklists::default(),
        );
        assert!(
            matches!(err, Err(PolicyError::Syntax(m)) if m.contains("corroborated_min_orgins"))
        );
    }

    #[test]
    fn publishing_sections_default_to_an_unnamed_five_point_scale() {
        let policy = Policy::default();
        assert_eq!(policy.organization, None);
        assert!(!policy.check_claimreview);
        let scale = &policy.rating;
        assert_eq!((scale.worst, scale.best), (1, 5));
        let names = |state| -> Vec<(&str, u32)> {
            scale
                .for_state(state)
                .map(|r| (r.name.as_str(), r.value))
                .collect()
        };
        assert_eq!(
            names(State::Corroborated),
            [("True", 5), ("Mostly true", 4)]
        );
        assert_eq!(
            names(State::Disputed),
            [("Missing context", 3), ("Misleading", 2), ("False", 1)]
        );
        assert!(names(State::Sourced).is_empty());
        assert_eq!(scale.find("mostly TRUE").map(|r| r.value), Some(4));
        assert_eq!(scale.find("Pants on fire"), None);
    }

    #[test]
    fn a_scale_names_each_ratings_verdict() {
        let policy = Policy::from_toml(
            "[rating]\nbest = 3\nscale = [\n  { name = \"Correct\", value = 3, verdict = \"corroborated\" },\n  \
             { name = \"Wrong\", value = 1, verdict = \"disputed\" },\n]\n",
            Checklists::default(),
        )
        .unwrap();
        assert_eq!(policy.rating.best, 3);
        assert_eq!(
            policy.rating.find("wrong").map(|r| r.verdict),
            Some(State::Disputed)
        );
        assert_eq!(policy.rating.ratings.len(), 2);
    }

    #[test]
    fn the_older_one_rating_per_verdict_layout_is_still_read() {
        let policy = Policy::from_toml(
            "[rating]\ndisputed = { name = \"Misleading\", value = 2 }\n",
            Checklists::default(),
        )
        .unwrap();
        assert_eq!(
            policy.rating.ratings,
            [
                Rating {
                    name: "True".into(),
                    value: 5,
                    verdict: State::Corroborated
                },
                Rating {
                    name: "Misleading".into(),
                    value: 2,
                    verdict: State::Disputed
                }
            ]
        );
    }

    #[test]
    fn organization_rating_and_check_are_read() {
        let policy = Policy::from_toml(
            "[organization]\nname = \"Verifica\"\nurl = \"https://verifica.example\"\n\n\
             [rating]\nbest = 7\ndisputed = { name = \"Misleading\", value = 2 }\n\n\
             [check]\nclaimreview = true\n",
            Checklists::default(),
        )
        .unwrap();
        assert_eq!(
            policy.organization,
            Some(Organization {
                name: "Verifica".into(),
                url: "https://verifica.example".into()
            })
        );
        assert_eq!(policy.rating.best, 7);
        assert_eq!(policy.rating.worst, 1);
        assert_eq!(policy.rating.find("True").map(|r| r.value), Some(5));
        assert_eq!(policy.rating.names_for(State::Disputed), "\"Misleading\"");
        assert!(policy.check_claimreview);
    }

    #[test]
    fn rating_scales_that_claimreview_rejects_are_errors() {
        for text in [
            "[rating]\nworst = 0\n",
            "[rating]\nworst = 5\nbest = 5\n",
            "[rating]\nbest = 4\n",
            "[rating]\ncorroborated = { name = \" \", value = 5 }\n",
            "[rating]\nscale = []\n",
            "[rating]\nscale = [{ name = \"A\", value = 1, verdict = \"sourced\" }]\n",
            "[rating]\nscale = [{ name = \"A\", value = 1, verdict = \"disputed\" }, \
             { name = \"a\", value = 2, verdict = \"disputed\" }]\n",
            "[rating]\nscale = [{ name = \"A\", value = 9, verdict = \"disputed\" }]\n",
            "[rating]\ndisputed = { name = \"F\", value = 1 }\n\
             scale = [{ name = \"A\", value = 1, verdict = \"disputed\" }]\n",
        ] {
            let result = Policy::from_toml(text, Checklists::default());
            assert!(
                matches!(result, Err(PolicyError::Rating(_))),
                "{text}: {result:?}"
            );
        }
    }

    #[test]
    fn organization_needs_a_web_address_and_the_lint_needs_an_organization() {
        let bad_url = Policy::from_toml(
            "[organization]\nname = \"V\"\nurl = \"verifica.example\"\n",
            Checklists::default(),
        );
        assert!(matches!(bad_url, Err(PolicyError::OrganizationUrl(_))));
        let lint_alone = Policy::from_toml("[check]\nclaimreview = true\n", Checklists::default());
        assert_eq!(lint_alone, Err(PolicyError::ClaimReviewWithoutOrganization));
        let misspelt = Policy::from_toml("[rating]\nbst = 3\n", Checklists::default());
        assert!(matches!(misspelt, Err(PolicyError::Syntax(m)) if m.contains("bst")));
    }

    #[test]
    fn checklist_items_must_be_unique_per_state() {
        let text =
            "[[sourced]]\nitem = \"a\"\nask = \"?\"\n[[sourced]]\nitem = \"a\"\nask = \"?\"\n";
        assert!(matches!(
            Checklists::from_toml(text),
            Err(PolicyError::DuplicateItem { .. })
        ));
        assert!(Checklists::from_toml("[[published]]\nitem = \"a\"\nask = \"?\"\n").is_err());
    }
}
