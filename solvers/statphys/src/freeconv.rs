//! Free convolution `μ_t = ν_κ ⊞ semicircle(t)`.
//!
//! `ν_κ = √κ · MarchenkoPastur(1/κ)` is the spectrum of `S*/√d` with
//! `S* = W*W*ᵀ/√m`, `m = κd` (mean `√κ`, variance 1, an atom `1 − κ` at 0 when
//! `κ < 1`). The Cauchy transform `G` of `μ_t` solves the cubic
//!
//! `t·G³ − (z + t√κ)·G² + (√κ z − κ + 1)·G − √κ = 0`,
//!
//! obtained from the subordination relation `G(z) = G_ν(z − tG(z))` and the
//! quadratic `zG_ν² − (√κ z − κ + 1)G_ν + √κ = 0` of `ν_κ`. On the real axis the
//! density is `|Im G(x + i0)|/π`: a complex-conjugate root pair means `x` is in the
//! bulk; three real roots mean `x` is outside and the physical root is the one
//! that satisfies the subordination relation with `ω = x − tG` outside the support
//! of `ν_κ` and `1 + tG_ν'(ω) > 0` (the inverse subordination map is increasing).
//! The support edges are the real roots of the cubic's discriminant, a quartic in
//! `x` whose coefficients are stated in [`FreeConvolution::edge_quartic`].
//!
//! Reference: Maillard, Troiani, Martin, Krzakala, Zdeborová, arXiv:2408.03733,
//! and the reference sheet `shared/refs/statphys.md`.

use crate::complex::{cubic_roots, poly_roots};
use crate::error::{check_positive, Result, StatphysError};
use crate::rmt::MarchenkoPastur;
use num_complex::Complex64 as C64;
use quadra_core::quadrature::{gauss_legendre, GaussRule};
use std::f64::consts::PI;
use std::sync::OnceLock;

/// Gauss–Legendre nodes per bulk in θ (after the edge substitution the
/// integrands are analytic in θ, so the rule converges exponentially; 96
/// nodes reproduce the sheet's table to its 8 printed digits and the mass/moment
/// identities to 1e-9 in `tests/free_convolution.rs`).
const BULK_NODES: usize = 96;

/// Relative residual under which a real root is accepted as satisfying the
/// subordination relation (roots are polished to ~1e-15; 1e-7 leaves room for
/// the conditioning near edges, where roots coalesce and either is correct).
const SUBORDINATION_TOL: f64 = 1e-7;

/// Imaginary part (relative to the root's modulus) below which a cubic root is
/// treated as real: Cardano + Newton gives ~1e-15, and a true complex pair at
/// distance δ from an edge has Im ~ √δ, so 1e-9 misclassifies only within
/// ~1e-18 of an edge, where the density is 0 to that accuracy anyway.
const REAL_ROOT_TOL: f64 = 1e-9;

fn rule() -> &'static GaussRule {
    static RULE: OnceLock<GaussRule> = OnceLock::new();
    RULE.get_or_init(|| gauss_legendre(BULK_NODES).expect("96 nodes is a valid Gauss rule"))
}

/// The law `ν_κ = √κ · MarchenkoPastur(1/κ)` (spectrum of `S*/√d`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prior {
    kappa: f64,
}

impl Prior {
    /// `ν_κ` for `κ > 0`.
    pub fn new(kappa: f64) -> Result<Self> {
        check_positive("kappa", kappa)?;
        Ok(Self { kappa })
    }

    /// Cauchy transform `G_ν(z) = G_MP(z/√κ)/√κ`.
    pub fn cauchy(&self, z: C64) -> C64 {
        let s = self.kappa.sqrt();
        let mp = MarchenkoPastur {
            ratio: 1.0 / self.kappa,
        };
        mp.cauchy(z / s) / s
    }

