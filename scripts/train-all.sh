#!/bin/sh
# Train the reference models on binarized MNIST (python/mnist.py) with the
# exact settings used for models/*.  Two processes at a time, one thread each:
# NADE (the slowest) on one core, FVSBN -> MADE -> MADE (8 masks) in sequence
# on the other.  Each run stops on early stopping or its wall-clock budget and
# keeps its best-validation checkpoint: models/<name>.{pt,npz,json}, logs in
# models/train-<name>.log and models/<name>.train.log.
set -eu
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
mkdir -p models

# NADE gradients come from the fused C kernel python/csrc/nade_grad.c (nade_c.py).
nohup $PY python/train.py --arch nade --hidden 500 --out models/nade --lr 2e-3 --lr-decay 0.95 --batch 32 --plateau 2 --patience 6 --max-minutes 75 > models/train-nade.log 2>&1 &

(
nohup $PY python/train.py --arch fvsbn --out models/fvsbn --lr 1e-3 --batch 100 --plateau 3 --patience 8 --max-minutes 20 > models/train-fvsbn.log 2>&1
nohup $PY python/train.py --arch made --hidden 500 --masks 1 --out models/made --lr 1e-3 --batch 100 --plateau 3 --patience 8 --max-minutes 25 > models/train-made.log 2>&1
nohup $PY python/train.py --arch made --hidden 1000,1000 --masks 8 --out models/made-8 --lr 1e-3 --batch 100 --plateau 3 --patience 8 --max-minutes 30 > models/train-made-8.log 2>&1
) &
wait
