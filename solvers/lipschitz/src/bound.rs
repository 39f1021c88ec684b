//! Computing a certified bound, and re-checking a certificate.

use std::sync::Arc;
use std::time::Instant;

use quadra_conic::lmi::{ClarabelLmiBackend, LmiBackend};
use quadra_conic::lowrank::{Centring, IterationObserver, LowRankIpmBackend, LowRankSettings};
use quadra_core::rounding::{next_up, up};
use serde::{Deserialize, Serialize};

use crate::certify::{certify, check};
use crate::closed_form::{eclipse_fast::eclipse_fast_multipliers, liplt::liplt, naive::naive};
use crate::preprocess::{
    apply_exponents, normalise_layers, reduce_input_l2, scale_of, Rebalancing,
};
use crate::program::build_program;
use crate::signal_graph::SignalGraph;
use crate::{LipschitzError, Method, Network, Norm, Result};

/// Mehrotra's centring exponent for LipSDP solves through the low-rank backend: fixed 3
/// took 10–15 % fewer iterations than the adaptive default on deep and wide nets
/// (10×256: 28 → 25, 20×64: 34 → 29; `docs/lmi_ipm.md`). A solve that fails with it is
/// repeated with the default.
const LIPSDP_CENTRING: Centring = Centring::Fixed(3.0);

/// Which outputs the constant is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum OutputSelection {
    /// All outputs.
    #[default]
    All,
    /// The listed output rows.
    Rows {
        /// Row indices.
        rows: Vec<usize>,
    },
    /// The margin `f_i − f_j`.
    Margin {
        /// Minuend.
        i: usize,
        /// Subtrahend.
        j: usize,
    },
}

impl OutputSelection {
    /// Applies the selection to a network.
    pub fn apply(&self, net: &Network) -> Result<Network> {
        let mut out = net.clone();
        match self {
            OutputSelection::All => {}
            OutputSelection::Rows { rows } => out.select_outputs(rows)?,
            OutputSelection::Margin { i, j } => out.select_margin(*i, *j)?,
        }
        Ok(out)
    }
}

/// Settings of [`lipschitz_bound`].
///
/// | setting | default | meaning |
/// |---|---|---|
/// | `solver` | auto | which LMI backend solves SDP methods ([`SolverChoice`]) |
/// | `normalise` | true | per-layer power-of-two normalisation (exact) |
/// | `reduce_input` | true | ℓ2 input reduction by a thin QR of `W₀` (exact) |
/// | `hidden_margin` | 1e-7 | solve for `F ⪰ margin·I` on the hidden block so the point survives rounding |
/// | `max_clarabel_block` | 200 | largest LMI block handed to clarabel; larger is an error naming the size (clarabel stores a dense `(n(n+1)/2)²` KKT block: 200 rows ≈ 3 GB) |
#[derive(Clone)]
pub struct BoundSettings {
    /// LMI backend choice.
    pub solver: SolverChoice,
    /// Per-layer normalisation.
    pub normalise: bool,
    /// ℓ2 input reduction.
    pub reduce_input: bool,
    /// Strict-feasibility margin asked of the solver (normalised units).
    pub hidden_margin: f64,
    /// Largest LMI block clarabel is asked to solve.
    pub max_clarabel_block: usize,
    /// Called at every iteration of the low-rank backend (progress display); none by default.
    pub lowrank_observer: Option<IterationObserver>,
}

/// Which LMI backend solves the SDP methods.
#[derive(Clone)]
pub enum SolverChoice {
    /// [`LowRankIpmBackend`] when the largest block has more than
    /// [`AUTO_LOWRANK_ROWS`] rows, clarabel otherwise; if the low-rank backend fails,
    /// clarabel is tried when the block fits it.
    Auto,
    /// clarabel (dense PSD cones; exact KKT; slow above ~100 rows).
    Clarabel,
    /// quadra's structure-exploiting interior point (issue #4).
    LowRank,
    /// Any backend.
    Custom(Arc<dyn LmiBackend + Send + Sync>),
}

