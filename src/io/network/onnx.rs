//! ONNX importer: follows the graph from its single input to its single output.
//!
//! Every value in the graph is either a constant (an initializer, a `Constant` node, or
//! something folded from them) or a *path value*: a tensor whose entries are read off the
//! output of a chain of IR layers ([`PathNode`]). Shape-only ops (Reshape, Flatten,
//! Squeeze, Unsqueeze, Transpose, Slice, Split, Gather, Concat) move entries around
//! without adding layers; affine ops (Gemm, MatMul, Add/Sub/Mul/Div by a constant) add a
//! [`Dense`] layer with the selection folded into its weight; elementwise activations
//! add an activation layer. An entry may also be "the r-th largest of a group of entries"
//! ([`Elem::Sorted`]), which is how the MaxMin/GroupSort patterns exporters emit are
//! recognised: `Max`/`Min` of two slices, `ReduceMax`/`ReduceMin` over an axis of size 2,
//! or `TopK` over a whole axis. When such entries are consumed they become
//! `Dense(P) · GroupSort · Dense(Q)` with `P`, `Q` selections — the same function.
//! `Add` of two path values where one lies on the other's chain is a residual block.

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use quadra_core::Mat;
use quadra_lipschitz::{Activation, Dense, Layer, Network};

use super::onnx_proto::{decode_model, AttributeProto, NodeProto, TensorProto};
use super::{ImportError, Result};

/// A link in a chain of layers; the root is the network input.
struct PathNode {
    parent: Option<Rc<PathNode>>,
    layer: Option<Layer>,
    width: usize,
}

/// What one entry of a path value is, in terms of its node's output vector `h`.
#[derive(Clone, Debug, PartialEq)]
enum Elem {
    /// `h[i]`.
    Sel(usize),
    /// The `rank`-th largest (0 = largest) of `h[members]`.
    Sorted {
        members: Rc<Vec<usize>>,
        rank: usize,
    },
}

#[derive(Clone)]
struct PathVal {
    node: Rc<PathNode>,
    elems: Vec<Elem>,
    shape: Vec<usize>,
}

#[derive(Clone)]
struct Const {
    shape: Vec<usize>,
    data: Vec<f64>,
}

#[derive(Clone)]
enum Value {
    Const(Const),
    Path(PathVal),
    /// An output that must not be consumed (TopK indices).
    Unusable(&'static str),
}

struct Ctx<'a> {
    path: &'a Path,
    node_name: String,
    op: String,
}

impl Ctx<'_> {
    fn unsupported(&self, detail: impl Into<String>) -> ImportError {
        ImportError::UnsupportedOp {
            path: self.path.to_path_buf(),
            op: self.op.clone(),
            node: self.node_name.clone(),
            detail: detail.into(),
        }
    }

    fn malformed(&self, what: impl Into<String>) -> ImportError {
        ImportError::malformed(
            self.path,
            format!("node {} ({}): {}", self.node_name, self.op, what.into()),
        )
    }
}

fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for k in (0..shape.len().saturating_sub(1)).rev() {
        s[k] = s[k + 1] * shape[k + 1];
    }
    s
}

/// Builds `out[m] = data[src(multi-index m)]` over the row-major `out_shape`.
fn remap<T: Clone>(data: &[T], out_shape: &[usize], src: impl Fn(&[usize]) -> usize) -> Vec<T> {
    let n = numel(out_shape);
    let mut idx = vec![0usize; out_shape.len()];
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(data[src(&idx)].clone());
        for k in (0..idx.len()).rev() {
            idx[k] += 1;
            if idx[k] < out_shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    out
}

fn norm_axis(axis: i64, rank: usize, ctx: &Ctx) -> Result<usize> {
    let a = if axis < 0 { axis + rank as i64 } else { axis };
    if a < 0 || a as usize >= rank.max(1) {
        return Err(ctx.malformed(format!("axis {axis} out of range for rank {rank}")));
    }
    Ok(a as usize)
}

fn tensor_to_const(t: &TensorProto, path: &Path) -> Result<Const> {
    let shape: Vec<usize> = t
        .dims
        .iter()
        .map(|&d| usize::try_from(d))
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| {
            ImportError::malformed(
                path,
                format!("tensor '{}' has a negative dimension", t.name),
            )
        })?;
    let n = numel(&shape);
    if t.data_location == 1 {
        return Err(ImportError::malformed(
            path,
            format!("tensor '{}' is stored in an external file (not supported: re-export with the weights inside the .onnx)", t.name),
        ));
    }
    let raw = &t.raw_data;
    let data: Vec<f64> = match t.data_type {
        1 if !raw.is_empty() => raw.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64).collect(),
        1 => t.float_data.iter().map(|&v| v as f64).collect(),
        11 if !raw.is_empty() => raw
            .chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect(),
        11 => t.double_data.clone(),
        7 if !raw.is_empty() => raw
            .chunks_exact(8)
            .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")) as f64)
            .collect(),
        7 => t.int64_data.iter().map(|&v| v as f64).collect(),
        6 if !raw.is_empty() => raw.chunks_exact(4).map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f64).collect(),
        6 => t.int32_data.iter().map(|&v| v as f64).collect(),
        10 | 16 => {
            let bits: Vec<u16> = if !raw.is_empty() {
                raw.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect()
            } else {
                t.int32_data.iter().map(|&v| v as u16).collect()
            };
            bits.into_iter()
                .map(|b| if t.data_type == 10 { super::tensors::f16_to_f64(b) } else { super::tensors::bf16_to_f64(b) })
                .collect()
        }
        other => {
            return Err(ImportError::malformed(
                path,
                format!("tensor '{}' has data type {other} (expected FLOAT 1, DOUBLE 11, FLOAT16 10, BFLOAT16 16, INT32 6 or INT64 7)", t.name),
            ))
        }
    };
    if data.len() != n {
        return Err(ImportError::malformed(
            path,
            format!(
                "tensor '{}' has {} values for shape {:?} (expected {n}; truncated file?)",
                t.name,
                data.len(),
                shape
            ),
        ));
    }
    Ok(Const { shape, data })
}

fn attr<'a>(node: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

fn attr_i(node: &NodeProto, name: &str, default: i64) -> i64 {
    attr(node, name).map_or(default, |a| a.i)
}

fn attr_f(node: &NodeProto, name: &str, default: f64) -> f64 {
    attr(node, name).map_or(default, |a| a.f as f64)
}

