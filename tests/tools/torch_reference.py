#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""PyTorch reference for Anneal's GPT, per-sample loss and AdamW (docs/NUMERICS.md).

Run by tests/backend/test_torch_reference.cpp with /usr/bin/python3 (Debian's python3-torch):

    torch_reference.py CASE_DIR

CASE_DIR/case.json (written by the test) names the architecture, the parameters (with Anneal's
names, in Anneal's order) and one or more states of them ("init", "trained": raw little-endian
float32 files), a fixed batch of byte tokens, and the training steps (a batch file and a learning
rate each) and optimizer settings. This script builds the model again from the architecture
description alone (it imports nothing of Anneal's), and writes into CASE_DIR/out/:

    <state>.logits.bin       [B, T, 256] logits of the fixed batch
    <state>.per_sample.bin   [B] unreduced cross-entropy, averaged over each sequence's T positions
    <state>.loss.bin         [1] the mean of per_sample (what is backpropagated)
    <state>.grad_<i>.bin     d loss / d parameter i
    train_norm.bin           [steps] global gradient norm before clipping, one per training step
    train_loss.bin           [steps] mean loss of each training step's batch
    trained_<i>.bin          parameter i after the training steps, which start from state "init"

The architecture (gpt.h): token + learned position embeddings; n_layer pre-norm blocks
x + proj(attn(ln1(x))), then h + fc_proj(gelu(fc(ln2(h)))) with a causal multi-head attention
whose q, k, v come from one linear layer (q | k | v along the features); a final LayerNorm; the
output head is the token embedding, transposed (tied). LayerNorm eps 1e-5, exact (erf) GELU.

Training: torch.optim.AdamW with two parameter groups (weight decay on the parameters with two or
more dimensions, none on biases and LayerNorm gains), the global gradient norm clipped by
torch.nn.utils.clip_grad_norm_, the learning rate of each step given by the case.
"""
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

VOCAB = 256
LN_EPS = 1e-5


def expected_shapes(m):
    """Name -> shape of every parameter the architecture has (and nothing else)."""
    d, L, ctx = m["d_model"], m["n_layer"], m["context"]
    shapes = {"wte.weight": [VOCAB, d], "wpe.weight": [ctx, d], "ln_f.weight": [d], "ln_f.bias": [d]}
    for i in range(L):
        b = f"blocks.{i}."
        for ln in ("ln1", "ln2"):
            shapes[b + ln + ".weight"] = [d]
            shapes[b + ln + ".bias"] = [d]
        for name, n_out, n_in in (("qkv", 3 * d, d), ("proj", d, d), ("fc", 4 * d, d), ("fc_proj", d, 4 * d)):
            shapes[b + name + ".weight"] = [n_out, n_in]
            shapes[b + name + ".bias"] = [n_out]
    return shapes


def read_f32(path, shape):
    data = open(path, "rb").read()
    t = torch.frombuffer(bytearray(data), dtype=torch.float32).clone()
    return t.reshape(shape)


def read_tokens(path, batch, length):
    data = open(path, "rb").read()
    assert len(data) == batch * length, f"{path}: {len(data)} bytes, expected {batch}x{length}"
    return torch.frombuffer(bytearray(data), dtype=torch.uint8).to(torch.long).reshape(batch, length)


def write_f32(path, t):
    with open(path, "wb") as f:
        f.write(t.detach().to(torch.float32).contiguous().numpy().tobytes())


def attention(x, p, n_head):
    B, T, C = x.shape
    hd = C // n_head
    q, k, v = F.linear(x, p["qkv.weight"], p["qkv.bias"]).split(C, dim=2)
    q = q.view(B, T, n_head, hd).transpose(1, 2)
    k = k.view(B, T, n_head, hd).transpose(1, 2)
    v = v.view(B, T, n_head, hd).transpose(1, 2)
    att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
    future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    att = F.softmax(att.masked_fill(future, float("-inf")), dim=-1)
    y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
    return F.linear(y, p["proj.weight"], p["proj.bias"])


def gpt_logits(params, m, tokens):
    T = tokens.shape[1]
    d = m["d_model"]
    x = F.embedding(tokens, params["wte.weight"]) + F.embedding(torch.arange(T), params["wpe.weight"]).unsqueeze(0)
    for i in range(m["n_layer"]):
        p = {k[len(f"blocks.{i}."):]: v for k, v in params.items() if k.startswith(f"blocks.{i}.")}
        x = x + attention(F.layer_norm(x, (d,), p["ln1.weight"], p["ln1.bias"], LN_EPS), p, m["n_head"])
        h = F.layer_norm(x, (d,), p["ln2.weight"], p["ln2.bias"], LN_EPS)
        x = x + F.linear(F.gelu(F.linear(h, p["fc.weight"], p["fc.bias"])), p["fc_proj.weight"], p["fc_proj.bias"])
    x = F.layer_norm(x, (d,), params["ln_f.weight"], params["ln_f.bias"], LN_EPS)
    return x @ params["wte.weight"].t()


def per_sample_ce(logits, targets):
    B, T, V = logits.shape
    ce = F.cross_entropy(logits.reshape(B * T, V), targets.reshape(B * T), reduction="none")
    return ce.view(B, T).mean(dim=1)


def main(case_dir):
    torch.set_num_threads(1)
    case = json.load(open(os.path.join(case_dir, "case.json")))
    m = case["model"]
    out = os.path.join(case_dir, "out")
    os.makedirs(out, exist_ok=True)

    shapes = expected_shapes(m)
    names = [p["name"] for p in case["params"]]
    if sorted(names) != sorted(shapes):
        sys.exit(f"parameter names differ from the architecture: have {sorted(names)}, expected {sorted(shapes)}")
    for p in case["params"]:
        if p["shape"] != shapes[p["name"]]:
            sys.exit(f"{p['name']}: shape {p['shape']}, expected {shapes[p['name']]}")
    states = {label: [read_f32(os.path.join(case_dir, f), p["shape"]) for f, p in zip(files, case["params"])]
              for label, files in case["states"].items()}

    # Forward and backward on the fixed batch, for each state.
    fw = case["forward"]
    tokens = read_tokens(os.path.join(case_dir, fw["tokens"]), fw["batch"], fw["length"])
    for label, values in states.items():
        leaves = [t.clone().requires_grad_(True) for t in values]
        logits = gpt_logits(dict(zip(names, leaves)), m, tokens[:, :-1])
        per_sample = per_sample_ce(logits, tokens[:, 1:])
        loss = per_sample.mean()
        loss.backward()
        write_f32(os.path.join(out, f"{label}.logits.bin"), logits)
        write_f32(os.path.join(out, f"{label}.per_sample.bin"), per_sample)
        write_f32(os.path.join(out, f"{label}.loss.bin"), loss.reshape(1))
        for i, t in enumerate(leaves):
            write_f32(os.path.join(out, f"{label}.grad_{i}.bin"), t.grad)

    # Training steps with torch.optim.AdamW.
    tr = case["train"]
    leaves = [t.clone().requires_grad_(True) for t in states["init"]]
    params = dict(zip(names, leaves))
    decay = [t for t in leaves if t.dim() >= 2]
    no_decay = [t for t in leaves if t.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": tr["weight_decay"]},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=tr["lr"][0], betas=tuple(tr["betas"]), eps=tr["eps"])
    norms, losses = [], []
    for step, batch_file in enumerate(tr["batches"]):
        batch = read_tokens(os.path.join(case_dir, batch_file), tr["batch"], tr["length"])
        for g in opt.param_groups:
            g["lr"] = tr["lr"][step]
        opt.zero_grad(set_to_none=True)
        ps = per_sample_ce(gpt_logits(params, m, batch[:, :-1]), batch[:, 1:])
        loss = ps.mean()
        loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(leaves, tr["grad_clip"])))
        losses.append(float(loss))
        opt.step()
    write_f32(os.path.join(out, "train_norm.bin"), torch.tensor(norms))
    write_f32(os.path.join(out, "train_loss.bin"), torch.tensor(losses))
    for i, t in enumerate(leaves):
        write_f32(os.path.join(out, f"trained_{i}.bin"), t)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
