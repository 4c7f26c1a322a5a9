"""PyTorch side of scripts/bench-models.sh: scoring and sampling throughput
of shipped .arw models, printed as one JSON object per model.

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 python/bench_models.py \
        --threads 2 models/mnist-made.arw ...

Scoring: log_prob over the binarized MNIST test set in batches (median of
repeats). Sampling: the straightforward loop that runs the whole network once
per pixel (D forward passes per sample), at batch 1 and 64.
"""

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_golden  # noqa: E402
import mnist  # noqa: E402


def full_logits(model, x):
    if isinstance(model, __import__("models").MADE):
        return model.logits(x, 0)
    return model.logits(x)


def order_of(model):
    o = model.orders[0] if hasattr(model, "orders") else model.order
    return o.tolist()


def time_score(model, x, batch, reps):
    ts = []
    with torch.no_grad():
        for _ in range(reps):
            t0 = time.perf_counter()
            for i in range(0, len(x), batch):
                model.log_prob(x[i:i + batch])
            ts.append(time.perf_counter() - t0)
    return len(x) / statistics.median(ts)


def time_sample_loop(model, d, B, samples, reps):
    order = order_of(model)
    ts = []
    with torch.no_grad():
        for _ in range(reps):
            t0 = time.perf_counter()
            n = 0
            while n < samples:
                x = torch.zeros(B, d)
                for t in range(d):
                    i = order[t]
                    p = torch.sigmoid(full_logits(model, x)[:, i])
                    x[:, i] = torch.bernoulli(p)
                n += B
            ts.append((time.perf_counter() - t0) / n)
    return 1 / statistics.median(ts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("models", nargs="+")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--score-images", type=int, default=10000)
    ap.add_argument("--reps", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    # Like with like: arinfer reads subnormal weights as zero (training
    # leaves many, and every FMA on one takes a microcode assist), so PyTorch
    # flushes denormals too.
    flush = torch.set_flush_denormal(True)
    test = torch.from_numpy(mnist.binarized("test")[0][:a.score_images].astype(np.float32))
    for path in a.models:
        m = make_golden.load_arw(path).float().eval()
        d = m.d
        rec = {"model": path, "threads": a.threads, "torch": torch.__version__,
               "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""), "flush_denormal": flush}
        batch = 100 if type(m).__name__ == "NADE" else 1000
        rec["score_images_per_s"] = time_score(m, test, batch, a.reps)
        rec["sample_loop_b1_samples_per_s"] = time_sample_loop(m, d, 1, 1, a.reps)
        rec["sample_loop_b64_samples_per_s"] = time_sample_loop(m, d, 64, 64, 1)
        print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