fn attr_ints(node: &NodeProto, name: &str) -> Option<Vec<i64>> {
    attr(node, name).map(|a| a.ints.clone())
}

/// Walks from `desc` up to `anc`; returns the layers in between (in forward order) if
/// `anc` is an ancestor of (or equal to) `desc`.
fn layers_between(anc: &Rc<PathNode>, desc: &Rc<PathNode>) -> Option<Vec<Layer>> {
    let mut layers = Vec::new();
    let mut cur = desc.clone();
    loop {
        if Rc::ptr_eq(&cur, anc) {
            layers.reverse();
            return Some(layers);
        }
        let parent = cur.parent.clone()?;
        layers.push(cur.layer.clone().expect("non-root node has a layer"));
        cur = parent;
    }
}

fn push(node: &Rc<PathNode>, layer: Layer, width: usize) -> Rc<PathNode> {
    Rc::new(PathNode {
        parent: Some(node.clone()),
        layer: Some(layer),
        width,
    })
}

fn selection_matrix(idx: &[usize], width: usize) -> Mat<f64> {
    let mut s = Mat::zeros(idx.len(), width);
    for (r, &c) in idx.iter().enumerate() {
        s[(r, c)] = 1.0;
    }
    s
}

impl PathVal {
    fn is_identity(&self) -> bool {
        self.elems.len() == self.node.width
            && self
                .elems
                .iter()
                .enumerate()
                .all(|(k, e)| *e == Elem::Sel(k))
    }

    /// Rewrites sorted entries as `Dense(P) · GroupSort · Q` so every entry is `Sel`.
    fn resolve_sorted(self, ctx: &Ctx) -> Result<PathVal> {
        if self.elems.iter().all(|e| matches!(e, Elem::Sel(_))) {
            return Ok(self);
        }
        let mut groups: Vec<Rc<Vec<usize>>> = Vec::new();
        let mut out = Vec::with_capacity(self.elems.len());
        for e in &self.elems {
            match e {
                Elem::Sel(_) => {
                    return Err(ctx.unsupported(
                        "a tensor mixes sorted (max/min) entries with plain ones; only complete MaxMin/GroupSort patterns are supported",
                    ))
                }
                Elem::Sorted { members, rank } => {
                    let j = match groups.iter().position(|g| g == members) {
                        Some(j) => j,
                        None => {
                            groups.push(members.clone());
                            groups.len() - 1
                        }
                    };
                    out.push((j, *rank));
                }
            }
        }
        let g = groups[0].len();
        if groups.iter().any(|m| m.len() != g) {
            return Err(ctx.unsupported("sorting groups of different sizes"));
        }
        let p: Vec<usize> = groups.iter().flat_map(|m| m.iter().copied()).collect();
        let width = p.len();
        let node = push(
            &self.node,
            Layer::Dense(Dense::new(selection_matrix(&p, self.node.width))),
            width,
        );
        let act = if g == 2 {
            Activation::MaxMin
        } else {
            Activation::GroupSort { group: g }
        };
        let node = push(&node, Layer::Activation(act), width);
        Ok(PathVal {
            node,
            elems: out.into_iter().map(|(j, r)| Elem::Sel(j * g + r)).collect(),
            shape: self.shape,
        })
    }

    /// A path value whose entries are exactly its node's output, in order.
    fn materialize(self, ctx: &Ctx) -> Result<PathVal> {
        let v = self.resolve_sorted(ctx)?;
        if v.is_identity() {
            return Ok(v);
        }
        let idx: Vec<usize> = v
            .elems
            .iter()
            .map(|e| match e {
                Elem::Sel(i) => *i,
                Elem::Sorted { .. } => unreachable!("resolved above"),
            })
            .collect();
        let width = idx.len();
        let node = push(
            &v.node,
            Layer::Dense(Dense::new(selection_matrix(&idx, v.node.width))),
            width,
        );
        Ok(PathVal {
            node,
            elems: (0..width).map(Elem::Sel).collect(),
            shape: v.shape,
        })
    }

    /// Appends `y = W·(this) + b` where `W` is `out × elems.len()`; the selection is
    /// folded into the weight.
    fn dense(self, w: &Mat<f64>, b: Vec<f64>, shape: Vec<usize>, ctx: &Ctx) -> Result<PathVal> {
        let v = self.resolve_sorted(ctx)?;
        let width = v.node.width;
        let mut wf = Mat::zeros(w.nrows(), width);
        for (j, e) in v.elems.iter().enumerate() {
            let Elem::Sel(c) = e else {
                unreachable!("resolved above")
            };
            for r in 0..w.nrows() {
                wf[(r, *c)] += w[(r, j)];
            }
        }
        let out = w.nrows();
        let node = push(
            &v.node,
            Layer::Dense(Dense {
                weight: wf,
                bias: b,
            }),
            out,
        );
        Ok(PathVal {
            node,
            elems: (0..out).map(Elem::Sel).collect(),
            shape,
        })
    }

    fn activation(self, act: Activation, ctx: &Ctx) -> Result<PathVal> {
        let v = self.resolve_sorted(ctx)?;
        // Elementwise activations commute with selections.
        let node = push(&v.node, Layer::Activation(act), v.node.width);
        Ok(PathVal { node, ..v })
    }
}

/// Broadcasts a constant to `shape` (numpy rules), row-major.
fn broadcast(c: &Const, shape: &[usize], ctx: &Ctx) -> Result<Vec<f64>> {
    if c.shape.len() > shape.len() {
        return Err(ctx.malformed(format!(
            "constant of shape {:?} does not broadcast to {:?}",
            c.shape, shape
        )));
    }
    let off = shape.len() - c.shape.len();
    for (k, &d) in c.shape.iter().enumerate() {
        if d != 1 && d != shape[off + k] {
            return Err(ctx.malformed(format!(
                "constant of shape {:?} does not broadcast to {:?}",
                c.shape, shape
            )));
        }
    }
    let cs = strides(&c.shape);
    Ok(remap(&c.data, shape, |m| {
        c.shape
            .iter()
            .enumerate()
            .map(|(k, &d)| if d == 1 { 0 } else { m[off + k] * cs[k] })
            .sum()
    }))
}

/// Shape-moving ops, generic over the entry type (f64 for constants, [`Elem`] for paths).
trait Entries: Clone {}
impl Entries for f64 {}
impl Entries for Elem {}

