//! `?syevr_` through the `lapack-sys` declarations, against the cyclic Jacobi eigenvalue method
//! and residual / orthogonality checks.

// Long argument lists and tables of argument tuples mirror the BLAS/LAPACK calling convention.
#![allow(clippy::too_many_arguments, clippy::type_complexity)]

mod common;
use common::*;

struct Eig {
    info: i32,
    m: usize,
    w: Vec<f64>,
    /// n × m eigenvector block (empty for jobz = N).
    z: D,
    isuppz: Vec<i32>,
    z_store: P<f64>,
    a_after: D,
}

/// Calls syevr with a queried (optimal) workspace, or with the given sizes.
#[allow(clippy::too_many_arguments)]
fn run<T: Flt>(
    a: &P<T>,
    jobz: u8,
    range: u8,
    uplo: u8,
    vl: f64,
    vu: f64,
    il: i32,
    iu: i32,
    zpad: usize,
    sizes: Option<(i32, i32)>,
) -> Eig {
    let n = a.rows;
    let mut a = a.clone();
    let ldz = n.max(1) + zpad;
    let mut z = P::<T>::new(n, n, ldz);
    let mut w = vec![T::from(SENTINEL); n];
    let mut isuppz = vec![-1; 2 * n.max(1)];
    let (lwork, liwork) = sizes.unwrap_or_else(|| {
        let mut wq = [T::from(0.0)];
        let mut iq = [0];
        let (info, _) = T::syevr(
            jobz,
            range,
            uplo,
            n as i32,
            &mut a.data,
            a.ld as i32,
            T::from(vl),
            T::from(vu),
            il,
            iu,
            &mut w,
            &mut z.data,
            ldz as i32,
            &mut isuppz,
            &mut wq,
            -1,
            &mut iq,
            -1,
        );
        assert_eq!(info, 0, "workspace query failed");
        (wq[0].to() as i32, iq[0])
    });
    let mut work = vec![T::from(0.0); lwork.max(1) as usize];
    let mut iwork = vec![0; liwork.max(1) as usize];
    let (info, m) = T::syevr(
        jobz,
        range,
        uplo,
        n as i32,
        &mut a.data,
        a.ld as i32,
        T::from(vl),
        T::from(vu),
        il,
        iu,
        &mut w,
        &mut z.data,
        ldz as i32,
        &mut isuppz,
        &mut work,
        lwork,
        &mut iwork,
        liwork,
    );
    let m = if info == 0 { m as usize } else { 0 };
    let zs = P::<f64> {
        rows: z.rows,
        cols: z.cols,
        ld: z.ld,
        data: z.data.iter().map(|x| x.to()).collect(),
    };
    Eig {
        info,
        m,
        w: w.iter().take(m).map(|x| x.to()).collect(),
        z: if jobz.eq_ignore_ascii_case(&b'V') {
            D::from_fn(n, m, |i, j| z.get(i, j))
        } else {
            D::zeros(n, 0)
        },
        isuppz,
        z_store: zs,
        a_after: a.to_d(),
    }
}

fn check_pairs(a: &D, e: &Eig, eps: f64, what: &str) {
    let n = a.rows as f64;
    let scale = a.fro().max(1e-300);
    assert!(
        e.w.windows(2).all(|p| p[0] <= p[1]),
        "{what}: not ascending {:?}",
        e.w
    );
    if e.z.cols > 0 {
        let az = a.mul(&e.z);
        let zl = D::from_fn(e.z.rows, e.z.cols, |i, j| e.z.at(i, j) * e.w[j]);
        let res = az.sub(&zl).max_abs();
        assert!(res <= 20.0 * n * eps * scale, "{what}: ‖AZ − ZΛ‖ = {res}");
        let o = orth_err(&e.z);
        assert!(o <= 20.0 * n * eps, "{what}: ‖ZᵀZ − I‖ = {o}");
        for j in 0..e.m {
            let (f, l) = (e.isuppz[2 * j], e.isuppz[2 * j + 1]);
            assert!(
                1 <= f && f <= l && l as usize <= e.z.rows,
                "{what}: isuppz {f} {l}"
            );
            let col: Vec<f64> = (0..e.z.rows).map(|i| e.z.at(i, j)).collect();
            assert!(col[f as usize - 1] != 0.0 && col[l as usize - 1] != 0.0);
            assert!(col[..f as usize - 1].iter().all(|&x| x == 0.0));
            assert!(col[l as usize..].iter().all(|&x| x == 0.0));
        }
    }
}

