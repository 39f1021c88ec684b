"""Side-by-side: the QuadAttack QP (C classes, d features) in Clarabel and OSQP (Python).

    min ||z - f||^2  s.t.  l_{t_k}(z) - l_{t_{k+1}}(z) >= m  (k < K),
                           l_{t_K}(z) - l_c(z) >= m           (c not in T),  l(z) = W z + b.

Writes the instance (head.npz with W, b; features.npy) and, per K, the solver times and
optimal z to OUT/, so that `quadra quadattack` and the criterion bench solve the same data.

Usage: python quadattack_side_by_side.py OUT [--classes 1000] [--dim 2048]
       [--ks 1,5,20] [--clarabel-ks 1,20] [--osqp-ks 1,5,20] [--seed 0] [--quadra BIN]

Versions used are written to OUT/versions.json.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import scipy.sparse as sp


def instance(C, d, seed):
    rng = np.random.default_rng(seed)
    W = rng.standard_normal((C, d)) / np.sqrt(d)
    b = 0.1 * rng.standard_normal(C)
    f = np.abs(rng.standard_normal(d))
    return W, b, f


def targets_for(C, K, seed):
    rng = np.random.default_rng(1000 + seed + K)
    return [int(t) for t in rng.choice(C, size=K, replace=False)]


def constraint_matrix(W, b, targets, margin):
    """Rows g_j, h_j with g_j z >= h_j."""
    C = W.shape[0]
    K = len(targets)
    rows_a, rows_b = [], []
    for k in range(K - 1):
        rows_a.append(targets[k])
        rows_b.append(targets[k + 1])
    tset = set(targets)
    for c in range(C):
        if c not in tset:
            rows_a.append(targets[-1])
            rows_b.append(c)
    ra, rb = np.array(rows_a), np.array(rows_b)
    G = W[ra] - W[rb]
    h = margin - (b[ra] - b[rb])
    return G, h


def solve_clarabel(G, h, f):
    import clarabel
    d = f.size
    P = sp.csc_matrix(2.0 * sp.identity(d))
    q = -2.0 * f
    A = sp.csc_matrix(-G)
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    settings.tol_gap_abs = 1e-9
    settings.tol_gap_rel = 1e-9
    settings.tol_feas = 1e-9
    t0 = time.perf_counter()
    solver = clarabel.DefaultSolver(P, q, A, -h, [clarabel.NonnegativeConeT(G.shape[0])], settings)
    sol = solver.solve()
    t = time.perf_counter() - t0
    return np.array(sol.x), t, str(sol.status)


def solve_osqp(G, h, f):
    import osqp
    d = f.size
    P = sp.csc_matrix(2.0 * sp.identity(d))
    q = -2.0 * f
    A = sp.csc_matrix(G)
    u = np.full(G.shape[0], np.inf)
    prob = osqp.OSQP()
    t0 = time.perf_counter()
    prob.setup(P, q, A, h, u, eps_abs=1e-9, eps_rel=1e-9, max_iter=200000,
               polish=True, verbose=False)
    res = prob.solve()
    t = time.perf_counter() - t0
    return np.array(res.x), t, str(res.info.status)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--classes", type=int, default=1000)
    ap.add_argument("--dim", type=int, default=2048)
    ap.add_argument("--ks", default="1,5,20")
    ap.add_argument("--clarabel-ks", default="1,20")
    ap.add_argument("--osqp-ks", default="1,5,20")
    ap.add_argument("--margin", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quadra", default=None, help="path of the quadra binary to time too")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    import clarabel, osqp  # noqa: E401
    vers = {"python": sys.version.split()[0], "numpy": np.__version__,
            "clarabel": getattr(clarabel, "__version__", "?"),
            "osqp": getattr(osqp, "__version__", "?")}
    json.dump(vers, open(os.path.join(a.out, "versions.json"), "w"), indent=1)
    W, b, f = instance(a.classes, a.dim, a.seed)
    np.savez(os.path.join(a.out, "head.npz"), W=W, b=b)
    np.save(os.path.join(a.out, "features.npy"), f)
    ks = [int(k) for k in a.ks.split(",")]
    cks = {int(k) for k in a.clarabel_ks.split(",") if k}
    oks = {int(k) for k in a.osqp_ks.split(",") if k}
    results = []
    for K in ks:
        T = targets_for(a.classes, K, a.seed)
        G, h = constraint_matrix(W, b, T, a.margin)
        row = {"K": K, "targets": T}
        if K in cks:
            z, t, st = solve_clarabel(G, h, f)
            row["clarabel"] = {"seconds": t, "status": st, "distance2": float(np.sum((z - f) ** 2))}
            np.save(os.path.join(a.out, f"z_clarabel_K{K}.npy"), z)
            print(f"K={K} clarabel {t:.2f}s {st} |z-f|^2={row['clarabel']['distance2']:.12g}", flush=True)
        if K in oks:
            z, t, st = solve_osqp(G, h, f)
            row["osqp"] = {"seconds": t, "status": st, "distance2": float(np.sum((z - f) ** 2)),
                           "max_violation": float(np.max(np.maximum(h - G @ z, 0.0)))}
            np.save(os.path.join(a.out, f"z_osqp_K{K}.npy"), z)
            print(f"K={K} osqp {t:.2f}s {st} |z-f|^2={row['osqp']['distance2']:.12g}", flush=True)
        if a.quadra:
            cmd = [a.quadra, "quadattack", "--head", os.path.join(a.out, "head.npz"),
                   "--features", os.path.join(a.out, "features.npy"),
                   "--targets", ",".join(str(t) for t in T), "--margin", str(a.margin),
                   "--format", "json"]
            t0 = time.perf_counter()
            out = subprocess.run(cmd, capture_output=True, text=True)
            wall = time.perf_counter() - t0
            if out.returncode == 0:
                js = json.loads(out.stdout)
                row["quadra"] = {"seconds": js["seconds"], "wall_with_load_and_gram": wall,
                                 "status": js["status"], "distance2": js["distance"] ** 2}
                print(f"K={K} quadra {js['seconds']*1e3:.2f}ms (process {wall:.2f}s)", flush=True)
            else:
                print(out.stderr, file=sys.stderr)
        results.append(row)
        json.dump(results, open(os.path.join(a.out, "results.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
