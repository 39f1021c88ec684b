//! Cholesky factorisation of a block-tridiagonal symmetric positive definite matrix —
//! the slack `S = F₀ + Σᵢ yᵢFᵢ` of a multi-layer LipSDP, whose aggregate sparsity
//! pattern couples each layer only to its neighbours.
//!
//! With a partition of the indices into consecutive blocks `K = 0..p` such that
//! `S_{KJ} = 0` for `|K − J| > 1`, the Cholesky factor `L` is block lower bidiagonal
//! (no fill outside the pattern) and is computed block by block:
//!
//! ```text
//!   L₀₀L₀₀ᵀ = S₀₀,
//!   L_{K+1,K} = S_{K+1,K} L_{KK}⁻ᵀ,
//!   L_{K+1,K+1}L_{K+1,K+1}ᵀ = S_{K+1,K+1} − L_{K+1,K}L_{K+1,K}ᵀ,
//! ```
//!
//! (Golub & Van Loan, *Matrix Computations*, 4th ed., §4.5.3, block tridiagonal
//! systems). A solve with `r` right-hand sides costs `2r·Σ_K n_K(n_K + 2n_{K+1})`
//! flops instead of the `2rN²` of a dense factor: for `L` layers of width `n` that is
//! `O(rLn²)` against `O(rL²n²)` — the cost per layer, not per network², that the
//! interior point needs for the products with `S⁻¹` in the HKM direction.

use quadra_core::faer::linalg::matmul::matmul;
use quadra_core::faer::linalg::triangular_solve::{
    solve_lower_triangular_in_place, solve_upper_triangular_in_place,
};
use quadra_core::faer::reborrow::{Reborrow, ReborrowMut};
use quadra_core::faer::{Accum, MatMut, MatRef, Par, Side};
use quadra_core::Mat;

/// Blocks are merged until each holds at least this many indices: tiny blocks cost
/// more in call overhead than they save in flops.
const MIN_BLOCK: usize = 24;

/// The factor is used only when its solve cost is below this fraction of the dense
/// one (`Σ_K n_K(n_K + 2n_{K+1}) ≤ FRACTION · N²`).
const FRACTION: f64 = 0.3;

/// A partition of `0..N` into consecutive blocks with `S_{KJ} = 0` for `|K − J| > 1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BlockPartition {
    /// Block `K` is `starts[K]..starts[K + 1]`; `starts[p] = N`.
    starts: Vec<usize>,
}

impl BlockPartition {
    /// The partition built greedily from the pattern's reach: `reach[j]` is the largest
    /// row `i ≥ j` with `S_ij` possibly nonzero. Each block ends where the reach of the
    /// previous one ends, so every nonzero below the diagonal lies in the block row
    /// just below its column's block; adjacent blocks are then merged up to
    /// [`MIN_BLOCK`] (merging neighbours keeps the block-tridiagonal property).
    pub(crate) fn from_reach(reach: &[usize]) -> BlockPartition {
        let n = reach.len();
        let mut starts = vec![0];
        let (mut s, mut e) = (0usize, n.min(1));
        while e < n {
            let r = reach[s..e].iter().copied().max().unwrap_or(s);
            let next = (r + 1).max(e + 1).min(n);
            starts.push(e);
            s = e;
            e = next;
        }
        starts.push(n);
        starts.dedup();
        // Merge small neighbours.
        let mut merged = vec![0];
        for &b in &starts[1..] {
            let last = *merged.last().unwrap_or(&0);
            if b - last < MIN_BLOCK && b != n {
                continue;
            }
            merged.push(b);
        }
        if merged.len() > 2 {
            let k = merged.len();
            if merged[k - 1] - merged[k - 2] < MIN_BLOCK {
                merged.remove(k - 2);
            }
        }
        BlockPartition { starts: merged }
    }

    /// Number of blocks.
    pub(crate) fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// The block holding index `i` (`i < N`).
    pub(crate) fn block_of(&self, i: usize) -> usize {
        self.starts.partition_point(|&s| s <= i) - 1
    }

    /// Total dimension `N`.
    pub(crate) fn dim(&self) -> usize {
        *self.starts.last().unwrap_or(&0)
    }

    /// `(start, size)` of block `k`.
    pub(crate) fn block(&self, k: usize) -> (usize, usize) {
        (self.starts[k], self.starts[k + 1] - self.starts[k])
    }

