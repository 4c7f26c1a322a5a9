#!/usr/bin/python3
"""Turns `go test -bench` output of ./kernels, scripts/bench_blas.py output
(one run per OpenBLAS core type) and the FMA peaks of ./internal/fmapeak/cmd
into the markdown tables of BENCHMARKS.md. Standard library only.

Every figure is the median over the runs given: the -count repetitions (or
concatenated runs) of a Go benchmark, the --blas files of one core type.
Targets (marked in the tables):
  GEMM nn-512x512x512 >= 0.9x OpenBLAS sgemm of the same ISA,
  GEMV 784x500 and 500x784 >= 1.5x OpenBLAS sgemv of the same ISA,
  every activation on a SIMD tier >= 4x the generic (pure Go) tier.
"""

import argparse
import re
import statistics
from collections import defaultdict

# OpenBLAS core type each arinfer tier is compared with, and FMA peak ISA.
SAME_ISA = {"avx2": "Haswell", "avx512": "SkylakeX"}
PEAK_ISA = {"avx2": "avx2-ymm", "avx512": "avx512-zmm"}
TIER_ORDER = {"generic": 0, "avx2": 1, "avx512": 2, "neon": 3}

GEMM_TARGET = ("nn-512x512x512", 0.9)
GEMV_TARGETS = {"784x500": 1.5, "500x784": 1.5}
ACT_TARGET = 4.0
PACKED_TARGET = 1.0  # MaskedGemmPacked at batch 16 against OpenBLAS dense (issue 15)


def parse_go(path):
    """{(bench, tier, shape): {unit: [values]}} from go test -bench output."""
    res = defaultdict(lambda: defaultdict(list))
    for line in open(path):
        if not line.startswith("Benchmark"):
            continue
        f = line.split()
        name = re.sub(r"-\d+$", "", f[0])[len("Benchmark"):]
        parts = name.split("/")
        if len(parts) < 3:
            continue
        key = (parts[0], parts[1], "/".join(parts[2:]))
        vals = f[2:]
        for v, unit in zip(vals[0::2], vals[1::2]):
            try:
                res[key][unit].append(float(v))
            except ValueError:
                pass
    return res


def parse_blas(path, into):
    """Appends (ns, gflops) of every line of path to into[(kind, shape)];
    returns the OpenBLAS core name from the header."""
    core = None
    for line in open(path):
        f = line.split()
        if line.startswith("# openblas corename:"):
            core = line.split(":", 1)[1].strip()
        elif len(f) == 4 and not line.startswith("#"):
            into[(f[0], f[1])].append((float(f[2]), float(f[3])))
    return core


def parse_peak(path):
    peaks = {}
    for line in open(path):
        f = line.split()
        if len(f) >= 2 and f[1] != "n/a":
            peaks[f[0]] = float(f[1])
    return peaks


def med(d, unit):
    v = d.get(unit)
    return statistics.median(v) if v else None


def fmt(x, digits=1):
    return "—" if x is None else f"{x:.{digits}f}"


def fmt_ratio(ratio, target):
    """Two decimals, or three where two would round across the target."""
    if ratio is not None and target is not None and (ratio >= target) != (round(ratio, 2) >= target):
        return fmt(ratio, 3)
    return fmt(ratio, 2)


def mark(ratio, target):
    if ratio is None or target is None:
        return ""
    return f" {'✅' if ratio >= target else '❌'} (≥{target}x)"


