"""Goldens for the SEM encoder: the Simplicial Embedding head, the DINO head, the DINO loss as DINOv2 assembles it,
KoLeo, iBOT's patch loss, the teacher-temperature schedule and the ViT backbone, all from the authors' DINOv2 fork
(dinov2/ in DiscreteLatentCode).

What the reference runs (configs/train/vitl14_sem_L512.yaml over ssl_default_config.yaml): arch vit_large_sem, i.e.
DinoVisionTransformerWithSEM (not the Shared/PosShared variants), 4 registers, SEM temperature 1 (the default; the
config sets none), interpolate_offset 0 with antialiased bicubic position embeddings, DINO head 3 layers with a
weight-normalised last layer, centering (not Sinkhorn-Knopp), student temperature 0.1, teacher 0.04 -> 0.07 over 30
epochs, centre momentum 0.9, KoLeo 0.1, iBOT 1.0 sharing the DINO head.

Reference pieces imported as they are: DinoVisionTransformerWithSEM (its sem() and norm), DINOHead, DINOLoss,
KoLeoLoss, iBOTPatchLoss, CosineScheduler. ssl_meta_arch.SSLMetaArch itself cannot be built here (it needs xFormers,
FSDP from torch >= 2 and OmegaConf), so write_loss() restates its forward_backward() assembly line by line (the crop
reversal, the pair counts, loss_scales, the centre update order) around the reference's own loss modules.

Two shims, both only so that the reference imports on Debian's torch 1.13 (neither changes a number):
  * torch.compile (torch >= 2) decorates DinoVisionTransformerWithSEM.sem; here it is the identity.
  * parity/standins/safetensors: dinov2/utils/utils.py imports safetensors.torch.load_file, never called here.
"""
import os
import sys

import numpy as np
import torch

import common

# Configurations at the scale of dlc4j's tests, on the code paths of its presets (SemEncoder.Config.fmnist,
# DinoHead.Config.fmnist, SemTraining.Config.fmnist): registers 4, LayerScale, tau 1, DINO + KoLeo.
HEAD = dict(batch=6, dim=64, registers=4, L=8, V=16)
DINO_HEAD = dict(batch=6, dim=64, hidden=64, bottleneck=32, prototypes=256)
LOSS = dict(batch=4, dim=32, registers=4, L=8, V=16, hidden=64, bottleneck=16, prototypes=256, locals=4,
            teacher_temp=0.055, koleo=0.1)
BACKBONE = dict(batch=3, image=16, local=8, patch=4, dim=32, depth=2, heads=2, mlp_ratio=2.0, registers=4,
                layer_scale=0.1, L=8, V=16)


def _reference(ref):
    sys.path.insert(0, os.path.join(ref, "dinov2"))
    if not hasattr(torch, "compile"):
        torch.compile = lambda fn: fn  # shim: torch 1.13 has no torch.compile; the decorator only compiles sem()
    import warnings
    warnings.filterwarnings("ignore", message="xFormers is not available")
    from dinov2.models import vision_transformer as vits
    from dinov2.layers import DINOHead
    from dinov2.loss import DINOLoss, KoLeoLoss, iBOTPatchLoss
    from dinov2.utils.utils import CosineScheduler
    return vits, DINOHead, DINOLoss, KoLeoLoss, iBOTPatchLoss, CosineScheduler


def _vit(vits, image, patch, dim, depth, heads, mlp_ratio, registers, layer_scale, L, V):
    """vit_large_sem's constructor at a small size, with the L512 config's options."""
    return vits.DinoVisionTransformerWithSEM(
        img_size=image, patch_size=patch, in_chans=1, embed_dim=dim, depth=depth, num_heads=heads,
        mlp_ratio=mlp_ratio, init_values=layer_scale, block_chunks=0, num_register_tokens=registers,
        interpolate_antialias=True, interpolate_offset=0.0, drop_path_rate=0.0,
        block_fn=vits.partial(vits.Block, attn_class=vits.MemEffAttention), L=L, V=V, temp=1.0)


