"""Times DiT training steps in PyTorch with the shapes dlc4j's `dlc dit train` uses, for a side-by-side ratio.

Same network as org.dlc4j.dit.DiT (adaLN-Zero blocks, fixed sin-cos positions, learned sigma, DLC embedder
averaging one (V+1)xD table per position), same loss (epsilon MSE + variational bound of the learned variance),
AdamW at lr 1e-4 and an EMA update per step, float32 on CPU. Written for this project from the DiT paper's
description; run: /usr/bin/python3 bench/dit_step.py (Debian's python3-torch; install libopenblas0-pthread too) --preset DiT-T/4 --batch 128 --threads 2 --steps 20
"""
import argparse, math, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {"tiny": (8, 32, 2, 2, 2.0), "DiT-T/4": (4, 192, 6, 3, 4.0), "DiT-T/2": (2, 192, 6, 3, 4.0),
           "DiT-S/4": (4, 384, 12, 6, 4.0), "DiT-S/2": (2, 384, 12, 6, 4.0)}


def sincos_2d(dim, grid):
    q = dim // 4
    omega = 1.0 / 10000 ** (np.arange(q) / q)
    h, w = np.meshgrid(np.arange(grid), np.arange(grid), indexing="ij")
    w, h = w.reshape(-1, 1) * omega, h.reshape(-1, 1) * omega
    return torch.tensor(np.concatenate([np.sin(w), np.cos(w), np.sin(h), np.cos(h)], 1), dtype=torch.float32)[None]


def modulate(x, shift, scale):
    return x * (1 + scale[:, None]) + shift[:, None]


