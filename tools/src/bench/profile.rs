//! `--profile-pause`: the processes of a full-system run, named for a profiler, and time to
//! attach one before the measured window.

use std::time::Duration;

use sea_orm::ConnectionTrait;

use super::Bench;
use crate::harness::processes::ProcessSystem;

/// Prints the PIDs of MariaDB's server, the API and the workers, with a `perf record`
/// command that covers the pause and the window after it, and waits `secs` (the load
/// keeps running).
pub(crate) async fn pause(bench: &Bench, sys: &ProcessSystem, secs: u64, window: Duration) {
    let mariadb = mariadb_pid(bench).await;
    let ours = children_of(sys.prefix());
    let mut pids: Vec<u32> = mariadb.iter().copied().collect();
    println!("\n--profile-pause: the full system is under load; its processes:");
    match mariadb {
        Some(pid) => println!("   mariadbd         {pid}"),
        None => println!(
            "   mariadbd         not found on this machine (neither its pid_file nor /proc name it)"
        ),
    }
    for (name, pid) in &ours {
        println!("   {name:<16} {pid}");
        pids.push(*pid);
    }
    let list = pids
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let data = bench.cli.out.with_file_name("perf.data");
    let record = secs + window.as_secs_f64().ceil() as u64;
    println!(
        "   the measured window starts in {secs} s and lasts {:.0} s; to profile it, now:\n\n   perf record -e cpu-clock -g -p {list} -o {} -- sleep {record}\n   perf report -i {} --sort comm,dso,sym\n",
        window.as_secs_f64(),
        data.display(),
        data.display()
    );
    tokio::time::sleep(Duration::from_secs(secs)).await;
    println!("--profile-pause: the measured window starts now");
}

/// MariaDB's server process: the PID in its `pid_file`, if that process is alive here;
/// otherwise the one process named `mariadbd` (or `mysqld`).
async fn mariadb_pid(bench: &Bench) -> Option<u32> {
    let pid_file = bench
        .admin
        .query_one_raw(checkin_domain::db::stmt("SELECT @@pid_file AS f", []))
        .await
        .ok()
        .flatten()
        .and_then(|r| r.try_get::<String>("", "f").ok());
    let from_file = pid_file
        .and_then(|f| std::fs::read_to_string(f).ok())
        .and_then(|s| s.trim().parse::<u32>().ok())
        .filter(|pid| is_mariadb(&comm(*pid).unwrap_or_default()));
    from_file.or_else(|| {
        let found: Vec<u32> = processes()
            .filter(|pid| is_mariadb(&comm(*pid).unwrap_or_default()))
            .collect();
        (found.len() == 1).then(|| found[0])
    })
}

fn is_mariadb(comm: &str) -> bool {
    comm == "mariadbd" || comm == "mysqld"
}

/// The bench's own children that belong to the system under key prefix `prefix` (the API,
/// the workers, the mock provider), by name.
fn children_of(prefix: &str) -> Vec<(String, u32)> {
    let me = std::process::id();
    let tag = format!("QUEUE_PREFIX={prefix}");
    let mut out: Vec<(String, u32)> = processes()
        .filter(|pid| parent(*pid) == Some(me))
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.split(|b| *b == 0).any(|v| v == tag.as_bytes()))
        })
        .filter_map(|pid| Some((comm(pid)?, pid)))
        .filter(|(name, _)| name == "checkin-api" || name == "checkin-worker")
        .collect();
    out.sort();
    out
}

fn processes() -> impl Iterator<Item = u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
}

fn comm(pid: u32) -> Option<String> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
    Some(s.trim().to_owned())
}

/// The parent's PID, from `/proc/<pid>/stat` (after the command name, which may hold
/// spaces and parentheses: its last `)`).
fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}
