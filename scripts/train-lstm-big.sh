#!/usr/bin/env bash
# Trains the larger raster-order LSTM on binarized MNIST (python/train_rnn.py;
# the shipped H = 64 model's command is scripts/train-lstm.sh): two stacked
# LSTM layers of 128 units, embedding 16, Adam lr 2e-3 halved after 4 checks
# without improvement, batch 64, a 1000-image validation check every 100
# updates, early stopping after 12 such checks, 150 minutes of one-thread
# training. Resumable: the whole training state goes to
# checkpoints/lstm.ckpt.pt every 3 minutes and at every check; running this
# script again continues from there (sessions stop without warning), and
# MAX_MINUTES=200 scripts/train-lstm-big.sh trains a finished run further.
# At the end, or on `finish`, the best checkpointed state is scored on the
# full validation and test splits and exported to checkpoints/lstm.arw
# (+ .json, .npz, .pt); `finish --no-eval` exports without scoring.
#
#   setsid nohup scripts/train-lstm-big.sh > /dev/null 2>&1 &   # train / resume (log: checkpoints/lstm.train.log)
#   scripts/train-lstm-big.sh finish [--no-eval]               # evaluate + export the best so far
#
# Why this configuration: python/probe_rnn.py timed the update of each
# candidate on one thread here (AMD EPYC, Zen 5, AVX-512; 120 s each in six
# interleaved rounds, OpenBLAS SkylakeX kernels, log
# training-logs/probe-lstm.log):
#
#   H x L, batch   params  min/epoch  epochs in 150 min
#   64 x 1, 64       21k      3.1          48
#   128 x 1, 64      75k      5.9          25
#   128 x 1, 128     75k      5.3          28
#   256 x 1, 64     281k     15.0          10
#   256 x 1, 128    281k     13.4          11
#   128 x 2, 64     207k     12.9          12
#   128 x 2, 128    207k     11.5          13
#
# The H = 64 run (training-logs/train-lstm.log) was still gaining 1-3 nats
# an epoch at 2.7 epochs (98.2 on the validation subset, 97.8 test), so a
# model needs about ten epochs before its curve flattens; every candidate
# gets that much in 150 minutes, so the budget is best spent on capacity:
# of the two largest (~10-12 epochs each) the two-layer model is the faster
# and its second layer gives the output a nonlinear read-out of the first
# layer's memory, where one wide layer gives a linear one. A batch of 128
# is at most 12% faster an epoch but makes half as many updates, so 64.
# (A 21k-parameter H = 64 layer at 48 epochs, or H = 128 at 25, would be
# limited by capacity long before 90 nats.)
#
# Speed: python/train_rnn.py sets OpenBLAS to --threads too (with torch's
# system OpenBLAS, torch.set_num_threads(1) left its GEMMs on two threads)
# and keeps malloc from returning the per-step activations to the system
# (resumable.set_threads); OPENBLAS_CORETYPE=SkylakeX is set below on
# AVX-512 machines (OpenBLAS picks Haswell kernels on Zen 5; SkylakeX's are
# 1.3-1.5x faster here). The same probe
# without them (the first table of the probe log) took 1.7x as long an epoch
# at batch 64 and 3.3x at batch 128, on about 1.2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p checkpoints
# The kernel set is chosen here, not inherited (a shell may export Haswell
# for benchmarks), so every resumed session computes with the same kernels.
if grep -qw avx512f /proc/cpuinfo; then
	export OPENBLAS_CORETYPE=SkylakeX
elif grep -qw avx2 /proc/cpuinfo; then
	export OPENBLAS_CORETYPE=Haswell
else
	unset OPENBLAS_CORETYPE
fi
if [ "${1:-}" = finish ]; then
	exec /usr/bin/python3 python/train_rnn.py finish checkpoints/lstm "${@:2}"
fi
exec /usr/bin/python3 python/train_rnn.py --arch lstm --hidden 128 --layers 2 --embed 16 \
	--lr 2e-3 --batch 64 --eval-every 100 --eval-subset 1000 --plateau 4 --patience 12 \
	--max-minutes "${MAX_MINUTES:-150}" --checkpoint-minutes 3 --threads "${THREADS:-1}" --seed 1234 \
	--command scripts/train-lstm-big.sh --out checkpoints/lstm
