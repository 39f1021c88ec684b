//! Cholesky factors of the iterates `X` and `S`, dense or block tridiagonal, behind
//! the few operations the interior point needs: triangular solves (step lengths),
//! `S⁻¹` and products with it.

use quadra_core::faer::linalg::matmul::matmul;
use quadra_core::faer::linalg::solvers::{DenseSolveCore, Llt};
use quadra_core::faer::linalg::triangular_solve::{
    solve_lower_triangular_in_place, solve_upper_triangular_in_place,
};
use quadra_core::faer::{Accum, MatMut, Par, Side};
use quadra_core::Mat;

use super::block_tridiagonal::{
    mul_banded_by_dense, symmetrise, BlockPartition, BlockTridiagonalCholesky,
};

/// `LLᵀ = A` for a symmetric positive definite iterate.
#[derive(Debug, Clone)]
pub(crate) enum CholeskyFactor {
    /// A dense factor (and the `Llt` for the inverse).
    Dense(Llt<f64>),
    /// A block-bidiagonal factor of a block-tridiagonal matrix.
    BlockTridiagonal(BlockTridiagonalCholesky),
}

impl CholeskyFactor {
    /// Factors `a`, through `partition` when one is given; `None` when `a` is not
    /// numerically positive definite.
    pub(crate) fn factor(a: &Mat<f64>, partition: Option<&BlockPartition>) -> Option<Self> {
        match partition {
            Some(p) => BlockTridiagonalCholesky::factor(a, p).map(CholeskyFactor::BlockTridiagonal),
            None => a.llt(Side::Lower).ok().map(CholeskyFactor::Dense),
        }
    }

    /// Dimension.
    pub(crate) fn dim(&self) -> usize {
        match self {
            CholeskyFactor::Dense(f) => f.L().nrows(),
            CholeskyFactor::BlockTridiagonal(f) => f.partition().dim(),
        }
    }

    /// `B ← L⁻¹B`.
    pub(crate) fn solve_lower_in_place(&self, b: MatMut<'_, f64>) {
        match self {
            CholeskyFactor::Dense(f) => {
                solve_lower_triangular_in_place(f.L(), b, parallel_above(f.L().nrows()))
            }
            CholeskyFactor::BlockTridiagonal(f) => f.solve_lower_in_place(b),
        }
    }

    /// `B ← L⁻ᵀB`.
    pub(crate) fn solve_upper_in_place(&self, b: MatMut<'_, f64>) {
        match self {
            CholeskyFactor::Dense(f) => {
                solve_upper_triangular_in_place(f.L().transpose(), b, parallel_above(f.L().nrows()))
            }
            CholeskyFactor::BlockTridiagonal(f) => f.solve_upper_in_place(b),
        }
    }

    /// `A⁻¹`, symmetrised.
    pub(crate) fn inverse(&self) -> Mat<f64> {
        match self {
            CholeskyFactor::Dense(f) => {
                let mut inv = f.inverse();
                symmetrise(&mut inv);
                inv
            }
            CholeskyFactor::BlockTridiagonal(f) => f.inverse(),
        }
    }

    /// `A⁻¹(D B + C)` for a `D` supported on this factor's pattern (all of it when
    /// dense) and an optional `C`, given `A⁻¹`: the dense factor multiplies by it, the
    /// block factor forms and solves the product panel by panel
    /// ([`BlockTridiagonalCholesky::solve_banded_product`]).
    pub(crate) fn solve_pattern_product(
        &self,
        d: &Mat<f64>,
        b: &Mat<f64>,
        c: Option<&Mat<f64>>,
        inverse: &Mat<f64>,
    ) -> Mat<f64> {
        match self {
            CholeskyFactor::Dense(_) => {
                let mut g = mul(d, b);
                if let Some(c) = c {
                    g += c;
                }
                mul(inverse, &g)
            }
            CholeskyFactor::BlockTridiagonal(f) => f.solve_banded_product(d, b, c),
        }
    }

    /// `D B` for a `D` supported on this factor's pattern (all of it when dense).
    pub(crate) fn pattern_mul(&self, d: &Mat<f64>, b: &Mat<f64>) -> Mat<f64> {
        match self {
            CholeskyFactor::Dense(_) => mul(d, b),
            CholeskyFactor::BlockTridiagonal(f) => mul_banded_by_dense(d, b, f.partition()),
        }
    }
}

/// Dense operations on matrices with fewer rows than this run on one thread (handing
/// them to rayon costs more than it saves).
const PARALLEL_MIN_DIM: usize = 128;

/// faer's rayon threads for an `n`-row dense operation from [`PARALLEL_MIN_DIM`] rows
/// on (the triangular solves of the primal step length's Lanczos are memory-bound and
/// otherwise leave a core idle), one thread below.
pub(crate) fn parallel_above(n: usize) -> Par {
    if n >= PARALLEL_MIN_DIM {
        Par::rayon(0)
    } else {
        Par::Seq
    }
}

/// Dense product `AB` (threads shared by faer).
pub(crate) fn mul(a: &Mat<f64>, b: &Mat<f64>) -> Mat<f64> {
    let mut out = Mat::<f64>::zeros(a.nrows(), b.ncols());
    let par = parallel_above(a.nrows());
    matmul(
        out.as_mut(),
        Accum::Replace,
        a.as_ref(),
        b.as_ref(),
        1.0,
        par,
    );
    out
}
