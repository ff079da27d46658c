"""dlc4j's PyTorch reference for the side-by-side speed benchmark: the same networks, shapes and defaults as the Java code.

Written for this project from the papers: DiT (Peebles & Xie 2023) for the image generator, SEDD (Lou et al. 2024)
for the prior over discrete latent codes; the DiT network, its hybrid loss and the idea of timing one step come from
bench/dit_step.py, which this file imports. Measures, in float32 on the CPU, each as a median over timed repetitions
after warm-up:

  matmul             GFLOP/s of a 1024x1024 matmul, the ceiling the model FLOP rates are compared with (MFU)
  dit_train          images/s of a DiT training step (DLC conditioning), as `dlc dit train`
  dit_sample         images/s of DDIM sampling, 50 steps, batch 100, as `dlc dit sample`
  dit_sample_guided  the same with classifier-free guidance at scale 3 (conditional and null branch in one doubled batch)
  sedd_train         tokens/s of a SEDD training step (score entropy, AdamW, clip 1, EMA), as `dlc prior train`
  sedd_sample        codes/s of analytic (Tweedie tau-leaping) sampling, 128 steps, as `dlc prior sample`

Run with Debian's interpreter, which has python3-torch:
  /usr/bin/python3 bench/reference.py --threads 2 --json out/bench/reference.json
  /usr/bin/python3 bench/reference.py --threads 1 --json /tmp/ref.json --dit-preset tiny --sedd-preset tiny --steps 3 --warmup 1
"""
import argparse
import ctypes
import json
import math
import os
import platform
import re
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dit_step import DiT, PRESETS as DIT_PRESETS, hybrid_loss, modulate  # noqa: E402

MEASUREMENTS = ["matmul", "dit_train", "dit_sample", "dit_sample_guided", "sedd_train", "sedd_sample"]

# The shipped codes: 32 positions of 64 tokens (models/README.md, sem/fmnist-sem-32x64.safetensors).
LENGTH, VOCAB = 32, 64
# Fashion-MNIST padded to 32x32, one channel (DiT.Config.preset: image 32, channels 1; learned sigma doubles the output).
IMAGE, CHANNELS = 32, 1

# DiT training (DitTraining.Config.fmnist): batch 128, AdamW lr 5e-4 without weight decay, no clipping,
# EMA 0.999 capped at (1 + n)/(10 + n) (Trainer.Config.withEmaWarmup); condition dropped with p 0.1 (DiT.Config dropProb).
DIT_LR, DIT_EMA, DIT_DROP = 5e-4, 0.999, 0.1
# DiT sampling (DitCommand: --sampler ddim --steps 50 --batch 100, x0 clipped; guidance 3 as DemoCommand.DEMO_SCALE).
DIT_SAMPLE_STEPS, DIT_SAMPLE_BATCH, GUIDANCE_SCALE = 50, 100, 3.0

# SEDD presets (Sedd.Config.preset): width, blocks, heads, width of the noise embedding c; MLP ratio 4, dropout 0.1 in all.
SEDD_PRESETS = {"tiny": (32, 2, 2, 16), "SEDD-T": (128, 4, 2, 128), "SEDD-S": (768, 12, 12, 128), "SEDD-M": (1024, 24, 16, 128)}
SEDD_MLP_RATIO, SEDD_DROPOUT = 4.0, 0.1
# SEDD training (SeddTraining.Config.fmnist): batch 128, AdamW 3e-4 (betas 0.9/0.999, eps 1e-8, no decay) with 500 linear
# warm-up steps, gradient clipping at 1, EMA 0.999 capped at (1 + n)/(10 + n); t ~ U[1e-3, 1] (SAMPLING_EPS).
SEDD_LR, SEDD_WARMUP, SEDD_CLIP, SEDD_EMA, SEDD_T_MIN = 3e-4, 500, 1.0, 0.999, 1e-3
# Log-linear noise (LogLinearNoise.SEDD): sigma_bar(t) = -log(1 - (1 - eps) t) with eps 1e-3.
NOISE_EPS = 1e-3
# SEDD sampling (PriorCommand: --prior-sampler analytic --prior-steps 128 --batch 256, final denoising step;
# PriorSampler.Config.of: last time 1e-5).
SEDD_SAMPLE_STEPS, SEDD_SAMPLE_BATCH, SEDD_SAMPLE_EPS = 128, 256, 1e-5


