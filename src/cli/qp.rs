//! `quadra qp FILE` (a convex QP through clarabel) and `quadra combine-surrogates DATA.csv`
//! (combination weights of surrogate models).
//!
//! `quadra qp` reads JSON `{"P": [[…]], "q": […], "A": [[…]], "l": […], "u": […],
//! "lb": […], "ub": […]}` (`A`, `l`, `u`, `lb`, `ub` optional; infinite bounds as `null`,
//! `"inf"`, `"-inf"` or any `|v| ≥ 1e20`) or an `.npz` with arrays of those names.
//! Infinite sides are dropped, `l = u` rows become equalities.
//!
//! `quadra combine-surrogates` reads a CSV with a header: the target column (`--target`,
//! default the first), an optional weight column (`--weights`), every other column a
//! surrogate.

use super::output::{print_table, CliError, Format};
use anyhow::anyhow;
use quadra::io::npy::read_npz;
use quadra_conic::SolverSettings;
use quadra_qp::{
    combine_surrogates, DenseQp, QpError, SurrogateData, SurrogateMethod, WeightConstraint,
};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Arguments of `quadra qp`.
#[derive(Debug, clap::Args)]
pub struct QpArgs {
    /// Problem: .json or .npz with P, q and optional A, l, u, lb, ub.
    pub file: PathBuf,
    /// Relative and absolute duality-gap and feasibility tolerance.
    #[arg(long, default_value_t = 1e-8)]
    pub tol: f64,
    /// Interior-point iteration limit.
    #[arg(long, default_value_t = 200)]
    pub max_iter: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Serialize)]
struct QpReport {
    file: String,
    status: String,
    x: Option<Vec<f64>>,
    objective: Option<f64>,
    verified: bool,
    iterations: Option<u32>,
    seconds: Option<f64>,
    equalities: Option<usize>,
    inequalities: Option<usize>,
    dropped_infinite: Option<usize>,
    message: Option<String>,
}

fn bad(path: &Path, msg: impl std::fmt::Display) -> CliError {
    CliError::BadInput(anyhow!("{}: {msg}", path.display()))
}

fn json_number(v: &Value, path: &Path, field: &str, i: usize) -> Result<f64, CliError> {
    match v {
        Value::Number(n) => n
            .as_f64()
            .ok_or_else(|| bad(path, format!("{field}[{i}]: not a number"))),
        Value::Null => Ok(f64::NAN), // marks ±∞ by position (resolved by the caller)
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "inf" | "+inf" | "infinity" | "+infinity" => Ok(f64::INFINITY),
            "-inf" | "-infinity" => Ok(f64::NEG_INFINITY),
            other => Err(bad(
                path,
                format!("{field}[{i}]: `{other}` is not a number (expected a number, null, \"inf\" or \"-inf\")"),
            )),
        },
        other => Err(bad(path, format!("{field}[{i}]: expected a number, found {other}"))),
    }
}

fn json_vec(obj: &Value, path: &Path, field: &str, lower: bool) -> Result<Vec<f64>, CliError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let x = json_number(v, path, field, i)?;
                Ok(if x.is_nan() {
                    if lower {
                        f64::NEG_INFINITY
                    } else {
                        f64::INFINITY
                    }
                } else {
                    x
                })
            })
            .collect(),
        Some(_) => Err(bad(
            path,
            format!("field '{field}': expected an array of numbers"),
        )),
    }
}

fn json_matrix(obj: &Value, path: &Path, field: &str) -> Result<(Vec<f64>, usize), CliError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok((vec![], 0)),
        Some(Value::Array(rows)) => {
            let mut data = Vec::new();
            let mut width = None;
            for (r, row) in rows.iter().enumerate() {
                let Value::Array(vals) = row else {
                    return Err(bad(
                        path,
                        format!("{field}[{r}]: expected a row (array of numbers)"),
                    ));
                };
                if *width.get_or_insert(vals.len()) != vals.len() {
                    return Err(bad(
                        path,
                        format!(
                            "{field}[{r}] has {} entries, row 0 has {} (ragged matrix)",
                            vals.len(),
                            width.unwrap_or(0)
                        ),
                    ));
                }
                for (c, v) in vals.iter().enumerate() {
                    let x = json_number(v, path, &format!("{field}[{r}]"), c)?;
                    if !x.is_finite() {
                        return Err(bad(path, format!("{field}[{r}][{c}]: non-finite entry")));
                    }
                    data.push(x);
                }
            }
            Ok((data, rows.len()))
        }
        Some(_) => Err(bad(
            path,
            format!("field '{field}': expected an array of rows"),
        )),
    }
}

