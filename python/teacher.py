"""Samples from a trained NADE, with the NADE's exact conditionals, for
training a student model on them (distillation: train.py --teacher-pool).

    /usr/bin/python3 python/teacher.py training-logs/nade.pt 300000 training-logs/nade-pool.npz

writes x (uint8 [N, D], data index space), q (float16 [N, D]) and the
NADE's order (int32 [D]):
q[n, i] = p_NADE(x_i = 1 | the dimensions before i in the NADE's order) at
x[n], i.e. the probability the sample was drawn with (temperature 1).
"""

import argparse
import sys
import time

import numpy as np
import torch

import models


@torch.no_grad()
def sample_nade(nade, n, gen, batch=10000):
    """Ancestral samples of a models.NADE and their conditionals, as
    (x uint8 [n, D], q float32 [n, D]) in data index space."""
    o = nade.order
    W = nade.W.detach().float()[:, o].t().contiguous()  # [D, H]: column per step
    V = nade.V.detach().float()[o]                        # [D, H]
    b = nade.b.detach().float()[o]
    c = nade.c.detach().float()
    xs, qs = [], []
    for s in range(0, n, batch):
        m = min(batch, n - s)
        a = c.expand(m, -1).clone()
        x = torch.empty(m, nade.d)
        q = torch.empty(m, nade.d)
        for t in range(nade.d):
            p = torch.sigmoid(torch.sigmoid(a) @ V[t] + b[t])
            xt = (torch.rand(m, generator=gen) < p).float()
            q[:, t], x[:, t] = p, xt
            a.addr_(xt, W[t])
        xo = torch.empty_like(x)
        qo = torch.empty_like(q)
        xo[:, o], qo[:, o] = x, q
        xs.append(xo.to(torch.uint8))
        qs.append(qo)
    return torch.cat(xs).numpy(), torch.cat(qs).numpy()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("teacher", help="NADE checkpoint (.pt from train.py)")
    p.add_argument("n", type=int, help="number of samples")
    p.add_argument("out", help="output .npz")
    p.add_argument("--seed", type=int, default=20261126)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    ck = torch.load(args.teacher)
    if ck["arch"] != "nade":
        raise SystemExit("%s: want a nade checkpoint, got %s" % (args.teacher, ck["arch"]))
    nade = models.build("nade", **ck["kwargs"])
    nade.load_state_dict(ck["state_dict"])
    t0 = time.time()
    x, q = sample_nade(nade, args.n, torch.Generator().manual_seed(args.seed))
    np.savez(args.out, x=x, q=q.astype(np.float16), order=nade.order.numpy().astype(np.int32))
    print("%d samples in %.1fs, %.1f%% ones, teacher NLL of its samples %.3f nats" % (
        args.n, time.time() - t0, 100 * x.mean(),
        -(np.log(np.where(x == 1, q, 1 - q).clip(1e-30))).sum(1).mean()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
