#!/usr/bin/env bash
# Benchmark claims against git itself on a fixture repository of N claims and M commits.
#
#   bench/run.sh [N] [M]          (default 100000 100000)
#
# Builds the fixture with `git fast-import` (see bench/fixture.rs) in $BENCH_DIR (default: a
# new temporary directory; an existing fixture of the same size there is reused), then times
# each command against its peer, alternating ours and peer, and prints the median of $RUNS
# runs (default 5):   name<TAB>ours_ms<TAB>peer_ms<TAB>ratio
# Sizes are printed the same way in bytes, peak memory in KiB (peer column "-").
set -euo pipefail

N=${1:-100000}
M=${2:-100000}
RUNS=${RUNS:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-$(mktemp -d)}
REPO="$BENCH_DIR/claims-$N-$M"

(cd "$ROOT" && cargo build --release --quiet --bin claims --example fixture)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case $TARGET in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac # cargo ran in $ROOT
CLAIMS="$TARGET/release/claims"
FIXTURE="$TARGET/release/examples/fixture"

export CLAIMS_REVIEWER="Bench Reviewer <bench@example.org>"
export GIT_AUTHOR_NAME="Bench Reviewer" GIT_AUTHOR_EMAIL="bench@example.org"
export GIT_COMMITTER_NAME="Bench Reviewer" GIT_COMMITTER_EMAIL="bench@example.org"

if [ ! -d "$REPO/.git" ]; then
  echo "# building fixture: $N claims, $M commits in $REPO" >&2
  mkdir -p "$REPO"
  git -C "$REPO" init -q -b main
  "$FIXTURE" "$N" "$M" | git -C "$REPO" fast-import --quiet
  git -C "$REPO" checkout -q -f main
  git -C "$REPO" gc -q
fi
cd "$REPO"
echo "# $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(date -u +%Y-%m-%d), N=$N M=$M, median of $RUNS" >&2

