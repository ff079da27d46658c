#!/usr/bin/env python3
"""Small fake Hugging Face hub folders of the released models, made by the authors' own classes, for the importer's
tests (HubImportTest): the layouts `dlc import hf` reads, at sizes of a few hundred kB.

    /usr/bin/python3 parity/fake_hub.py --reference <DiscreteLatentCode checkout> --diffusers <diffusers checkout>

Writes src/test/resources/hub/:
  sem/            config.json (L, V, sizes) + model.safetensors, every name under a "dino_sem." wrapper as a hub
                  wrapper module would save it, with the unused sem_cls_norm; DinoVisionTransformerWithSEM at 28 px,
                  patch 14, width 32, 2 blocks, 4 registers, L 4, V 8, RGB.
  dit/            the DLCDiTPipeline layout: model_index.json, transformer/ (config.json + diffusion_pytorch_model.safetensors:
                  DiTSEM on 4 x 8 x 8 latents, patch 2, width 32, 2 blocks, L 4, V 8, learned sigma, with its
                  pos_embed), vae/ (a small AutoencoderKL, attention saved under diffusers' pre-0.14 names
                  query/key/value/proj_attn), scheduler/ (no weights).
  sedd/           config.json (the hydra config as the hub mixin saves it: sizes under "model") + pytorch_model.bin
                  written by torch.save (the zip format), SEDD with width 32, cond 16, 2 blocks, L 4, V 8.
  expected.npz    each model's output on fixed inputs, computed by the reference, for the test to match after import.
  codes.pt        two codes of 4 tokens saved as the authors' chat_sem.py saves its codes.

The weights are the modules' own seeded initialisation, then every tensor redrawn at O(1) scale (the reference
zero-initialises adaLN and output layers, which would make outputs trivially equal).
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "src", "test", "resources", "hub")


def write_safetensors(path, tensors):
    """The safetensors layout (8-byte little-endian header length, JSON header, raw little-endian data)."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        a = t.detach().contiguous().cpu()
        dtype = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}[a.dtype]
        raw = a.view(torch.int16).numpy().tobytes() if a.dtype == torch.bfloat16 else a.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def redraw(module, gen):
    with torch.no_grad():
        for name, p in module.named_parameters():
            if not p.requires_grad:
                continue  # DiT's pos_embed: the fixed sin-cos table
            n = torch.randn(p.shape, generator=gen)
            if p.dim() >= 2:
                p.copy_(n * (0.7 / p[0].numel() ** 0.5))
            elif name.endswith("weight") and "norm" in name:
                p.copy_(1 + 0.1 * n)
            else:
                p.copy_(0.1 * n)