fn all_pairs<T: Flt>() {
    // n = 140 takes faer's divide-and-conquer path (n ≥ 128); it runs for fewer flags.
    let sizes: &[usize] = if T::EPS == f64::EPSILON {
        &[1, 2, 5, 30, 140]
    } else {
        &[1, 2, 5, 30]
    };
    for &n in sizes {
        let mut r = rng(n as u64 + 1000);
        // Large case: a known spectrum stands in for the (slow, unoptimised) Jacobi reference.
        let (a, w_ref) = if n > 100 {
            let mut spec: Vec<f64> = (0..n).map(|_| D::random(1, 1, &mut r).d[0]).collect();
            let a = D::sym_with_spectrum(&spec, &mut r);
            spec.sort_by(|x, y| x.partial_cmp(y).unwrap());
            (a, spec)
        } else {
            let a = D::random_sym(n, &mut r).round::<T>();
            let w_ref = ref_jacobi_eig(&a).0;
            (a, w_ref)
        };
        let (uplos, jobzs): (&[u8], &[u8]) = if n > 100 {
            (b"UL", b"V")
        } else {
            (b"ULu", b"NVv")
        };
        for &uplo in uplos {
            let mut pa = P::<T>::from_d(&a, 2);
            poison_other_triangle(&mut pa, uplo, f64::NAN);
            for &jobz in jobzs {
                let what = format!(
                    "{} n={n} uplo={} jobz={}",
                    T::NAME,
                    uplo as char,
                    jobz as char
                );
                let e = run::<T>(&pa, jobz, b'A', uplo, 0.0, 0.0, 0, 0, 3, None);
                assert_eq!(e.info, 0, "{what}");
                assert_eq!(e.m, n, "{what}");
                for (x, y) in e.w.iter().zip(&w_ref) {
                    assert!(
                        (x - y).abs() <= 20.0 * n as f64 * T::EPS * a.fro(),
                        "{what}: {x} vs {y}"
                    );
                }
                check_pairs(&a, &e, T::EPS, &what);
                assert!(e.z_store.padding_intact(), "{what}: Z padding");
                assert!(e
                    .a_after
                    .d
                    .iter()
                    .zip(&pa.to_d().d)
                    .all(|(x, y)| x.to_bits() == y.to_bits()));
            }
        }
    }
}

#[test]
fn syevr_all_eigenpairs_match_jacobi_and_read_one_triangle() {
    all_pairs::<f64>();
    all_pairs::<f32>();
}

#[test]
fn syevr_value_and_index_ranges_select_the_right_pairs() {
    let n = 30;
    let spectrum: Vec<f64> = (0..n).map(|i| i as f64 - 12.0).collect();
    let mut r = rng(3);
    let a = D::sym_with_spectrum(&spectrum, &mut r);
    let pa = P::<f64>::from_d(&a, 1);
    for jobz in [b'N', b'V'] {
        for uplo in [b'U', b'L'] {
            // (vl, vu] = (−3.5, 4.5] ⇒ −3, …, 4.
            let e = run::<f64>(&pa, jobz, b'V', uplo, -3.5, 4.5, 0, 0, 2, None);
            assert_eq!((e.info, e.m), (0, 8));
            for (k, x) in e.w.iter().enumerate() {
                assert!((x - (k as f64 - 3.0)).abs() < 1e-12, "{x}");
            }
            check_pairs(&a, &e, f64::EPSILON, "range V");
            if jobz == b'V' {
                // Columns m.. of Z are not written.
                let zs = &e.z_store;
                assert!((e.m..n).all(|j| (0..n).all(|i| zs.get(i, j) == SENTINEL)));
            }
            // Nothing in (100, 200].
            let e = run::<f64>(&pa, jobz, b'V', uplo, 100.0, 200.0, 0, 0, 0, None);
            assert_eq!((e.info, e.m), (0, 0));
            // Index ranges (1-based, inclusive).
            for (il, iu) in [(3, 7), (1, n as i32), (30, 30), (1, 1)] {
                let e = run::<f64>(&pa, jobz, b'I', uplo, 0.0, 0.0, il, iu, 1, None);
                assert_eq!((e.info, e.m), (0, (iu - il + 1) as usize));
                for (k, x) in e.w.iter().enumerate() {
                    assert!((x - spectrum[il as usize - 1 + k]).abs() < 1e-12);
                }
                check_pairs(&a, &e, f64::EPSILON, "range I");
            }
        }
    }
    // f32 with ranges.
    let pa32 = P::<f32>::from_d(&a.round::<f32>(), 0);
    let e = run::<f32>(&pa32, b'V', b'I', b'L', 0.0, 0.0, 2, 5, 0, None);
    assert_eq!((e.info, e.m), (0, 4));
    check_pairs(&a.round::<f32>(), &e, f32::EPSILON as f64, "f32 range I");
}

