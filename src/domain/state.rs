//! The four states a claim can be in.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where a claim stands in the verification workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Unverified,
    Sourced,
    Corroborated,
    Disputed,
}

impl State {
    pub const ALL: [State; 4] = [
        State::Unverified,
        State::Sourced,
        State::Corroborated,
        State::Disputed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Unverified => "unverified",
            State::Sourced => "sourced",
            State::Corroborated => "corroborated",
            State::Disputed => "disputed",
        }
    }

    /// How far along the workflow a state is. The two verdicts, corroborated and disputed,
    /// sit at the same depth: neither is "earlier" than the other.
    pub fn depth(self) -> u8 {
        match self {
            State::Unverified => 0,
            State::Sourced => 1,
            State::Corroborated | State::Disputed => 2,
        }
    }

    /// A verdict is a conclusion the newsroom may publish.
    pub fn is_verdict(self) -> bool {
        self.depth() == 2
    }

    /// States whose checklist must be confirmed for a claim to stand in `self`:
    /// reaching corroborated implies the claim was sourced first.
    pub fn checklists_required(self) -> &'static [State] {
        match self {
            State::Unverified => &[],
            State::Sourced => &[State::Sourced],
            State::Corroborated => &[State::Sourced, State::Corroborated],
            State::Disputed => &[State::Disputed],
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown state '{0}' (expected unverified, sourced, corroborated or disputed)")]
pub struct UnknownState(pub String);

impl FromStr for State {
    type Err = UnknownState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        State::ALL
            .into_iter()
            .find(|state| state.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownState(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_state_by_name_in_any_case() {
        for state in State::ALL {
            assert_eq!(state.as_str().parse::<State>(), Ok(state));
            assert_eq!(state.as_str().to_uppercase().parse::<State>(), Ok(state));
        }
        assert!("published".parse::<State>().is_err());
    }

    #[test]
    fn verdicts_are_corroborated_and_disputed() {
        let verdicts: Vec<State> = State::ALL.into_iter().filter(|s| s.is_verdict()).collect();
        assert_eq!(verdicts, [State::Corroborated, State::Disputed]);
    }
}
