#!/usr/bin/env bash
# Trains the voice-conditional speech WaveNet (SPEC 3.8, 3.9;
# python/train_wavenet.py) on the corpus of scripts/make-speech-corpus.sh
# (data/speech, built first if missing): 16 kHz mu-law audio (K = 256),
# dilations 1, 2, ..., 512 twice (20 layers, receptive field 2048 samples =
# 128 ms), R = G = 32, S = O = 128, the 4 voices as classes. An update
# scores 4 random windows of 8000 samples, each with up to 2048 samples of
# context. Resumable: the training state is checkpointed to
# checkpoints/wavenet-speech.ckpt.pt every few minutes; running this script
# again continues from there. `finish` evaluates the best checkpointed model
# on the whole test split (bits per sample, given the voice and the voice
# marginal) and exports checkpoints/wavenet-speech.arw.
#
#   scripts/train-wavenet-speech.sh            # train / resume (log: checkpoints/wavenet-speech.train.log)
#   THREADS=2 scripts/train-wavenet-speech.sh  # when the cores are free
#   scripts/train-wavenet-speech.sh finish [--given-label | --no-eval]
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p checkpoints
if [ "${1:-}" = finish ]; then
	exec /usr/bin/python3 python/train_wavenet.py finish checkpoints/wavenet-speech "${@:2}"
fi
[ -f data/speech/manifest.tsv ] || scripts/make-speech-corpus.sh data/speech
exec /usr/bin/python3 python/train_wavenet.py --data speech --corpus data/speech --max-dilation 512 --stacks 2 \
	--residual 32 --gate 32 --skip 128 --head 128 --classes 4 --batch 4 --window 8000 --lr 1e-3 --lr-decay 0.9 \
	--max-epochs 20 --eval-subset 20 --threads "${THREADS:-1}" --out checkpoints/wavenet-speech
