"""Train a WaveNet (python/wavenet.py, SPEC 3.8), resumably, on binarized
MNIST as 784-step Bernoulli sequences or on the speech corpus of
scripts/make-speech-corpus.sh as 16 kHz mu-law audio (SPEC 3.9).

* ``--data mnist``: each binarized MNIST digit (python/mnist.py, the split
  the other models use) is a 784-step sequence in raster order; with
  ``--classes 10`` the digit label conditions the model. Loss and NLL in
  nats per image.
* ``--data speech``: the corpus's WAV files (16-bit mono PCM at 16 kHz, read
  with ``wave``) are mu-law coded (K = 256); the voice conditions the model.
  An update scores ``--batch`` random windows of ``--window`` samples, each
  preceded by up to a receptive field of context (the clip's own start when
  the window is near it, exactly as a whole-clip pass sees it). An "epoch" is
  as many scored samples as the training split holds. NLL in bits per sample.

Adam with a per-epoch exponential lr decay. Every --checkpoint-minutes the
whole training state (model, optimizer, epoch, position in the epoch, best
model, elapsed time) goes to <out>.ckpt.pt, written atomically; run the same
command again and it resumes from there. The validation NLL (a fixed subset,
given the label) is logged --evals-per-epoch times an epoch and the best
model is kept. At the end (--max-epochs, or ``train_wavenet.py finish OUT``)
the best model's class prior is set to the training split's label
frequencies, its test NLL is computed and it is exported to <out>.arw.

    /usr/bin/python3 python/train_wavenet.py --data mnist --max-dilation 512 --stacks 1 \\
        --residual 32 --gate 32 --skip 64 --head 64 --classes 10 --out checkpoints/wavenet-mnist
    /usr/bin/python3 python/train_wavenet.py finish checkpoints/wavenet-mnist [--given-label | --no-eval]
"""

import argparse
import json
import math
import os
import sys
import time
import wave

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wavenet  # noqa: E402
import resumable  # noqa: E402
from resumable import atomic_save  # noqa: E402

LN2 = math.log(2)
SIZE_KEYS = ("data", "max_dilation", "stacks", "residual", "gate", "skip", "head", "classes")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, choices=["mnist", "speech"])
    p.add_argument("--out", required=True, help="output path prefix (no extension)")
    p.add_argument("--corpus", default="data/speech", help="speech corpus directory (manifest.tsv)")
    p.add_argument("--max-dilation", type=int, default=512, help="dilations 1, 2, 4, ..., this (a power of 2)")
    p.add_argument("--stacks", type=int, default=1, help="how many times the dilation cycle repeats")
    p.add_argument("--residual", type=int, default=32)
    p.add_argument("--gate", type=int, default=32)
    p.add_argument("--skip", type=int, default=64)
    p.add_argument("--head", type=int, default=64)
    p.add_argument("--classes", type=int, default=10, help="mnist: 0 or 10; speech: the corpus's voices")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--lr-decay", type=float, default=0.9, help="lr multiplier per epoch")
    p.add_argument("--batch", type=int, default=32, help="images (mnist) or windows (speech) per update")
    p.add_argument("--window", type=int, default=8000, help="speech: scored samples per window")
    p.add_argument("--max-epochs", type=int, default=30)
    p.add_argument("--evals-per-epoch", type=int, default=4)
    p.add_argument("--eval-subset", type=int, default=2000, help="validation images (mnist) or clips (speech)")
    p.add_argument("--checkpoint-minutes", type=float, default=4.0)
    p.add_argument("--clip", type=float, default=100.0, help="gradient norm clip")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--limit", type=int, default=0, help="use only the first N images / clips of each split")
    p.add_argument("--data-dir", default=None, help="mnist: the IDX directory")
    a = p.parse_args(argv)
    if a.max_dilation < 1 or a.max_dilation & (a.max_dilation - 1):
        p.error("--max-dilation must be a power of 2")
    if a.data == "mnist" and a.classes not in (0, 10):
        p.error("mnist: --classes is 0 or 10")
    return a


def dilations(args):
    cycle = [1 << i for i in range(int(math.log2(args.max_dilation)) + 1)]
    return cycle * args.stacks


# ---------------------------------------------------------------- data


_RAW = {}  # (split, dir) -> mnist.load(): the IDX files are read once per process


