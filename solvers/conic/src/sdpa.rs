//! The SDPA sparse format (`.dat-s`), as used by SDPLIB.
//!
//! SDPA's primal/dual pair (Fujisawa, Kojima & Nakata, SDPA User's Manual, 1998):
//!
//! ```text
//!   (P)  minimise  Σᵢ cᵢ xᵢ   s.t.  X = Σᵢ Fᵢ xᵢ − F₀ ⪰ 0,
//!   (D)  maximise  ⟨F₀, Y⟩   s.t.  ⟨Fᵢ, Y⟩ = cᵢ,  Y ⪰ 0,
//! ```
//!
//! with block-diagonal symmetric `Fᵢ`. A negative block size `−k` is a diagonal block
//! (a nonnegative orthant of dimension `k`). The file: comment lines starting with `"`
//! or `*`; then `m`; then the number of blocks; then the block sizes (`,(){}`
//! are punctuation); then `c` (m numbers); then entries `matno blkno i j value`
//! (1-based blocks and indices, `matno = 0` for `F₀`), upper triangle (a lower-triangle
//! entry is mirrored). Numbers may use Fortran's `D` exponent.
//!
//! [`SdpaProblem::to_model`] writes (P) as a [`Model`]: its objective is SDPA's
//! primal objective, the value SDPLIB's table lists.

use crate::error::{ConicError, Result};
use crate::{ConstraintId, LinExpr, Model, SymAffine, Var};
use std::collections::HashMap;

/// One block of the block-diagonal structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A dense symmetric `n × n` block.
    Dense(usize),
    /// A diagonal block of dimension `n` (negative size in the file).
    Diagonal(usize),
}

impl BlockKind {
    /// Dimension of the block.
    pub fn dim(self) -> usize {
        match self {
            BlockKind::Dense(n) | BlockKind::Diagonal(n) => n,
        }
    }
}

/// One nonzero `(F_matno)_{ij}` of block `block` (0-based, `i ≤ j`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Entry {
    /// Matrix number: 0 for `F₀`, `1..=m` for the constraint matrices.
    pub matrix: usize,
    /// Block index (0-based).
    pub block: usize,
    /// Row (0-based, `i ≤ j`).
    pub i: usize,
    /// Column (0-based).
    pub j: usize,
    /// Value.
    pub value: f64,
}

/// A parsed SDPA problem.
#[derive(Debug, Clone, PartialEq)]
pub struct SdpaProblem {
    /// Objective vector `c` (length `m`).
    pub c: Vec<f64>,
    /// Block structure.
    pub blocks: Vec<BlockKind>,
    /// Nonzeros, duplicates summed.
    pub entries: Vec<Entry>,
}

/// The model built from an SDPA problem, with handles to its parts.
#[derive(Debug, Clone)]
pub struct SdpaModel {
    /// The conic model of (P).
    pub model: Model,
    /// The variables `x₁ … x_m`.
    pub x: Vec<Var>,
    /// One constraint per block (its dual is SDPA's `Y` block).
    pub blocks: Vec<ConstraintId>,
}

fn err(line: usize, message: impl Into<String>) -> ConicError {
    ConicError::Sdpa {
        line,
        message: message.into(),
    }
}

/// Splits a line into tokens, treating `,(){}` as blanks.
fn tokens(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| c.is_whitespace() || ",(){}".contains(c))
        .filter(|t| !t.is_empty())
}

fn parse_f64(tok: &str, line: usize, what: &str) -> Result<f64> {
    let v: f64 = tok
        .replace(['D', 'd'], "e")
        .parse()
        .map_err(|_| err(line, format!("expected a number for {what}, found '{tok}'")))?;
    if !v.is_finite() {
        return Err(err(line, format!("{what} is {tok}, not a finite number")));
    }
    Ok(v)
}

fn parse_int(tok: &str, line: usize, what: &str) -> Result<i64> {
    tok.parse::<i64>().map_err(|_| {
        err(
            line,
            format!("expected an integer for {what}, found '{tok}'"),
        )
    })
}

/// Cursor over the non-comment lines, with 1-based line numbers.
struct Lines<'a> {
    inner: std::iter::Peekable<std::iter::Enumerate<std::str::Lines<'a>>>,
    last: usize,
}

