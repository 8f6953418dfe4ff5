//! The bench's report: a table of figures and ratios for the terminal, and the same
//! figures as JSON.

use std::path::Path;

use serde::Serialize;
use serde_json::Value;

#[derive(Default)]
pub(crate) struct Report {
    /// (run, figure, ratio to baseline), in the order measured.
    rows: Vec<(String, String, String)>,
    json: serde_json::Map<String, Value>,
}

impl Report {
    pub fn row(
        &mut self,
        run: impl Into<String>,
        figure: impl Into<String>,
        ratio: impl Into<String>,
    ) {
        self.rows.push((run.into(), figure.into(), ratio.into()));
    }

    pub fn insert(&mut self, part: &str, figures: Value) {
        self.json.insert(part.into(), figures);
    }

    /// The table, under `caption`.
    pub fn print_table(&self, caption: &str) {
        println!("\n{caption}\n\n| run | figure | ratio to baseline |\n|---|---|---|");
        for (a, b, c) in &self.rows {
            println!("| {a} | {b} | {c} |");
        }
    }

    pub fn write(self, out: &Path) -> anyhow::Result<()> {
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(
            out,
            serde_json::to_string_pretty(&Value::Object(self.json))?,
        )?;
        println!("\nJSON written to {}", out.display());
        Ok(())
    }
}

/// `x` as a multiple of `base`, for the table.
pub(crate) fn ratio(x: f64, base: f64) -> String {
    if base > 0.0 {
        format!("{:.2}x", x / base)
    } else {
        "-".into()
    }
}

/// The median and the range of one figure over repeated runs.
#[derive(Debug, Clone, Copy, Serialize)]
pub(crate) struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(values: impl IntoIterator<Item = f64>) -> Self {
        let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return Self {
                median: f64::NAN,
                min: f64::NAN,
                max: f64::NAN,
            };
        }
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Self {
            median,
            min: v[0],
            max: v[n - 1],
        }
    }

    /// `median unit (min-max)`, with `decimals`; the range is left out when there is none.
    pub fn show(&self, decimals: usize, unit: &str) -> String {
        let m = format!("{:.*}{unit}", decimals, self.median);
        if format!("{:.*}", decimals, self.min) == format!("{:.*}", decimals, self.max) {
            m
        } else {
            format!("{m} ({:.*}-{:.*})", decimals, self.min, decimals, self.max)
        }
    }
}
