"""PyTorch side of scripts/bench-rnn.sh: the same lstm/gru .arw model
(python/rnn.py from_arw) scored on binarized MNIST test images and sampled
with the usual step loop (nn.LSTM/nn.GRU called on one step with its state,
Linear, draw, feed back), at batch 1, under torch.no_grad, with
torch.set_num_threads(--threads). Output: "key value" lines (medians).

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 scripts/bench_rnn.py models/mnist-lstm.arw
    /usr/bin/python3 scripts/bench_rnn.py --make-random /tmp/m.arw --hidden 64 --embed 16
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
import rnn  # noqa: E402


def step_loop(m, B, gen):
    """One sample per example, the PyTorch way: one nn.LSTM/GRU call per step."""
    s = torch.full((B,), m.k, dtype=torch.long)
    state = None
    x = torch.empty(B, m.d)
    for t in range(m.d):
        h, state = m.rnn(m.embed(s).unsqueeze(1), state)
        a = m.out(h[:, 0])
        if m.dist == "bernoulli":
            v = torch.bernoulli(torch.sigmoid(a[:, 0]), generator=gen)
        else:
            v = torch.multinomial(torch.softmax(a, -1), 1, generator=gen)[:, 0].to(torch.float32)
        x[:, t] = v
        s = v.long()
    return x


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", nargs="?")
    ap.add_argument("--make-random", metavar="PATH")
    ap.add_argument("--arch", default="lstm")
    ap.add_argument("--hidden", type=int, default=64)
    ap.add_argument("--embed", type=int, default=16)
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--samples", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    if a.make_random:
        import arw
        torch.manual_seed(1)
        m = rnn.RNN(a.arch, d=784, hidden=a.hidden, embed=a.embed, shape=(28, 28))
        t = m.tensors()
        arw.write(a.make_random, dict(m.header(), meta={"note": "random weights for benchmarking"}), t,
                  dtypes={k: "float32" for k in t})
        print("wrote", a.make_random)
        return
    torch.set_num_threads(a.threads)
    import mnist
    m = rnn.from_arw(a.model).eval()
    x = torch.from_numpy(mnist.binarized("test")[0][:a.n].astype(np.float32))
    print("torch %s threads %d OPENBLAS_CORETYPE=%s" % (torch.__version__, torch.get_num_threads(),
                                                        os.environ.get("OPENBLAS_CORETYPE", "")))
    with torch.no_grad():
        lp = m.log_prob(x)
        print("score_nll_first%d %.4f" % (a.n, -lp.double().mean().item()))
        rates, cpu = [], []
        for _ in range(a.reps):
            t0, c0 = time.perf_counter(), time.process_time()
            m.log_prob(x)
            rates.append(a.n / (time.perf_counter() - t0))
            cpu.append(a.n / (time.process_time() - c0))
        print("score_images_per_s %.1f" % statistics.median(rates))
        print("score_images_per_cpu_s %.1f" % statistics.median(cpu))
        gen = torch.Generator().manual_seed(1)
        for B in (1, 16):
            step_loop(m, B, gen)
            per, cpu = [], []
            for _ in range(a.reps):
                k = max(1, a.samples // B)
                t0, c0 = time.perf_counter(), time.process_time()
                for _ in range(k):
                    step_loop(m, B, gen)
                per.append((time.perf_counter() - t0) / (k * B))
                cpu.append((time.process_time() - c0) / (k * B))
            med = statistics.median(per)
            print("sample_b%d_ms_per_sample %.3f" % (B, 1e3 * med))
            print("sample_b%d_cpu_ms_per_sample %.3f" % (B, 1e3 * statistics.median(cpu)))
            print("sample_b%d_us_per_step %.2f" % (B, 1e6 * med * B / m.d))


if __name__ == "__main__":
    main()
