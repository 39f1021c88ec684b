"""Side-by-side timing: SDPA files solved by clarabel's Python interface (scipy/OpenBLAS
LAPACK) with the same formulation and default settings that quadra uses (clarabel in
Rust with faer-backed LAPACK).

    python sdpa_clarabel.py ../shared/data/sdplib/control2.dat-s ...

Prints one line per file: name, objective, status, iterations, solve seconds (clarabel's
own timer, which excludes Python-side assembly), wall seconds.
Written for quadra's benchmarks; formulation as solvers/conic/src/solve.rs:
min c'x s.t. svec(sum F_i x_i - F_0) in the PSD-triangle cone (diagonal blocks: orthant).
"""
import sys
import time

import numpy as np
import scipy.sparse as sp
import clarabel


def read_sdpa(path):
    lines = [l for l in open(path) if l.strip() and not l.lstrip().startswith(('"', '*'))]
    tok = lambda l: l.replace(',', ' ').replace('(', ' ').replace(')', ' ').replace('{', ' ').replace('}', ' ').split()
    m = int(tok(lines[0])[0])
    nb = int(tok(lines[1])[0])
    rest = lines[2:]
    sizes, k = [], 0
    while len(sizes) < nb:
        sizes += [int(t) for t in tok(rest[k])]
        k += 1
    c = []
    while len(c) < m:
        c += [float(t.replace('D', 'e').replace('d', 'e')) for t in tok(rest[k])]
        k += 1
    entries = []
    for l in rest[k:]:
        t = tok(l)
        entries.append((int(t[0]), int(t[1]) - 1, int(t[2]) - 1, int(t[3]) - 1, float(t[4].replace('D', 'e'))))
    return m, sizes, np.array(c), entries


def build(m, sizes, c, entries):
    offsets, cones, row = [], [], 0
    for s in sizes:
        offsets.append(row)
        if s > 0:
            row += s * (s + 1) // 2
            cones.append(clarabel.PSDTriangleConeT(s))
        else:
            row += -s
            cones.append(clarabel.NonnegativeConeT(-s))
    b = np.zeros(row)
    I, J, V = [], [], []
    for mat, blk, i, j, v in entries:
        i, j = min(i, j), max(i, j)
        if sizes[blk] > 0:
            r = offsets[blk] + j * (j + 1) // 2 + i
            scale = 1.0 if i == j else np.sqrt(2.0)
        else:
            r = offsets[blk] + i
            scale = 1.0
        if mat == 0:
            b[r] -= scale * v  # X = sum F_i x_i - F_0
        else:
            I.append(r); J.append(mat - 1); V.append(-scale * v)
    A = sp.csc_matrix((V, (I, J)), shape=(row, m))
    P = sp.csc_matrix((m, m))
    return P, c, A, b, cones


def main():
    for path in sys.argv[1:]:
        t0 = time.perf_counter()
        P, q, A, b, cones = build(*read_sdpa(path))
        settings = clarabel.DefaultSettings()
        settings.verbose = False
        solver = clarabel.DefaultSolver(P, q, A, b, cones, settings)
        sol = solver.solve()
        wall = time.perf_counter() - t0
        name = path.rsplit('/', 1)[-1].replace('.dat-s', '')
        print(f"{name} {sol.obj_val:.9e} {sol.status} {sol.iterations} {sol.solve_time:.4f} {wall:.4f}")


if __name__ == '__main__':
    main()
