"""LipSDP-Neuron (Fazlyab et al. 2019, Thm 2; ReLU, alpha=0, beta=1) in CVXPY with SCS
and Clarabel, on the weights exported by the Rust example

    cargo run --release -p quadra-conic --example lipsdp_lowrank -- 64-50-50-10 --export w.json

so both sides solve the same program. Prints one line per solver: status, sqrt(rho),
seconds (wall clock around problem.solve, CVXPY compilation included).

usage: python lipsdp_cvxpy.py w.json [scs] [clarabel] [--timeout S is not supported; use `timeout`]
"""
import json
import sys
import time

import cvxpy as cp
import numpy as np


def lipsdp_neuron(weights):
    n0 = weights[0].shape[1]
    hidden = [w.shape[0] for w in weights[:-1]]
    N = sum(hidden)
    n = n0 + N
    rho = cp.Variable()
    t = cp.Variable(N, nonneg=True)
    # Block matrices A (rows: hidden neurons, cols: inputs+hidden) and B (unit rows).
    A = np.zeros((N, n))
    B = np.zeros((N, n))
    row, in_off, in_dim, out_off = 0, 0, n0, n0
    for w in weights[:-1]:
        A[row:row + w.shape[0], in_off:in_off + in_dim] = w
        for r in range(w.shape[0]):
            B[row + r, out_off + r] = 1.0
        row += w.shape[0]
        in_off, in_dim, out_off = out_off, w.shape[0], out_off + w.shape[0]
    T = cp.diag(t)
    # sum_j t_j [-(a e^T + e a^T) + 2 e e^T] = -(A^T T B + B^T T A) + 2 B^T T B
    M = -(A.T @ T @ B + B.T @ T @ A) + 2 * (B.T @ T @ B)
    E = np.zeros((n, n))
    E[:n0, :n0] = np.eye(n0)
    L = weights[-1]
    C = np.zeros((n, n))
    C[in_off:in_off + in_dim, in_off:in_off + in_dim] = L.T @ L
    F = rho * E + M - C
    prob = cp.Problem(cp.Minimize(rho), [(F + F.T) / 2 >> 0])
    return prob, rho


def main():
    data = json.load(open(sys.argv[1]))
    weights = [np.array(w, dtype=float) for w in data["weights"]]
    solvers = [a for a in sys.argv[2:] if not a.startswith("--")] or ["scs", "clarabel"]
    for name in solvers:
        prob, rho = lipsdp_neuron(weights)
        start = time.perf_counter()
        if name == "scs":
            prob.solve(solver=cp.SCS)
        else:
            prob.solve(solver=cp.CLARABEL)
        secs = time.perf_counter() - start
        val = rho.value
        bound = float(np.sqrt(val)) if val is not None and val > 0 else float("nan")
        print(f"{name:9s} dims {data['dims']} status {prob.status} bound {bound:.10f} "
              f"rho {float(val) if val is not None else float('nan'):.12e} seconds {secs:.3f}",
              flush=True)


if __name__ == "__main__":
    main()
