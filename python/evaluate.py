"""Evaluate a train.py checkpoint with the torch reference and finalize it.

Computes valid and test NLL (nats) of OUT.pt in float32 (and float64 with
--double), then rewrites OUT.npz (tensors) and OUT.json (header + metrics,
"final": true) exactly as train.py does at the end of a run.  Used for runs
stopped before train.py's own final evaluation.

Usage: evaluate.py OUT [--double]   (OUT is the path prefix given to train.py --out)
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist  # noqa: E402
import models  # noqa: E402


@torch.no_grad()
def nll(model, x, batch=100):
    tot = 0.0
    for s in range(0, x.shape[0], batch):
        xb = x[s:s + batch]
        lp = model.log_prob_fast(xb) if isinstance(model, models.NADE) else model.log_prob(xb)
        tot += -lp.double().sum().item()
    return tot / x.shape[0]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--double", action="store_true", help="also evaluate in float64")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    ck = torch.load(args.out + ".pt")
    m = models.build(ck["arch"], **ck["kwargs"])
    m.load_state_dict(ck["state_dict"])
    m.eval()
    metrics = dict(ck.get("metrics") or {})
    for name, dtype in [("", torch.float32)] + ([("_f64", torch.float64)] if args.double else []):
        mm = m.to(dtype)
        for split in ("valid", "test"):
            x = torch.from_numpy(mnist.binarized(split)[0].astype(np.float32)).to(dtype)
            metrics["%s_nll%s" % (split, name)] = nll(mm, x)
    m = m.float()
    np.savez(args.out + ".npz", **m.tensors())
    meta_path = args.out + ".json"
    meta = json.load(open(meta_path)) if os.path.exists(meta_path) else {}
    meta.update({"header": m.header(), "metrics": metrics, "final": True,
                 "evaluated_by": "python/evaluate.py"})
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps(metrics))


if __name__ == "__main__":
    main()