    /// Rows that can be nonzero in the columns of block `k`: blocks `k−1..=k+1`.
    pub(crate) fn band_rows(&self, k: usize) -> (usize, usize) {
        let lo = self.starts[k.saturating_sub(1)];
        let hi = self.starts[(k + 2).min(self.len())];
        (lo, hi - lo)
    }

    /// Whether solving through this partition beats a dense factor.
    pub(crate) fn worthwhile(&self) -> bool {
        let n = self.dim() as f64;
        let work: f64 = (0..self.len())
            .map(|k| {
                let a = self.block(k).1 as f64;
                let b = if k + 1 < self.len() {
                    self.block(k + 1).1 as f64
                } else {
                    0.0
                };
                a * (a + 2.0 * b)
            })
            .sum();
        self.len() >= 3 && work <= FRACTION * n * n
    }
}

/// `L` with `LLᵀ = S` for block-tridiagonal `S` (see the module notes).
#[derive(Debug, Clone)]
pub(crate) struct BlockTridiagonalCholesky {
    partition: BlockPartition,
    /// `L_KK` (lower triangular, `n_K × n_K`).
    diag: Vec<Mat<f64>>,
    /// `L_{K+1,K}` (`n_{K+1} × n_K`).
    sub: Vec<Mat<f64>>,
}

impl BlockTridiagonalCholesky {
    /// Factors `s` (only its blocks `S_KK` and `S_{K+1,K}` are read); `None` when `s`
    /// is not numerically positive definite.
    pub(crate) fn factor(s: &Mat<f64>, partition: &BlockPartition) -> Option<Self> {
        let p = partition.len();
        let mut diag: Vec<Mat<f64>> = Vec::with_capacity(p);
        let mut sub: Vec<Mat<f64>> = Vec::with_capacity(p.saturating_sub(1));
        for k in 0..p {
            let (st, nk) = partition.block(k);
            let mut a = s.as_ref().submatrix(st, st, nk, nk).to_owned();
            if k > 0 {
                let l: &Mat<f64> = &sub[k - 1];
                matmul(
                    a.as_mut(),
                    Accum::Add,
                    l.as_ref(),
                    l.transpose(),
                    -1.0,
                    Par::Seq,
                );
            }
            let lkk = a.llt(Side::Lower).ok()?.L().to_owned();
            if k + 1 < p {
                let (st1, n1) = partition.block(k + 1);
                // L_{K+1,K}ᵀ = L_KK⁻¹ S_{K,K+1}.
                let mut t = s.as_ref().submatrix(st, st1, nk, n1).to_owned();
                solve_lower_triangular_in_place(lkk.as_ref(), t.as_mut(), Par::Seq);
                sub.push(t.transpose().to_owned());
            }
            diag.push(lkk);
        }
        Some(BlockTridiagonalCholesky {
            partition: partition.clone(),
            diag,
            sub,
        })
    }

    /// The partition the factor was built on.
    pub(crate) fn partition(&self) -> &BlockPartition {
        &self.partition
    }

    /// `B ← L⁻¹B` (`B` has `N` rows); column chunks run in parallel.
    pub(crate) fn solve_lower_in_place(&self, b: MatMut<'_, f64>) {
        for_column_chunks(b, &|_, chunk| self.solve_lower_serial(chunk));
    }

    /// `B ← L⁻ᵀB`; column chunks run in parallel.
    pub(crate) fn solve_upper_in_place(&self, b: MatMut<'_, f64>) {
        for_column_chunks(b, &|_, chunk| self.solve_upper_serial(chunk));
    }

    /// `B ← L⁻¹B` on one thread: forward substitution block row by block row.
    fn solve_lower_serial(&self, b: MatMut<'_, f64>) {
        self.solve_lower_serial_from(0, b);
    }

    /// [`Self::solve_lower_serial`] for a `B` whose block rows before `k0` are zero
    /// (they stay zero, so they are skipped).
    fn solve_lower_serial_from(&self, k0: usize, mut b: MatMut<'_, f64>) {
        for k in k0..self.partition.len() {
            let (st, nk) = self.partition.block(k);
            if k > k0 {
                let (st0, n0) = self.partition.block(k - 1);
                let (prev, cur) = b.rb_mut().subrows_mut(st0, n0 + nk).split_at_row_mut(n0);
                let mut cur = cur;
                matmul(
                    cur.rb_mut(),
                    Accum::Add,
                    self.sub[k - 1].as_ref(),
                    prev.rb(),
                    -1.0,
                    Par::Seq,
                );
            }
            solve_lower_triangular_in_place(
                self.diag[k].as_ref(),
                b.rb_mut().subrows_mut(st, nk),
                Par::Seq,
            );
        }
    }

