//! Null draws as batched quadratic forms `T*_b = v_bᵀ G v_b` in a symmetric matrix `G`.
//!
//! Draw `b` writes its vector `v_b` (multipliers or a permuted sign vector) into column `b`
//! of an `n × m` batch `V`. Since `G` is symmetric, with `L = tril(G)` (diagonal included)
//! `G = L + Lᵀ − diag(G)`, so
//!
//! `v_bᵀ G v_b = 2 v_bᵀ (L V)_b − Σᵢ Gᵢᵢ v_{ib}²`:
//!
//! one triangular matrix product `L·V` per batch (faer, parallel over the rayon pool:
//! `n²m` flops instead of the `2n²m` of a full `G·V`, and `G` streamed from memory once per
//! batch instead of once per draw), then `m` column-wise dots. Only the lower triangle of `G`
//! is read.
//!
//! Determinism: draw `b` always uses its own ChaCha20 stream ([`draw_rng`]), the vectors are
//! filled in parallel, and faer splits the product over blocks of the output whose summation
//! order does not depend on the thread count, so the draws are identical for any number of
//! rayon threads (checked by `draws_do_not_depend_on_thread_count`).

use quadra_core::faer::linalg::matmul::triangular::{matmul as triangular_matmul, BlockStructure};
use quadra_core::faer::{Accum, Par};
use quadra_core::vector_state::after_vector_product;
use quadra_core::{seeded_rng, ChaCha20Rng, MatMut, MatRef};
use rayon::prelude::*;

/// Entries (`n × m`) of one batch of draw vectors: 2²² f64 = 32 MiB, so a batch and its
/// product `L·V` together stay at or below the Gram's own size for `n ≥ 2900`, while each
/// pass over `G` serves `2²²/n` draws (≈ 1000 at `n = 4000`; the product's efficiency
/// grows with the batch width up to a few hundred columns).
pub const BATCH_ENTRIES: usize = 1 << 22;

/// Fewest draws per batch (a product narrower than this is memory-bound on `G`).
pub const MIN_BATCH: usize = 64;

/// The ChaCha20 generator of draw `b`: stream `b` of `seed`.
pub fn draw_rng(seed: u64, b: usize) -> ChaCha20Rng {
    let mut r = seeded_rng(seed);
    r.set_stream(b as u64);
    r
}

/// Draws per batch for an `n × n` matrix and `n_boot` draws.
pub fn batch_width(n: usize, n_boot: usize) -> usize {
    (BATCH_ENTRIES / n.max(1)).max(MIN_BATCH).min(n_boot.max(1))
}

