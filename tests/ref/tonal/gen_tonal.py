#!/usr/bin/python3
"""gen_tonal.py — independent numpy float64 references for tests/test_tonal.c (docs/notes-tonal.md).

Written from the formulas in src/nn/stats.c's and src/nn/nst.c's header comments, vectorised,
without the C code: the arrays are not produced by the code under test.

  stats_*.npy, stats.json   the spectral-statistics terms (envelope, spread, temporal) and their
                            gradient on small random inputs, u(x) = log(eps + expm1(x)) (x >= 0),
                            log(eps) (x < 0)
  match_*.npy               the render's histogram matching (Heeger & Bergen 1995, per bin): one
                            bin's magnitudes r (with ties), the style's sorted magnitudes ss and the
                            gains for mix 1 and 0.6: rank by a stable argsort, the style's value by
                            np.interp at position (rank + 0.5) Ts / T - 0.5, gain ((v + 1e-9) /
                            (r + 1e-9))^mix
  nst_norm.json,            the normalised content and style terms with the feature-mean term on
  nst_norm_grad_style.npy   tests/ref/nst's W, x, c, s (valid padding, Gram / T), and the style
                            part's gradient (alpha = 0)

Run from the repository root: /usr/bin/python3 tests/ref/tonal/gen_tonal.py
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
NST = os.path.join(HERE, "..", "nst")


def u_of(x, eps):
    pos = x >= 0
    m = np.expm1(np.where(pos, x, 0.0))
    u = np.where(pos, np.log(eps + m), np.log(eps))
    du = np.where(pos, np.exp(np.where(pos, x, 0.0)) / (eps + m), 0.0)
    return u, du


def log_flatness(z, eps):  # (T,) per frame: mean log(m^2 + eps^2) - log(mean m^2 + eps^2)
    m = np.where(z > 0, np.expm1(np.maximum(z, 0)), 0.0)
    return np.log(m ** 2 + eps ** 2).mean(0) - np.log((m ** 2).mean(0) + eps ** 2)


def stats(x, c, s, eps, we, wd, wt, wf):
    C, T = x.shape
    u, du = u_of(x, eps)
    us, _ = u_of(s, eps)
    E, Es = u.mean(1), us.mean(1)
    D, Ds = u.std(1), us.std(1)  # population sd (ddof 0)
    loss = we * T * np.sum((E - Es) ** 2) + wd * T * np.sum((D - Ds) ** 2)
    gu = 2 * we * (E - Es)[:, None] + 2 * wd * ((D - Ds) / D)[:, None] * (u - E[:, None])
    g = gu * du
    mag = lambda z: np.where(z > 0, np.expm1(np.maximum(z, 0)), 0.0)
    px = (mag(x) ** 2).mean(0) + eps ** 2
    pc = (mag(c) ** 2).mean(0) + eps ** 2
    ex, ec = np.log(px), np.log(pc)
    d = (ex - ex.mean()) - (ec - ec.mean())
    loss += wt * C * np.sum(d ** 2)
    ge = 2 * wt * C * (d - d.mean())  # dL/de, the centring being a projection
    g += ge[None, :] * 2 * mag(x) * np.exp(np.maximum(x, 0)) / (C * px[None, :]) * (x > 0)
    fx, fs = log_flatness(x, eps).mean(), log_flatness(s, eps).mean()
    loss += wf * C * T * (fx - fs) ** 2
    m = mag(x)
    dfdm = (2 * m / (m ** 2 + eps ** 2) - 2 * m / ((m ** 2).mean(0) + eps ** 2)[None, :]) / (C * T)
    g += 2 * wf * C * T * (fx - fs) * dfdm * np.exp(np.maximum(x, 0)) * (x > 0)
    return loss, g


def match_gains(r, ss, mix):
    T, Ts = len(r), len(ss)
    rank = np.empty(T)
    rank[np.argsort(r, kind="stable")] = np.arange(T)
    v = np.interp((rank + 0.5) * Ts / T - 0.5, np.arange(Ts), ss)
    return ((v + 1e-9) / (r + 1e-9)) ** mix


def gen_match():
    rng = np.random.default_rng(17)
    r = np.exp(rng.standard_normal(37)).astype(np.float32)
    r[[5, 20, 31]] = r[11]  # ties: they keep their order in time
    r[3] = 0
    ss = np.sort(np.exp(2 * rng.standard_normal(23) - 3)).astype(np.float32)
    np.save(os.path.join(HERE, "match_r.npy"), r.astype("<f4"))
    np.save(os.path.join(HERE, "match_ss.npy"), ss.astype("<f4"))
    for mix, name in ((1.0, "1"), (0.6, "0.6")):
        g = match_gains(r.astype(np.float64), ss.astype(np.float64), mix)
        np.save(os.path.join(HERE, f"match_gain_{name}.npy"), g.astype("<f8"))


def main():
    gen_match()
    rng = np.random.default_rng(2026)
    C, T, Ts = 9, 7, 11
    x = 0.6 + 0.8 * rng.standard_normal((C, T))
    c = 0.6 + 0.8 * rng.standard_normal((C, T))
    s = 0.6 + 0.8 * rng.standard_normal((C, Ts))
    cfg = dict(eps=0.05, w_env=0.3, w_std=0.5, w_tenv=0.7, w_flat=0.9)
    loss, g = stats(x, c, s, *cfg.values())
    # a check of this reference itself: central differences of its own loss
    h, fd = 1e-6, np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        fd[i] = (stats(xp, c, s, *cfg.values())[0] - stats(xm, c, s, *cfg.values())[0]) / (2 * h)
    fd_err = float(np.abs(fd - g).max() / np.abs(g).max())
    for name, a in (("x", x), ("c", c), ("s", s), ("grad", g)):
        np.save(os.path.join(HERE, f"stats_{name}.npy"), a.astype("<f8"))
    with open(os.path.join(HERE, "stats.json"), "w") as f:
        json.dump(dict(cfg, loss=float(loss), fd_rel_err=fd_err), f, indent=1)

    # the normalised loss with feature means on the nst fixture
    W = np.load(os.path.join(NST, "W.npy")).astype(np.float64)  # (N, C, K)
    xs = [np.load(os.path.join(NST, n + ".npy")).astype(np.float64) for n in ("x", "c", "s")]
    N, Cn, K = W.shape

    def feats(z):  # valid conv, (To, N), ReLU
        To = z.shape[1] - K + 1
        cols = np.stack([z[:, j:j + To] for j in range(K)], axis=2)  # (C, To, K)
        pre = np.einsum("nck,ctk->tn", W, cols)
        return np.maximum(pre, 0), cols, pre > 0

    Fx, cols, mask = feats(xs[0])
    Fc, _, _ = feats(xs[1])
    Fs, _, _ = feats(xs[2])
    Tx, Tsn = xs[0].shape[1], xs[2].shape[1]
    alpha, beta, mean_w = 1e-2, 1.0, 0.25
    Gx, Gs = Fx.T @ Fx / Tx, Fs.T @ Fs / Tsn
    a_eff = alpha / np.mean(Fc ** 2)
    b_eff = beta / np.mean(Gs ** 2)
    mu, ms = Fx.mean(0), Fs.mean(0)
    lc = a_eff * np.sum((Fx - Fc) ** 2)
    ls = b_eff * np.sum((Gx - Gs) ** 2) + mean_w * np.sum((mu - ms) ** 2) / np.sum(ms ** 2)
    dF = 4 * b_eff / Tx * Fx @ (Gx - Gs) + 2 * mean_w * (mu - ms)[None, :] / (np.sum(ms ** 2) * Fx.shape[0])
    dF = dF * mask
    grad = np.zeros_like(xs[0])
    To = Fx.shape[0]
    for j in range(K):
        grad[:, j:j + To] += np.einsum("nc,tn->ct", W[:, :, j], dF)
    np.save(os.path.join(HERE, "nst_norm_grad_style.npy"), grad.astype("<f8"))
    with open(os.path.join(HERE, "nst_norm.json"), "w") as f:
        json.dump(dict(alpha=alpha, beta=beta, mean_w=mean_w, content_loss=float(lc),
                       style_loss=float(ls)), f, indent=1)
    print(f"stats loss {loss:.12g} (fd check {fd_err:.2g}); nst content {lc:.10g} style {ls:.10g}")


if __name__ == "__main__":
    main()
