//! Load-plus-inventory throughput and peak memory of API descriptions.
//!
//! ```text
//! cargo run --release -p trespass-inventory --example bench -- FILE...
//! ```
//!
//! For each file, the benchmark runs itself again as a child process (so
//! that one file's peak memory does not hide the next one's), which
//! loads the file `ROUNDS` times with [`trespass_inventory::load_file`]
//! (read, parse, other files' `$ref`s, Swagger rewrite, operations, object
//! references) and prints the best and median round as MB/s of spec text,
//! and memory: `load MB` is the peak resident memory (`VmHWM` in
//! `/proc/self/status`, so Linux only) that the first load added above what
//! the process held before it (the file's text included), `load/x` that as
//! a multiple of the file's size, and `RSS MB` the whole process's peak.
//! The file is read from the page cache after the first round.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Loads timed per file; the first one also sets the peak memory.
const ROUNDS: usize = 5;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, file] = args.as_slice()
        && flag == "--one"
    {
        return one(Path::new(file));
    }
    if args.is_empty() {
        eprintln!("usage: bench FILE...");
        return ExitCode::from(2);
    }
    let Ok(me) = std::env::current_exe() else {
        eprintln!("error: cannot find the benchmark's own executable");
        return ExitCode::from(2);
    };
    println!(
        "{:<44} {:>6} {:>6} {:>10} {:>10} {:>8} {:>7} {:>8}",
        "file", "MB", "ops", "best MB/s", "med MB/s", "load MB", "load/x", "RSS MB"
    );
    let mut failed = false;
    for file in &args {
        match Command::new(&me).args(["--one", file]).status() {
            Ok(status) if status.success() => {}
            Ok(_) | Err(_) => failed = true,
        }
    }
    if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// Measures one file and prints its row.
fn one(path: &Path) -> ExitCode {
    let size = match std::fs::metadata(path) {
        Ok(metadata) => metadata.len(),
        Err(error) => {
            eprintln!("error: failed to read {}: {error}", path.display());
            return ExitCode::from(2);
        }
    };
    let before = peak_kib();
    let origin = path.display().to_string();
    let mut times = Vec::with_capacity(ROUNDS);
    let mut operations = 0;
    let mut peak = 0;
    for round in 0..ROUNDS {
        let started = Instant::now();
        let inventory = match trespass_inventory::load_file(path) {
            Ok(inventory) => inventory,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(1);
            }
        };
        times.push(started.elapsed().as_secs_f64());
        operations = inventory.operations.len();
        drop(inventory);
        if round == 0 {
            peak = peak_kib().saturating_sub(before);
        }
    }
    times.sort_by(f64::total_cmp);
    let megabytes = size as f64 / 1e6;
    let best = times.first().copied().unwrap_or(f64::NAN);
    let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
    let peak_mb = peak as f64 * 1024.0 / 1e6;
    let total_mb = peak_kib() as f64 * 1024.0 / 1e6;
    let name = path.file_name().map_or_else(|| origin.clone(), |n| n.to_string_lossy().into());
    let parent = path
        .parent()
        .and_then(Path::file_name)
        .map_or_else(String::new, |p| format!("{}/", p.to_string_lossy()));
    println!(
        "{:<44} {:>6.2} {:>6} {:>10.1} {:>10.1} {:>8.1} {:>7.1} {:>8.1}",
        format!("{parent}{name}"),
        megabytes,
        operations,
        megabytes / best,
        megabytes / median,
        peak_mb,
        peak_mb / megabytes,
        total_mb
    );
    ExitCode::SUCCESS
}

/// Peak resident memory of this process so far, in KiB (0 when unknown).
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