fn transpose<T: Entries>(data: &[T], shape: &[usize], perm: &[usize]) -> (Vec<T>, Vec<usize>) {
    let out_shape: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
    let st = strides(shape);
    let out = remap(data, &out_shape, |m| {
        perm.iter().enumerate().map(|(k, &p)| m[k] * st[p]).sum()
    });
    (out, out_shape)
}

fn slice_axis<T: Entries>(
    data: &[T],
    shape: &[usize],
    axis: usize,
    picks: &[usize],
) -> (Vec<T>, Vec<usize>) {
    let mut out_shape = shape.to_vec();
    out_shape[axis] = picks.len();
    let st = strides(shape);
    let out = remap(data, &out_shape, |m| {
        m.iter()
            .enumerate()
            .map(|(k, &i)| {
                if k == axis {
                    picks[i] * st[k]
                } else {
                    i * st[k]
                }
            })
            .sum()
    });
    (out, out_shape)
}

fn concat<T: Entries>(parts: &[(Vec<T>, Vec<usize>)], axis: usize) -> (Vec<T>, Vec<usize>) {
    let mut out_shape = parts[0].1.clone();
    out_shape[axis] = parts.iter().map(|p| p.1[axis]).sum();
    let mut offsets = Vec::new();
    let mut acc = 0;
    for p in parts {
        offsets.push(acc);
        acc += p.1[axis];
    }
    let n = numel(&out_shape);
    let mut out = Vec::with_capacity(n);
    let mut m = vec![0usize; out_shape.len()];
    for _ in 0..n {
        let j = offsets
            .iter()
            .rposition(|&o| o <= m[axis])
            .expect("offset 0");
        let st = strides(&parts[j].1);
        let src: usize = m
            .iter()
            .enumerate()
            .map(|(k, &i)| {
                if k == axis {
                    (i - offsets[j]) * st[k]
                } else {
                    i * st[k]
                }
            })
            .sum();
        out.push(parts[j].0[src].clone());
        for k in (0..m.len()).rev() {
            m[k] += 1;
            if m[k] < out_shape[k] {
                break;
            }
            m[k] = 0;
        }
    }
    (out, out_shape)
}

/// Indices `start, start+step, …` before `end`, with ONNX clamping of negative and
/// out-of-range values.
fn slice_picks(dim: usize, start: i64, end: i64, step: i64) -> Vec<usize> {
    let d = dim as i64;
    let clamp = |v: i64, lo: i64, hi: i64| v.max(lo).min(hi);
    let fix = |v: i64| if v < 0 { v + d } else { v };
    let mut picks = Vec::new();
    if step > 0 {
        let (s, e) = (clamp(fix(start), 0, d), clamp(fix(end), 0, d));
        let mut i = s;
        while i < e {
            picks.push(i as usize);
            i += step;
        }
    } else if step < 0 {
        let (s, e) = (clamp(fix(start), -1, d - 1), clamp(fix(end), -1, d - 1));
        let mut i = s;
        while i > e {
            picks.push(i as usize);
            i += step;
        }
    }
    picks
}

/// Parses an ONNX model (bytes of a `.onnx` file) into a [`Network`]; `path` is used in
/// messages only.
pub fn parse_onnx(bytes: &[u8], path: &Path) -> Result<Network> {
    let model = decode_model(bytes).map_err(|e| {
        ImportError::malformed(
            path,
            format!("not a valid ONNX protobuf (truncated or corrupt file?): {e}"),
        )
    })?;
    let graph = model.graph.ok_or_else(|| {
        ImportError::malformed(path, "ModelProto has no graph (truncated or empty file?)")
    })?;
    let mut values: HashMap<String, Value> = HashMap::new();
    for t in &graph.initializer {
        values.insert(t.name.clone(), Value::Const(tensor_to_const(t, path)?));
    }
    let inputs: Vec<_> = graph
        .input
        .iter()
        .filter(|i| !values.contains_key(&i.name))
        .collect();
    if inputs.len() != 1 {
        return Err(ImportError::malformed(
            path,
            format!(
                "graph has {} non-initializer inputs {:?} (expected exactly one)",
                inputs.len(),
                inputs.iter().map(|i| i.name.as_str()).collect::<Vec<_>>()
            ),
        ));
    }
    let input = inputs[0];
    let dims: Vec<usize> = input
        .r#type
        .as_ref()
        .and_then(|t| t.tensor_type.as_ref())
        .and_then(|t| t.shape.as_ref())
        .map(|s| {
            s.dim
                .iter()
                .map(|d| match d.dim_value {
                    Some(v) if v > 0 => v as usize,
                    // A symbolic or unset size is the batch dimension: one sample.
                    _ => 1,
                })
                .collect()
        })
        .ok_or_else(|| {
            ImportError::malformed(
                path,
                format!("graph input '{}' has no tensor shape", input.name),
            )
        })?;
    let input_dim = numel(&dims);
    if input_dim == 0 {
        return Err(ImportError::malformed(
            path,
            format!("graph input '{}' has an empty shape {:?}", input.name, dims),
        ));
    }
    let root = Rc::new(PathNode {
        parent: None,
        layer: None,
        width: input_dim,
    });
    values.insert(
        input.name.clone(),
        Value::Path(PathVal {
            node: root.clone(),
            elems: (0..input_dim).map(Elem::Sel).collect(),
            shape: dims,
        }),
    );
    if graph.output.len() != 1 {
        return Err(ImportError::malformed(
            path,
            format!(
                "graph has {} outputs (expected exactly one)",
                graph.output.len()
            ),
        ));
    }
    for (k, node) in graph.node.iter().enumerate() {
        let ctx = Ctx {
            path,
            node_name: if node.name.is_empty() {
                format!(
                    "#{k} (output '{}')",
                    node.output.first().map_or("", String::as_str)
                )
            } else {
                format!("'{}'", node.name)
            },
            op: node.op_type.clone(),
        };
        let mut ins: Vec<Option<Value>> = Vec::new();
        for name in &node.input {
            if name.is_empty() {
                ins.push(None);
                continue;
            }
            let v = values.get(name).cloned().ok_or_else(|| {
                ctx.malformed(format!(
                    "input '{name}' is not produced by any earlier node or initializer"
                ))
            })?;
            if let Value::Unusable(why) = v {
                return Err(ctx.unsupported(format!("uses '{name}', {why}")));
            }
            ins.push(Some(v));
        }
        let outs = eval_node(node, ins, &ctx)?;
        for (name, v) in node.output.iter().zip(outs) {
            if !name.is_empty() {
                values.insert(name.clone(), v);
            }
        }
    }
    let out_name = &graph.output[0].name;
    let out = values.remove(out_name).ok_or_else(|| {
        ImportError::malformed(
            path,
            format!("graph output '{out_name}' is not produced by any node"),
        )
    })?;
    let ctx = Ctx {
        path,
        node_name: format!("graph output '{out_name}'"),
        op: "Output".into(),
    };
    let Value::Path(pv) = out else {
        return Err(ImportError::malformed(
            path,
            format!("graph output '{out_name}' does not depend on the input"),
        ));
    };
    let pv = pv.materialize(&ctx)?;
    let layers = layers_between(&root, &pv.node).expect("every path descends from the input");
    Ok(Network { input_dim, layers })
}

