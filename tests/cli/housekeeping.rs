//! The tool's packs beside git's own housekeeping: a multi-pack-index, a `gc`, `repack` or
//! `git maintenance` at the same time, a write killed while it stores or merges packs, and a
//! repository shared by a group.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::harness::Repo;

/// The names in the pack folder, sorted.
fn pack_folder(repo: &Repo) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo.path().join(".git/objects/pack"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

fn count_packs(repo: &Repo) -> usize {
    pack_folder(repo)
        .iter()
        .filter(|name| name.ends_with(".pack"))
        .count()
}

/// Git finds the object store whole, multi-pack-index included.
fn assert_whole(repo: &Repo, when: &str) {
    for args in [
        &["fsck", "--strict", "--no-progress"][..],
        &["multi-pack-index", "verify", "--no-progress"],
    ] {
        let output = repo.git_command(args).output().unwrap();
        assert!(
            output.status.success(),
            "{when}: git {args:?}:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(repo.status(), "", "{when}");
}

/// Notes on `ids` in turn, `count` of them, each a commit.
fn notes(repo: &Repo, ids: &[String], count: usize) {
    for n in 0..count {
        repo.ok(&["note", &ids[n % ids.len()], &format!("note {n}")]);
    }
}

/// A multi-pack-index lists packs by name: the tool's merges must not remove one it lists,
/// or `git fsck` fails until the index is written again, even after a `gc`.
#[test]
fn merges_leave_the_packs_a_multi_pack_index_lists() {
    let repo = Repo::new();
    let ids = repo.add_numbered(3, |n| format!("Claim {n} beside a multi-pack-index."));
    repo.git(&["multi-pack-index", "write", "--no-progress"]);
    let listed = pack_folder(&repo);
    // Twenty changes: one merge of sixteen packs, four of them listed.
    notes(&repo, &ids, 20);
    assert_whole(&repo, "after the merge");
    for name in &listed {
        assert!(
            repo.path().join(".git/objects/pack").join(name).exists(),
            "{name}, listed by the multi-pack-index, was removed"
        );
    }
    repo.git(&["gc", "-q"]);
    assert_whole(&repo, "after git gc");
    notes(&repo, &ids, 17);
    assert_whole(&repo, "after more changes");
    assert_eq!(repo.commit_count(), 1 + 3 + 20 + 17);
}

/// The objects in more than one pack of the repository, by id.
fn packed_twice(repo: &Repo) -> Vec<String> {
    let mut seen = std::collections::HashMap::new();
    for name in pack_folder(repo)
        .iter()
        .filter(|name| name.ends_with(".idx"))
    {
        let idx = std::fs::File::open(repo.path().join(".git/objects/pack").join(name)).unwrap();
        let output = repo
            .git_command(&["show-index"])
            .stdin(idx)
            .output()
            .unwrap();
        assert!(output.status.success(), "git show-index {name}");
        for line in String::from_utf8(output.stdout).unwrap().lines() {
            let oid = line.split(' ').nth(1).unwrap().to_string();
            *seen.entry(oid).or_insert(0) += 1;
        }
    }
    let mut twice: Vec<String> = seen
        .into_iter()
        .filter(|(_, packs)| *packs > 1)
        .map(|(oid, _)| oid)
        .collect();
    twice.sort();
    twice
}

/// Git's gc packs the tool's changes with everything else; the tool's next merge must not
/// pack them a second time (it once did, 43 KB at 100,000 claims, until the next gc).
#[test]
fn a_merge_after_git_gc_packs_nothing_gc_packed() {
    let repo = Repo::new();
    let ids = repo.add_numbered(3, |n| format!("Claim {n} packed by git gc."));
    notes(&repo, &ids, 10);
    repo.git(&["gc", "-q"]);
    assert_eq!(count_packs(&repo), 1);
    // At most sixteen changes fill the first level again, so these twenty merge once.
    notes(&repo, &ids, 20);
    assert!(
        count_packs(&repo) < 10,
        "no merge: {:?}",
        pack_folder(&repo)
    );
    assert_eq!(packed_twice(&repo), Vec::<String>::new());
    assert_whole(&repo, "after the merge");
}

/// While git's `gc` runs (its `gc.pid` names a live process on this machine), packs merged
/// are not removed: the `gc` may have listed them. The first write after it removes them.
#[test]
fn merged_packs_wait_for_a_running_gc() {
    let repo = Repo::new();
    let ids = repo.add_numbered(2, |n| format!("Claim {n} merged while git gc runs."));
    let host = Command::new("uname").arg("-n").output().unwrap();
    let host = String::from_utf8(host.stdout).unwrap();
    let gc_pid = repo.path().join(".git/gc.pid");
    std::fs::write(&gc_pid, format!("{} {}", std::process::id(), host.trim())).unwrap();
    let before = count_packs(&repo);
    notes(&repo, &ids, 16);
    assert!(
        count_packs(&repo) >= before + 16,
        "packs were removed under a running gc: {:?}",
        pack_folder(&repo)
    );
    assert_whole(&repo, "with the gc running");
    std::fs::remove_file(&gc_pid).unwrap();
    notes(&repo, &ids, 1);
    assert!(
        count_packs(&repo) <= before + 2,
        "the merged packs stay after the gc: {:?}",
        pack_folder(&repo)
    );
    assert_whole(&repo, "after the gc");
}

/// Git's housekeeping running while claims writes, in a loop on each side: neither fails,
/// and git finds the object store whole after. `repack -a -d` removes every pack whose
/// objects it did not find reachable, which a change's pack is until its branch moves.
#[test]
fn git_housekeeping_at_the_same_time_as_writes() {
    for housekeeping in [
        &["gc", "-q"][..],
        &["repack", "-a", "-d", "-q"],
        &["maintenance", "run", "--task=incremental-repack", "--quiet"],
    ] {
        let repo = Repo::new();
        let ids = repo.add_numbered(3, |n| {
            format!("Claim {n} written beside git's housekeeping.")
        });
        if housekeeping[0] == "maintenance" {
            repo.git(&["multi-pack-index", "write", "--no-progress"]);
        }
        let done = std::sync::atomic::AtomicBool::new(false);
        let runs = std::thread::scope(|scope| {
            let git = scope.spawn(|| {
                let mut runs = 0;
                while !done.load(std::sync::atomic::Ordering::Relaxed) && runs < 200 {
                    let output = repo.git_command(housekeeping).output().unwrap();
                    assert!(
                        output.status.success(),
                        "git {housekeeping:?} failed beside claims:\n{}",
                        String::from_utf8_lossy(&output.stderr)
                    );
                    runs += 1;
                }
                runs
            });
            let writes =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| notes(&repo, &ids, 40)));
            done.store(true, std::sync::atomic::Ordering::Relaxed);
            let runs = git.join();
            writes.unwrap();
            runs.unwrap()
        });
        assert!(runs > 1, "git {housekeeping:?} ran {runs} times");
        assert_whole(&repo, &format!("after git {housekeeping:?}"));
        assert_eq!(repo.commit_count(), 1 + 3 + 40);
    }
}

/// What a process killed while it writes a change's pack or merges packs leaves, the next
/// write cleans up: nothing under a temporary name, no pack marked kept, no pack without
/// its index, and git finds the store whole.
#[cfg(feature = "fault-injection")]
#[test]
fn a_write_killed_among_its_packs_leaves_nothing_the_next_cleans_not() {
    for step in [
        "pack-staged",
        "pack-without-index",
        "pack-merged",
        "pack-merge-listed",
    ] {
        let repo = Repo::new();
        let ids = repo.add_numbered(2, |n| format!("Claim {n} of a write killed at {step}."));
        // A merge happens at the sixteenth change; a change's pack at every one.
        let killed = (0..20).find(|n| {
            let output = repo
                .claims(&["note", &ids[n % 2], &format!("note {n}")])
                .env("CLAIMS_FAULT", step)
                .output()
                .unwrap();
            output.status.code().is_none()
        });
        assert!(killed.is_some(), "{step}: never reached");
        let merging = step.starts_with("pack-merge");
        let left = pack_folder(&repo);
        // Killed after its list named the packs merged away, a merge leaves only those.
        if step != "pack-merge-listed" {
            assert!(
                left.iter()
                    .any(|name| name.starts_with("tmp_") || name.ends_with(".keep")),
                "{step}: the kill left nothing to clean: {left:?}"
            );
        }
        repo.ok(&["note", &ids[0], "the next write"]);
        if merging {
            assert!(count_packs(&repo) <= 2, "{step}: {:?}", pack_folder(&repo));
        }
        let left = pack_folder(&repo);
        for name in &left {
            assert!(
                !name.starts_with("tmp_") && !name.ends_with(".keep"),
                "{step}: {name} left: {left:?}"
            );
            if let Some(stem) = name.strip_suffix(".pack") {
                assert!(
                    left.contains(&format!("{stem}.idx")),
                    "{step}: {name} has no index"
                );
            }
        }
        assert_whole(&repo, step);
        repo.ok(&["audit"]);
    }
}

/// With `core.sharedRepository=group`, what the tool creates under `.git` is as writable by
/// the group as what git creates there: its lock, its folder, its lists and its packs,
/// compared with git's own under the same umask.
#[test]
fn a_shared_repository_stays_shared() {
    let repo = Repo::bare_git();
    repo.git(&["config", "core.sharedRepository", "group"]);
    let umask = |command: Command| -> Command {
        let mut shell = Command::new("sh");
        shell
            .arg("-c")
            .arg("umask 077 && exec \"$0\" \"$@\"")
            .arg(command.get_program())
            .args(command.get_args())
            .env_clear()
            .envs(command.get_envs().filter_map(|(k, v)| Some((k, v?))));
        if let Some(dir) = command.get_current_dir() {
            shell.current_dir(dir);
        }
        shell
    };
    let run = |command: Command| {
        let output = umask(command).output().unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run(repo.process(&["init"]));
    let mut id = String::new();
    for n in 0..17 {
        if n == 0 {
            let mut add = umask(repo.process(&["add", "A claim in a shared repository."]));
            id = String::from_utf8(add.output().unwrap().stdout)
                .unwrap()
                .trim()
                .to_string();
        } else {
            run(repo.process(&["note", &id, &format!("note {n}")]));
        }
    }
    // The readers write their caches too: the log index, the audit's, the folder listings.
    run(repo.process(&["log", &id]));
    run(repo.process(&["audit"]));
    // Git's own, under the same umask: a file and its folder, and an object, which git
    // makes read-only as it makes its packs (the same mode).
    run(repo.git_command(&["update-ref", "refs/shared/check", "HEAD"]));
    let mut object = umask(repo.git_command(&["hash-object", "-w", ".git/description"]));
    let object = String::from_utf8(object.output().unwrap().stdout).unwrap();
    let object = object.trim();
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o7777;
    let git = repo.path().join(".git");
    let file_mode = mode(&git.join("refs/shared/check"));
    let dir_mode = mode(&git.join("refs/shared"));
    let git_pack = mode(&git.join("objects").join(&object[..2]).join(&object[2..]));
    assert_eq!(
        (file_mode, dir_mode, git_pack),
        (0o660, 0o2770, 0o440),
        "git's own modes"
    );
    for file in ["claims.lock", "claims/packs", "claims/loose-objects"] {
        assert_eq!(mode(&git.join(file)), file_mode, "{file}");
    }
    assert_eq!(mode(&git.join("claims")), dir_mode, "claims/");
    // Everything else the tool keeps there, whichever command made it, and git's index.
    assert_eq!(mode(&git.join("index")), file_mode, "index");
    // The config init sets the merge driver in; the branch the tool moves, and the reflogs
    // it appends to.
    for file in [
        "config",
        "refs/heads/main",
        "logs/HEAD",
        "logs/refs/heads/main",
    ] {
        assert_eq!(mode(&git.join(file)), file_mode, "{file}");
    }
    // A write killed after the branch moved, and its repair: the branch as shared.
    let killed = umask(repo.process(&["note", &id, "written during a crash"]))
        .env("CLAIMS_FAULT", "after-branch-moved")
        .output()
        .unwrap();
    assert_eq!(killed.status.code(), None);
    run(repo.process(&["doctor"]));
    for file in ["refs/heads/main", "logs/HEAD", "logs/refs/heads/main"] {
        assert_eq!(mode(&git.join(file)), file_mode, "{file} after the repair");
    }
    let mut pending = vec![git.join("claims")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let expected = if path.is_dir() {
                pending.push(path.clone());
                dir_mode
            } else {
                file_mode
            };
            assert_eq!(mode(&path), expected, "{}", path.display());
        }
    }
    for name in pack_folder(&repo) {
        let expected = if name.ends_with(".pack") || name.ends_with(".idx") {
            git_pack
        } else {
            continue;
        };
        assert_eq!(
            mode(&git.join("objects/pack").join(&name)),
            expected,
            "{name}"
        );
    }
}
