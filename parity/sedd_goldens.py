"""SEDD goldens: the authors' DDiT (sedd/model/transformer.py), score-entropy loss on the absorbing graph with log-linear
noise (graph_lib, noise_lib, losses) and one step of each sampler (sampling.py, catsample.py), at a small configuration
that takes the same code paths as dlc4j's SEDD-T preset (shared embedding, rotary + learned positions, cond width equal
to the model width, scale_by_sigma, absorbing graph, log-linear noise).

Files:
  sedd-ddit.npz   weights under dlc4j's names; forward on fixed tokens and σ̄ (eval); the training loss on fixed clean
                  codes and times, with the uniforms their sample_transition drew to mask them, its per-code values,
                  its batch mean and the gradient of the mean w.r.t. every parameter (train mode, dropout 0)
  sedd-steps.npz  one Euler, one analytic, one corrector (remasking) and the final denoising step on a partly masked
                  code, run with the weights above: for each, the unnormalised probabilities their sample_categorical
                  received, the uniforms it drew and the tokens it returned
"""
import os
import re
import sys

import numpy as np
import torch

import common

LENGTH, VOCAB = 8, 16
WIDTH, BLOCKS, HEADS, COND = 64, 2, 2, 64  # SEDD-T's shape (cond width = model width), scaled down
STEPS, EPS = 8, 1e-5  # sampler grid: linspace(1, eps, steps + 1); index 4 is t ≈ 0.5, inside the remasking window
ETA, T0, T1 = 0.1, 0.3, 0.55  # corrector (η larger than the reference's 0.01 so that remasking moves visible weight)
SAMPLING_EPS = 1e-3  # losses.get_loss_fn's default


def rename(name):
    """A reference parameter name → dlc4j's (None: not a dlc4j parameter)."""
    if name == "rotary_emb.inv_freq":  # a buffer dlc4j computes in Rotary
        return None
    name = name.replace("vocab_embed.embedding", "vocab_embed.weight")
    name = re.sub(r"^blocks\.(\d+)\.attn_qkv\.", r"blocks.\1.attn.qkv.", name)
    name = re.sub(r"^blocks\.(\d+)\.attn_out\.", r"blocks.\1.attn.proj.", name)
    name = re.sub(r"^blocks\.(\d+)\.mlp\.0\.", r"blocks.\1.mlp.fc1.", name)
    name = re.sub(r"^blocks\.(\d+)\.mlp\.2\.", r"blocks.\1.mlp.fc2.", name)
    name = re.sub(r"^blocks\.(\d+)\.adaLN_modulation\.", r"blocks.\1.adaLN_modulation.1.", name)
    return name


def randomise(model):
    """Seeded weights with O(1) activations: the reference zero-initialises its adaLN and output layers, which would make
    the output the scaled uniform score and most gradients zero."""
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            n = torch.randn(p.shape, generator=g)
            if name == "vocab_embed.embedding":
                p.copy_(n)
            elif name == "pos_embed":
                p.copy_(0.5 * n)
            elif name.endswith("norm1.weight") or name.endswith("norm2.weight") or name.endswith("norm_final.weight"):
                p.copy_(1 + 0.1 * n)
            elif p.dim() == 2:  # a Linear [out, in]
                gain = 0.5 if "adaLN_modulation" in name else 1.0
                p.copy_(gain * n / p.shape[1] ** 0.5)
            else:  # a bias
                p.copy_(0.1 * n)


def record_categorical(catsample, log):
    """Wraps their sample_categorical: calls it unchanged, then replays the generator to keep the uniforms it drew."""

    def sample_categorical(probs, method="hard"):
        state = torch.get_rng_state()
        out = catsample.sample_categorical(probs, method)
        after = torch.get_rng_state()
        torch.set_rng_state(state)
        u = torch.rand_like(probs, dtype=torch.float64)
        assert torch.equal(torch.get_rng_state(), after), "sample_categorical drew something else"
        # Java replays from float32 uniforms: the race must give the same tokens with them.
        u32 = u.float().double()
        again = (probs.double() / (1e-10 - (u32 + 1e-10).log())).argmax(dim=-1)
        assert torch.equal(again, out), "the float32 uniforms change a draw: pick another seed"
        log.append((probs, u, out))
        return out

    return sample_categorical