fn read_qp(path: &Path) -> Result<DenseQp, CliError> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext.eq_ignore_ascii_case("npz") {
        let arrays = read_npz(path).map_err(|e| CliError::BadInput(e.into()))?;
        let get = |n: &str| arrays.iter().find(|(k, _)| k == n).map(|(_, a)| a.clone());
        let p = get("P").ok_or_else(|| bad(path, "no array 'P' in the archive"))?;
        if p.shape.len() != 2 || p.shape[0] != p.shape[1] {
            return Err(bad(
                path,
                format!("'P' has shape {:?} (expected n × n)", p.shape),
            ));
        }
        let n = p.shape[0];
        let q = get("q").map(|a| a.data).unwrap_or_else(|| vec![0.0; n]);
        let a = get("A").map(|a| a.data).unwrap_or_default();
        // Rows of A without l (or u) are unbounded on that side.
        let rows = a.len() / n.max(1);
        let side =
            |name: &str, inf: f64| get(name).map(|a| a.data).unwrap_or_else(|| vec![inf; rows]);
        return Ok(DenseQp {
            n,
            p: p.data,
            q,
            a,
            l: side("l", f64::NEG_INFINITY),
            u: side("u", f64::INFINITY),
            lb: get("lb").map(|a| a.data).unwrap_or_default(),
            ub: get("ub").map(|a| a.data).unwrap_or_default(),
        });
    }
    let text = std::fs::read_to_string(path).map_err(|e| bad(path, format!("cannot read: {e}")))?;
    let obj: Value =
        serde_json::from_str(&text).map_err(|e| bad(path, format!("invalid JSON: {e}")))?;
    if !obj.is_object() {
        return Err(bad(
            path,
            "expected a JSON object with fields P, q, A, l, u, lb, ub",
        ));
    }
    let (p, n) = json_matrix(&obj, path, "P")?;
    if n == 0 {
        return Err(bad(
            path,
            "field 'P' missing or empty (expected an n × n array of rows)",
        ));
    }
    if p.len() != n * n {
        return Err(bad(
            path,
            format!(
                "'P' has {n} rows of {} entries (expected a square matrix)",
                p.len() / n
            ),
        ));
    }
    let mut q = json_vec(&obj, path, "q", false)?;
    if q.is_empty() {
        q = vec![0.0; n];
    }
    if let Some(i) = q.iter().position(|x| !x.is_finite()) {
        return Err(bad(path, format!("q[{i}]: non-finite entry")));
    }
    let (a, rows) = json_matrix(&obj, path, "A")?;
    if rows > 0 && a.len() != rows * n {
        return Err(bad(
            path,
            format!(
                "'A' has rows of {} entries (expected n = {n})",
                a.len() / rows
            ),
        ));
    }
    let mut l = json_vec(&obj, path, "l", true)?;
    let mut u = json_vec(&obj, path, "u", false)?;
    if rows > 0 && l.is_empty() {
        l = vec![f64::NEG_INFINITY; rows];
    }
    if rows > 0 && u.is_empty() {
        u = vec![f64::INFINITY; rows];
    }
    Ok(DenseQp {
        n,
        p,
        q,
        a,
        l,
        u,
        lb: json_vec(&obj, path, "lb", true)?,
        ub: json_vec(&obj, path, "ub", false)?,
    })
}