fn need_const<'a>(v: &'a Option<Value>, what: &str, ctx: &Ctx) -> Result<&'a Const> {
    match v {
        Some(Value::Const(c)) => Ok(c),
        Some(_) => Err(ctx.unsupported(format!("{what} must be a constant (initializer)"))),
        None => Err(ctx.malformed(format!("missing {what}"))),
    }
}

fn ints_of(c: &Const) -> Vec<i64> {
    c.data.iter().map(|&v| v as i64).collect()
}

fn eval_node(node: &NodeProto, ins: Vec<Option<Value>>, ctx: &Ctx) -> Result<Vec<Value>> {
    if !node.domain.is_empty() && node.domain != "ai.onnx" {
        return Err(ctx.unsupported(format!("operator domain '{}'", node.domain)));
    }
    let op = node.op_type.as_str();
    let first = ins
        .first()
        .cloned()
        .flatten()
        .ok_or_else(|| ctx.malformed("missing first input"));
    // Constant folding of shape arithmetic: every input constant.
    let all_const = !ins.is_empty()
        && ins
            .iter()
            .all(|v| matches!(v, Some(Value::Const(_)) | None));
    let one = |v: Value| Ok(vec![v]);
    match op {
        "Constant" => {
            let a = attr(node, "value")
                .and_then(|a| a.t.as_ref())
                .map(|t| tensor_to_const(t, ctx.path))
                .transpose()?;
            if let Some(c) = a {
                return one(Value::Const(c));
            }
            if let Some(a) = attr(node, "value_float") {
                return one(Value::Const(Const {
                    shape: vec![],
                    data: vec![a.f as f64],
                }));
            }
            if let Some(a) = attr(node, "value_floats") {
                return one(Value::Const(Const {
                    shape: vec![a.floats.len()],
                    data: a.floats.iter().map(|&v| v as f64).collect(),
                }));
            }
            if let Some(a) = attr(node, "value_int") {
                return one(Value::Const(Const {
                    shape: vec![],
                    data: vec![a.i as f64],
                }));
            }
            if let Some(a) = attr(node, "value_ints") {
                return one(Value::Const(Const {
                    shape: vec![a.ints.len()],
                    data: a.ints.iter().map(|&v| v as f64).collect(),
                }));
            }
            Err(ctx.unsupported("Constant without a numeric value"))
        }
        "Identity" | "Dropout" | "Cast" => {
            let v = first?;
            let mut outs = vec![v];
            if op == "Dropout" && node.output.len() > 1 {
                outs.push(Value::Unusable("the Dropout mask"));
            }
            Ok(outs)
        }
        "Shape" => match first? {
            Value::Path(p) => one(Value::Const(Const {
                shape: vec![p.shape.len()],
                data: p.shape.iter().map(|&d| d as f64).collect(),
            })),
            Value::Const(c) => one(Value::Const(Const {
                shape: vec![c.shape.len()],
                data: c.shape.iter().map(|&d| d as f64).collect(),
            })),
            Value::Unusable(_) => unreachable!("checked by caller"),
        },
        "Reshape" | "Flatten" | "Squeeze" | "Unsqueeze" => {
            let v = first?;
            let shape = match &v {
                Value::Path(p) => p.shape.clone(),
                Value::Const(c) => c.shape.clone(),
                Value::Unusable(_) => unreachable!(),
            };
            let n = numel(&shape);
            let new_shape: Vec<usize> = match op {
                "Reshape" => {
                    let target = ints_of(need_const(
                        ins.get(1).unwrap_or(&None),
                        "Reshape shape",
                        ctx,
                    )?);
                    let mut s: Vec<i64> = target
                        .iter()
                        .enumerate()
                        .map(|(k, &t)| {
                            if t == 0 && attr_i(node, "allowzero", 0) == 0 {
                                shape.get(k).map_or(0, |&d| d as i64)
                            } else {
                                t
                            }
                        })
                        .collect();
                    let known: i64 = s.iter().filter(|&&t| t >= 0).product();
                    if let Some(p) = s.iter().position(|&t| t == -1) {
                        if known == 0 || n as i64 % known != 0 {
                            return Err(
                                ctx.malformed(format!("cannot reshape {shape:?} to {target:?}"))
                            );
                        }
                        s[p] = n as i64 / known;
                    }
                    s.into_iter().map(|t| t.max(0) as usize).collect()
                }
                "Flatten" => {
                    let axis = norm_axis(attr_i(node, "axis", 1), shape.len() + 1, ctx)?;
                    vec![numel(&shape[..axis]), numel(&shape[axis..])]
                }
                "Squeeze" => {
                    let axes = match attr_ints(node, "axes") {
                        Some(a) => Some(a),
                        None => match ins.get(1).cloned().flatten() {
                            Some(_) => Some(ints_of(need_const(&ins[1], "Squeeze axes", ctx)?)),
                            None => None,
                        },
                    };
                    match axes {
                        None => shape.iter().copied().filter(|&d| d != 1).collect(),
                        Some(axes) => {
                            let axes: Vec<usize> = axes
                                .iter()
                                .map(|&a| norm_axis(a, shape.len(), ctx))
                                .collect::<Result<_>>()?;
                            shape
                                .iter()
                                .enumerate()
                                .filter(|(k, _)| !axes.contains(k))
                                .map(|(_, &d)| d)
                                .collect()
                        }
                    }
                }
                _ => {
                    let axes = match attr_ints(node, "axes") {
                        Some(a) => a,
                        None => ints_of(need_const(
                            ins.get(1).unwrap_or(&None),
                            "Unsqueeze axes",
                            ctx,
                        )?),
                    };
                    let r = shape.len() + axes.len();
                    let axes: Vec<usize> = axes
                        .iter()
                        .map(|&a| norm_axis(a, r, ctx))
                        .collect::<Result<_>>()?;
                    let mut it = shape.iter();
                    (0..r)
                        .map(|k| {
                            if axes.contains(&k) {
                                1
                            } else {
                                *it.next().unwrap_or(&1)
                            }
                        })
                        .collect()
                }
            };
            if numel(&new_shape) != n {
                return Err(ctx.malformed(format!(
                    "cannot reshape {shape:?} ({n} entries) to {new_shape:?}"
                )));
            }
            one(match v {
                Value::Path(p) => Value::Path(PathVal {
                    shape: new_shape,
                    ..p
                }),
                Value::Const(c) => Value::Const(Const {
                    shape: new_shape,
                    data: c.data,
                }),
                Value::Unusable(_) => unreachable!(),
            })
        }
        "Transpose" | "Slice" | "Gather" | "Split" | "Concat" => shape_op(node, ins, ctx),
        "Gemm" => {
            let a = match first? {
                Value::Path(p) => p,
                _ => return Err(ctx.unsupported("Gemm input A must depend on the network input")),
            };
            if attr_i(node, "transA", 0) != 0 {
                return Err(ctx.unsupported("transA = 1"));
            }
            let b = need_const(ins.get(1).unwrap_or(&None), "Gemm weight B", ctx)?;
            if b.shape.len() != 2 {
                return Err(ctx.malformed(format!(
                    "Gemm weight B has shape {:?} (expected 2-D)",
                    b.shape
                )));
            }
            let alpha = attr_f(node, "alpha", 1.0);
            let beta = attr_f(node, "beta", 1.0);
            let trans_b = attr_i(node, "transB", 0) != 0;
            let (out, inn) = if trans_b {
                (b.shape[0], b.shape[1])
            } else {
                (b.shape[1], b.shape[0])
            };
            let in_width = *a.shape.last().unwrap_or(&0);
            if in_width != inn || numel(&a.shape) != inn {
                return Err(ctx.malformed(format!(
                    "Gemm input has shape {:?}, weight expects {inn} features (one sample)",
                    a.shape
                )));
            }
            let w = Mat::from_fn(out, inn, |i, j| {
                alpha
                    * if trans_b {
                        b.data[i * inn + j]
                    } else {
                        b.data[j * out + i]
                    }
            });
            let bias = match ins.get(2).cloned().flatten() {
                Some(Value::Const(c)) => broadcast(&c, &[out], ctx)?
                    .into_iter()
                    .map(|v| beta * v)
                    .collect(),
                Some(_) => return Err(ctx.unsupported("Gemm bias C must be a constant")),
                None => vec![0.0; out],
            };
            let mut shape = a.shape.clone();
            *shape.last_mut().expect("rank ≥ 1") = out;
            one(Value::Path(a.dense(&w, bias, shape, ctx)?))
        }
        "MatMul" => {
            let (x, y) = (
                first?,
                ins.get(1)
                    .cloned()
                    .flatten()
                    .ok_or_else(|| ctx.malformed("missing second input"))?,
            );
            match (x, y) {
                (Value::Path(p), Value::Const(b)) => {
                    if b.shape.len() != 2 {
                        return Err(ctx.unsupported(format!(
                            "MatMul by a constant of shape {:?} (expected 2-D)",
                            b.shape
                        )));
                    }
                    let (inn, out) = (b.shape[0], b.shape[1]);
                    if p.shape.last() != Some(&inn) || numel(&p.shape) != inn {
                        return Err(ctx.malformed(format!("MatMul input has shape {:?}, weight expects {inn} features (one sample)", p.shape)));
                    }
                    let w = Mat::from_fn(out, inn, |i, j| b.data[j * out + i]);
                    let mut shape = p.shape.clone();
                    *shape.last_mut().expect("rank ≥ 1") = out;
                    one(Value::Path(p.dense(&w, vec![0.0; out], shape, ctx)?))
                }
                (Value::Const(a), Value::Path(p)) => {
                    if a.shape.len() != 2 {
                        return Err(ctx.unsupported(format!(
                            "MatMul by a constant of shape {:?} (expected 2-D)",
                            a.shape
                        )));
                    }
                    let (out, inn) = (a.shape[0], a.shape[1]);
                    let ok = p.shape.first() == Some(&inn)
                        && numel(&p.shape) == inn
                        && p.shape.len() <= 2;
                    if !ok {
                        return Err(ctx.malformed(format!(
                            "MatMul weight {:?} times input of shape {:?}",
                            a.shape, p.shape
                        )));
                    }
                    let w = Mat::from_fn(out, inn, |i, j| a.data[i * inn + j]);
                    let shape = if p.shape.len() == 1 {
                        vec![out]
                    } else {
                        vec![out, 1]
                    };
                    one(Value::Path(p.dense(&w, vec![0.0; out], shape, ctx)?))
                }
                (Value::Path(_), Value::Path(_)) => {
                    Err(ctx
                        .unsupported("MatMul of two input-dependent tensors (not a linear layer)"))
                }
                _ => Err(ctx.unsupported("MatMul of constants")),
            }
        }
        "Add" | "Sub" | "Mul" | "Div" => {
            let (x, y) = (
                first?,
                ins.get(1)
                    .cloned()
                    .flatten()
                    .ok_or_else(|| ctx.malformed("missing second input"))?,
            );
            match (x, y) {
                (Value::Const(a), Value::Const(b)) => {
                    // Shape arithmetic; same-shape or scalar operands only.
                    let (big, small, swap) = if a.data.len() >= b.data.len() {
                        (a, b, false)
                    } else {
                        (b, a, true)
                    };
                    let sb = broadcast(&small, &big.shape, ctx)?;
                    let data = big
                        .data
                        .iter()
                        .zip(&sb)
                        .map(|(&p, &q)| {
                            let (l, r) = if swap { (q, p) } else { (p, q) };
                            match op {
                                "Add" => l + r,
                                "Sub" => l - r,
                                "Mul" => l * r,
                                _ => l / r,
                            }
                        })
                        .collect();
                    one(Value::Const(Const {
                        shape: big.shape,
                        data,
                    }))
                }
                (Value::Path(p), Value::Const(c)) | (Value::Const(c), Value::Path(p)) => {
                    let path_first = matches!(ins[0], Some(Value::Path(_)));
                    if numel(&c.shape) > numel(&p.shape) {
                        return Err(ctx.unsupported(format!(
                            "{op} broadcasts the input {:?} up to {:?}",
                            p.shape, c.shape
                        )));
                    }
                    let cv = broadcast(&c, &p.shape, ctx)?;
                    let n = cv.len();
                    let (diag, bias): (Vec<f64>, Vec<f64>) = match (op, path_first) {
                        ("Add", _) => (vec![1.0; n], cv),
                        ("Sub", true) => (vec![1.0; n], cv.iter().map(|v| -v).collect()),
                        ("Sub", false) => (vec![-1.0; n], cv),
                        ("Mul", _) => (cv, vec![0.0; n]),
                        ("Div", true) => {
                            if let Some(z) = cv.iter().find(|v| **v == 0.0 || !v.is_finite()) {
                                return Err(ctx.malformed(format!("division by {z}")));
                            }
                            (cv.iter().map(|v| 1.0 / v).collect(), vec![0.0; n])
                        }
                        _ => return Err(ctx.unsupported("division by an input-dependent tensor")),
                    };
                    let shape = p.shape.clone();
                    let pv = p.materialize(ctx)?;
                    // Fold into the node's own affine layer when it has one.
                    if let (Some(Layer::Dense(d)), Some(parent)) = (&pv.node.layer, &pv.node.parent)
                    {
                        let mut w = d.weight.clone();
                        let mut b = d.bias.clone();
                        for i in 0..n {
                            for j in 0..w.ncols() {
                                w[(i, j)] *= diag[i];
                            }
                            b[i] = b[i] * diag[i] + bias[i];
                        }
                        let node = push(parent, Layer::Dense(Dense { weight: w, bias: b }), n);
                        return one(Value::Path(PathVal {
                            node,
                            elems: (0..n).map(Elem::Sel).collect(),
                            shape,
                        }));
                    }
                    let w = Mat::from_fn(n, n, |i, j| if i == j { diag[i] } else { 0.0 });
                    one(Value::Path(pv.dense(&w, bias, shape, ctx)?))
                }
                (Value::Path(a), Value::Path(b)) if op == "Add" => {
                    if a.shape != b.shape {
                        return Err(ctx.unsupported(format!(
                            "Add of input-dependent tensors of shapes {:?} and {:?}",
                            a.shape, b.shape
                        )));
                    }
                    let shape = a.shape.clone();
                    let (a, b) = (a.materialize(ctx)?, b.materialize(ctx)?);
                    let (base, branch) = if let Some(l) = layers_between(&a.node, &b.node) {
                        (a.node.clone(), l)
                    } else if let Some(l) = layers_between(&b.node, &a.node) {
                        (b.node.clone(), l)
                    } else {
                        return Err(ctx.unsupported(
                            "Add of two parallel branches (only residual adds x + f(x) map to the IR)",
                        ));
                    };
                    if branch.is_empty() {
                        // x + x = 2x.
                        let n = base.width;
                        let w = Mat::from_fn(n, n, |i, j| if i == j { 2.0 } else { 0.0 });
                        let node = push(&base, Layer::Dense(Dense::new(w)), n);
                        return one(Value::Path(PathVal {
                            node,
                            elems: (0..n).map(Elem::Sel).collect(),
                            shape,
                        }));
                    }
                    let n = base.width;
                    let node = push(&base, Layer::Residual(branch), n);
                    one(Value::Path(PathVal {
                        node,
                        elems: (0..n).map(Elem::Sel).collect(),
                        shape,
                    }))
                }
                _ => Err(ctx.unsupported(format!("{op} of two input-dependent tensors"))),
            }
        }
        "Neg" => match first? {
            Value::Path(p) => {
                let n = p.elems.len();
                let shape = p.shape.clone();
                let w = Mat::from_fn(n, n, |i, j| if i == j { -1.0 } else { 0.0 });
                one(Value::Path(p.dense(&w, vec![0.0; n], shape, ctx)?))
            }
            Value::Const(c) => one(Value::Const(Const {
                data: c.data.iter().map(|v| -v).collect(),
                ..c
            })),
            Value::Unusable(_) => unreachable!(),
        },
        "Relu" | "LeakyRelu" | "Tanh" | "Sigmoid" | "Softplus" => {
            let act = match op {
                "Relu" => Activation::Relu,
                "LeakyRelu" => Activation::LeakyRelu {
                    slope: attr_f(node, "alpha", 0.01),
                },
                "Tanh" => Activation::Tanh,
                "Sigmoid" => Activation::Sigmoid,
                _ => Activation::Softplus,
            };
            match first? {
                Value::Path(p) => one(Value::Path(p.activation(act, ctx)?)),
                _ => Err(ctx.unsupported("activation of a constant")),
            }
        }
        "Max" | "Min" => {
            if ins.len() != 2 {
                return Err(ctx.unsupported(format!("{op} of {} inputs (expected 2)", ins.len())));
            }
            let (Some(Value::Path(a)), Some(Value::Path(b))) = (&ins[0], &ins[1]) else {
                return Err(ctx.unsupported(format!("{op} with a constant (only max/min of two slices of one tensor, the MaxMin pattern)")));
            };
            if !Rc::ptr_eq(&a.node, &b.node) || a.shape != b.shape {
                return Err(
                    ctx.unsupported(format!("{op} of tensors from different layers or shapes"))
                );
            }
            let rank = usize::from(op == "Min");
            let elems = a
                .elems
                .iter()
                .zip(&b.elems)
                .map(|(x, y)| match (x, y) {
                    (Elem::Sel(i), Elem::Sel(j)) if i != j => {
                        let mut m = vec![*i, *j];
                        m.sort_unstable();
                        Ok(Elem::Sorted {
                            members: Rc::new(m),
                            rank,
                        })
                    }
                    _ => Err(ctx.unsupported(format!(
                        "{op} of entries that are not two distinct plain entries"
                    ))),
                })
                .collect::<Result<Vec<_>>>()?;
            one(Value::Path(PathVal {
                node: a.node.clone(),
                elems,
                shape: a.shape.clone(),
            }))
        }
        "ReduceMax" | "ReduceMin" | "TopK" => sort_op(node, ins, ctx),
        _ if all_const => Err(ctx.unsupported("constant folding of this op")),
        _ => Err(ctx.unsupported("")),
    }
}

