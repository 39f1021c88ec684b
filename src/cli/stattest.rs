//! `quadra mmd X.csv Y.csv` and `quadra hsic X.csv Y.csv`: kernel two-sample and
//! independence tests with a wild-bootstrap (dependent data) or permutation null.
//!
//! CSV: one row per time step, one column per dimension, comma-separated, header optional
//! (a first line that does not parse as numbers is a header); blank lines are skipped.
//! Ragged rows, NaN/inf, unparsable fields and files without data exit 1 naming the line.

use super::output::{print_table, CliError, Format, Progress};
use anyhow::anyhow;
use quadra_stattest::{
    hsic_test, mmd_test, Bandwidth, Block, KernelKind, Method, Series, TestResult, TestSettings,
    WildVariant,
};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// `--bootstrap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BootstrapArg {
    /// Wild bootstrap with the AR multiplier (dependent data).
    Wild,
    /// Permutation (i.i.d. data only).
    Permutation,
}

/// `--variant` of the wild bootstrap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum VariantArg {
    /// Multipliers minus their mean.
    Centred,
    /// Raw multipliers.
    NonCentred,
}

/// `--kernel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KernelArg {
    /// exp(−‖x−y‖²/(2σ²)).
    Gaussian,
    /// exp(−‖x−y‖/σ).
    Laplace,
    /// Matérn ν = 3/2.
    Matern32,
    /// Matérn ν = 5/2.
    Matern52,
}

fn parse_block(s: &str) -> Result<Block, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(Block::Auto);
    }
    match s.parse::<f64>() {
        Ok(l) if l.is_finite() && l > 0.0 => Ok(Block::Fixed(l)),
        _ => Err(format!("expected `auto` or a number > 0, found `{s}`")),
    }
}

fn parse_bandwidth(s: &str) -> Result<Bandwidth, String> {
    if s.eq_ignore_ascii_case("median") {
        return Ok(Bandwidth::Median);
    }
    match s.parse::<f64>() {
        Ok(h) if h.is_finite() && h > 0.0 => Ok(Bandwidth::Fixed(h)),
        _ => Err(format!("expected `median` or a number > 0, found `{s}`")),
    }
}

/// Arguments shared by `quadra mmd` and `quadra hsic`.
#[derive(Debug, clap::Args)]
pub struct KernelTestArgs {
    /// First sample: CSV, one row per time step, one column per dimension.
    pub x: PathBuf,
    /// Second sample (same format).
    pub y: PathBuf,
    /// Null distribution.
    #[arg(long, value_enum, default_value_t = BootstrapArg::Wild)]
    pub bootstrap: BootstrapArg,
    /// Wild-bootstrap variant.
    #[arg(long, value_enum, default_value_t = VariantArg::Centred)]
    pub variant: VariantArg,
    /// Wild-bootstrap block length l, or `auto` (4× the correlation time from the lag-1 autocorrelation).
    #[arg(long, default_value = "auto", value_parser = parse_block)]
    pub block: Block,
    /// Number of bootstrap or permutation draws.
    #[arg(long, default_value_t = 1000)]
    pub n_boot: usize,
    /// Kernel.
    #[arg(long, value_enum, default_value_t = KernelArg::Gaussian)]
    pub kernel: KernelArg,
    /// Bandwidth σ, or `median` (σ = √(0.5·median squared distance)).
    #[arg(long, default_value = "median", value_parser = parse_bandwidth)]
    pub bandwidth: Bandwidth,
    /// Level.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// Seed of the ChaCha20 generator (draw b uses stream b).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Draw the null distribution and the statistic to this SVG file.
    #[arg(long)]
    pub plot: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
struct Report {
    test: &'static str,
    statistic: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    mmd2_unbiased: Option<f64>,
    p_value: f64,
    reject: bool,
    alpha: f64,
    bootstrap: &'static str,
    n_boot: usize,
    block: Option<f64>,
    bandwidth: serde_json::Value,
    n_x: usize,
    n_y: usize,
    dim_x: usize,
    dim_y: usize,
    seed: u64,
}

/// Reads a numeric CSV into a [`Series`]; errors name the file and the line (1-based).
pub fn read_csv(path: &Path) -> Result<Series, CliError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::BadInput(anyhow!("cannot read {name}: {e}")))?;
    parse_csv(&text).map_err(|e| CliError::BadInput(anyhow!("{name}: {e}")))
}