/// Block size above which [`SolverChoice::Auto`] picks the low-rank backend. Measured
/// (`docs/benchmarks.md`, Lipschitz section): the low-rank backend is faster at every size
/// we tried (16 to 984 rows; 90× at 62 rows), so it is the default for all sizes and
/// clarabel is the fallback.
pub const AUTO_LOWRANK_ROWS: usize = 0;

impl SolverChoice {
    /// Parses `auto`, `clarabel` or `lowrank`.
    pub fn parse(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(SolverChoice::Auto),
            "clarabel" => Ok(SolverChoice::Clarabel),
            "lowrank" | "low-rank" => Ok(SolverChoice::LowRank),
            other => Err(LipschitzError::InvalidArgument(format!(
                "unknown solver '{other}' (expected auto, clarabel or lowrank)"
            ))),
        }
    }

    fn backend(
        &self,
        largest_block: usize,
        observer: Option<&IterationObserver>,
    ) -> Arc<dyn LmiBackend + Send + Sync> {
        let lowrank = || -> Arc<dyn LmiBackend + Send + Sync> {
            Arc::new(LowRankIpmBackend {
                settings: LowRankSettings {
                    centring: LIPSDP_CENTRING,
                    ..LowRankSettings::default()
                },
                observer: observer.cloned(),
                ..LowRankIpmBackend::default()
            })
        };
        match self {
            SolverChoice::Clarabel => Arc::new(ClarabelLmiBackend::default()),
            SolverChoice::LowRank => lowrank(),
            SolverChoice::Auto if largest_block > AUTO_LOWRANK_ROWS => lowrank(),
            SolverChoice::Auto => Arc::new(ClarabelLmiBackend::default()),
            SolverChoice::Custom(b) => b.clone(),
        }
    }
}

impl Default for BoundSettings {
    fn default() -> Self {
        BoundSettings {
            solver: SolverChoice::Auto,
            normalise: true,
            reduce_input: true,
            hidden_margin: 1e-7,
            max_clarabel_block: 200,
            lowrank_observer: None,
        }
    }
}

impl BoundSettings {
    /// Name of the solver choice (`auto`, `clarabel`, `lowrank`, or a custom backend's).
    pub fn solver_name(&self) -> &'static str {
        match &self.solver {
            SolverChoice::Auto => "auto",
            SolverChoice::Clarabel => "clarabel",
            SolverChoice::LowRank => "lowrank",
            SolverChoice::Custom(b) => b.name(),
        }
    }
}

impl std::fmt::Debug for BoundSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BoundSettings")
            .field("solver", &self.solver_name())
            .field("normalise", &self.normalise)
            .field("reduce_input", &self.reduce_input)
            .field("hidden_margin", &self.hidden_margin)
            .finish()
    }
}

/// A certificate: everything `quadra verify` needs to re-check a bound from the network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    /// Always `"quadra-lipschitz-certificate"`.
    pub format: String,
    /// Format version (1).
    pub version: u32,
    /// The method.
    pub method: Method,
    /// The norm.
    pub norm: Norm,
    /// Output selection applied before bounding.
    pub outputs: OutputSelection,
    /// FNV-1a fingerprint of the network's shapes and weights (hex).
    pub network_fingerprint: String,
    /// The certified bound.
    pub bound: f64,
    /// Power-of-two exponents of the per-layer normalisation (SDP methods).
    pub layer_exponents: Vec<i32>,
    /// The LMI multipliers: objective variables first (ρ, or λ for ℓ∞), then one entry
    /// per multiplier of the normalised network's program (SDP methods).
    pub multipliers: Vec<f64>,
    /// Proven lower bound on `λ_min` of the LMI at the multipliers (SDP methods).
    pub lambda_min_lower: Option<f64>,
    /// Rounding allowance used in the proof (SDP methods).
    pub margin: Option<f64>,
}

const FORMAT: &str = "quadra-lipschitz-certificate";

/// A certified bound with its statistics.
#[derive(Debug, Clone)]
pub struct Bound {
    /// The method.
    pub method: Method,
    /// The norm.
    pub norm: Norm,
    /// The certified upper bound.
    pub value: f64,
    /// The SDP objective the backend reported, converted to a constant (not a bound;
    /// shown to say how much the certificate cost). `None` for closed forms.
    pub solver_value: Option<f64>,
    /// Seconds spent (solve + certification).
    pub seconds: f64,
    /// Backend iterations (0 for closed forms).
    pub iterations: u32,
    /// Backend name, or `"closed-form"`.
    pub backend: String,
    /// Size of the LMI solved (largest block), 0 for closed forms.
    pub lmi_size: usize,
    /// The certificate.
    pub certificate: Certificate,
}

