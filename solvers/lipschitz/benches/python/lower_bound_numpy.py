"""Independent lower bound for a ReLU MLP stored as W0, b0, W1, … (out × in) in an NPZ:
the largest Jacobian spectral norm over a batch of Gaussian points, vectorised in numpy
(what a user without quadra would write). Prints the value and the wall time.

Run: python lower_bound_numpy.py NET.npz [POINTS] [SCALE] [SEED]
"""
import sys
import time

import numpy as np

path = sys.argv[1]
points = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
scale = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
z = np.load(path)
L = len([k for k in z.files if k.startswith("W")])
Ws = [z[f"W{k}"] for k in range(L)]
bs = [z[f"b{k}"] if f"b{k}" in z.files else np.zeros(Ws[k].shape[0]) for k in range(L)]

t0 = time.perf_counter()
rng = np.random.default_rng(seed)
best, done, batch = 0.0, 0, 5000
while done < points:
    n = min(batch, points - done)
    x = scale * rng.standard_normal((n, Ws[0].shape[1]))
    J = np.broadcast_to(np.eye(Ws[0].shape[1]), (n,) + (Ws[0].shape[1],) * 2)
    h = x
    for k in range(L - 1):
        pre = h @ Ws[k].T + bs[k]
        J = (pre > 0)[:, :, None] * np.einsum("ij,njk->nik", Ws[k], J)
        h = np.maximum(pre, 0)
    J = np.einsum("ij,njk->nik", Ws[L - 1], J)
    best = max(best, np.linalg.norm(J, ord=2, axis=(1, 2)).max())
    done += n
print(f"lower bound {best:.6f} from {points} points in {time.perf_counter() - t0:.2f} s (numpy {np.__version__})")
