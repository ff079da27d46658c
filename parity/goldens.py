#!/usr/bin/env python3
"""Writes dlc4j's parity goldens by running the authors' own modules (DiscreteLatentCode) at small configurations.

    git --git-dir=<mirror>/repo archive <commit> | tar -x -C /tmp/dlcref      # a checkout of the authors' repository
    /usr/bin/python3 parity/goldens.py --reference /tmp/dlcref --commit <commit> [--only dit,sedd,sem]

Needs Debian's python3-torch and python3-numpy. The reference's modules are imported from --reference; the few
third-party packages they import that Debian lacks are stood in by parity/standins (see parity/README.md). The
goldens land in src/test/resources/parity, with manifest.json naming the commit, the command and the versions.
"""
import argparse
import importlib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FAMILIES = ("dit", "sedd", "sem", "released")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reference", required=True, help="a checkout of github.com/lavoiems/DiscreteLatentCode")
    ap.add_argument("--commit", help="the checkout's commit (read from git when --reference is a clone)")
    ap.add_argument("--only", default=",".join(FAMILIES), help="families to write: " + ", ".join(FAMILIES))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "src", "test", "resources", "parity"))
    args = ap.parse_args()
    ref = os.path.abspath(args.reference)
    commit = args.commit or subprocess.run(["git", "-C", ref, "rev-parse", "HEAD"], capture_output=True, text=True,
                                           check=True).stdout.strip()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    sys.path.insert(0, os.path.join(HERE, "standins"))
    sys.path.insert(0, HERE)

    import common
    import torch
    torch.set_num_threads(1)  # one summation order, whatever the machine
    files = {}
    for family in args.only.split(","):
        if family not in FAMILIES:
            sys.exit("goldens: no family '%s': use one of %s" % (family, ", ".join(FAMILIES)))
        module = importlib.import_module(family + "_goldens")
        written = module.write(ref, out)  # {file name: size in bytes}
        files.update({name: (size, family) for name, size in written.items()})
    common.write_manifest(out, files, {
        "reference": "https://github.com/lavoiems/DiscreteLatentCode",
        "commit": commit,
        "command": "/usr/bin/python3 parity/goldens.py --reference <checkout> --commit " + commit,
    })


if __name__ == "__main__":
    main()
