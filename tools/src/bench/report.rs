//! The bench's report: a table of figures and ratios for the terminal, and the same
//! figures as JSON.

use std::path::Path;

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

    pub fn print_table(&self) {
        println!("\n| run | figure | ratio to baseline |\n|---|---|---|");
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