fn parse_csv(text: &str) -> Result<Series, String> {
    let mut data = Vec::new();
    let mut d = 0usize;
    let mut rows = 0usize;
    let mut first_content = true;
    for (k, line) in text.lines().enumerate() {
        let lineno = k + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let parsed: Vec<Result<f64, _>> = fields.iter().map(|f| f.parse::<f64>()).collect();
        if first_content {
            first_content = false;
            if parsed.iter().any(|p| p.is_err()) {
                // A header: remember its width, rows must match it.
                d = fields.len();
                continue;
            }
        }
        if d == 0 {
            d = fields.len();
        }
        if fields.len() != d {
            return Err(format!(
                "line {lineno}: expected {d} columns, found {} (ragged rows)",
                fields.len()
            ));
        }
        for (c, (f, p)) in fields.iter().zip(parsed).enumerate() {
            let v =
                p.map_err(|_| format!("line {lineno}, column {}: `{f}` is not a number", c + 1))?;
            if !v.is_finite() {
                return Err(format!(
                    "line {lineno}, column {}: non-finite value `{f}`",
                    c + 1
                ));
            }
            data.push(v);
        }
        rows += 1;
    }
    if rows == 0 {
        return Err("line 1: no data rows (empty file)".into());
    }
    Series::from_rows(rows, d, data).map_err(|e| e.to_string())
}

fn settings(args: &KernelTestArgs) -> Result<TestSettings, CliError> {
    let method = match (args.bootstrap, args.variant) {
        (BootstrapArg::Permutation, _) => Method::Permutation,
        (BootstrapArg::Wild, VariantArg::Centred) => Method::Wild(WildVariant::Centred),
        (BootstrapArg::Wild, VariantArg::NonCentred) => Method::Wild(WildVariant::NonCentred),
    };
    let kernel = match args.kernel {
        KernelArg::Gaussian => KernelKind::Gaussian,
        KernelArg::Laplace => KernelKind::Laplace,
        KernelArg::Matern32 => KernelKind::Matern32,
        KernelArg::Matern52 => KernelKind::Matern52,
    };
    TestSettings::builder()
        .method(method)
        .block(args.block)
        .n_boot(args.n_boot)
        .kernel(kernel)
        .bandwidth(args.bandwidth)
        .alpha(args.alpha)
        .seed(args.seed)
        .build()
        .map_err(|e| CliError::BadInput(e.into()))
}

/// Runs `quadra mmd`.
pub fn run_mmd(args: KernelTestArgs) -> Result<(), CliError> {
    run(args, "mmd")
}

/// Runs `quadra hsic`.
pub fn run_hsic(args: KernelTestArgs) -> Result<(), CliError> {
    run(args, "hsic")
}

fn run(args: KernelTestArgs, test: &'static str) -> Result<(), CliError> {
    let s = settings(&args)?;
    let x = read_csv(&args.x)?;
    let y = read_csv(&args.y)?;
    let progress = Progress::for_stderr();
    progress.line(&format!("{test}: {} draws", args.n_boot));
    let r = if test == "mmd" {
        mmd_test(&x, &y, &s)
    } else {
        hsic_test(&x, &y, &s)
    };
    progress.finish();
    let r = r.map_err(|e| CliError::BadInput(anyhow!("{test}: {e}")))?;
    if let Some(p) = &args.plot {
        std::fs::write(p, null_svg(&r, test))
            .map_err(|e| CliError::BadInput(anyhow!("cannot write {}: {e}", p.display())))?;
    }
    let bandwidth = if test == "mmd" {
        serde_json::json!(r.bandwidth[0])
    } else {
        serde_json::json!(r.bandwidth)
    };
    let report = Report {
        test,
        statistic: r.statistic,
        mmd2_unbiased: r.unbiased,
        p_value: r.p_value,
        reject: r.reject,
        alpha: r.alpha,
        bootstrap: match r.method {
            Method::Permutation => "permutation",
            _ => "wild",
        },
        n_boot: r.n_boot,
        block: r.block,
        bandwidth,
        n_x: x.len(),
        n_y: y.len(),
        dim_x: x.dim(),
        dim_y: y.dim(),
        seed: args.seed,
    };
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::Numerical(anyhow!("serialising the report: {e}")))?
        ),
        Format::Text => {
            let mut rows = vec![
                ("test", test.to_string()),
                ("statistic", format!("{:.6e}", r.statistic)),
            ];
            if let Some(u) = r.unbiased {
                rows.push(("mmd2_unbiased", format!("{u:.6e}")));
            }
            rows.extend([
                ("p_value", format!("{:.4}", r.p_value)),
                ("reject", format!("{} (alpha = {})", r.reject, r.alpha)),
                ("bootstrap", report.bootstrap.to_string()),
                ("n_boot", r.n_boot.to_string()),
                ("block", r.block.map_or("-".into(), |l| format!("{l:.3}"))),
                ("bandwidth", report.bandwidth.to_string()),
                (
                    "samples",
                    format!("{}×{} vs {}×{}", x.len(), x.dim(), y.len(), y.dim()),
                ),
            ]);
            print_table(&rows);
        }
    }
    Ok(())
}

