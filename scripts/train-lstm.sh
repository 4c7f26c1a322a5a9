#!/bin/sh
# Train models/mnist-lstm.arw: a 1-layer LSTM (64 units, embedding 16) on
# binarized MNIST in raster order (python/mnist.py), one thread, Adam lr 2e-3,
# batch 64, early stopping on a 1000-image validation subset checked every
# 100 updates, 60 minutes of training; then the best state is scored on the
# full validation and test splits and exported (test NLL in the header meta).
# Log: training-logs/train-lstm.log. The training state is checkpointed to
# models/mnist-lstm.ckpt.pt (ignored by git); running this again resumes it.
# The larger resumable run is scripts/train-lstm-big.sh.
set -eu
cd "$(dirname "$0")/.."
exec /usr/bin/python3 python/train_rnn.py --arch lstm --hidden 64 --embed 16 --layers 1 \
  --lr 2e-3 --batch 64 --eval-every 100 --eval-subset 1000 --patience 10 --plateau 4 \
  --max-minutes 60 --threads 1 --seed 1234 --out models/mnist-lstm --log training-logs/train-lstm.log
