//! Calibration on AR(1) pairs: the wild bootstrap's level vs the permutation test's.
//!
//! Tolerances come from the Monte-Carlo count: a rejection rate over `R` replications has
//! binomial standard error `√(α(1−α)/R)`; we allow [`Z`] standard errors.

use quadra_core::seeded_rng;
use quadra_stattest::simulate::ar1_series;
use quadra_stattest::{hsic_test, mmd_test, Method, TestSettings, WildVariant};

const ALPHA: f64 = 0.05;
/// Replications per configuration (keeps the file at a few seconds in release).
const REPS: usize = 200;
/// Draws per test.
const N_BOOT: usize = 200;
/// 3 standard errors: a false failure of one two-sided check has probability 0.0027.
const Z: f64 = 3.0;

fn se() -> f64 {
    (ALPHA * (1.0 - ALPHA) / REPS as f64).sqrt()
}

fn rejection_rate(phi: f64, n: usize, method: Method, mmd: bool, seed0: u64) -> f64 {
    let mut rej = 0;
    for r in 0..REPS {
        let mut rng = seeded_rng(seed0 + r as u64);
        let x = ar1_series(n, 1, phi, 0.0, &mut rng).unwrap();
        let y = ar1_series(n, 1, phi, 0.0, &mut rng).unwrap();
        let s = TestSettings::builder()
            .method(method)
            .n_boot(N_BOOT)
            .alpha(ALPHA)
            .seed(r as u64)
            .build()
            .unwrap();
        let res = if mmd {
            mmd_test(&x, &y, &s).unwrap()
        } else {
            hsic_test(&x, &y, &s).unwrap()
        };
        rej += res.reject as usize;
    }
    rej as f64 / REPS as f64
}

const WILD: Method = Method::Wild(WildVariant::Centred);

#[test]
fn iid_data_both_methods_hold_the_level() {
    for mmd in [true, false] {
        for m in [WILD, Method::Permutation] {
            let rate = rejection_rate(0.0, 120, m, mmd, 10_000);
            assert!(
                (rate - ALPHA).abs() <= Z * se(),
                "mmd={mmd} {m:?}: rate {rate} vs {ALPHA} ± {}",
                Z * se()
            );
        }
    }
}

#[test]
fn mild_dependence_wild_holds_the_level() {
    // φ = 0.3, n = 300: τ ≈ 0.83, l = 3.3 ≪ n, the regime the wild bootstrap's theory covers.
    let rate = rejection_rate(0.3, 300, WILD, true, 20_000);
    assert!((rate - ALPHA).abs() <= Z * se(), "wild MMD: {rate}");
    let rate = rejection_rate(0.3, 300, WILD, false, 30_000);
    assert!((rate - ALPHA).abs() <= Z * se(), "wild HSIC: {rate}");
}

#[test]
fn strong_dependence_permutation_fails_wild_does_much_better() {
    // φ = 0.9: the permutation test's level is far above nominal (exchangeability fails).
    let perm = rejection_rate(0.9, 200, Method::Permutation, true, 40_000);
    let wild = rejection_rate(0.9, 200, WILD, true, 40_000);
    assert!(perm > ALPHA + 10.0 * se(), "permutation level only {perm}");
    assert!(
        wild < perm - 2.0 * Z * se(),
        "wild {wild} vs permutation {perm}"
    );
}
