"""Train FVSBN / NADE / MADE on binarized MNIST (see python/mnist.py).

Adam on minibatches, per-epoch exponential lr decay, early stopping on the
validation NLL, and a wall-clock budget.  The best state is saved as

  <out>.pt    torch checkpoint (state_dict + constructor args)
  <out>.npz   model.tensors() (exactly the .arw tensor names/layouts)
  <out>.json  model.header() plus training metrics (valid/test NLL in nats)

Example:
  /usr/bin/python3 python/train.py --arch made --hidden 500 --out models/made
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
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mnist  # noqa: E402
import models  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", required=True, choices=["fvsbn", "nade", "made"])
    p.add_argument("--out", required=True, help="output path prefix (no extension)")
    p.add_argument("--hidden", type=str, default="500", help="comma-separated hidden sizes")
    p.add_argument("--masks", type=int, default=1)
    p.add_argument("--direct", action="store_true")
    p.add_argument("--order-agnostic", action="store_true", help="MADE: random order for masks 1..K-1")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--lr-decay", type=float, default=1.0, help="lr multiplier per epoch")
    p.add_argument("--plateau-factor", type=float, default=0.5, help="lr multiplier after --plateau epochs without improvement")
    p.add_argument("--plateau", type=int, default=3)
    p.add_argument("--weight-decay", type=float, default=0.0, help="L2 penalty coefficient (Adam weight_decay)")
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--max-epochs", type=int, default=1000)
    p.add_argument("--max-minutes", type=float, default=50.0)
    p.add_argument("--patience", type=int, default=10)
    p.add_argument("--limit", type=int, default=0, help="use only the first N images of each split (sanity runs)")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--init", default=None, help="start from the weights of this .pt checkpoint (same arch and sizes)")
    p.add_argument("--nade-kernel", choices=["c", "torch"], default="c",
                   help="NADE gradients: fused C kernel (nade_c.py) or torch autograd")
    p.add_argument("--eval-batch", type=int, default=100)
    p.add_argument("--init-direct", default=None,
                   help="MADE --direct: start A and the output bias from this FVSBN .pt checkpoint (same order) "
                        "with Wout = 0, so training starts at the FVSBN's likelihood")
    p.add_argument("--dropout", type=float, default=0.0,
                   help="MADE: dropout probability on the hidden units while training")
    p.add_argument("--valid-masks", type=int, default=0,
                   help="MADE: per-epoch validation (early stopping) scores the mixture of the first N masks "
                        "(0 = all); the final valid/test figures always use all masks")
    p.add_argument("--teacher-pool", default=None,
                   help="MADE: also train on samples of a teacher (python/teacher.py's .npz), "
                        "with the teacher's conditionals as soft targets")
    p.add_argument("--pool-per-epoch", type=int, default=50000,
                   help="teacher samples added to each epoch (taken in turn from the pool)")
    return p.parse_args(argv)


def build_model(args):
    hidden = [int(h) for h in args.hidden.split(",") if h]
    if args.arch == "fvsbn":
        kw = {}
    elif args.arch == "nade":
        kw = {"h": hidden[0]}
    else:
        kw = {"hidden": hidden, "masks": args.masks, "direct": args.direct,
              "seed": args.seed, "order_agnostic": args.order_agnostic}
    return models.build(args.arch, **kw), kw


@torch.no_grad()
def nll(model, x, batch, fast=None, masks=0):
    """Mean NLL (nats) of x. fast (a nade_c.NADEGrad) is used for the
    per-epoch validation of NADE; the final numbers use torch. masks > 0
    scores a MADE as the mixture of its first masks components only."""
    model.eval()
    tot = 0.0
    for s in range(0, x.shape[0], batch):
        xb = x[s:s + batch]
        if fast is not None:
            tot += -fast.log_prob(xb).sum()
            continue
        if isinstance(model, models.NADE):
            lp = model.log_prob_fast(xb)
        elif isinstance(model, models.MADE) and 0 < masks < model.k:
            lp = torch.stack([model.log_prob_mask(xb, k) for k in range(masks)], dim=0)
            lp = torch.logsumexp(lp, dim=0) - math.log(masks)
        else:
            lp = model.log_prob(xb)
        tot += -lp.double().sum().item()
    model.train()
    return tot / x.shape[0]


def train_loss(model, xb, step, target=None):
    """Mean over the batch of the training loss: NLL, or with target (soft
    targets, MADE only) the cross-entropy sum_i H(target_i, p_i)."""
    if target is not None:
        lo = model.logits(xb, step % model.k)
        return F.binary_cross_entropy_with_logits(lo, target, reduction="none").sum(-1).mean()
    if isinstance(model, models.MADE):
        return -model.log_prob_mask(xb, step % model.k).mean()
    if isinstance(model, models.NADE):
        return -model.log_prob_fast(xb).mean()
    return -model.log_prob(xb).mean()


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    log = logging.getLogger("train")
    log.setLevel(logging.INFO)
    log.propagate = False
    for h in list(log.handlers):
        log.removeHandler(h)
        h.close()
    fmt = logging.Formatter("%(asctime)s %(message)s")
    for h in (logging.FileHandler(args.out + ".train.log"), logging.StreamHandler()):
        h.setFormatter(fmt)
        log.addHandler(h)
    log.info("args %s", vars(args))

    data = {}
    for s in mnist.SPLITS:
        x, _ = mnist.binarized(s, args.data_dir)
        if args.limit:
            x = x[:args.limit]
        data[s] = torch.from_numpy(x.astype(np.float32))
    log.info("data %s", {k: tuple(v.shape) for k, v in data.items()})

    model, kw = build_model(args)
    if args.init:
        ck0 = torch.load(args.init)
        if ck0["arch"] != args.arch or ck0["kwargs"] != kw:
            raise SystemExit("--init %s: checkpoint is %s %s, not %s %s" % (
                args.init, ck0["arch"], ck0["kwargs"], args.arch, kw))
        model.load_state_dict(ck0["state_dict"])
        log.info("initialised from %s (metrics %s)", args.init, ck0.get("metrics"))
    if args.dropout:
        if not isinstance(model, models.MADE):
            raise SystemExit("--dropout is for --arch made")
        model.dropout = args.dropout
    if args.init_direct:
        init_direct(model, torch.load(args.init_direct))
        log.info("direct connections and output bias initialised from %s", args.init_direct)
    pool = load_pool(args, model, log)
    nade_grad = None
    if args.arch == "nade" and args.nade_kernel == "c":
        import nade_c
        nade_grad = nade_c.NADEGrad(model)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    start = time.time()
    best, best_epoch, bad, plateau_bad = math.inf, -1, 0, 0
    gen = torch.Generator().manual_seed(args.seed)
    xtr = data["train"]
    step, pool_pos = 0, 0
    for epoch in range(args.max_epochs):
        t0 = time.time()
        ntr = xtr.shape[0]
        if pool is None:
            perm = torch.randperm(ntr, generator=gen)
        else:
            # The real images and the next pool-per-epoch teacher samples,
            # shuffled together; index >= ntr is pool row pidx[index - ntr].
            m = args.pool_per_epoch
            pidx = (pool_pos + torch.arange(m)) % pool[0].shape[0]
            pool_pos = (pool_pos + m) % pool[0].shape[0]
            perm = torch.randperm(ntr + m, generator=gen)
        tot = 0.0
        timed_out = False
        for s in range(0, perm.shape[0], args.batch):
            idx = perm[s:s + args.batch]
            target = None
            if pool is None:
                xb = xtr[idx]
            else:
                real, fake = idx[idx < ntr], pidx[idx[idx >= ntr] - ntr]
                xb = torch.cat([xtr[real], pool[0][fake].float()])
                target = torch.cat([xtr[real], pool[1][fake].float()])
            if nade_grad is not None:
                _, loss = nade_grad.loss_and_grad(xb)  # sets .grad
            else:
                opt.zero_grad(set_to_none=True)
                lt = train_loss(model, xb, step, target)
                lt.backward()
                loss = lt.item()
            opt.step()
            step += 1
            tot += loss * xb.shape[0]
            if step % 500 == 0:
                log.info("  step %d (epoch %d) batch loss %.3f", step, epoch, loss)
            if (time.time() - start) / 60 > args.max_minutes:
                timed_out = True
                break
        if timed_out:
            log.info("wall-clock budget of %.1f min reached inside epoch %d", args.max_minutes, epoch)
            break
        v = nll(model, data["valid"], args.eval_batch, fast=nade_grad, masks=args.valid_masks)
        lr = opt.param_groups[0]["lr"]
        log.info("epoch %d train %.3f valid %.3f lr %.2e %.1fs (total %.1f min)",
                 epoch, tot / perm.shape[0], v, lr, time.time() - t0, (time.time() - start) / 60)
        if v < best:
            best, best_epoch, bad, plateau_bad = v, epoch, 0, 0
            save(model, kw, args, {"valid_nll": v, "epoch": epoch}, partial=True)
        else:
            bad += 1
            plateau_bad += 1
            if plateau_bad >= args.plateau:
                plateau_bad = 0
                for g in opt.param_groups:
                    g["lr"] *= args.plateau_factor
                log.info("plateau: lr -> %.2e", opt.param_groups[0]["lr"])
            if bad >= args.patience:
                log.info("early stopping at epoch %d (best %d)", epoch, best_epoch)
                break
        for g in opt.param_groups:
            g["lr"] *= args.lr_decay
        if (time.time() - start) / 60 > args.max_minutes:
            log.info("wall-clock budget of %.1f min reached", args.max_minutes)
            break

    if best_epoch < 0:
        log.error("no epoch completed; nothing saved")
        return 1
    ck = torch.load(args.out + ".pt")
    model.load_state_dict(ck["state_dict"])
    v = nll(model, data["valid"], args.eval_batch)
    t = nll(model, data["test"], args.eval_batch)
    metrics = {"valid_nll": v, "test_nll": t, "epoch": best_epoch,
               "train_minutes": (time.time() - start) / 60}
    save(model, kw, args, metrics, partial=False)
    log.info("best epoch %d: valid NLL %.3f nats, test NLL %.3f nats", best_epoch, v, t)
    print(json.dumps(metrics))
    return 0


def load_pool(args, model, log):
    """(x uint8 [N, D], q float16 [N, D]) of --teacher-pool, or None."""
    if not args.teacher_pool:
        return None
    if not isinstance(model, models.MADE):
        raise SystemExit("--teacher-pool is for --arch made")
    z = np.load(args.teacher_pool)
    x, q, order = z["x"], z["q"], torch.from_numpy(z["order"].astype(np.int64))
    if x.shape != q.shape or x.ndim != 2 or x.shape[1] != model.d or x.shape[0] < 1:
        raise SystemExit("--teacher-pool %s: x %s and q %s, want [N, %d] each" % (
            args.teacher_pool, x.shape, q.shape, model.d))
    # Soft targets are the teacher's conditionals: they are a MADE
    # component's targets only if it generates in the teacher's order.
    if not all(torch.equal(model.orders[k], order) for k in range(model.k)):
        raise SystemExit("--teacher-pool: the teacher's order differs from a mask's order")
    if args.pool_per_epoch < 1:
        raise SystemExit("--pool-per-epoch %d: want at least 1" % args.pool_per_epoch)
    log.info("teacher pool %s: %d samples, %d per epoch", args.teacher_pool, x.shape[0],
             args.pool_per_epoch)
    return torch.from_numpy(x), torch.from_numpy(q)


def init_direct(model, fv_ck):
    """Set a direct MADE's A and output bias from a trained FVSBN with the
    same ordering (every mask's), and Wout to zero."""
    if not (isinstance(model, models.MADE) and model.direct) or fv_ck["arch"] != "fvsbn":
        raise SystemExit("--init-direct needs --arch made --direct and an fvsbn checkpoint")
    fv = models.build("fvsbn", **fv_ck["kwargs"])
    fv.load_state_dict(fv_ck["state_dict"])
    if not all(torch.equal(model.orders[k], fv.order) for k in range(model.k)):
        raise SystemExit("--init-direct: the FVSBN's order differs from a mask's order")
    with torch.no_grad():
        model.A.copy_(fv.W * fv.mask)
        model.out.weight.zero_()
        model.out.bias.copy_(fv.b)


def save(model, kw, args, metrics, partial):
    torch.save({"arch": args.arch, "kwargs": kw, "state_dict": model.state_dict(),
                "metrics": metrics}, args.out + ".pt")
    np.savez(args.out + ".npz", **model.tensors())
    meta = {"header": model.header(), "metrics": metrics, "final": not partial,
            "args": vars(args), "binarization": {"seed": mnist.SEED, "gomnist": mnist.GOMNIST_VERSION}}
    with open(args.out + ".json", "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
