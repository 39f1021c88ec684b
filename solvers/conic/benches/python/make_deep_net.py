"""Random Gaussian/sqrt(fan-in) ReLU net as NPZ (W0,b0,...) for the depth/width series
of docs/lmi_ipm.md:  python make_deep_net.py LAYERS WIDTH INPUTS OUTPUTS SEED OUT.npz"""
import numpy as np, sys
L, n, nin, nout, seed = map(int, sys.argv[1:6]); out = sys.argv[6]
rng = np.random.default_rng(seed)
dims = [nin] + [n]*L + [nout]
d = {}
for k in range(len(dims)-1):
    d[f"W{k}"] = rng.standard_normal((dims[k+1], dims[k])) / np.sqrt(dims[k])
    d[f"b{k}"] = np.zeros(dims[k+1])
np.savez(out, **d)
