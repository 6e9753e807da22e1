# Copied from the team's shared baselines (shared/peers/roadfield.py, our own code) so the
# benchmarks run from a clone alone. Keep the two identical: the notes' figures use it.
"""Deterministic synthetic road-probability fields for baselines and tests.

road_field(n=1300, seed=0) returns a float32 (n, n) array in [pmin, pmax]
that looks like the softmax output of a road segmentation network: a set of
roads (long gently curving polylines plus a few straight "streets", widths
6..18 px) rendered as a soft tube (logistic in the distance to the centre
line) and perturbed by smooth multiplicative noise and speckle.

uniform_field(n=1300, p=0.6) is the trivial constant field.
Only numpy and scipy are needed.
"""
import numpy as np
from scipy import ndimage as ndi


def _polyline(rng, n, steps=60):
    # start on a random border, random heading into the image, smooth turning
    side = rng.integers(4)
    t = rng.uniform(0.1, 0.9) * n
    if side == 0:
        x, y, h = t, 0.0, np.pi / 2
    elif side == 1:
        x, y, h = t, n - 1.0, -np.pi / 2
    elif side == 2:
        x, y, h = 0.0, t, 0.0
    else:
        x, y, h = n - 1.0, t, np.pi
    h += rng.normal(0, 0.35)
    pts = [(x, y)]
    step = 2.0 * n / steps
    dh = 0.0
    for _ in range(steps):
        dh = 0.8 * dh + rng.normal(0, 0.06)
        h += dh
        x += step * np.cos(h)
        y += step * np.sin(h)
        pts.append((x, y))
        if not (-step <= x <= n + step and -step <= y <= n + step):
            break
    return np.array(pts)


def _draw_centerline(img, pts, value):
    n0, n1 = img.shape
    for (x0, y0), (x1, y1) in zip(pts[:-1], pts[1:]):
        m = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
        xs = np.linspace(x0, x1, m + 1)
        ys = np.linspace(y0, y1, m + 1)
        xi = np.rint(xs).astype(int)
        yi = np.rint(ys).astype(int)
        ok = (xi >= 0) & (xi < n1) & (yi >= 0) & (yi < n0)
        img[yi[ok], xi[ok]] = value


def road_field(n=1300, seed=0, n_curvy=14, n_streets=8, pmin=1e-3, pmax=0.999):
    rng = np.random.default_rng(seed)
    # half-width map: distance to nearest centre line, per road width
    best = np.full((n, n), np.inf, dtype=np.float64)
    for k in range(n_curvy + n_streets):
        cl = np.zeros((n, n), dtype=bool)
        if k < n_curvy:
            pts = _polyline(rng, n)
            w = rng.uniform(6, 18)
        else:  # straight axis-aligned street
            c = rng.uniform(0.05, 0.95) * n
            pts = np.array([[c, 0.0], [c, n - 1.0]]) if k % 2 else np.array([[0.0, c], [n - 1.0, c]])
            w = rng.uniform(6, 12)
        _draw_centerline(cl, pts, True)
        d = ndi.distance_transform_edt(~cl)
        best = np.minimum(best, d - w / 2.0)  # signed distance to road edge
    logit = -best / 1.5  # soft edge, ~1.5 px scale
    # smooth multiplicative "confidence" noise + speckle
    noise = ndi.gaussian_filter(rng.normal(size=(n, n)), 25)
    noise /= noise.std() + 1e-12
    logit = logit + 1.2 * noise + 0.6 * rng.normal(size=(n, n))
    p = 1.0 / (1.0 + np.exp(-logit))
    return np.clip(p, pmin, pmax).astype(np.float32)


def uniform_field(n=1300, p=0.6):
    return np.full((n, n), p, dtype=np.float32)


if __name__ == "__main__":
    import time
    t = time.perf_counter()
    P = road_field()
    print("road_field: %.2fs  mean p=%.4f  frac(p>0.5)=%.4f  min=%.4g max=%.4g"
          % (time.perf_counter() - t, P.mean(), (P > 0.5).mean(), P.min(), P.max()))