class Block(nn.Module):
    def __init__(self, d, heads, ratio):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.norm2 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.fc1, self.fc2 = nn.Linear(d, int(d * ratio)), nn.Linear(int(d * ratio), d)
        self.ada = nn.Linear(d, 6 * d)

    def attn(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        a = ((q / math.sqrt(d // self.heads)) @ k.transpose(-1, -2)).softmax(-1)  # unfused, as dlc4j's Attention
        return self.proj((a @ v).transpose(1, 2).reshape(b, t, d))

    def forward(self, x, c):
        s1, g1, gate1, s2, g2, gate2 = self.ada(F.silu(c)).chunk(6, 1)
        x = x + gate1[:, None] * self.attn(modulate(self.norm1(x), s1, g1))
        return x + gate2[:, None] * self.fc2(F.gelu(self.fc1(modulate(self.norm2(x), s2, g2)), approximate="tanh"))


class DiT(nn.Module):
    def __init__(self, preset, length, vocab, image=32, channels=1):
        super().__init__()
        p, d, depth, heads, ratio = PRESETS[preset]
        self.p, self.c, self.g = p, channels, image // p
        self.x_embedder = nn.Conv2d(channels, d, p, p)
        self.register_buffer("pos", sincos_2d(d, self.g))
        self.t1, self.t2 = nn.Linear(256, d), nn.Linear(d, d)
        self.table = nn.Parameter(torch.randn(length, vocab + 1, d) / math.sqrt(d))
        self.blocks = nn.ModuleList(Block(d, heads, ratio) for _ in range(depth))
        self.norm = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.ada = nn.Linear(d, 2 * d)
        self.linear = nn.Linear(d, p * p * 2 * channels)

    def forward(self, x, t, codes):
        half = 128
        freqs = torch.exp(-math.log(10000) * torch.arange(half) / half)
        args = t[:, None].float() * freqs[None]
        temb = self.t2(F.silu(self.t1(torch.cat([torch.cos(args), torch.sin(args)], 1))))
        l = codes.shape[1]
        c = temb + self.table[torch.arange(l)[None], codes].mean(1)
        h = self.x_embedder(x).flatten(2).transpose(1, 2) + self.pos
        for blk in self.blocks:
            h = blk(h, c)
        shift, scale = self.ada(F.silu(c)).chunk(2, 1)
        h = self.linear(modulate(self.norm(h), shift, scale))
        b, g, p, oc = h.shape[0], self.g, self.p, 2 * self.c
        return h.reshape(b, g, g, p, p, oc).permute(0, 5, 1, 3, 2, 4).reshape(b, oc, g * p, g * p)


def hybrid_loss(out, x0, xt, t, noise, betas, acp, acp_prev, post_var_log):
    eps, v = out.chunk(2, 1)
    mse = ((noise - eps) ** 2).flatten(1).mean(1)
    bt = lambda a: a[t].view(-1, 1, 1, 1)
    frac = (v + 1) / 2
    model_log_var = frac * bt(torch.log(betas)) + (1 - frac) * bt(post_var_log)
    pred_x0 = (xt - bt(torch.sqrt(1 - acp)) * eps.detach()) / bt(torch.sqrt(acp))
    c0 = bt(betas * torch.sqrt(acp_prev) / (1 - acp))
    c1 = bt((1 - acp_prev) * torch.sqrt(1 - betas) / (1 - acp))
    model_mean = c0 * pred_x0 + c1 * xt
    true_mean = c0 * x0 + c1 * xt
    kl = 0.5 * (-1 + model_log_var - bt(post_var_log) + torch.exp(bt(post_var_log) - model_log_var)
                + (true_mean - model_mean) ** 2 * torch.exp(-model_log_var))
    vb = kl.flatten(1).mean(1) / math.log(2)  # the t = 0 decoder term is left out: it changes no timing
    return (mse + vb).mean()


def matmul_peak(n=1024, reps=50):
    """GFLOP/s of a float32 n x n matmul: the ceiling a training step's model FLOPs are compared with."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    for _ in range(5):
        a @ b
    start = time.perf_counter()
    for _ in range(reps):
        a @ b
    return 2 * n ** 3 * reps / (time.perf_counter() - start) / 1e9


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="DiT-T/4")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--length", type=int, default=32)
    ap.add_argument("--vocab", type=int, default=64)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    betas = torch.linspace(1e-4, 0.02, 1000, dtype=torch.float64)
    acp = torch.cumprod(1 - betas, 0)
    acp_prev = torch.cat([torch.ones(1, dtype=torch.float64), acp[:-1]])
    post_var = betas * (1 - acp_prev) / (1 - acp)
    post_var_log = torch.log(torch.cat([post_var[1:2], post_var[1:]]))
    betas, acp, acp_prev, post_var_log = (x.float() for x in (betas, acp, acp_prev, post_var_log))
    model = DiT(a.preset, a.length, a.vocab)
    ema = [p.detach().clone() for p in model.parameters()]
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0)
    x0 = torch.rand(a.batch, 1, 32, 32) * 2 - 1
    codes = torch.randint(0, a.vocab, (a.batch, a.length))
    times = []
    for step in range(a.warmup + a.steps):
        start = time.perf_counter()
        t = torch.randint(0, 1000, (a.batch,))
        noise = torch.randn_like(x0)
        xt = acp[t].sqrt().view(-1, 1, 1, 1) * x0 + (1 - acp[t]).sqrt().view(-1, 1, 1, 1) * noise
        loss = hybrid_loss(model(xt, t, codes), x0, xt, t, noise, betas, acp, acp_prev, post_var_log)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            for e, p in zip(ema, model.parameters()):
                e.mul_(0.999).add_(p.detach(), alpha=0.001)
        if step >= a.warmup:
            times.append(time.perf_counter() - start)
    med = float(np.median(times))
    # Debian builds torch against the generic libblas.so.3; which implementation that is shows in the process maps.
    blas = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.lower() and "/" in l})
    print(f"pytorch {torch.__version__}, {torch.get_num_threads()} threads, BLAS loaded: {', '.join(blas) or 'none'}")
    print(f"{a.preset} batch {a.batch}: median step {med * 1000:.1f} ms, {a.batch / med:.1f} images/s over {a.steps} steps")
    print(f"1024x1024 float32 matmul peak: {matmul_peak():.1f} GFLOP/s")


if __name__ == "__main__":
    main()
