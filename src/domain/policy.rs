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

/// What a verdict is called in published ratings, and where it sits on the scale.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    pub name: String,
    pub value: u32,
}

/// The rating scale of published fact-checks: a name and a value for each verdict, between
/// `worst` (at least 1, as ClaimReview requires) and `best`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingScale {
    pub best: u32,
    pub worst: u32,
    pub corroborated: Rating,
    pub disputed: Rating,
}

impl Default for RatingScale {
    fn default() -> Self {
        RatingScale {
            best: 5,
            worst: 1,
            corroborated: Rating {
                name: "True".into(),
                value: 5,
            },
            disputed: Rating {
                name: "False".into(),
                value: 1,
            },
        }
    }
}

impl RatingScale {
    /// The rating of a claim in `state`; only verdicts are rated.
    pub fn for_state(&self, state: State) -> Option<&Rating> {
        match state {
            State::Corroborated => Some(&self.corroborated),
            State::Disputed => Some(&self.disputed),
            State::Unverified | State::Sourced => None,
        }
    }

    fn validate(&self) -> Result<(), PolicyError> {
        let invalid = |message: String| Err(PolicyError::Rating(message));
        if self.worst < 1 || self.worst >= self.best {
            return invalid(format!(
                "worst = {} and best = {}: worst must be at least 1 and below best",
                self.worst, self.best
            ));
        }
        for (verdict, rating) in [
            (State::Corroborated, &self.corroborated),
            (State::Disputed, &self.disputed),
        ] {
            if rating.name.trim().is_empty() {
                return invalid(format!("{verdict}.name is empty"));
            }
            if !(self.worst..=self.best).contains(&rating.value) {
                return invalid(format!(
                    "{verdict}.value = {} is outside the scale {}..={}",
                    rating.value, self.worst, self.best
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
    corroborated: Option<Rating>,
    disputed: Option<Rating>,
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
            corroborated: file
                .rating
                .corroborated
                .unwrap_or(defaults.rating.corroborated),
            disputed: file.rating.disputed.unwrap_or(defaults.rating.disputed),
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
        assert_eq!(
            scale.for_state(State::Corroborated),
            Some(&Rating {
                name: "True".into(),
                value: 5
            })
        );
        assert_eq!(scale.for_state(State::Disputed).unwrap().name, "False");
        assert_eq!(scale.for_state(State::Sourced), None);
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
        assert_eq!(policy.rating.corroborated.value, 5);
        assert_eq!(policy.rating.disputed.name, "Misleading");
        assert!(policy.check_claimreview);
    }

    #[test]
    fn rating_scales_that_claimreview_rejects_are_errors() {
        for text in [
            "[rating]\nworst = 0\n",
            "[rating]\nworst = 5\nbest = 5\n",
            "[rating]\nbest = 4\n",
            "[rating]\ncorroborated = { name = \" \", value = 5 }\n",
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
