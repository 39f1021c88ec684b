//! Quadrature rules behind one trait: trapezoid, Simpson, Gauss–Legendre and Bayesian
//! quadrature.

use crate::bq::{BqRule, BqSettings};
use crate::error::{QuadratureError, Result};
use crate::kernel::{Interval, Kernel};
use quadra_core::gauss_legendre;

/// Nodes must coincide with the interval ends to this relative accuracy (a few ulps of
/// `max(|a|, |b|)`, so `a + L·i/(n−1)` computed in floating point is accepted).
const END_RTOL: f64 = 16.0 * f64::EPSILON;

/// A rule `∫ₐᵇ f ≈ Σ w_i f(x_i)`.
pub trait QuadratureRule {
    /// Short name (`trapezoid`, `simpson`, `gauss-legendre`, `bq:matern72:0.3`).
    fn name(&self) -> String;

    /// The rule's `n` nodes on `interval` (default: equispaced, ends included).
    fn nodes(&self, n: usize, interval: Interval) -> Result<Vec<f64>> {
        if n < 2 {
            return Err(QuadratureError::invalid("samples", n, "at least 2"));
        }
        Ok(interval.equispaced(n))
    }

    /// Weights for the given nodes.
    fn weights(&self, nodes: &[f64], interval: Interval) -> Result<Vec<f64>>;

    /// Whether the weights depend on the nodes relative to `a` only (then they can be
    /// computed once on `[0, b − a]` and reused on shifted intervals).
    fn shift_invariant(&self) -> bool {
        true
    }

    /// `Σ w_i f(x_i)` on the rule's `n` nodes.
    fn integrate(
        &self,
        f: &mut dyn FnMut(f64) -> f64,
        n: usize,
        interval: Interval,
    ) -> Result<f64> {
        let x = self.nodes(n, interval)?;
        let w = self.weights(&x, interval)?;
        Ok(x.iter().zip(&w).map(|(&x, &w)| w * f(x)).sum())
    }
}

fn check_sorted_with_ends(nodes: &[f64], interval: Interval, min: usize) -> Result<()> {
    if nodes.len() < min {
        return Err(QuadratureError::invalid(
            "nodes",
            nodes.len(),
            "at least 2 nodes",
        ));
    }
    let scale = interval.a.abs().max(interval.b.abs());
    let tol = END_RTOL * scale;
    if (nodes[0] - interval.a).abs() > tol || (nodes[nodes.len() - 1] - interval.b).abs() > tol {
        return Err(QuadratureError::invalid(
            "nodes",
            format!("first {}, last {}", nodes[0], nodes[nodes.len() - 1]),
            "the first node at a and the last at b",
        ));
    }
    if nodes.windows(2).any(|w| w[1].is_nan() || w[1] <= w[0]) {
        return Err(QuadratureError::invalid(
            "nodes",
            format!("{nodes:?}"),
            "strictly increasing finite nodes",
        ));
    }
    Ok(())
}

/// Composite trapezoid rule on sorted nodes including both ends.
#[derive(Debug, Clone, Copy, Default)]
pub struct Trapezoid;

impl QuadratureRule for Trapezoid {
    fn name(&self) -> String {
        "trapezoid".into()
    }

    fn weights(&self, nodes: &[f64], interval: Interval) -> Result<Vec<f64>> {
        check_sorted_with_ends(nodes, interval, 2)?;
        let mut w = vec![0.0; nodes.len()];
        for i in 0..nodes.len() - 1 {
            let h = nodes[i + 1] - nodes[i];
            w[i] += 0.5 * h;
            w[i + 1] += 0.5 * h;
        }
        Ok(w)
    }
}

/// Composite Simpson rule on an odd number of sorted nodes including both ends; each
/// pair of panels `[x_{2i}, x_{2i+2}]` may have unequal widths (the rule stays exact for
/// quadratics).
#[derive(Debug, Clone, Copy, Default)]
pub struct Simpson;

impl QuadratureRule for Simpson {
    fn name(&self) -> String {
        "simpson".into()
    }

    fn nodes(&self, n: usize, interval: Interval) -> Result<Vec<f64>> {
        if n < 3 || n % 2 == 0 {
            return Err(QuadratureError::invalid(
                "samples",
                n,
                "an odd number >= 3 for Simpson's rule",
            ));
        }
        Ok(interval.equispaced(n))
    }

    fn weights(&self, nodes: &[f64], interval: Interval) -> Result<Vec<f64>> {
        check_sorted_with_ends(nodes, interval, 3)?;
        if nodes.len() % 2 == 0 {
            return Err(QuadratureError::invalid(
                "nodes",
                nodes.len(),
                "an odd number of nodes for Simpson's rule",
            ));
        }
        let mut w = vec![0.0; nodes.len()];
        for i in (0..nodes.len() - 2).step_by(2) {
            let h0 = nodes[i + 1] - nodes[i];
            let h1 = nodes[i + 2] - nodes[i + 1];
            let s = h0 + h1;
            w[i] += (2.0 * h0 - h1) * s / (6.0 * h0);
            w[i + 1] += s * s * s / (6.0 * h0 * h1);
            w[i + 2] += (2.0 * h1 - h0) * s / (6.0 * h1);
        }
        Ok(w)
    }
}

/// Gauss–Legendre rule (nodes chosen by the rule; from `quadra_core::gauss_legendre`).
#[derive(Debug, Clone, Copy, Default)]
pub struct GaussLegendre;

/// A given node must match the Gauss node to this relative accuracy.
const GAUSS_NODE_RTOL: f64 = 1e-12;

impl QuadratureRule for GaussLegendre {
    fn name(&self) -> String {
        "gauss-legendre".into()
    }

    fn nodes(&self, n: usize, interval: Interval) -> Result<Vec<f64>> {
        let rule = gauss_legendre(n)?;
        let (c, h) = (0.5 * (interval.a + interval.b), 0.5 * interval.length());
        Ok(rule.nodes.iter().map(|&t| c + h * t).collect())
    }

    fn weights(&self, nodes: &[f64], interval: Interval) -> Result<Vec<f64>> {
        let want = self.nodes(nodes.len(), interval)?;
        let scale = interval.a.abs().max(interval.b.abs());
        if want
            .iter()
            .zip(nodes)
            .any(|(w, x)| (w - x).abs() > GAUSS_NODE_RTOL * scale)
        {
            return Err(QuadratureError::invalid(
                "nodes",
                format!("{nodes:?}"),
                "the Gauss–Legendre nodes of the interval",
            ));
        }
        let rule = gauss_legendre(nodes.len())?;
        let h = 0.5 * interval.length();
        Ok(rule.weights.iter().map(|&w| h * w).collect())
    }
}

/// Bayesian quadrature with a kernel and [`BqSettings`] (jitter).
#[derive(Debug, Clone, Copy)]
pub struct BayesQuadrature {
    /// Kernel.
    pub kernel: Kernel,
    /// Settings (jitter).
    pub settings: BqSettings,
}

impl QuadratureRule for BayesQuadrature {
    fn name(&self) -> String {
        if self.kernel.is_stationary() {
            format!(
                "bq:{}:{}",
                self.kernel.kind().name(),
                self.kernel.lengthscale()
            )
        } else {
            format!("bq:{}", self.kernel.kind().name())
        }
    }

    fn weights(&self, nodes: &[f64], interval: Interval) -> Result<Vec<f64>> {
        Ok(BqRule::new(self.kernel, interval, nodes, self.settings)?.weights)
    }

    fn shift_invariant(&self) -> bool {
        self.kernel.is_stationary()
    }
}