/// Runs `quadra qp`.
pub fn run_qp(args: QpArgs) -> Result<(), CliError> {
    let path = &args.file;
    let qp = read_qp(path)?;
    qp.validate().map_err(|e| bad(path, e))?;
    let settings = SolverSettings::builder()
        .tol_gap_abs(args.tol)
        .tol_gap_rel(args.tol)
        .tol_feas(args.tol)
        .max_iter(args.max_iter)
        .build()
        .map_err(|e| CliError::BadInput(anyhow!("--tol/--max-iter: {e}")))?;
    let mut report = QpReport {
        file: path.display().to_string(),
        status: String::new(),
        x: None,
        objective: None,
        verified: false,
        iterations: None,
        seconds: None,
        equalities: None,
        inequalities: None,
        dropped_infinite: None,
        message: None,
    };
    let outcome = match qp.solve(&settings) {
        Ok(s) => {
            report.status = if s.verified {
                s.status.as_str().to_string()
            } else {
                "unverified".into()
            };
            report.objective = Some(s.objective);
            report.verified = s.verified;
            report.iterations = Some(s.iterations);
            report.seconds = Some(s.seconds);
            report.equalities = Some(s.equalities);
            report.inequalities = Some(s.inequalities);
            report.dropped_infinite = Some(s.dropped);
            report.x = Some(s.x);
            if report.verified {
                Ok(())
            } else {
                Err(CliError::Numerical(anyhow!(
                    "{}: clarabel reported a solution that fails the a-posteriori re-check",
                    path.display()
                )))
            }
        }
        Err(QpError::Conic(e)) if e.is_numerical() => {
            report.status = match e {
                quadra_conic::ConicError::PrimalInfeasible { .. } => "primal_infeasible",
                quadra_conic::ConicError::DualInfeasible { .. } => "dual_infeasible",
                quadra_conic::ConicError::LimitReached { .. } => "limit_reached",
                _ => "numerical_error",
            }
            .into();
            report.message = Some(e.to_string());
            Err(CliError::Numerical(anyhow!("{}: {e}", path.display())))
        }
        Err(e) => return Err(bad(path, e)),
    };
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| CliError::Numerical(e.into()))?
        ),
        Format::Text => {
            let opt = |v: Option<f64>| v.map_or("-".into(), |v| format!("{v:.12e}"));
            print_table(&[
                ("file", report.file.clone()),
                ("status", report.status.clone()),
                ("objective", opt(report.objective)),
                (
                    "iterations",
                    report.iterations.map_or("-".into(), |i| i.to_string()),
                ),
                (
                    "rows (eq / ineq / dropped ∞)",
                    format!(
                        "{} / {} / {}",
                        report.equalities.unwrap_or(0),
                        report.inequalities.unwrap_or(0),
                        report.dropped_infinite.unwrap_or(0)
                    ),
                ),
                ("seconds", opt(report.seconds)),
            ]);
            if let Some(x) = &report.x {
                let xs: Vec<String> = x.iter().map(|v| format!("{v:.9e}")).collect();
                println!("x  {}", xs.join(" "));
            }
        }
    }
    outcome
}

/// `--constraint` of `combine-surrogates`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConstraintArg {
    /// α ≥ 0, Σα = 1.
    Simplex,
    /// α ≥ 0.
    Nonneg,
    /// Unconstrained.
    Free,
}

/// `--method` of `combine-surrogates`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodArg {
    /// Enumeration for M ≤ 12, active set above.
    Auto,
    /// Enumerate all supports (M ≤ 20).
    Enumeration,
    /// Dual active set.
    ActiveSet,
}

/// Arguments of `quadra combine-surrogates`.
#[derive(Debug, clap::Args)]
pub struct SurrogateArgs {
    /// CSV with a header: target column, optional weight column, surrogate columns.
    pub data: PathBuf,
    /// Name of the target column (default: the first column).
    #[arg(long)]
    pub target: Option<String>,
    /// Name of the sample-weight column (default: all weights 1).
    #[arg(long)]
    pub weights: Option<String>,
    /// Feasible set of the combination weights.
    #[arg(long, value_enum, default_value_t = ConstraintArg::Simplex)]
    pub constraint: ConstraintArg,
    /// Solver.
    #[arg(long, value_enum, default_value_t = MethodArg::Auto)]
    pub method: MethodArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Serialize)]
struct SurrogateReport {
    surrogates: Vec<String>,
    alpha: Vec<f64>,
    constraint: &'static str,
    method: &'static str,
    objective: f64,
    weighted_rmse: f64,
    kkt_residual: f64,
    samples: usize,
}

