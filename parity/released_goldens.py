"""Goldens at the released configurations (issue 29): the authors' modules at the width, heads, patch, L and V of
their Hugging Face checkpoints, with the depth cut to two blocks so that the float64 reference runs on a laptop.

    DiT-XL/2   dit/models.py DiTSEM: SD-VAE latents 4 x 32 x 32, patch 2, width 1152, 16 heads, L 512, V 256, learned
               sigma (lavoies/DLC_DiT_L512); its forward, forward_with_cfg at the paper's scale 1.5, and one step of the
               pipeline's sampler (create_diffusion("250").p_sample on forward_with_cfg, clip_denoised=False).
    SEDD-M     sedd/model/transformer.py SEDD with configs/model/medium_L512.yaml's widths (1024, cond 128, 16 heads,
               length 512) and tokens 256 (config_sem_L512_hf.yaml; lavoies/DLC_SEDD_L512); its forward and one step
               of the analytic sampler.
    SEM ViT-L  dinov2 DinoVisionTransformerWithSEM as vit_large_sem builds it for the L512 config (patch 14, width 1024,
               16 heads, 4 registers, img_size 518 resized to 224-px crops with antialiased bicubic, L 512, V 256;
               lavoies/SEM_dinov2_L512); the code of two images, the SEM logits, [CLS] and patch tokens.

The weights are not in the goldens: each is parity/hashed.values(<reference name>, shape, scale, offset), listed in
released-weights.json, and the Java tests (ReleasedParityTest) regenerate them and load them through the importer's
name map (org.dlc4j.hub), so the map is checked too. Large outputs are kept at every eighth position (the code
positions are independent given the network, so a mismatch anywhere shows there). The reference runs in float64.
"""
import json
import os
import sys

import numpy as np
import torch

import common
import hashed

DIT = dict(input=32, channels=4, patch=2, dim=1152, heads=16, depth=2, L=512, V=256, cfg=1.5, steps=250, step=200)
SEDD_M = dict(width=1024, cond=128, heads=16, blocks=2, length=512, V=256)
SEM = dict(img_size=518, crop=224, patch=14, dim=1024, heads=16, depth=2, registers=4, L=512, V=256)
EVERY = 8  # positions kept of the [B, 512, ·] outputs
SQRT3 = 3 ** 0.5


def fill(model, rule, skip=()):
    """Every parameter from parity/hashed by its reference name; returns the list released-weights.json records."""
    specs = []
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name in skip:
                continue
            scale, offset = rule(name, p)
            p.copy_(torch.from_numpy(hashed.values(name, tuple(p.shape), scale, offset)))
            specs.append({"name": name, "shape": list(p.shape), "scale": scale, "offset": offset})
    return specs


def fan_in_rule(name, p, norms=("norm",), embeddings=()):
    """Uniform weights with O(1) activations: matrices std 1/sqrt(fan_in) (adaLN x0.5), norm scales 1 +- 0.1,
    biases and other vectors std 0.1, embeddings std 1."""
    if any(name.startswith(e) for e in embeddings):
        return SQRT3, 0.0
    if p.dim() >= 2:
        gain = 0.5 if "adaLN" in name else 1.0
        return gain * SQRT3 / p[0].numel() ** 0.5, 0.0
    if name.endswith(".weight") and any(n in name.split(".")[-2] for n in norms):
        return 0.1 * SQRT3, 1.0
    return 0.1 * SQRT3, 0.0


def every(t):
    return t[:, ::EVERY]


