import numpy as np
import pytest
import torch

import models
import nade_c


@pytest.mark.parametrize("d,h,b,order_seed", [(784, 500, 3, 0), (20, 7, 5, 1), (1, 3, 2, None)])
def test_nade_c_matches_torch(d, h, b, order_seed):
    """The fused C training kernel gives the float64 torch NLL and gradients
    (to float32 accuracy)."""
    order = None if order_seed is None else np.random.default_rng(order_seed).permutation(d)
    m = models.NADE(d=d, h=h, order=order, shape=(1, d))
    g = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for p in m.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.3)
    x = (torch.rand(b, d, generator=g) < 0.3).float()
    nll_b, loss = nade_c.NADEGrad(m).loss_and_grad(x)
    cg = {n: p.grad.clone().double() for n, p in m.named_parameters()}

    md = models.NADE(d=d, h=h, order=order, shape=(1, d)).double()
    md.load_state_dict({k: (v.double() if v.is_floating_point() else v) for k, v in m.state_dict().items()})
    lp = md.log_prob(x.double())
    (-lp.mean()).backward()
    np.testing.assert_allclose(nll_b, -lp.detach().numpy(), rtol=1e-5)
    assert abs(loss + lp.mean().item()) < 1e-5 * abs(loss)
    for n, p in md.named_parameters():
        scale = p.grad.abs().max().item()
        np.testing.assert_allclose(cg[n].numpy(), p.grad.numpy(), atol=1e-5 * max(scale, 1e-3), rtol=0,
                                   err_msg="gradient of " + n)


def test_nade_c_log_prob():
    """Forward-only kernel path equals the torch float64 log_prob."""
    m = models.NADE(d=30, h=9, order=np.random.default_rng(4).permutation(30), shape=(1, 30))
    with torch.no_grad():
        for p in m.parameters():
            p.normal_(0, 0.5)
    x = (torch.rand(6, 30) < 0.5).float()
    want = m.double().log_prob(x.double()).detach().numpy()
    got = nade_c.NADEGrad(m.float()).log_prob(x)
    np.testing.assert_allclose(got, want, rtol=1e-5)