def _rerandomise(module, gen):
    """Replaces every parameter by a draw of healthy scale, so no gradient is trivially zero or tiny: matrices and
    convolutions N(0, 1/fan_in), LayerNorm scales 1 + N(0, 0.1²), biases N(0, 0.1²), LayerScale 0.1 + N(0, 0.03²), the
    learned tokens and positions N(0, 0.5²). weight_g of the DINO head stays 1 (dlc4j fixes it there)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            z = torch.randn(p.shape, generator=gen)
            if name.endswith("weight_g"):
                continue
            if name.endswith("gamma"):
                p.copy_(0.1 + 0.03 * z)
            elif p.dim() >= 2 and not name.endswith(("token", "tokens", "pos_embed")):
                fan_in = p[0].numel()
                p.copy_(z / fan_in ** 0.5)
            elif name.endswith("bias"):
                p.copy_(0.1 * z)
            elif name.endswith("weight"):  # LayerNorm
                p.copy_(1 + 0.1 * z)
            else:
                p.copy_(0.5 * z)


SEM_PARAMS = ("sem_embed.", "sem_norm.", "sem_out.", "norm.")


def _sem_only(name):
    """The SEM head's weights and the backbone norm it ends with: the gradients checked when tokens are the input."""
    return name if name.startswith(SEM_PARAMS) else None


def _all_used(name):
    """Every weight dlc4j's SemEncoder registers (a depth-0 ViT's tokens and patch projection are loaded, unused);
    sem_cls_norm is declared by DinoVisionTransformerWithSEM but never used, and dlc4j has none."""
    return None if name.startswith("sem_cls_norm.") else name


def _sem_with_internals(model, tokens):
    """model.norm(model.sem(tokens)) as forward_features computes x_norm_clstoken, with the SEM logits (sem_norm's
    output) and softmaxes (sem_out's input) read by hooks on the reference's own modules."""
    seen = {}
    h1 = model.sem_norm.register_forward_hook(lambda m, i, o: seen.__setitem__("logits", o))
    h2 = model.sem_out.register_forward_pre_hook(lambda m, i: seen.__setitem__("probs", i[0]))
    cls = model.norm(model.sem(tokens))
    h1.remove()
    h2.remove()
    b = tokens.shape[0]
    return cls, seen["logits"].reshape(b, model.L, model.V), seen["probs"].reshape(b, model.L, model.V)


def write_head(vits, out, gen):
    """The SEM head: pre-norm [CLS] + register tokens -> logits, softmaxes at tau 1 and 0.5, the SEM [CLS]."""
    c = HEAD
    model = _vit(vits, 16, 4, c["dim"], 0, 2, 4.0, c["registers"], 0.1, c["L"], c["V"])
    _rerandomise(model, gen)
    tokens = torch.randn(c["batch"], 1 + c["registers"], c["dim"], generator=gen)
    w_cls = torch.randn(c["batch"], c["dim"], generator=gen)
    w_probs = torch.randn(c["batch"], c["L"], c["V"], generator=gen)
    cls, logits, probs = _sem_with_internals(model, tokens)
    loss = (cls * w_cls).sum() + (probs * w_probs).sum()
    loss.backward()
    with torch.no_grad():
        model.temp = 0.5
        cls_half, _, probs_half = _sem_with_internals(model, tokens)
    return common.save(out, "sem-head", params=common.named(model, _all_used),
                       inputs={"tokens": tokens, "w_cls": w_cls, "w_probs": w_probs},
                       outputs={"logits": logits, "probs": probs, "cls": cls, "probs_tau_half": probs_half,
                                "cls_tau_half": cls_half, "loss": loss},
                       grads=common.grads(model, _sem_only))


def _head_names(prefix):
    """DINOHead -> dlc4j's DinoHead: mlp.0/2/4 keep their names, last_layer.weight_v too; weight_g (fixed at 1 in
    dlc4j) is not a dlc4j parameter."""
    def rename(name):
        return None if name.endswith("weight_g") else prefix + name
    return rename


