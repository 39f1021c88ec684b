"""Log–log plot of LipSDP-Neuron solve time against LMI size for the depth and width
series of docs/benchmarks.md (issue #4).

Input: lines `LxN rows seconds` (one network per line, e.g. `10x64 704 8.3`), as
collected from `quadra lipschitz NET --method lipsdp-neuron --solver lowrank
--no-lower-bound` on random Gaussian/sqrt(fan-in) ReLU nets (width N, L hidden layers,
N inputs, 10 outputs). Output: an SVG.

    python plot_lipsdp_scaling.py series.txt docs/lipsdp_scaling.svg
"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(src, dst):
    depth, width = [], []
    for line in open(src):
        if not line.strip() or line.startswith("#"):
            continue
        name, rows, secs = line.split()[:3]
        layers, n = (int(v) for v in name.split("x"))
        point = (int(rows), float(secs), name)
        if n == 64:
            depth.append(point)
        if layers == 10:
            width.append(point)
    fig, ax = plt.subplots(figsize=(6, 4.2))
    for series, label, marker in [
        (depth, "depth series (width 64)", "o"),
        (width, "width series (10 hidden layers)", "s"),
    ]:
        series.sort()
        ax.loglog([p[0] for p in series], [p[1] for p in series], marker=marker, label=label)
        for rows, secs, name in series:
            ax.annotate(name, (rows, secs), textcoords="offset points", xytext=(4, -10), fontsize=7)
    xs = [150, 5000]
    for k, style in [(2, ":"), (3, "--")]:
        c = depth[0][1] / depth[0][0] ** k if depth else 1e-6
        ax.loglog(xs, [c * x**k for x in xs], "k" + style, lw=0.8, label=f"slope {k}")
    ax.set_xlabel("LMI rows N")
    ax.set_ylabel("solve time [s]")
    ax.set_title("LipSDP-Neuron, low-rank IPM (quadra lipschitz), 2-core machine")
    ax.grid(True, which="both", lw=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(dst)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
