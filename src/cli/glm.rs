//! `quadra glm-se`: Bayes-optimal state evolution of a generalised linear model
//! (prior × channel), its replica free entropy and perfect-recovery thresholds
//! (Barbier et al., PNAS 2019).
//!
//! `--prior gaussian|rademacher|gauss-bernoulli:RHO`, `--channel gaussian:DELTA|sign|relu`,
//! `--alpha A` or `A0:A1:STEP`. Exit 1 for malformed or out-of-domain parameters, 2 when
//! a fixed point is not reached within the iteration limit.

use super::bayes::parse_alpha;
use super::output::{print_table, CliError, Format, Progress};
use super::shard::Shard;
use anyhow::anyhow;
use quadra_statphys::glm::{default_settings, GlmPoint};
use quadra_statphys::{glm_curve, glm_thresholds, GlmChannel, GlmPrior, StatphysError};
use serde::Serialize;

/// Arguments of `quadra glm-se`.
#[derive(Debug, clap::Args)]
pub struct GlmArgs {
    /// Prior of the signal: `gaussian`, `rademacher` or `gauss-bernoulli:RHO` (0 < RHO ≤ 1).
    #[arg(long)]
    pub prior: String,
    /// Output channel: `gaussian:DELTA` (DELTA ≥ 0), `sign` or `relu`.
    #[arg(long)]
    pub channel: String,
    /// Samples per dimension: one value `A`, or a sweep `A0:A1:STEP` (inclusive).
    #[arg(long, allow_hyphen_values = true)]
    pub alpha: String,
    /// Output format (ignored with --shard, which writes JSON lines).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Compute only shard I of N of the α sweep and write JSON lines (one per point,
    /// with its global index; shard 0 also writes the thresholds).
    #[arg(long)]
    pub shard: Option<String>,
}

fn bad(msg: String) -> CliError {
    CliError::BadInput(anyhow!(msg))
}

fn parse_param(flag: &str, s: &str, what: &str) -> Result<f64, CliError> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| bad(format!("--{flag}: `{s}` is not a number ({what})")))?;
    if !v.is_finite() {
        return Err(bad(format!("--{flag}: `{s}` is not finite ({what})")));
    }
    Ok(v)
}

/// Parses `--prior`.
fn parse_prior(s: &str) -> Result<GlmPrior, CliError> {
    let prior = match s.split_once(':') {
        None if s == "gaussian" => GlmPrior::Gaussian,
        None if s == "rademacher" => GlmPrior::Rademacher,
        Some(("gauss-bernoulli", rho)) => GlmPrior::GaussBernoulli {
            rho: parse_param(
                "prior",
                rho,
                "expected gauss-bernoulli:RHO with 0 < RHO ≤ 1",
            )?,
        },
        _ => {
            return Err(bad(format!(
                "--prior {s}: expected gaussian, rademacher or gauss-bernoulli:RHO"
            )))
        }
    };
    prior
        .validate()
        .map_err(|e| bad(format!("--prior {s}: {e}")))?;
    Ok(prior)
}

/// Parses `--channel`.
fn parse_channel(s: &str) -> Result<GlmChannel, CliError> {
    let channel = match s.split_once(':') {
        None if s == "sign" => GlmChannel::Sign,
        None if s == "relu" => GlmChannel::Relu,
        Some(("gaussian", d)) => GlmChannel::Gaussian {
            delta: parse_param("channel", d, "expected gaussian:DELTA with DELTA ≥ 0")?,
        },
        _ => {
            return Err(bad(format!(
                "--channel {s}: expected gaussian:DELTA, sign or relu"
            )))
        }
    };
    channel
        .validate()
        .map_err(|e| bad(format!("--channel {s}: {e}")))?;
    Ok(channel)
}

fn to_cli(e: StatphysError) -> CliError {
    match e {
        StatphysError::InvalidParameter { .. } => CliError::BadInput(anyhow!(e)),
        other => CliError::Numerical(anyhow!(other)),
    }
}

#[derive(Debug, Serialize)]
struct Thresholds {
    algorithmic: Option<f64>,
    information_theoretic: Option<f64>,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    prior: &'a str,
    channel: &'a str,
    points: Vec<GlmPoint>,
    thresholds: Thresholds,
}

#[derive(Debug, Serialize)]
struct ShardLine<'a> {
    shard: String,
    index: usize,
    prior: &'a str,
    channel: &'a str,
    #[serde(flatten)]
    point: GlmPoint,
}

#[derive(Debug, Serialize)]
struct ThresholdLine<'a> {
    shard: String,
    prior: &'a str,
    channel: &'a str,
    thresholds: Thresholds,
}