/// A histogram of the null draws with the statistic as a red line (plain SVG).
fn null_svg(r: &TestResult, test: &str) -> String {
    let (w, h, m) = (640.0, 400.0, 50.0);
    let bins = 40usize;
    let lo = r.null_draws.iter().copied().fold(r.statistic, f64::min);
    let hi = r.null_draws.iter().copied().fold(r.statistic, f64::max);
    let span = if hi > lo { hi - lo } else { 1.0 };
    let mut counts = vec![0usize; bins];
    for &d in &r.null_draws {
        let b = (((d - lo) / span) * bins as f64) as usize;
        counts[b.min(bins - 1)] += 1;
    }
    let cmax = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let px = |v: f64| m + (v - lo) / span * (w - 2.0 * m);
    let bw = (w - 2.0 * m) / bins as f64;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{m}\" y=\"25\" font-family=\"sans-serif\" font-size=\"14\">{test}: null distribution ({} draws), statistic {:.4e}, p = {:.4}</text>\n",
        r.n_boot, r.statistic, r.p_value
    );
    for (k, &c) in counts.iter().enumerate() {
        let bh = c as f64 / cmax * (h - 2.0 * m);
        s.push_str(&format!(
            "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"steelblue\"/>\n",
            m + k as f64 * bw,
            h - m - bh,
            bw * 0.95,
            bh
        ));
    }
    let xs = px(r.statistic);
    s.push_str(&format!(
        "<line x1=\"{xs:.2}\" y1=\"{m}\" x2=\"{xs:.2}\" y2=\"{:.2}\" stroke=\"red\" stroke-width=\"2\"/>\n\
         <line x1=\"{m}\" y1=\"{y0:.2}\" x2=\"{:.2}\" y2=\"{y0:.2}\" stroke=\"black\"/>\n\
         <text x=\"{m}\" y=\"{:.2}\" font-family=\"sans-serif\" font-size=\"12\">{lo:.3e}</text>\n\
         <text x=\"{:.2}\" y=\"{:.2}\" font-family=\"sans-serif\" font-size=\"12\" text-anchor=\"end\">{hi:.3e}</text>\n</svg>\n",
        h - m,
        w - m,
        h - m + 18.0,
        w - m,
        h - m + 18.0,
        y0 = h - m,
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::parse_csv;

    #[test]
    fn csv_header_optional_and_errors_name_the_line() {
        let a = parse_csv("x,y\n1,2\n3,4\n").unwrap();
        let b = parse_csv("1,2\n3,4\n\n").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.dim(), 2);
        assert!(parse_csv("1,2\n3\n").unwrap_err().contains("line 2"));
        assert!(parse_csv("1,2\n3,nan\n").unwrap_err().contains("line 2"));
        assert!(parse_csv("a,b\n1,2\n3,x\n").unwrap_err().contains("line 3"));
        assert!(parse_csv("").unwrap_err().contains("empty"));
        assert!(parse_csv("a,b\n").unwrap_err().contains("empty"));
    }
}

