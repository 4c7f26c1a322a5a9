#!/usr/bin/python3
"""Single-threaded OpenBLAS sgemm/sgemv timings for the shapes of
kernels/bench_test.go, for scripts/bench-kernels.sh to set beside arinfer's.

Run with Debian's /usr/bin/python3 (numpy linked against the system
OpenBLAS). Pick the OpenBLAS kernel set with OPENBLAS_CORETYPE (Haswell for
AVX2, SkylakeX for AVX-512); OPENBLAS_NUM_THREADS defaults to 1 here.

Output: '#' header lines (numpy, OpenBLAS library, config, core name,
threads, environment), then one line per shape:

    <kind> <shape> <median ns/op> <GFLOP/s>

kind is gemm, gemv or gemvt; shapes are named exactly as the Go
sub-benchmarks (gemm: nn-MxNxK, linear-BxNxK (Y = X·Wᵀ), conv-...; gemv and
gemvt: MxN for the M x N matrix A, y = A·x and y = Aᵀ·x).
"""

import argparse
import ctypes
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402  (after the thread setting)


def openblas_info():
    """Returns (path, config, corename, threads) of the loaded OpenBLAS,
    with None for whatever cannot be found."""
    path = None
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                name = line.split()[-1]
                if "openblas" in os.path.basename(name) and ".so" in name:
                    path = name
                    break
    except OSError:
        pass
    config = corename = threads = None
    if path:
        try:
            lib = ctypes.CDLL(path)
            for sym, dst in (("openblas_get_config", "config"), ("openblas_get_corename", "corename")):
                fn = getattr(lib, sym, None)
                if fn is not None:
                    fn.restype = ctypes.c_char_p
                    v = fn().decode()
                    if dst == "config":
                        config = v
                    else:
                        corename = v
            fn = getattr(lib, "openblas_get_num_threads", None)
            if fn is not None:
                fn.restype = ctypes.c_int
                threads = fn()
        except OSError:
            pass
    return path, config, corename, threads


def gemm_cases():
    cs = [("nn-512x512x512", 512, 512, 512, False)]
    for batch in (1, 16, 64, 256):
        for n, k in ((500, 784), (784, 500), (500, 500)):
            cs.append((f"linear-{batch}x{n}x{k}", batch, n, k, True))
    for batch in (16, 64, 256):  # dense equivalent of the FVSBN masked layer
        cs.append((f"linear-{batch}x784x784", batch, 784, 784, True))
    cs.append(("conv-64x784x576", 64, 784, 576, False))
    cs.append(("conv-784x64x576", 784, 64, 576, True))
    return cs


GEMV_SHAPES = ((784, 500), (500, 784), (500, 500), (256, 64), (64, 256), (784, 784))


def bench(fn, min_time, repeats):
    """Median seconds per call of fn over `repeats` timed batches, each
    batch at least min_time long."""
    fn()
    iters = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        d = time.perf_counter() - t0
        if d >= min_time / 4:
            iters = max(1, int(iters * min_time / d))
            break
        iters *= 4
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        times.append((time.perf_counter() - t0) / iters)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=11, help="timed batches per shape (median is reported)")
    ap.add_argument("--min-time", type=float, default=0.02, help="seconds per timed batch")
    ap.add_argument("--info", action="store_true", help="print the '#' header lines only")
    args = ap.parse_args()

    rng = np.random.default_rng(1)

    def rand(*shape):
        return (rng.random(shape, dtype=np.float32) * 2 - 1).astype(np.float32)

    path, config, corename, threads = openblas_info()
    print(f"# numpy {np.__version__} python {sys.version.split()[0]}")
    print(f"# openblas library: {path}")
    print(f"# openblas config: {config}")
    print(f"# openblas corename: {corename}")
    print(f"# openblas threads: {threads}")
    for v in ("OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_VERBOSE"):
        print(f"# {v}={os.environ.get(v, '')}")
    sys.stdout.flush()
    if args.info:
        return

    # Fixed cost of one np.matmul call (argument checks, dispatch) on a 4x4
    # matrix-vector product: it is part of every timing below and matters
    # only for the smallest shapes (64x256, 256x64, batch 1).
    a4, x4, y4 = rand(4, 4), rand(4), np.empty(4, dtype=np.float32)
    s = bench(lambda: np.matmul(a4, x4, out=y4), args.min_time, args.repeats)
    print(f"# numpy matmul call overhead (4x4 gemv): {s * 1e9:.0f} ns", flush=True)

    for name, m, n, k, trans_b in gemm_cases():
        a = rand(m, k)
        b = rand(n, k).T if trans_b else rand(k, n)  # transposed view: sgemm with transB, no copy
        c = np.empty((m, n), dtype=np.float32)
        s = bench(lambda: np.matmul(a, b, out=c), args.min_time, args.repeats)
        print(f"gemm {name} {s * 1e9:.0f} {2 * m * n * k / s / 1e9:.3f}", flush=True)
    for m, n in GEMV_SHAPES:
        a = rand(m, n)
        x, y = rand(n), np.empty(m, dtype=np.float32)
        s = bench(lambda: np.matmul(a, x, out=y), args.min_time, args.repeats)
        print(f"gemv {m}x{n} {s * 1e9:.0f} {2 * m * n / s / 1e9:.3f}", flush=True)
        xt, yt = rand(m), np.empty(n, dtype=np.float32)
        s = bench(lambda: np.matmul(xt, a, out=yt), args.min_time, args.repeats)
        print(f"gemvt {m}x{n} {s * 1e9:.0f} {2 * m * n / s / 1e9:.3f}", flush=True)


if __name__ == "__main__":
    main()
