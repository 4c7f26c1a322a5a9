"""Validation NLL of a K-mask MADE checkpoint scored as the mixture of its
first 1, 2, 4, ..., K masks, and the mean NLL of one mask.

BENCHMARKS.md quotes it for the 32-mask run of scripts/train-all.sh
(training-logs/made32-2000.pt, which that run writes; checkpoints are not tracked):

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 scripts/made_ensemble.py training-logs/made32-2000.pt 2000
"""
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import mnist  # noqa: E402
import models  # noqa: E402


def main(path, n):
    torch.set_num_threads(1)
    ck = torch.load(path)
    m = models.build("made", **ck["kwargs"])
    m.load_state_dict(ck["state_dict"])
    m.eval()
    x = torch.from_numpy(mnist.binarized("valid")[0][:n].astype(np.float32))
    with torch.no_grad():
        lps = torch.stack([m.log_prob_mask(x, k) for k in range(m.k)], 0).double()
    k = 1
    while k <= m.k:
        lp = torch.logsumexp(lps[:k], 0) - math.log(k)
        print("%d masks: mixture NLL %.3f, mean one-mask NLL %.3f" % (k, -lp.mean().item(), -lps[:k].mean().item()))
        k *= 2


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10000)
