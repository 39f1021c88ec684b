//! Surrogate combination: closed forms, enumeration vs active set vs clarabel, weights,
//! bad input.

#![allow(clippy::needless_range_loop)] // index loops mirror the formulas being checked

use quadra_conic::SolverSettings;
use quadra_core::{gaussian_matrix, seeded_rng};
use quadra_qp::{
    combine_surrogates, DenseQp, QpError, SurrogateData, SurrogateMethod, WeightConstraint,
};

fn random_data(n: usize, m: usize, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut rng = seeded_rng(seed);
    let g = gaussian_matrix(n, m + 2, &mut rng);
    let f: Vec<f64> = (0..n)
        .flat_map(|s| (0..m).map(move |i| (s, i)))
        .map(|(s, i)| g[(s, i)])
        .collect();
    let y: Vec<f64> = (0..n).map(|s| g[(s, m)] + 0.3 * g[(s, 0)]).collect();
    let w: Vec<f64> = (0..n).map(|s| 0.5 + g[(s, m + 1)].abs()).collect();
    (f, y, w)
}

/// clarabel on the same weighted least squares (an independent method).
fn clarabel_fit(
    f: &[f64],
    n: usize,
    m: usize,
    y: &[f64],
    w: &[f64],
    c: WeightConstraint,
) -> Vec<f64> {
    let mut p = vec![0.0; m * m];
    let mut q = vec![0.0; m];
    for s in 0..n {
        for i in 0..m {
            q[i] -= 2.0 * w[s] * f[s * m + i] * y[s];
            for j in 0..m {
                p[i * m + j] += 2.0 * w[s] * f[s * m + i] * f[s * m + j];
            }
        }
    }
    let (a, l, u, lb) = match c {
        WeightConstraint::Simplex => (vec![1.0; m], vec![1.0], vec![1.0], vec![0.0; m]),
        WeightConstraint::Nonneg => (vec![], vec![], vec![], vec![0.0; m]),
        _ => (vec![], vec![], vec![], vec![]),
    };
    let qp = DenseQp {
        n: m,
        p,
        q,
        a,
        l,
        u,
        lb,
        ub: vec![],
    };
    let s = SolverSettings::builder()
        .tol_gap_abs(1e-12)
        .tol_gap_rel(1e-12)
        .tol_feas(1e-12)
        .build()
        .unwrap();
    qp.solve(&s).unwrap().x
}

#[test]
fn exact_combinations_are_recovered() {
    let (f, _, w) = random_data(40, 4, 1);
    let truth = [0.1, 0.5, 0.0, 0.4];
    let y: Vec<f64> = (0..40)
        .map(|s| (0..4).map(|i| truth[i] * f[s * 4 + i]).sum())
        .collect();
    let data = SurrogateData::new(&f, 40, 4, &y, Some(&w)).unwrap();
    for c in [
        WeightConstraint::Simplex,
        WeightConstraint::Nonneg,
        WeightConstraint::Free,
    ] {
        for method in [SurrogateMethod::Enumeration, SurrogateMethod::ActiveSet] {
            let fit = combine_surrogates(&data, c, method).unwrap();
            for (a, t) in fit.alpha.iter().zip(truth) {
                assert!((a - t).abs() < 1e-12, "{c:?} {method:?}: {:?}", fit.alpha);
            }
            assert!(fit.objective < 1e-24);
        }
    }
}

#[test]
fn two_surrogates_on_the_simplex_match_the_clamped_closed_form() {
    // α₁ = clamp(⟨F₂ − y, F₂ − F₁⟩_w / ‖F₁ − F₂‖²_w, 0, 1), α₂ = 1 − α₁.
    for seed in 0..6 {
        let (f, y, w) = random_data(30, 2, 10 + seed);
        let mut num = 0.0;
        let mut den = 0.0;
        for s in 0..30 {
            let (f1, f2) = (f[2 * s], f[2 * s + 1]);
            num += w[s] * (f2 - y[s]) * (f2 - f1);
            den += w[s] * (f1 - f2) * (f1 - f2);
        }
        let a1 = (num / den).clamp(0.0, 1.0);
        let data = SurrogateData::new(&f, 30, 2, &y, Some(&w)).unwrap();
        for method in [SurrogateMethod::Enumeration, SurrogateMethod::ActiveSet] {
            let fit = combine_surrogates(&data, WeightConstraint::Simplex, method).unwrap();
            assert!(
                (fit.alpha[0] - a1).abs() < 1e-13,
                "{method:?} {} vs {a1}",
                fit.alpha[0]
            );
            assert!((fit.alpha[1] - (1.0 - a1)).abs() < 1e-13);
        }
    }
}

