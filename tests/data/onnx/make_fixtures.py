"""Writes the small ONNX fixtures under tests/data/onnx/ and their reference outputs.

Run: python tests/data/onnx/make_fixtures.py   (needs numpy and onnx; tested with onnx 1.19)

Each graph is written by hand with onnx.helper in the op patterns exporters emit; the
reference outputs in expected.json come from onnx.reference.ReferenceEvaluator (the ONNX
project's own evaluator), an implementation independent of quadra's importer.
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261129)


def init(name, a):
    return numpy_helper.from_array(np.asarray(a), name)


def const_i64(name, vals):
    return init(name, np.asarray(vals, dtype=np.int64))


def model(nodes, inits, n_in, n_out, name, batch=True):
    shape_in = ["N", n_in] if batch else [n_in]
    shape_out = ["N", n_out] if batch else [n_out]
    g = helper.make_graph(
        nodes,
        name,
        [helper.make_tensor_value_info("x", TensorProto.DOUBLE, shape_in)],
        [helper.make_tensor_value_info("y", TensorProto.DOUBLE, shape_out)],
        initializer=inits,
    )
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)], producer_name="quadra-fixtures")
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


def w(o, i):
    return rng.standard_normal((o, i)).astype(np.float64) / np.sqrt(i)


def b(o):
    return (0.1 * rng.standard_normal(o)).astype(np.float64)


fixtures = {}

# 1. Gemm (transB = 1, alpha/beta) + Relu + Gemm + LeakyRelu + MatMul/Add + Tanh + Gemm (transB = 0).
W0, B0, W1, B1, W2, B2, W3 = w(6, 4), b(6), w(5, 6), b(5), w(6, 5), b(6), w(3, 6).T.copy()
fixtures["gemm_chain"] = model(
    [
        helper.make_node("Gemm", ["x", "W0", "B0"], ["h0"], transB=1, alpha=0.5, beta=2.0),
        helper.make_node("Relu", ["h0"], ["a0"]),
        helper.make_node("Gemm", ["a0", "W1", "B1"], ["h1"], transB=1),
        helper.make_node("LeakyRelu", ["h1"], ["a1"], alpha=0.1),
        helper.make_node("MatMul", ["a1", "W2T"], ["m2"]),
        helper.make_node("Add", ["m2", "B2"], ["h2"]),
        helper.make_node("Sigmoid", ["h2"], ["a2"]),
        helper.make_node("Softplus", ["a2"], ["a3"]),
        helper.make_node("Tanh", ["a3"], ["a4"]),
        helper.make_node("Gemm", ["a4", "W3"], ["y"]),
    ],
    [init("W0", W0), init("B0", B0), init("W1", W1), init("B1", B1), init("W2T", W2.T.copy()), init("B2", B2), init("W3", W3)],
    4, 3, "gemm_chain",
)

# 2. MaxMin as Reshape(N, k, 2) + ReduceMax/ReduceMin(axis -1, keepdims) + Concat + Flatten.
W0, B0, W1, B1 = w(8, 5), b(8), w(3, 8), b(3)
fixtures["maxmin_reduce"] = model(
    [
        helper.make_node("Gemm", ["x", "W0", "B0"], ["h0"], transB=1),
        helper.make_node("Reshape", ["h0", "pairs"], ["p"]),
        helper.make_node("ReduceMax", ["p"], ["mx"], axes=[-1], keepdims=1),
        helper.make_node("ReduceMin", ["p"], ["mn"], axes=[-1], keepdims=1),
        helper.make_node("Concat", ["mx", "mn"], ["c"], axis=-1),
        helper.make_node("Flatten", ["c"], ["f"], axis=1),
        helper.make_node("Gemm", ["f", "W1", "B1"], ["y"], transB=1),
    ],
    [init("W0", W0), init("B0", B0), init("W1", W1), init("B1", B1), const_i64("pairs", [-1, 4, 2])],
    5, 3, "maxmin_reduce",
)

# 3. MaxMin as Split in halves + Max + Min + Concat (the "split channels" implementation).
W0, B0, W1 = w(6, 3), b(6), w(2, 6)
fixtures["maxmin_split"] = model(
    [
        helper.make_node("Gemm", ["x", "W0", "B0"], ["h0"], transB=1),
        helper.make_node("Split", ["h0", "halves"], ["s0", "s1"], axis=1),
        helper.make_node("Max", ["s0", "s1"], ["mx"]),
        helper.make_node("Min", ["s0", "s1"], ["mn"]),
        helper.make_node("Concat", ["mx", "mn"], ["c"], axis=1),
        helper.make_node("Gemm", ["c", "W1"], ["y"], transB=1),
    ],
    [init("W0", W0), init("B0", B0), init("W1", W1), const_i64("halves", [3, 3])],
    3, 2, "maxmin_split",
)

# 4. GroupSort(3) as Reshape + TopK(k = 3, sorted, largest) + Reshape.
W0, B0, W1 = w(6, 4), b(6), w(2, 6)
fixtures["groupsort_topk"] = model(
    [
        helper.make_node("Gemm", ["x", "W0", "B0"], ["h0"], transB=1),
        helper.make_node("Reshape", ["h0", "groups"], ["g"]),
        helper.make_node("TopK", ["g", "k"], ["sorted", "idx"], axis=-1, largest=1, sorted=1),
        helper.make_node("Reshape", ["sorted", "flat"], ["f"]),
        helper.make_node("Gemm", ["f", "W1"], ["y"], transB=1),
    ],
    [init("W0", W0), init("B0", B0), init("W1", W1), const_i64("groups", [-1, 2, 3]), const_i64("k", [3]), const_i64("flat", [-1, 6])],
    4, 2, "groupsort_topk",
)

# 5. A residual block x1 + W2 relu(W1 x1 + b1) between two Gemms.
W0, W1, B1, W2, W3 = w(5, 3), w(7, 5), b(7), w(5, 7), w(2, 5)
fixtures["residual"] = model(
    [
        helper.make_node("Gemm", ["x", "W0"], ["x1"], transB=1),
        helper.make_node("Gemm", ["x1", "W1", "B1"], ["h"], transB=1),
        helper.make_node("Relu", ["h"], ["a"]),
        helper.make_node("Gemm", ["a", "W2"], ["r"], transB=1),
        helper.make_node("Add", ["x1", "r"], ["x2"]),
        helper.make_node("Gemm", ["x2", "W3"], ["y"], transB=1),
    ],
    [init("W0", W0), init("W1", W1), init("B1", B1), init("W2", W2), init("W3", W3)],
    3, 2, "residual",
)

# 6. Normalisation written as Sub/Div constants, unbatched input, MatMul(W, x) as sisl/NNet writes.
W0, B0, W1 = w(4, 3), b(4), w(2, 4)
fixtures["normalized_unbatched"] = model(
    [
        helper.make_node("Sub", ["x", "mu"], ["xc"]),
        helper.make_node("Div", ["xc", "sd"], ["xn"]),
        helper.make_node("MatMul", ["W0", "xn"], ["m0"]),
        helper.make_node("Add", ["m0", "B0"], ["h0"]),
        helper.make_node("Relu", ["h0"], ["a0"]),
        helper.make_node("MatMul", ["W1", "a0"], ["y"]),
    ],
    [init("mu", np.float64([0.5, -1.0, 2.0])), init("sd", np.float64([2.0, 0.5, 4.0])), init("W0", W0), init("B0", B0), init("W1", W1)],
    3, 2, "normalized_unbatched", batch=False,
)

# 7. An op the importer does not map (Softmax), named, for the error test.
W0 = w(3, 2)
fixtures["unsupported_softmax"] = model(
    [
        helper.make_node("Gemm", ["x", "W0"], ["h"], transB=1),
        helper.make_node("Softmax", ["h"], ["y"], axis=1, name="softmax_head"),
    ],
    [init("W0", W0)],
    2, 3, "unsupported_softmax",
)

expected = {}
for name, m in fixtures.items():
    path = os.path.join(HERE, f"{name}.onnx")
    onnx.save(m, path)
    inp = m.graph.input[0].type.tensor_type.shape.dim
    n_in = inp[-1].dim_value
    batched = len(inp) == 2
    if name.startswith("unsupported"):
        continue
    ev = ReferenceEvaluator(m)
    xs = rng.standard_normal((5, n_in)).astype(np.float64)
    ys = []
    for x in xs:
        feed = x[None, :] if batched else x
        y = ev.run(None, {"x": feed})[0]
        ys.append(np.asarray(y, dtype=np.float64).reshape(-1).tolist())
    expected[name] = {"inputs": xs.astype(np.float64).tolist(), "outputs": ys}

with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump({"generator": "make_fixtures.py", "onnx": onnx.__version__, "numpy": np.__version__, "evaluator": "onnx.reference.ReferenceEvaluator (float64)", "cases": expected}, f, indent=1)
print("wrote", sorted(fixtures))
