"""DiT goldens: the authors' dit/models.py (DiT, DiTSEM, DiTCONT) and dit/diffusion (create_diffusion), one file per
conditioning, at a small configuration with every code path of the shipped DiT-T/4 (patch embedding, sin-cos
positions, adaLN-Zero blocks with tanh-GELU MLPs, learned σ, the final layer, unpatchify).

Each file holds: the weights; forward outputs on a batch with some null conditions; the hybrid training loss
(MSE + VLB with learned σ, the mean over the batch as train_diffusion.py minimises it) and its gradient for every
parameter, with the training-time condition dropout drawn by the reference and saved; one DDPM and one DDIM step
of a 10-step respaced process with the Gaussian draw saved; for conditioned models, forward_with_cfg's guided output.
"""
import sys

import torch
from torch import nn

import common

IMAGE, PATCH, CHANNELS, DIM, DEPTH, HEADS = 16, 4, 1, 24, 2, 2
L, V, CLASSES, VECTOR = 8, 16, 10, 16
BATCH = 4
TRAIN_DROP = 0.5  # high, so the saved batch has dropped and kept conditions both
T_LOSS = [3, 250, 611, 999]
# t = 0: the VLB's discretised decoder term, whose float32 gradient is ill-conditioned (PyTorch's own float32 is ~2e-4
# off its float64 value there); checked separately, in the DLC file, at a tolerance that says so.
T_DECODER = [0, 0, 1, 0]


class NoCondition(nn.Module):
    """The unconditional case: the authors' DiT with its label term removed (c = t embedding only). Their DiTUNCOND
    swaps the patch embedder for a Linear over the input size and is not the pixel DiT the paper trains."""

    def forward(self, y, train, force_drop_ids=None):
        return 0