    /// `B ← L⁻ᵀB` on one thread: back substitution.
    fn solve_upper_serial(&self, b: MatMut<'_, f64>) {
        self.solve_upper_serial_down_to(0, b);
    }

    /// The block rows `k0..` of `L⁻ᵀB` (they depend only on those rows of `B`, `L⁻ᵀ`
    /// being upper triangular); the rows before block `k0` are left as they were.
    fn solve_upper_serial_down_to(&self, k0: usize, mut b: MatMut<'_, f64>) {
        for k in (k0..self.partition.len()).rev() {
            let (st, nk) = self.partition.block(k);
            if k + 1 < self.partition.len() {
                let (_, n1) = self.partition.block(k + 1);
                let (cur, next) = b.rb_mut().subrows_mut(st, nk + n1).split_at_row_mut(nk);
                let mut cur = cur;
                matmul(
                    cur.rb_mut(),
                    Accum::Add,
                    self.sub[k].transpose(),
                    next.rb(),
                    -1.0,
                    Par::Seq,
                );
            }
            solve_upper_triangular_in_place(
                self.diag[k].transpose(),
                b.rb_mut().subrows_mut(st, nk),
                Par::Seq,
            );
        }
    }

    /// `S⁻¹(D·A + C)` for `D` supported on this factor's pattern (as in
    /// [`mul_banded_by_dense`]) and an optional dense `C`: each panel of
    /// [`SOLVE_PANEL`] columns is formed and goes through both substitutions while it
    /// is in cache; column chunks run in parallel.
    pub(crate) fn solve_banded_product(
        &self,
        d: &Mat<f64>,
        a: &Mat<f64>,
        c: Option<&Mat<f64>>,
    ) -> Mat<f64> {
        let mut out = Mat::<f64>::zeros(d.nrows(), a.ncols());
        for_column_chunks(out.as_mut(), &|first, mut chunk| {
            let cols = chunk.ncols();
            for j in (0..cols).step_by(SOLVE_PANEL) {
                let w = SOLVE_PANEL.min(cols - j);
                let mut panel = chunk.rb_mut().subcols_mut(j, w);
                banded_product_into(
                    d,
                    a.as_ref().subcols(first + j, w),
                    &self.partition,
                    panel.rb_mut(),
                );
                if let Some(c) = c {
                    panel += c.as_ref().subcols(first + j, w);
                }
                self.solve_lower_serial(panel.rb_mut());
                self.solve_upper_serial(panel);
            }
        });
        out
    }

    /// `S⁻¹ = L⁻ᵀL⁻¹`, dense and exactly symmetric. Only the lower triangle is
    /// solved for: column `j` of `L⁻¹` is zero above row `j`, and rows `≥ j` of
    /// `L⁻ᵀ(L⁻¹e_j)` need only rows `≥ j` of `L⁻¹e_j`, so a column chunk starting in
    /// block `k0` runs both substitutions over blocks `k0..` only (half the flops of
    /// two full solves); the upper triangle is then mirrored. The chunks are
    /// `INVERSE_CHUNK` columns wide and run in parallel, so that work stealing evens out
    /// their unequal lengths.
    pub(crate) fn inverse(&self) -> Mat<f64> {
        use rayon::prelude::*;
        let n = self.partition.dim();
        let mut out = Mat::<f64>::identity(n, n);
        out.as_mut()
            .par_col_chunks_mut(INVERSE_CHUNK)
            .enumerate()
            .for_each(|(c, mut chunk)| {
                let k0 = self.partition.block_of(c * INVERSE_CHUNK);
                self.solve_lower_serial_from(k0, chunk.rb_mut());
                self.solve_upper_serial_down_to(k0, chunk);
            });
        mirror_lower(&mut out);
        out
    }
}

/// Panel width of [`BlockTridiagonalCholesky::solve_banded_product`]. Measured for the
/// substitutions alone on a random 65-block matrix (`N = 4160`, blocks of 64, the slack
/// of a 64×64 LipSDP), solving `N` columns on two threads, four runs each: 0.14–0.21 s
/// in one sweep per thread, 0.09–0.13 s in panels of 128 or 64, 0.11–0.14 s in panels
/// of 256 or 512 (a temporary timing test, not in the tree).
const SOLVE_PANEL: usize = 128;

/// Column chunk of [`BlockTridiagonalCholesky::inverse`]: wide enough for the block
/// GEMMs, narrow enough for a few chunks per thread.
const INVERSE_CHUNK: usize = 128;

