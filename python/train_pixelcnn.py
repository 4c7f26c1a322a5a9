"""Train a (Gated) PixelCNN on binarized MNIST (python/mnist.py), resumably.

Adam on minibatches with a per-epoch exponential lr decay; the labels
condition the model when --classes 10. Every --checkpoint-minutes the whole
training state (model, optimizer, epoch, position in the epoch, best model,
elapsed time) goes to <out>.ckpt.pt, written atomically; run the same command
again and it resumes from there, so a session that is stopped without
warning loses at most that many minutes. The validation NLL (first
--eval-subset images, conditional on the true label for a class-conditional
model) is logged --evals-per-epoch times an epoch, and the best model so far
is kept. At the end (--max-epochs, or `train_pixelcnn.py finish`), the best
model's class prior is set to the training split's label frequencies, its
valid and test NLL are computed (unconditional: log sum_y p(y) p(x | y)) and it
is exported to <out>.arw.

    /usr/bin/python3 python/train_pixelcnn.py --arch gatedpixelcnn --channels 48 --layers 10 \
        --kernel-size 3 --head-channels 64 --classes 10 --out checkpoints/gated
    /usr/bin/python3 python/train_pixelcnn.py finish checkpoints/gated [--given-label | --no-eval]  # export the best so far
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
import pixelcnn  # noqa: E402
import resumable  # noqa: E402
from resumable import atomic_save  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", required=True, choices=["pixelcnn", "gatedpixelcnn"])
    p.add_argument("--out", required=True, help="output path prefix (no extension)")
    p.add_argument("--channels", type=int, default=48)
    p.add_argument("--layers", type=int, default=10)
    p.add_argument("--kernel-size", type=int, default=3)
    p.add_argument("--input-kernel", type=int, default=7, help="pixelcnn only")
    p.add_argument("--head-channels", type=int, default=64)
    p.add_argument("--classes", type=int, default=10, choices=[0, 10])
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--lr-decay", type=float, default=0.9, help="lr multiplier per epoch")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--max-epochs", type=int, default=30)
    p.add_argument("--evals-per-epoch", type=int, default=4)
    p.add_argument("--eval-subset", type=int, default=2000)
    p.add_argument("--checkpoint-minutes", type=float, default=4.0)
    p.add_argument("--clip", type=float, default=100.0, help="gradient norm clip")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--limit", type=int, default=0, help="use only the first N images of each split (sanity runs)")
    p.add_argument("--data-dir", default=None)
    return p.parse_args(argv)


def build(args):
    kw = dict(h=mnist.ROWS, w=mnist.COLS, channels=args.channels, layers=args.layers,
              kernel_size=args.kernel_size, head_channels=args.head_channels, k=2, classes=args.classes)
    if args.arch == "pixelcnn":
        return pixelcnn.PixelCNN(input_kernel=args.input_kernel, **kw)
    return pixelcnn.GatedPixelCNN(**kw)


def load_split(split, args):
    x, y = mnist.binarized(split, args.data_dir)
    if args.limit:
        x, y = x[:args.limit], y[:args.limit]
    return torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y.astype(np.int64))


@torch.no_grad()
def nll(model, x, y, batch=100, marginal=False):
    """Mean NLL in nats: conditional on y, or the model's marginal."""
    model.eval()
    tot = 0.0
    for s in range(0, x.shape[0], batch):
        yb = None if (marginal or not model.classes) else y[s:s + batch]
        tot += -model.log_prob(x[s:s + batch], yb).double().sum().item()
    model.train()
    return tot / x.shape[0]


def train(args):
    torch.set_num_threads(args.threads)
    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    log = logger(args.out)
    ckpt_path = args.out + ".ckpt.pt"
    xtr, ytr = load_split("train", args)
    xva, yva = load_split("valid", args)
    xva, yva = xva[:args.eval_subset], yva[:args.eval_subset]
    model = build(args)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    state = {"epoch": 0, "pos": 0, "step": 0, "minutes": 0.0, "best": math.inf, "best_state": None,
             "history": []}
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        if ck["args"]["arch"] != args.arch or any(ck["args"][k] != getattr(args, k) for k in
                                                  ("channels", "layers", "kernel_size", "head_channels", "classes")):
            raise SystemExit("checkpoint %s was made with other sizes: %s" % (ckpt_path, ck["args"]))
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        state = ck["state"]
        log.info("resumed from %s: epoch %d position %d step %d, %.1f min trained, best valid %.4f",
                 ckpt_path, state["epoch"], state["pos"], state["step"], state["minutes"], state["best"])
    else:
        torch.manual_seed(args.seed)
        model.reset_parameters()
        log.info("args %s", vars(args))
        log.info("params %d", sum(p.numel() for p in model.parameters()))

    def checkpoint():
        atomic_save({"args": vars(args), "model": model.state_dict(), "opt": opt.state_dict(), "state": state},
                    ckpt_path)

    n = xtr.shape[0]
    evals = sorted({round(n * (i + 1) / args.evals_per_epoch) for i in range(args.evals_per_epoch)})
    last_ck = time.time()
    t0 = time.time()
    base_minutes = state["minutes"]
    run, runn = 0.0, 0
    t_log = time.time()
    while state["epoch"] < args.max_epochs:
        e = state["epoch"]
        for g in opt.param_groups:
            g["lr"] = args.lr * args.lr_decay ** e
        perm = torch.randperm(n, generator=torch.Generator().manual_seed(args.seed * 1000 + e))
        while state["pos"] < n:
            s = state["pos"]
            idx = perm[s:s + args.batch]
            loss = -model.log_prob(xtr[idx], ytr[idx] if args.classes else None).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            opt.step()
            state["pos"] = s + idx.shape[0]
            state["step"] += 1
            run += loss.item()
            runn += 1
            state["minutes"] = base_minutes + (time.time() - t0) / 60
            if state["step"] % 100 == 0:
                log.info("step %d: train loss %.3f over the last %d updates, %.2f s/update", state["step"],
                         run / max(runn, 1), runn, (time.time() - t_log) / 100)
                t_log = time.time()
            if any(s < b <= state["pos"] for b in evals):
                v = nll(model, xva, yva)
                state["history"].append({"epoch": e, "pos": state["pos"], "step": state["step"], "valid": v,
                                         "train": run / max(runn, 1), "minutes": state["minutes"]})
                log.info("epoch %d pos %d step %d train %.3f valid[:%d]%s %.3f lr %.2e (%.1f min)", e, state["pos"],
                         state["step"], run / max(runn, 1), xva.shape[0], "|y" if args.classes else "", v,
                         opt.param_groups[0]["lr"], state["minutes"])
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
    return finish(args.out)


