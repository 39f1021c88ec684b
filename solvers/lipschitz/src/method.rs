//! The bounding methods offered to users.

use serde::{Deserialize, Serialize};

use crate::program::SdpMethod;
use crate::{LipschitzError, Result};

/// A Lipschitz upper-bound method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Product of layer norms and activation constants.
    Naive,
    /// LipLT loop-transformed recursion (ℓ2, feed-forward).
    Liplt,
    /// ECLipsE-Fast closed-form LipSDP-Layer point (ℓ2, feed-forward, slope `[0, β]`).
    EclipseFast,
    /// LipSDP with one multiplier per activation layer.
    LipsdpLayer,
    /// LipSDP with one multiplier per neuron (per group for group maps).
    LipsdpNeuron,
    /// LipSDP with sum-/complement-preserving sign-free multipliers for group maps.
    LipsdpNsr,
}

impl Method {
    /// Every method, cheapest first.
    pub const ALL: [Method; 6] = [
        Method::Naive,
        Method::Liplt,
        Method::EclipseFast,
        Method::LipsdpLayer,
        Method::LipsdpNeuron,
        Method::LipsdpNsr,
    ];

    /// CLI name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Naive => "naive",
            Method::Liplt => "liplt",
            Method::EclipseFast => "eclipse-fast",
            Method::LipsdpLayer => "lipsdp-layer",
            Method::LipsdpNeuron => "lipsdp-neuron",
            Method::LipsdpNsr => "lipsdp-nsr",
        }
    }

    /// Parses a CLI name.
    pub fn parse(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_lowercase().replace('_', "-");
        Method::ALL
            .into_iter()
            .find(|m| m.as_str() == t)
            .ok_or_else(|| {
                if t == "lipsdp-network" {
                    LipschitzError::InvalidArgument(
                        "lipsdp-network (coupled multipliers) is unsound and not offered".into(),
                    )
                } else {
                    LipschitzError::InvalidArgument(format!(
                        "unknown method '{s}' (expected naive, liplt, eclipse-fast, lipsdp-layer, lipsdp-neuron, lipsdp-nsr or all)"
                    ))
                }
            })
    }

    /// The SDP multiplier structure, for SDP-backed methods.
    pub fn sdp(self) -> Option<SdpMethod> {
        match self {
            Method::LipsdpLayer | Method::EclipseFast => Some(SdpMethod::Layer),
            Method::LipsdpNeuron => Some(SdpMethod::Neuron),
            Method::LipsdpNsr => Some(SdpMethod::Nsr),
            Method::Naive | Method::Liplt => None,
        }
    }
}