/// Copies the strict lower triangle onto the upper one, over `TRANSPOSE_TILE` tiles.
fn mirror_lower(a: &mut Mat<f64>) {
    let n = a.nrows();
    for j0 in (0..n).step_by(TRANSPOSE_TILE) {
        for i0 in (0..=j0).step_by(TRANSPOSE_TILE) {
            for j in j0..(j0 + TRANSPOSE_TILE).min(n) {
                for i in i0..(i0 + TRANSPOSE_TILE).min(j) {
                    a[(i, j)] = a[(j, i)];
                }
            }
        }
    }
}

/// Tile edge for the passes that read a matrix and its transpose together: a
/// `32 × 32` tile of `f64` and its mirror fit in L1, so the transposed reads hit cache
/// instead of missing once per entry.
pub(crate) const TRANSPOSE_TILE: usize = 32;

/// `(A + Aᵀ)/2` in place, over `TRANSPOSE_TILE` tiles.
pub(crate) fn symmetrise(a: &mut Mat<f64>) {
    let n = a.nrows();
    for j0 in (0..n).step_by(TRANSPOSE_TILE) {
        for i0 in (0..=j0).step_by(TRANSPOSE_TILE) {
            for j in j0..(j0 + TRANSPOSE_TILE).min(n) {
                for i in i0..(i0 + TRANSPOSE_TILE).min(j) {
                    let v = 0.5 * (a[(i, j)] + a[(j, i)]);
                    a[(i, j)] = v;
                    a[(j, i)] = v;
                }
            }
        }
    }
}

/// Column chunks below this width are not split further: a chunk must carry enough
/// work to pay for handing it to another thread.
const MIN_CHUNK_COLS: usize = 32;

