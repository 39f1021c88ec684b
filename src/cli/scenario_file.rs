//! `quadra detect-attack --scenario FILE.json`: the attack-detection scenario as a JSON file.
//!
//! Schema (docs/formats.md, *Attack-detection scenarios*; every field required unless noted):
//!
//! ```json
//! {"A": [[…n…], …n rows],  "C_lin": [[…n…], …m rows],
//!  "Q": [[…n…], …n rows],  "q": [n numbers],
//!  "process_std": [n numbers ≥ 0], "sensor_std": [m numbers > 0], "quadratic_std": σ ≥ 0,
//!  "x0": [n numbers], "steps": T, "window": W,
//!  "attack": {"start": t_a, "slope": δ ≥ 0, "direction": [m numbers] (optional, all ones)}}
//! ```
//!
//! Matrices are lists of rows. Unknown fields are rejected (a typo would otherwise be
//! silently ignored). Every error names the field (and row) and what was expected.

use quadra_core::Mat;
use quadra_stattest::observer::{QuadraticSensorSystem, Scenario};
use serde_json::{Map, Value};
use std::path::Path;

const TOP_FIELDS: [&str; 11] = [
    "A",
    "C_lin",
    "Q",
    "q",
    "process_std",
    "sensor_std",
    "quadratic_std",
    "x0",
    "steps",
    "window",
    "attack",
];
const ATTACK_FIELDS: [&str; 3] = ["start", "slope", "direction"];

fn get<'a>(obj: &'a Map<String, Value>, field: &str, ctx: &str) -> Result<&'a Value, String> {
    obj.get(field)
        .ok_or_else(|| format!("missing field `{ctx}{field}`"))
}

fn number(v: &Value, field: &str) -> Result<f64, String> {
    v.as_f64()
        .ok_or_else(|| format!("field `{field}`: expected a number, found {v}"))
}

fn count(v: &Value, field: &str) -> Result<usize, String> {
    v.as_u64()
        .and_then(|u| usize::try_from(u).ok())
        .ok_or_else(|| format!("field `{field}`: expected a whole number ≥ 0, found {v}"))
}

fn vector(v: &Value, field: &str) -> Result<Vec<f64>, String> {
    let arr = v
        .as_array()
        .ok_or_else(|| format!("field `{field}`: expected a list of numbers, found {v}"))?;
    arr.iter()
        .enumerate()
        .map(|(k, e)| {
            e.as_f64().ok_or_else(|| {
                format!(
                    "field `{field}`, entry {}: expected a number, found {e}",
                    k + 1
                )
            })
        })
        .collect()
}

fn matrix(v: &Value, field: &str) -> Result<Mat<f64>, String> {
    let rows = v
        .as_array()
        .ok_or_else(|| format!("field `{field}`: expected a list of rows, found {v}"))?;
    if rows.is_empty() {
        return Err(format!("field `{field}`: expected at least one row"));
    }
    let rows: Vec<Vec<f64>> = rows
        .iter()
        .enumerate()
        .map(|(r, row)| vector(row, &format!("{field}` row `{}", r + 1)))
        .collect::<Result<_, _>>()?;
    let width = rows[0].len();
    if let Some(r) = rows.iter().position(|row| row.len() != width) {
        return Err(format!(
            "field `{field}`, row {}: expected {width} entries (as row 1), found {} (ragged rows)",
            r + 1,
            rows[r].len()
        ));
    }
    Ok(Mat::from_fn(rows.len(), width, |i, j| rows[i][j]))
}

fn reject_unknown(obj: &Map<String, Value>, known: &[&str], ctx: &str) -> Result<(), String> {
    match obj.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(format!(
            "unknown field `{ctx}{k}` (expected one of {})",
            known.join(", ")
        )),
        None => Ok(()),
    }
}

