"""Helpers shared by the golden writers: seeding, float64-free tensors, and the .npz layout dlc4j's tests read.

A golden file holds, under prefixes the Java side relies on:
  param.<dlc4j name>   the module's weights, renamed to the names dlc4j registers them under
  input.<name>         the inputs, including every random draw the reference made (noise, t, masks), so Java replays them
  output.<name>        what the reference computed
  grad.<dlc4j name>    d(training loss)/d(parameter), one batch, every parameter
All floating arrays are float32; integer arrays int64, except uint8 ones (pixels, UTF-8 text).
"""
import json
import os

import numpy as np
import torch


def seed(n):
    torch.manual_seed(n)
    np.random.seed(n)


def array(t):
    """A tensor (or numpy array / number) as a float32 or int64 numpy array; uint8 (pixels, UTF-8 text) stays uint8."""
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu()
        if t.dtype == torch.uint8:
            return t.numpy()
        return t.numpy().astype(np.int64) if not t.is_floating_point() else t.to(torch.float32).numpy()
    a = np.asarray(t)
    if a.dtype == np.uint8:
        return a
    return a.astype(np.int64) if np.issubdtype(a.dtype, np.integer) or a.dtype == bool else a.astype(np.float32)


def f32(t):
    """t rounded to float32, kept in float64: what Java reads back from a golden, so both sides start equal."""
    return t.to(torch.float32).to(torch.float64)


def named(module, rename):
    """{dlc4j name: tensor} for every parameter (and buffer) of module; rename maps a reference name to dlc4j's or None to skip."""
    out = {}
    for name, t in list(module.named_parameters()) + list(module.named_buffers()):
        mine = rename(name)
        if mine is not None:
            out[mine] = t
    return out


def grads(module, rename):
    out = {}
    for name, t in module.named_parameters():
        mine = rename(name)
        if mine is not None:
            out[mine] = t.grad if t.grad is not None else torch.zeros_like(t)
    return out


def save(out_dir, name, params=None, inputs=None, outputs=None, grads=None, extra=None):
    """Writes <out_dir>/<name>.npz and returns its size in bytes; extra maps more prefixes to {name: array}."""
    arrays = {}
    for prefix, d in (("param", params), ("input", inputs), ("output", outputs), ("grad", grads)) + tuple((extra or {}).items()):
        for k, v in (d or {}).items():
            arrays[prefix + "." + k] = array(v)
    path = os.path.join(out_dir, name + ".npz")
    np.savez(path, **arrays)
    return os.path.getsize(path)


class float64:
    """Runs the reference in float64 so a golden is the exact value of its float32 weights and inputs, and the Java
    tolerance measures dlc4j's own float32 rounding only (float32 PyTorch is itself ~5e-5 off in DiT's gradients,
    where the VLB's discretised likelihood is ill-conditioned). Inside, Tensor.float() keeps doubles: the reference
    casts with .float() in places (timestep features, one-hot codes), which would otherwise mix precisions."""

    def __enter__(self):
        self._float = torch.Tensor.float
        self._default = torch.get_default_dtype()
        torch.Tensor.float = lambda t, *a, **k: t.double()
        torch.set_default_dtype(torch.float64)
        return self

    def __exit__(self, *exc):
        torch.Tensor.float = self._float
        torch.set_default_dtype(self._default)
        return False


def write_manifest(out_dir, files, provenance, section=None):
    """Adds files ({file name: (bytes, family)}) to out_dir/manifest.json with the reference they came from
    (provenance, plus the torch and numpy versions): at the top level, or under section for another reference than
    DiscreteLatentCode. Prints each file's size."""
    path = os.path.join(out_dir, "manifest.json")
    manifest = json.load(open(path)) if os.path.exists(path) else {"files": {}}
    for name, (size, family) in files.items():
        manifest["files"][name] = {"bytes": size, "family": family}
        print("%-40s %8.1f kB" % (name, size / 1024))
    provenance = dict(provenance, torch=torch.__version__, numpy=np.__version__)
    if section is None:
        manifest.update(provenance)
    else:
        manifest[section] = provenance
    with open(path, "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
