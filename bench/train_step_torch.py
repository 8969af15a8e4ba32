#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""The PyTorch-eager peer of bench/bench_train: the same GPT as backend/src/model/gpt.cpp (byte vocab,
learned positions, pre-LN blocks with a qkv Linear and manual causal attention, GELU MLP 4x, final LN,
head tied to the token embedding, GPT-2 init), AdamW with weight decay only on matrices and embeddings,
grad clip 1.0, cross-entropy, cosine LR with warmup set every step, and the loss read back every step
(a training loop logs it). Batches are random bytes drawn every step inside the timed step.

Run with Debian's interpreter (it has python3-torch 1.13):
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/train_step_torch.py --model tiny --steps 200
Prints one `key value` line per figure (the same keys as bench_train):
    step_ms_median, step_ms_p10, step_ms_p90, step_ms_mean, params, tokens_per_s, flops_per_s, final_loss
"""
import argparse
import math
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

MODELS = {
    # name: (n_layer, d_model, n_head, context, batch)
    "default": (2, 128, 4, 64, 16),
    "tiny": (1, 64, 4, 64, 8),
    "gpt2-small": (12, 768, 12, 1024, 8),   # GPT-2 small's shape with the byte vocabulary (bench/gpu)
}
SDPA = False   # --attention sdpa: F.scaled_dot_product_attention(is_causal=True) (PyTorch >= 2.0)


class Block(nn.Module):
    def __init__(self, d, n_head, n_layer):
        super().__init__()
        self.n_head = n_head
        self.ln1 = nn.LayerNorm(d)
        self.ln2 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.fc = nn.Linear(d, 4 * d)
        self.fc_proj = nn.Linear(4 * d, d)
        resid = 0.02 / math.sqrt(2.0 * n_layer)
        for lin, std in ((self.qkv, 0.02), (self.fc, 0.02), (self.proj, resid), (self.fc_proj, resid)):
            nn.init.normal_(lin.weight, 0.0, std)
            nn.init.zeros_(lin.bias)

    def forward(self, x):
        B, T, C = x.shape
        hd = C // self.n_head
        q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
        q = q.view(B, T, self.n_head, hd).transpose(1, 2)
        k = k.view(B, T, self.n_head, hd).transpose(1, 2)
        v = v.view(B, T, self.n_head, hd).transpose(1, 2)
        if SDPA:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))
            mask = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
            att = torch.softmax(att.masked_fill(mask, float("-inf")), dim=-1)
            y = att @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        h = x + self.proj(y)
        return h + self.fc_proj(F.gelu(self.fc(self.ln2(h))))


class Gpt(nn.Module):
    def __init__(self, n_layer, d, n_head, ctx):
        super().__init__()
        self.wte = nn.Embedding(256, d)
        self.wpe = nn.Embedding(ctx, d)
        self.blocks = nn.ModuleList([Block(d, n_head, n_layer) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(d)
        nn.init.normal_(self.wte.weight, 0.0, 0.02)
        nn.init.normal_(self.wpe.weight, 0.0, 0.02)

    def forward(self, tokens):
        T = tokens.size(1)
        pos = torch.arange(T, dtype=torch.long, device=tokens.device)
        x = self.wte(tokens) + self.wpe(pos).unsqueeze(0)
        for b in self.blocks:
            x = b(x)
        return self.ln_f(x) @ self.wte.weight.t()   # tied head


def lr_at(t, steps, peak=3e-3, warmup=50, final=0.1):
    if t < warmup:
        return peak * (0.01 + 0.99 * t / warmup)
    x = min(1.0, (t - warmup) / max(1, steps - warmup))
    return peak * (final + (1 - final) * 0.5 * (1 + math.cos(math.pi * x)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", choices=sorted(MODELS), default="default")
    ap.add_argument("--steps", type=int, default=100, help="timed steps")
    ap.add_argument("--warmup", type=int, default=10, help="untimed steps first")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--batch", type=int, default=0)
    ap.add_argument("--amp", choices=["none", "bf16"], default="none", help="bf16 autocast (CUDA)")
    ap.add_argument("--attention", choices=["manual", "sdpa"], default="manual")
    ap.add_argument("--compile", action="store_true", help="torch.compile the model (PyTorch >= 2.0)")
    a = ap.parse_args()
    global SDPA
    SDPA = a.attention == "sdpa"
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    n_layer, d, n_head, ctx, batch = MODELS[a.model]
    batch = a.batch or batch
    dev = torch.device(a.device)
    model = Gpt(n_layer, d, n_head, ctx).to(dev)
    if a.compile:
        if not hasattr(torch, "compile"):
            ap.error(f"--compile needs PyTorch >= 2.0 (this is {torch.__version__})")
        model = torch.compile(model)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=3e-3, betas=(0.9, 0.95), eps=1e-8)
    params = list(model.parameters())
    n_params = sum(p.numel() for p in params)
    total = a.warmup + a.steps
    times = []
    loss_value = float("nan")
    for t in range(total):
        t0 = time.perf_counter()
        tokens = torch.randint(0, 256, (batch, ctx + 1)).to(dev)
        inputs, targets = tokens[:, :-1], tokens[:, 1:]
        with torch.autocast(device_type=dev.type, dtype=torch.bfloat16, enabled=a.amp == "bf16"):
            logits = model(inputs)
            loss = F.cross_entropy(logits.reshape(-1, 256).float(), targets.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        for g in opt.param_groups:
            g["lr"] = lr_at(t, total)
        opt.step()
        loss_value = loss.item()
        if t >= a.warmup:
            times.append(time.perf_counter() - t0)
    ms = sorted(x * 1e3 for x in times)
    med = statistics.median(ms)
    tps = batch * ctx / (med / 1e3)
    print(f"model {a.model} n_layer {n_layer} d_model {d} n_head {n_head} context {ctx} batch {batch} threads {a.threads} "
          f"device {a.device} amp {a.amp} attention {a.attention} compile {int(a.compile)}")
    print(f"step_ms_median {med:.4f}")
    print(f"step_ms_p10 {ms[len(ms) // 10]:.4f}")
    print(f"step_ms_p90 {ms[(9 * len(ms)) // 10]:.4f}")
    print(f"step_ms_mean {statistics.fmean(ms):.4f}")
    print(f"params {n_params}")
    print(f"tokens_per_s {tps:.1f}")
    print(f"flops_per_s {6.0 * n_params * tps:.4e}")
    # Anneal's convention (anneal::modelInfo): 6 N_nonembedding + 6 n_layer context d_model per token.
    n_nonembed = n_params - 256 * d - ctx * d
    print(f"flops_per_s_with_attention {(6.0 * n_nonembed + 6.0 * n_layer * ctx * d) * tps:.4e}")
    print(f"final_loss {loss_value:.5f}")


if __name__ == "__main__":
    main()