    /// Derivative `G_ν'(z)` from the quadratic `zG² − (√κz − κ + 1)G + √κ = 0`.
    pub fn cauchy_derivative(&self, z: C64, g: C64) -> C64 {
        let s = self.kappa.sqrt();
        let b = z * s - self.kappa + 1.0;
        (g * s - g * g) / (z * g * 2.0 - b)
    }

    /// Edges of the continuous part: `√κ(1 ± 1/√κ)²`.
    pub fn edges(&self) -> (f64, f64) {
        let s = self.kappa.sqrt();
        let r = 1.0 / s;
        (s * (1.0 - r).powi(2), s * (1.0 + r).powi(2))
    }

    /// Density of the continuous part.
    pub fn density(&self, x: f64) -> f64 {
        let s = self.kappa.sqrt();
        let mp = MarchenkoPastur {
            ratio: 1.0 / self.kappa,
        };
        mp.density(x / s) / s
    }
}

/// One bulk (connected component of the support) of `μ_t`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bulk {
    /// Left edge.
    pub left: f64,
    /// Right edge.
    pub right: f64,
}

/// `μ_t = ν_κ ⊞ semicircle(t)`, `t > 0`.
#[derive(Debug, Clone)]
pub struct FreeConvolution {
    kappa: f64,
    t: f64,
    prior: Prior,
    bulks: Vec<Bulk>,
    /// Real parts of complex discriminant roots inside a bulk: near-singular
    /// points of the density where the quadrature splits the bulk.
    splits: Vec<f64>,
}

impl FreeConvolution {
    /// Builds `μ_t` and locates its bulks. Errors for `κ ≤ 0`, `t ≤ 0` or
    /// non-finite values, and [`StatphysError::Support`] if no bulk is found.
    pub fn new(kappa: f64, t: f64) -> Result<Self> {
        check_positive("kappa", kappa)?;
        check_positive("t", t)?;
        let mut fc = Self {
            kappa,
            t,
            prior: Prior { kappa },
            bulks: Vec::new(),
            splits: Vec::new(),
        };
        fc.bulks = fc.find_bulks()?;
        Ok(fc)
    }

    /// κ.
    pub fn kappa(&self) -> f64 {
        self.kappa
    }

    /// t.
    pub fn t(&self) -> f64 {
        self.t
    }

    /// The bulks, left to right.
    pub fn bulks(&self) -> &[Bulk] {
        &self.bulks
    }

    /// All support edges, ascending.
    pub fn edges(&self) -> Vec<f64> {
        self.bulks.iter().flat_map(|b| [b.left, b.right]).collect()
    }

    /// Coefficients `[a0, a1, a2, a3, a4]` of the discriminant quartic whose real
    /// roots are the support edges.
    pub fn edge_quartic(&self) -> [f64; 5] {
        let k = self.kappa;
        let t = self.t;
        let s = k.sqrt();
        let a4 = k;
        let a3 = -2.0 * s * (k * t + k + 1.0);
        let a2 = k * k * t * t + 8.0 * k * k * t + k * k - 2.0 * k * t - 2.0 * k + 1.0;
        let a1 = -2.0 * s * t * (k * k * t + 5.0 * k * k - 4.0 * k * t - k - 4.0);
        let a0 = -t
            * (-k * k * k * t - 4.0 * k * k * k
                + 4.0 * k * k * t * t
                + 20.0 * k * k * t
                + 12.0 * k * k
                + 8.0 * k * t
                - 12.0 * k
                + 4.0);
        [a0, a1, a2, a3, a4]
    }

    fn cubic_at(&self, z: C64) -> [C64; 3] {
        let s = self.kappa.sqrt();
        let t = self.t;
        cubic_roots(
            C64::new(t, 0.0),
            -(z + t * s),
            z * s - self.kappa + 1.0,
            C64::new(-s, 0.0),
        )
    }

