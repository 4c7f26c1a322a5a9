"""Train a recurrent autoregressive model (python/rnn.py) on binarized MNIST
in raster order (python/mnist.py: same binarization and 50k/10k/10k split),
resumably.

Adam on minibatches; every --eval-every updates the NLL of a fixed subset of
--eval-subset validation images is measured and the best state kept (early
stopping after --patience evaluations without improvement, lr halved after
--plateau). Training stops at early stopping, --max-epochs, --max-steps or
the budget --max-minutes (training time summed over every resumed session;
the final evaluation of the best state on the full validation and test
splits comes after it).

Every --checkpoint-minutes, at every evaluation and at the end, the whole
training state (model, optimizer, lr and plateau/patience counters, step,
epoch, position in the epoch's permutation, random-number states, best state
so far, minutes trained) goes to <out>.ckpt.pt, written atomically. Running
the same command again resumes from it exactly (the sizes must match; the
budgets and schedule may be changed, e.g. a larger --max-minutes trains
further); --fresh discards it. At the end the best state is scored on the
full validation and test splits and saved:

  <out>.pt    torch checkpoint (state_dict + constructor args + metrics)
  <out>.npz   model.tensors() (the .arw tensors)
  <out>.json  model.header() plus the training record
  <out>.arw   the .arw file, test NLL in its meta

`train_rnn.py finish OUT [--no-eval]` does that for the best state of
OUT.ckpt.pt without training further (to ship the best so far).

Examples (the commands of the shipped models are scripts/train-lstm*.sh):
  /usr/bin/python3 python/train_rnn.py --arch lstm --hidden 64 --out models/mnist-lstm
  /usr/bin/python3 python/train_rnn.py finish models/mnist-lstm
  /usr/bin/python3 python/train_rnn.py export models/mnist-lstm.pt models/mnist-lstm.arw [key=value ...]
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist  # noqa: E402
import rnn  # noqa: E402
from resumable import Timer, atomic_save, logger, rng_states, set_rng_states, set_threads  # noqa: E402

# The arguments a checkpoint must have been made with to be resumed.
SIZE_KEYS = ("arch", "hidden", "layers", "embed", "batch", "seed", "limit")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", default="lstm", choices=["lstm", "gru"])
    p.add_argument("--out", required=True, help="output path prefix (no extension)")
    p.add_argument("--hidden", type=int, default=64)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--embed", type=int, default=16)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--plateau", type=int, default=4)
    p.add_argument("--plateau-factor", type=float, default=0.5)
    p.add_argument("--patience", type=int, default=10)
    p.add_argument("--clip", type=float, default=1.0, help="gradient norm clip")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--eval-every", type=int, default=100, help="updates between validation checks")
    p.add_argument("--eval-subset", type=int, default=1000, help="validation images per check")
    p.add_argument("--eval-batch", type=int, default=500)
    p.add_argument("--max-epochs", type=int, default=1000)
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many updates in all (0: no limit)")
    p.add_argument("--max-minutes", type=float, default=60.0, help="training wall-clock budget, all sessions")
    p.add_argument("--checkpoint-minutes", type=float, default=3.0, help="wall-clock minutes between checkpoints")
    p.add_argument("--fresh", action="store_true", help="start over even if <out>.ckpt.pt exists")
    p.add_argument("--resume", action="store_true",
                   help="require <out>.ckpt.pt (without it a run resumes if the file exists, starts if not)")
    p.add_argument("--limit", type=int, default=0, help="use only the first N images of each split (sanity runs)")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--threads", type=int, default=1, help="for torch and OpenBLAS (resumable.set_threads)")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--log", default=None, help="log file (default <out>.train.log)")
    p.add_argument("--command", default="scripts/train-lstm.sh", help="the command recorded in the .arw meta")
    a = p.parse_args(argv)
    if a.fresh and a.resume:
        p.error("--fresh and --resume exclude each other")
    return a


_RAW = {}  # (split, dir) -> mnist.load(): the IDX files are read once per process


def load_data(args):
    """The three splits as float32 [N, 784] tensors (the first --limit
    images of each, binarized alone: bit-identical to the split's prefix)."""
    data = {}
    for s in mnist.SPLITS:
        if args.limit:
            key = (s, mnist.locate(args.data_dir))
            if key not in _RAW:
                _RAW[key] = mnist.load(*key)
            imgs, _ = _RAW[key]
            offset = {"train": 0, "valid": mnist.TRAIN_SIZE, "test": 60000}[s]
            x = mnist.binarize(imgs[:args.limit], offset)
        else:
            x, _ = mnist.binarized(s, args.data_dir)
        data[s] = torch.from_numpy(x.astype(np.float32))
    return data


def model_kwargs(args):
    return {"arch": args.arch, "d": mnist.D, "k": 2, "dist": "bernoulli", "hidden": args.hidden,
            "layers": args.layers, "embed": args.embed, "shape": (mnist.ROWS, mnist.COLS)}


@torch.no_grad()
def nll(model, x, batch):
    model.eval()
    tot = 0.0
    for s in range(0, x.shape[0], batch):
        tot += -model.log_prob(x[s:s + batch]).double().sum().item()
    model.train()
    return tot / x.shape[0]


def new_state(args):
    return {"epoch": 0, "pos": 0, "step": 0, "minutes": 0.0, "perm": None,
            "best": math.inf, "best_state": None, "best_at": None, "bad": 0, "plateau_bad": 0,
            "run": 0.0, "runn": 0, "stop": None, "history": []}


def train(args):
    """Train (or resume) as args say, then finish; returns the exit code."""
    setup = set_threads(args.threads)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    log_path = args.log or args.out + ".train.log"
    log = logger("train_rnn", log_path)
    log.info("process %s", setup)
    ckpt_path = args.out + ".ckpt.pt"
    if args.fresh and os.path.exists(ckpt_path):
        os.remove(ckpt_path)
    if args.resume and not os.path.exists(ckpt_path):
        raise SystemExit("--resume: no checkpoint %s" % ckpt_path)

    data = load_data(args)
    vsub = data["valid"][:args.eval_subset]
    xtr = data["train"]
    n = xtr.shape[0]
    kw = model_kwargs(args)
    torch.manual_seed(args.seed)
    model = rnn.RNN(**kw)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    gen = torch.Generator().manual_seed(args.seed)
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        if any(ck["args"].get(k) != getattr(args, k) for k in SIZE_KEYS):
            raise SystemExit("checkpoint %s was made with other sizes: %s" % (
                ckpt_path, {k: ck["args"].get(k) for k in SIZE_KEYS}))
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        set_rng_states(ck["rng"], gen)
        state = ck["state"]
        log.info("resumed from %s: epoch %d position %d/%d step %d, %.1f min trained, best valid %.4f, lr %.2e",
                 ckpt_path, state["epoch"], state["pos"], n, state["step"], state["minutes"], state["best"],
                 opt.param_groups[0]["lr"])
    else:
        state = new_state(args)
        log.info("args %s", vars(args))
        log.info("data %s", {k: tuple(v.shape) for k, v in data.items()})
        log.info("params %d, %d updates per epoch", sum(p.numel() for p in model.parameters()),
                 math.ceil(n / args.batch))

    def checkpoint():
        atomic_save({"args": vars(args), "kwargs": kw, "model": model.state_dict(), "opt": opt.state_dict(),
                     "rng": rng_states(gen), "state": state}, ckpt_path)
        timer.reset()

    def budget():
        """Why training must stop now, or None."""
        if state["stop"]:
            return state["stop"]
        if state["minutes"] >= args.max_minutes:
            return "wall-clock budget of %.1f min reached at step %d (epoch %d)" % (
                args.max_minutes, state["step"], state["epoch"])
        if args.max_steps and state["step"] >= args.max_steps:
            return "max steps %d reached (epoch %d)" % (args.max_steps, state["epoch"])
        if state["epoch"] >= args.max_epochs:
            return "max epochs reached"
        return None

    def evaluate(last=False):
        """Validate; the last check before a budget stop only keeps the
        state if it is the best (the patience and plateau counters, the lr
        and the running train loss are left to the regular checks)."""
        v = nll(model, vsub, args.eval_batch)
        lr = opt.param_groups[0]["lr"]
        log.info("epoch %d step %d train %.3f valid[:%d] %.3f lr %.2e (%.1f min)", state["epoch"], state["step"],
                 state["run"] / max(state["runn"], 1), vsub.shape[0], v, lr, state["minutes"])
        state["history"].append({"epoch": state["epoch"], "pos": state["pos"], "step": state["step"], "valid": v,
                                 "train": state["run"] / max(state["runn"], 1), "lr": lr,
                                 "minutes": state["minutes"]})
        if v < state["best"]:
            state["best"] = v
            state["best_state"] = {k: t.clone() for k, t in model.state_dict().items()}
            state["best_at"] = {"epoch": state["epoch"], "pos": state["pos"], "step": state["step"]}
        if last:
            return
        state["run"], state["runn"] = 0.0, 0
        if state["best_at"]["step"] == state["step"]:
            state["bad"], state["plateau_bad"] = 0, 0
            return
        state["bad"] += 1
        state["plateau_bad"] += 1
        if state["plateau_bad"] >= args.plateau:
            state["plateau_bad"] = 0
            for g in opt.param_groups:
                g["lr"] *= args.plateau_factor
            log.info("plateau: lr -> %.2e", opt.param_groups[0]["lr"])
        if state["bad"] >= args.patience:
            state["stop"] = "early stopping at step %d (best %d)" % (state["step"], state["best_at"]["step"])

    timer = Timer(args.checkpoint_minutes)
    t0, base = time.time(), state["minutes"]
    stop = budget()
    while stop is None:
        if state["perm"] is None:
            state["perm"] = torch.randperm(n, generator=gen)
        while state["pos"] < n:
            xb = xtr[state["perm"][state["pos"]:state["pos"] + args.batch]]
            loss = -model.log_prob(xb).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            opt.step()
            state["pos"] += xb.shape[0]
            state["step"] += 1
            state["run"] += loss.item()
            state["runn"] += 1
            state["minutes"] = base + (time.time() - t0) / 60
            stop = budget()
            if state["step"] % args.eval_every == 0 or stop:
                evaluate(last=state["step"] % args.eval_every != 0)
                state["minutes"] = base + (time.time() - t0) / 60
                stop = budget()
                checkpoint()
            elif timer.due():
                checkpoint()
            if stop:
                break
        if state["pos"] >= n:
            state["epoch"], state["pos"], state["perm"] = state["epoch"] + 1, 0, None
            checkpoint()
            stop = budget()
    log.info("%s", stop)
    if state["best_state"] is None:
        log.error("no evaluation completed; nothing saved")
        return 1
    return finish(args.out, data=data)


def finish(out, evaluate=True, data=None):
    """Score the best state of out.ckpt.pt on the full validation and test
    splits (unless evaluate is False; data: load_data's splits if already
    loaded) and save out.pt/.npz/.json/.arw."""
    ck = torch.load(out + ".ckpt.pt")
    args = argparse.Namespace(**ck["args"])
    set_threads(args.threads)
    log = logger("train_rnn", args.log or out + ".train.log")
    state = ck["state"]
    if state["best_state"] is None:
        raise SystemExit("no evaluation has completed yet; nothing to export")
    model = rnn.RNN(**ck["kwargs"])
    model.load_state_dict(state["best_state"])
    t = time.time()
    metrics = {"valid_subset_nll": state["best"]}
    if evaluate:
        data = data or load_data(args)
        metrics.update(valid_nll=nll(model, data["valid"], args.eval_batch),
                       test_nll=nll(model, data["test"], args.eval_batch))
    best = state["best_at"]
    n = min(args.limit, mnist.TRAIN_SIZE) if args.limit else mnist.TRAIN_SIZE
    metrics.update(step=best["step"], epochs=best["epoch"] + best["pos"] / n,
                   train_minutes=state["minutes"], eval_minutes=(time.time() - t) / 60)
    save(model, ck["kwargs"], args, metrics, partial=False)
    if evaluate:
        log.info("best step %d: valid NLL %.3f nats, test NLL %.3f nats", best["step"], metrics["valid_nll"],
                 metrics["test_nll"])
    else:
        log.info("best step %d exported without evaluation (valid[:%d] %.3f)", best["step"], args.eval_subset,
                 state["best"])
    print(json.dumps(metrics))
    return 0


def record(model, args, metrics, partial):
    return {"metrics": metrics, "final": not partial, "args": vars(args),
            "binarization": {"seed": mnist.SEED, "gomnist": mnist.GOMNIST_VERSION}}


def save(model, kw, args, metrics, partial):
    torch.save({"kwargs": kw, "state_dict": model.state_dict(), "metrics": metrics}, args.out + ".pt")
    np.savez(args.out + ".npz", **model.tensors())
    rec = dict(record(model, args, metrics, partial), header=model.header())
    with open(args.out + ".json", "w") as f:
        json.dump(rec, f, indent=1)
    if not partial:
        export(args.out + ".pt", args.out + ".arw", command=getattr(args, "command", None))


def export(pt, out, extra=None, command=None):
    """Write the checkpoint pt to the .arw file out; its metrics (test NLL,
    valid NLL, training minutes) and the extra entries go to the header's
    meta."""
    import arw  # python/arw.py, the format writer
    ck = torch.load(pt)
    model = rnn.RNN(**ck["kwargs"])
    model.load_state_dict(ck["state_dict"])
    header = dict(model.header())
    m = ck["metrics"]
    meta = {"dataset": "binarized MNIST (python/mnist.py), raster order", "trainer": "python/train_rnn.py",
            "command": command or "scripts/train-lstm.sh"}
    for key, name, digits in [("test_nll", "test_nll_nats", 4), ("valid_nll", "valid_nll_nats", 4),
                              ("valid_subset_nll", "valid_first1000_nll_nats", 4),
                              ("train_minutes", "train_minutes", 1), ("step", "updates", 0)]:
        if key in m:
            meta[name] = round(m[key], digits) if digits else m[key]
    meta.update(extra or {})
    header["meta"] = meta
    tensors = model.tensors()
    arw.write(out, header, tensors, dtypes={k: "float32" for k in tensors})
    return out


def _value(v):
    try:
        return float(v)
    except ValueError:
        return v


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) >= 3 and argv[0] == "export":
        # train_rnn.py export CHECKPOINT.pt OUT.arw [key=value ...]
        extra = dict(kv.split("=", 1) for kv in argv[3:])
        print(export(argv[1], argv[2], {k: _value(v) for k, v in extra.items()}))
        return 0
    if argv and argv[0] == "finish":
        if len(argv) not in (2, 3) or (len(argv) == 3 and argv[2] != "--no-eval"):
            sys.exit("usage: train_rnn.py finish OUT [--no-eval]")
        return finish(argv[1], evaluate=len(argv) == 2)
    return train(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
