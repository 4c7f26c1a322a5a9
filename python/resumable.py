"""What the resumable trainers (train_rnn.py, train_pixelcnn.py,
train_wavenet.py) share: an atomic checkpoint write, the training log, the
random-number states a run must carry across a restart, the timer that
says when the next checkpoint is due, and the thread and allocator setup of
a CPU training process.

Sessions are stopped without warning (every process dies), so a trainer
writes its whole state every few minutes with atomic_save; a run started
again with the same command loads it and continues.
"""

import ctypes
import ctypes.util
import logging
import os
import random
import time

import numpy as np
import torch


def atomic_save(obj, path):
    """torch.save obj to path through path.tmp and a rename, so that path
    is always a whole checkpoint (the old one until the new one is
    complete) even if the process is killed while writing."""
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def logger(name, path):
    """The logger name writing to the file path (appending) and to stderr,
    lines prefixed with the time. Calling it again with the same path
    returns it unchanged; with another path (a second run in one process,
    as tests do) its handlers are replaced."""
    log = logging.getLogger(name)
    path = os.path.abspath(path)
    if getattr(log, "arinfer_path", None) != path:
        for h in list(log.handlers):
            log.removeHandler(h)
            h.close()
        log.setLevel(logging.INFO)
        log.propagate = False
        fmt = logging.Formatter("%(asctime)s %(message)s")
        for h in (logging.FileHandler(path), logging.StreamHandler()):
            h.setFormatter(fmt)
            log.addHandler(h)
        log.arinfer_path = path
    return log


def rng_states(*generators):
    """The states of the global torch, numpy and Python generators and of
    the given torch.Generators, for set_rng_states."""
    return {"torch": torch.get_rng_state(), "numpy": np.random.get_state(), "python": random.getstate(),
            "generators": [g.get_state() for g in generators]}


def set_rng_states(states, *generators):
    """Restore what rng_states returned (the same generators, same order)."""
    torch.set_rng_state(states["torch"])
    np.random.set_state(states["numpy"])
    random.setstate(states["python"])
    if len(states["generators"]) != len(generators):
        raise ValueError("checkpoint holds %d generator states, not %d" % (len(states["generators"]),
                                                                           len(generators)))
    for g, s in zip(generators, states["generators"]):
        g.set_state(s)


class Timer:
    """Says when a checkpoint is due: every `minutes` of wall-clock time
    since the last one (0: at every call of due)."""

    def __init__(self, minutes):
        self.seconds = minutes * 60
        self.last = time.time()

    def due(self):
        return time.time() - self.last >= self.seconds

    def reset(self):
        self.last = time.time()


M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4  # glibc mallopt parameters


def set_threads(n):
    """Run PyTorch's CPU work on n threads, really: torch's intra-op pool
    and OpenBLAS's own pool (which torch.set_num_threads does not reach
    when torch uses the system OpenBLAS: with n = 1 its matrix products
    still ran on two threads). Also keep glibc malloc from returning large
    blocks to the system (no mmap for big allocations, no trimming): an
    RNN's backward pass allocates its per-step activations (hundreds of MB)
    at every update, and getting them back page by page took a third of
    the time. Returns what was set, for the log.

    OPENBLAS_CORETYPE cannot be changed here (OpenBLAS reads it when it is
    loaded); the training scripts set it in the environment."""
    torch.set_num_threads(n)
    done = {"torch_threads": torch.get_num_threads(), "openblas_threads": None, "malloc_no_mmap": False,
            "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE")}
    for name in ("libopenblas.so.0", ctypes.util.find_library("openblas")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            lib.openblas_set_num_threads(ctypes.c_int(n))
            done["openblas_threads"] = lib.openblas_get_num_threads()
            break
        except (OSError, AttributeError):
            pass
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        done["malloc_no_mmap"] = bool(libc.mallopt(M_MMAP_MAX, 0)) and bool(
            libc.mallopt(M_TRIM_THRESHOLD, ctypes.c_int(2**31 - 1)))
    except (OSError, AttributeError, TypeError):
        pass
    return done
