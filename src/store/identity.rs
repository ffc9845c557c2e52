//! Who is making a change, and when.

use std::fmt;

use jiff::Timestamp;

use super::error::StoreError;

/// The person a change is attributed to: author and committer of its commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reviewer {
    pub name: String,
    pub email: String,
}

impl Reviewer {
    /// Parses `Name <email>`.
    pub fn parse(text: &str) -> Option<Reviewer> {
        let (name, rest) = text.trim().split_once('<')?;
        let email = rest.strip_suffix('>')?.trim();
        let name = name.trim();
        // A name lands in every commit and record the reviewer writes: no control characters.
        let bad = |s: &str| {
            s.is_empty() || s.contains(['<', '>']) || s.chars().any(crate::controls::is_control)
        };
        if bad(name) || bad(email) {
            return None;
        }
        Some(Reviewer {
            name: name.to_string(),
            email: email.to_string(),
        })
    }

    /// `--reviewer`, else `CLAIMS_REVIEWER` (both arrive here as `given`), else git's
    /// `user.name` and `user.email`.
    pub fn resolve(given: Option<&str>, config: &git2::Config) -> Result<Reviewer, StoreError> {
        if let Some(given) = given {
            return Reviewer::parse(given).ok_or_else(|| {
                StoreError::NoIdentity(format!("'{given}' is not of the form \"Name <email>\""))
            });
        }
        let name = config.get_string("user.name").ok();
        let email = config.get_string("user.email").ok();
        match (name, email) {
            (Some(name), Some(email)) if !name.trim().is_empty() && !email.trim().is_empty() => {
                Ok(Reviewer {
                    name: name.trim().to_string(),
                    email: email.trim().to_string(),
                })
            }
            _ => Err(StoreError::NoIdentity(
                "neither --reviewer, CLAIMS_REVIEWER nor git's user.name and user.email is set"
                    .into(),
            )),
        }
    }

    pub fn signature(&self, at: Timestamp) -> Result<git2::Signature<'static>, git2::Error> {
        git2::Signature::new(&self.name, &self.email, &git2::Time::new(at.as_second(), 0))
    }
}

impl fmt::Display for Reviewer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} <{}>", self.name, self.email)
    }
}

/// The time a change is made: now, or the fixed time in `GIT_COMMITTER_DATE` (RFC 3339, or
/// git's `@SECONDS`), which makes runs reproducible the way git's own commits are.
pub fn now() -> Timestamp {
    let fixed = std::env::var("GIT_COMMITTER_DATE").ok().and_then(|date| {
        let date = date.trim();
        match date.strip_prefix('@') {
            Some(rest) => rest
                .split_whitespace()
                .next()?
                .parse::<i64>()
                .ok()
                .and_then(|s| Timestamp::from_second(s).ok()),
            None => date.parse::<Timestamp>().ok(),
        }
    });
    let at = fixed.unwrap_or_else(Timestamp::now);
    // Records and commits carry whole seconds: git cannot store less.
    Timestamp::from_second(at.as_second()).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_name_and_email() {
        assert_eq!(
            Reviewer::parse(" Ana Ruiz <ana@example.org> "),
            Some(Reviewer {
                name: "Ana Ruiz".into(),
                email: "ana@example.org".into()
            })
        );
        for bad in [
            "Ana",
            "<ana@example.org>",
            "Ana \u{1b}[31mRuiz <ana@example.org>",
            "Ana \u{202e}Ruiz <ana@example.org>",
            "Ana <ana\u{7}@example.org>",
            "Ana <>",
            "Ana <a@b",
            "A<b> <c>",
            "An\na <a@b>",
        ] {
            assert_eq!(Reviewer::parse(bad), None, "{bad:?}");
        }
    }
}