#[test]
fn syevr_ill_conditioned_and_repeated_spectra() {
    let mut r = rng(8);
    // Graded spectrum 1, 1e-1, …, 1e-11 (cond 1e11): absolute accuracy O(ε‖A‖).
    let graded: Vec<f64> = (0..12).map(|k| 10f64.powi(-k)).collect();
    let a = D::sym_with_spectrum(&graded, &mut r);
    let mut sorted = graded.clone();
    sorted.sort_by(|x, y| x.partial_cmp(y).unwrap());
    let e = run::<f64>(&P::from_d(&a, 0), b'V', b'A', b'U', 0.0, 0.0, 0, 0, 0, None);
    assert_eq!(e.info, 0);
    for (x, y) in e.w.iter().zip(&sorted) {
        assert!((x - y).abs() <= 100.0 * f64::EPSILON, "{x} vs {y}");
    }
    check_pairs(&a, &e, f64::EPSILON, "graded");
    // clarabel's own test matrix: eigenvalues −1, −1, 8, 9 (a double eigenvalue).
    let s = [
        [3.0, 2.0, 4.0, 0.0],
        [2.0, 0.0, 2.0, 0.0],
        [4.0, 2.0, 3.0, 0.0],
        [0.0, 0.0, 0.0, 9.0],
    ];
    let a = D::from_fn(4, 4, |i, j| s[i][j]);
    for uplo in [b'U', b'L'] {
        let e = run::<f64>(&P::from_d(&a, 0), b'V', b'A', uplo, 0.0, 0.0, 0, 0, 0, None);
        assert_eq!(e.info, 0);
        for (x, y) in e.w.iter().zip([-1.0, -1.0, 8.0, 9.0]) {
            assert!((x - y).abs() < 1e-12);
        }
        check_pairs(&a, &e, f64::EPSILON, "clarabel 4×4");
    }
    // Hilbert 10.
    let h = D::hilbert(10);
    let e = run::<f64>(&P::from_d(&h, 0), b'V', b'A', b'L', 0.0, 0.0, 0, 0, 0, None);
    assert_eq!(e.info, 0);
    check_pairs(&h, &e, f64::EPSILON, "hilbert");
    assert!(e.w[0] > 0.0 && e.w[0] < 1e-12);
}

#[test]
fn syevr_workspace_queries_minimums_and_errors() {
    let n = 20;
    let a = D::random_sym(n, &mut rng(1));
    let pa = P::<f64>::from_d(&a, 0);
    let mut w = vec![7.0; n];
    let mut z = vec![0.0; n * n];
    let mut isuppz = vec![0; 2 * n];
    for (lw, liw) in [(-1, -1), (-1, 0), (0, -1)] {
        let mut work = [0.0];
        let mut iwork = [0];
        let mut ac = pa.data.clone();
        let (info, _) = f64::syevr(
            b'V',
            b'A',
            b'U',
            n as i32,
            &mut ac,
            n as i32,
            0.0,
            0.0,
            0,
            0,
            &mut w,
            &mut z,
            n as i32,
            &mut isuppz,
            &mut work,
            lw,
            &mut iwork,
            liw,
        );
        assert_eq!(info, 0);
        assert!(work[0] >= 26.0 * n as f64, "lwork {}", work[0]);
        assert_eq!(iwork[0], 10 * n as i32);
        assert!(w.iter().all(|&x| x == 7.0), "a query computes nothing");
    }
    // The documented minimum sizes work (our scratch is then allocated) and agree with the
    // optimal-workspace run.
    for jobz in [b'N', b'V'] {
        for range in [b'A', b'I'] {
            let min = run::<f64>(
                &pa,
                jobz,
                range,
                b'L',
                0.0,
                0.0,
                2,
                9,
                0,
                Some((26 * n as i32, 10 * n as i32)),
            );
            let opt = run::<f64>(&pa, jobz, range, b'L', 0.0, 0.0, 2, 9, 0, None);
            assert_eq!(min.info, 0);
            assert_eq!(min.w, opt.w);
            assert_eq!(min.z, opt.z);
        }
    }
    let small = run::<f64>(
        &pa,
        b'V',
        b'A',
        b'L',
        0.0,
        0.0,
        0,
        0,
        0,
        Some((26 * n as i32 - 1, 10 * n as i32)),
    );
    assert_eq!(small.info, -18);
    let small = run::<f64>(
        &pa,
        b'V',
        b'A',
        b'L',
        0.0,
        0.0,
        0,
        0,
        0,
        Some((26 * n as i32, 10 * n as i32 - 1)),
    );
    assert_eq!(small.info, -20);
    // f32: the queried size, written as a float, is never below what is needed.
    let pa32 = P::<f32>::from_d(&a.round::<f32>(), 0);
    let e = run::<f32>(&pa32, b'V', b'A', b'U', 0.0, 0.0, 0, 0, 0, None);
    assert_eq!((e.info, e.m), (0, n));
    // n = 0 and n = 1.
    let e = run::<f64>(&P::new(0, 0, 1), b'V', b'A', b'U', 0.0, 0.0, 0, 0, 0, None);
    assert_eq!((e.info, e.m), (0, 0));
    let one = P::<f64>::from_d(&D::from_fn(1, 1, |_, _| 2.5), 0);
    let e = run::<f64>(&one, b'V', b'A', b'U', 0.0, 0.0, 0, 0, 0, None);
    assert_eq!((e.info, e.m, e.w.clone()), (0, 1, vec![2.5]));
    assert_eq!(e.z.d, vec![1.0]);
    assert_eq!(&e.isuppz[..2], &[1, 1]);
    let e = run::<f64>(&one, b'V', b'V', b'U', 2.5, 3.0, 0, 0, 0, None);
    assert_eq!((e.info, e.m), (0, 0), "vl < λ is strict");
    let e = run::<f64>(&one, b'N', b'V', b'U', 2.0, 2.5, 0, 0, 0, None);
    assert_eq!((e.info, e.m), (0, 1), "λ ≤ vu is inclusive");
}

