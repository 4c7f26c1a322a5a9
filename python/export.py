"""Export trained PyTorch models to .arw (format/SPEC.md) on python/arw.py.

    /usr/bin/python3 python/export.py models/made.npz models/mnist-made.arw \
        [--dtype float32|float16|bfloat16]

The input is what python/train.py saves: ``<name>.npz`` holding the tensors of
``model.tensors()`` and ``<name>.json`` holding ``model.header()`` plus the
training record, which is stored under the header's ``meta``.
"""

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arw  # noqa: E402


def export_model(model, path, meta=None, dtype="float32"):
    """Write a python/models.py module to an .arw file."""
    header = dict(model.header())
    if meta:
        header["meta"] = meta
    write(path, header, model.tensors(), dtype)


def write(path, header, tensors, dtype="float32"):
    dtypes = {name: ("int32" if v.dtype == np.int32 else dtype) for name, v in tensors.items()}
    arw.write(path, header, tensors, dtypes=dtypes)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("npz", help="tensors saved by train.py (<name>.npz, with <name>.json beside it)")
    ap.add_argument("out", help="output .arw path")
    ap.add_argument("--dtype", default="float32", choices=["float32", "float16", "bfloat16"])
    args = ap.parse_args(argv)
    base = args.npz[:-4] if args.npz.endswith(".npz") else args.npz
    with open(base + ".json") as f:
        rec = json.load(f)
    header = rec["header"] if "header" in rec else rec
    meta = {k: v for k, v in rec.items() if k != "header"} if "header" in rec else None
    with np.load(base + ".npz") as z:
        tensors = {k: z[k] for k in z.files}
    if meta:
        header = dict(header, meta=meta)
    write(args.out, header, tensors, args.dtype)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
