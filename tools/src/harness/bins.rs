//! The workspace's binaries, as the build that runs this code made them.

use std::path::PathBuf;

use anyhow::{Context, bail};

/// The binary `name` of this build: beside the running executable in `target/<profile>/`
/// (a test binary runs from `target/<profile>/deps/`). Fails with what to run when it has
/// not been built, since `cargo test` builds only the test's own crate.
pub fn workspace_bin(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("the running executable's path")?;
    let mut dir = exe
        .parent()
        .context("the running executable's folder")?
        .to_path_buf();
    if dir.file_name().is_some_and(|d| d == "deps") {
        dir.pop();
    }
    let bin = dir.join(name);
    if !bin.exists() {
        bail!(
            "{} is missing: run `cargo build --workspace --bins` first (with `--release` for a release run)",
            bin.display()
        );
    }
    Ok(bin)
}