#[test]
fn enumeration_active_set_and_clarabel_agree() {
    for (n, m, seed) in [(50, 3, 1u64), (80, 6, 2), (120, 9, 3), (60, 12, 4)] {
        let (f, y, w) = random_data(n, m, seed);
        let data = SurrogateData::new(&f, n, m, &y, Some(&w)).unwrap();
        for c in [
            WeightConstraint::Simplex,
            WeightConstraint::Nonneg,
            WeightConstraint::Free,
        ] {
            let e = combine_surrogates(&data, c, SurrogateMethod::Enumeration).unwrap();
            let a = combine_surrogates(&data, c, SurrogateMethod::ActiveSet).unwrap();
            let k = clarabel_fit(&f, n, m, &y, &w, c);
            for i in 0..m {
                assert!((e.alpha[i] - a.alpha[i]).abs() < 1e-11, "{c:?} M={m}");
                assert!(
                    (e.alpha[i] - k[i]).abs() < 1e-6,
                    "{c:?} M={m}: {} vs {}",
                    e.alpha[i],
                    k[i]
                );
            }
            assert!(
                e.kkt_residual < 1e-12 && a.kkt_residual < 1e-12,
                "{} {}",
                e.kkt_residual,
                a.kkt_residual
            );
            assert!((e.objective - data.objective(&k)).abs() <= 1e-9 * e.objective);
            assert!(e.objective <= data.objective(&k) + 1e-12 * e.objective);
        }
    }
}

#[test]
fn large_m_uses_the_active_set_and_meets_kkt() {
    let (f, y, w) = random_data(400, 60, 7);
    let data = SurrogateData::new(&f, 400, 60, &y, Some(&w)).unwrap();
    for c in [WeightConstraint::Simplex, WeightConstraint::Nonneg] {
        let fit = combine_surrogates(&data, c, SurrogateMethod::Auto).unwrap();
        assert_eq!(fit.method, SurrogateMethod::ActiveSet);
        assert!(fit.kkt_residual < 1e-11, "{c:?}: {}", fit.kkt_residual);
        assert!(fit.alpha.iter().all(|&a| a >= 0.0));
        let k = clarabel_fit(&f, 400, 60, &y, &w, c);
        assert!(fit.objective <= data.objective(&k) * (1.0 + 1e-9));
    }
}

#[test]
fn integer_weights_equal_repeated_rows_and_zero_weights_drop_rows() {
    let (f, y, _) = random_data(20, 4, 8);
    let mut w = vec![1.0; 20];
    w[3] = 3.0;
    w[7] = 0.0;
    let weighted = SurrogateData::new(&f, 20, 4, &y, Some(&w)).unwrap();
    let mut f2 = Vec::new();
    let mut y2 = Vec::new();
    for s in 0..20 {
        for _ in 0..(w[s] as usize) {
            f2.extend_from_slice(&f[s * 4..s * 4 + 4]);
            y2.push(y[s]);
        }
    }
    let repeated = SurrogateData::new(&f2, y2.len(), 4, &y2, None).unwrap();
    for c in [
        WeightConstraint::Simplex,
        WeightConstraint::Nonneg,
        WeightConstraint::Free,
    ] {
        let a = combine_surrogates(&weighted, c, SurrogateMethod::Auto).unwrap();
        let b = combine_surrogates(&repeated, c, SurrogateMethod::Auto).unwrap();
        for i in 0..4 {
            assert!((a.alpha[i] - b.alpha[i]).abs() < 1e-12);
        }
    }
}

#[test]
fn bad_input_is_an_error() {
    let (f, y, w) = random_data(10, 3, 9);
    assert!(matches!(
        SurrogateData::new(&f[..29], 10, 3, &y, None),
        Err(QpError::DimensionMismatch { .. })
    ));
    let mut yn = y.clone();
    yn[4] = f64::NAN;
    let e = SurrogateData::new(&f, 10, 3, &yn, None).unwrap_err();
    assert!(e.to_string().contains("target y at index 4"), "{e}");
    let mut wn = w.clone();
    wn[2] = -1.0;
    assert!(SurrogateData::new(&f, 10, 3, &y, Some(&wn)).is_err());
    assert!(SurrogateData::new(&f, 10, 3, &y, Some(&[0.0; 10])).is_err());
    // Collinear surrogates: the free fit is not unique.
    let mut fc = f.clone();
    for s in 0..10 {
        fc[s * 3 + 2] = 2.0 * fc[s * 3];
    }
    let data = SurrogateData::new(&fc, 10, 3, &y, None).unwrap();
    assert!(matches!(
        combine_surrogates(&data, WeightConstraint::Free, SurrogateMethod::Auto),
        Err(QpError::RankDeficient { .. })
    ));
    // Enumeration still finds a simplex optimum (supports avoiding the collinear pair).
    let fit = combine_surrogates(
        &data,
        WeightConstraint::Simplex,
        SurrogateMethod::Enumeration,
    )
    .unwrap();
    assert!((fit.alpha.iter().sum::<f64>() - 1.0).abs() < 1e-12);
}
