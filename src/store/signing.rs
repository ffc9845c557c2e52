//! Signing a commit the way git is configured to (`commit.gpgsign`): OpenPGP through `gpg`,
//! or SSH through `ssh-keygen -Y sign`.

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::error::StoreError;
use super::identity::Reviewer;

/// Signs a commit buffer the way git is configured to: OpenPGP through `gpg`, or SSH through
/// `ssh-keygen -Y sign`.
pub(crate) fn sign(
    config: &git2::Config,
    buffer: &str,
    reviewer: &Reviewer,
) -> Result<String, StoreError> {
    let format = config
        .get_string("gpg.format")
        .unwrap_or_else(|_| "openpgp".into());
    let key = config.get_string("user.signingkey").ok();
    match format.as_str() {
        "openpgp" => {
            let program = config
                .get_string("gpg.openpgp.program")
                .or_else(|_| config.get_string("gpg.program"))
                .unwrap_or_else(|_| "gpg".into());
            let key = key.unwrap_or_else(|| reviewer.to_string());
            run_signer(
                &program,
                &["--status-fd=2", "-bsau", &key],
                buffer.as_bytes(),
            )
        }
        "ssh" => {
            let program = config
                .get_string("gpg.ssh.program")
                .unwrap_or_else(|_| "ssh-keygen".into());
            let key = key.ok_or_else(|| {
                StoreError::Signing("gpg.format is ssh but user.signingkey is not set".into())
            })?;
            if key.starts_with("key::") {
                return Err(StoreError::Signing(
                    "user.signingkey holds a literal key; set it to the path of the key file"
                        .into(),
                ));
            }
            let key = expand_home(&key);
            let directory = tempfile_dir()?;
            let payload = directory.join("commit");
            fs::write(&payload, buffer).map_err(StoreError::io(&payload))?;
            let payload_arg = payload.to_string_lossy().into_owned();
            let result = run_signer(
                &program,
                &["-Y", "sign", "-n", "git", "-f", &key, &payload_arg],
                &[],
            )
            .and_then(|_| {
                let signature = payload.with_extension("sig");
                fs::read_to_string(&signature).map_err(StoreError::io(signature))
            });
            let _ = fs::remove_dir_all(&directory);
            result
        }
        other => Err(StoreError::Signing(format!(
            "gpg.format = {other} is not supported; use openpgp or ssh"
        ))),
    }
}

fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_string(),
    }
}

fn tempfile_dir() -> Result<PathBuf, StoreError> {
    let dir = std::env::temp_dir().join(format!("claims-sign-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(StoreError::io(&dir))?;
    Ok(dir)
}

fn run_signer(program: &str, args: &[&str], input: &[u8]) -> Result<String, StoreError> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| StoreError::Signing(format!("cannot run {program}: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input);
    }
    let output = child
        .wait_with_output()
        .map_err(|e| StoreError::Signing(format!("{program}: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(StoreError::Signing(format!(
            "{program} failed: {}",
            stderr.trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
