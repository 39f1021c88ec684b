//! `quadra lipschitz NET` and `quadra verify CERT NET`: certified Lipschitz bounds.
//!
//! Every printed bound comes with a certificate proven in floating point
//! (`quadra_lipschitz::certify`); `--certificate FILE` writes it and `quadra verify`
//! re-checks it from the network alone (exit 3 if it does not hold).

use std::path::PathBuf;

use anyhow::anyhow;
use quadra_lipschitz::{
    lipschitz_bound, verify_certificate, Activation, Bound, BoundSettings, Certificate,
    LipschitzError, Method, Network, Norm, OutputSelection,
};
use serde::Serialize;

use super::output::{print_table, CliError, Format, Progress};
use quadra::io::network::{load_network, Architecture, ImportOptions};

/// `--norm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NormArg {
    /// ‖·‖₂ → ‖·‖₂.
    L2,
    /// ‖·‖∞ on the input, ‖·‖₂ on the output (the ℓ∞ constant for one output or a margin).
    Linf,
}

impl From<NormArg> for Norm {
    fn from(n: NormArg) -> Norm {
        match n {
            NormArg::L2 => Norm::L2,
            NormArg::Linf => Norm::Linf,
        }
    }
}

/// Options shared by `lipschitz` and `verify` for reading the network.
#[derive(Debug, clap::Args)]
pub struct NetworkOptions {
    /// Activation of weights-only files (NPZ, safetensors): relu, leaky_relu:A, tanh,
    /// sigmoid, softplus, maxmin, groupsort:G, householder:V1,V2,…
    #[arg(long)]
    pub activation: Option<String>,
    /// Wiring of weights-only files: sequential, residual, residual-maxmin.
    #[arg(long, default_value = "sequential")]
    pub architecture: String,
    /// Keep an NNet file's normalisation out of the network (bound the raw network on
    /// normalised coordinates); by default it is folded in, which is also what sisl/NNet's
    /// ONNX converter writes.
    #[arg(long)]
    pub nnet_raw: bool,
}

impl NetworkOptions {
    fn load(&self, path: &std::path::Path) -> Result<Network, CliError> {
        let mut opts = ImportOptions::default()
            .with_fold_nnet_normalization(!self.nnet_raw)
            .with_architecture(
                Architecture::parse(&self.architecture)
                    .map_err(|e| CliError::BadInput(anyhow!("--architecture: {e}")))?,
            );
        if let Some(a) = &self.activation {
            opts = opts.with_activation(
                Activation::parse(a)
                    .map_err(|e| CliError::BadInput(anyhow!("--activation: {e}")))?,
            );
        }
        load_network(path, &opts).map_err(|e| CliError::BadInput(anyhow!("{e}")))
    }
}