impl<'a> Lines<'a> {
    fn next_content(&mut self, what: &str) -> Result<(usize, &'a str)> {
        for (k, l) in self.inner.by_ref() {
            self.last = k + 1;
            if !l.trim().is_empty() {
                return Ok((k + 1, l));
            }
        }
        Err(err(
            self.last + 1,
            format!("unexpected end of file: expected {what}"),
        ))
    }

    /// Reads numbers across lines until `count` have been read.
    fn numbers(&mut self, count: usize, what: &str) -> Result<Vec<(usize, String)>> {
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let (ln, l) =
                self.next_content(&format!("{} more value(s) of {what}", count - out.len()))?;
            for t in tokens(l) {
                if out.len() == count {
                    return Err(err(
                        ln,
                        format!("too many values for {what}: expected {count}"),
                    ));
                }
                out.push((ln, t.to_string()));
            }
        }
        Ok(out)
    }
}

impl SdpaProblem {
    /// Parses SDPA sparse text. Errors name the offending line.
    pub fn parse(text: &str) -> Result<Self> {
        let mut lines = Lines {
            inner: text.lines().enumerate().peekable(),
            last: 0,
        };
        // Skip the comment header.
        while let Some((_, l)) = lines.inner.peek() {
            let t = l.trim_start();
            if t.starts_with('"') || t.starts_with('*') || t.is_empty() {
                lines.last += 1;
                lines.inner.next();
            } else {
                break;
            }
        }
        let (ln, l) = lines.next_content("the number of constraint matrices m")?;
        let first = tokens(l).next().unwrap_or("");
        let m = parse_int(first, ln, "m (number of constraint matrices)")?;
        if m < 0 {
            return Err(err(ln, format!("m must be nonnegative, found {m}")));
        }
        let m = m as usize;
        let (ln, l) = lines.next_content("the number of blocks")?;
        let nb = parse_int(tokens(l).next().unwrap_or(""), ln, "the number of blocks")?;
        if nb <= 0 {
            return Err(err(
                ln,
                format!("the number of blocks must be positive, found {nb}"),
            ));
        }
        let nb = nb as usize;
        let mut blocks = Vec::with_capacity(nb);
        for (ln, t) in lines.numbers(nb, "the block sizes")? {
            let s = parse_int(&t, ln, "a block size")?;
            blocks.push(match s {
                0 => return Err(err(ln, "block of size 0")),
                s if s > 0 => BlockKind::Dense(s as usize),
                s => BlockKind::Diagonal(s.unsigned_abs() as usize),
            });
        }
        let mut c = Vec::with_capacity(m);
        for (ln, t) in lines.numbers(m, "the objective vector c")? {
            c.push(parse_f64(&t, ln, "an objective coefficient")?);
        }
        let mut index: HashMap<(usize, usize, usize, usize), usize> = HashMap::new();
        let mut entries: Vec<Entry> = Vec::new();
        for (k, l) in lines.inner {
            let ln = k + 1;
            if l.trim().is_empty() {
                continue;
            }
            let toks: Vec<&str> = tokens(l).collect();
            if toks.len() < 5 {
                return Err(err(
                    ln,
                    format!(
                        "expected 'matno blkno i j value', found {} field(s)",
                        toks.len()
                    ),
                ));
            }
            let matno = parse_int(toks[0], ln, "matno")?;
            let blkno = parse_int(toks[1], ln, "blkno")?;
            let i = parse_int(toks[2], ln, "row i")?;
            let j = parse_int(toks[3], ln, "column j")?;
            let value = parse_f64(toks[4], ln, "the entry value")?;
            if matno < 0 || matno as usize > m {
                return Err(err(ln, format!("matno {matno} out of range 0..={m}")));
            }
            if blkno < 1 || blkno as usize > nb {
                return Err(err(ln, format!("blkno {blkno} out of range 1..={nb}")));
            }
            let block = blkno as usize - 1;
            let dim = blocks[block].dim() as i64;
            if i < 1 || j < 1 || i > dim || j > dim {
                return Err(err(
                    ln,
                    format!("entry ({i}, {j}) outside block {blkno} of size {dim}"),
                ));
            }
            if matches!(blocks[block], BlockKind::Diagonal(_)) && i != j {
                return Err(err(
                    ln,
                    format!("off-diagonal entry ({i}, {j}) in diagonal block {blkno}"),
                ));
            }
            let (i, j) = ((i.min(j) - 1) as usize, (i.max(j) - 1) as usize);
            let key = (matno as usize, block, i, j);
            match index.get(&key) {
                Some(&p) => entries[p].value += value,
                None => {
                    index.insert(key, entries.len());
                    entries.push(Entry {
                        matrix: matno as usize,
                        block,
                        i,
                        j,
                        value,
                    });
                }
            }
        }
        Ok(SdpaProblem { c, blocks, entries })
    }

