"""PyTorch side of scripts/benchpixelcnn: the image models of SPEC 3.6/3.7
in PyTorch on the same machine, printed as one JSON object.

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 python/bench_pixelcnn.py --threads 2 models/mnist-gated.arw

* score: log p(x | y) of binarized MNIST test images with their labels
  (batches of 100, torch.no_grad, medians of --reps), and the unconditional
  log sum_y p(y) p(x | y) of a class-conditional model (one pass per class,
  over a tenth of the images);
* loop: the straightforward generator that reruns the whole network for every
  pixel, at batch 1 and 64. Every step costs the same full forward pass, so
  it is timed over the first --loop-pixels pixels and scaled to H*W;
* conv: torch.nn.functional.conv2d (PyTorch's CPU convolution: oneDNN where
  the build has it) on each of the model's layer shapes at batch 64, with the
  useful FLOPs (masked-out taps not counted) per second.
"""

import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mnist  # noqa: E402
import pixelcnn  # noqa: E402


def median_time(fn, reps):
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def loop_time(m, B, pixels, y):
    """Seconds per image of the rerun-everything generator (extrapolated)."""
    x = torch.zeros(B, m.h * m.w)
    t0 = time.perf_counter()
    for t in range(pixels):
        z = m.logits(x, y)[:, :, t // m.w, t % m.w]
        if m.k == 2:
            x[:, t] = torch.bernoulli(torch.sigmoid(z[:, 0]))
        else:
            x[:, t] = torch.multinomial(torch.softmax(z, 1), 1)[:, 0].float()
    return (time.perf_counter() - t0) * (m.h * m.w / pixels) / B


def conv_shapes(m):
    """(name, input [N, C, H, W] maker, weight, padding fn, useful FLOPs per output pixel)."""
    Fc, n = m.channels, m.kernel_size // 2
    out = []
    if m.arch == "gatedpixelcnn":
        taps_v = (n + 1) * m.kernel_size
        out.append(("vertical %dx%d %d->%d" % (n + 1, m.kernel_size, Fc, 2 * Fc), Fc, 2 * Fc, (n + 1, m.kernel_size),
                    (n, n, n, 0), 2 * Fc * Fc * taps_v * 2))
        out.append(("horizontal 1x%d %d->%d" % (n + 1, Fc, 2 * Fc), Fc, 2 * Fc, (1, n + 1), (n, 0, 0, 0),
                    2 * Fc * Fc * (n + 1) * 2))
        out.append(("1x1 %d->%d" % (2 * Fc, 2 * Fc), 2 * Fc, 2 * Fc, (1, 1), (0, 0, 0, 0), 2 * Fc * 2 * Fc * 2))
        out.append(("1x1 %d->%d" % (Fc, Fc), Fc, Fc, (1, 1), (0, 0, 0, 0), Fc * Fc * 2))
    else:
        k = m.kernel_size
        kept = (k * k) // 2 + 1  # mask B
        out.append(("mask-B %dx%d %d->%d" % (k, k, Fc, Fc), Fc, Fc, (k, k), (n, n, n, n), Fc * Fc * kept * 2))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--score-images", type=int, default=2000)
    ap.add_argument("--loop-pixels", type=int, default=28)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    torch.set_flush_denormal(True)
    m = pixelcnn.from_arw(a.model).eval()
    x, y = mnist.binarized("test")
    x = torch.from_numpy(x[:a.score_images].astype("float32"))
    y = torch.from_numpy(y[:a.score_images].astype("int64"))
    res = {"model": a.model, "threads": torch.get_num_threads(),
           "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
           "openblas_l2_size": os.environ.get("OPENBLAS_L2_SIZE", ""),
           "mkldnn": torch.backends.mkldnn.is_available()}
    with torch.no_grad():
        def score(cond, n):
            for i in range(0, n, 100):
                m.log_prob(x[i:i + 100], y[i:i + 100] if cond and m.classes else None)
        res["score_images_per_s"] = len(x) / median_time(lambda: score(True, len(x)), a.reps)
        if m.classes:
            # One pass per class: a tenth of the images.
            n = max(100, len(x) // m.classes)
            res["score_marginal_images_per_s"] = n / median_time(lambda: score(False, n), max(1, a.reps // 2))
        for B in (1, 64):
            yb = torch.full((B,), 7) if m.classes else None
            res["loop_b%d_s_per_image" % B] = statistics.median(
                loop_time(m, B, a.loop_pixels, yb) for _ in range(3 if B == 1 else 1))
        convs = []
        for name, cin, cout, (kh, kw), pad, flops in conv_shapes(m):
            inp = torch.randn(64, cin, m.h, m.w)
            w = torch.randn(cout, cin, kh, kw)
            t = median_time(lambda: F.conv2d(F.pad(inp, pad), w), a.reps)
            convs.append({"layer": name, "s": t, "useful_gflops": flops * 64 * m.h * m.w / t / 1e9})
        res["conv"] = convs
    print(json.dumps(res))


if __name__ == "__main__":
    main()