class MNISTData:
    """Binarized MNIST digits as 784-step sequences; NLL in nats per image."""

    unit = "nats"

    def __init__(self, args):
        import mnist
        self.args = args
        self.split = {}
        for s in ("train", "valid", "test"):
            if args.limit:  # binarize only those (bit-identical: each pixel has its own index)
                key = (s, mnist.locate(args.data_dir))
                if key not in _RAW:
                    _RAW[key] = mnist.load(*key)
                imgs, y = _RAW[key]
                offset = {"train": 0, "valid": mnist.TRAIN_SIZE, "test": 60000}[s]
                x, y = mnist.binarize(imgs[:args.limit], offset), y[:args.limit]
            else:
                x, y = mnist.binarized(s, args.data_dir)
            self.split[s] = (torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y.astype(np.int64)))
        self.shape, self.k, self.sample_rate = [28, 28], 2, None
        self.classes = args.classes
        self.updates_per_epoch = math.ceil(self.split["train"][0].shape[0] / args.batch)
        self._perm = None
        self.describe = "binarized MNIST (python/mnist.py) as 784-step sequences in raster order" + \
            (", labels as classes" if args.classes else "")

    def batch(self, model, epoch, i):
        """Loss (nats per image) of update i of an epoch."""
        x, y = self.split["train"]
        if self._perm is None or self._perm[0] != epoch:
            g = torch.Generator().manual_seed(self.args.seed * 1000 + epoch)
            self._perm = (epoch, torch.randperm(x.shape[0], generator=g))
        idx = self._perm[1][i * self.args.batch:(i + 1) * self.args.batch]
        return -model.log_prob(x[idx], y[idx] if self.classes else None).mean()

    def label_freq(self):
        y = self.split["train"][1]
        return torch.bincount(y, minlength=self.classes).double() / y.shape[0]

    @torch.no_grad()
    def nll(self, model, split, subset=0, marginal=False, batch=100):
        """Mean NLL in nats per image, given the label or the class marginal."""
        x, y = self.split[split]
        if subset:
            x, y = x[:subset], y[:subset]
        tot = 0.0
        for s in range(0, x.shape[0], batch):
            yb = None if (marginal or not self.classes) else y[s:s + batch]
            tot += -model.log_prob(x[s:s + batch], yb).double().sum().item()
        return tot / x.shape[0]


