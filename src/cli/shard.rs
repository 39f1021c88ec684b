//! `--shard I/N`: split a sweep across processes (DESIGN.md, "beyond one machine").
//!
//! Shard `I` of `N` (0 ≤ I < N) takes the sweep points whose index `k` has
//! `k mod N = I` (round-robin, so expensive regions of a sweep are shared out evenly)
//! and writes one JSON object per line, each carrying its global `index`; the shards'
//! outputs concatenated and sorted by `index` are the whole sweep.

use super::output::CliError;
use anyhow::anyhow;

/// A parsed `--shard I/N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This shard, `0 ≤ index < count`.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// Parses `I/N` with `0 ≤ I < N`.
    pub fn parse(s: &str) -> Result<Shard, CliError> {
        let bad = || {
            CliError::BadInput(anyhow!(
                "--shard {s}: expected I/N with integers 0 ≤ I < N (e.g. 0/4)"
            ))
        };
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether the sweep point `k` belongs to this shard.
    pub fn owns(&self, k: usize) -> bool {
        k % self.count == self.index
    }

    /// `"I/N"`, as written into every line.
    pub fn label(&self) -> String {
        format!("{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_partition() {
        let s = Shard::parse("1/3").unwrap();
        let owned: Vec<usize> = (0..7).filter(|&k| s.owns(k)).collect();
        assert_eq!(owned, vec![1, 4]);
        for bad in ["3/3", "1", "a/2", "0/0", "-1/2"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        // Every index is owned by exactly one shard.
        for k in 0..20 {
            let owners = (0..4)
                .filter(|&i| Shard { index: i, count: 4 }.owns(k))
                .count();
            assert_eq!(owners, 1);
        }
    }
}