# ---------------------------------------------------------------------------------------------------------- timing


def median_seconds(fn, reps, warmup):
    """Runs fn warmup times untimed, then reps times timed; the median wall time of one call."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def record(items, seconds, reps, unit, flops_per_item, flops_item, model_flops_per_call, **extra):
    """One measurement: `items` per call of `seconds`; model_flops_per_call is the arithmetic one call does (MFU numerator)."""
    return {"per_second": items / seconds, "unit": unit, "flops_per_item": flops_per_item, "flops_item": flops_item,
            "model_gflops_per_second": model_flops_per_call / seconds / 1e9, "median_seconds": seconds, "reps": reps, **extra}


def ema_update(ema, model, step, decay):
    """dlc4j's Ema with Trainer's warm-up: decay min(d, (1 + n)/(10 + n)) at step n."""
    d = min(decay, (1 + step) / (10 + step))
    with torch.no_grad():
        for e, p in zip(ema, model.parameters()):
            e.mul_(d).add_(p.detach(), alpha=1 - d)


def blas_info(threads):
    """What torch was built against, which BLAS library is loaded, and its thread count set to `threads`.

    Debian's torch calls the generic libblas.so.3, whose implementation the alternatives system picks; OpenBLAS keeps its
    own thread pool, which torch.set_num_threads does not touch, so it is set here through OpenBLAS's C API.
    """
    built = re.findall(r"BLAS_INFO=[^,\s]+", torch.__config__.show())
    torch.randn(8, 8) @ torch.randn(8, 8)  # make sure the BLAS is loaded
    loaded = sorted({line.split()[-1] for line in open("/proc/self/maps") if "blas" in line.lower() and "/" in line})
    blas_threads = None
    for path in loaded:
        lib = ctypes.CDLL(path)
        if hasattr(lib, "openblas_set_num_threads"):
            lib.openblas_set_num_threads(threads)
            blas_threads = lib.openblas_get_num_threads()
    return {"torch_config": built, "loaded": loaded, "openblas_threads": blas_threads}


# ---------------------------------------------------------------------------------------------------------- matmul


def measure_matmul(a, n=1024):
    """GFLOP/s of a float32 n x n matmul (2 n^3 flops), the peak a model's FLOP rate is compared with."""
    x, y = torch.randn(n, n), torch.randn(n, n)
    seconds = median_seconds(lambda: x @ y, a.steps, a.warmup)
    flops = 2 * n ** 3
    return {"per_second": flops / seconds / 1e9, "unit": "GFLOP/s", "flops_per_item": flops, "flops_item": "matmul",
            "median_seconds": seconds, "reps": a.steps, "n": n}


# ---------------------------------------------------------------------------------------------------------- DiT


