/* Fused NADE forward + backward for training (float32, one thread).
 *
 * Everything is in ordering space: row t of Wo/Vo belongs to the data index
 * generated at step t (Wo[t] = W[:, order[t]], Vo[t] = V[order[t], :]).
 * For each example, the forward pass keeps the running pre-activation
 * a = c + sum_{s<t} x_s Wo[s] (updated only where x_s = 1) and stores the
 * hidden vectors h_t in a D*H scratch buffer; the backward pass walks t
 * downwards with the suffix sum S = sum_{u>t} dA_u, so dWo[t] += x_t S.
 *
 * Gradients of scale * sum_b -log p(x_b) are ADDED to dWo, dVo, dc, dbo;
 * lp[b] receives log p(x_b) in nats.  With want_grad == 0 only lp is
 * computed (the gradient buffers are not touched and may be NULL).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

void nade_grad(int D, int H, int B, int want_grad, const uint8_t *x,
               const float *Wo, const float *c, const float *Vo, const float *bo,
               float scale,
               float *dWo, float *dc, float *dVo, float *dbo, double *lp,
               float *a, float *S, float *hbuf, float *dl) {
  for (int b = 0; b < B; b++) {
    const uint8_t *xb = x + (size_t)b * D;
    memcpy(a, c, sizeof(float) * H);
    double lpb = 0;
    for (int t = 0; t < D; t++) {
      float *h = hbuf + (size_t)t * H;
      const float *v = Vo + (size_t)t * H;
      float dot = 0;
      for (int j = 0; j < H; j++) {
        float z = -a[j];
        z = z > 80.0f ? 80.0f : z;
        float hj = 1.0f / (1.0f + expf(z));
        h[j] = hj;
        dot += hj * v[j];
      }
      double logit = (double)bo[t] + (double)dot;
      double sp = logit > 0 ? logit + log1p(exp(-logit)) : log1p(exp(logit));
      double p = 1.0 / (1.0 + exp(-logit));
      lpb += (xb[t] ? logit : 0.0) - sp;
      dl[t] = (float)((p - (xb[t] ? 1.0 : 0.0)) * scale);
      if (xb[t]) {
        const float *w = Wo + (size_t)t * H;
        for (int j = 0; j < H; j++) a[j] += w[j];
      }
    }
    lp[b] = lpb;
    if (!want_grad) continue;
    memset(S, 0, sizeof(float) * H);
    for (int t = D - 1; t >= 0; t--) {
      const float *h = hbuf + (size_t)t * H;
      const float *v = Vo + (size_t)t * H;
      float *dv = dVo + (size_t)t * H;
      float g = dl[t];
      dbo[t] += g;
      if (xb[t]) {
        float *dw = dWo + (size_t)t * H;
        for (int j = 0; j < H; j++) dw[j] += S[j];
      }
      for (int j = 0; j < H; j++) {
        float hj = h[j];
        dv[j] += g * hj;
        S[j] += g * v[j] * hj * (1.0f - hj);
      }
    }
    for (int j = 0; j < H; j++) dc[j] += S[j];
  }
}
