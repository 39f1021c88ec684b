"""Side-by-side timing of BQ weight computation against probnum and emukit.

Same problem as `cargo run --release -p quadra-quadrature --example bq_timing`:
Matérn-5/2, lengthscale 0.05, N equispaced nodes on [0, 1], integrand sin(3x).
Each library does: Gram matrix, kernel mean (closed form), Cholesky, solve.

- probnum: `probnum.quad.bayesquad_from_data` (jitter 0; scale by MLE as in its default).
- emukit: `QuadratureProductMatern52LebesgueMeasure` for the kernel mean and the Gram
  matrix (emukit needs a wrapped standard kernel; a numpy Matérn-5/2 is wrapped here),
  then `scipy.linalg.cho_factor/cho_solve`, which is what emukit's BQ model does after
  its GP backend has built K.

Usage: /tmp/venv-quadrature/bin/python bq_weights.py
Prints `library N seconds_per_call estimate`.
"""

import time
import warnings

import numpy as np
import scipy.linalg

warnings.filterwarnings("ignore")

ELL = 0.05
NS = [10, 100, 1000]


def matern52(x1, x2, ell):
    r = np.abs(x1[:, None] - x2[None, :]) / ell
    u = np.sqrt(5.0) * r
    return (1.0 + u + u * u / 3.0) * np.exp(-u)


def timed(fn, n):
    reps = max(3, 2000 // n)
    fn()  # warm-up
    t0 = time.perf_counter()
    for _ in range(reps):
        est = fn()
    return (time.perf_counter() - t0) / reps, est


def probnum_case(x, y):
    from probnum.quad import bayesquad_from_data
    from probnum.randprocs.kernels import Matern

    k = Matern(input_shape=(1,), nu=2.5, lengthscales=ELL)

    def run():
        F, _ = bayesquad_from_data(
            nodes=x[:, None], fun_evals=y, kernel=k, domain=(0.0, 1.0), options={"jitter": 0.0}
        )
        return float(F.mean)

    return run


def emukit_case(x, y):
    from emukit.quadrature.interfaces.standard_kernels import IProductMatern52
    from emukit.quadrature.kernels import QuadratureProductMatern52LebesgueMeasure
    from emukit.quadrature.measures import LebesgueMeasure

    class NumpyMatern52(IProductMatern52):
        @property
        def lengthscales(self):
            return np.array([ELL])

        @property
        def variance(self):
            return 1.0

        def K(self, x1, x2):
            return matern52(x1[:, 0], x2[:, 0], ELL)

    measure = LebesgueMeasure.from_bounds([(0.0, 1.0)])
    qk = QuadratureProductMatern52LebesgueMeasure(NumpyMatern52(), measure)
    X = x[:, None]

    def run():
        K = qk.K(X, X)
        z = qk.qK(X)[0]
        c = scipy.linalg.cho_factor(K, lower=True)
        w = scipy.linalg.cho_solve(c, z)
        return float(w @ y)

    return run


def main():
    for n in NS:
        x = np.linspace(0.0, 1.0, n)
        y = np.sin(3.0 * x)
        for name, make in [("probnum", probnum_case), ("emukit", emukit_case)]:
            dt, est = timed(make(x, y), n)
            print(f"{name} {n} {dt:.6e} {est:.15f}", flush=True)


if __name__ == "__main__":
    main()