/// Runs `quadra glm-se`.
pub fn run(args: GlmArgs) -> Result<(), CliError> {
    let prior = parse_prior(&args.prior)?;
    let channel = parse_channel(&args.channel)?;
    let alphas = parse_alpha(&args.alpha)?;
    let shard = args.shard.as_deref().map(Shard::parse).transpose()?;
    let settings = default_settings();
    let progress = Progress::for_stderr();
    let threshold_of = || -> Result<Thresholds, CliError> {
        let th = glm_thresholds(prior, channel).map_err(to_cli)?;
        Ok(Thresholds {
            algorithmic: th.algorithmic,
            information_theoretic: th.information_theoretic,
        })
    };
    if let Some(sh) = shard {
        let mine: Vec<(usize, f64)> = alphas
            .iter()
            .copied()
            .enumerate()
            .filter(|(k, _)| sh.owns(*k))
            .collect();
        let own_alphas: Vec<f64> = mine.iter().map(|(_, a)| *a).collect();
        progress.line(&format!(
            "glm-se shard {}: {} points",
            sh.label(),
            mine.len()
        ));
        let points = glm_curve(prior, channel, &own_alphas, &settings).map_err(to_cli)?;
        progress.finish();
        let line = |v: &dyn erased::Json| -> Result<(), CliError> {
            println!("{}", v.json().map_err(|e| CliError::Numerical(anyhow!(e)))?);
            Ok(())
        };
        if sh.index == 0 {
            line(&ThresholdLine {
                shard: sh.label(),
                prior: &args.prior,
                channel: &args.channel,
                thresholds: threshold_of()?,
            })?;
        }
        for ((k, _), p) in mine.iter().zip(points) {
            line(&ShardLine {
                shard: sh.label(),
                index: *k,
                prior: &args.prior,
                channel: &args.channel,
                point: p,
            })?;
        }
        return Ok(());
    }
    progress.line(&format!("glm-se: {} points", alphas.len()));
    let points = glm_curve(prior, channel, &alphas, &settings).map_err(to_cli)?;
    let thresholds = threshold_of()?;
    progress.finish();
    let report = Report {
        prior: &args.prior,
        channel: &args.channel,
        points,
        thresholds,
    };
    match args.format {
        Format::Json => {
            let doc = serde_json::to_string_pretty(&report)
                .map_err(|e| CliError::Numerical(anyhow!(e)))?;
            println!("{doc}");
        }
        Format::Text => {
            let show = |v: Option<f64>| v.map_or("none".to_string(), |x| format!("{x:.6}"));
            print_table(&[
                ("prior", report.prior.to_string()),
                ("channel", report.channel.to_string()),
                ("alpha_algorithmic", show(report.thresholds.algorithmic)),
                (
                    "alpha_information_theoretic",
                    show(report.thresholds.information_theoretic),
                ),
            ]);
            println!(
                "{:>10}  {:>12}  {:>12}  {:>12}  {:>14}  {:>11}  {:>12}",
                "alpha", "overlap", "mmse", "gen_error", "free_entropy", "branch", "amp_mmse"
            );
            for p in &report.points {
                let f = p
                    .free_entropy
                    .map_or("inf".to_string(), |f| format!("{f:.8}"));
                println!(
                    "{:>10.6}  {:>12.8}  {:>12.8}  {:>12.8}  {:>14}  {:>11}  {:>12.8}",
                    p.alpha,
                    p.overlap,
                    p.mmse,
                    p.gen_error,
                    f,
                    format!("{:?}", p.branch).to_lowercase(),
                    p.amp_mmse
                );
            }
        }
    }
    Ok(())
}

/// Serialising heterogeneous line types through one closure.
mod erased {
    pub trait Json {
        fn json(&self) -> serde_json::Result<String>;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> serde_json::Result<String> {
            serde_json::to_string(self)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_priors_and_channels() {
        assert_eq!(parse_prior("gaussian").unwrap(), GlmPrior::Gaussian);
        assert_eq!(
            parse_prior("gauss-bernoulli:0.25").unwrap(),
            GlmPrior::GaussBernoulli { rho: 0.25 }
        );
        assert_eq!(
            parse_channel("gaussian:0.1").unwrap(),
            GlmChannel::Gaussian { delta: 0.1 }
        );
        for p in [
            "gauss",
            "gauss-bernoulli",
            "gauss-bernoulli:0",
            "gauss-bernoulli:2",
            "gauss-bernoulli:nan",
        ] {
            assert!(parse_prior(p).is_err(), "{p}");
        }
        for c in ["gaussian", "gaussian:-1", "tanh", "sign:1"] {
            assert!(parse_channel(c).is_err(), "{c}");
        }
    }
}