def write_dino_head(DINOHead, out, gen):
    c = DINO_HEAD
    head = DINOHead(in_dim=c["dim"], out_dim=c["prototypes"], hidden_dim=c["hidden"], bottleneck_dim=c["bottleneck"],
                    nlayers=3)
    _rerandomise(head, gen)
    x = torch.randn(c["batch"], c["dim"], generator=gen)
    w = torch.randn(c["batch"], c["prototypes"], generator=gen)
    y = head(x)
    loss = (y * w).sum()
    loss.backward()
    g = head.last_layer.weight_g
    return common.save(out, "sem-dino-head", params=common.named(head, _head_names("dino_head.")),
                       inputs={"x": x, "w": w}, outputs={"scores": y, "loss": loss, "weight_g": g.detach(),
                                                         "grad_weight_g": g.grad},
                       grads=common.grads(head, _head_names("dino_head.")))


def write_loss(vits, DINOHead, DINOLoss, KoLeoLoss, CosineScheduler, out, gen):
    """One step of the student's loss (SEM head + DINO head; the backbone's tokens are inputs), assembled as
    SSLMetaArch.forward_backward does with iBOT off (dlc4j's default): teacher [CLS] outputs of the two global crops
    chunked and re-concatenated in reverse, centred and sharpened with the centre of the previous steps, then the
    centre update recorded; local crops against both teachers / (n_global_terms + n_local_terms); the global crops
    against the reversed teachers * loss_scales / (the same); KoLeo on each global crop's SEM [CLS] * its weight."""
    c = LOSS
    b, n_local, k = c["batch"], c["locals"], c["prototypes"]
    student = _vit(vits, 16, 4, c["dim"], 0, 2, 4.0, c["registers"], 0.1, c["L"], c["V"])
    head = DINOHead(in_dim=c["dim"], out_dim=k, hidden_dim=c["hidden"], bottleneck_dim=c["bottleneck"], nlayers=3)
    _rerandomise(student, gen)
    _rerandomise(head, gen)
    teacher = _vit(vits, 16, 4, c["dim"], 0, 2, 4.0, c["registers"], 0.1, c["L"], c["V"])
    teacher_head = DINOHead(in_dim=c["dim"], out_dim=k, hidden_dim=c["hidden"], bottleneck_dim=c["bottleneck"],
                            nlayers=3)
    with torch.no_grad():  # an EMA teacher: the student's weights, moved a little
        for t, s in zip(list(teacher.parameters()) + list(teacher_head.parameters()),
                        list(student.parameters()) + list(head.parameters())):
            t.copy_(s + 0.05 * s.abs().mean() * torch.randn(s.shape, generator=gen))
    dim, r = c["dim"], c["registers"]
    global_tokens = torch.randn(2 * b, 1 + r, dim, generator=gen)  # pre-norm [CLS] + registers, crop A then crop B
    local_tokens = torch.randn(n_local * b, 1 + r, dim, generator=gen)  # local crop 1's images, then crop 2's, ...
    teacher_tokens = global_tokens + 0.1 * torch.randn(global_tokens.shape, generator=gen)
    center = 0.1 * torch.randn(1, k, generator=gen)  # the centre after earlier steps
    temp = c["teacher_temp"]

    dino_loss = DINOLoss(k)
    dino_loss.center = center.clone()
    koleo_loss = KoLeoLoss()
    n_global_crops = 2
    n_local_crops_loss_terms = max(n_local * n_global_crops, 1)
    n_global_crops_loss_terms = (n_global_crops - 1) * n_global_crops

    with torch.no_grad():
        teacher_scores = teacher_head(teacher.norm(teacher.sem(teacher_tokens)))  # [2B, K], crop A then crop B
        chunks = teacher_scores.chunk(n_global_crops)
        reversed_scores = torch.cat((chunks[1], chunks[0]))
        teacher_softmax = dino_loss.softmax_center_teacher(reversed_scores, teacher_temp=temp).view(
            n_global_crops, -1, k)
        dino_loss.update_center(reversed_scores)

    student_global_cls = student.norm(student.sem(global_tokens))
    student_local_cls = student.norm(student.sem(local_tokens))
    student_global = head(student_global_cls)
    student_local = head(student_local_cls)
    local_loss = dino_loss(student_output_list=student_local.chunk(n_local),
                           teacher_out_softmaxed_centered_list=teacher_softmax) / (
        n_global_crops_loss_terms + n_local_crops_loss_terms)
    loss_scales = 2
    global_loss = dino_loss(student_output_list=[student_global],
                            teacher_out_softmaxed_centered_list=[teacher_softmax.flatten(0, 1)]) * loss_scales / (
        n_global_crops_loss_terms + n_local_crops_loss_terms)
    koleo = c["koleo"] * sum(koleo_loss(p) for p in student_global_cls.chunk(2))
    total = local_loss + global_loss + koleo
    total.backward()
    dino_loss.apply_center_update()  # what the next step's softmax_center_teacher does first

    # The teacher temperature schedule as train.py builds it: warm-up over W iterations, then constant.
    w = 10
    sched = CosineScheduler(base_value=0.07, final_value=0.07, total_iters=w, warmup_iters=w, start_warmup_value=0.04)
    temps = np.array([sched[i] for i in range(w + 5)], dtype=np.float32)

    params, grads = {}, {}
    params.update(common.named(student, _all_used))
    params.update(common.named(head, _head_names("dino_head.")))
    grads.update(common.grads(student, _sem_only))
    grads.update(common.grads(head, _head_names("dino_head.")))
    return common.save(out, "sem-dino-loss", params=params,
                       inputs={"global_tokens": global_tokens, "local_tokens": local_tokens,
                               "teacher_scores": teacher_scores, "center": center, "teacher_temp": np.float32(temp),
                               "koleo_weight": np.float32(c["koleo"]), "schedule_warmup": np.int64(w)},
                       outputs={"student_global": student_global, "student_local": student_local,
                                "teacher_softmax": teacher_softmax.flatten(0, 1), "dino_local": local_loss,
                                "dino_global": global_loss, "koleo": koleo, "loss": total,
                                "center": dino_loss.center, "teacher_temp_schedule": temps},
                       grads=grads)


