//! The newsroom's policy: guard thresholds from `claims.toml` and the checklists from
//! `templates/checklist.toml`. Parsing only; reading the files is the store's job.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::state::State;

/// The guard thresholds in force. `claims.toml` may tighten the defaults, never loosen them.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub sourced_min_sources: usize,
    pub corroborated_min_origins: usize,
    pub disputed_min_contradicting: usize,
    pub checklists: Checklists,
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
        }
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
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    guards: GuardsFile,
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
