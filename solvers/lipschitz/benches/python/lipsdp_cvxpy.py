"""Independent LipSDP-Neuron / LipSDP-Layer solve with CVXPY, in Fazlyab et al.'s block form.

    M(rho, T) = [A; B]^T [[-2ab T, (a+b) T], [(a+b) T, -2T]] [A; B]
                + diag(-rho I, 0, ..., 0, W_L^T W_L)  <= 0,     L = sqrt(rho)

A = [blkdiag(W_0..W_{L-1}), 0], B = [0, I] (Fazlyab, Robey, Hassani, Morari, Pappas 2019,
Theorem 2). Written from the paper, not from any code; used to cross-check quadra's
signal-graph formulation.

usage: python lipsdp_cvxpy.py NET.npz [--solver CLARABEL|SCS] [--eps 1e-9] [--layer]
"""
import sys
import time

import cvxpy as cp
import numpy as np


def weights(path):
    z = np.load(path)
    ws = []
    k = 0
    while f"W{k}" in z:
        ws.append(np.asarray(z[f"W{k}"], dtype=float))
        k += 1
    return ws


def lipsdp(ws, alpha=0.0, beta=1.0, layer=False, solver="CLARABEL", eps=1e-9):
    n0 = ws[0].shape[1]
    hidden = [w.shape[0] for w in ws[:-1]]
    n = sum(hidden)
    a = np.zeros((n, n0 + n))
    col, row = 0, 0
    for k, w in enumerate(ws[:-1]):
        a[row:row + w.shape[0], col:col + w.shape[1]] = w
        col += w.shape[1]
        row += w.shape[0]
    b = np.hstack([np.zeros((n, n0)), np.eye(n)])
    rho = cp.Variable(nonneg=True)
    if layer:
        lam = cp.Variable(len(hidden), nonneg=True)
        t = cp.hstack([lam[k] * np.ones(h) for k, h in enumerate(hidden)])
    else:
        t = cp.Variable(n, nonneg=True)
    T = cp.diag(t)
    ab = np.vstack([a, b])
    q = cp.bmat([[-2 * alpha * beta * T, (alpha + beta) * T], [(alpha + beta) * T, -2 * T]])
    wl = ws[-1]
    last = np.zeros((n0 + n, n0 + n))
    last[n0 + n - wl.shape[1]:, n0 + n - wl.shape[1]:] = wl.T @ wl
    e0 = np.zeros((n0 + n, n0 + n))
    e0[:n0, :n0] = np.eye(n0)
    m = ab.T @ q @ ab - rho * e0 + last
    m = 0.5 * (m + m.T)
    prob = cp.Problem(cp.Minimize(rho), [m << 0])
    start = time.time()
    if solver == "SCS":
        prob.solve(solver=cp.SCS, eps=eps, max_iters=200000)
    else:
        prob.solve(solver=cp.CLARABEL, tol_gap_abs=eps, tol_gap_rel=eps, tol_feas=eps)
    return float(np.sqrt(rho.value)), time.time() - start, prob.status


if __name__ == "__main__":
    path = sys.argv[1]
    solver = sys.argv[sys.argv.index("--solver") + 1] if "--solver" in sys.argv else "CLARABEL"
    eps = float(sys.argv[sys.argv.index("--eps") + 1]) if "--eps" in sys.argv else 1e-9
    layer = "--layer" in sys.argv
    value, seconds, status = lipsdp(weights(path), layer=layer, solver=solver, eps=eps)
    print(f"{path} {'layer' if layer else 'neuron'} {solver} eps={eps}: L = {value:.9f} ({status}, {seconds:.2f} s)")