/// Transpose, Slice, Gather, Split, Concat: move entries, constant or path.
fn shape_op(node: &NodeProto, ins: Vec<Option<Value>>, ctx: &Ctx) -> Result<Vec<Value>> {
    let op = node.op_type.as_str();
    // Unpack entries into a common representation.
    enum Data {
        F(Vec<f64>),
        E(Vec<Elem>, Rc<PathNode>),
    }
    let unpack = |v: &Value| -> Result<(Data, Vec<usize>)> {
        match v {
            Value::Const(c) => Ok((Data::F(c.data.clone()), c.shape.clone())),
            Value::Path(p) => Ok((Data::E(p.elems.clone(), p.node.clone()), p.shape.clone())),
            Value::Unusable(_) => unreachable!("checked by caller"),
        }
    };
    let pack = |d: Data, shape: Vec<usize>| -> Value {
        match d {
            Data::F(data) => Value::Const(Const { shape, data }),
            Data::E(elems, node) => Value::Path(PathVal { node, elems, shape }),
        }
    };
    macro_rules! apply {
        ($d:expr, $f:expr) => {
            match $d {
                Data::F(v) => {
                    let (o, s) = $f(&v[..]);
                    (Data::F(o), s)
                }
                Data::E(v, n) => {
                    let (o, s) = $f(&v[..]);
                    (Data::E(o, n), s)
                }
            }
        };
    }
    let x = ins
        .first()
        .cloned()
        .flatten()
        .ok_or_else(|| ctx.malformed("missing first input"))?;
    match op {
        "Concat" => {
            let axis = attr_i(node, "axis", 0);
            let vals: Vec<Value> = ins.into_iter().flatten().collect();
            let rank = match &vals[0] {
                Value::Path(p) => p.shape.len(),
                Value::Const(c) => c.shape.len(),
                Value::Unusable(_) => unreachable!(),
            };
            let axis = norm_axis(axis, rank, ctx)?;
            if vals.iter().all(|v| matches!(v, Value::Const(_))) {
                let parts: Vec<(Vec<f64>, Vec<usize>)> = vals
                    .iter()
                    .map(|v| match v {
                        Value::Const(c) => (c.data.clone(), c.shape.clone()),
                        _ => unreachable!(),
                    })
                    .collect();
                let (d, s) = concat(&parts, axis);
                return Ok(vec![Value::Const(Const { shape: s, data: d })]);
            }
            let mut parts = Vec::new();
            let mut node0: Option<Rc<PathNode>> = None;
            for v in &vals {
                let Value::Path(p) = v else {
                    return Err(
                        ctx.unsupported("Concat of a constant with an input-dependent tensor")
                    );
                };
                if let Some(n0) = &node0 {
                    if !Rc::ptr_eq(n0, &p.node) {
                        return Err(ctx.unsupported(
                            "Concat of tensors from different layers (parallel branches)",
                        ));
                    }
                }
                node0 = Some(p.node.clone());
                if p.shape.len() != rank {
                    return Err(ctx.malformed("Concat inputs of different ranks"));
                }
                parts.push((p.elems.clone(), p.shape.clone()));
            }
            for p in &parts {
                for k in 0..rank {
                    if k != axis && p.1[k] != parts[0].1[k] {
                        return Err(ctx.malformed(format!(
                            "Concat inputs of shapes {:?} and {:?} along axis {axis}",
                            parts[0].1, p.1
                        )));
                    }
                }
            }
            let (e, s) = concat(&parts, axis);
            Ok(vec![Value::Path(PathVal {
                node: node0.expect("at least one path"),
                elems: e,
                shape: s,
            })])
        }
        "Transpose" => {
            let (d, shape) = unpack(&x)?;
            let perm: Vec<usize> = match attr_ints(node, "perm") {
                Some(p) => p
                    .iter()
                    .map(|&a| norm_axis(a, shape.len(), ctx))
                    .collect::<Result<_>>()?,
                None => (0..shape.len()).rev().collect(),
            };
            if perm.len() != shape.len() {
                return Err(ctx.malformed(format!("perm {perm:?} for shape {shape:?}")));
            }
            let (d, s) = apply!(d, |v: &[_]| transpose(v, &shape, &perm));
            Ok(vec![pack(d, s)])
        }
        "Slice" => {
            let (d, shape) = unpack(&x)?;
            let get = |k: usize, name: &str| -> Result<Option<Vec<i64>>> {
                match attr_ints(node, name) {
                    Some(v) => Ok(Some(v)),
                    None => match ins.get(k).cloned().flatten() {
                        Some(Value::Const(c)) => Ok(Some(ints_of(&c))),
                        Some(_) => Err(ctx.unsupported(format!("Slice {name} must be constant"))),
                        None => Ok(None),
                    },
                }
            };
            let starts = get(1, "starts")?.ok_or_else(|| ctx.malformed("Slice without starts"))?;
            let ends = get(2, "ends")?.ok_or_else(|| ctx.malformed("Slice without ends"))?;
            let axes = get(3, "axes")?.unwrap_or_else(|| (0..starts.len() as i64).collect());
            let steps = get(4, "steps")?.unwrap_or_else(|| vec![1; starts.len()]);
            if ends.len() != starts.len()
                || axes.len() != starts.len()
                || steps.len() != starts.len()
            {
                return Err(ctx.malformed("Slice starts/ends/axes/steps of different lengths"));
            }
            let (mut d, mut shape) = (d, shape);
            for k in 0..starts.len() {
                let axis = norm_axis(axes[k], shape.len(), ctx)?;
                let picks = slice_picks(shape[axis], starts[k], ends[k], steps[k]);
                let sh = shape.clone();
                let (nd, ns) = apply!(d, |v: &[_]| slice_axis(v, &sh, axis, &picks));
                d = nd;
                shape = ns;
            }
            Ok(vec![pack(d, shape)])
        }
        "Gather" => {
            let (d, shape) = unpack(&x)?;
            let idx = need_const(ins.get(1).unwrap_or(&None), "Gather indices", ctx)?.clone();
            let axis = norm_axis(attr_i(node, "axis", 0), shape.len(), ctx)?;
            let dim = shape[axis] as i64;
            let picks: Vec<usize> = ints_of(&idx)
                .iter()
                .map(|&i| {
                    let j = if i < 0 { i + dim } else { i };
                    if j < 0 || j >= dim {
                        Err(ctx.malformed(format!(
                            "Gather index {i} out of range for axis of size {dim}"
                        )))
                    } else {
                        Ok(j as usize)
                    }
                })
                .collect::<Result<_>>()?;
            let (d, s) = apply!(d, |v: &[_]| slice_axis(v, &shape, axis, &picks));
            // Gather replaces the axis by the index tensor's shape.
            let mut out_shape: Vec<usize> = s[..axis].to_vec();
            out_shape.extend(&idx.shape);
            out_shape.extend(&s[axis + 1..]);
            Ok(vec![pack(d, out_shape)])
        }
        _ => {
            // Split.
            let (d, shape) = unpack(&x)?;
            let axis = norm_axis(attr_i(node, "axis", 0), shape.len(), ctx)?;
            let parts = node.output.len();
            let sizes: Vec<usize> = match attr_ints(node, "split") {
                Some(s) => s.iter().map(|&v| v.max(0) as usize).collect(),
                None => match ins.get(1).cloned().flatten() {
                    Some(Value::Const(c)) => {
                        ints_of(&c).iter().map(|&v| v.max(0) as usize).collect()
                    }
                    Some(_) => return Err(ctx.unsupported("Split sizes must be constant")),
                    None => {
                        let n = shape[axis];
                        let each = n.div_ceil(parts.max(1));
                        (0..parts)
                            .map(|k| each.min(n.saturating_sub(k * each)))
                            .collect()
                    }
                },
            };
            if sizes.iter().sum::<usize>() != shape[axis] || sizes.len() != parts {
                return Err(ctx.malformed(format!(
                    "Split sizes {sizes:?} for axis of size {}",
                    shape[axis]
                )));
            }
            let mut outs = Vec::new();
            let mut start = 0;
            for &sz in &sizes {
                let picks: Vec<usize> = (start..start + sz).collect();
                start += sz;
                let dd = match &d {
                    Data::F(v) => Data::F(v.clone()),
                    Data::E(v, n) => Data::E(v.clone(), n.clone()),
                };
                let (o, s) = apply!(dd, |v: &[_]| slice_axis(v, &shape, axis, &picks));
                outs.push(pack(o, s));
            }
            Ok(outs)
        }
    }
}

