"""PyTorch side of the WaveNet benchmarks: the SPEC 3.8 model of
python/wavenet.py in PyTorch on this machine, printed as one JSON object.

    OPENBLAS_CORETYPE=Haswell /usr/bin/python3 python/bench_wavenet.py [--model m.arw] [--batch-threads 2]

Without --model the model is nv-wavenet's published size with random
weights: 20 layers (dilations 1, 2, ..., 512 twice), R = G = 64, S = O = 256,
256 mu-law categories, no classes (weights as reset_parameters draws them,
seed 1). Everything runs under torch.no_grad in float32:

* score: log p(x) of one 16000-step sequence by the full pass
  (``WaveNet.logits``: conv1d per layer), samples/s, median of --reps;
* rerun: the naive generator (``NaiveGenerator``) that reruns the network
  over the receptive field (rho + 1 positions) for every new sample, after
  a rho-sample prefix so every step is a full window; samples/s over about
  --seconds;
* queue: the Fast WaveNet queue algorithm in PyTorch (``QueueGenerator``:
  per-layer queues, two fused addmm per layer and step, sampling
  included) at batch 1, 8 and 32; aggregate samples/s (batch x steps / s)
  over about --seconds each.

The score, rerun and batch-1 queue rows use one thread
(torch.set_num_threads(1)); the batch-8 and batch-32 rows use
--batch-threads, and batch 1 is measured on --batch-threads too (a last
queue row), the peer of arinfer's one stream on two cores. ``*_rtf`` is
samples/s divided by the sample rate (16000).
"""

import argparse
import json
import os
import statistics
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import wavenet  # noqa: E402

RATE = 16000


def nv_wavenet(seed=1):
    torch.manual_seed(seed)
    m = wavenet.WaveNet([1 << i for i in range(10)] * 2, residual_channels=64, gate_channels=64, skip_channels=256,
                        head_channels=256, k=256, shape=[RATE], sample_rate=RATE)
    return m


def timed_steps(fn, seconds, min_steps):
    """Run fn() repeatedly for about `seconds` (at least min_steps times);
    return (steps, elapsed)."""
    n, t0 = 0, time.perf_counter()
    while n < min_steps or time.perf_counter() - t0 < seconds:
        fn()
        n += 1
    return n, time.perf_counter() - t0


def bench_score(m, T, reps, gen):
    x = torch.randint(0, m.k, (1, T), generator=gen).float()
    y = torch.zeros(1, dtype=torch.long) if m.classes else None
    m.cond_log_prob(x, y)  # warm-up
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        m.cond_log_prob(x, y)
        ts.append(time.perf_counter() - t0)
    return T / statistics.median(ts)


def bench_rerun(m, seconds, gen):
    B = 1
    y = torch.zeros(B, dtype=torch.long) if m.classes else None
    g = wavenet.NaiveGenerator(m, B, y)
    x = [torch.randint(0, m.k, (B, m.receptive_field), generator=gen).float()]

    def one():
        v = wavenet.sample_from_logits(g.next_logits(x[0]), m.k, gen)
        x[0] = torch.cat([x[0][:, 1:], v.unsqueeze(1)], 1)  # keep the last rho values

    one()  # warm-up
    n, dt = timed_steps(one, seconds, 5)
    return n / dt, n


def bench_queue(m, B, seconds, gen):
    y = torch.zeros(B, dtype=torch.long) if m.classes else None
    g = wavenet.QueueGenerator(m, B, y)
    z = [g.prime(torch.randint(0, m.k, (B, 100), generator=gen).float())]

    def one():
        z[0] = g.step(wavenet.sample_from_logits(z[0], m.k, gen))

    for _ in range(10):  # warm-up
        one()
    n, dt = timed_steps(one, seconds, 50)
    return B * n / dt, n


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="an .arw WaveNet (default: nv-wavenet's size, random weights)")
    ap.add_argument("--score-steps", type=int, default=16000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=10.0, help="about how long each generation row runs")
    ap.add_argument("--batch-threads", type=int, default=2)
    ap.add_argument("--score-threads", type=int, default=2)
    ap.add_argument("--batches", default="1,8,32")
    a = ap.parse_args(argv)
    torch.set_flush_denormal(True)
    m = wavenet.from_arw(a.model) if a.model else nv_wavenet()
    m.eval()
    gen = torch.Generator().manual_seed(7)
    h = m.header()
    res = {"model": a.model or "nv-wavenet size, random weights",
           "layers": m.L, "residual_channels": m.R, "gate_channels": m.G, "skip_channels": m.S,
           "head_channels": m.O, "categories": m.k, "classes": m.classes, "receptive_field": m.receptive_field,
           "params": sum(p.numel() for p in m.parameters()), "dilations": h["dilations"],
           "torch": torch.__version__, "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
           "openblas_l2_size": os.environ.get("OPENBLAS_L2_SIZE", ""),
           "mkldnn": torch.backends.mkldnn.is_available(), "sample_rate": RATE}
    with torch.no_grad():
        torch.set_num_threads(a.score_threads)
        s = bench_score(m, a.score_steps, a.reps, gen)
        res["score"] = {"threads": a.score_threads, "steps": a.score_steps, "samples_per_s": s, "rtf": s / RATE}
        torch.set_num_threads(1)
        s, n = bench_rerun(m, a.seconds, gen)
        res["rerun"] = {"threads": 1, "batch": 1, "samples": n, "samples_per_s": s, "rtf": s / RATE}
        res["queue"] = []
        for B in (int(b) for b in a.batches.split(",")):
            th = 1 if B == 1 else a.batch_threads
            torch.set_num_threads(th)
            s, n = bench_queue(m, B, a.seconds, gen)
            res["queue"].append({"threads": th, "batch": B, "steps": n, "samples_per_s": s, "rtf": s / RATE})
        if 1 in (int(b) for b in a.batches.split(",")) and a.batch_threads > 1:
            torch.set_num_threads(a.batch_threads)
            s, n = bench_queue(m, 1, a.seconds, gen)
            res["queue"].append({"threads": a.batch_threads, "batch": 1, "steps": n, "samples_per_s": s, "rtf": s / RATE})
    print(json.dumps(res))


if __name__ == "__main__":
    main()
