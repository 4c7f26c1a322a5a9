"""Train a recurrent autoregressive model (python/rnn.py) on binarized MNIST
in raster order (python/mnist.py: same binarization and 50k/10k/10k split).

Adam on minibatches; every --eval-every updates the NLL of a fixed subset of
--eval-subset validation images is measured and the best state kept (early
stopping after --patience evaluations without improvement, lr halved after
--plateau). Training stops at early stopping, --max-epochs or the wall-clock
budget --max-minutes (training time; the final evaluation of the best state
on the full validation and test splits comes after it). Saved:

  <out>.pt    torch checkpoint (state_dict + constructor args + metrics)
  <out>.npz   model.tensors() (the .arw tensors)
  <out>.json  model.header() plus the training record
  <out>.arw   if python/arw.py is available: the .arw file, test NLL in meta

Example (the command of models/mnist-lstm.arw is in scripts/train-lstm.sh):
  /usr/bin/python3 python/train_rnn.py --arch lstm --hidden 64 --out models/mnist-lstm
"""

import argparse
import json
import logging
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist  # noqa: E402
import rnn  # noqa: E402


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
    p.add_argument("--max-minutes", type=float, default=60.0, help="training wall-clock budget")
    p.add_argument("--limit", type=int, default=0, help="use only the first N images of each split (sanity runs)")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--log", default=None, help="log file (default <out>.train.log)")
    return p.parse_args(argv)


@torch.no_grad()
def nll(model, x, batch):
    model.eval()
    tot = 0.0
    for s in range(0, x.shape[0], batch):
        tot += -model.log_prob(x[s:s + batch]).double().sum().item()
    model.train()
    return tot / x.shape[0]


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s",
                        handlers=[logging.FileHandler(args.log or args.out + ".train.log"), logging.StreamHandler()])
    log = logging.getLogger("train_rnn")
    log.info("args %s", vars(args))

    data = {}
    for s in mnist.SPLITS:
        x, _ = mnist.binarized(s, args.data_dir)
        if args.limit:
            x = x[:args.limit]
        data[s] = torch.from_numpy(x.astype(np.float32))
    log.info("data %s", {k: tuple(v.shape) for k, v in data.items()})
    vsub = data["valid"][:args.eval_subset]

    kw = {"arch": args.arch, "d": mnist.D, "k": 2, "dist": "bernoulli", "hidden": args.hidden,
          "layers": args.layers, "embed": args.embed, "shape": (mnist.ROWS, mnist.COLS)}
    model = rnn.RNN(**kw)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    start = time.time()
    best, best_step, bad, plateau_bad = math.inf, -1, 0, 0
    gen = torch.Generator().manual_seed(args.seed)
    xtr = data["train"]
    step, run, runn = 0, 0.0, 0
    stop = None
    for epoch in range(args.max_epochs):
        perm = torch.randperm(xtr.shape[0], generator=gen)
        for s in range(0, xtr.shape[0], args.batch):
            xb = xtr[perm[s:s + args.batch]]
            loss = -model.log_prob(xb).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            opt.step()
            step += 1
            run += loss.item()
            runn += 1
            minutes = (time.time() - start) / 60
            if step % args.eval_every == 0 or minutes > args.max_minutes:
                v = nll(model, vsub, args.eval_batch)
                log.info("epoch %d step %d train %.3f valid[:%d] %.3f lr %.2e (%.1f min)",
                         epoch, step, run / runn, vsub.shape[0], v, opt.param_groups[0]["lr"],
                         (time.time() - start) / 60)
                run, runn = 0.0, 0
                if v < best:
                    best, best_step, bad, plateau_bad = v, step, 0, 0
                    save(model, kw, args, {"valid_subset_nll": v, "step": step, "epoch": epoch}, partial=True)
                else:
                    bad += 1
                    plateau_bad += 1
                    if plateau_bad >= args.plateau:
                        plateau_bad = 0
                        for g in opt.param_groups:
                            g["lr"] *= args.plateau_factor
                        log.info("plateau: lr -> %.2e", opt.param_groups[0]["lr"])
                    if bad >= args.patience:
                        stop = "early stopping at step %d (best %d)" % (step, best_step)
            if minutes > args.max_minutes:
                stop = stop or "wall-clock budget of %.1f min reached at step %d (epoch %d)" % (
                    args.max_minutes, step, epoch)
            if stop:
                break
        if stop:
            break
    log.info("%s", stop or "max epochs reached")
    if best_step < 0:
        log.error("no evaluation completed; nothing saved")
        return 1
    train_minutes = (time.time() - start) / 60
    ck = torch.load(args.out + ".pt")
    model.load_state_dict(ck["state_dict"])
    v = nll(model, data["valid"], args.eval_batch)
    t = nll(model, data["test"], args.eval_batch)
    metrics = {"valid_nll": v, "test_nll": t, "step": best_step, "epochs": best_step * args.batch / xtr.shape[0],
               "train_minutes": train_minutes, "eval_minutes": (time.time() - start) / 60 - train_minutes}
    save(model, kw, args, metrics, partial=False)
    log.info("best step %d: valid NLL %.3f nats, test NLL %.3f nats", best_step, v, t)
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
        try:
            export(args.out + ".pt", args.out + ".arw")
        except ImportError as e:
            logging.getLogger("train_rnn").warning(
                "python/arw.py not available (%s): export later with `train_rnn.py export %s.pt %s.arw`",
                e, args.out, args.out)


def export(pt, out, extra=None):
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
            "command": "scripts/train-lstm.sh"}
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


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "export":
        # train_rnn.py export CHECKPOINT.pt OUT.arw [key=value ...]
        extra = dict(kv.split("=", 1) for kv in sys.argv[4:])
        print(export(sys.argv[2], sys.argv[3], {k: _value(v) for k, v in extra.items()}))
        sys.exit(0)
    sys.exit(main())
