"""50-digit reference for BQ weights on ill-conditioned Gram matrices.

Reads the JSON lines of `cargo run --release -p quadra-quadrature --example bq_conditioning`
(Matérn kernels, equispaced nodes on [0, 0.1], ℓ = 0.3) and solves K w = z and
∫∫k − zᵀw in mpmath at 50 digits, with the node values taken as the exact binary doubles
the Rust code used. Prints, per case, the largest weight error of the state-space and
dense rules relative to max|w|, and their variance errors relative to the true variance.

Usage: /tmp/venv-quadrature/bin/python bq_reference_mp.py [--weights] < /tmp/bq_cond.jsonl
(mpmath 1.3.0). With `--weights`, also prints the reference weights and variance to 20
digits (the values pinned in `tests/state_space.rs`).
"""

import json
import sys

import mpmath as mp

mp.mp.dps = 50
COEF = {
    "matern12": (1, [1]),
    "matern32": (3, [1, 1]),
    "matern52": (5, [1, 1, mp.mpf(1) / 3]),
    "matern72": (7, [1, 1, mp.mpf(2) / 5, mp.mpf(1) / 15]),
}


def kernel(kind, ell):
    two_nu, c = COEF[kind]
    s = mp.sqrt(two_nu) / mp.mpf(ell)

    def k(r):
        u = s * abs(r)
        return mp.exp(-u) * sum(ck * u**j for j, ck in enumerate(c))

    return k


def main():
    print("kernel n cond(K) ss_weight_err dense_weight_err ss_var_err dense_var_err")
    for line in sys.stdin:
        case = json.loads(line)
        k = kernel(case["kernel"], case["ell"])
        a, b = mp.mpf(case["a"]), mp.mpf(case["b"])
        x = [mp.mpf(v) for v in case["nodes"]]
        n = len(x)
        K = mp.matrix(n, n)
        for i in range(n):
            for j in range(n):
                K[i, j] = k(x[i] - x[j])
        z = mp.matrix([mp.quad(lambda t: k(t - xi), [a, xi, b]) for xi in x])
        w = mp.lu_solve(K, z)
        init = mp.quad(lambda t: mp.quad(lambda s: k(t - s), [a, t, b]), [a, b])
        var = init - sum(z[i] * w[i] for i in range(n))
        wmax = max(abs(v) for v in w)
        cond = mp.norm(K, 1) * mp.norm(mp.inverse(K), 1)

        def werr(ws):
            if ws is None:
                return float("nan")
            return float(max(abs(mp.mpf(ws[i]) - w[i]) for i in range(n)) / wmax)

        def verr(v):
            if v is None:
                return float("nan")
            return float(abs(mp.mpf(v) - var) / var)

        print(
            f"{case['kernel']} {n} {float(cond):.1e} {werr(case['state_space']):.1e} "
            f"{werr(case['dense']):.1e} {verr(case['state_space_variance']):.1e} "
            f"{verr(case['dense_variance']):.1e}",
            flush=True,
        )
        if "--weights" in sys.argv:
            print("  w =", [mp.nstr(v, 20) for v in w], "variance =", mp.nstr(var, 20))


if __name__ == "__main__":
    main()
