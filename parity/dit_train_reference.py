#!/usr/bin/env python3
"""Trains the authors' own DiT (dit/models.py, dit/diffusion) in PyTorch with the recipe `dlc dit train` uses, and
writes its EMA snapshots as dlc4j checkpoints, so that `dlc dit curve` scores both on the same evaluator.

Parity (parity/dit_goldens.py) checks one forward, one loss and its gradients at random weights; it does not check
initialisation, the optimiser, the EMA or the data pipeline. This run does, end to end: if the reference's DiT,
trained with the same recipe for the same images, scores the same FD as ours, the slow learning is the
architecture's and the recipe's, not a slip of dlc4j's.

    git --git-dir=<mirror>/repo archive <commit> | tar -x -C /tmp/dlcref
    /usr/bin/python3 parity/dit_train_reference.py --reference /tmp/dlcref --template out/ab25/px28/train-step000200.safetensors \
        --out out/ab25/torch-px28 --steps 600 --snapshot-every 200
    ./dlc dit curve out/ab25/torch-px28/train-step000200.safetensors ... --n 1000 --steps 25 --out out/ab25/curve

The template is any unconditional dlc4j DiT checkpoint of the same configuration: its metadata (configuration,
kind) is copied into the snapshots, with the command and step replaced. Unconditional only (the reference's label
term removed, as in the goldens). Needs Debian's python3-torch and python3-numpy.
"""
import argparse
import gzip
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def read_template(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    return header["__metadata__"]


def write_safetensors(path, tensors, metadata):
    """The safetensors layout: 8-byte header length, JSON header, then the raw little-endian float32 data."""
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name].detach().cpu().numpy().astype("<f4"))
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
        blobs.append(a.tobytes())
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def fashion_mnist(image):
    with gzip.open("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz") as f:
        raw = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    x = torch.from_numpy(raw.astype(np.float32) / 127.5 - 1.0)
    if image == 32:  # dlc4j pads with black (−1), two pixels each side
        x = F.pad(x, (2, 2, 2, 2), value=-1.0)
    return x


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reference", required=True, help="a checkout of github.com/lavoiems/DiscreteLatentCode")
    ap.add_argument("--template", required=True, help="an unconditional dlc4j DiT checkpoint of the same configuration")
    ap.add_argument("--out", required=True)
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--snapshot-every", type=int, default=200)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--ema", type=float, default=0.999)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    sys.path.insert(0, os.path.join(HERE, "standins"))
    sys.path.insert(0, HERE)
    sys.path.insert(0, os.path.join(os.path.abspath(args.reference), "dit"))
    import torch.utils.checkpoint  # noqa: F401 (models.py uses it without the import)
    import models
    from diffusion import create_diffusion
    from dit_goldens import NoCondition

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    meta = read_template(args.template)
    cfg = json.loads(meta["dlc4j.configJson"])
    if cfg["conditioning"] != "NONE":
        sys.exit("dit_train_reference: the template must be an unconditional DiT")
    model = models.DiT(input_size=cfg["image"], patch_size=cfg["patch"], in_channels=cfg["channels"],
                       hidden_size=cfg["dim"], depth=cfg["depth"], num_heads=cfg["heads"], mlp_ratio=cfg["mlpRatio"],
                       class_dropout_prob=0.0, num_classes=1, learn_sigma=cfg["learnSigma"])
    model.y_embedder = NoCondition()
    ema = {k: v.detach().clone() for k, v in model.named_parameters()}
    diffusion = create_diffusion(timestep_respacing="", learn_sigma=cfg["learnSigma"])
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0)
    data = fashion_mnist(cfg["image"])
    os.makedirs(args.out, exist_ok=True)
    gen = torch.Generator().manual_seed(args.seed + 2)
    perm, pos = torch.randperm(len(data), generator=gen), 0
    start = time.time()
    for step in range(1, args.steps + 1):
        if pos + args.batch > len(data):
            perm, pos = torch.randperm(len(data), generator=gen), 0
        x = data[perm[pos:pos + args.batch]]
        pos += args.batch
        t = torch.randint(0, diffusion.num_timesteps, (x.shape[0],))
        loss = diffusion.training_losses(model, x, t, {"y": torch.zeros(x.shape[0], dtype=torch.long)})["loss"].mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        decay = min(args.ema, step / (9.0 + step))  # dlc4j's warm-up cap (1 + s)/(10 + s), s counted from 0
        with torch.no_grad():
            for k, v in model.named_parameters():
                ema[k].mul_(decay).add_(v.detach(), alpha=1 - decay)
        if step % 50 == 0:
            print("step %d loss %.4f %.1f img/s" % (step, loss.item(), step * args.batch / (time.time() - start)), flush=True)
        if step % args.snapshot_every == 0 or step == args.steps:
            m = dict(meta)
            m.update({"dlc4j.step": str(step), "dlc4j.command": "parity/dit_train_reference.py " + " ".join(sys.argv[1:]),
                      "dlc4j.extra.images_seen": str(step * args.batch),
                      "dlc4j.extra.train_seconds": str(int(time.time() - start)),
                      "dlc4j.extra.final_loss": str(loss.item())})
            m.pop("dlc4j.extra.training", None)
            write_safetensors(os.path.join(args.out, "train-step%06d.safetensors" % step),
                              {k: v for k, v in ema.items() if k != "pos_embed"}, m)


if __name__ == "__main__":
    main()