    fn find_bulks(&mut self) -> Result<Vec<Bulk>> {
        let q = self.edge_quartic();
        let roots = poly_roots(&q);
        let scale = 1.0 + roots.iter().map(|r| r.norm()).fold(0.0_f64, f64::max);
        let mut real: Vec<f64> = roots
            .iter()
            .filter(|r| r.im.abs() <= 1e-7 * scale)
            .map(|r| r.re)
            .collect();
        real.sort_by(f64::total_cmp);
        let mut bulks = Vec::new();
        for w in real.windows(2) {
            let mid = 0.5 * (w[0] + w[1]);
            if w[1] > w[0] && self.density(mid) > 0.0 {
                bulks.push(Bulk {
                    left: w[0],
                    right: w[1],
                });
            }
        }
        // Merge adjacent bulks sharing an edge (a double root of the quartic
        // inside the support, e.g. a zero of the density).
        let mut merged: Vec<Bulk> = Vec::new();
        for b in bulks {
            match merged.last_mut() {
                Some(last) if (b.left - last.right).abs() <= 1e-12 * scale => last.right = b.right,
                _ => merged.push(b),
            }
        }
        let mut splits: Vec<f64> = roots
            .iter()
            .filter(|r| r.im.abs() > 1e-7 * scale)
            .map(|r| r.re)
            .filter(|&x| merged.iter().any(|b| x > b.left && x < b.right))
            .collect();
        splits.extend(
            real.iter()
                .copied()
                .filter(|&x| merged.iter().any(|b| x > b.left && x < b.right)),
        );
        splits.sort_by(f64::total_cmp);
        self.splits.clone_from(&splits);
        if merged.is_empty() {
            return Err(StatphysError::Support {
                kappa: self.kappa,
                t: self.t,
                reason: "no interval between real roots of the discriminant carries density",
            });
        }
        Ok(merged)
    }

    /// `G(x + i0)` at real `x`: the complex root with `Im G < 0` inside the bulk,
    /// the physical real root (by subordination) outside.
    pub fn cauchy_real(&self, x: f64) -> C64 {
        let roots = self.cubic_at(C64::new(x, 0.0));
        // Complex pair: inside the bulk.
        if let Some(g) = self.physical_pair(x, &roots) {
            return g;
        }
        self.physical_real_root(x, &roots)
    }

    /// The complex root with `Im G < 0` if the cubic has a complex pair that
    /// satisfies the subordination relation `G = G_ν(x − tG)` (for tiny `t` the
    /// two non-physical roots can form a pair outside the support).
    fn physical_pair(&self, x: f64, roots: &[C64; 3]) -> Option<C64> {
        let r = roots
            .iter()
            .filter(|r| r.im.abs() > REAL_ROOT_TOL * (1.0 + r.norm()))
            .min_by(|a, b| a.im.total_cmp(&b.im))?;
        let g = C64::new(r.re, -r.im.abs());
        let gn = self.prior.cauchy(C64::new(x, 0.0) - g * self.t);
        ((gn - g).norm() <= SUBORDINATION_TOL * (1.0 + g.norm())).then_some(g)
    }

    fn physical_real_root(&self, x: f64, roots: &[C64; 3]) -> C64 {
        let (lo, hi) = self.prior.edges();
        let mut best: Option<(f64, f64)> = None; // (score, g)
        for r in roots {
            let g = r.re;
            let omega = x - self.t * g;
            let inside = omega > lo && omega < hi;
            let gn = self.prior.cauchy(C64::new(omega, 0.0));
            let resid = (gn - C64::new(g, 0.0)).norm() / (1.0 + g.abs());
            let dg = self.prior.cauchy_derivative(C64::new(omega, 0.0), gn).re;
            let increasing = 1.0 + self.t * dg > 0.0;
            // Lexicographic score: valid roots first, then the smallest residual.
            let penalty = if !inside && increasing && resid < SUBORDINATION_TOL {
                0.0
            } else {
                1.0
            };
            let score = penalty + resid.min(0.5);
            if best.is_none_or(|(s, _)| score < s) {
                best = Some((score, g));
            }
        }
        C64::new(best.map_or(roots[0].re, |(_, g)| g), 0.0)
    }

