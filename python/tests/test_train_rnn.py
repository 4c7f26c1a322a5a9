"""python/train_rnn.py resumes exactly: a run stopped after k updates (by its
budget, or killed with SIGKILL at an arbitrary point) and started again
reaches the same parameters, optimizer state, counters and best state as a
run of N updates straight; finish exports the best state; the old
command line (no checkpoint options) still trains and exports."""

import os
import signal
import subprocess
import sys
import time

import pytest
import torch

import arw
import train_rnn

PY = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# 64 images, batch 16: 4 updates an epoch; a check every 3 updates; a high lr
# and plateau 1 so that the lr is halved on the way.
ARGS = ["--hidden", "6", "--embed", "3", "--limit", "64", "--batch", "16", "--eval-every", "3",
        "--eval-subset", "16", "--eval-batch", "16", "--lr", "0.2", "--plateau", "1", "--patience", "100",
        "--max-minutes", "60", "--threads", "1"]
N = 10


def run(out, *extra):
    assert train_rnn.main(ARGS + ["--out", out] + list(extra)) == 0
    return torch.load(out + ".ckpt.pt")


def assert_same_run(a, b):
    for name, t in a["model"].items():
        assert torch.equal(t, b["model"][name]), name
    sa, sb = a["opt"], b["opt"]
    assert sa["param_groups"] == sb["param_groups"]
    for i, st in sa["state"].items():
        for k, v in st.items():
            assert torch.equal(v, sb["state"][i][k]), (i, k)
    x, y = a["state"], b["state"]
    for k in ("epoch", "pos", "step", "best", "best_at", "bad", "plateau_bad", "run", "runn", "stop"):
        assert x[k] == y[k], k
    assert [(h["step"], h["valid"], h["lr"]) for h in x["history"]] == \
        [(h["step"], h["valid"], h["lr"]) for h in y["history"]]
    for name, t in x["best_state"].items():
        assert torch.equal(t, y["best_state"][name]), name
    assert torch.equal(a["rng"]["generators"][0], b["rng"]["generators"][0])


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("straight") / "s")
    ck = run(out, "--max-steps", str(N))
    assert ck["state"]["step"] == N and ck["state"]["epoch"] == 2 and ck["state"]["pos"] == 32
    return ck


def test_straight_run_exercises_the_schedule(straight):
    """The reference run crosses epochs and halves its lr at least once, so
    the comparisons below carry the permutation, Adam and plateau state."""
    lrs = [h["lr"] for h in straight["state"]["history"]]
    assert [h["step"] for h in straight["state"]["history"]] == [3, 6, 9, 10]
    assert min(lrs) < 0.2


def test_budget_stop_and_resume_equals_straight(tmp_path, straight):
    out = str(tmp_path / "r")
    ck = run(out, "--max-steps", "6")
    assert ck["state"]["step"] == 6 and os.path.exists(out + ".arw")
    assert_same_run(run(out, "--max-steps", str(N)), straight)
    with open(out + ".train.log") as f:
        assert "resumed from" in f.read()


def test_killed_run_resumes_to_the_same_state(tmp_path, straight):
    """SIGKILL at whatever point the process has reached after its third
    update (a checkpoint after every update, so possibly mid-write), then
    the same command again (in this process)."""
    out = str(tmp_path / "k")
    cmd = [sys.executable, os.path.join(PY, "train_rnn.py")] + ARGS + [
        "--out", out, "--max-steps", str(N), "--checkpoint-minutes", "0"]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and p.poll() is None:
            if os.path.exists(out + ".ckpt.pt"):
                try:
                    if torch.load(out + ".ckpt.pt")["state"]["step"] >= 3:
                        break
                except Exception:  # replaced while being read
                    pass
            time.sleep(0.02)
        assert p.poll() is None, "the run ended before it could be killed"
        p.send_signal(signal.SIGKILL)
    finally:
        p.kill()
        p.wait()
    killed = torch.load(out + ".ckpt.pt")["state"]["step"]
    assert 3 <= killed < N
    assert_same_run(run(out, "--max-steps", str(N), "--checkpoint-minutes", "0"), straight)


def test_finish_exports_the_best_state(tmp_path, straight):
    out = str(tmp_path / "f")
    run(out, "--max-steps", "3")
    assert train_rnn.main(["finish", out, "--no-eval"]) == 0
    header, tensors = arw.read(out + ".arw", as_float32=True)
    assert header["arch"] == "lstm" and header["hidden"] == [6] and "test_nll_nats" not in header["meta"]
    assert train_rnn.main(["finish", out]) == 0
    header, tensors = arw.read(out + ".arw", as_float32=True)
    best = torch.load(out + ".ckpt.pt")["state"]["best_state"]
    assert torch.equal(torch.from_numpy(tensors["weight_hh_l0"]), best["rnn.weight_hh_l0"])
    assert header["meta"]["test_nll_nats"] > 0 and header["meta"]["updates"] == 3
    # the .pt keeps working with the export subcommand
    assert train_rnn.main(["export", out + ".pt", str(tmp_path / "e.arw"), "note=x"]) == 0
    assert arw.read(str(tmp_path / "e.arw"))[0]["meta"]["note"] == "x"


def test_other_sizes_refused(tmp_path):
    out = str(tmp_path / "o")
    run(out, "--max-steps", "3")
    with pytest.raises(SystemExit, match="other sizes"):
        train_rnn.main(ARGS[2:] + ["--hidden", "7", "--out", out, "--max-steps", "6"])
    with pytest.raises(SystemExit, match="no checkpoint"):
        train_rnn.main(ARGS + ["--out", str(tmp_path / "none"), "--resume"])
    ck = run(out, "--max-steps", "3", "--fresh")
    assert ck["state"]["step"] == 3
