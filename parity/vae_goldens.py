#!/usr/bin/env python3
"""VAE goldens: diffusers' own AutoencoderKL at the configuration of stabilityai/sd-vae-ft-ema (the VAE whose latents
the paper's DiT works on), against which dlc4j's org.dlc4j.vae.AutoencoderKl is checked (VaeParityTest).

    git --git-dir=<mirror of huggingface/diffusers> archive <commit> src | tar -x -C /tmp/diffusers
    /usr/bin/python3 parity/vae_goldens.py --diffusers /tmp/diffusers --commit <commit>

Needs Debian's python3-torch and python3-numpy only. AutoencoderKL and everything it computes with (vae.py,
unet_2d_blocks.py, resnet.py, attention_processor.py, ...) are imported from the checkout given; only the library's
packaging, hub and configuration plumbing around them is stood in (STANDINS below, each saying what it replaces).

The 83,653,863 weights are not stored: each is parity/hashed.py's seeded tensor of its diffusers name, and every golden
lists (name, shape, scale, offset) as UTF-8 JSON under `spec.weights`, from which the Java test recomputes them. The
reference runs in float64 (common.float64) from those float32 weights and float32 inputs. Files (src/test/resources/parity):

  vae-encode.npz    a 64×64 image → the posterior's mean and logvar; one posterior sample with its ε saved
  vae-decode.npz    two 8×8×4 latents → 64×64 images (vae.decode)
  vae-pipeline.npz  the authors' sampling pipeline on one 32×32×4 latent: vae.decode(latents / scaling_factor), then
                    uint8 = clamp(127.5·x + 128, 0, 255) (dit/sample_ddp_computed_dlc.py, dit/pipeline_dlc_dit.py)

Each also holds output.macs: the multiply-accumulates of its convolutions and matrix products, counted by hooks on the
reference's modules, against which the Java forwardMacs is checked.
"""
import argparse
import functools
import inspect
import json
import logging
import math
import os
import subprocess
import sys
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402
import hashed  # noqa: E402

# stabilityai/sd-vae-ft-ema's config.json (scaling_factor: AutoencoderKL's default, the value the authors divide by).
SD_VAE = dict(in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 4,
              up_block_types=("UpDecoderBlock2D",) * 4, block_out_channels=(128, 256, 512, 512), layers_per_block=2,
              act_fn="silu", latent_channels=4, norm_num_groups=32, sample_size=256, scaling_factor=0.18215)
SD_VAE_PARAMETERS = 83_653_863

# ε of DiagonalGaussianDistribution.sample, recorded by the randn_tensor stand-in.
DRAWS = []
# Names the permissive stand-ins were asked for, printed so a new diffusers version that needs more is noticed.
HANDED_OUT = set()


