import numpy as np
import torch

import compose_made
import models


def test_compose_starts_at_fvsbn():
    """The composed MADE+direct model has exactly the FVSBN's log-likelihood."""
    torch.manual_seed(0)
    fv = models.FVSBN(d=10, shape=(1, 10))
    with torch.no_grad():
        fv.W.normal_()
        fv.b.normal_()
    made = models.MADE(d=10, hidden=(6,), seed=2, shape=(1, 10))
    m, kw = compose_made.compose({"arch": "made", "kwargs": {"d": 10, "hidden": [6], "masks": 1, "direct": False,
                                                             "seed": 2, "shape": (1, 10)},
                                  "state_dict": made.state_dict()},
                                 {"arch": "fvsbn", "kwargs": {"d": 10, "shape": (1, 10)}, "state_dict": fv.state_dict()})
    assert kw["direct"] is True
    x = (torch.rand(8, 10) < 0.5).float()
    with torch.no_grad():
        np.testing.assert_allclose(m.log_prob(x).numpy(), fv.log_prob(x).numpy(), rtol=1e-6)
        np.testing.assert_array_equal(m.layers[0].weight.numpy(), made.layers[0].weight.numpy())


def test_widen_keeps_mask0():
    """A widened K-mask MADE's mask 0 gives the trained 1-mask model exactly."""
    torch.manual_seed(1)
    kw = {"d": 9, "hidden": [7], "masks": 1, "direct": True, "seed": 5, "shape": (1, 9)}
    src = models.MADE(**kw)
    with torch.no_grad():
        src.A.normal_()
    m, kw2 = compose_made.widen({"arch": "made", "kwargs": kw, "state_dict": src.state_dict()}, 3)
    assert kw2["masks"] == 3 and m.k == 3
    x = (torch.rand(5, 9) < 0.5).float()
    with torch.no_grad():
        np.testing.assert_allclose(m.log_prob_mask(x, 0).numpy(), src.log_prob(x).numpy(), rtol=1e-6)