def logger(out):
    """The training log: out.train.log and stderr."""
    return resumable.logger("train_pixelcnn", out + ".train.log")


def finish(out, threads=2, marginal=True, evaluate=True):
    """Evaluate the best model of out's checkpoint and export it to out.arw.

    The valid and test NLL are the unconditional log sum_y p(y) p(x | y),
    one pass per class; with marginal=False (`finish --given-label`, about
    a tenth of the time) only log p(x | y) with the true labels is computed,
    and with evaluate=False (`finish --no-eval`) nothing: the test NLL is
    then left to `arinfer score`."""
    import arw
    torch.set_num_threads(threads)
    log = logger(out)
    ck = torch.load(out + ".ckpt.pt")
    args = argparse.Namespace(**ck["args"])
    state = ck["state"]
    if state["best_state"] is None:
        raise SystemExit("no evaluation has completed yet; nothing to export")
    model = build(args)
    model.load_state_dict(state["best_state"])
    _, ytr = load_split("train", args)
    if args.classes:
        freq = torch.bincount(ytr, minlength=args.classes).double() / ytr.shape[0]
        with torch.no_grad():
            model.class_logits.copy_(freq.log().float())
    xva, yva = load_split("valid", args)
    xte, yte = load_split("test", args)
    t = time.time()
    metrics = {}
    if not evaluate:
        pass
    elif marginal or not args.classes:
        metrics = {"valid_nll": nll(model, xva, yva, marginal=True), "test_nll": nll(model, xte, yte, marginal=True)}
    if args.classes and evaluate:
        metrics["valid_nll_given_label"] = nll(model, xva, yva)
        metrics["test_nll_given_label"] = nll(model, xte, yte)
    metrics.update(train_minutes=round(state["minutes"], 1), updates=state["best_at"]["step"],
                   epochs=round(state["best_at"]["epoch"] + state["best_at"]["pos"] / ytr.shape[0], 3),
                   eval_minutes=round((time.time() - t) / 60, 1))
    log.info("best model (step %d): %s", state["best_at"]["step"], json.dumps(metrics))
    header = dict(model.header())
    header["meta"] = {"dataset": "binarized MNIST (python/mnist.py), raster order, labels as classes",
                      "trainer": "python/train_pixelcnn.py", "command": "scripts/train-pixelcnn.sh",
                      "train_minutes": metrics["train_minutes"], "updates": metrics["updates"],
                      "epochs": metrics["epochs"],
                      "valid_first%d_nll_given_label_nats" % args.eval_subset: round(state["best"], 4)}
    for key in ("test_nll", "valid_nll", "test_nll_given_label", "valid_nll_given_label"):
        if key in metrics:
            header["meta"][key + "_nats"] = round(metrics[key], 4)
    tensors = model.tensors()
    arw.write(out + ".arw", header, tensors, dtypes={k: "float32" for k in tensors})
    with open(out + ".json", "w") as f:
        json.dump({"metrics": metrics, "args": vars(args), "header": model.header(),
                   "binarization": {"seed": mnist.SEED, "gomnist": mnist.GOMNIST_VERSION}}, f, indent=1)
    print(json.dumps(metrics))
    return 0


if __name__ == "__main__":
    if len(sys.argv) in (3, 4) and sys.argv[1] == "finish":
        if len(sys.argv) == 4 and sys.argv[3] not in ("--given-label", "--no-eval"):
            sys.exit("usage: train_pixelcnn.py finish OUT [--given-label | --no-eval]")
        opt = sys.argv[3] if len(sys.argv) == 4 else ""
        sys.exit(finish(sys.argv[2], marginal=opt == "", evaluate=opt != "--no-eval"))
    sys.exit(train(parse_args()))
