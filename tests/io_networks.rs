//! Network importers: every shared network imports and evaluates; the same network in two
//! formats is the same function; ONNX op patterns agree with the ONNX reference evaluator;
//! bad files fail with a message that names the problem.

mod common;

use std::path::{Path, PathBuf};

use quadra::io::network::{
    load_network, network_to_json, parse_nnet, save_network_json, Architecture, ImportError,
    ImportOptions,
};
use quadra_core::rng::{gaussian_vec, seeded_rng};
use quadra_core::Mat;
use quadra_lipschitz::{Activation, Dense, Implicit, Layer, Network};

fn shared(p: &str) -> PathBuf {
    PathBuf::from(common::shared(&format!("data/lipschitz/{p}")))
}

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/onnx")
        .join(p)
}

fn temp_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quadra-io-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn rel_err(a: &[f64], b: &[f64]) -> f64 {
    let num: f64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt();
    let den: f64 = b.iter().map(|y| y * y).sum::<f64>().sqrt();
    num / den.max(1e-300)
}

fn random_inputs(n: usize, count: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = seeded_rng(seed);
    (0..count).map(|_| gaussian_vec(n, &mut rng)).collect()
}

fn hidden_activations(net: &Network) -> Vec<String> {
    net.layers
        .iter()
        .filter_map(|l| match l {
            Layer::Activation(a) => Some(a.name()),
            _ => None,
        })
        .collect()
}