#[test]
fn syevr_illegal_arguments_and_nan() {
    let n = 4;
    let a = P::<f64>::from_d(&D::random_sym(n, &mut rng(2)), 0);
    let ok = Some((26 * n as i32, 10 * n as i32));
    let cases: [(u8, u8, u8, f64, f64, i32, i32, i32); 10] = [
        (b'X', b'A', b'U', 0.0, 0.0, 0, 0, -1),
        (b'V', b'X', b'U', 0.0, 0.0, 0, 0, -2),
        (b'V', b'A', b'X', 0.0, 0.0, 0, 0, -3),
        (b'V', b'V', b'U', 1.0, 1.0, 0, 0, -8),
        (b'V', b'V', b'U', 2.0, 1.0, 0, 0, -8),
        (b'V', b'I', b'U', 0.0, 0.0, 0, 2, -9),
        (b'V', b'I', b'U', 0.0, 0.0, 5, 5, -9),
        (b'V', b'I', b'U', 0.0, 0.0, 3, 2, -10),
        (b'V', b'I', b'U', 0.0, 0.0, 1, 5, -10),
        (b'N', b'I', b'L', 0.0, 0.0, 2, 1, -10),
    ];
    for (jobz, range, uplo, vl, vu, il, iu, expect) in cases {
        let e = run::<f64>(&a, jobz, range, uplo, vl, vu, il, iu, 0, ok);
        assert_eq!(
            e.info,
            expect,
            "{:?}",
            (jobz as char, range as char, uplo as char, vl, vu, il, iu)
        );
    }
    // n < 0, lda < n, ldz < n (jobz = V) / ldz < 1.
    let mut w = vec![0.0; 4];
    let mut z = vec![0.0; 16];
    let mut isuppz = vec![0; 8];
    let mut work = vec![0.0; 200];
    let mut iwork = vec![0; 100];
    let mut ad = a.data.clone();
    let mut call = |n: i32, lda: i32, jobz: u8, ldz: i32| {
        f64::syevr(
            jobz,
            b'A',
            b'U',
            n,
            &mut ad,
            lda,
            0.0,
            0.0,
            0,
            0,
            &mut w,
            &mut z,
            ldz,
            &mut isuppz,
            &mut work,
            200,
            &mut iwork,
            100,
        )
        .0
    };
    assert_eq!(call(-1, 4, b'V', 4), -4);
    assert_eq!(call(4, 3, b'V', 4), -6);
    assert_eq!(call(4, 4, b'V', 3), -15);
    assert_eq!(call(4, 4, b'N', 0), -15);
    assert_eq!(call(4, 4, b'N', 1), 0);
    // NaN in the referenced triangle: a failure, never a "success".
    for uplo in [b'U', b'L'] {
        let mut b = D::random_sym(6, &mut rng(4));
        b.set(1, 4, f64::NAN);
        b.set(4, 1, f64::NAN);
        let e = run::<f64>(&P::from_d(&b, 0), b'V', b'A', uplo, 0.0, 0.0, 0, 0, 0, None);
        assert_eq!(
            e.info, 1,
            "NaN input must fail with the documented info = 1"
        );
        let e = run::<f32>(
            &P::from_d(&b.round::<f32>(), 0),
            b'N',
            b'A',
            uplo,
            0.0,
            0.0,
            0,
            0,
            0,
            None,
        );
        assert_eq!(e.info, 1);
    }
}