def dit_forward_flops(preset):
    """Forward FLOPs per image, 2 x DiT.Config.forwardMacs(): blocks, attention, patch embedding and final layer.

    Like the Java count, it leaves out the per-image timestep MLP and the code embedding.
    """
    p, d, depth, _, ratio = DIT_PRESETS[preset]
    t = (IMAGE // p) ** 2
    hidden = int(ratio * d + 0.5)  # Java's Math.round
    block = t * (4 * d * d + 2 * hidden * d) + 2 * t * t * d + 6 * d * d
    embed = t * d * CHANNELS * p * p
    last = t * d * 2 * CHANNELS * p * p + 2 * d * d
    return 2 * (depth * block + embed + last)


def linear_schedule(steps=1000):
    """DiT's linear beta schedule (BetaSchedule.LINEAR, T = 1000) and the tables the hybrid loss reads, as float32."""
    betas = torch.linspace(1e-4, 0.02, steps, dtype=torch.float64)
    acp = torch.cumprod(1 - betas, 0)
    acp_prev = torch.cat([torch.ones(1, dtype=torch.float64), acp[:-1]])
    post_var = betas * (1 - acp_prev) / (1 - acp)
    post_var_log = torch.log(torch.cat([post_var[1:2], post_var[1:]]))  # beta~_0 = 0: clipped to beta~_1
    return tuple(x.float() for x in (betas, acp, acp_prev, post_var_log))


def measure_dit_train(a):
    """images/s of one DiT training step: sample t and noise, hybrid loss, backward, gradient norm, AdamW, EMA."""
    torch.manual_seed(0)
    betas, acp, acp_prev, post_var_log = linear_schedule()
    model = DiT(a.dit_preset, LENGTH, VOCAB, IMAGE, CHANNELS)
    ema = [p.detach().clone() for p in model.parameters()]
    opt = torch.optim.AdamW(model.parameters(), lr=DIT_LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)
    x0 = torch.rand(a.batch, CHANNELS, IMAGE, IMAGE) * 2 - 1
    codes = torch.randint(0, VOCAB, (a.batch, LENGTH))
    step = [0]

    def train_step():
        t = torch.randint(0, 1000, (a.batch,))
        noise = torch.randn_like(x0)
        xt = acp[t].sqrt().view(-1, 1, 1, 1) * x0 + (1 - acp[t]).sqrt().view(-1, 1, 1, 1) * noise
        cond = torch.where(torch.rand(a.batch, 1) < DIT_DROP, VOCAB, codes)  # the null code: token V everywhere
        loss = hybrid_loss(model(xt, t, cond), x0, xt, t, noise, betas, acp, acp_prev, post_var_log)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        # dlc4j's Trainer measures the global norm every step (to skip non-finite steps) even when it does not clip.
        torch.stack([p.grad.norm() for p in model.parameters()]).norm().item()
        opt.step()
        ema_update(ema, model, step[0], DIT_EMA)
        step[0] += 1

    seconds = median_seconds(train_step, a.steps, a.warmup)
    flops = dit_forward_flops(a.dit_preset)
    return record(a.batch, seconds, a.steps, "images/s", flops, "image", 3 * flops * a.batch, preset=a.dit_preset, batch=a.batch)


def ddim_tables(steps):
    """DDIM's respaced process (GaussianDiffusion.respace "ddimN"): every stride-th timestep of 1000, and alpha-bar there."""
    _, acp, _, _ = linear_schedule()
    stride = next(s for s in range(1, 1000) if -(-1000 // s) == steps)
    use = torch.arange(0, 1000, stride)
    ab = acp[use]
    return use, ab, torch.cat([torch.ones(1), ab[:-1]])


def ddim_sample(denoiser, n, steps):
    """DdimSampler with eta 0 and x0 clipped to [-1, 1] at each step; the result clipped too (DitSampling).

    The Java step also computes the learned variance's posterior, which deterministic DDIM never reads; left out here.
    """
    use, ab, ab_prev = ddim_tables(steps)
    x = torch.randn(n, CHANNELS, IMAGE, IMAGE)
    for i in reversed(range(steps)):
        eps = denoiser(x, torch.full((n,), int(use[i])))[:, :CHANNELS]
        r, rm1 = math.sqrt(1 / ab[i]), math.sqrt(1 / ab[i] - 1)
        x0 = (r * x - rm1 * eps).clamp(-1, 1)
        eps = (r * x - x0) / rm1
        x = x0 * math.sqrt(ab_prev[i]) + eps * math.sqrt(1 - ab_prev[i])
    return x.clamp(-1, 1)


def measure_dit_sample(a, guided):
    """images/s of a whole DDIM sample of a batch of DLC-conditioned images, unguided or with classifier-free guidance."""
    torch.manual_seed(0)
    model = DiT(a.dit_preset, LENGTH, VOCAB, IMAGE, CHANNELS).eval()
    n = a.sample_images
    codes = torch.randint(0, VOCAB, (n, LENGTH))
    if guided:
        # Guidance.classifierFree: codes then null codes in one doubled batch; only the epsilon channels are guided.
        pair = torch.cat([codes, torch.full_like(codes, VOCAB)])

        def denoiser(x, t):
            cond, uncond = model(torch.cat([x, x]), torch.cat([t, t]), pair).chunk(2)
            eps = uncond[:, :CHANNELS] + GUIDANCE_SCALE * (cond[:, :CHANNELS] - uncond[:, :CHANNELS])
            return torch.cat([eps, cond[:, CHANNELS:]], 1)
    else:
        def denoiser(x, t):
            return model(x, t, codes)

    with torch.no_grad():
        seconds = sample_seconds(lambda s: ddim_sample(denoiser, n, s), a.sample_steps, a)
    flops = dit_forward_flops(a.dit_preset)
    passes = a.sample_steps * (2 if guided else 1)  # forward passes per image
    return record(n, seconds, a.sample_reps, "images/s", flops, "image", flops * n * passes, preset=a.dit_preset, batch=n,
                  sampler_steps=a.sample_steps, guidance_scale=GUIDANCE_SCALE if guided else 1.0)


def sample_seconds(sample, steps, a):
    """Median seconds of a whole `steps`-step sample over a.sample_reps runs, after one warm-up run of a few steps."""
    if a.warmup > 0:
        sample(min(steps, 2))
    return median_seconds(lambda: sample(steps), a.sample_reps, 0)


# ---------------------------------------------------------------------------------------------------------- SEDD


def sedd_forward_flops(preset):
    """Forward FLOPs per token, 2 x Sedd.Config.forwardMacs() / L: blocks, attention, their modulation, embedding and output."""
    d, depth, _, cond = SEDD_PRESETS[preset]
    t, states = LENGTH, VOCAB + 1
    block = t * (4 * d * d + 2 * int(SEDD_MLP_RATIO * d + 0.5) * d) + 2 * t * t * d + 6 * cond * d
    return 2 * (depth * block + t * states * (d + 1) + t * d * states) / t


def timestep_features(t, dim=256, max_period=10000):
    """DiT's sinusoidal features (Layers.timestepFeatures): cosines then sines."""
    half = dim // 2
    args = t[:, None].float() * torch.exp(-math.log(max_period) * torch.arange(half) / half)[None]
    return torch.cat([torch.cos(args), torch.sin(args)], 1)


def sigma_total(t):
    """LogLinearNoise.total: sigma_bar(t) = -log(1 - (1 - eps) t)."""
    return -torch.log1p(-(1 - NOISE_EPS) * t) if torch.is_tensor(t) else -math.log1p(-(1 - NOISE_EPS) * t)


def expm1_stable(x):
    """Absorbing.expm1Stable: expm1 below 0.5, exp - 1 above, as the reference."""
    return torch.where(x < 0.5, torch.expm1(x), torch.exp(x) - 1)


def rotary_tables(length, head_dim, base=10000):
    """Rotary.java, GPT-NeoX layout: channel i pairs with i + d/2, rotated at position n by n * base^(-2i/d)."""
    inv = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
    angles = torch.arange(length, dtype=torch.float64)[:, None] * inv[None]
    angles = torch.cat([angles, angles], 1)
    return angles.cos().float(), angles.sin().float()


def rotate(x, cos, sin):
    x1, x2 = x.chunk(2, -1)
    return x * cos + torch.cat([-x2, x1], -1) * sin


class ScaleNorm(nn.Module):
    """DDiT's LayerNorm: a learned scale, no shift (LayerNorm.scaleOnly), eps 1e-5."""

    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return F.layer_norm(x, x.shape[-1:], self.weight, None, 1e-5)


class SeddBlock(nn.Module):
    """AdaLnBlock with DDiT's Spec: scale-only norms, no attention biases, rotary q/k, dropout on each residual branch."""

    def __init__(self, d, heads, cond):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = ScaleNorm(d), ScaleNorm(d)
        self.qkv, self.proj = nn.Linear(d, 3 * d, bias=False), nn.Linear(d, d, bias=False)
        hidden = int(SEDD_MLP_RATIO * d + 0.5)
        self.fc1, self.fc2 = nn.Linear(d, hidden), nn.Linear(hidden, d)
        self.ada = nn.Linear(cond, 6 * d)
        nn.init.zeros_(self.ada.weight)  # adaLN-Zero
        nn.init.zeros_(self.ada.bias)

    def attn(self, x, cos, sin):
        b, t, d = x.shape
        q, k, v = self.qkv(x).reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k = rotate(q, cos, sin), rotate(k, cos, sin)
        a = ((q / math.sqrt(d // self.heads)) @ k.transpose(-1, -2)).softmax(-1)  # unfused, as dlc4j's Attention
        return self.proj((a @ v).transpose(1, 2).reshape(b, t, d))

    def forward(self, x, c, cos, sin):
        s1, g1, gate1, s2, g2, gate2 = self.ada(F.silu(c)).chunk(6, 1)
        a = F.dropout(self.attn(modulate(self.norm1(x), s1, g1), cos, sin), SEDD_DROPOUT, self.training)
        x = x + gate1[:, None] * a
        f = self.fc2(F.gelu(self.fc1(modulate(self.norm2(x), s2, g2)), approximate="tanh"))
        return x + gate2[:, None] * F.dropout(f, SEDD_DROPOUT, self.training)


class Sedd(nn.Module):
    """Sedd.java's DDiT: the log concrete score [B, L, V+1] of partly masked codes at total noise sigma_bar."""

    def __init__(self, preset, length, vocab):
        super().__init__()
        d, depth, heads, cond = SEDD_PRESETS[preset]
        self.vocab = vocab
        self.vocab_embed = nn.Embedding(vocab + 1, d)  # token V is the mask
        nn.init.uniform_(self.vocab_embed.weight, -d ** -0.5, d ** -0.5)  # Init.torchDefault, fan-in d
        self.pos_embed = nn.Parameter(torch.empty(length, d).uniform_(-d ** -0.5, d ** -0.5))  # learned, beside rotary
        self.sigma1, self.sigma2 = nn.Linear(256, cond), nn.Linear(cond, cond)  # TimestepEmbedder of sigma_bar
        cos, sin = rotary_tables(length, d // heads)
        self.register_buffer("cos", cos)
        self.register_buffer("sin", sin)
        self.blocks = nn.ModuleList(SeddBlock(d, heads, cond) for _ in range(depth))
        self.norm = ScaleNorm(d)
        self.ada, self.linear = nn.Linear(cond, 2 * d), nn.Linear(d, vocab + 1)
        for layer in (self.ada, self.linear):  # zero-initialised output layer
            nn.init.zeros_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, tokens, sigma):
        h = self.vocab_embed(tokens) + self.pos_embed
        c = self.sigma2(F.silu(self.sigma1(timestep_features(sigma))))  # the blocks apply SiLU to c themselves
        for blk in self.blocks:
            h = blk(h, c, self.cos, self.sin)
        shift, scale = self.ada(F.silu(c)).chunk(2, 1)
        s = self.linear(modulate(self.norm(h), shift, scale))
        # scale_by_sigma: - log(e^sigma_bar - 1) - log V, then the score of staying put is 0.
        s = s - (torch.log(expm1_stable(sigma)) + math.log(self.vocab))[:, None, None]
        return s.scatter(-1, tokens[..., None], 0.0)


def score_entropy(log_score, noisy, clean, sigma, vocab):
    """Absorbing.scoreEntropy per position [B, L]: sum_y<V exp(s_y) - r s_x0 + r (log r - 1) at masked positions, r = 1/(e^sigma - 1)."""
    masked = (noisy == vocab).float()
    r = 1 / expm1_stable(sigma)[:, None]
    positive = (log_score[..., :vocab] * masked[..., None]).exp().sum(-1) * masked  # unmasked scores zeroed before exp
    negative = log_score.gather(-1, clean[..., None]).squeeze(-1) * r * masked
    return positive - negative + r * (torch.log(r) - 1) * masked


def measure_sedd_train(a):
    """tokens/s of one SEDD training step (SeddTraining.sequenceLoss, then the shared Trainer step)."""
    torch.manual_seed(0)
    model = Sedd(a.sedd_preset, LENGTH, VOCAB).train()
    ema = [p.detach().clone() for p in model.parameters()]
    opt = torch.optim.AdamW(model.parameters(), lr=SEDD_LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=0)
    clean = torch.randint(0, VOCAB, (a.sedd_batch, LENGTH))
    step = [0]

    def train_step():
        t = (1 - SEDD_T_MIN) * torch.rand(a.sedd_batch, dtype=torch.float64) + SEDD_T_MIN
        sigma = sigma_total(t)
        rate = ((1 - NOISE_EPS) / (1 - (1 - NOISE_EPS) * t)).float()
        noisy = torch.where(torch.rand(a.sedd_batch, LENGTH, dtype=torch.float64) < -torch.expm1(-sigma)[:, None], VOCAB, clean)
        sigma = sigma.float()
        loss = (score_entropy(model(noisy, sigma), noisy, clean, sigma, VOCAB).sum(1) * rate).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), SEDD_CLIP).item()  # the norm read on the host, as Trainer does
        for group in opt.param_groups:  # LrSchedule: linear warm-up, then constant
            group["lr"] = SEDD_LR * min(1.0, (step[0] + 1) / SEDD_WARMUP)
        opt.step()
        ema_update(ema, model, step[0], SEDD_EMA)
        step[0] += 1

    seconds = median_seconds(train_step, a.steps, a.warmup)
    tokens = a.sedd_batch * LENGTH
    flops = sedd_forward_flops(a.sedd_preset)
    return record(tokens, seconds, a.steps, "tokens/s", flops, "token", 3 * flops * tokens, preset=a.sedd_preset, batch=a.sedd_batch,
                  length=LENGTH, vocab=VOCAB)


def tweedie_draw(score, x, f, vocab, states):
    """Absorbing.reverseStep then PriorSampler.draw for every position at once.

    A masked position moves to token y with weight f s_y and stays masked with 1 - f sum_y s_y; an unmasked one keeps
    its token. The state is drawn proportionally to max(w, 0) among the first `states` (V + 1, or V to finish decoded),
    here by the Gumbel-max trick (w / Exp(1), argmax) as the reference's sample_categorical.
    """
    w = f * score[..., :vocab]
    w = torch.cat([w, 1 - w.sum(-1, keepdim=True)], -1)
    w = torch.where((x == vocab)[..., None], w, F.one_hot(x, vocab + 1).float())[..., :states].clamp(min=0)
    return (w / torch.empty_like(w).exponential_()).argmax(-1)


def sedd_sample(model, count, steps):
    """PriorSampler.sample with the analytic predictor: fully masked, t from 1 to 1e-5 in `steps`, then one denoising step."""
    x = torch.full((count, LENGTH), VOCAB)
    dt = (1 - SEDD_SAMPLE_EPS) / steps
    for i in range(steps):
        t = 1 - i * dt
        score = model(x, torch.full((count,), sigma_total(t))).exp()
        x = tweedie_draw(score, x, math.expm1(sigma_total(t) - sigma_total(t - dt)), VOCAB, VOCAB + 1)
    sigma = sigma_total(SEDD_SAMPLE_EPS)
    score = model(x, torch.full((count,), sigma)).exp()
    return tweedie_draw(score, x, math.expm1(sigma), VOCAB, VOCAB)  # the mask column dropped: every position decoded


def measure_sedd_sample(a):
    """codes/s of sampling one batch of codes (a full PriorSampler.sample call), eval mode (no dropout), no gradients."""
    torch.manual_seed(0)
    model = Sedd(a.sedd_preset, LENGTH, VOCAB).eval()
    n = a.prior_codes
    with torch.no_grad():
        seconds = sample_seconds(lambda s: sedd_sample(model, n, s), a.prior_steps, a)
    flops = sedd_forward_flops(a.sedd_preset)
    passes = a.prior_steps + 1  # the final denoising step is one more forward pass
    return record(n, seconds, a.sample_reps, "codes/s", flops, "token", flops * n * LENGTH * passes, preset=a.sedd_preset,
                  batch=n, length=LENGTH, vocab=VOCAB, sampler_steps=a.prior_steps)


# ---------------------------------------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, required=True, help="intra-op threads, also OpenBLAS's")
    ap.add_argument("--json", required=True, help="where to write the results")
    ap.add_argument("--which", default=",".join(MEASUREMENTS), help="comma-separated subset of " + ",".join(MEASUREMENTS))
    ap.add_argument("--dit-preset", default="DiT-T/4", choices=sorted(DIT_PRESETS), help="DitCommand's default DiT-T/4")
    ap.add_argument("--sedd-preset", default="SEDD-T", choices=sorted(SEDD_PRESETS), help="PriorCommand's default SEDD-T")
    ap.add_argument("--batch", type=int, default=128, help="DiT training batch (Java default: 128)")
    ap.add_argument("--sedd-batch", type=int, default=128, help="SEDD training batch (Java default: 128)")
    ap.add_argument("--sample-images", type=int, default=DIT_SAMPLE_BATCH, help="images per DiT sample, one batch (Java: 100)")
    ap.add_argument("--sample-steps", type=int, default=DIT_SAMPLE_STEPS, help="DDIM steps (Java default: 50)")
    ap.add_argument("--prior-codes", type=int, default=SEDD_SAMPLE_BATCH, help="codes per SEDD sample, one batch (Java: 256)")
    ap.add_argument("--prior-steps", type=int, default=SEDD_SAMPLE_STEPS, help="analytic sampler steps (Java default: 128)")
    ap.add_argument("--steps", type=int, default=20, help="timed training steps (and matmuls)")
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps first; sampling warms up with one 2-step run if > 0")
    ap.add_argument("--sample-reps", type=int, default=3, help="timed whole samples per sampling measurement")
    a = ap.parse_args()
    which = [w.strip() for w in a.which.split(",") if w.strip()]
    unknown = sorted(set(which) - set(MEASUREMENTS))
    if unknown:
        ap.error(f"unknown measurement(s) {', '.join(unknown)}: use {', '.join(MEASUREMENTS)}")

    torch.set_num_interop_threads(1)
    torch.set_num_threads(a.threads)
    blas = blas_info(a.threads)
    print(f"python {platform.python_version()}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"BLAS {'; '.join(blas['torch_config'])}, loaded {', '.join(blas['loaded']) or 'none'} "
          f"(OpenBLAS threads {blas['openblas_threads']})")

    measure = {"matmul": measure_matmul, "dit_train": measure_dit_train, "dit_sample": lambda a: measure_dit_sample(a, False),
               "dit_sample_guided": lambda a: measure_dit_sample(a, True), "sedd_train": measure_sedd_train,
               "sedd_sample": measure_sedd_sample}
    results = {}
    for name in (m for m in MEASUREMENTS if m in which):
        r = measure[name](a)
        if name != "matmul" and "matmul" in results:
            r["mfu"] = r["model_gflops_per_second"] / results["matmul"]["per_second"]
        results[name] = r
        line = f"{name}: {r['per_second']:.1f} {r['unit']}, median {r['median_seconds'] * 1000:.1f} ms over {r['reps']}"
        if name != "matmul":
            line += (f" ({r['preset']}, batch {r['batch']}; {r['flops_per_item'] / 1e6:.2f} MFLOP per {r['flops_item']} forward, "
                     f"{r['model_gflops_per_second']:.1f} GFLOP/s in the model" + (f", MFU {100 * r['mfu']:.0f}%" if "mfu" in r else "") + ")")
        print(line, flush=True)

    out = {"python": platform.python_version(), "torch": torch.__version__, "blas": blas, "threads": a.threads, "results": results}
    os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
    with open(a.json, "w") as f:
        json.dump(out, f, indent=2)
    print(f"wrote {a.json}")


if __name__ == "__main__":
    main()