def write_dit(ref, out):
    sys.path.insert(0, os.path.join(ref, "dit"))
    import torch.utils.checkpoint  # noqa: F401 (models.py uses it without importing it)
    import models
    from diffusion import create_diffusion
    c = DIT
    model = models.DiTSEM(input_size=c["input"], patch_size=c["patch"], in_channels=c["channels"], hidden_size=c["dim"],
                          depth=c["depth"], num_heads=c["heads"], mlp_ratio=4.0, class_dropout_prob=0.1, learn_sigma=True,
                          num_classes=1000, L=c["L"], V=c["V"])
    d = c["dim"]
    # The code table keeps the reference's own scale, D^-1/2 (its init); pos_embed is the fixed sin-cos table.
    specs = fill(model, lambda n, p: (SQRT3 / d ** 0.5, 0.0) if n.startswith("sem_embedder") else fan_in_rule(n, p),
                 skip=("pos_embed",))
    model.double().eval()
    g = torch.Generator().manual_seed(29)
    b = 2
    xt = torch.from_numpy(hashed.values("input.xt", (b, c["channels"], c["input"], c["input"]), SQRT3)).double()
    y = torch.randint(0, c["V"], (b, c["L"]), generator=g)
    null = torch.full_like(y, c["V"])
    t = torch.tensor([10, 500])
    outputs = {}
    with common.float64(), torch.no_grad():
        outputs["forward"] = model(xt, t, torch.cat([y[:1], null[:1]]))  # the second image with the null code
        both, yy, tt = torch.cat([xt, xt]), torch.cat([y, null]), torch.cat([t, t])
        outputs["cfg"] = model.forward_with_cfg(both, tt, yy, c["cfg"])[:b]
        diffusion = create_diffusion(str(c["steps"]))  # DLCDiTPipeline's sampler: DDPM on 250 even sections
        ti = torch.full((2 * b,), c["step"], dtype=torch.long)
        state = torch.random.get_rng_state()
        z = torch.randn_like(both)  # the draw p_sample makes after the model call
        torch.random.set_rng_state(state)
        step = diffusion.p_sample(model.forward_with_cfg, both, ti, clip_denoised=False,
                                  model_kwargs=dict(y=yy, cfg_scale=c["cfg"]))
        outputs["step"] = step["sample"][:b]
        outputs["step_x0"] = step["pred_xstart"][:b]
    sys.path.remove(os.path.join(ref, "dit"))
    size = common.save(out, "released-dit-xl2", inputs={"y": y, "t": t, "step_noise": z[:b], "cfg": torch.tensor([c["cfg"]]),
                                                        "steps": torch.tensor([c["steps"]]), "step": torch.tensor([c["step"]])},
                       outputs=outputs)
    return {"released-dit-xl2.npz": size}, {"released-dit-xl2": specs}


def write_sedd(ref, out):
    sys.path.insert(0, os.path.join(ref, "sedd"))
    import catsample
    import graph_lib
    import noise_lib
    import sampling
    from model import SEDD
    from model import utils as mutils
    bf16_supported = torch.cuda.is_bf16_supported
    torch.cuda.is_bf16_supported = lambda: True  # see sedd_goldens.write: autocast stays disabled on CPU
    c = SEDD_M
    config = {"tokens": c["V"], "graph": {"type": "absorb"}, "noise": {"type": "loglinear"},
              "model": {"name": "medium_L512", "type": "ddit", "hidden_size": c["width"], "cond_dim": c["cond"],
                        "length": c["length"], "n_blocks": c["blocks"], "n_heads": c["heads"], "scale_by_sigma": True,
                        "dropout": 0.0, "shared_embedding": True}}
    model = SEDD(config)
    specs = fill(model, lambda n, p: fan_in_rule(n, p, embeddings=("vocab_embed",)) if n != "pos_embed" else (0.5 * SQRT3, 0.0))
    model.eval()
    graph = graph_lib.get_graph(model.config, "cpu")
    noise = noise_lib.get_noise(model.config)
    mask = c["V"]
    g = torch.Generator().manual_seed(30)
    tokens = torch.randint(0, mask + 1, (2, c["length"]), generator=g)
    tokens[:, ::3] = mask
    sigma = torch.tensor([0.3, 2.5], dtype=torch.float32)
    with torch.no_grad():
        log_score = model(tokens, sigma)

    # One analytic step at t = 0.5 on a half-masked code; sample_categorical's uniforms come from parity/hashed
    # ("input.analytic_uniforms"), handed to the reference's own function in place of torch.rand_like's.
    seen = {}
    original = catsample.sample_categorical

    def hashed_uniforms(probs, method="hard"):
        rand_like = torch.rand_like
        torch.rand_like = lambda t, dtype=None: torch.from_numpy(
            hashed.uniforms("input.analytic_uniforms", 0, t.numel()).reshape(t.shape))
        try:
            drawn = original(probs, method)
        finally:
            torch.rand_like = rand_like
        seen["probs"] = probs
        return drawn

    sampling.sample_categorical = graph_lib.sample_categorical = hashed_uniforms
    score_fn = mutils.get_score_fn(model, train=False, sampling=True)
    x = torch.randint(0, c["V"], (1, c["length"]), generator=g)
    x[torch.rand(x.shape, generator=g) < 0.5] = mask
    t_step = torch.full((1, 1), 0.5, dtype=torch.float64)
    dt = 1.0 / 64
    with torch.no_grad():
        drawn = sampling.get_predictor("analytic")(graph, noise).update_fn(score_fn, x, t_step, dt)
    sampling.sample_categorical = graph_lib.sample_categorical = original
    torch.cuda.is_bf16_supported = bf16_supported
    sys.path.remove(os.path.join(ref, "sedd"))
    size = common.save(out, "released-sedd-m", inputs={"tokens": tokens, "sigma": sigma, "x": x, "t": t_step[:, 0],
                                                        "dt": torch.tensor([dt])},
                       outputs={"log_score": every(log_score), "analytic.probs": every(seen["probs"]),
                                "analytic.tokens": drawn})
    return {"released-sedd-m.npz": size}, {"released-sedd-m": specs}