/// Arguments of `quadra lipschitz`.
#[derive(Debug, clap::Args)]
pub struct LipschitzArgs {
    /// The network (.onnx, .nnet, .npz, .safetensors, .json).
    pub net: PathBuf,
    /// Method: naive, liplt, eclipse-fast, lipsdp-layer, lipsdp-neuron, lipsdp-nsr, a
    /// comma-separated list, `all`, or `auto` (lipsdp-nsr for MaxMin/GroupSort/Householder
    /// networks, lipsdp-neuron otherwise).
    #[arg(long, default_value = "auto")]
    pub method: String,
    /// Norm.
    #[arg(long, value_enum, default_value_t = NormArg::L2)]
    pub norm: NormArg,
    #[command(flatten)]
    pub network: NetworkOptions,
    /// Bound only these output rows (comma-separated, 0-based).
    #[arg(long, conflicts_with = "margin")]
    pub output_rows: Option<String>,
    /// Bound the margin f_I − f_J (`I:J`, 0-based).
    #[arg(long)]
    pub margin: Option<String>,
    /// Write the certificate of the (tightest) bound to this JSON file.
    #[arg(long)]
    pub certificate: Option<PathBuf>,
    /// LMI backend for SDP methods: auto (lowrank above 40 rows), clarabel, lowrank.
    #[arg(long, default_value = "auto")]
    pub solver: String,
    /// Skip the sampled lower bound.
    #[arg(long)]
    pub no_lower_bound: bool,
    /// Seed of the lower bound's random starts.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Random starts of the sampled lower bound (each runs a local search).
    #[arg(long, default_value_t = 64)]
    pub lower_bound_starts: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Arguments of `quadra verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The certificate (JSON written by `quadra lipschitz --certificate`).
    pub certificate: PathBuf,
    /// The network it is about.
    pub net: PathBuf,
    #[command(flatten)]
    pub network: NetworkOptions,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Serialize)]
struct MethodReport {
    method: &'static str,
    norm: &'static str,
    bound: f64,
    certified: bool,
    solve_seconds: f64,
    iterations: u32,
    backend: String,
    lmi_size: usize,
    solver_value: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Skipped {
    method: &'static str,
    reason: String,
}

#[derive(Debug, Serialize)]
struct LowerReport {
    value: f64,
    method: String,
    point: Vec<f64>,
}

fn method_report(b: &Bound) -> MethodReport {
    MethodReport {
        method: b.method.as_str(),
        norm: b.norm.as_str(),
        bound: b.value,
        certified: true,
        solve_seconds: b.seconds,
        iterations: b.iterations,
        backend: b.backend.clone(),
        lmi_size: b.lmi_size,
        solver_value: b.solver_value,
    }
}

fn lipschitz_error(e: LipschitzError) -> CliError {
    match e {
        LipschitzError::Solver(_) | LipschitzError::NotCertified(_) | LipschitzError::Core(_) => {
            CliError::Numerical(anyhow!("{e}"))
        }
        _ => CliError::BadInput(anyhow!("{e}")),
    }
}

fn parse_selection(args: &LipschitzArgs) -> Result<OutputSelection, CliError> {
    if let Some(rows) = &args.output_rows {
        let rows = rows
            .split(',')
            .map(|t| t.trim().parse::<usize>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| {
                CliError::BadInput(anyhow!(
                    "--output-rows: expected I,J,… (0-based integers), got '{rows}'"
                ))
            })?;
        return Ok(OutputSelection::Rows { rows });
    }
    if let Some(m) = &args.margin {
        let (i, j) = m
            .split_once(':')
            .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
            .ok_or_else(|| {
                CliError::BadInput(anyhow!(
                    "--margin: expected I:J (0-based integers), got '{m}'"
                ))
            })?;
        return Ok(OutputSelection::Margin { i, j });
    }
    Ok(OutputSelection::All)
}

fn has_group_maps(net: &Network) -> bool {
    fn walk(layers: &[quadra_lipschitz::Layer]) -> bool {
        layers.iter().any(|l| match l {
            quadra_lipschitz::Layer::Activation(a) => a.group_size() > 1,
            quadra_lipschitz::Layer::Residual(inner) => walk(inner),
            _ => false,
        })
    }
    walk(&net.layers)
}

/// Runs `quadra lipschitz`.
pub fn run_lipschitz(args: LipschitzArgs) -> Result<(), CliError> {
    let net = args.network.load(&args.net)?;
    let selection = parse_selection(&args)?;
    let norm: Norm = args.norm.into();
    // Check the selection once, up front, so a bad index is exit 1 with its message.
    let selected = selection.apply(&net).map_err(lipschitz_error)?;
    let (methods, explicit) = match args.method.trim() {
        "all" => (Method::ALL.to_vec(), false),
        "auto" => (
            vec![if has_group_maps(&net) {
                Method::LipsdpNsr
            } else {
                Method::LipsdpNeuron
            }],
            true,
        ),
        list => (
            list.split(',')
                .map(Method::parse)
                .collect::<Result<Vec<_>, _>>()
                .map_err(lipschitz_error)?,
            true,
        ),
    };
    let progress = Progress::for_stderr();
    let observer: quadra_conic::lowrank::IterationObserver = std::sync::Arc::new(move |it| {
        progress.line(&format!(
            "  iteration {:>3}  normalised objective {:+.9e}  gap {:.1e}  residuals {:.1e}/{:.1e}  steps {:.2}/{:.2}  {:.1} s",
            it.iteration,
            it.primal_objective,
            it.gap_rel,
            it.primal_residual,
            it.dual_residual,
            it.step_primal,
            it.step_dual,
            it.seconds
        ))
    });
    let settings = BoundSettings {
        solver: quadra_lipschitz::SolverChoice::parse(&args.solver).map_err(lipschitz_error)?,
        lowrank_observer: Some(observer),
        ..BoundSettings::default()
    };
    let mut results: Vec<Bound> = Vec::new();
    let mut skipped = Vec::new();
    for m in methods {
        if let Err(e) = quadra_lipschitz::bound::applicable(&selected, m, norm) {
            if explicit {
                return Err(lipschitz_error(e));
            }
            skipped.push(Skipped {
                method: m.as_str(),
                reason: e.to_string(),
            });
            continue;
        }
        progress.line(&format!("{}: {} …", args.net.display(), m.as_str()));
        match lipschitz_bound(&net, &selection, m, norm, &settings) {
            Ok(b) => results.push(b),
            Err(e) if !explicit => skipped.push(Skipped {
                method: m.as_str(),
                reason: e.to_string(),
            }),
            Err(e) => return Err(lipschitz_error(e)),
        }
    }
    progress.finish();
    if results.is_empty() {
        return Err(CliError::Numerical(anyhow!(
            "no method produced a certified bound: {}",
            skipped
                .iter()
                .map(|s| format!("{}: {}", s.method, s.reason))
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }
    results.sort_by(|a, b| a.value.total_cmp(&b.value));
    let lower = if args.no_lower_bound {
        None
    } else {
        lower_bound(&selected, norm, args.seed, args.lower_bound_starts)
    };
    if let Some(path) = &args.certificate {
        write_certificate(path, &results[0].certificate)?;
    }
    let all = args.method.trim() == "all";
    match args.format {
        Format::Json => {
            let doc = if all {
                serde_json::json!({
                    "network": args.net.display().to_string(),
                    "norm": norm.as_str(),
                    "outputs": selection,
                    "results": results.iter().map(method_report).collect::<Vec<_>>(),
                    "skipped": skipped,
                    "lower_bound": lower.as_ref().map(|l| l.value),
                    "lower_bound_detail": lower,
                })
            } else {
                let r = method_report(&results[0]);
                let mut v = serde_json::to_value(&r).map_err(|e| CliError::Numerical(e.into()))?;
                v["lower_bound"] = serde_json::json!(lower.as_ref().map(|l| l.value));
                v["lower_bound_detail"] = serde_json::to_value(&lower).unwrap_or_default();
                v["network"] = serde_json::json!(args.net.display().to_string());
                v["outputs"] = serde_json::to_value(&selection).unwrap_or_default();
                v
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&doc).map_err(|e| CliError::Numerical(e.into()))?
            );
        }
        Format::Text => {
            println!("network  {}", args.net.display());
            println!("norm     {}", norm.as_str());
            println!();
            println!(
                "{:<14} {:>16} {:>10} {:>6} {:>9}  certified",
                "method", "bound", "seconds", "iters", "LMI size"
            );
            for b in &results {
                println!(
                    "{:<14} {:>16.9} {:>10.3} {:>6} {:>9}  yes",
                    b.method.as_str(),
                    b.value,
                    b.seconds,
                    b.iterations,
                    if b.lmi_size > 0 {
                        b.lmi_size.to_string()
                    } else {
                        "-".into()
                    }
                );
            }
            for s in &skipped {
                println!("{:<14} {:>16}  ({})", s.method, "n/a", s.reason);
            }
            if let Some(l) = &lower {
                println!();
                print_table(&[
                    ("lower bound", format!("{:.9} ({})", l.value, l.method)),
                    (
                        "gap",
                        format!("{:.3}×", results[0].value / l.value.max(f64::MIN_POSITIVE)),
                    ),
                ]);
            }
            if let Some(p) = &args.certificate {
                println!("certificate written to {}", p.display());
            }
        }
    }
    Ok(())
}

/// The sampled (or, for small ReLU nets, exact) lower bound; `None` if it fails (it is
/// informative only: the upper bound does not depend on it).
fn lower_bound(net: &Network, norm: Norm, seed: u64, starts: usize) -> Option<LowerReport> {
    let settings = quadra_lipschitz::lower_bound::LowerBoundSettings::builder()
        .seed(seed)
        .starts(starts)
        .build()
        .ok()?;
    let lb = quadra_lipschitz::lower_bound::lower_bound(net, norm, &settings).ok()?;
    Some(LowerReport {
        value: lb.value,
        method: lb.method.as_str().to_string(),
        point: lb.point,
    })
}

fn write_certificate(path: &std::path::Path, cert: &Certificate) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(cert).map_err(|e| CliError::Numerical(e.into()))?;
    std::fs::write(path, text).map_err(|e| {
        CliError::BadInput(anyhow!("cannot write certificate {}: {e}", path.display()))
    })
}

/// Runs `quadra verify`.
pub fn run_verify(args: VerifyArgs) -> Result<(), CliError> {
    let text = std::fs::read_to_string(&args.certificate).map_err(|e| {
        CliError::BadInput(anyhow!("cannot read {}: {e}", args.certificate.display()))
    })?;
    let cert: Certificate = serde_json::from_str(&text).map_err(|e| {
        CliError::BadInput(anyhow!(
            "{}: not a Lipschitz certificate: {e}",
            args.certificate.display()
        ))
    })?;
    let net = args.network.load(&args.net)?;
    let outcome = verify_certificate(&net, &cert);
    let (ok, proven, message) = match &outcome {
        Ok(p) => (true, Some(*p), None),
        Err(e) => (false, None, Some(e.to_string())),
    };
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::json!({
                "certificate": args.certificate.display().to_string(),
                "network": args.net.display().to_string(),
                "method": cert.method.as_str(),
                "norm": cert.norm.as_str(),
                "bound": cert.bound,
                "verified": ok,
                "proven": proven,
                "message": message,
            })
        ),
        Format::Text => {
            print_table(&[
                ("certificate", args.certificate.display().to_string()),
                ("network", args.net.display().to_string()),
                ("method", cert.method.as_str().to_string()),
                ("norm", cert.norm.as_str().to_string()),
                ("bound", format!("{}", cert.bound)),
                ("verified", if ok { "yes".into() } else { "NO".into() }),
            ]);
            if let Some(p) = proven {
                println!("proven   {p}");
            }
        }
    }
    match outcome {
        Ok(_) => Ok(()),
        Err(e) => Err(CliError::CheckFailed(anyhow!(
            "certificate does not hold: {e}"
        ))),
    }
}