/// `v_bᵀ G v_b` for `b < n_boot`, where `fill(b, v_b)` writes draw `b`'s vector.
///
/// `g` must be square and symmetric; only its lower triangle is read (documented
/// precondition of this internal building block: the callers pass Gram matrices, which are
/// symmetric by construction).
pub fn quad_form_draws<F>(g: MatRef<'_, f64>, n_boot: usize, fill: F) -> Vec<f64>
where
    F: Fn(usize, &mut [f64]) + Sync,
{
    batched_quad_forms(g, n_boot, batch_width(g.nrows(), n_boot), fill)
}

/// [`quad_form_draws`] with `width ≥ 1` draws per batch.
fn batched_quad_forms<F>(g: MatRef<'_, f64>, n_boot: usize, width: usize, fill: F) -> Vec<f64>
where
    F: Fn(usize, &mut [f64]) + Sync,
{
    let n = g.nrows();
    assert_eq!(g.ncols(), n, "quad_form_draws: G must be square");
    assert!(width >= 1, "quad_form_draws: batch width must be ≥ 1");
    let diag: Vec<f64> = (0..n).map(|i| g[(i, i)]).collect();
    let mut out = Vec::with_capacity(n_boot);
    let mut buf = vec![0.0; n * width];
    let mut lv = vec![0.0; n * width];
    let mut b0 = 0;
    while b0 < n_boot {
        let m = width.min(n_boot - b0);
        let v = &mut buf[..n * m];
        v.par_chunks_mut(n)
            .enumerate()
            .for_each(|(k, col)| fill(b0 + k, col));
        let v = MatRef::from_column_major_slice(&buf[..n * m], n, m);
        triangular_matmul(
            MatMut::from_column_major_slice_mut(&mut lv[..n * m], n, m),
            BlockStructure::Rectangular,
            Accum::Replace,
            g,
            BlockStructure::TriangularLower,
            v,
            BlockStructure::Rectangular,
            1.0,
            Par::rayon(0),
        );
        after_vector_product();
        let batch: Vec<f64> = (0..m)
            .into_par_iter()
            .map(|k| {
                let vk = &buf[k * n..(k + 1) * n];
                let lvk = &lv[k * n..(k + 1) * n];
                let mut s = 0.0;
                for i in 0..n {
                    s += vk[i] * (2.0 * lvk[i] - diag[i] * vk[i]);
                }
                s
            })
            .collect();
        out.extend(batch);
        b0 += m;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use quadra_core::rng::gaussian_vec;
    use quadra_core::Mat;

    /// A random symmetric matrix and the naive `vᵀGv` of each draw, for comparison.
    fn setup(n: usize) -> Mat<f64> {
        let mut rng = seeded_rng(3);
        let a = gaussian_vec(n * n, &mut rng);
        Mat::from_fn(n, n, |i, j| a[i.max(j) * n + i.min(j)])
    }

    fn fill(b: usize, v: &mut [f64]) {
        let mut rng = draw_rng(11, b);
        v.copy_from_slice(&gaussian_vec(v.len(), &mut rng));
    }

    fn naive(g: &Mat<f64>, v: &[f64]) -> (f64, f64) {
        let n = v.len();
        let (mut s, mut scale) = (0.0, 0.0);
        for i in 0..n {
            for j in 0..n {
                s += v[i] * g[(i, j)] * v[j];
                scale += (v[i] * g[(i, j)] * v[j]).abs();
            }
        }
        (s, scale)
    }

    #[test]
    fn batched_triangular_product_equals_naive_quadratic_forms() {
        // Widths 1, 7 (several batches, the last one partial) and the default (one batch).
        for (n, n_boot, width) in [(5usize, 3usize, 1usize), (70, 200, 7), (120, 50, 0)] {
            let g = setup(n);
            let got = if width == 0 {
                quad_form_draws(g.as_ref(), n_boot, fill)
            } else {
                batched_quad_forms(g.as_ref(), n_boot, width, fill)
            };
            assert_eq!(got.len(), n_boot);
            for (b, &t) in got.iter().enumerate() {
                let mut v = vec![0.0; n];
                fill(b, &mut v);
                let (want, scale) = naive(&g, &v);
                // Two summation orders of n² terms: a few n·ε of the absolute sum.
                let tol = 4.0 * n as f64 * f64::EPSILON * scale;
                assert!((t - want).abs() <= tol, "n={n} b={b}: {t} vs {want}");
            }
        }
    }

    #[test]
    fn batch_width_bounds() {
        assert_eq!(batch_width(4000, 1000), 1000);
        assert_eq!(batch_width(4000, 5000), BATCH_ENTRIES / 4000);
        assert_eq!(batch_width(1 << 20, 5000), MIN_BATCH);
        assert_eq!(batch_width(10, 3), 3);
    }

    #[test]
    fn draws_do_not_depend_on_thread_count() {
        // Large enough that faer splits the triangular product across threads.
        let n = 700;
        let g = setup(n);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let three = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let a = one.install(|| quad_form_draws(g.as_ref(), 150, fill));
        let b = three.install(|| quad_form_draws(g.as_ref(), 150, fill));
        assert_eq!(a, b);
    }
}