now_ns() { date +%s%N; }
# Milliseconds one command takes, output discarded. The clock is bash's own (no process is
# started to read it), so the harness adds as little as it can to both sides.
time_ms() {
  local start end
  start=${EPOCHREALTIME//[.,]/}
  "$@" >/dev/null 2>&1 || true
  end=${EPOCHREALTIME//[.,]/}
  awk -v d=$((end - start)) 'BEGIN { printf "%.2f", d / 1e3 }'
}
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
report() { # name ours peer
  awk -v n="$1" -v o="$2" -v p="$3" 'BEGIN { if (p == "-" || p == 0) r = "-"; else r = sprintf("%.3f", o / p); printf "%s\t%s\t%s\t%s\n", n, o, p, r }'
}
peak_kib() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1; }

# Claims to work on: the fixture's records, in a fixed order.
mapfile -t FILES < <(git ls-files records | head -n $((RUNS * 5 + 8)))
id_of() { local name=${1##*/}; printf '%s\n' "${name%.toml}"; }
# Sets REPLY to line $1 (from 0) of $2, with builtins only: choosing what to work on starts
# no process inside either side's timed command, and costs both sides the same.
nth() { local lines; mapfile -t lines <<<"$2"; REPLY=${lines[$1]}; }

# Pairs one of our commands with its peer, alternating, RUNS times each. An optional fourth
# snippet runs untimed before each of the two (with $i set), to prepare what is measured.
compare() { # name, then shell snippets run with $i set: ours, peer, [setup]
  local name=$1 ours=$2 peer=$3 setup=${4:-:} o=() p=() i
  for ((i = 0; i < RUNS; i++)); do
    bash -c "$setup" _ "$i" >/dev/null 2>&1
    o+=("$(time_ms bash -c "$ours" _ "$i")")
    bash -c "$setup" _ "$i" >/dev/null 2>&1
    p+=("$(time_ms bash -c "$peer" _ "$i")")
  done
  report "$name" "$(printf '%s\n' "${o[@]}" | median)" "$(printf '%s\n' "${p[@]}" | median)"
}
export CLAIMS
export -f nth
FILE_LIST=$(printf '%s\n' "${FILES[@]}")
export FILE_LIST
IDS_LIST=$(for file in "${FILES[@]}"; do id_of "$file"; done)
export IDS_LIST

# The same one-record change, committed by the tool and by hand.
compare "note (one write commit)" \
  'nth "$1" "$IDS_LIST"; "$CLAIMS" note "$REPLY" "bench note $1"' \
  'nth $(('"$RUNS"' + $1)) "$FILE_LIST"; f=$REPLY; printf "\n[[notes]]\nat = \"2026-01-01T00:00:00Z\"\nby = \"Bench\"\ntext = \"bench $1\"\n" >> "$f"; git add "$f" && git commit -q -m "Note"'

# A transition: claims with a supporting source, still unverified, moved to sourced.
mapfile -t MOVABLE < <("$CLAIMS" list --state unverified --format csv | awk -F, 'NR > 1 && $7 > 0 { print $1 }' | head -n "$RUNS")
if [ "${#MOVABLE[@]}" -lt "$RUNS" ]; then
  echo "# only ${#MOVABLE[@]} claims can be moved to sourced; a fixture this small cannot time $RUNS moves" >&2
  exit 1
fi
MOVABLE_LIST=$(printf '%s\n' "${MOVABLE[@]}")
export MOVABLE_LIST
compare "mark (one write commit)" \
  'nth "$1" "$MOVABLE_LIST"; "$CLAIMS" mark "$REPLY" sourced --all-checked' \
  'nth $((2 * '"$RUNS"' + $1)) "$FILE_LIST"; f=$REPLY; printf "\n[[history]]\nfrom = \"unverified\"\nto = \"sourced\"\nat = \"2026-01-01T00:00:00Z\"\nby = \"Bench\"\n" >> "$f"; git add "$f" && git commit -q -m "Move"'

# What the pre-commit hook `claims init` installs adds to a plain `git commit`: the same
# hand commit with the hook and without it (git told to look for hooks where there are none).
"$CLAIMS" init >/dev/null 2>&1
HAND_NOTE='f=$REPLY; printf "\n[[notes]]\nat = \"2026-01-01T00:00:00Z\"\nby = \"Bench\"\ntext = \"hand $1\"\n" >> "$f"; git add "$f"'
export HAND_NOTE
compare "git commit with the pre-commit hook" \
  'nth $((3 * '"$RUNS"' + $1)) "$FILE_LIST"; eval "$HAND_NOTE" && git commit -q -m "Hand"' \
  'nth $((4 * '"$RUNS"' + $1)) "$FILE_LIST"; eval "$HAND_NOTE" && git -c core.hooksPath=/nonexistent commit -q -m "Hand"'

ID=$(id_of "${FILES[0]}")
FILE=${FILES[0]}
compare "log ID" "\"\$CLAIMS\" log $ID" "git log --format=%H -- $FILE"
compare "show ID" "\"\$CLAIMS\" show $ID" "cat $FILE"
compare "check" "\"\$CLAIMS\" check" "find records -name '*.toml' -exec cat {} +"
compare "list --state sourced" "\"\$CLAIMS\" list --state sourced" "find records -name '*.toml' -exec cat {} +"

# The audit: all of history once (cache removed), then after one new commit (made untimed).
# The audit after one commit reads that commit and compares every record file with the index;
# its peer is git's own comparison of the working tree, `git status`.
rm -rf .git/claims/audit-cache.json
report "audit, full (one run)" "$(time_ms "$CLAIMS" audit)" "-"
compare "audit after one new commit" '"$CLAIMS" audit' 'git status --porcelain' \
  'nth 1 "$IDS_LIST"; "$CLAIMS" note "$REPLY" "audit bench $1"'

# Extracting the seed articles into the big repository: first run records, second finds all known.
rm -rf bench-docs && cp -r "$ROOT/seeds" bench-docs
report "extract seeds (records)" "$(time_ms "$CLAIMS" extract bench-docs)" "-"
report "extract seeds (all known)" "$(time_ms "$CLAIMS" extract bench-docs)" "-"

# Bytes transitions add to .git, against git add+commit of the same change: one right after
# `git gc` (every object loose, git's fan-out folders new), then the average over a run of
# TRANSITIONS (default 100), which is how a repository grows.
TRANSITIONS=${TRANSITIONS:-100}
git gc -q
mapfile -t BARE < <("$CLAIMS" list --state unverified --format csv | awk -F, 'NR > 1 && $7 == 0 { print $1 }' | head -n "$((TRANSITIONS + 1))")
for id in "${BARE[@]}"; do
  "$CLAIMS" source add "$id" --url "https://bench.example/$id/$(now_ns)" --origin "bench" >/dev/null
done
git gc -q
bytes_of() { du -sb .git | cut -f1; }
mark_sourced() { "$CLAIMS" mark "$1" sourced --all-checked >/dev/null; }
move_by_hand() {
  printf '\n[[history]]\nfrom = "unverified"\nto = "sourced"\nat = "2026-01-01T00:00:00Z"\nby = "Bench"\n' >> "$1"
  git add "$1" && git commit -q -m "Move by hand"
}
MOVES=$((${#BARE[@]} - 1)) # fewer than TRANSITIONS in a small fixture
mapfile -t HAND < <(git ls-files records | tail -n "$((MOVES + 1))")
before=$(bytes_of); mark_sourced "${BARE[0]}"; ours=$(($(bytes_of) - before))
git gc -q
before=$(bytes_of); move_by_hand "${HAND[0]}"; peer=$(($(bytes_of) - before))
report "bytes per transition (one, after gc)" "$ours" "$peer"
git gc -q
before=$(bytes_of)
for id in "${BARE[@]:1}"; do mark_sourced "$id"; done
ours=$((($(bytes_of) - before) / MOVES))
git gc -q
before=$(bytes_of)
for file in "${HAND[@]:1}"; do move_by_hand "$file"; done
peer=$((($(bytes_of) - before) / MOVES))
report "bytes per transition (average of $MOVES)" "$ours" "$peer"
ID=${BARE[0]}

for command in "log $ID" "show $ID" "check" "list --state sourced" "note $ID memory" "audit" "export --format csv"; do
  # shellcheck disable=SC2086
  report "peak KiB: $command" "$(peak_kib "$CLAIMS" $command)" "-"
done
rm -f .git/claims/audit-cache.json
report "peak KiB: audit (full)" "$(peak_kib "$CLAIMS" audit)" "-"
