"""Build a MADE-with-direct-connections starting point from trained models.

The result is a train.py checkpoint for
  MADE(hidden=<same as the MADE checkpoint>, masks=1, direct=True)
whose hidden layer(s) come from a trained MADE (no direct connections) and
whose direct connections A and output bias come from a trained FVSBN with the
same ordering, with Wout = 0.  Its log-likelihood therefore starts exactly
at the FVSBN's (the FVSBN mask pos(j) < pos(i) is the MADE direct mask
m0(j) < m0(i)), and training then links in the MADE's hidden features.

Usage: compose_made.py MADE.pt FVSBN.pt OUT.pt
       compose_made.py --masks K MADE.pt OUT.pt
The second form copies a trained 1-mask MADE's (shared) weights into a
K-mask MADE with the same seed, whose mask 0 is the trained model's mask.
"""

import sys

import torch

import models


def compose(made_ck, fvsbn_ck):
    if made_ck["arch"] != "made" or fvsbn_ck["arch"] != "fvsbn":
        raise ValueError("need a made and an fvsbn checkpoint")
    kw = dict(made_ck["kwargs"])
    if kw.get("masks", 1) != 1 or kw.get("direct"):
        raise ValueError("MADE checkpoint must have 1 mask and no direct connections")
    src = models.build("made", **kw)
    src.load_state_dict(made_ck["state_dict"])
    fv = models.build("fvsbn", **fvsbn_ck["kwargs"])
    fv.load_state_dict(fvsbn_ck["state_dict"])
    if not torch.equal(src.orders[0], fv.order):
        raise ValueError("MADE and FVSBN orderings differ")
    kw["direct"] = True
    m = models.build("made", **kw)
    st = {k: v for k, v in src.state_dict().items()}
    with torch.no_grad():
        st["A"] = fv.W * fv.mask
        st["out.weight"] = torch.zeros_like(st["out.weight"])
        st["out.bias"] = fv.b.clone()
    m.load_state_dict(st)
    return m, kw


def widen(made_ck, masks):
    """Copy a 1-mask MADE checkpoint's weights into a masks-mask MADE."""
    kw = dict(made_ck["kwargs"])
    if made_ck["arch"] != "made" or kw.get("masks", 1) != 1:
        raise ValueError("need a 1-mask MADE checkpoint")
    src = models.build("made", **kw)
    src.load_state_dict(made_ck["state_dict"])
    kw["masks"] = masks
    m = models.build("made", **kw)
    if not all(torch.equal(getattr(m, n)[0], getattr(src, n)[0])
               for n in ["orders"] + ["degrees%d" % (l + 1) for l in range(len(m.hidden))]):
        raise ValueError("mask 0 of the widened model differs from the trained mask")
    st = m.state_dict()
    for k, v in src.state_dict().items():
        if not (k == "orders" or k.startswith("degrees")):
            st[k] = v
    m.load_state_dict(st)
    return m, kw


def main(argv):
    if len(argv) == 4 and argv[0] == "--masks":
        m, kw = widen(torch.load(argv[2]), int(argv[1]))
        torch.save({"arch": "made", "kwargs": kw, "state_dict": m.state_dict(),
                    "metrics": {"widened_from": argv[2]}}, argv[3])
        return
    if len(argv) != 3:
        raise SystemExit(__doc__)
    made_ck, fv_ck = torch.load(argv[0]), torch.load(argv[1])
    m, kw = compose(made_ck, fv_ck)
    torch.save({"arch": "made", "kwargs": kw, "state_dict": m.state_dict(),
                "metrics": {"composed_from": argv[:2]}}, argv[2])


if __name__ == "__main__":
    main(sys.argv[1:])