def read_wav(path):
    """16-bit mono PCM samples (int16) and the sample rate of a WAV file."""
    with wave.open(path, "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2 or w.getcomptype() != "NONE":
            raise ValueError("%s: want 16-bit mono PCM" % path)
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"), w.getframerate()


def read_manifest(corpus):
    """Rows (split, voice index, voice name, path, samples) of manifest.tsv."""
    rows = []
    with open(os.path.join(corpus, "manifest.tsv")) as f:
        next(f)
        for line in f:
            sp, vi, vn, rel, n = line.rstrip("\n").split("\t")
            rows.append((sp, int(vi), vn, rel, int(n)))
    return rows


def first_per_voice(clips, n):
    """The first n of each voice's (voice, clip) pairs, in their order."""
    seen, out = {}, []
    for c in clips:
        seen[c[0]] = seen.get(c[0], 0) + 1
        if seen[c[0]] <= n:
            out.append(c)
    return out


class SpeechData:
    """The speech corpus as mu-law codes (K = 256) with the voice as class;
    NLL in bits per sample."""

    unit = "bits/sample"

    def __init__(self, args, rho):
        self.args, self.rho = args, rho
        rows = read_manifest(args.corpus)
        self.voices = sorted({(vi, vn) for _, vi, vn, _, _ in rows})
        if [vi for vi, _ in self.voices] != list(range(len(self.voices))):
            raise SystemExit("voice indices of %s are not 0..N-1" % args.corpus)
        self.classes = len(self.voices)
        if args.classes != self.classes:
            raise SystemExit("the corpus has %d voices: use --classes %d" % (self.classes, self.classes))
        self.k, self.sample_rate = 256, None
        self.split = {"train": [], "valid": [], "test": []}
        for sp, vi, _, rel, n in rows:
            if sp in self.split:
                self.split[sp].append((vi, rel))
        for sp in self.split:
            clips = self.split[sp]
            if args.limit:
                clips = first_per_voice(clips, args.limit)
            out = []
            for vi, rel in clips:
                s, rate = read_wav(os.path.join(args.corpus, rel))
                if self.sample_rate is None:
                    self.sample_rate = rate
                elif rate != self.sample_rate:
                    raise SystemExit("%s: sample rate %d, not %d" % (rel, rate, self.sample_rate))
                out.append((vi, torch.from_numpy(wavenet.mulaw_encode(s, self.k).astype(np.int64))))
            self.split[sp] = out
        self.shape = [self.sample_rate]  # one second: what a data item is
        lens = np.array([len(c) for _, c in self.split["train"]], dtype=np.float64)
        self.train_samples = int(lens.sum())
        self.p_clip = lens / lens.sum()
        self.updates_per_epoch = math.ceil(self.train_samples / (args.batch * args.window))
        self.describe = "speech corpus %s (scripts/make-speech-corpus.sh): %d voices as classes, %.1f min of " \
            "training audio at %d Hz, mu-law K=256 (SPEC 3.9)" % (args.corpus, self.classes,
                                                                 self.train_samples / self.sample_rate / 60,
                                                                 self.sample_rate)

    def batch(self, model, epoch, i):
        """Loss (nats per scored sample) of update i of an epoch: --batch
        random windows of --window scored samples, each with up to rho
        samples of context before it (right-padded if the clip ends)."""
        a = self.args
        rng = np.random.default_rng([a.seed, epoch, i])
        W, rho = a.window, self.rho
        n = W + rho
        x = torch.zeros(a.batch, n, dtype=torch.float32)
        mask = torch.zeros(a.batch, n)
        y = torch.empty(a.batch, dtype=torch.long)
        clips = self.split["train"]
        for b, ci in enumerate(rng.choice(len(clips), size=a.batch, p=self.p_clip)):
            vi, c = clips[ci]
            o = int(rng.integers(0, max(0, len(c) - W) + 1))  # first scored sample
            s = max(0, o - rho)  # window start: the clip start, or rho before o
            seg = c[s:s + n]
            x[b, :len(seg)] = seg.float()
            mask[b, o - s:min(o - s + W, len(seg))] = 1
            y[b] = vi
        lp = model.step_log_probs(model.logits(x, y), x.long())
        return -(lp * mask).sum() / mask.sum()

    def label_freq(self):
        y = torch.tensor([vi for vi, _ in self.split["train"]])
        return torch.bincount(y, minlength=self.classes).double() / y.shape[0]

    @torch.no_grad()
    def nll(self, model, split, subset=0, marginal=False):
        """Bits per sample over whole clips (every voice's first subset/N
        clips if subset), given the voice or the voice marginal."""
        clips = self.split[split]
        if subset:
            clips = first_per_voice(clips, max(1, subset // self.classes))
        tot, cnt = 0.0, 0
        for vi, c in clips:
            x = c.float().unsqueeze(0)
            lp = model.log_prob(x, None if marginal else torch.tensor([vi]))
            tot += -lp.double().item()
            cnt += len(c)
        return tot / cnt / LN2


def load_data(args):
    if args.data == "mnist":
        return MNISTData(args)
    return SpeechData(args, wavenet.receptive_field(dilations(args)))


def build(args, data):
    return wavenet.WaveNet(dilations(args), args.residual, args.gate, args.skip, args.head, k=data.k,
                           classes=data.classes, shape=data.shape, sample_rate=data.sample_rate)


# ---------------------------------------------------------------- training


def logger(out):
    """The training log: out.train.log and stderr."""
    return resumable.logger("train_wavenet", out + ".train.log")


def train(args):
    torch.set_num_threads(args.threads)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    log = logger(args.out)
    ckpt_path = args.out + ".ckpt.pt"
    data = load_data(args)
    model = build(args, data)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    state = {"epoch": 0, "pos": 0, "step": 0, "minutes": 0.0, "best": math.inf, "best_state": None,
             "history": []}
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        if any(ck["args"][k] != getattr(args, k) for k in SIZE_KEYS):
            raise SystemExit("checkpoint %s was made with other sizes: %s" % (ckpt_path, ck["args"]))
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        state = ck["state"]
        log.info("resumed from %s: epoch %d update %d step %d, %.1f min trained, best valid %.4f",
                 ckpt_path, state["epoch"], state["pos"], state["step"], state["minutes"], state["best"])
    else:
        torch.manual_seed(args.seed)
        model.reset_parameters()
        log.info("args %s", vars(args))
        log.info("data %s", data.describe)
        log.info("params %d, receptive field %d, %d updates per epoch", sum(p.numel() for p in model.parameters()),
                 model.receptive_field, data.updates_per_epoch)

    def checkpoint():
        atomic_save({"args": vars(args), "model": model.state_dict(), "opt": opt.state_dict(), "state": state},
                    ckpt_path)

    n = data.updates_per_epoch
    evals = sorted({round(n * (i + 1) / args.evals_per_epoch) for i in range(args.evals_per_epoch)})
    last_ck = t_log = t0 = time.time()
    base_minutes = state["minutes"]
    run, runn = 0.0, 0
    while state["epoch"] < args.max_epochs:
        e = state["epoch"]
        for g in opt.param_groups:
            g["lr"] = args.lr * args.lr_decay ** e
        while state["pos"] < n:
            loss = data.batch(model, e, state["pos"])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            opt.step()
            state["pos"] += 1
            state["step"] += 1
            run += loss.item()
            runn += 1
            state["minutes"] = base_minutes + (time.time() - t0) / 60
            if state["step"] % 50 == 0:
                log.info("step %d: train loss %.4f nats over the last %d updates, %.2f s/update", state["step"],
                         run / max(runn, 1), runn, (time.time() - t_log) / 50)
                t_log = time.time()
            if state["pos"] in evals:
                model.eval()
                v = data.nll(model, "valid", args.eval_subset)
                model.train()
                state["history"].append({"epoch": e, "pos": state["pos"], "step": state["step"], "valid": v,
                                         "train": run / max(runn, 1), "minutes": state["minutes"]})
                log.info("epoch %d update %d/%d step %d train %.4f nats valid[:%d]%s %.4f %s lr %.2e (%.1f min)",
                         e, state["pos"], n, state["step"], run / max(runn, 1), args.eval_subset,
                         "|y" if data.classes else "", v, data.unit, opt.param_groups[0]["lr"], state["minutes"])
                run, runn = 0.0, 0
                if v < state["best"]:
                    state["best"] = v
                    state["best_state"] = {k: t.clone() for k, t in model.state_dict().items()}
                    state["best_at"] = {"epoch": e, "pos": state["pos"], "step": state["step"]}
                checkpoint()
                last_ck = time.time()
            elif time.time() - last_ck > args.checkpoint_minutes * 60:
                checkpoint()
                last_ck = time.time()
        state["epoch"] += 1
        state["pos"] = 0
        checkpoint()
    log.info("max epochs reached")
    return finish(args.out, threads=args.threads)


def finish(out, threads=1, marginal=True, evaluate=True):
    """Evaluate the best model of out's checkpoint and export it to out.arw.

    The test NLL is given the label (log p(x | y)) and, unless marginal is
    False (`finish --given-label`), also the class marginal
    log sum_y p(y) p(x | y); evaluate=False (`finish --no-eval`) exports
    without evaluating."""
    torch.set_num_threads(threads)
    log = logger(out)
    ck = torch.load(out + ".ckpt.pt")
    args = argparse.Namespace(**ck["args"])
    state = ck["state"]
    if state["best_state"] is None:
        raise SystemExit("no evaluation has completed yet; nothing to export")
    data = load_data(args)
    model = build(args, data)
    model.load_state_dict(state["best_state"])
    if data.classes:
        with torch.no_grad():
            model.class_logits.copy_(data.label_freq().log().float())
    model.eval()
    t = time.time()
    metrics = {}
    if evaluate:
        metrics["test_nll"] = data.nll(model, "test", marginal=True) if marginal or not data.classes else None
        if data.classes:
            metrics["test_nll_given_label"] = data.nll(model, "test")
    metrics = {k: v for k, v in metrics.items() if v is not None}
    epochs = state["best_at"]["epoch"] + state["best_at"]["pos"] / data.updates_per_epoch
    metrics.update(train_minutes=round(state["minutes"], 1), updates=state["best_at"]["step"],
                   epochs=round(epochs, 3), eval_minutes=round((time.time() - t) / 60, 1))
    log.info("best model (step %d): %s", state["best_at"]["step"], json.dumps(metrics))
    unit = "nats" if args.data == "mnist" else "bits_per_sample"
    meta = {"dataset": data.describe, "trainer": "python/train_wavenet.py",
            "command": "scripts/train-wavenet-%s.sh" % args.data, "train_minutes": metrics["train_minutes"],
            "updates": metrics["updates"], "epochs": metrics["epochs"],
            "valid_subset%d_nll_given_label_%s" % (args.eval_subset, unit): round(state["best"], 4)}
    for key in ("test_nll", "test_nll_given_label"):
        if key in metrics:
            meta["%s_%s" % (key, unit)] = round(metrics[key], 4)
    model.to_arw(out + ".arw", meta)
    with open(out + ".json", "w") as f:
        json.dump({"metrics": metrics, "unit": unit, "args": vars(args), "header": model.header()}, f, indent=1)
    print(json.dumps(metrics))
    return 0


if __name__ == "__main__":
    if len(sys.argv) in (3, 4) and sys.argv[1] == "finish":
        if len(sys.argv) == 4 and sys.argv[3] not in ("--given-label", "--no-eval"):
            sys.exit("usage: train_wavenet.py finish OUT [--given-label | --no-eval]")
        opt = sys.argv[3] if len(sys.argv) == 4 else ""
        sys.exit(finish(sys.argv[2], marginal=opt == "", evaluate=opt != "--no-eval"))
    sys.exit(train(parse_args()))
