"""What the resumable trainers (train_rnn.py, train_pixelcnn.py,
train_wavenet.py) share: an atomic checkpoint write, the training log, the
random-number states a run must carry across a restart, and the timer that
says when the next checkpoint is due.

Sessions are stopped without warning (every process dies), so a trainer
writes its whole state every few minutes with atomic_save; a run started
again with the same command loads it and continues.
"""

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