def shape_key(s):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--go", required=True)
    ap.add_argument("--blas", action="append", default=[], help="CORETYPE=path, e.g. Haswell=blas-haswell.txt; repeatable")
    ap.add_argument("--peak", required=True)
    a = ap.parse_args()

    gob = parse_go(a.go)
    runs = defaultdict(lambda: defaultdict(list))
    corenames = {}
    for kv in a.blas:  # several files per core type: medians over them
        core, path = kv.split("=", 1)
        corenames[core] = parse_blas(path, runs[core])
    blas = {core: {k: (statistics.median(v[0] for v in vs), statistics.median(v[1] for v in vs))
                   for k, vs in r.items()} for core, r in runs.items()}
    peaks = parse_peak(a.peak)
    misses = []

    def keys(bench):
        ks = [k for k in gob if k[0] == bench]
        return sorted(ks, key=lambda k: (shape_key(k[2]), TIER_ORDER.get(k[1], 9)))

    # Dense GEMM / GEMV / GEMVT against OpenBLAS of the same ISA.
    # "default" is OpenBLAS with no OPENBLAS_CORETYPE: what its own CPU
    # detection picks on this machine, i.e. what numpy users get.
    dflt = blas.get("default")
    dname = corenames.get("default") or "default"
    if any(k[0] in ("Gemm", "Gemv", "GemvT") for k in gob):
        extra = f" OpenBLAS as detected ({dname}) GFLOP/s |" if dflt else ""
        print(f"| kernel | shape | tier | arinfer GFLOP/s | OpenBLAS same-ISA GFLOP/s | ratio | fraction of FMA peak |{extra} allocs/op |")
        print("|---|---|---|---:|---:|---:|---:|" + ("---:|" if dflt else "") + "---:|")
    for bench, kind in (("Gemm", "gemm"), ("Gemv", "gemv"), ("GemvT", "gemvt")):
        for k in keys(bench):
            _, tier, shape = k
            g = med(gob[k], "GFLOP/s")
            core = SAME_ISA.get(tier)
            ob = blas.get(core, {}).get((kind, shape)) if core else None
            obg = ob[1] if ob else None
            ratio = g / obg if g is not None and obg else None
            peak = peaks.get(PEAK_ISA.get(tier, ""))
            frac = g / peak if g is not None and peak else None
            target = None
            if bench == "Gemm" and shape == GEMM_TARGET[0]:
                target = GEMM_TARGET[1]
            if bench == "Gemv" and shape in GEMV_TARGETS:
                target = GEMV_TARGETS[shape]
            if tier not in SAME_ISA:
                target = None
            if target is not None and (ratio is None or ratio < target):
                misses.append(f"{bench} {shape} on {tier}: {fmt_ratio(ratio, target)}x OpenBLAS {core}, target ≥{target}x")
            obcol = f"{fmt(obg)} ({core})" if core else "—"
            print(f"| {bench} | {shape} | {tier} | {fmt(g)} | {obcol} | {fmt_ratio(ratio, target)}{mark(ratio, target)} "
                  f"| {fmt(frac * 100 if frac is not None else None, 0)}{'%' if frac is not None else ''} "
                  + (f"| {fmt(dflt[(kind, shape)][1] if (kind, shape) in dflt else None)} " if dflt else "")
                  + f"| {fmt(med(gob[k], 'allocs/op'), 0)} |")

    # Masked kernels: useful GFLOP/s, and time against OpenBLAS doing the
    # dense product of the same shape (what a zero-masked weight costs).
    masked = keys("MaskedGemv") + keys("MaskedGemm") + keys("MaskedGemmPacked")
    if masked:
        print()
        print("| kernel | shape | tier | arinfer ns/op | useful GFLOP/s | OpenBLAS dense same-ISA ns/op | speed-up over dense | allocs/op |")
        print("|---|---|---|---:|---:|---:|---:|---:|")
        for k in masked:
            bench, tier, shape = k
            ns = med(gob[k], "ns/op")
            m = re.search(r"(\d+)x(\d+)(?:/batch(\d+))?", shape)
            ob = None
            core = SAME_ISA.get(tier)
            if m and core:
                rows, cols, batch = m.group(1), m.group(2), m.group(3)
                if bench == "MaskedGemv":
                    ob = blas.get(core, {}).get(("gemv", f"{rows}x{cols}"))
                else:
                    ob = blas.get(core, {}).get(("gemm", f"linear-{batch}x{rows}x{cols}"))
            obns = ob[0] if ob else None
            sp = obns / ns if ns and obns else None
            # Issue 15: on weights packed once, the masked product at batch
            # 16 skips half the work, so it should beat the dense product.
            target = PACKED_TARGET if bench == "MaskedGemmPacked" and core and m and m.group(3) == "16" else None
            if target is not None and (sp is None or sp < target):
                misses.append(f"MaskedGemmPacked {shape} on {tier}: {fmt_ratio(sp, target)}x OpenBLAS dense {core}, target ≥{target}x")
            print(f"| {bench} | {shape} | {tier} | {fmt(ns, 0)} | {fmt(med(gob[k], 'GFLOP/s'))} "
                  f"| {fmt(obns, 0)}{f' ({core})' if core else ''} | {fmt_ratio(sp, target)}{mark(sp, target)} | {fmt(med(gob[k], 'allocs/op'), 0)} |")

    # Activations against the generic tier.
    acts = keys("Activations") + keys("Cells")
    if acts:
        print()
        print("| activation | n (cells: H) | tier | ns/elem | generic ns/elem | speed-up over pure Go | allocs/op |")
        print("|---|---:|---|---:|---:|---:|---:|")
        for k in acts:
            bench, tier, shape = k
            fn, n = shape.split("/")
            ne = med(gob[k], "ns/elem")
            gen = gob.get((bench, "generic", shape))
            gne = med(gen, "ns/elem") if gen else None
            sp = gne / ne if ne and gne else None
            if bench == "Cells":
                fn += " cell"
            target = ACT_TARGET if tier != "generic" and bench == "Activations" else None
            if target is not None and (sp is None or sp < target):
                misses.append(f"Activations {fn}/{n} on {tier}: {fmt_ratio(sp, target)}x pure Go, target ≥{target}x")
            print(f"| {fn} | {n} | {tier} | {fmt(ne, 2)} | {fmt(gne, 2)} | {fmt_ratio(sp, target)}{mark(sp, target)} "
                  f"| {fmt(med(gob[k], 'allocs/op'), 0)} |")

    print()
    if misses:
        print("Missed targets:")
        for m in misses:
            print(f"- {m}")
    else:
        print("All targets met.")


if __name__ == "__main__":
    main()
