//! Checked test settings.
//!
//! | Name | Default | Meaning | Range |
//! |---|---|---|---|
//! | `method` | `Wild(Centred)` | null distribution: wild bootstrap (centred/non-centred) or permutation | enum |
//! | `block` | `Auto` | wild-bootstrap block length `l` (or from the lag-1 autocorrelation) | `l > 0` |
//! | `n_boot` | 1000 | bootstrap/permutation draws | ≥ 1 |
//! | `alpha` | 0.05 | level | (0, 1) |
//! | `seed` | 0 | ChaCha20 seed; draw `b` uses stream `b` | any `u64` |
//! | `kernel` | Gaussian | kernel family | enum |
//! | `bandwidth` | Median | `σ`: median heuristic or fixed | `σ > 0` |
//! | `pairing` | Independent | MMD: independent multipliers for X and Y, or one shared (paired series) | enum |

use crate::error::{Result, StatTestError};
use crate::kernel::{Bandwidth, KernelKind};

/// Wild-bootstrap variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WildVariant {
    /// `W̃ = W − W̄` (default; the statistic's V-form need not be centred).
    #[default]
    Centred,
    /// Raw `W`.
    NonCentred,
}

/// Null-distribution method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Wild bootstrap with the AR multiplier (dependent data).
    Wild(WildVariant),
    /// Permutation (i.i.d. data only).
    Permutation,
}

impl Default for Method {
    fn default() -> Self {
        Method::Wild(WildVariant::Centred)
    }
}

/// Wild-bootstrap block length.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Block {
    /// `l = 4τ̂`, `τ̂ = −1/ln ρ̂`, from the largest lag-1 autocorrelation `ρ̂` of the data's
    /// columns (see [`crate::multiplier::block_from_autocorrelation`]).
    #[default]
    Auto,
    /// A given `l > 0`.
    Fixed(f64),
}

/// MMD: how the X and Y multipliers relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pairing {
    /// Independent multipliers (X and Y independent processes).
    #[default]
    Independent,
    /// One shared multiplier (equal lengths; X_t and Y_t observed together).
    Paired,
}

/// Settings of [`crate::mmd_test`] and [`crate::hsic_test`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TestSettings {
    pub(crate) method: Method,
    pub(crate) block: Block,
    pub(crate) n_boot: usize,
    pub(crate) alpha: f64,
    pub(crate) seed: u64,
    pub(crate) kernel: KernelKind,
    pub(crate) bandwidth: Bandwidth,
    pub(crate) pairing: Pairing,
}

impl Default for TestSettings {
    fn default() -> Self {
        TestSettings {
            method: Method::default(),
            block: Block::Auto,
            n_boot: 1000,
            alpha: 0.05,
            seed: 0,
            kernel: KernelKind::Gaussian,
            bandwidth: Bandwidth::Median,
            pairing: Pairing::Independent,
        }
    }
}

impl TestSettings {
    /// A builder starting from the defaults.
    pub fn builder() -> TestSettingsBuilder {
        TestSettingsBuilder(TestSettings::default())
    }
    /// Method.
    pub fn method(&self) -> Method {
        self.method
    }
    /// Block.
    pub fn block(&self) -> Block {
        self.block
    }
    /// Draws.
    pub fn n_boot(&self) -> usize {
        self.n_boot
    }
    /// Level.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
    /// Seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }
}

/// Builder of [`TestSettings`]; `build` validates.
#[derive(Debug, Clone, Copy)]
pub struct TestSettingsBuilder(TestSettings);

impl TestSettingsBuilder {
    /// Null-distribution method.
    pub fn method(mut self, m: Method) -> Self {
        self.0.method = m;
        self
    }
    /// Block length.
    pub fn block(mut self, b: Block) -> Self {
        self.0.block = b;
        self
    }
    /// Number of draws.
    pub fn n_boot(mut self, b: usize) -> Self {
        self.0.n_boot = b;
        self
    }
    /// Level.
    pub fn alpha(mut self, a: f64) -> Self {
        self.0.alpha = a;
        self
    }
    /// Seed.
    pub fn seed(mut self, s: u64) -> Self {
        self.0.seed = s;
        self
    }
    /// Kernel family.
    pub fn kernel(mut self, k: KernelKind) -> Self {
        self.0.kernel = k;
        self
    }
    /// Bandwidth.
    pub fn bandwidth(mut self, b: Bandwidth) -> Self {
        self.0.bandwidth = b;
        self
    }
    /// Pairing (MMD).
    pub fn pairing(mut self, p: Pairing) -> Self {
        self.0.pairing = p;
        self
    }
    /// Validates and returns the settings.
    pub fn build(self) -> Result<TestSettings> {
        let s = self.0;
        if s.n_boot == 0 {
            return Err(StatTestError::invalid("n_boot", 0, "at least 1"));
        }
        if !(s.alpha > 0.0 && s.alpha < 1.0) {
            return Err(StatTestError::invalid(
                "alpha",
                s.alpha,
                "a number in (0, 1)",
            ));
        }
        if let Block::Fixed(l) = s.block {
            if !(l.is_finite() && l > 0.0) {
                return Err(StatTestError::invalid("block", l, "a finite number > 0"));
            }
        }
        if let Bandwidth::Fixed(h) = s.bandwidth {
            if !(h.is_finite() && h > 0.0) {
                return Err(StatTestError::invalid(
                    "bandwidth",
                    h,
                    "a finite number > 0",
                ));
            }
        }
        Ok(s)
    }
}