/// Runs `f(first column, chunk)` on column chunks of `b` in parallel (rayon), halving
/// until the chunks are narrower than `2·MIN_CHUNK_COLS` or there is one per thread. The block solves and
/// products here are sequences of small GEMMs along the rows, which faer's own
/// threading splits poorly; independent columns split perfectly.
pub(crate) fn for_column_chunks<F>(b: MatMut<'_, f64>, f: &F)
where
    F: Fn(usize, MatMut<'_, f64>) + Sync,
{
    split_columns(b, 0, f, rayon::current_num_threads());
}

/// `f(first, chunk)` over the chunks of `b`, whose first column is `offset`.
fn split_columns<F>(b: MatMut<'_, f64>, offset: usize, f: &F, pieces: usize)
where
    F: Fn(usize, MatMut<'_, f64>) + Sync,
{
    let cols = b.ncols();
    if pieces <= 1 || cols < 2 * MIN_CHUNK_COLS {
        f(offset, b);
        return;
    }
    let mid = cols / 2;
    let (left, right) = b.split_at_col_mut(mid);
    let half = pieces.div_ceil(2);
    rayon::join(
        || split_columns(left, offset, f, half),
        || split_columns(right, offset + mid, f, pieces - half),
    );
}

/// `D·A` for dense `A` and `D` supported on the block-tridiagonal pattern of
/// `partition` (entries of `D` outside it are ignored): row block `K` of the product
/// reads only column blocks `K−1..=K+1` of `D` and the matching rows of `A`. Column
/// chunks of `A` run in parallel (everything stays column-major: no transposed views).
pub(crate) fn mul_banded_by_dense(
    d: &Mat<f64>,
    a: &Mat<f64>,
    partition: &BlockPartition,
) -> Mat<f64> {
    let mut out = Mat::<f64>::zeros(d.nrows(), a.ncols());
    for_column_chunks(out.as_mut(), &|first, chunk| {
        let cols = chunk.ncols();
        banded_product_into(d, a.as_ref().subcols(first, cols), partition, chunk);
    });
    out
}

/// `out ← D·A` on one thread (`D` on the pattern of `partition`, `A` the matching
/// columns): one GEMM per block row over the band.
fn banded_product_into(
    d: &Mat<f64>,
    a: MatRef<'_, f64>,
    partition: &BlockPartition,
    mut out: MatMut<'_, f64>,
) {
    for k in 0..partition.len() {
        let (st, nk) = partition.block(k);
        let (lo, len) = partition.band_rows(k);
        matmul(
            out.rb_mut().subrows_mut(st, nk),
            Accum::Replace,
            d.as_ref().submatrix(st, lo, nk, len),
            a.subrows(lo, len),
            1.0,
            Par::Seq,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quadra_core::faer::linalg::solvers::{DenseSolveCore, Solve};
    use rand::Rng;

    /// A random SPD block-tridiagonal matrix with blocks `sizes`.
    fn random_block_tridiagonal(sizes: &[usize], seed: u64) -> Mat<f64> {
        let n: usize = sizes.iter().sum();
        let mut rng = quadra_core::seeded_rng(seed);
        let mut starts = vec![0];
        for s in sizes {
            starts.push(starts.last().unwrap() + s);
        }
        let block_of = |i: usize| {
            starts
                .iter()
                .rposition(|&s| s <= i)
                .unwrap()
                .min(sizes.len() - 1)
        };
        let mut g = Mat::<f64>::zeros(n, n);
        for j in 0..n {
            for i in j..n {
                if block_of(i) <= block_of(j) + 1 {
                    let v: f64 = rng.random_range(-1.0..1.0);
                    g[(i, j)] = v;
                    g[(j, i)] = v;
                }
            }
        }
        for i in 0..n {
            g[(i, i)] += 2.0 * n as f64;
        }
        g
    }

    fn reach_of(s: &Mat<f64>) -> Vec<usize> {
        let n = s.nrows();
        (0..n)
            .map(|j| (j..n).rev().find(|&i| s[(i, j)] != 0.0).unwrap_or(j))
            .collect()
    }

    #[test]
    fn partition_is_block_tridiagonal_and_solves_match_dense() {
        let s = random_block_tridiagonal(&[30, 40, 25, 50, 35, 30], 7);
        let part = BlockPartition::from_reach(&reach_of(&s));
        assert!(part.len() >= 3, "partition {part:?}");
        // Every nonzero lies in a block row adjacent to its column's block.
        for k in 0..part.len() {
            let (st, nk) = part.block(k);
            let (lo, len) = part.band_rows(k);
            for j in st..st + nk {
                for i in 0..s.nrows() {
                    if s[(i, j)] != 0.0 {
                        assert!(i >= lo && i < lo + len, "({i},{j}) outside the band");
                    }
                }
            }
        }
        let f = BlockTridiagonalCholesky::factor(&s, &part).expect("SPD");
        let dense_inv = s.llt(Side::Lower).unwrap().inverse();
        let inv = f.inverse();
        let err = (&inv - &dense_inv).norm_l2() / dense_inv.norm_l2();
        assert!(err < 1e-12, "inverse error {err}");
        let mut rng = quadra_core::seeded_rng(3);
        // The banded product equals the dense one on the pattern (150 columns: split
        // into parallel chunks).
        let a = Mat::<f64>::from_fn(s.nrows(), 150, |_, _| rng.random_range(-1.0..1.0));
        let prod = mul_banded_by_dense(&s, &a, &part);
        let dense = &s * &a;
        assert!((&prod - &dense).norm_l2() < 1e-12 * dense.norm_l2());
        // S⁻¹(D·A + C) over 300 columns: chunks of 150 on two threads, each in panels
        // of SOLVE_PANEL and a remainder.
        let a = Mat::<f64>::from_fn(s.nrows(), 300, |_, _| rng.random_range(-1.0..1.0));
        let c = Mat::<f64>::from_fn(s.nrows(), 300, |_, _| rng.random_range(-1.0..1.0));
        let d = random_block_tridiagonal(&[30, 40, 25, 50, 35, 30], 8);
        let llt = s.llt(Side::Lower).unwrap();
        for add in [None, Some(&c)] {
            let got = f.solve_banded_product(&d, &a, add);
            let rhs = add.map_or_else(|| &d * &a, |c| &d * &a + c);
            let want = llt.solve(rhs.as_ref());
            let err = (&got - &want).norm_l2() / want.norm_l2();
            assert!(err < 1e-12, "S⁻¹(DA + C) error {err}");
        }
    }

    #[test]
    fn indefinite_matrix_is_refused() {
        let mut s = random_block_tridiagonal(&[30, 30, 30], 1);
        s[(70, 70)] = -1e3;
        let part = BlockPartition::from_reach(&reach_of(&s));
        assert!(BlockTridiagonalCholesky::factor(&s, &part).is_none());
    }

    #[test]
    fn dense_pattern_is_not_worthwhile() {
        let n = 100;
        let reach = vec![n - 1; n];
        let part = BlockPartition::from_reach(&reach);
        assert!(!part.worthwhile());
        assert_eq!(part.dim(), n);
    }
}