/// FNV-1a over the network's dimensions and weight bits.
pub fn fingerprint(net: &Network) -> String {
    fn eat(h: &mut u64, x: u64) {
        for b in x.to_le_bytes() {
            *h ^= u64::from(b);
            *h = h.wrapping_mul(0x100_0000_01b3);
        }
    }
    fn walk(h: &mut u64, layers: &[crate::Layer]) {
        for l in layers {
            match l {
                crate::Layer::Dense(d) => {
                    eat(h, 1);
                    eat(h, d.weight.nrows() as u64);
                    eat(h, d.weight.ncols() as u64);
                    for j in 0..d.weight.ncols() {
                        for i in 0..d.weight.nrows() {
                            eat(h, d.weight[(i, j)].to_bits());
                        }
                    }
                }
                crate::Layer::Activation(a) => {
                    eat(h, 2);
                    for b in a.name().bytes() {
                        eat(h, u64::from(b));
                    }
                }
                crate::Layer::Residual(inner) => {
                    eat(h, 3);
                    walk(h, inner);
                    eat(h, 4);
                }
                crate::Layer::Implicit(imp) => {
                    eat(h, 5);
                    for m in [&imp.w, &imp.u] {
                        eat(h, m.nrows() as u64);
                        for j in 0..m.ncols() {
                            for i in 0..m.nrows() {
                                eat(h, m[(i, j)].to_bits());
                            }
                        }
                    }
                }
            }
        }
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    eat(&mut h, net.input_dim as u64);
    walk(&mut h, &net.layers);
    format!("{h:016x}")
}

/// Whether `method` applies to the (selected) network and norm; `Err` says why not.
pub fn applicable(net: &Network, method: Method, norm: Norm) -> Result<()> {
    let ff = net.feed_forward()?;
    match method {
        Method::Naive => {
            if norm == Norm::Linf && ff.is_none() {
                return Err(LipschitzError::Unsupported(
                    "naive ℓ∞ needs a feed-forward network".into(),
                ));
            }
        }
        Method::Liplt | Method::EclipseFast => {
            if norm != Norm::L2 || ff.is_none() {
                return Err(LipschitzError::Unsupported(format!(
                    "{} is an ℓ2 method for feed-forward networks",
                    method.as_str()
                )));
            }
            if method == Method::EclipseFast {
                let ff = ff.expect("checked");
                for a in &ff.activations {
                    match a.qc_class() {
                        crate::QcClass::SlopeRestricted { alpha: 0.0, .. } => {}
                        _ => {
                            return Err(LipschitzError::Unsupported(format!(
                                "eclipse-fast needs slope [0, β] activations, not {}",
                                a.name()
                            )))
                        }
                    }
                }
            }
        }
        Method::LipsdpNsr => {
            if !has_group_maps(net) {
                return Err(LipschitzError::Unsupported(
                    "lipsdp-nsr is for MaxMin/GroupSort/Householder activations (use lipsdp-neuron)"
                        .into(),
                ));
            }
        }
        Method::LipsdpLayer | Method::LipsdpNeuron => {}
    }
    Ok(())
}

fn has_group_maps(net: &Network) -> bool {
    fn walk(layers: &[crate::Layer]) -> bool {
        layers.iter().any(|l| match l {
            crate::Layer::Activation(a) => a.group_size() > 1,
            crate::Layer::Residual(inner) => walk(inner),
            _ => false,
        })
    }
    walk(&net.layers)
}

/// The network the SDP methods work on: feed-forward nets in merged alternating form.
fn canonical(net: &Network) -> Result<Network> {
    Ok(match net.feed_forward()? {
        Some(ff) => ff.to_network(),
        None => net.clone(),
    })
}

/// Drift, in powers of 4 per layer, of LipSDP-Neuron's optimal multipliers against
/// ECLipsE-Fast's (which fall faster towards the input); [`balance_a_priori`] scales
/// the prediction for block `p` (0 the input, the last activation node last) by
/// `4^{ECLIPSE_DRIFT·(p − last)}`.
///
/// Measured on random Gaussian/√fan-in ReLU chains of width 64, by rebalancing from the
/// solved multipliers (`Rebalancing::from_multipliers`, printed by a temporary line in
/// `lipschitz_bound`) after an uncorrected solve: the
/// residual exponents run from −8 (input) and −7 (first node) to 0 (last node) over 40
/// layers, −4 to +1 over 20. With the correction the residual profile of 40×64 is flat
/// (every node within one exponent), its solve takes 31 iterations instead of 42, and
/// the absolute `hidden_margin` no longer weighs on deep bounds (64×64: 9.94e7 instead of
/// 3.80e8). It moves only the solve's starting point and units: the bound is certified
/// from the multipliers either way.
const ECLIPSE_DRIFT: f64 = 0.18;

/// Hidden layers from which [`ECLIPSE_DRIFT`] is applied. Measured (iterations without
/// → with the correction): 64×64 63 → 36, 40×64 42 → 31, 20×64 29 → 30, and on ten
/// layers it costs iterations although it flattens their (already small, ±1) residual
/// profile too: 10×32 23 → 26, 10×64 22 → 27, 10×256 25 → 31.
const ECLIPSE_DRIFT_MIN_LAYERS: usize = 24;

/// Rebalances a normalised feed-forward network before its solve with the layer scales
/// ECLipsE-Fast predicts (`preprocess::Rebalancing`; unchanged when ECLipsE-Fast does not
/// apply, e.g. group activations, or when it predicts no change).
///
/// Per-layer normalisation leaves the LipSDP multipliers of a deep network falling
/// geometrically towards the input (≈ 2.2× per layer on random ReLU chains of width 64).
/// The interior point's iterates are invariant under that congruence but its starting
/// point (`X = ξI`, `S = ηI`) is not, so an unbalanced program starts far from the central
/// path (20×64: 42 iterations, 34 after this rebalancing), and the solve's absolute
/// hidden margin (`hidden_margin`, 1e-7) is out of scale with blocks whose multipliers
/// are 10⁻⁶: it cost that net 40 % of its bound (413 instead of 295). ECLipsE-Fast's
/// closed-form layer multipliers (`O(L n³)`) track the true profile up to a drift of
/// about [`ECLIPSE_DRIFT`] powers of 4 per layer, which is corrected here.
fn balance_a_priori(
    base: &Network,
    scaled: Network,
    exps: Vec<i32>,
) -> Result<(Network, Vec<i32>)> {
    let Some(ff) = scaled.feed_forward()? else {
        return Ok((scaled, exps));
    };
    if ff.weights.len() != exps.len() || ff.weights.len() < 3 {
        return Ok((scaled, exps));
    }
    let Ok(y) = eclipse_fast_multipliers(&ff) else {
        return Ok((scaled, exps));
    };
    // Correct the drift towards LipSDP-Neuron's profile on deep chains, anchored at the
    // last node.
    let last = y.len() - 1;
    let drift = if last >= ECLIPSE_DRIFT_MIN_LAYERS {
        ECLIPSE_DRIFT
    } else {
        0.0
    };
    let y: Vec<f64> = y
        .iter()
        .enumerate()
        .map(|(p, v)| v * 4f64.powf(drift * (p as f64 - last as f64)))
        .collect();
    let r = Rebalancing::from_scales(y[0], &y[1..], exps.len());
    if r.is_identity() {
        return Ok((scaled, exps));
    }
    let e = r.layer_exponents(&exps);
    Ok((apply_exponents(base, &e)?, e))
}

/// Computes a certified Lipschitz bound of `net` (outputs selected by `outputs`).
pub fn lipschitz_bound(
    net: &Network,
    outputs: &OutputSelection,
    method: Method,
    norm: Norm,
    settings: &BoundSettings,
) -> Result<Bound> {
    let start = Instant::now();
    let fp = fingerprint(net);
    let sel = outputs.apply(net)?;
    applicable(&sel, method, norm)?;
    let mut cert = Certificate {
        format: FORMAT.into(),
        version: 1,
        method,
        norm,
        outputs: outputs.clone(),
        network_fingerprint: fp,
        bound: f64::NAN,
        layer_exponents: Vec::new(),
        multipliers: Vec::new(),
        lambda_min_lower: None,
        margin: None,
    };
    let closed = |value: f64, cert: &mut Certificate| -> Bound {
        cert.bound = value;
        Bound {
            method,
            norm,
            value,
            solver_value: None,
            seconds: start.elapsed().as_secs_f64(),
            iterations: 0,
            backend: "closed-form".into(),
            lmi_size: 0,
            certificate: cert.clone(),
        }
    };
    match method {
        Method::Naive => return Ok(closed(naive(&sel, norm)?, &mut cert)),
        Method::Liplt => {
            let ff = sel.feed_forward()?.expect("applicable checked");
            return Ok(closed(liplt(&ff)?, &mut cert));
        }
        _ => {}
    }
    let sdp = method.sdp().expect("SDP-backed method");
    let base = canonical(&sel)?;
    let (scaled, exps) = if settings.normalise {
        normalise_layers(&base)?
    } else {
        let n = base
            .layers
            .iter()
            .filter(|l| matches!(l, crate::Layer::Dense(_)))
            .count();
        (base.clone(), vec![0; n])
    };
    let (scaled, exps) = if settings.normalise && method != Method::EclipseFast {
        balance_a_priori(&base, scaled, exps)?
    } else {
        (scaled, exps)
    };
    let full_graph = SignalGraph::from_network(&scaled)?;
    let full = build_program(&full_graph, sdp, norm, 0.0)?;
    let (y, solver_obj, iterations, backend, lmi_size) = if method == Method::EclipseFast {
        let ff = scaled.feed_forward()?.expect("feed-forward");
        (
            eclipse_fast_multipliers(&ff)?,
            None,
            0,
            "closed-form".to_string(),
            0,
        )
    } else {
        let solve_net = match (norm, settings.reduce_input) {
            (Norm::L2, true) => reduce_input_l2(&scaled)?.unwrap_or_else(|| scaled.clone()),
            _ => scaled.clone(),
        };
        let graph = SignalGraph::from_network(&solve_net)?;
        let prog = build_program(&graph, sdp, norm, settings.hidden_margin)?;
        let problem = prog.problem.split_components();
        let size = problem.blocks.iter().map(|b| b.dim).max().unwrap_or(0);
        let clarabel_too_big = |name: &str| -> Result<()> {
            if name == "clarabel" && size > settings.max_clarabel_block {
                return Err(LipschitzError::Unsupported(format!(
                    "{}: an LMI block of {size} rows is above clarabel's limit of {} rows (its KKT system would hold {:.1e} dense entries); use --solver lowrank or a closed-form method",
                    method.as_str(),
                    settings.max_clarabel_block,
                    ((size * (size + 1) / 2) as f64).powi(2)
                )));
            }
            Ok(())
        };
        let backend = settings
            .solver
            .backend(size, settings.lowrank_observer.as_ref());
        clarabel_too_big(backend.name())?;
        // The low-rank backend runs with LIPSDP_CENTRING; if that gives up, once more
        // with the default (adaptive) centring before anything else.
        let first = backend.solve(&problem).or_else(|e| match settings.solver {
            SolverChoice::Custom(_) => Err(e),
            _ if backend.name() != "lowrank" => Err(e),
            _ => LowRankIpmBackend {
                observer: settings.lowrank_observer.clone(),
                ..LowRankIpmBackend::default()
            }
            .solve(&problem)
            .map_err(|_| e),
        });
        let (sol, backend) = match first {
            Ok(sol) => (sol, backend),
            // Auto: fall back to clarabel when the low-rank backend gives up and clarabel can
            // take the block.
            Err(e)
                if matches!(settings.solver, SolverChoice::Auto)
                    && backend.name() != "clarabel" =>
            {
                let fallback = SolverChoice::Clarabel.backend(size, None);
                clarabel_too_big(fallback.name()).map_err(|_| LipschitzError::Solver(e))?;
                (fallback.solve(&problem)?, fallback)
            }
            Err(e) => return Err(e.into()),
        };
        let obj = sol.objective.max(0.0).sqrt() * scale_of(&exps);
        (
            sol.y,
            Some(obj),
            sol.iterations,
            backend.name().to_string(),
            size,
        )
    };
    // The multipliers certify the program rebalanced from their own per-node scales
    // (`preprocess::Rebalancing`), whose blocks are all near 1 and so not dwarfed by the
    // rounding margin; the plain normalised program is the fallback.
    let feed_forward = scaled
        .layers
        .iter()
        .all(|l| matches!(l, crate::Layer::Dense(_) | crate::Layer::Activation(_)));
    let rebalanced = if settings.normalise && feed_forward && !exps.is_empty() {
        let r = Rebalancing::from_multipliers(&full, &y, exps.len());
        if r.is_identity() {
            None
        } else {
            let e = r.layer_exponents(&exps);
            let net = apply_exponents(&base, &e)?;
            let prog = build_program(&SignalGraph::from_network(&net)?, sdp, norm, 0.0)?;
            let y = r.multipliers(&full, &y);
            Some((prog, e, y))
        }
    } else {
        None
    };
    let (certified, exps) = match rebalanced.map(|(prog, e, y)| (certify(&prog, &y), e)) {
        Some((Ok(c), e)) => (c, e),
        Some((Err(first), _)) => match certify(&full, &y) {
            Ok(c) => (c, exps),
            Err(e) => {
                return Err(LipschitzError::NotCertified(format!(
                    "{e}; with the layers rebalanced: {first}"
                )))
            }
        },
        None => (certify(&full, &y)?, exps),
    };
    let value = up(next_up(certified.objective.sqrt()) * scale_of(&exps));
    cert.layer_exponents = exps;
    cert.multipliers = certified.y;
    cert.lambda_min_lower = Some(certified.lambda_min_lower);
    cert.margin = Some(certified.margin);
    cert.bound = value;
    Ok(Bound {
        method,
        norm,
        value,
        solver_value: solver_obj,
        seconds: start.elapsed().as_secs_f64(),
        iterations,
        backend,
        lmi_size,
        certificate: cert,
    })
}

/// Re-checks a certificate against a network independently of how it was produced;
/// returns the bound the certificate proves (≤ the bound it states), or an error saying
/// what does not hold.
pub fn verify_certificate(net: &Network, cert: &Certificate) -> Result<f64> {
    if cert.format != FORMAT || cert.version != 1 {
        return Err(LipschitzError::BadCertificate(format!(
            "format '{}' version {} is not {FORMAT} version 1",
            cert.format, cert.version
        )));
    }
    let fp = fingerprint(net);
    if fp != cert.network_fingerprint {
        return Err(LipschitzError::BadCertificate(format!(
            "the certificate is for network {} but this network is {fp}",
            cert.network_fingerprint
        )));
    }
    if !(cert.bound.is_finite() && cert.bound >= 0.0) {
        return Err(LipschitzError::BadCertificate(format!(
            "stated bound {} is not a finite nonnegative number",
            cert.bound
        )));
    }
    let sel = cert.outputs.apply(net)?;
    applicable(&sel, cert.method, cert.norm)?;
    let proven = match cert.method {
        Method::Naive => naive(&sel, cert.norm)?,
        Method::Liplt => liplt(&sel.feed_forward()?.expect("applicable checked"))?,
        m => {
            let sdp = m.sdp().expect("SDP-backed method");
            let scaled = apply_exponents(&canonical(&sel)?, &cert.layer_exponents)?;
            let prog = build_program(&SignalGraph::from_network(&scaled)?, sdp, cert.norm, 0.0)?;
            check(&prog, &cert.multipliers)?;
            let objective = cert.multipliers[..prog.objective_vars]
                .iter()
                .fold(0.0, |s, a| up(s + a));
            up(next_up(objective.sqrt()) * scale_of(&cert.layer_exponents))
        }
    };
    if cert.bound < proven {
        return Err(LipschitzError::NotCertified(format!(
            "the stated bound {} is below the proven value {proven}",
            cert.bound
        )));
    }
    Ok(proven)
}
