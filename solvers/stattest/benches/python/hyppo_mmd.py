"""Side-by-side: hyppo's MMD permutation test vs `quadra mmd` (wild bootstrap), same data.

Usage: python hyppo_mmd.py /path/to/quadra   (writes CSVs to a temp dir; n = 2000, 1000 draws)
"""
import resource, subprocess, sys, tempfile, time, os
import json
import numpy as np
import hyppo
from hyppo.ksample import MMD

quadra = sys.argv[1]
n, reps = 2000, 1000
rng = np.random.default_rng(1)
tmp = tempfile.mkdtemp()
print(f"hyppo {hyppo.__version__}, numpy {np.__version__}")
for d in (1, 10):
    x = rng.standard_normal((n, d))
    y = rng.standard_normal((n, d))
    xp, yp = os.path.join(tmp, f"x{d}.csv"), os.path.join(tmp, f"y{d}.csv")
    np.savetxt(xp, x, delimiter=",")
    np.savetxt(yp, y, delimiter=",")
    t0 = time.perf_counter()
    stat, p = MMD(compute_kernel="gaussian").test(x, y, reps=reps, workers=1, random_state=1)
    th = time.perf_counter() - t0
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run([quadra, "mmd", xp, yp, "--n-boot", str(reps), "--block", "10",
                          "--format", "json"], capture_output=True, check=True)
    tq = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cq = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    print(f"d={d}: hyppo permutation {th:.2f} s (p={p:.3f}); quadra wild {tq:.2f} s "
          f"(CPU {cq:.2f} s, p={json.loads(out.stdout)['p_value']:.3f}); ratio {th / tq:.1f}x")
