#!/usr/bin/env bash
# Trains the class-conditional WaveNet on binarized MNIST as 784-step
# Bernoulli sequences (SPEC 3.8; python/train_wavenet.py): dilations
# 1, 2, ..., 512 (10 layers, receptive field 1025 >= 784), R = G = 32,
# S = O = 64, the digit label as class. Resumable: the training state is
# checkpointed to checkpoints/wavenet-mnist.ckpt.pt every few minutes;
# running this script again continues from there. `finish` evaluates the
# best checkpointed model (test NLL in nats per image, unconditional and
# given the label) and exports checkpoints/wavenet-mnist.arw.
#
#   scripts/train-wavenet-mnist.sh            # train / resume (log: checkpoints/wavenet-mnist.train.log)
#   THREADS=2 scripts/train-wavenet-mnist.sh  # when the cores are free
#   scripts/train-wavenet-mnist.sh finish [--given-label | --no-eval]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p checkpoints
if [ "${1:-}" = finish ]; then
	exec /usr/bin/python3 python/train_wavenet.py finish checkpoints/wavenet-mnist "${@:2}"
fi
exec /usr/bin/python3 python/train_wavenet.py --data mnist --max-dilation 512 --stacks 1 \
	--residual 32 --gate 32 --skip 64 --head 64 --classes 10 --batch 32 --lr 1e-3 --lr-decay 0.9 \
	--max-epochs 30 --threads "${THREADS:-1}" --out checkpoints/wavenet-mnist