/// A headed numeric CSV: column names and rows.
fn read_headed_csv(path: &Path) -> Result<(Vec<String>, Vec<Vec<f64>>), CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| bad(path, format!("cannot read: {e}")))?;
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| bad(path, "empty file (expected a header line)"))?;
    let names: Vec<String> = header.split(',').map(|s| s.trim().to_string()).collect();
    if names.iter().any(|n| n.parse::<f64>().is_ok()) {
        return Err(bad(
            path,
            "line 1: expected a header of column names, found numbers",
        ));
    }
    let mut rows = Vec::new();
    for (k, line) in lines {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != names.len() {
            return Err(bad(
                path,
                format!(
                    "line {}: expected {} columns, found {}",
                    k + 1,
                    names.len(),
                    fields.len()
                ),
            ));
        }
        let mut row = Vec::with_capacity(fields.len());
        for (c, f) in fields.iter().enumerate() {
            let v: f64 = f.parse().map_err(|_| {
                bad(
                    path,
                    format!(
                        "line {}, column '{}': `{f}` is not a number",
                        k + 1,
                        names[c]
                    ),
                )
            })?;
            if !v.is_finite() {
                return Err(bad(
                    path,
                    format!(
                        "line {}, column '{}': non-finite value `{f}`",
                        k + 1,
                        names[c]
                    ),
                ));
            }
            row.push(v);
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(bad(path, "no data rows after the header"));
    }
    Ok((names, rows))
}

/// Runs `quadra combine-surrogates`.
pub fn run_combine(args: SurrogateArgs) -> Result<(), CliError> {
    let path = &args.data;
    let (names, rows) = read_headed_csv(path)?;
    let col = |name: &str, flag: &str| {
        names.iter().position(|n| n == name).ok_or_else(|| {
            bad(
                path,
                format!(
                    "{flag} {name}: no such column (columns: {})",
                    names.join(", ")
                ),
            )
        })
    };
    let target = match &args.target {
        Some(t) => col(t, "--target")?,
        None => 0,
    };
    let weight = args
        .weights
        .as_deref()
        .map(|w| col(w, "--weights"))
        .transpose()?;
    if weight == Some(target) {
        return Err(bad(path, "--weights names the target column"));
    }
    let surr: Vec<usize> = (0..names.len())
        .filter(|&i| i != target && Some(i) != weight)
        .collect();
    if surr.is_empty() {
        return Err(bad(
            path,
            "no surrogate columns (every column is the target or the weights)",
        ));
    }
    let n = rows.len();
    let m = surr.len();
    let f: Vec<f64> = rows
        .iter()
        .flat_map(|r| surr.iter().map(move |&i| r[i]))
        .collect();
    let y: Vec<f64> = rows.iter().map(|r| r[target]).collect();
    let w: Option<Vec<f64>> = weight.map(|wi| rows.iter().map(|r| r[wi]).collect());
    let data = SurrogateData::new(&f, n, m, &y, w.as_deref()).map_err(|e| bad(path, e))?;
    let constraint = match args.constraint {
        ConstraintArg::Simplex => WeightConstraint::Simplex,
        ConstraintArg::Nonneg => WeightConstraint::Nonneg,
        ConstraintArg::Free => WeightConstraint::Free,
    };
    let method = match args.method {
        MethodArg::Auto => SurrogateMethod::Auto,
        MethodArg::Enumeration => SurrogateMethod::Enumeration,
        MethodArg::ActiveSet => SurrogateMethod::ActiveSet,
    };
    let fit = combine_surrogates(&data, constraint, method).map_err(|e| match e {
        QpError::IterationLimit { .. } => CliError::Numerical(anyhow!("{}: {e}", path.display())),
        e => bad(path, e),
    })?;
    let wsum: f64 = w.as_ref().map_or(n as f64, |w| w.iter().sum());
    let report = SurrogateReport {
        surrogates: surr.iter().map(|&i| names[i].clone()).collect(),
        constraint: constraint.as_str(),
        method: fit.method.as_str(),
        objective: fit.objective,
        weighted_rmse: (fit.objective / wsum).sqrt(),
        kkt_residual: fit.kkt_residual,
        samples: n,
        alpha: fit.alpha,
    };
    match args.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| CliError::Numerical(e.into()))?
        ),
        Format::Text => {
            let mut rows: Vec<(&str, String)> = report
                .surrogates
                .iter()
                .zip(&report.alpha)
                .map(|(s, a)| (s.as_str(), format!("{a:.12}")))
                .collect();
            rows.push(("constraint", report.constraint.into()));
            rows.push(("method", report.method.into()));
            rows.push(("objective", format!("{:.12e}", report.objective)));
            rows.push(("weighted rmse", format!("{:.6e}", report.weighted_rmse)));
            rows.push(("kkt residual", format!("{:.2e}", report.kkt_residual)));
            print_table(&rows);
        }
    }
    Ok(())
}