def write_koleo(KoLeoLoss, out, gen):
    """KoLeo on fixed vectors: a batch of 16 in 4 dimensions (nearest-neighbour distances ~0.3-0.8 on the sphere, so
    the loss is far from 0 and a relative check means something), and the same with a near-duplicate pair (distance
    ~1e-3 after normalisation, where 2 - 2 cos loses digits in float32)."""
    koleo = KoLeoLoss()
    x = torch.randn(16, 4, generator=gen).requires_grad_(True)
    close = x.detach().clone()
    close[5] = close[2] * 1.7 + 1e-3 * torch.randn(4, generator=gen) * close[2].norm()
    close.requires_grad_(True)
    loss = koleo(x)
    loss.backward()
    loss_close = koleo(close)
    loss_close.backward()
    return common.save(out, "sem-koleo", inputs={"x": x, "x_close": close},
                       outputs={"loss": loss, "loss_close": loss_close}, grads={"x": x.grad, "x_close": close.grad})


def write_ibot(iBOTPatchLoss, out, gen):
    """iBOT's masked-patch loss as ssl_meta_arch applies it (shared head, centering): masked patches' teacher scores
    centred and sharpened, the student's cross-entropy per masked patch weighted 1/(masked patches of its image), summed
    and divided by the number of global-crop images (student_masks_flat.shape[0]), times loss_scales * ibot_loss_scale
    (= 2 * 1/2); then the centre's update from the masked patches' mean."""
    images, patches, k, temp = 8, 16, 256, 0.055
    masks = torch.zeros(images, patches, dtype=torch.bool)
    for i, n in enumerate([3, 0, 5, 0, 8, 2, 0, 6]):  # half the images masked, as mask_sample_probability 0.5
        masks[i, torch.randperm(patches, generator=gen)[:n]] = True
    m = int(masks.sum())
    student = torch.randn(m, k, generator=gen).requires_grad_(True)
    teacher = torch.randn(m, k, generator=gen)
    center = 0.1 * torch.randn(1, 1, k, generator=gen)
    masks_weight = (1 / masks.sum(-1).clamp(min=1.0)).unsqueeze(-1).expand_as(masks)[masks]
    ibot = iBOTPatchLoss(k)
    ibot.center = center.clone()
    with torch.no_grad():
        t = teacher.unsqueeze(0)
        t_softmax = ibot.softmax_center_teacher(t[:, :m], teacher_temp=temp).squeeze(0)
        ibot.update_center(t[:m])
    loss_scales, ibot_loss_scale = 2, 1.0 / 2
    loss = ibot.forward_masked(student, t_softmax, student_masks_flat=masks, n_masked_patches=m,
                               masks_weight=masks_weight) * loss_scales * ibot_loss_scale
    loss.backward()
    ibot.apply_center_update()
    return common.save(out, "sem-ibot", inputs={"student": student, "teacher": teacher, "masks": masks,
                                                "center": center.reshape(1, k), "teacher_temp": np.float32(temp)},
                       outputs={"loss": loss, "center": ibot.center.reshape(1, k), "weights": masks_weight},
                       grads={"student": student.grad})