def dump(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def sem(ref, expected, gen):
    sys.path.insert(0, os.path.join(HERE))
    import sem_goldens
    vits = sem_goldens._reference(ref)[0]
    c = dict(img_size=28, patch_size=14, embed_dim=32, depth=2, num_heads=2, num_register_tokens=4, L=4, V=8)
    model = vits.DinoVisionTransformerWithSEM(
        img_size=c["img_size"], patch_size=c["patch_size"], in_chans=3, embed_dim=c["embed_dim"], depth=c["depth"],
        num_heads=c["num_heads"], mlp_ratio=4.0, init_values=1e-5, block_chunks=0, num_register_tokens=c["num_register_tokens"],
        interpolate_antialias=True, interpolate_offset=0.0, drop_path_rate=0.0,
        block_fn=vits.partial(vits.Block, attn_class=vits.MemEffAttention), L=c["L"], V=c["V"], temp=1.0)
    redraw(model, gen)
    model.eval()
    x = torch.randn(2, 3, 28, 28, generator=gen)
    seen = {}
    hook = model.sem_norm.register_forward_hook(lambda m, i, o: seen.__setitem__("logits", o))
    with torch.no_grad():
        o = model.forward_features(x)
    hook.remove()
    expected.update({"sem.x": x, "sem.logits": seen["logits"].reshape(2, c["L"], c["V"]), "sem.cls": o["x_norm_clstoken"]})
    d = os.path.join(OUT, "sem")
    dump(os.path.join(d, "config.json"), dict(c, _name_or_path="fake/SEM_dinov2_tiny", model_type="dinov2_sem"))
    write_safetensors(os.path.join(d, "model.safetensors"), {"dino_sem." + k: v for k, v in model.state_dict().items()})


def dit(ref, diffusers_src, expected, gen):
    sys.path.insert(0, os.path.join(ref, "dit"))
    import torch.utils.checkpoint  # noqa: F401
    import models
    c = dict(input_size=8, patch_size=2, in_channels=4, hidden_size=32, depth=2, num_heads=2, mlp_ratio=4.0, learn_sigma=True,
             class_dropout_prob=0.1, L=4, V=8)
    model = models.DiTSEM(num_classes=1000, **c)
    redraw(model, gen)
    model.eval()
    x = torch.randn(2, 4, 8, 8, generator=gen)
    y = torch.tensor([[1, 7, 0, 3], [8, 8, 8, 8]])  # the second code is the null one
    t = torch.tensor([3, 700])
    with torch.no_grad():
        expected.update({"dit.x": x, "dit.y": y, "dit.t": t, "dit.out": model(x, t, y)})
    d = os.path.join(OUT, "dit")
    dump(os.path.join(d, "model_index.json"), {"_class_name": "DLCDiTPipeline", "transformer": ["models", "DiTSEM"],
                                              "vae": ["diffusers", "AutoencoderKL"], "scheduler": ["diffusers", "DDPMScheduler"]})
    dump(os.path.join(d, "transformer", "config.json"), dict(c, _class_name="DiTSEM", _name_or_path="fake/DLC_DiT_tiny"))
    write_safetensors(os.path.join(d, "transformer", "diffusion_pytorch_model.safetensors"), model.state_dict())
    dump(os.path.join(d, "scheduler", "scheduler_config.json"), {"_class_name": "DDPMScheduler", "num_train_timesteps": 1000,
                                                                  "beta_schedule": "linear"})
    sys.path.remove(os.path.join(ref, "dit"))
    if diffusers_src:
        vae(diffusers_src, d, expected, gen)


def vae(diffusers_src, d, expected, gen):
    import vae_goldens  # the diffusers stand-ins of the VAE goldens
    AutoencoderKL = vae_goldens.install(os.path.join(diffusers_src, "src", "diffusers"))
    c = dict(in_channels=3, out_channels=3, down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2,
             block_out_channels=[8, 16], layers_per_block=1, act_fn="silu", latent_channels=4, norm_num_groups=4, sample_size=16,
             scaling_factor=0.18215)
    model = AutoencoderKL(**c)
    redraw(model, gen)
    model.eval()
    z = torch.randn(1, 4, 4, 4, generator=gen)
    with torch.no_grad():
        expected.update({"vae.z": z, "vae.image": model.decode(z).sample})
    old = {}
    for k, v in model.state_dict().items():  # diffusers' names before 0.14, which older hub files still carry
        for new, former in ((".to_q.", ".query."), (".to_k.", ".key."), (".to_v.", ".value."), (".to_out.0.", ".proj_attn.")):
            k = k.replace(new, former)
        old[k] = v
    dump(os.path.join(d, "vae", "config.json"), dict(c, _class_name="AutoencoderKL", _name_or_path="fake/sd-vae-tiny"))
    write_safetensors(os.path.join(d, "vae", "diffusion_pytorch_model.safetensors"), old)


def sedd(ref, expected, gen):
    sys.path.insert(0, os.path.join(ref, "sedd"))
    from model import SEDD
    bf16 = torch.cuda.is_bf16_supported
    torch.cuda.is_bf16_supported = lambda: True  # see sedd_goldens.write
    config = {"tokens": 8, "graph": {"type": "absorb"}, "noise": {"type": "loglinear"},
              "model": {"name": "tiny", "type": "ddit", "hidden_size": 32, "cond_dim": 16, "length": 4, "n_blocks": 2,
                        "n_heads": 2, "scale_by_sigma": True, "dropout": 0.1, "shared_embedding": True}}
    model = SEDD(config)
    redraw(model, gen)
    model.eval()
    tokens = torch.tensor([[0, 8, 3, 8], [7, 1, 8, 2]])
    sigma = torch.tensor([0.4, 2.0])
    with torch.no_grad():
        expected.update({"sedd.tokens": tokens, "sedd.sigma": sigma, "sedd.log_score": model(tokens, sigma)})
    torch.cuda.is_bf16_supported = bf16
    d = os.path.join(OUT, "sedd")
    dump(os.path.join(d, "config.json"), dict(config, _name_or_path="fake/DLC_SEDD_tiny"))
    torch.save(model.state_dict(), os.path.join(d, "pytorch_model.bin"))
    sys.path.remove(os.path.join(ref, "sedd"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reference", required=True, help="a checkout of github.com/lavoiems/DiscreteLatentCode")
    ap.add_argument("--diffusers", help="a checkout of github.com/huggingface/diffusers (its src/), for the VAE")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(HERE, "standins"))
    sys.path.insert(0, HERE)
    torch.set_num_threads(1)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(29)
    expected = {}
    sem(os.path.abspath(args.reference), expected, gen)
    dit(os.path.abspath(args.reference), args.diffusers and os.path.abspath(args.diffusers), expected, gen)
    sedd(os.path.abspath(args.reference), expected, gen)
    np.savez(os.path.join(OUT, "expected.npz"), **{k: v.numpy() for k, v in expected.items()})
    # Codes as the authors' text-to-DLC script saves them (chat_sem.py: torch.save of an int64 tensor [N, L]).
    torch.save(torch.tensor([[1, 7, 0, 3], [5, 5, 2, 6]]), os.path.join(OUT, "codes.pt"))


if __name__ == "__main__":
    main()
