#!/usr/bin/env bash
# Trains the shipped class-conditional Gated PixelCNN on binarized MNIST
# (models/mnist-gated.arw). Resumable: the training state is checkpointed to
# checkpoints/gated.ckpt.pt every few minutes; running this script again
# continues from there (sessions stop without warning). When training is
# done (or to ship the best model so far) `finish` evaluates the best
# checkpointed model (unconditional test NLL) and exports it.
#
#   scripts/train-pixelcnn.sh            # train / resume (log: checkpoints/gated.train.log)
#   THREADS=1 scripts/train-pixelcnn.sh  # while other jobs share the two cores
#   scripts/train-pixelcnn.sh finish [--given-label | --no-eval]  # evaluate + export checkpoints/gated.arw
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p checkpoints
if [ "${1:-}" = finish ]; then
	exec /usr/bin/python3 python/train_pixelcnn.py finish checkpoints/gated "${@:2}"
fi
exec /usr/bin/python3 python/train_pixelcnn.py --arch gatedpixelcnn --channels 48 --layers 10 \
	--kernel-size 3 --head-channels 64 --classes 10 --batch 32 --lr 1e-3 --lr-decay 0.9 \
	--max-epochs 30 --threads "${THREADS:-2}" --out checkpoints/gated
