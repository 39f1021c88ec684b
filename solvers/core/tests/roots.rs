//! Brent's method: closed-form roots, endpoint roots, flat and steep
//! functions, iteration counts against bisection, and invalid brackets.

use quadra_core::{brent, BrentSettings, CoreError};

/// √2 from x² − 2 and the Dottie number from cos x − x, both faster than
/// bisection (which needs ⌈log₂(width/tol)⌉ ≈ 40 steps here).
#[test]
fn closed_form_roots_superlinearly() {
    let s = BrentSettings::default();
    let r = brent(|x| x * x - 2.0, 0.0, 2.0, &s).unwrap();
    assert!((r.x - std::f64::consts::SQRT_2).abs() <= 2e-12);
    assert!(r.iterations < 15, "{r:?}");
    // cos x = x at 0.7390851332151607 (Dottie number).
    let r = brent(|x| x.cos() - x, 0.0, 1.0, &s).unwrap();
    assert!((r.x - 0.739_085_133_215_160_7).abs() <= 2e-12, "{r:?}");
    assert!(r.iterations < 15);
    assert!(r.bracket.0 <= r.x && r.x <= r.bracket.1);
}

/// A root at an endpoint is returned at once.
#[test]
fn root_at_endpoint() {
    let s = BrentSettings::default();
    let r = brent(|x| x - 1.0, 1.0, 3.0, &s).unwrap();
    assert_eq!((r.x, r.iterations), (1.0, 0));
    let r = brent(|x| x * (x - 3.0), 1.0, 3.0, &s).unwrap();
    assert_eq!((r.x, r.f_x), (3.0, 0.0));
}

/// x⁹ is extremely flat at its root: the bracket still shrinks to the
/// tolerance. tanh(10⁶(x − 0.3)) is a near-step: also found.
#[test]
fn flat_and_steep() {
    let s = BrentSettings::builder().abs_tol(1e-14).build().unwrap();
    let r = brent(|x| x.powi(9), -1.0, 1.5, &s).unwrap();
    assert!(r.x.abs() <= 1e-14, "{r:?}");
    let r = brent(|x| (1e6 * (x - 0.3)).tanh(), 0.0, 1.0, &s).unwrap();
    assert!((r.x - 0.3).abs() <= 1e-14, "{r:?}");
    assert!(r.iterations < 200);
}

/// Same-sign ends, NaN values and too few iterations are errors with the
/// offending values.
#[test]
fn invalid_brackets_and_limits() {
    let s = BrentSettings::default();
    match brent(|x| x * x + 1.0, -1.0, 2.0, &s) {
        Err(CoreError::NoBracket { a, b, fa, fb }) => {
            assert_eq!((a, b, fa, fb), (-1.0, 2.0, 2.0, 5.0));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        brent(|_| f64::NAN, 0.0, 1.0, &s),
        Err(CoreError::NonFinite { .. })
    ));
    assert!(matches!(
        brent(|x| x, f64::NEG_INFINITY, 1.0, &s),
        Err(CoreError::NonFinite { .. })
    ));
    let few = BrentSettings::builder().max_iter(2).build().unwrap();
    match brent(|x| x.powi(3) - 2.0, 0.0, 10.0, &few) {
        Err(CoreError::MaxIterations {
            iterations,
            residual,
            ..
        }) => {
            assert_eq!(iterations, 2);
            assert!(residual > 0.0);
        }
        other => panic!("{other:?}"),
    }
}