class _Permissive(types.ModuleType):
    """A module that answers every name: the few the VAE's code path calls are set explicitly; `is_*` availability
    checks say no (no xFormers, NPU, XLA; the torch-version gates guard bfloat16 and MPS paths only); anything else
    (dataclass bases, classes of other models' code paths that are imported but never run) is an inert class."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        HANDED_OUT.add(self.__name__ + "." + name)
        if name.startswith("is_"):
            return lambda *a, **k: False
        inert = type(name, (), {"__init__": lambda self, *a, **k: None})
        setattr(self, name, inert)
        return inert


def _register_to_config(init):
    """configuration_utils.register_to_config: records the constructor's arguments (defaults filled in) in
    self.config, as the real one does (AutoencoderKL reads self.config.sample_size); no config files."""
    sig = inspect.signature(init)

    @functools.wraps(init)
    def wrapped(self, *args, **kwargs):
        bound = sig.bind(self, *args, **kwargs)
        bound.apply_defaults()
        object.__setattr__(self, "config", types.SimpleNamespace(**{k: v for k, v in bound.arguments.items() if k != "self"}))
        init(self, *args, **kwargs)

    return wrapped


def _randn_tensor(shape, generator=None, device=None, dtype=None, layout=None):
    """utils.torch_utils.randn_tensor: torch.randn from the generator, drawn in float32 and then cast, so the ε the
    float64 reference uses is exactly the float32 ε saved for Java."""
    eps = torch.randn(shape, generator=generator, dtype=torch.float32)
    DRAWS.append(eps)
    return eps.to(dtype or torch.float32)


class _AutoencoderKLOutput:
    """modeling_outputs.AutoencoderKLOutput: holds latent_dist (the real one is a BaseOutput dataclass)."""

    def __init__(self, latent_dist):
        self.latent_dist = latent_dist


# Bare packages pointing at the checkout's own directories: their __init__ files (lazy imports over the whole library
# and its optional dependencies) do not run; the modules inside them are the checkout's.
PACKAGES = ("diffusers", "diffusers.models", "diffusers.models.autoencoders", "diffusers.models.unets",
            "diffusers.models.transformers")  # unet_2d_blocks imports two transformer classes the VAE never builds

# Permissive modules (see _Permissive), with what the VAE's code path really uses set explicitly in install().
STANDINS = {
    "diffusers.utils": "logging.get_logger (standard logging), deprecate (no-op: only warns), BaseOutput (a plain base "
                       "for the DecoderOutput dataclass), CONFIG_NAME, PIL_INTERPOLATION (image_processor's imports)",
    "diffusers.utils.torch_utils": "randn_tensor (_randn_tensor), maybe_allow_in_graph (identity: a torch.compile hint)",
    "diffusers.utils.import_utils": "availability checks: all false",
    "diffusers.utils.constants": "constants for the hub and optional back ends",
    "diffusers.utils.accelerate_utils": "apply_forward_hook (identity: it runs accelerate's offload hooks)",
    "diffusers.configuration_utils": "ConfigMixin (empty), register_to_config (_register_to_config), "
                                     "LegacyConfigMixin (empty)",
    "diffusers.loaders": "PeftAdapterMixin (empty: LoRA adapters)",
    "diffusers.loaders.single_file_model": "FromOriginalModelMixin (empty: loading original checkpoints)",
    "diffusers.models.modeling_utils": "ModelMixin = torch.nn.Module (its hub loading and saving); LegacyModelMixin too",
    "diffusers.models.modeling_outputs": "AutoencoderKLOutput (_AutoencoderKLOutput)",
}


def install(src):
    """Makes `import diffusers.models.autoencoders.autoencoder_kl` load the checkout at src (…/src/diffusers)."""
    for name in PACKAGES:
        module = types.ModuleType(name, "stand-in: the package of the checkout's directory, without its __init__")
        module.__path__ = [os.path.join(src, *name.split(".")[1:])]
        sys.modules[name] = module
    for name, doc in STANDINS.items():
        sys.modules[name] = _Permissive(name, "stand-in for " + name + ": " + doc)
    m = sys.modules
    m["diffusers.utils"].__path__ = []
    m["diffusers.utils"].logging = types.SimpleNamespace(get_logger=lambda name=None: logging.getLogger(name))
    m["diffusers.utils"].deprecate = lambda *a, **k: None
    m["diffusers.utils"].BaseOutput = type("BaseOutput", (), {})
    m["diffusers.utils.torch_utils"].randn_tensor = _randn_tensor
    m["diffusers.utils.torch_utils"].maybe_allow_in_graph = lambda cls: cls
    m["diffusers.utils.accelerate_utils"].apply_forward_hook = lambda method: method
    m["diffusers.configuration_utils"].ConfigMixin = type("ConfigMixin", (), {})
    m["diffusers.configuration_utils"].LegacyConfigMixin = type("LegacyConfigMixin", (), {})
    m["diffusers.configuration_utils"].register_to_config = _register_to_config
    m["diffusers.loaders"].PeftAdapterMixin = type("PeftAdapterMixin", (), {})
    m["diffusers.loaders.single_file_model"].FromOriginalModelMixin = type("FromOriginalModelMixin", (), {})
    m["diffusers.models.modeling_utils"].ModelMixin = torch.nn.Module
    m["diffusers.models.modeling_utils"].LegacyModelMixin = torch.nn.Module
    m["diffusers.models.modeling_outputs"].AutoencoderKLOutput = _AutoencoderKLOutput
    from diffusers.models.autoencoders import autoencoder_kl
    return autoencoder_kl.AutoencoderKL


def weight_spec(model):
    """(name, shape, scale, offset) of every parameter, in state_dict order, at scales that keep activations O(1):
    convolution and linear weights uniform with standard deviation 1/√fan_in, GroupNorm weights 1 ± 0.1, biases ± 0.1."""
    spec = []
    for name, t in model.state_dict().items():
        shape = list(t.shape)
        if len(shape) >= 2:
            scale, offset = math.sqrt(3.0 / int(np.prod(shape[1:]))), 0.0
        elif name.endswith(".weight"):
            scale, offset = 0.1, 1.0
        else:
            scale, offset = 0.1, 0.0
        spec.append({"name": name, "shape": shape, "scale": scale, "offset": offset})
    return spec


def fill(model, spec):
    state = model.state_dict()
    with torch.no_grad():
        for s in spec:
            state[s["name"]].copy_(torch.from_numpy(hashed.values(s["name"], tuple(s["shape"]), s["scale"], s["offset"])))


class CountMacs:
    """Multiply-accumulates of the convolutions, linears and attention products run inside the block, per image."""

    def __init__(self, model):
        self.model = model
        self.macs = 0

    def _hook(self, module, inputs, output):
        batch = output.shape[0]
        if isinstance(module, torch.nn.Conv2d):
            self.macs += output.numel() // batch * module.in_channels * module.kernel_size[0] * module.kernel_size[1]
        elif isinstance(module, torch.nn.Linear):
            self.macs += output.numel() // batch * module.in_features
        else:  # the mid blocks' attention: q·kᵀ and softmax·v over T = H·W tokens of C channels
            _, c, h, w = inputs[0].shape
            self.macs += 2 * (h * w) ** 2 * c

    def __enter__(self):
        self.handles = [m.register_forward_hook(self._hook) for m in self.model.modules()
                        if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)) or type(m).__name__ == "Attention"]
        return self

    def __exit__(self, *exc):
        for h in self.handles:
            h.remove()
        return False


def to_pixels(images):
    """The authors' conversion of decoded float32 images: clamp(127.5·x + 128, 0, 255) → uint8, channels last."""
    return torch.clamp(127.5 * images + 128.0, 0, 255).permute(0, 2, 3, 1).to(torch.uint8)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--diffusers", required=True, help="a checkout of github.com/huggingface/diffusers (or its src/)")
    ap.add_argument("--commit", help="the checkout's commit (read from git when --diffusers is a clone)")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "src", "test", "resources", "parity"))
    args = ap.parse_args()
    root = os.path.abspath(args.diffusers)
    src = next((p for p in (os.path.join(root, "src", "diffusers"), os.path.join(root, "diffusers")) if os.path.isdir(p)), None)
    if src is None:
        sys.exit("vae_goldens: no src/diffusers under " + root)
    commit = args.commit or subprocess.run(["git", "-C", root, "rev-parse", "HEAD"], capture_output=True, text=True,
                                           check=True).stdout.strip()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(1)  # one summation order, whatever the machine

    AutoencoderKL = install(src)
    vae = AutoencoderKL(**SD_VAE).eval()
    count = sum(p.numel() for p in vae.parameters())
    assert count == SD_VAE_PARAMETERS, count
    spec = weight_spec(vae)
    fill(vae, spec)
    spec_bytes = np.frombuffer(json.dumps(spec).encode("utf-8"), dtype=np.uint8)
    gen = torch.Generator().manual_seed(20250)
    image = (torch.rand(1, 3, 64, 64, generator=gen) * 2 - 1)  # float32 inputs: what Java reads
    latent = torch.randn(2, 4, 8, 8, generator=gen)
    latents = torch.randn(1, 4, 32, 32, generator=gen)  # a DiT sample: unit variance, ×1/0.18215 before decoding
    written = {}

    with torch.no_grad(), common.float64():
        vae.double()
        with CountMacs(vae) as macs:
            posterior = vae.encode(image.double()).latent_dist
        sample_generator = torch.Generator().manual_seed(7)
        sample = posterior.sample(generator=sample_generator)
        written["vae-encode"] = common.save(out, "vae-encode", inputs={"image": image, "noise": DRAWS[-1]},
                                            outputs={"mean": posterior.mean, "logvar": posterior.logvar, "sample": sample,
                                                     "macs": torch.tensor([macs.macs])},
                                            extra={"spec": {"weights": spec_bytes}})

        with CountMacs(vae) as macs:
            decoded = vae.decode(latent.double()).sample
        written["vae-decode"] = common.save(out, "vae-decode", inputs={"latent": latent},
                                            outputs={"image": decoded, "macs": torch.tensor([macs.macs])},
                                            extra={"spec": {"weights": spec_bytes}})

        with CountMacs(vae) as macs:
            pictures = vae.decode(latents.double() / vae.config.scaling_factor).sample
    # The pixels as the pipeline makes them from float32 samples: from the golden's own float32 image, so Java's
    # conversion of that image must give them exactly.
    pictures32 = pictures.to(torch.float32)
    pixels = to_pixels(pictures32)
    moved = int((to_pixels(pictures) != pixels).sum())  # pixels that float32 rounding of the image alone moves
    written["vae-pipeline"] = common.save(out, "vae-pipeline", inputs={"latents": latents},
                                          outputs={"image": pictures32, "pixels": pixels, "macs": torch.tensor([macs.macs])},
                                          extra={"spec": {"weights": spec_bytes}})

    common.write_manifest(out, {name + ".npz": (size, "vae") for name, size in written.items()}, {
        "reference": "https://github.com/huggingface/diffusers",
        "commit": commit,
        "command": "/usr/bin/python3 parity/vae_goldens.py --diffusers <checkout> --commit " + commit,
    }, section="vae")
    print("pipeline image: range [%.3f, %.3f], %d of %d pixels move between the float64 and float32 image"
          % (pictures.min(), pictures.max(), moved, pixels.numel()))
    print("posterior: mean std %.3f, logvar range [%.3f, %.3f]" % (posterior.mean.std(), posterior.logvar.min(), posterior.logvar.max()))
    print("stand-in names handed out: " + ", ".join(sorted(HANDED_OUT)))


if __name__ == "__main__":
    main()
