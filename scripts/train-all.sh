#!/bin/sh
# Train the reference models on binarized MNIST (python/mnist.py) with the
# settings used for models/*.  Two processes at a time, one thread each:
# NADE (the slowest) on one core; FVSBN then MADE on the other.  Each run
# stops on early stopping or its wall-clock budget and keeps its
# best-validation state: models/<name>.{pt,npz,json}, logs in
# models/train-<name>.log and models/<name>.train.log.
#
# What actually ran in the session (the machine was heavily shared, so the
# budgets, not early stopping, ended the runs):
#  - FVSBN and a first NADE run (torch autograd, lr 1e-3) started together;
#    that NADE run was stopped after one epoch (14 min/epoch) and replaced by
#    the C-kernel run below;
#  - MADE stage 1 was stopped after 8 epochs (epochs 0..7) to restart with a
#    larger lr and a longer budget (stage 2, initialised from stage 1);
#  - the training processes ran at nice -10 like the other training runs.
# The MADE 8-mask stretch run (hidden 1000,1000) was dropped for lack of CPU.
set -eu
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
mkdir -p models

# NADE gradients come from the fused C kernel python/csrc/nade_grad.c (nade_c.py).
nohup $PY python/train.py --arch nade --hidden 500 --out models/nade --lr 2e-3 --lr-decay 0.95 --batch 32 --plateau 2 --patience 6 --max-minutes 75 > models/train-nade.log 2>&1 &

(
nohup $PY python/train.py --arch fvsbn --out models/fvsbn --lr 1e-3 --batch 100 --plateau 3 --patience 8 --max-minutes 20 > models/train-fvsbn.log 2>&1
nohup $PY python/train.py --arch made --hidden 500 --masks 1 --out models/made-stage1 --lr 1e-3 --batch 100 --plateau 3 --patience 8 --max-epochs 8 --max-minutes 25 > models/train-made-stage1.log 2>&1
nohup $PY python/train.py --arch made --hidden 500 --masks 1 --out models/made --init models/made-stage1.pt --lr 2e-3 --lr-decay 0.97 --batch 100 --plateau 3 --patience 10 --max-minutes 68 > models/train-made.log 2>&1
) &
wait