/// Parses a scenario document; errors name the field.
pub fn parse_scenario(text: &str) -> Result<Scenario, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON ({e})"))?;
    let obj = doc
        .as_object()
        .ok_or("expected a JSON object with fields A, C_lin, Q, q, …")?;
    reject_unknown(obj, &TOP_FIELDS, "")?;
    let system = QuadraticSensorSystem {
        a: matrix(get(obj, "A", "")?, "A")?,
        c_lin: matrix(get(obj, "C_lin", "")?, "C_lin")?,
        q_quad: matrix(get(obj, "Q", "")?, "Q")?,
        q_lin: vector(get(obj, "q", "")?, "q")?,
        process_std: vector(get(obj, "process_std", "")?, "process_std")?,
        sensor_std: vector(get(obj, "sensor_std", "")?, "sensor_std")?,
        quadratic_std: number(get(obj, "quadratic_std", "")?, "quadratic_std")?,
        x0: vector(get(obj, "x0", "")?, "x0")?,
        attack_direction: Vec::new(),
    };
    let (steps, window) = (
        count(get(obj, "steps", "")?, "steps")?,
        count(get(obj, "window", "")?, "window")?,
    );
    let attack = get(obj, "attack", "")?
        .as_object()
        .ok_or("field `attack`: expected an object {\"start\", \"slope\", \"direction\"}")?;
    reject_unknown(attack, &ATTACK_FIELDS, "attack.")?;
    let attack_direction = match attack.get("direction") {
        Some(v) => vector(v, "attack.direction")?,
        None => vec![1.0; system.c_lin.nrows()],
    };
    let sc = Scenario {
        system: QuadraticSensorSystem {
            attack_direction,
            ..system
        },
        steps,
        window,
        attack_start: count(get(attack, "start", "attack.")?, "attack.start")?,
        attack_slope: number(get(attack, "slope", "attack.")?, "attack.slope")?,
    };
    sc.check().map_err(|e| e.to_string())?;
    Ok(sc)
}

/// Reads and checks a scenario file; the message names the file and the field.
pub fn read_scenario(path: &Path) -> Result<Scenario, String> {
    let name = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    parse_scenario(&text).map_err(|e| format!("{name}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::parse_scenario;

    const GOOD: &str = r#"{"A": [[0.9, 0.1], [0, 0.8]], "C_lin": [[1, 0]], "Q": [[1, 0], [0, 1]],
        "q": [0, 0], "process_std": [0.1, 0.1], "sensor_std": [0.2], "quadratic_std": 0.1,
        "x0": [1, 1], "steps": 50, "window": 20, "attack": {"start": 25, "slope": 0.1}}"#;

    #[test]
    fn a_good_file_parses_and_direction_defaults_to_ones() {
        let sc = parse_scenario(GOOD).unwrap();
        assert_eq!(sc.system.states(), 2);
        assert_eq!(sc.system.attack_direction, vec![1.0]);
        assert_eq!((sc.steps, sc.window, sc.attack_start), (50, 20, 25));
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (
                GOOD.replace("\"C_lin\": [[1, 0]]", "\"C_lin\": [[1, 0, 0]]"),
                "C_lin",
            ),
            (GOOD.replace("[[1, 0], [0, 1]]", "[[1, 0], [0]]"), "row 2"),
            (GOOD.replace("\"q\": [0, 0]", "\"q\": [0, \"x\"]"), "`q`"),
            (GOOD.replace("\"x0\": [1, 1], ", ""), "`x0`"),
            (
                GOOD.replace("\"steps\": 50", "\"steps\": 50, \"stepz\": 1"),
                "stepz",
            ),
            (
                GOOD.replace("\"sensor_std\": [0.2]", "\"sensor_std\": [0]"),
                "sensor_std",
            ),
            (GOOD.replace("\"window\": 20", "\"window\": 80"), "window"),
            (
                GOOD.replace("\"slope\": 0.1", "\"slope\": -1"),
                "attack.slope",
            ),
            (
                GOOD.replace("[[1, 0], [0, 1]]", "[[1, 2], [0, 1]]"),
                "symmetric",
            ),
            (GOOD.replace("\"steps\": 50", "\"steps\": 5.5"), "steps"),
            (GOOD[..40].to_string(), "JSON"),
        ];
        for (text, needle) in cases {
            let e = parse_scenario(&text).unwrap_err();
            assert!(e.contains(needle), "{needle}: {e}");
        }
    }
}