/// ReduceMax / ReduceMin over an axis of size 2, TopK over a whole axis: sorted entries.
fn sort_op(node: &NodeProto, ins: Vec<Option<Value>>, ctx: &Ctx) -> Result<Vec<Value>> {
    let op = node.op_type.as_str();
    let Some(Value::Path(p)) = ins.first().cloned().flatten() else {
        return Err(ctx.unsupported(format!("{op} of a constant")));
    };
    if p.elems.iter().any(|e| !matches!(e, Elem::Sel(_))) {
        return Err(ctx.unsupported(format!("{op} of already sorted entries")));
    }
    let rank = p.shape.len();
    let (axis, descending, keep) = if op == "TopK" {
        let axis = norm_axis(attr_i(node, "axis", -1), rank, ctx)?;
        let k = ints_of(need_const(ins.get(1).unwrap_or(&None), "TopK k", ctx)?);
        if k.first().copied() != Some(p.shape[axis] as i64) {
            return Err(ctx.unsupported(format!(
                "TopK k = {k:?} on an axis of size {} (only a full sort, k = axis size, maps to GroupSort)",
                p.shape[axis]
            )));
        }
        if attr_i(node, "sorted", 1) == 0 {
            return Err(ctx.unsupported("TopK with sorted = 0"));
        }
        (axis, attr_i(node, "largest", 1) != 0, true)
    } else {
        let axes = match attr_ints(node, "axes") {
            Some(a) => a,
            None => match ins.get(1).cloned().flatten() {
                Some(Value::Const(c)) => ints_of(&c),
                _ => return Err(ctx.unsupported(format!("{op} over all axes"))),
            },
        };
        if axes.len() != 1 {
            return Err(ctx.unsupported(format!(
                "{op} over axes {axes:?} (only one axis of size 2, the MaxMin pattern)"
            )));
        }
        let axis = norm_axis(axes[0], rank, ctx)?;
        if p.shape[axis] != 2 {
            return Err(ctx.unsupported(format!(
                "{op} over an axis of size {} (only size 2, the MaxMin pattern)",
                p.shape[axis]
            )));
        }
        (axis, op == "ReduceMax", attr_i(node, "keepdims", 1) != 0)
    };
    let g = p.shape[axis];
    let st = strides(&p.shape);
    let idx_of = |e: &Elem| match e {
        Elem::Sel(i) => *i,
        Elem::Sorted { .. } => unreachable!("checked above"),
    };
    // Output shape: the axis keeps size g (TopK) or becomes 1 / disappears (Reduce).
    let mut out_shape = p.shape.clone();
    out_shape[axis] = if op == "TopK" { g } else { 1 };
    let n = numel(&out_shape);
    let mut out = Vec::with_capacity(n);
    let mut m = vec![0usize; out_shape.len()];
    for _ in 0..n {
        let base: usize = m
            .iter()
            .enumerate()
            .map(|(k, &i)| if k == axis { 0 } else { i * st[k] })
            .sum();
        let mut members: Vec<usize> = (0..g)
            .map(|r| idx_of(&p.elems[base + r * st[axis]]))
            .collect();
        members.sort_unstable();
        members.dedup();
        if members.len() != g {
            return Err(ctx.unsupported(format!("{op} over repeated entries")));
        }
        let r = if op == "TopK" { m[axis] } else { 0 };
        let rank_desc = if descending { r } else { g - 1 - r };
        out.push(Elem::Sorted {
            members: Rc::new(members),
            rank: rank_desc,
        });
        for k in (0..m.len()).rev() {
            m[k] += 1;
            if m[k] < out_shape[k] {
                break;
            }
            m[k] = 0;
        }
    }
    if !keep {
        out_shape.remove(axis);
    }
    let mut outs = vec![Value::Path(PathVal {
        node: p.node.clone(),
        elems: out,
        shape: out_shape,
    })];
    if op == "TopK" {
        outs.push(Value::Unusable(
            "the TopK indices (an integer output that is not a function the IR represents)",
        ));
    }
    Ok(outs)
}