#[test]
fn onnx_fixtures_match_the_onnx_reference_evaluator() {
    let text = std::fs::read_to_string(fixture("expected.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = doc["cases"].as_object().unwrap();
    assert!(cases.len() >= 6);
    for (name, case) in cases {
        let net = load_network(&fixture(&format!("{name}.onnx")), &ImportOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let xs: Vec<Vec<f64>> = serde_json::from_value(case["inputs"].clone()).unwrap();
        let ys: Vec<Vec<f64>> = serde_json::from_value(case["outputs"].clone()).unwrap();
        for (x, y) in xs.iter().zip(&ys) {
            let got = net.forward(x).unwrap();
            assert_eq!(got.len(), y.len(), "{name}");
            let e = rel_err(&got, y);
            assert!(
                e < 1e-12,
                "{name}: relative error {e:.2e}: {got:?} vs {y:?}"
            );
        }
    }
}

#[test]
fn onnx_maxmin_and_groupsort_patterns_map_to_group_activations() {
    let opts = ImportOptions::default();
    let reduce = load_network(&fixture("maxmin_reduce.onnx"), &opts).unwrap();
    assert_eq!(hidden_activations(&reduce), vec!["maxmin"]);
    let split = load_network(&fixture("maxmin_split.onnx"), &opts).unwrap();
    assert_eq!(hidden_activations(&split), vec!["maxmin"]);
    let topk = load_network(&fixture("groupsort_topk.onnx"), &opts).unwrap();
    assert_eq!(hidden_activations(&topk), vec!["groupsort:3"]);
    // After merging the selection maps into the weights it is a plain 2-layer network.
    let ff = split.feed_forward().unwrap().unwrap();
    assert_eq!(ff.weights.len(), 2);
    let res = load_network(&fixture("residual.onnx"), &opts).unwrap();
    assert!(res.layers.iter().any(|l| matches!(l, Layer::Residual(_))));
}

#[test]
fn test_network2_nnet_and_onnx_are_the_same_network() {
    // sisl/NNet's converter folds the normalisation into the ONNX weights and stores them
    // as float32, so the ONNX file is the folded NNet network rounded to float32.
    let onnx = load_network(
        &shared("nnet-testnetwork/TestNetwork2.onnx"),
        &ImportOptions::default(),
    )
    .unwrap();
    let nnet = load_network(
        &shared("nnet-testnetwork/TestNetwork2.nnet"),
        &ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(hidden_activations(&onnx), vec!["relu"; 6]);
    assert_eq!(hidden_activations(&onnx), hidden_activations(&nnet));
    let dense = |n: &Network| -> Vec<Dense> {
        n.layers
            .iter()
            .filter_map(|l| match l {
                Layer::Dense(d) => Some(d.clone()),
                _ => None,
            })
            .collect()
    };
    let (a, b) = (dense(&onnx), dense(&nnet));
    assert_eq!(a.len(), 7);
    assert_eq!(b.len(), 7);
    let mut rounded = nnet.clone();
    let mut k = 0;
    let mut off_by_ulp = 0;
    for l in rounded.layers.iter_mut() {
        if let Layer::Dense(d) = l {
            assert_eq!(d.weight.nrows(), a[k].weight.nrows());
            assert_eq!(d.weight.ncols(), a[k].weight.ncols());
            let mut same = |x: &mut f64, y: f64, what: String| {
                let r = *x as f32;
                // Equal after rounding to float32, or one float32 ulp apart when the
                // folding's f64 arithmetic rounds the other way.
                let ulp = (f32::from_bits(r.to_bits() + 1) - r).abs() as f64;
                assert!((r as f64 - y).abs() <= ulp, "{what}: {x} vs {y}");
                if r as f64 != y {
                    off_by_ulp += 1;
                }
                *x = y;
            };
            for i in 0..d.weight.nrows() {
                for j in 0..d.weight.ncols() {
                    same(
                        &mut d.weight[(i, j)],
                        a[k].weight[(i, j)],
                        format!("layer {k} W[{i},{j}]"),
                    );
                }
                same(&mut d.bias[i], a[k].bias[i], format!("layer {k} b[{i}]"));
            }
            k += 1;
        }
    }
    // The folding here and in the converter round identically (checked: none differ).
    assert_eq!(off_by_ulp, 0, "entries one float32 ulp apart");
    // Same weights, same function: the NNet network with the ONNX's float32 values is
    // the ONNX network.
    assert_eq!(rounded, onnx);
    // Means and ranges (5 inputs, then the output) from the NNet header lines 6 and 7.
    let text = std::fs::read_to_string(shared("nnet-testnetwork/TestNetwork2.nnet")).unwrap();
    let header: Vec<Vec<f64>> = text
        .lines()
        .filter(|l| !l.starts_with("//"))
        .take(7)
        .map(|l| {
            l.split(',')
                .filter(|t| !t.trim().is_empty())
                .map(|t| t.trim().parse().unwrap())
                .collect()
        })
        .collect();
    let (means, ranges) = (&header[5], &header[6]);
    assert_eq!((means.len(), ranges.len()), (6, 6));
    for x in random_inputs(5, 20, 7) {
        // Inputs in the network's physical range.
        let xs: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(j, v)| means[j] + 0.3 * ranges[j] * v)
            .collect();
        let (f, g) = (onnx.forward(&xs).unwrap(), nnet.forward(&xs).unwrap());
        // Float32 storage of the weights costs ~1e-7 relative.
        assert!(rel_err(&f, &g) < 1e-5, "{f:?} vs {g:?}");
    }
    // Unfolded NNet: f(x) = r_out · g((x − μ)/r) + μ_out.
    let raw = load_network(
        &shared("nnet-testnetwork/TestNetwork2.nnet"),
        &ImportOptions::default().with_fold_nnet_normalization(false),
    )
    .unwrap();
    for x in random_inputs(5, 20, 8) {
        let xs: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(j, v)| means[j] + ranges[j] * v)
            .collect();
        let f = nnet.forward(&xs).unwrap();
        let g: Vec<f64> = raw
            .forward(&x)
            .unwrap()
            .iter()
            .map(|v| ranges[5] * v + means[5])
            .collect();
        assert!(rel_err(&f, &g) < 1e-9, "{f:?} vs {g:?}");
    }
}

#[test]
fn acasxu_networks_import_with_their_shape() {
    let dir = shared("acasxu");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert_eq!(files.len(), 6);
    for f in files {
        let net = load_network(&f, &ImportOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(net.input_dim, 5);
        assert_eq!(net.output_dim().unwrap(), 5);
        assert_eq!(hidden_activations(&net), vec!["relu"; 6]);
        let ff = net.feed_forward().unwrap().unwrap();
        assert_eq!(ff.hidden_widths(), vec![50; 6]);
        for x in random_inputs(5, 5, 3) {
            assert!(net.forward(&x).unwrap().iter().all(|v| v.is_finite()));
        }
    }
}

#[test]
fn shared_npz_networks_import_and_evaluate() {
    let relu = ImportOptions::default().with_activation(Activation::Relu);
    let maxmin = ImportOptions::default().with_activation(Activation::MaxMin);
    let cases: Vec<(&str, &ImportOptions, usize, usize)> = vec![
        ("lipsdp_random_2-10-30-20-2.npz", &relu, 2, 2),
        ("lipsdp_mnist_784-50-10.npz", &relu, 784, 10),
        ("digits_fnn2_seed0.npz", &relu, 64, 10),
        ("digits_fnn2_seed1.npz", &relu, 64, 10),
        ("digits_fnn2_seed2.npz", &relu, 64, 10),
        ("digits_fnn3_seed0.npz", &relu, 64, 10),
        ("digits_fnn3_seed1.npz", &relu, 64, 10),
        ("digits_fnn3_seed2.npz", &relu, 64, 10),
        ("maxmin_l2_2fc_16.npz", &maxmin, 784, 10),
        ("maxmin_l2_2fc_32.npz", &maxmin, 784, 10),
        ("maxmin_l2_2fc_64.npz", &maxmin, 784, 10),
        ("maxmin_l2_5fc_32.npz", &maxmin, 784, 10),
        ("maxmin_l2_8fc_32.npz", &maxmin, 784, 10),
        ("maxmin_l2_18fc_32.npz", &maxmin, 784, 10),
    ];
    for (name, opts, n_in, n_out) in cases {
        let net = load_network(&shared(name), opts).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (net.input_dim, net.output_dim().unwrap()),
            (n_in, n_out),
            "{name}"
        );
        let x = &random_inputs(n_in, 1, 11)[0];
        assert!(
            net.forward(x).unwrap().iter().all(|v| v.is_finite()),
            "{name}"
        );
    }
    let n18 = load_network(&shared("maxmin_l2_18fc_32.npz"), &maxmin).unwrap();
    assert_eq!(n18.feed_forward().unwrap().unwrap().weights.len(), 18);
    // The residual MaxMin network: x1 = W0 x; x_{k+1} = x_k + MaxMin(W_k x_k); y = W4 x4.
    let res = load_network(
        &shared("maxmin_residual_5_32.npz"),
        &ImportOptions::default().with_architecture(Architecture::ResidualMaxMin),
    )
    .unwrap();
    assert_eq!(
        res.layers
            .iter()
            .filter(|l| matches!(l, Layer::Residual(_)))
            .count(),
        3
    );
    let seq = load_network(&shared("maxmin_residual_5_32.npz"), &maxmin).unwrap();
    let x = &random_inputs(784, 1, 12)[0];
    let (y_res, y_seq) = (res.forward(x).unwrap(), seq.forward(x).unwrap());
    assert!(y_res.iter().all(|v| v.is_finite()));
    assert!(
        rel_err(&y_res, &y_seq) > 1e-3,
        "the residual wiring must change the function"
    );
    // By hand: the residual recursion.
    let dense: Vec<Dense> = seq
        .layers
        .iter()
        .filter_map(|l| {
            if let Layer::Dense(d) = l {
                Some(d.clone())
            } else {
                None
            }
        })
        .collect();
    let apply = |d: &Dense, v: &[f64]| -> Vec<f64> {
        (0..d.weight.nrows())
            .map(|i| d.bias[i] + (0..v.len()).map(|j| d.weight[(i, j)] * v[j]).sum::<f64>())
            .collect()
    };
    let mut h = apply(&dense[0], x);
    for d in &dense[1..4] {
        let mut z = apply(d, &h);
        Activation::MaxMin.apply(&mut z);
        h.iter_mut().zip(&z).for_each(|(a, b)| *a += b);
    }
    assert!(rel_err(&apply(&dense[4], &h), &y_res) < 1e-13);
}

fn f32_bytes(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| (*x as f32).to_le_bytes()).collect()
}

fn write_safetensors(path: &Path, tensors: &[(&str, Vec<usize>, Vec<f64>)]) {
    use safetensors::tensor::TensorView;
    use safetensors::Dtype;
    let bytes: Vec<Vec<u8>> = tensors.iter().map(|t| f32_bytes(&t.2)).collect();
    let views: Vec<(String, TensorView)> = tensors
        .iter()
        .zip(&bytes)
        .map(|(t, b)| {
            (
                t.0.to_string(),
                TensorView::new(Dtype::F32, t.1.clone(), b).unwrap(),
            )
        })
        .collect();
    safetensors::serialize_to_file(views, None, path).unwrap();
}

fn small_state_dict() -> Vec<(&'static str, Vec<usize>, Vec<f64>)> {
    // nn.Sequential(Linear(3, 4), ReLU(), Linear(4, 2)): keys 0.* and 2.*; values exact in f32.
    let w0: Vec<f64> = (0..12).map(|k| (k as f64 - 5.5) / 8.0).collect();
    let b0 = vec![0.25, -0.5, 0.125, 0.0];
    let w2: Vec<f64> = (0..8).map(|k| (3.0 - k as f64) / 4.0).collect();
    let b2 = vec![1.0, -1.0];
    vec![
        ("2.weight", vec![2, 4], w2),
        ("0.bias", vec![4], b0),
        ("0.weight", vec![4, 3], w0),
        ("2.bias", vec![2], b2),
    ]
}

#[test]
fn safetensors_state_dict_imports_in_layer_order() {
    let p = temp_path("seq.safetensors");
    let sd = small_state_dict();
    write_safetensors(&p, &sd);
    let net = load_network(
        &p,
        &ImportOptions::default().with_activation(Activation::Relu),
    )
    .unwrap();
    assert_eq!(net.input_dim, 3);
    assert_eq!(hidden_activations(&net), vec!["relu"]);
    let expect = Network {
        input_dim: 3,
        layers: vec![
            Layer::Dense(Dense::from_rows(4, 3, &sd[2].2, Some(&sd[1].2))),
            Layer::Activation(Activation::Relu),
            Layer::Dense(Dense::from_rows(2, 4, &sd[0].2, Some(&sd[3].2))),
        ],
    };
    assert_eq!(net, expect);
}

#[test]
fn json_round_trip_preserves_every_layer_kind() {
    let net = Network {
        input_dim: 2,
        layers: vec![
            Layer::Dense(Dense::from_rows(
                4,
                2,
                &[0.1, -0.3, 1.0 / 3.0, 2.0, -1.5, 0.25, 1e-17, 7.0],
                Some(&[0.5, -0.25, 0.0, 1.0]),
            )),
            Layer::Activation(Activation::LeakyRelu { slope: 0.1 }),
            Layer::Residual(vec![
                Layer::Dense(Dense::from_rows(
                    4,
                    4,
                    &(0..16).map(|k| (k as f64).sin()).collect::<Vec<_>>(),
                    None,
                )),
                Layer::Activation(Activation::MaxMin),
            ]),
            Layer::Implicit(Implicit {
                w: Mat::from_fn(3, 3, |i, j| 0.1 * (i as f64 - j as f64)),
                u: Mat::from_fn(3, 4, |i, j| ((i * 4 + j) as f64).cos()),
                bias: vec![0.1, 0.2, 0.3],
                activation: Activation::Tanh,
            }),
            Layer::Activation(Activation::GroupSort { group: 3 }),
            Layer::Dense(Dense::from_rows(1, 3, &[1.0, -2.0, 0.5], None)),
        ],
    };
    let p = temp_path("roundtrip.json");
    save_network_json(&net, &p).unwrap();
    let back = load_network(&p, &ImportOptions::default()).unwrap();
    assert_eq!(back, net);
    let text = network_to_json(&net).unwrap();
    assert!(text.starts_with("{\"format\":\"quadra-network\",\"version\":1"));
}

fn err_of(path: &Path, opts: &ImportOptions) -> String {
    match load_network(path, opts) {
        Ok(_) => panic!("{} imported but should fail", path.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn truncated_files_fail_naming_the_file() {
    let onnx = std::fs::read(shared("nnet-testnetwork/TestNetwork2.onnx")).unwrap();
    let p = temp_path("truncated.onnx");
    std::fs::write(&p, &onnx[..onnx.len() / 2]).unwrap();
    let e = err_of(&p, &ImportOptions::default());
    assert!(
        e.contains("truncated.onnx") && e.contains("truncated"),
        "{e}"
    );

    let nnet = std::fs::read_to_string(shared("acasxu/ACASXU_run2a_1_1_batch_2000.nnet")).unwrap();
    let p = temp_path("truncated.nnet");
    std::fs::write(&p, &nnet[..nnet.len() / 2]).unwrap();
    let e = err_of(&p, &ImportOptions::default());
    assert!(
        e.contains("truncated.nnet") && e.contains("truncated") && e.contains("layer"),
        "{e}"
    );

    let p = temp_path("truncated.safetensors");
    write_safetensors(&p, &small_state_dict());
    let bytes = std::fs::read(&p).unwrap();
    std::fs::write(&p, &bytes[..bytes.len() - 7]).unwrap();
    let e = err_of(
        &p,
        &ImportOptions::default().with_activation(Activation::Relu),
    );
    assert!(
        e.contains("truncated.safetensors") && e.contains("safetensors"),
        "{e}"
    );

    let p = temp_path("truncated.json");
    std::fs::write(&p, "{\"format\":\"quadra-network\",\"version\":1,\"input_dim\":2,\"layers\":[{\"type\":\"dense\",").unwrap();
    let e = err_of(&p, &ImportOptions::default());
    assert!(e.contains("truncated.json") && e.contains("EOF"), "{e}");
}

#[test]
fn wrong_shapes_fail_naming_the_tensor() {
    let p = temp_path("wrong_shapes.safetensors");
    // W1 has 5 columns but W0 has 4 rows.
    write_safetensors(
        &p,
        &[
            ("W0", vec![4, 3], vec![0.5; 12]),
            ("b0", vec![4], vec![0.0; 4]),
            ("W1", vec![2, 5], vec![0.5; 10]),
        ],
    );
    let e = err_of(
        &p,
        &ImportOptions::default().with_activation(Activation::Relu),
    );
    assert!(
        e.contains("'W1'") && e.contains("[2, 5]") && e.contains("4 columns") && e.contains("W0"),
        "{e}"
    );

    let p = temp_path("wrong_bias.safetensors");
    write_safetensors(
        &p,
        &[
            ("W0", vec![4, 3], vec![0.5; 12]),
            ("b0", vec![3], vec![0.0; 3]),
        ],
    );
    let e = err_of(&p, &ImportOptions::default());
    assert!(e.contains("'b0'") && e.contains("length 4"), "{e}");

    let p = temp_path("ragged.json");
    std::fs::write(&p, r#"{"format":"quadra-network","version":1,"input_dim":2,"layers":[{"type":"dense","weight":[[1,2],[3]]}]}"#).unwrap();
    let e = err_of(&p, &ImportOptions::default());
    assert!(e.contains("layers[0].weight") && e.contains("row 1"), "{e}");

    let p = temp_path("chain.json");
    std::fs::write(&p, r#"{"format":"quadra-network","version":1,"input_dim":3,"layers":[{"type":"dense","weight":[[1,2],[3,4]]}]}"#).unwrap();
    let e = err_of(&p, &ImportOptions::default());
    assert!(
        e.contains("chain.json") && e.contains("layer 0") && e.contains("expected 3"),
        "{e}"
    );
}

#[test]
fn nan_weights_fail_naming_the_layer() {
    let p = temp_path("nan.safetensors");
    let mut w1 = vec![0.5; 8];
    w1[5] = f64::NAN;
    write_safetensors(
        &p,
        &[("W0", vec![4, 3], vec![0.5; 12]), ("W1", vec![2, 4], w1)],
    );
    let e = err_of(
        &p,
        &ImportOptions::default().with_activation(Activation::Tanh),
    );
    assert!(
        e.contains("nan.safetensors")
            && e.contains("non-finite")
            && e.contains("layer 2")
            && e.contains("[1,1]"),
        "{e}"
    );

    let nnet = std::fs::read_to_string(shared("acasxu/ACASXU_run2a_1_1_batch_2000.nnet")).unwrap();
    let bad = nnet.replacen("5.40062e-02", "nan", 1);
    assert_ne!(bad, nnet);
    let e = parse_nnet(&bad, Path::new("bad.nnet"), true)
        .map(|n| n.validate().unwrap_err().to_string())
        .unwrap_or_else(|e| e.to_string());
    assert!(e.contains("non-finite") || e.contains("NaN"), "{e}");
    let p = temp_path("nan.nnet");
    std::fs::write(&p, bad).unwrap();
    let e = err_of(&p, &ImportOptions::default());
    assert!(
        e.contains("nan.nnet") && e.contains("non-finite") && e.contains("layer 0"),
        "{e}"
    );
}

#[test]
fn unsupported_op_names_op_and_node() {
    let e = err_of(
        &fixture("unsupported_softmax.onnx"),
        &ImportOptions::default(),
    );
    assert!(
        e.contains("unsupported op Softmax at node 'softmax_head'"),
        "{e}"
    );
}

#[test]
fn weights_only_files_need_an_activation() {
    let p = temp_path("noact.safetensors");
    write_safetensors(&p, &small_state_dict());
    let err = load_network(&p, &ImportOptions::default()).unwrap_err();
    assert!(matches!(err, ImportError::MissingActivation { .. }));
    let e = err.to_string();
    assert!(
        e.contains("noact.safetensors") && e.contains("--activation"),
        "{e}"
    );
    let e = err_of(&shared("digits_fnn2_seed0.npz"), &ImportOptions::default());
    assert!(
        e.contains("digits_fnn2_seed0.npz") && e.contains("--activation"),
        "{e}"
    );
}

#[test]
fn unknown_extension_and_missing_file() {
    let e = err_of(Path::new("/nonexistent/net.h5"), &ImportOptions::default());
    assert!(e.contains("net.h5") && e.contains(".onnx"), "{e}");
    let e = err_of(
        Path::new("/nonexistent/net.onnx"),
        &ImportOptions::default(),
    );
    assert!(e.contains("cannot read /nonexistent/net.onnx"), "{e}");
}