def write_backbone(vits, out, gen):
    """The ViT with SEM end to end at a tiny size: global crops (some patches masked with the mask token) and a
    local crop at half the side (position embeddings interpolated), through the blocks with LayerScale, the backbone
    norm and the SEM head; gradient of a fixed linear function of the SEM [CLS] and the patch tokens."""
    c = BACKBONE
    model = _vit(vits, c["image"], c["patch"], c["dim"], c["depth"], c["heads"], c["mlp_ratio"], c["registers"],
                 c["layer_scale"], c["L"], c["V"])
    _rerandomise(model, gen)
    model.train()
    b, n = c["batch"], (c["image"] // c["patch"]) ** 2
    x = torch.randn(b, 1, c["image"], c["image"], generator=gen)
    local = torch.randn(b, 1, c["local"], c["local"], generator=gen)
    masks = torch.zeros(b, n, dtype=torch.bool)
    masks[0, torch.randperm(n, generator=gen)[:5]] = True
    masks[2, torch.randperm(n, generator=gen)[:3]] = True
    w_cls = torch.randn(b, c["dim"], generator=gen)
    w_patches = torch.randn(b, n, c["dim"], generator=gen)
    o = model.forward_features(x, masks)
    loss = (o["x_norm_clstoken"] * w_cls).sum() + (o["x_norm_patchtokens"] * w_patches).sum()
    loss.backward()
    with torch.no_grad():
        plain = model.forward_features(x)
        backbone_cls = model.norm(plain["x_prenorm"])[:, 0]
        lo = model.forward_features(local)
    return common.save(out, "sem-backbone", params=common.named(model, _all_used),
                       inputs={"x": x, "local": local, "masks": masks, "w_cls": w_cls, "w_patches": w_patches},
                       outputs={"cls_masked": o["x_norm_clstoken"], "patches_masked": o["x_norm_patchtokens"],
                                "cls": plain["x_norm_clstoken"], "patches": plain["x_norm_patchtokens"],
                                "backbone_cls": backbone_cls, "local_cls": lo["x_norm_clstoken"],
                                "local_patches": lo["x_norm_patchtokens"], "loss": loss},
                       grads=common.grads(model, _all_used))


def write(ref, out):
    vits, DINOHead, DINOLoss, KoLeoLoss, iBOTPatchLoss, CosineScheduler = _reference(ref)
    writers = [
        ("sem-head", lambda g: write_head(vits, out, g)),
        ("sem-dino-head", lambda g: write_dino_head(DINOHead, out, g)),
        ("sem-dino-loss", lambda g: write_loss(vits, DINOHead, DINOLoss, KoLeoLoss, CosineScheduler, out, g)),
        ("sem-koleo", lambda g: write_koleo(KoLeoLoss, out, g)),
        ("sem-ibot", lambda g: write_ibot(iBOTPatchLoss, out, g)),
        ("sem-backbone", lambda g: write_backbone(vits, out, g)),
    ]
    written = {}
    for i, (name, fn) in enumerate(writers):
        common.seed(100 + i)  # the modules' own initialisation draws from the global generator
        written[name + ".npz"] = fn(torch.Generator().manual_seed(1000 + i))
    return written
