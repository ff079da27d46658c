"""Tiny checkpoints written by a real torch.save, for org.dlc4j.io.TorchZipSourceTest.

The CI machine has no torch, so the files are committed (a few KB each) under src/test/resources/io/torch/.
Regenerate them (Debian's python3-torch 1.13) with

    /usr/bin/python3 parity/torch_fixtures.py

The values are small exact numbers written down again in the Java test. Rerunning rewrites every file byte for byte
but legacy.pt, whose storage keys are memory addresses.

  dtypes.pt     a module's state_dict (an OrderedDict with _metadata): F32, F16, BF16, F64 weights and an I64 buffer
  proto4.pt     the same state_dict saved with pickle protocol 4 (FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL)
  views.pt      a transposed (non-contiguous) tensor, and two tensors sharing one storage at offsets 2 and 6
  nested.pt     {"model": state_dict, "step": 5, "opt": {"param_groups": [{"lr": 0.1}]}}: nested dicts, non-tensor leaves
  param.pt      {"p": nn.Parameter}: torch._utils._rebuild_parameter
  int8.pt       an int8 tensor, which has no float reading
  legacy.pt     the pre-1.6 format (_use_new_zipfile_serialization=False)
  truncated.pt  the first half of dtypes.pt
  counter.pt    a dict holding a collections.Counter: a global dlc4j does not know
"""
import collections
import os

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "test", "resources", "io", "torch")


class Net(nn.Module):
    """One layer per floating dtype plus an integer buffer, with values set by hand."""

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(3, 2)
        self.h16 = nn.Linear(4, 1, bias=False).half()
        self.b16 = nn.Linear(3, 1, bias=False).to(torch.bfloat16)
        self.f64 = nn.Linear(2, 1, bias=False).double()
        self.register_buffer("steps", torch.tensor([-1, 2 ** 40, 7], dtype=torch.int64))
        with torch.no_grad():
            self.lin.weight.copy_(torch.tensor([[0.5, -1.0, 2.0], [3.25, 0.0, -0.125]]))
            self.lin.bias.copy_(torch.tensor([1.0, -2.0]))
            # 2^-24 is the smallest float16 subnormal, 65504 the largest finite float16
            self.h16.weight.copy_(torch.tensor([[1.5, -2.0 ** -10, 65504.0, 2.0 ** -24]]))
            self.b16.weight.copy_(torch.tensor([[1.0, -3.140625, 2.0 ** 100]]))
            self.f64.weight.copy_(torch.tensor([[0.1, -2.5]], dtype=torch.float64))


def save(obj, name, **kwargs):
    torch.save(obj, os.path.join(OUT, name), **kwargs)


def main():
    os.makedirs(OUT, exist_ok=True)
    sd = Net().state_dict()
    save(sd, "dtypes.pt")
    save(sd, "proto4.pt", pickle_protocol=4)

    base = torch.arange(6, dtype=torch.float32).reshape(2, 3)
    storage = torch.arange(10, dtype=torch.float32)
    save(collections.OrderedDict(t=base.t(), a=storage[2:5], b=storage[6:10].view(2, 2)), "views.pt")

    save({"model": sd, "step": 5, "opt": {"param_groups": [{"lr": 0.1}]}}, "nested.pt")
    save({"p": nn.Parameter(torch.tensor([4.0, -4.0]))}, "param.pt")
    save({"q": torch.tensor([-128, 0, 127], dtype=torch.int8)}, "int8.pt")
    save(sd, "legacy.pt", _use_new_zipfile_serialization=False)
    with open(os.path.join(OUT, "dtypes.pt"), "rb") as f:
        whole = f.read()
    with open(os.path.join(OUT, "truncated.pt"), "wb") as f:
        f.write(whole[: len(whole) // 2])
    save({"w": torch.ones(2), "counts": collections.Counter("abca")}, "counter.pt")


if __name__ == "__main__":
    main()