def write_sem(ref, out):
    import sem_goldens
    vits = sem_goldens._reference(ref)[0]
    c = SEM
    model = vits.DinoVisionTransformerWithSEM(
        img_size=c["img_size"], patch_size=c["patch"], in_chans=3, embed_dim=c["dim"], depth=c["depth"],
        num_heads=c["heads"], mlp_ratio=4.0, init_values=1e-5, block_chunks=0, num_register_tokens=c["registers"],
        interpolate_antialias=True, interpolate_offset=0.0, drop_path_rate=0.0,
        block_fn=vits.partial(vits.Block, attn_class=vits.MemEffAttention), L=c["L"], V=c["V"], temp=1.0)

    def rule(name, p):
        if name in ("cls_token", "register_tokens", "mask_token", "pos_embed"):
            return 0.5 * SQRT3, 0.0
        if name.endswith(".gamma"):  # LayerScale: the released 1e-5 init would hide the blocks; 0.1 +- 0.03
            return 0.03 * SQRT3, 0.1
        return fan_in_rule(name, p)

    specs = fill(model, rule, skip=("sem_cls_norm.weight", "sem_cls_norm.bias"))  # declared, never used
    model.double().eval()
    b = 2
    x = torch.from_numpy(hashed.values("input.x", (b, 3, c["crop"], c["crop"]), 2.0)).double()
    seen = {}
    hook = model.sem_norm.register_forward_hook(lambda m, i, o: seen.__setitem__("logits", o))
    with torch.no_grad():
        o = model.forward_features(x)
        backbone_cls = model.norm(o["x_prenorm"])[:, 0]
    hook.remove()
    logits = seen["logits"].reshape(b, c["L"], c["V"])
    size = common.save(out, "released-sem-vitl14", inputs={},
                       outputs={"codes": logits.argmax(-1), "logits": every(logits), "cls": o["x_norm_clstoken"],
                                "backbone_cls": backbone_cls, "patches": o["x_norm_patchtokens"][:, :4]})
    return {"released-sem-vitl14.npz": size}, {"released-sem-vitl14": specs}


def write(ref, out, only=None):
    only = only or os.environ.get("RELEASED_ONLY", "dit,sedd,sem").split(",")
    written, specs = {}, {}
    path = os.path.join(out, "released-weights.json")
    if os.path.exists(path):
        specs.update(json.load(open(path)))
    for part in only:
        w, s = {"dit": write_dit, "sedd": write_sedd, "sem": write_sem}[part](ref, out)
        written.update(w)
        specs.update(s)
    with open(path, "w") as f:
        json.dump(specs, f, indent=0, sort_keys=True)
        f.write("\n")
    written["released-weights.json"] = os.path.getsize(path)
    return written
