//! The actions a commit of the tool says it makes, as its `Claim-Action:` trailer names them.

use std::fmt;
use std::str::FromStr;

/// What one commit of the tool did to the records it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Create,
    Extract,
    /// A source attached, or a contradicting source rebutted.
    Source,
    SourceEdit,
    SourceRemove,
    /// A move between states; with `--unpublish` it also retracts what was published.
    Transition,
    Publish,
    Note,
    Edit,
    /// Checklist answers given without a move (an item could not be confirmed).
    Checklist,
    /// A claim set aside; with a duplicate, the kept claim gains its appearances.
    Dismiss,
    Undismiss,
    Verdict,
    /// An acknowledgement of reviewed audit findings.
    Accept,
    /// Two claims linked as related (conflicting figures, one story), each with a note why.
    Relate,
}

impl Action {
    pub const ALL: [Action; 15] = [
        Action::Create,
        Action::Extract,
        Action::Source,
        Action::SourceEdit,
        Action::SourceRemove,
        Action::Transition,
        Action::Publish,
        Action::Note,
        Action::Edit,
        Action::Checklist,
        Action::Dismiss,
        Action::Undismiss,
        Action::Verdict,
        Action::Accept,
        Action::Relate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Extract => "extract",
            Action::Source => "source",
            Action::SourceEdit => "source-edit",
            Action::SourceRemove => "source-remove",
            Action::Transition => "transition",
            Action::Publish => "publish",
            Action::Note => "note",
            Action::Edit => "edit",
            Action::Checklist => "checklist",
            Action::Dismiss => "dismiss",
            Action::Undismiss => "undismiss",
            Action::Verdict => "verdict",
            Action::Accept => "accept",
            Action::Relate => "relate",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown Claim-Action '{0}'")]
pub struct UnknownAction(pub String);

impl FromStr for Action {
    type Err = UnknownAction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .into_iter()
            .find(|action| action.as_str() == s.trim())
            .ok_or_else(|| UnknownAction(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_parses_from_its_trailer() {
        for action in Action::ALL {
            assert_eq!(action.as_str().parse::<Action>(), Ok(action));
        }
        assert!("delete".parse::<Action>().is_err());
    }
}