    /// Cauchy transform at any `z`: on the real axis [`Self::cauchy_real`]; off it
    /// the root with `Im G·Im z < 0`, disambiguated by subordination iteration
    /// `G ← G_ν(z − tG)` from `1/z` when several roots qualify.
    pub fn cauchy(&self, z: C64) -> C64 {
        if z.im == 0.0 {
            return self.cauchy_real(z.re);
        }
        let roots = self.cubic_at(z);
        let cands: Vec<C64> = roots
            .iter()
            .copied()
            .filter(|g| g.im * z.im < 0.0)
            .collect();
        if cands.len() == 1 {
            return cands[0];
        }
        // Damped subordination iteration from 1/z.
        let mut g = C64::new(1.0, 0.0) / z;
        for _ in 0..2000 {
            let next = self.prior.cauchy(z - g * self.t);
            let new = g * 0.5 + next * 0.5;
            let done = (new - g).norm() < 1e-10 * (1.0 + g.norm());
            g = new;
            if done {
                break;
            }
        }
        *roots
            .iter()
            .min_by(|a, b| (*a - g).norm().total_cmp(&(*b - g).norm()))
            .expect("three roots")
    }

    /// Density `ρ_t(x) = |Im G(x + i0)|/π`.
    pub fn density(&self, x: f64) -> f64 {
        let roots = self.cubic_at(C64::new(x, 0.0));
        self.physical_pair(x, &roots).map_or(0.0, |g| -g.im / PI)
    }

    /// `∫ f(x, G(x+i0)) ρ(x) dx` over the support, bulk by bulk, with the edge
    /// substitution `x = e0 + (e1 − e0)(1 − cos θ)/2`.
    pub fn integrate(&self, mut f: impl FnMut(f64, C64) -> f64) -> f64 {
        let rule = rule();
        let mut total = 0.0;
        let mut pieces = Vec::new();
        for b in &self.bulks {
            let mut left = b.left;
            for &s in self.splits.iter().filter(|&&s| s > b.left && s < b.right) {
                pieces.push((left, s));
                left = s;
            }
            pieces.push((left, b.right));
        }
        for (lo, hi) in pieces {
            let w = hi - lo;
            total += rule.integrate(
                |theta| {
                    let x = lo + w * (1.0 - theta.cos()) / 2.0;
                    let g = self.cauchy_real(x);
                    let rho = g.im.abs() / PI;
                    f(x, g) * rho * w * theta.sin() / 2.0
                },
                0.0,
                PI,
            );
        }
        total
    }

    /// `∫ρ_t(x)³ dx`.
    pub fn int_rho_cubed(&self) -> f64 {
        self.integrate(|_, g| (g.im / PI).powi(2))
    }

    /// Denoising MMSE `t − (4π²/3)t²∫ρ_t³`.
    pub fn mmse_den(&self) -> f64 {
        self.t - 4.0 * PI * PI / 3.0 * self.t * self.t * self.int_rho_cubed()
    }

    /// The RIE eigenvalue map `ξ(λ) = λ − 2t·Re G(λ)`.
    pub fn rie_shrink(&self, lambda: f64) -> f64 {
        lambda - 2.0 * self.t * self.cauchy_real(lambda).re
    }
}

/// `mmse_den(t)` for `μ_t = ν_κ ⊞ semicircle(t)`; `mmse_den(0) = 0`.
pub fn mmse_den(kappa: f64, t: f64) -> Result<f64> {
    check_positive("kappa", kappa)?;
    crate::error::check_nonnegative("t", t)?;
    if t == 0.0 {
        return Ok(0.0);
    }
    Ok(FreeConvolution::new(kappa, t)?.mmse_den())
}