def write(ref, out):
    sys.path.insert(0, os.path.join(ref, "sedd"))
    import catsample
    import graph_lib
    import losses
    import noise_lib
    import sampling
    from model import SEDD
    from model import utils as mutils

    # torch 1.13 without CUDA: torch.cuda.amp.autocast(dtype=bfloat16), which their forward and score_fn enter, has
    # already disabled itself ("CUDA is not available") but then asks the absent device whether it supports bfloat16 and
    # fails. Answering yes lets it proceed disabled (later torch versions skip the question): float32 throughout.
    bf16_supported = torch.cuda.is_bf16_supported
    torch.cuda.is_bf16_supported = lambda: True
    config = {
        "tokens": VOCAB,
        "graph": {"type": "absorb"},
        "noise": {"type": "loglinear"},
        "model": {"name": "parity", "type": "ddit", "hidden_size": WIDTH, "cond_dim": COND, "length": LENGTH,
                  "n_blocks": BLOCKS, "n_heads": HEADS, "scale_by_sigma": True, "dropout": 0.0,
                  "shared_embedding": True},
    }
    common.seed(0)
    model = SEDD(config)
    randomise(model)
    graph = graph_lib.get_graph(model.config, "cpu")
    noise = noise_lib.get_noise(model.config)
    mask = VOCAB

    # Forward (eval): σ̄ on both sides of their expm1 switch at 0.5; masks and tokens mixed.
    g = torch.Generator().manual_seed(2)
    tokens = torch.randint(0, VOCAB + 1, (2, LENGTH), generator=g)
    tokens[:, ::3] = mask
    sigma = torch.tensor([0.3, 2.5], dtype=torch.float32)
    model.eval()
    with torch.no_grad():
        log_score = model(tokens, sigma)

    # Loss (train mode, dropout 0): explicit times (float32 values, computed on in float64 so Java gets the same σ̄),
    # the masks drawn by their graph.sample_transition; its uniforms kept.
    clean = torch.randint(0, VOCAB, (4, LENGTH), generator=g)
    t = torch.tensor([0.15, 0.45, 0.75, 0.97], dtype=torch.float32).double()
    drawn = {}
    sample_transition = graph.sample_transition

    def recording_transition(i, s):
        drawn["noisy"] = sample_transition(i, s)
        return drawn["noisy"]

    graph.sample_transition = recording_transition
    loss_fn = losses.get_loss_fn(noise, graph, train=True, sampling_eps=SAMPLING_EPS)
    torch.manual_seed(3)
    per_code = loss_fn(model, clean, t=t)
    torch.manual_seed(3)
    u_mask = torch.rand(clean.shape)  # what sample_transition consumed: the first draw after the seed
    graph.sample_transition = sample_transition
    sig = noise.total_noise(t)[:, None]
    assert torch.equal(torch.where(u_mask < 1 - (-sig).exp(), mask, clean), drawn["noisy"])
    loss = per_code.mean()
    model.zero_grad()
    loss.backward()
    written = {}
    written["sedd-ddit.npz"] = common.save(
        out, "sedd-ddit",
        params=common.named(model, rename),
        inputs={"tokens": tokens, "sigma": sigma, "clean": clean, "t": t, "mask_uniforms": u_mask},
        outputs={"log_score": log_score, "noisy": drawn["noisy"], "sequence_loss": per_code, "loss": loss},
        grads=common.grads(model, rename))

    # Sampler steps (eval), on a code partly masked as at t ≈ 0.5. Their step arithmetic runs on float64 times (their
    # linspace's float32 value, widened), as Java's does in double: in float32 the reference's own 1 − e^{−σ̄} at the
    # denoising step's σ̄ ≈ 1e-5 is off by ~1e-3 relative, which would hide any real mismatch.
    log = []
    recorder = record_categorical(catsample, log)
    sampling.sample_categorical = recorder
    graph_lib.sample_categorical = recorder
    score_fn = mutils.get_score_fn(model, train=False, sampling=True)
    x = torch.randint(0, VOCAB, (2, LENGTH), generator=g)
    x[torch.rand(x.shape, generator=g) < 0.5] = mask
    grid = torch.linspace(1, EPS, STEPS + 1)  # float32, as get_pc_sampler builds it
    dt = (1 - EPS) / STEPS
    t_step = grid[4].double() * torch.ones(2, 1, dtype=torch.float64)
    assert T0 < t_step[0, 0] < T1
    t_last = torch.full((2, 1), EPS, dtype=torch.float64)
    torch.manual_seed(4)
    steps = {}
    with torch.no_grad():
        steps["euler"] = sampling.get_predictor("euler")(graph, noise).update_fn(score_fn, x, t_step, dt)
        steps["analytic"] = sampling.get_predictor("analytic")(graph, noise).update_fn(score_fn, x, t_step, dt)
        steps["remask"] = sampling.get_predictor("corrector")(graph, noise).update_fn(score_fn, x, t_step, dt, t0=T0, t1=T1,
                                                                                       eta=ETA)
        steps["denoise"] = sampling.Denoiser(graph, noise).update_fn(score_fn, x, t_last)
    assert len(log) == 4
    inputs = {"x": x, "t": t_step[:, 0], "dt": torch.tensor([dt]), "t_last": t_last[:, 0], "eta": torch.tensor([ETA]),
              "t0": torch.tensor([T0]), "t1": torch.tensor([T1])}
    outputs = {}
    for (name, tokens_out), (probs, u, drawn_tokens) in zip(steps.items(), log):
        assert torch.equal(tokens_out, drawn_tokens)
        inputs[name + ".uniforms"] = u
        outputs[name + ".probs"] = probs
        outputs[name + ".tokens"] = tokens_out
    written["sedd-steps.npz"] = common.save(out, "sedd-steps", inputs=inputs, outputs=outputs)
    sys.path.remove(os.path.join(ref, "sedd"))
    torch.cuda.is_bf16_supported = bf16_supported
    return written
