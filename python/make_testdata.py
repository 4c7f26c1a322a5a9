"""Write the Python-side .arw test files that the Go tests read.

    /usr/bin/python3 python/make_testdata.py      # writes format/testdata/py_*.arw

The sample models replicate format/helpers_test.go exactly (change both
together): the Go test TestPythonWrittenFiles checks every value and that the
files are byte-identical to the Go writer's format/testdata/go_*.arw.
"""

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import arw  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "format", "testdata")

SAMPLE_META = ('{"writer":"arinfer testdata","test_nll":88.5,"epochs":3,"note":"<tiny> model, ünïcode",'
               '"args":["--lr","1e-3"],"nested":{"b":1,"a":[true,false,null]}}')


def sample_value(seed, i):
    # exact float64 arithmetic, then one rounding to float32 (as in Go)
    return np.float32(((i * 7919 + seed * 104729) % 2001 - 1000) / 1000)


def sample_floats(seed, n):
    return np.array([sample_value(seed, i) for i in range(n)], dtype=np.float32)


def sample_order(d, k):
    return [(d - 1 - t + 3 * k) % d for t in range(d)]


def sample_degrees(d, h, k, l):
    return [1 + (7 * j + 5 * k + l) % (d - 1) for j in range(h)]


def sample_headers():
    return {
        "fvsbn": {"arch": "fvsbn", "dims": 6, "shape": [2, 3], "dist": "bernoulli", "categories": 2,
                  "meta": json.loads(SAMPLE_META)},
        "nade": {"arch": "nade", "dims": 6, "shape": [2, 3], "dist": "bernoulli", "categories": 2, "hidden": [4]},
        "made": {"arch": "made", "dims": 6, "shape": [1, 2, 3], "dist": "bernoulli", "categories": 2,
                 "hidden": [5, 4], "masks": 2, "direct": True},
        "lstm": {"arch": "lstm", "dims": 4, "shape": [4], "dist": "categorical", "categories": 3,
                 "hidden": [3, 3], "embed": 2},
        "gru": {"arch": "gru", "dims": 5, "shape": [5], "dist": "bernoulli", "categories": 2,
                "hidden": [3], "embed": 2},
        # image models (format 1.1): pixelcnn with a class prior and k0 != k,
        # gatedpixelcnn categorical
        "pixelcnn": {"arch": "pixelcnn", "dims": 12, "shape": [3, 4], "dist": "bernoulli", "categories": 2,
                     "channels": 2, "layers": 2, "kernel_size": 3, "input_kernel": 5, "head_channels": 3,
                     "classes": 2},
        "gatedpixelcnn": {"arch": "gatedpixelcnn", "dims": 12, "shape": [4, 3], "dist": "categorical",
                          "categories": 4, "channels": 2, "layers": 2, "kernel_size": 3, "head_channels": 3,
                          "classes": 0},
        # wavenet (format 1.2): bernoulli with a class prior, and a categorical
        # audio model (mu-law codes at 8 kHz)
        "wavenet": {"arch": "wavenet", "dims": 16, "shape": [2, 8], "dist": "bernoulli", "categories": 2,
                    "dilations": [1, 2, 4], "residual_channels": 3, "gate_channels": 2, "skip_channels": 4,
                    "head_channels": 5, "classes": 2},
        "wavenet_audio": {"arch": "wavenet", "dims": 8000, "shape": [8000], "dist": "categorical",
                          "categories": 16, "dilations": [1, 2], "residual_channels": 2, "gate_channels": 3,
                          "skip_channels": 2, "head_channels": 3, "classes": 0, "sample_rate": 8000},
        "mixed": {"arch": "nade", "dims": 6, "shape": [6], "dist": "bernoulli", "categories": 2, "hidden": [4],
                  "meta": {"dtypes": "W float16, V bfloat16"}},
    }


def sample_tensors(name, h):
    """(tensors, dtypes) of a sample model, every float tensor float32 except
    in "mixed" (W float16, V bfloat16)."""
    tensors, dtypes = {}, {}
    d = h["dims"]
    for seed, (tname, kind, shape) in enumerate(arw.expected_tensors(h)):
        n = int(np.prod(shape))
        if kind == "int":
            if tname == "order":
                v = [x for k in range(n // d) for x in sample_order(d, k)]
            else:
                l = int(tname[len("degrees"):])
                v = [x for k in range(shape[0]) for x in sample_degrees(d, shape[1], k, l)]
            tensors[tname] = np.array(v, dtype=np.int32).reshape(shape)
            continue
        tensors[tname] = sample_floats(seed, n).reshape(shape)
        if name == "mixed" and tname in ("W", "V"):
            dtypes[tname] = "float16" if tname == "W" else "bfloat16"
    return tensors, dtypes


def main():
    for name, h in sorted(sample_headers().items()):
        tensors, dtypes = sample_tensors(name, h)
        path = os.path.join(OUT, "py_%s.arw" % name)
        arw.write(path, h, tensors, dtypes)
        print(path, os.path.getsize(path))


if __name__ == "__main__":
    main()