def rerandomise(model, gen):
    """DiT zero-initialises adaLN and the output layer: outputs and most gradients would be 0. Draw every trained
    weight afresh at a scale that keeps activations of order one; the code embedding keeps its own D^-1/2 scale."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if not p.requires_grad:
                continue
            if name.startswith("sem_embedder"):
                continue
            if p.dim() >= 2:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=gen) * (0.7 / fan_in ** 0.5))
            else:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.1)


def build(models, kind):
    common_args = dict(input_size=IMAGE, patch_size=PATCH, in_channels=CHANNELS, hidden_size=DIM, depth=DEPTH,
                       num_heads=HEADS, mlp_ratio=4.0, class_dropout_prob=TRAIN_DROP, learn_sigma=True)
    if kind == "none":
        m = models.DiT(num_classes=CLASSES, **common_args)
        m.y_embedder = NoCondition()
    elif kind == "class":
        m = models.DiT(num_classes=CLASSES, **common_args)
    elif kind == "dlc":
        m = models.DiTSEM(num_classes=CLASSES, L=L, V=V, **common_args)
    elif kind == "sem":
        m = models.DiTCONT(num_classes=CLASSES, in_dim=VECTOR, **common_args)
    else:
        raise ValueError(kind)
    return m


def rename(name):
    if name == "pos_embed":
        return None  # a fixed sin-cos table in both, not a weight
    return name


def conditions(kind, gen):
    """(y for the model, y with explicit nulls for forward/CFG, null flags) for one batch."""
    if kind == "none":
        return None, None, torch.zeros(BATCH, dtype=torch.long)
    if kind == "class":
        y = torch.randint(0, CLASSES, (BATCH,), generator=gen)
        null = torch.tensor([0, 1, 0, 0])
        return y, torch.where(null == 1, CLASSES, y), null
    if kind == "dlc":
        y = torch.randint(0, V, (BATCH, L), generator=gen)
        null = torch.tensor([0, 1, 0, 0])
        return y, torch.where(null[:, None] == 1, V, y), null
    y = torch.randn(BATCH, VECTOR, generator=gen, dtype=torch.float32).double()
    return y, y, torch.tensor([0, 1, 0, 0])


def forward_eval(model, kind, x, t, y, y_null, null):
    """Eval-mode forward with the null condition where null == 1."""
    if kind == "sem":
        # ContEmbedder takes the null by force_drop_ids (its null vector lives in the input space).
        emb = model.y_embedder
        orig = emb.forward
        emb.forward = lambda labels, train, force_drop_ids=None: orig(labels, False, force_drop_ids=null)
        try:
            return model(x, t, y)
        finally:
            emb.forward = orig
    return model(x, t, y_null)


def write_one(ref, out, models, create_diffusion, kind, seed):
    common.seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = build(models, kind)
    rerandomise(model, gen)
    model.double()
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(common.f32(p))  # the weights Java loads, exactly
    params = common.named(model, rename)
    x0 = common.f32(torch.randint(0, 256, (BATCH, CHANNELS, IMAGE, IMAGE), generator=gen) / 127.5 - 1)
    y, y_null, null = conditions(kind, gen)
    inputs = {"x0": x0, "null": null}
    if y is not None:
        inputs["y"] = y
    outputs = {}

    # Forward, eval mode.
    model.eval()
    xt = torch.randn(BATCH, CHANNELS, IMAGE, IMAGE, generator=gen, dtype=torch.float32).double()
    t_fwd = torch.tensor([3, 250, 611, 999])
    inputs.update(xt=xt, t_forward=t_fwd)
    with torch.no_grad():
        outputs["forward"] = forward_eval(model, kind, xt, t_fwd, y, y_null, null)

    # Training loss with the condition dropout of training, drawn by the reference.
    diffusion = create_diffusion(timestep_respacing="")
    t = torch.tensor(T_LOSS)
    noise = torch.randn(x0.shape, generator=gen, dtype=torch.float32).double()
    inputs.update(t_loss=t, noise=noise)
    model.train()
    state = torch.random.get_rng_state()
    if kind != "none":
        drop = torch.rand(BATCH) < TRAIN_DROP  # the draw token_drop makes first in the forward
        torch.random.set_rng_state(state)
        inputs["train_drop"] = drop.long()
    kwargs = {} if y is None else {"y": y}
    if kind == "none":
        kwargs = {"y": torch.zeros(BATCH, dtype=torch.long)}
    terms = diffusion.training_losses(model, x0, t, kwargs, noise=noise)
    loss = terms["loss"].mean()
    loss.backward()
    outputs.update(loss=loss.reshape(1), mse=terms["mse"], vb=terms["vb"])
    grads = {k: v.clone() for k, v in common.grads(model, rename).items()}
    extra = {}
    if kind == "dlc":
        model.zero_grad(set_to_none=True)
        torch.random.set_rng_state(state)
        t0 = torch.tensor(T_DECODER)
        terms0 = diffusion.training_losses(model, x0, t0, kwargs, noise=noise)
        loss0 = terms0["loss"].mean()
        loss0.backward()
        inputs["t_decoder"] = t0
        outputs.update(loss_decoder=loss0.reshape(1), vb_decoder=terms0["vb"])
        extra["grad_decoder"] = common.grads(model, rename)
    model.eval()

    # One DDPM and one DDIM step of a 10-step respaced process (clip_denoised=False, as the authors' sampling scripts).
    for sampler in ("ddpm", "ddim"):
        # DDPM as the authors sample ("N": even sections); DDIM on DDIM's own stride ("ddimN"), as dlc4j does
        spaced = create_diffusion(timestep_respacing="10" if sampler == "ddpm" else "ddim10")
        for i in (6, 0):
            ti = torch.full((BATCH,), i, dtype=torch.long)
            state = torch.random.get_rng_state()
            z = torch.randn_like(xt)  # the draw the step makes after the model call
            torch.random.set_rng_state(state)
            with torch.no_grad():
                fn = lambda xx, tt, **kw: forward_eval(model, kind, xx, tt, y, y_null, null)
                if sampler == "ddpm":
                    step = spaced.p_sample(fn, xt, ti, clip_denoised=False)
                else:
                    step = spaced.ddim_sample(fn, xt, ti, clip_denoised=False, eta=0.0)
            inputs["%s_noise_%d" % (sampler, i)] = z
            outputs["%s_%d" % (sampler, i)] = step["sample"]
            outputs["%s_x0_%d" % (sampler, i)] = step["pred_xstart"]

    # Classifier-free guidance: DiTSEM's forward_with_cfg on [x, x] with [codes, null codes] (only DiTSEM has the
    # in_channels form; the base DiT guides the first three channels, an RGB leftover).
    if kind == "dlc":
        scale = 3.0
        with torch.no_grad():
            both = torch.cat([xt, xt])
            yy = torch.cat([y, torch.full_like(y, V)])
            tt = torch.cat([t_fwd, t_fwd])
            outputs["cfg"] = model.forward_with_cfg(both, tt, yy, scale)[:BATCH]
            outputs["cfg_tmax"] = model.forward_with_cfg(both, torch.full_like(tt, 700), yy, scale, t_max=500)[:BATCH]
        inputs["cfg_scale"] = torch.tensor([scale])
    size = common.save(out, "dit-" + kind, params=params, inputs=inputs, outputs=outputs,
                       grads=grads, extra=extra)
    return {"dit-%s.npz" % kind: size}


def write(ref, out):
    sys.path.insert(0, ref + "/dit")
    import torch.utils.checkpoint  # models.py calls torch.utils.checkpoint without importing it (newer torch does)
    import models
    from diffusion import create_diffusion
    written = {}
    for seed, kind in enumerate(("none", "class", "dlc", "sem")):
        with common.float64():
            written.update(write_one(ref, out, models, create_diffusion, kind, 23 + seed))
    return written