    /// Number of constraint matrices `m`.
    pub fn num_constraints(&self) -> usize {
        self.c.len()
    }

    /// Builds (P) as a conic model: `min cᵀx` s.t. `Σ Fᵢxᵢ − F₀ ⪰ 0` blockwise.
    pub fn to_model(&self) -> Result<SdpaModel> {
        let mut model = Model::new();
        let x = model.add_vars(self.c.len());
        /// A block under construction: an LMI or a diagonal block (an orthant).
        enum Building {
            Dense(SymAffine),
            Diagonal(Vec<LinExpr>),
        }
        let mut building: Vec<Building> = self
            .blocks
            .iter()
            .map(|b| match *b {
                BlockKind::Dense(n) => Building::Dense(SymAffine::zeros(n)),
                BlockKind::Diagonal(n) => Building::Diagonal(vec![LinExpr::default(); n]),
            })
            .collect();
        for e in &self.entries {
            // X = Σ Fᵢ xᵢ − F₀: F₀ enters with a minus sign.
            match &mut building[e.block] {
                Building::Dense(s) if e.matrix == 0 => {
                    s.add_constant_entry(e.i, e.j, -e.value);
                }
                Building::Dense(s) => {
                    s.add_term_entry(x[e.matrix - 1], e.i, e.j, e.value);
                }
                Building::Diagonal(d) if e.matrix == 0 => d[e.i].constant -= e.value,
                Building::Diagonal(d) => {
                    d[e.i].add_term(x[e.matrix - 1], e.value);
                }
            }
        }
        let mut ids = Vec::with_capacity(building.len());
        for b in building {
            ids.push(match b {
                Building::Dense(s) => model.add_psd(s)?,
                Building::Diagonal(d) => model.add_nonneg(d)?,
            });
        }
        model.minimize(LinExpr::weighted_sum(&x, &self.c));
        Ok(SdpaModel {
            model,
            x,
            blocks: ids,
        })
    }