/// Arguments of `quadra detect-attack`.
#[derive(Debug, clap::Args)]
pub struct DetectAttackArgs {
    /// Scenario file (JSON: A, C_lin, Q, q, noise levels, x0, horizon, attack; schema in
    /// docs/formats.md). Without it, the built-in pursuit–evasion scenario
    /// (= examples/pursuit_evasion.json). The options below override the file's values.
    #[arg(long)]
    pub scenario: Option<PathBuf>,
    /// Attack ramp slope per step on the linear sensor (0: no attack) [default: 0.05, or the file's].
    #[arg(long)]
    pub attack_slope: Option<f64>,
    /// Time steps per run [default: 300, or the file's].
    #[arg(long)]
    pub steps: Option<usize>,
    /// Attack start step [default: 150, or the file's].
    #[arg(long)]
    pub attack_start: Option<usize>,
    /// Trajectory window compared by the MMD test (last steps) [default: 150, or the file's].
    #[arg(long)]
    pub window: Option<usize>,
    /// Number of simulated runs (seeds seed, seed+1, …).
    #[arg(long, default_value_t = 20)]
    pub runs: u64,
    /// Wild-bootstrap draws per test.
    #[arg(long, default_value_t = 300)]
    pub n_boot: usize,
    /// Level.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// First seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// The CLI's attack slope when neither `--attack-slope` nor a scenario file gives one (the
/// library's default scenario has none; the command demonstrates a detection).
const DEFAULT_ATTACK_SLOPE: f64 = 0.05;

#[derive(Debug, Serialize)]
struct DetectReport {
    attack_slope: f64,
    runs: u64,
    alarm_rate: f64,
    mean_gap: f64,
    p_values: Vec<f64>,
    alpha: f64,
    n_boot: usize,
    seed: u64,
}

/// Runs `quadra detect-attack`: the Kalman vs projection-observer pipeline over seeds.
pub fn run_detect_attack(args: DetectAttackArgs) -> Result<(), CliError> {
    use quadra_stattest::observer::{run_detection, Scenario};
    let base = match &args.scenario {
        Some(path) => super::scenario_file::read_scenario(path)
            .map_err(|e| CliError::BadInput(anyhow!("--scenario {e}")))?,
        None => Scenario {
            attack_slope: DEFAULT_ATTACK_SLOPE,
            ..Scenario::default()
        },
    };
    if let Some(slope) = args.attack_slope {
        if !(slope.is_finite() && slope >= 0.0) {
            return Err(CliError::BadInput(anyhow!(
                "--attack-slope must be a finite number ≥ 0, found {slope}"
            )));
        }
    }
    let sc = Scenario {
        steps: args.steps.unwrap_or(base.steps),
        attack_start: args.attack_start.unwrap_or(base.attack_start),
        window: args.window.unwrap_or(base.window),
        attack_slope: args.attack_slope.unwrap_or(base.attack_slope),
        ..base
    };
    if sc.window < 4 || sc.window > sc.steps || args.runs == 0 {
        return Err(CliError::BadInput(anyhow!(
            "need 4 ≤ --window ≤ --steps and --runs ≥ 1 (window {}, steps {}, runs {})",
            sc.window,
            sc.steps,
            args.runs
        )));
    }
    let test = TestSettings::builder()
        .n_boot(args.n_boot)
        .alpha(args.alpha)
        .seed(args.seed)
        .build()
        .map_err(|e| CliError::BadInput(e.into()))?;
    let progress = Progress::for_stderr();
    let (mut alarms, mut gap, mut ps) = (0usize, 0.0, Vec::new());
    for k in 0..args.runs {
        progress.line(&format!("detect-attack: run {}/{}", k + 1, args.runs));
        let r = run_detection(&sc, args.seed + k, &test)
            .map_err(|e| CliError::Numerical(anyhow!("run {k}: {e}")))?;
        alarms += r.alarm as usize;
        gap += r.mean_gap;
        ps.push(r.p_value);
    }
    progress.finish();
    let report = DetectReport {
        attack_slope: sc.attack_slope,
        runs: args.runs,
        alarm_rate: alarms as f64 / args.runs as f64,
        mean_gap: gap / args.runs as f64,
        p_values: ps,
        alpha: args.alpha,
        n_boot: args.n_boot,
        seed: args.seed,
    };
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::Numerical(anyhow!("serialising the report: {e}")))?
        ),
        Format::Text => print_table(&[
            ("attack_slope", report.attack_slope.to_string()),
            ("runs", report.runs.to_string()),
            ("alarm_rate", format!("{:.3}", report.alarm_rate)),
            ("mean_gap", format!("{:.4}", report.mean_gap)),
            ("alpha", report.alpha.to_string()),
        ]),
    }
    Ok(())
}
