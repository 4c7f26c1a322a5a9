"""Training speed of recurrent models on binarized MNIST: updates per
second of python/train_rnn.py's update (Adam, clipped gradient, the model of
python/rnn.py) for each configuration, and what that makes an epoch of the
50,000-image training split cost.

    /usr/bin/python3 python/probe_rnn.py --seconds 120 --threads 1 \\
        lstm:64x1:64 lstm:128x1:64 lstm:128x1:128 lstm:256x1:64 lstm:256x1:128 lstm:128x2:64 lstm:128x2:128

A configuration is ARCH:HIDDENxLAYERS:BATCH (embedding --embed). Each gets
--seconds of wall-clock time after --warmup untimed updates, on real
training images, in --rounds turns: every round times each configuration
for seconds/rounds, so that the load of a shared machine, which drifts over
minutes, weighs on all of them alike. Each round's rates go to stderr as
they are measured; at the end one JSON object a configuration goes to
stdout: rates per wall-clock second and per second of this process's CPU
time, the minutes an epoch costs at each, and the fastest and slowest
round (the spread the load caused).

The process is set up as train_rnn.py sets up its own (resumable.set_threads:
--threads for torch and OpenBLAS, malloc keeping large blocks); set
OPENBLAS_CORETYPE as the training script does (SkylakeX on AVX-512).
"""

import argparse
import json
import os
import resource
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist  # noqa: E402
import resumable  # noqa: E402
import rnn  # noqa: E402


def parse_config(s):
    try:
        arch, size, batch = s.split(":")
        hidden, layers = size.split("x")
        return arch, int(hidden), int(layers), int(batch)
    except ValueError:
        raise SystemExit("bad configuration %r: want ARCH:HIDDENxLAYERS:BATCH, e.g. lstm:128x2:64" % s)


class Probe:
    """One configuration's model, optimizer and measured totals."""

    def __init__(self, x, arch, hidden, layers, batch, embed):
        torch.manual_seed(1)
        self.x, self.batch = x, batch
        self.conf = {"arch": arch, "hidden": hidden, "layers": layers, "batch": batch, "embed": embed}
        self.model = rnn.RNN(arch, d=mnist.D, hidden=hidden, layers=layers, embed=embed,
                             shape=(mnist.ROWS, mnist.COLS))
        self.opt = torch.optim.Adam(self.model.parameters(), lr=2e-3)
        self.gen = torch.Generator().manual_seed(1)
        self.n, self.wall, self.cpu, self.rounds = 0, 0.0, 0.0, []

    def update(self):
        xb = self.x[torch.randint(0, self.x.shape[0], (self.batch,), generator=self.gen)]
        loss = -self.model.log_prob(xb).mean()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.opt.step()

    def run(self, seconds):
        """Update for about seconds (at least once); returns updates/s."""
        n, t0, c0 = 0, time.time(), time.process_time()
        while n == 0 or time.time() - t0 < seconds:
            self.update()
            n += 1
        wall, cpu = time.time() - t0, time.process_time() - c0
        self.n, self.wall, self.cpu = self.n + n, self.wall + wall, self.cpu + cpu
        self.rounds.append(n / wall)
        return n / wall

    def report(self):
        per_epoch = mnist.TRAIN_SIZE / self.batch
        ups, upc = self.n / self.wall, self.n / self.cpu
        return dict(self.conf, params=sum(p.numel() for p in self.model.parameters()), updates=self.n,
                    seconds=round(self.wall, 1), cpu_seconds=round(self.cpu, 1), updates_per_s=round(ups, 3),
                    updates_per_cpu_s=round(upc, 3), images_per_s=round(ups * self.batch, 1),
                    minutes_per_epoch=round(per_epoch / ups / 60, 1),
                    cpu_minutes_per_epoch=round(per_epoch / upc / 60, 1),
                    minutes_per_epoch_fastest_round=round(per_epoch / max(self.rounds) / 60, 1),
                    minutes_per_epoch_slowest_round=round(per_epoch / min(self.rounds) / 60, 1),
                    threads=torch.get_num_threads(),
                    openblas_coretype=os.environ.get("OPENBLAS_CORETYPE", ""))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("configs", nargs="+", help="ARCH:HIDDENxLAYERS:BATCH, e.g. lstm:128x2:64")
    p.add_argument("--seconds", type=float, default=120, help="wall-clock seconds per configuration")
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--embed", type=int, default=16)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--images", type=int, default=5000, help="training images drawn from")
    args = p.parse_args(argv)
    configs = [parse_config(c) for c in args.configs]  # checked before any timing
    if args.rounds < 1 or args.seconds <= 0:
        p.error("--rounds and --seconds must be positive")
    setup = resumable.set_threads(args.threads)
    print("setup %s" % json.dumps(setup), file=sys.stderr, flush=True)
    x = torch.from_numpy(mnist.binarized("train")[0][:args.images].astype(np.float32))
    probes = [Probe(x, *c, args.embed) for c in configs]
    for pr in probes:
        for _ in range(args.warmup):
            pr.update()
    for r in range(args.rounds):
        rates = [pr.run(args.seconds / args.rounds) for pr in probes]
        print("round %d: %s" % (r + 1, ", ".join("%s %.3f/s" % (c, u) for c, u in zip(args.configs, rates))),
              file=sys.stderr, flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for pr in probes:
        print(json.dumps(dict(pr.report(), process_peak_rss_mb=round(peak))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