    /// (P) as an [`LmiProblem`](crate::lmi::LmiProblem): `min cᵀx` s.t.
    /// `−F₀ + Σᵢ xᵢ Fᵢ ⪰ 0` blockwise, all `xᵢ` free. A dense SDPA block becomes one LMI
    /// block with sparse coefficient matrices; a diagonal block of size `k` becomes `k`
    /// blocks of size 1 (an LP block). Blocks keep SDPA's order, diagonal ones expanded
    /// in place, so the LMI block list is the SDPA block list with each diagonal block
    /// replaced by its `k` entries.
    pub fn to_lmi(&self) -> crate::lmi::LmiProblem {
        use crate::lmi::{CoefMatrix, LmiBlock, LmiProblem, VarDomain};
        let m = self.c.len();
        // First LMI block index of each SDPA block.
        let mut first = Vec::with_capacity(self.blocks.len());
        let mut blocks: Vec<LmiBlock> = Vec::new();
        for b in &self.blocks {
            first.push(blocks.len());
            match *b {
                BlockKind::Dense(n) => blocks.push(LmiBlock::new(n)),
                BlockKind::Diagonal(n) => blocks.extend((0..n).map(|_| LmiBlock::new(1))),
            }
        }
        // Per LMI block, the triplets of each matrix number.
        type Triplets = HashMap<usize, Vec<(usize, usize, f64)>>;
        let mut triplets: Vec<Triplets> = vec![HashMap::new(); blocks.len()];
        for e in &self.entries {
            let (lb, i, j) = match self.blocks[e.block] {
                BlockKind::Dense(_) => (first[e.block], e.i, e.j),
                BlockKind::Diagonal(_) => (first[e.block] + e.i, 0, 0),
            };
            // X = Σ Fᵢ xᵢ − F₀: F₀ enters with a minus sign.
            let v = if e.matrix == 0 { -e.value } else { e.value };
            triplets[lb].entry(e.matrix).or_default().push((i, j, v));
        }
        for (block, mut t) in blocks.iter_mut().zip(triplets) {
            if let Some(c) = t.remove(&0) {
                block.constant = CoefMatrix::Sparse(c);
            }
            let mut terms: Vec<(usize, CoefMatrix)> = t
                .into_iter()
                .map(|(k, e)| (k - 1, CoefMatrix::Sparse(e)))
                .collect();
            terms.sort_by_key(|(k, _)| *k);
            block.terms = terms;
        }
        LmiProblem {
            objective: self.c.clone(),
            domains: vec![VarDomain::Free; m],
            blocks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the SDPA manual / SDPLIB README.
    pub(crate) const EXAMPLE: &str =
        "\"A sample problem.\n2 =mdim\n2 =nblocks\n{2, 2}\n10.0 20.0\n\
        0 1 1 1 1.0\n0 1 2 2 2.0\n0 2 1 1 3.0\n0 2 2 2 4.0\n1 1 1 1 1.0\n1 1 2 2 1.0\n\
        2 1 2 2 1.0\n2 2 1 1 5.0\n2 2 1 2 2.0\n2 2 2 2 6.0\n";

    #[test]
    fn parses_the_manual_example() {
        let p = SdpaProblem::parse(EXAMPLE).unwrap();
        assert_eq!(p.c, vec![10.0, 20.0]);
        assert_eq!(p.blocks, vec![BlockKind::Dense(2), BlockKind::Dense(2)]);
        assert_eq!(p.entries.len(), 10);
        let e = p
            .entries
            .iter()
            .find(|e| e.matrix == 2 && e.block == 1 && e.i == 0 && e.j == 1)
            .unwrap();
        assert_eq!(e.value, 2.0);
    }

    fn line_of(text: &str) -> (usize, String) {
        match SdpaProblem::parse(text) {
            Err(ConicError::Sdpa { line, message }) => (line, message),
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn malformed_inputs_name_the_line() {
        // Truncated after the block count.
        assert_eq!(line_of("2\n2\n").0, 3);
        // Zero-size block.
        let (l, msg) = line_of("1\n2\n{2, 0}\n1.0\n");
        assert_eq!(l, 3);
        assert!(msg.contains("size 0"), "{msg}");
        // Too few objective coefficients (file ends).
        assert!(line_of("3\n1\n2\n1.0 2.0\n").1.contains("more value"));
        // Non-numeric entry value.
        let (l, msg) = line_of("1\n1\n2\n1.0\n1 1 1 1 abc\n");
        assert_eq!(l, 5);
        assert!(msg.contains("abc"), "{msg}");
        // Entry outside its block; wrong block number; wrong matrix number.
        assert_eq!(line_of("1\n1\n2\n1.0\n0 1 1 1 1\n1 1 3 1 1.0\n").0, 6);
        assert!(line_of("1\n1\n2\n1.0\n1 2 1 1 1.0\n").1.contains("blkno"));
        assert!(line_of("1\n1\n2\n1.0\n2 1 1 1 1.0\n").1.contains("matno"));
        // Too few fields; NaN; off-diagonal entry in a diagonal block.
        assert!(line_of("1\n1\n2\n1.0\n1 1 1\n").1.contains("field"));
        assert!(line_of("1\n1\n2\n1.0\n1 1 1 1 nan\n").1.contains("finite"));
        assert!(line_of("1\n1\n-2\n1.0\n1 1 1 2 1.0\n")
            .1
            .contains("diagonal block"));
        // Too many objective values on the line.
        assert!(line_of("1\n1\n2\n1.0 2.0\n").1.contains("too many"));
    }

    #[test]
    fn lower_triangle_and_fortran_exponents_are_accepted() {
        let p = SdpaProblem::parse("1\n1\n2\n1.0D+00\n1 1 2 1 2.5d0\n1 1 1 2 0.5\n").unwrap();
        assert_eq!(p.c, vec![1.0]);
        // (2,1) mirrored to (1,2) and summed with the explicit (1,2).
        assert_eq!(
            p.entries,
            vec![Entry {
                matrix: 1,
                block: 0,
                i: 0,
                j: 1,
                value: 3.0
            }]
        );
    }
}
