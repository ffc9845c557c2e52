use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

pub const REVIEWER: &str = "Ana Ruiz <ana@example.org>";
pub const NOW: &str = "2026-03-01T09:00:00Z";

/// A throwaway claims repository with its own empty HOME.
pub struct Repo {
    dir: TempDir,
    home: TempDir,
}

impl Repo {
    /// An empty git repository (unborn `main`), nothing committed.
    pub fn bare_git() -> Repo {
        let repo = Repo {
            dir: TempDir::new().unwrap(),
            home: TempDir::new().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// A claims repository after `claims init`.
    pub fn new() -> Repo {
        let repo = Repo::bare_git();
        repo.ok(&["init"]);
        repo
    }

    /// A claims repository after `claims init`, in a new folder under `parent`.
    pub fn new_in(parent: &Path) -> Repo {
        let repo = Repo {
            dir: TempDir::new_in(parent).unwrap(),
            home: TempDir::new().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.ok(&["init"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn env(&self, command: &mut std::process::Command) {
        command
            .current_dir(self.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.home.path().join(".gitconfig"))
            .env("GIT_AUTHOR_DATE", NOW)
            .env("GIT_COMMITTER_DATE", NOW)
            .env("CLAIMS_LOCK_TIMEOUT", "30");
    }

    /// `claims ARGS` with the test reviewer.
    pub fn claims(&self, args: &[&str]) -> Command {
        Command::from_std(self.process(args))
    }

    /// `claims ARGS` with the test reviewer, to spawn.
    pub fn process(&self, args: &[&str]) -> std::process::Command {
        let mut command = self.process_anonymous(args);
        command.env("CLAIMS_REVIEWER", REVIEWER);
        command
    }

    /// `claims ARGS` with no reviewer identity at all.
    pub fn claims_anonymous(&self, args: &[&str]) -> Command {
        Command::from_std(self.process_anonymous(args))
    }

    fn process_anonymous(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("claims"));
        self.env(&mut command);
        command.args(args);
        command
    }

    /// Runs claims, asserting success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        String::from_utf8(self.fails(args, 0).stdout).unwrap()
    }

    /// Runs claims, asserting the exit code (0 included); returns the output.
    pub fn fails(&self, args: &[&str], code: i32) -> Output {
        let output = self.claims(args).output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(code),
            "claims {args:?}:\n{}",
            describe(&output)
        );
        output
    }

    pub fn git(&self, args: &[&str]) -> String {
        let output = self.git_command(args).output().unwrap();
        assert!(
            output.status.success(),
            "git {args:?} failed:\n{}",
            describe(&output)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// `git ARGS`; returns the output whatever the exit code.
    pub fn git_output(&self, args: &[&str]) -> Output {
        self.git_command(args).output().unwrap()
    }

    /// `git ARGS` in the repository, with the test's environment, to run as the test likes.
    pub fn git_command(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new("git");
        self.env(&mut command);
        command
            .args([
                "-c",
                "user.name=Git User",
                "-c",
                "user.email=git@example.org",
            ])
            .args(args);
        command
    }

    /// A clone of this repository made with `git clone OPTIONS` (`--bare`, `--depth 1`…),
    /// with its own empty HOME.
    pub fn clone_with(&self, options: &[&str]) -> Repo {
        let clone = Repo {
            dir: TempDir::new().unwrap(),
            home: TempDir::new().unwrap(),
        };
        let source = format!("file://{}", self.path().display());
        let destination = clone.path().to_str().unwrap().to_string();
        let mut args = vec!["clone", "-q"];
        args.extend(options);
        args.extend([source.as_str(), destination.as_str()]);
        self.git(&args);
        clone
    }

    /// Every commit and, with a working tree, `git status` (untracked files included): what a
    /// command that must change nothing leaves equal. Readable whoever owns the repository.
    pub fn snapshot(&self) -> String {
        let git = |args: &[&str]| self.git(&[&["-c", "safe.directory=*"], args].concat());
        let mut snapshot = git(&["rev-list", "--all"]);
        if self.path().join(".git").exists() {
            snapshot.push_str(&git(&[
                "status",
                "--porcelain",
                "--untracked-files=all",
                "--ignored",
            ]));
        }
        snapshot
    }

    /// Adds a claim and returns its id.
    pub fn add(&self, text: &str) -> String {
        self.ok(&["add", text]).trim().to_string()
    }

    /// Adds `count` claims, the text of each made from its number; returns their ids.
    pub fn add_numbered(&self, count: usize, text: impl Fn(usize) -> String) -> Vec<String> {
        (0..count).map(|n| self.add(&text(n))).collect()
    }

    pub fn record_path(&self, id: &str) -> PathBuf {
        self.path().join(format!("records/{}/{id}.toml", &id[..2]))
    }

    pub fn read_record(&self, id: &str) -> String {
        std::fs::read_to_string(self.record_path(id)).unwrap()
    }

    /// Replaces the first `from` in the record of `id` by `to`, as a hand edit would; `from`
    /// must be there.
    pub fn edit_record(&self, id: &str, from: &str, to: &str) {
        let text = self.read_record(id);
        assert!(text.contains(from), "{from:?} not in\n{text}");
        std::fs::write(self.record_path(id), text.replacen(from, to, 1)).unwrap();
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    pub fn commit_count(&self) -> usize {
        self.git(&["rev-list", "--count", "HEAD"])
            .trim()
            .parse()
            .unwrap()
    }

    /// `git status --porcelain`, which must be empty after every command.
    pub fn status(&self) -> String {
        self.git(&["status", "--porcelain"])
    }

    /// A claim with sources from two independent origins, ready to corroborate.
    pub fn claim_with_two_origins(&self, text: &str) -> String {
        let id = self.add(text);
        self.ok(&[
            "source",
            "add",
            &id,
            "--url",
            "https://one.example/a",
            "--publisher",
            "One Daily",
        ]);
        self.ok(&[
            "source",
            "add",
            &id,
            "--url",
            "https://two.example/b",
            "--publisher",
            "Two Times",
        ]);
        id
    }
}

pub fn describe(output: &Output) -> String {
    format!(
        "exit: {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// What the user sees of a command, for snapshots: standard output, then standard error
/// under a rule, then the exit status.
pub fn user_sees(output: &Output) -> String {
    let mut shown = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !stderr.is_empty() {
        shown.push_str("------- stderr -------\n");
        shown.push_str(&stderr);
    }
    match output.status.code() {
        Some(code) => shown.push_str(&format!("[exit status: {code}]")),
        None => shown.push_str("[killed by a signal]"),
    }
    shown
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

impl Repo {
    /// Appends `toml` to claims.toml and commits it, as an editor changing the policy would.
    pub fn configure(&self, toml: &str) {
        let path = self.path().join("claims.toml");
        let mut policy = std::fs::read_to_string(&path).unwrap_or_default();
        policy.push_str(toml);
        std::fs::write(&path, policy).unwrap();
        self.git(&["commit", "-q", "-m", "Configure publishing", "claims.toml"]);
    }

    /// A corroborated claim (two independent origins, both checklists confirmed).
    pub fn corroborated(&self, text: &str) -> String {
        let id = self.claim_with_two_origins(text);
        self.ok(&["mark", &id, "sourced", "--all-checked"]);
        self.ok(&["mark", &id, "corroborated", "--all-checked"]);
        id
    }

    /// A disputed claim, contradicted by one source.
    pub fn disputed(&self, text: &str, contradicted_by: &str) -> String {
        let id = self.add(text);
        self.ok(&[
            "source",
            "add",
            &id,
            "--url",
            contradicted_by,
            "--stance",
            "contradicts",
        ]);
        self.ok(&[
            "mark",
            &id,
            "disputed",
            "--all-checked",
            "--note",
            "The record says otherwise.",
        ]);
        id
    }
}

/// PATH with the directory of the claims binary under test first, as a newsroom's shell has
/// it, so that git can run `claims merge-driver`.
pub fn path_with_claims() -> OsString {
    let binary = assert_cmd::cargo::cargo_bin("claims");
    let mut dirs = vec![binary.parent().unwrap().to_path_buf()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).unwrap()
}

/// PATH without any directory that holds a `claims` program: git cannot run the driver.
pub fn path_without_claims() -> OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::env::split_paths(&path).filter(|dir| !dir.join("claims").exists());
    std::env::join_paths(dirs).unwrap()
}

impl Repo {
    /// Pushes main to a new bare repository and returns it: the remote that clones share.
    pub fn share(&self) -> TempDir {
        let remote = TempDir::new().unwrap();
        let url = remote.path().to_str().unwrap();
        self.git(&["init", "-q", "--bare", "-b", "main", url]);
        self.git(&["push", "-q", url, "main"]);
        remote
    }

    /// A clone of the repository at `url` with its own empty HOME. `claims init` has not run
    /// in it.
    pub fn clone_of(url: &Path) -> Repo {
        let repo = Repo {
            dir: TempDir::new().unwrap(),
            home: TempDir::new().unwrap(),
        };
        repo.git(&["clone", "-q", url.to_str().unwrap(), "."]);
        repo
    }

    /// `git ARGS` with PATH set to `path`; returns the output whatever the exit code.
    pub fn git_on_path(&self, path: &OsStr, args: &[&str]) -> Output {
        let mut command = self.git_command(args);
        command.env("PATH", path);
        command.output().unwrap()
    }
}

impl Repo {
    /// A linked working tree of this repository (`git worktree add`) on a new branch
    /// `branch` from HEAD, with its own empty HOME.
    pub fn worktree(&self, branch: &str) -> Repo {
        let linked = Repo {
            dir: TempDir::new().unwrap(),
            home: TempDir::new().unwrap(),
        };
        // Git adds a working tree in an empty folder as in a new one.
        let path = linked.path().to_str().unwrap();
        self.git(&["worktree", "add", "-q", "-b", branch, path]);
        linked
    }
}

impl Repo {
    /// What the user sees of `claims ARGS` (see `user_sees`), with this repository's path
    /// shown as REPO.
    pub fn sees(&self, args: &[&str]) -> String {
        self.shown(&self.claims(args).output().unwrap())
    }

    /// `shown(output)` headed by the command that made it: one entry of a transcript of
    /// several commands, for one snapshot.
    pub fn transcript(&self, args: &[&str], output: &Output) -> String {
        format!("$ claims {args:?}\n{}\n", self.shown(output))
    }

    /// `user_sees(output)` with this repository's path shown as REPO.
    pub fn shown(&self, output: &Output) -> String {
        let root = self.path().canonicalize().unwrap();
        user_sees(output)
            .replace(&root.display().to_string(), "REPO")
            .replace(&self.path().display().to_string(), "REPO")
    }
}
