//! When to add or remove workers: a pure function of what the autoscaler sees now, what it
//! remembers from before, and the time, so every rule is tested here with the clock passed
//! in.
//!
//! - The count stays between `min` and `max`; one outside (at start, after the settings
//!   changed, after a scaling by hand) is brought inside at once, cooldowns or not.
//! - **Up** as soon as the up-cooldown since the last scale-up allows, straight to what the
//!   depth needs: `ceil(waiting / per_worker)`, where `waiting` counts the hold requests and
//!   the payments waiting in MariaDB. And when the oldest waiting hold request is older than
//!   its target (what a passenger feels when check-in opens): one worker more, or twice as
//!   many when it is more than twice the target. The age rule needs more hold requests
//!   waiting than workers running: with fewer, each can already be in a worker's hands, and
//!   their age says the jobs are slow or lost (the sweeper re-drives those), which more
//!   workers would not fix.
//! - **Down** one worker at a time, once the backlog has been small for a whole
//!   down-cooldown and the last change is at least a down-cooldown old. Small means that one
//!   worker fewer would carry at most half of what it may (`waiting <= (n - 1) * per_worker
//!   / 2`) with the oldest hold request under half its target. That band of a factor of two
//!   between adding and removing, and the quiet window that any busier sample restarts,
//!   keep a noisy signal from flapping the count.
//! - The age of payments is not a reason: a payment waits on the provider, and more workers
//!   do not end a provider's outage. Their number counts, as each takes a worker's slot.

use std::time::{Duration, Instant};

use checkin_domain::{jobs::JobKind, queue::Backlog};

/// The settings of the policy (see [`crate::config::PolicyConfig`] for their variables).
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub min: u32,
    pub max: u32,
    /// Requests waiting that one worker should carry.
    pub per_worker: u32,
    /// How old the oldest waiting hold request may be before workers are added; zero turns
    /// the age rule off.
    pub oldest_target: Duration,
    pub up_cooldown: Duration,
    pub down_cooldown: Duration,
}

/// The part of the backlog the policy reads.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Signal {
    /// Hold requests waiting (`queued`), in the job queue or waiting for admission.
    pub holds: u64,
    /// Age of the oldest of them, in seconds.
    pub oldest_hold_secs: f64,
    /// Payments waiting (`paying`).
    pub payments: u64,
}

impl Signal {
    /// Picks what the policy uses out of [`checkin_domain::queue::backlog`]'s answer: the
    /// depth of both queues, the age of the hold queue only.
    pub fn from_backlog(backlog: &[Backlog]) -> Self {
        let mut s = Self::default();
        for b in backlog {
            let waiting = u64::try_from(b.waiting).unwrap_or(0);
            if b.kind == JobKind::Hold.as_str() {
                s.holds = waiting;
                s.oldest_hold_secs = b.oldest_secs.max(0.0);
            } else if b.kind == JobKind::Payment.as_str() {
                s.payments = waiting;
            }
        }
        s
    }

    /// Everything waiting, holds and payments.
    pub fn waiting(&self) -> u64 {
        self.holds + self.payments
    }
}

/// What the policy remembers between samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// The number of workers last decided.
    pub workers: u32,
    /// When the count last went up.
    pub last_up: Option<Instant>,
    /// When the count last changed either way (or when the autoscaler started).
    pub last_change: Instant,
    /// Since when the backlog has been small enough for one worker fewer, if it is now.
    pub quiet_since: Option<Instant>,
}

impl Memory {
    /// What the autoscaler knows when it starts with `workers` running.
    pub fn start(workers: u32, now: Instant) -> Self {
        Self {
            workers,
            last_up: None,
            last_change: now,
            quiet_since: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Up,
    Down,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }
}

/// The answer to one sample.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub from: u32,
    pub to: u32,
    /// Why the count changes; when it does not, what the policy is waiting for.
    pub reason: String,
}

impl Decision {
    /// `None` when the count stays.
    pub fn direction(&self) -> Option<Direction> {
        match self.to.cmp(&self.from) {
            std::cmp::Ordering::Greater => Some(Direction::Up),
            std::cmp::Ordering::Less => Some(Direction::Down),
            std::cmp::Ordering::Equal => None,
        }
    }
}

/// Decides the number of workers for what `signal` shows at `now`, and what to remember.
pub fn decide(
    policy: &Policy,
    memory: Memory,
    signal: &Signal,
    now: Instant,
) -> (Decision, Memory) {
    let n = memory.workers;
    let change = |to: u32, reason: String| {
        let decision = Decision {
            from: n,
            to,
            reason,
        };
        let up = to > n;
        let next = Memory {
            workers: to,
            last_up: if up { Some(now) } else { memory.last_up },
            last_change: now,
            // After a step down the quiet window starts again at the step (the next sample
            // ends it if the backlog is not small for one worker fewer still).
            quiet_since: if up { None } else { Some(now) },
        };
        (decision, next)
    };
    let stay = |reason: String, quiet_since: Option<Instant>| {
        let decision = Decision {
            from: n,
            to: n,
            reason,
        };
        (
            decision,
            Memory {
                quiet_since,
                ..memory
            },
        )
    };

    let (need, why) = need(policy, n, signal);
    if n < policy.min {
        let mut reason = format!("{n} running, below the minimum of {}", policy.min);
        if need > policy.min {
            reason = format!("{reason}; {why}");
        }
        return change(need, reason);
    }
    if n > policy.max {
        return change(
            policy.max,
            format!("{n} running, above the maximum of {}", policy.max),
        );
    }

    if need > n {
        let cooling = memory
            .last_up
            .map(|t| {
                policy
                    .up_cooldown
                    .saturating_sub(now.saturating_duration_since(t))
            })
            .filter(|left| !left.is_zero());
        return match cooling {
            Some(left) => stay(format!("{why}; up-cooldown, {} s left", secs(left)), None),
            None => change(need, why),
        };
    }

    if n > policy.min && small(policy, n - 1, signal) {
        let since = memory.quiet_since.unwrap_or(now);
        let quiet_for = now.saturating_duration_since(since);
        let since_change = now.saturating_duration_since(memory.last_change);
        if quiet_for >= policy.down_cooldown && since_change >= policy.down_cooldown {
            return change(
                n - 1,
                format!(
                    "{} waiting, oldest hold {:.1} s: small for {:.1} s, one worker fewer",
                    signal.waiting(),
                    signal.oldest_hold_secs,
                    quiet_for.min(since_change).as_secs_f64()
                ),
            );
        }
        return stay(
            format!(
                "small backlog ({} waiting); down-cooldown, {} s left",
                signal.waiting(),
                secs(
                    policy
                        .down_cooldown
                        .saturating_sub(quiet_for.min(since_change))
                )
            ),
            Some(since),
        );
    }
    stay(why, None)
}

/// The workers the signal asks for, within `[min, max]`, and why.
fn need(policy: &Policy, n: u32, s: &Signal) -> (u32, String) {
    let waiting = s.waiting();
    let per = u64::from(policy.per_worker.max(1));
    let by_depth = u32::try_from(waiting.div_ceil(per)).unwrap_or(u32::MAX);
    let target = policy.oldest_target.as_secs_f64();
    let by_age = if target > 0.0 && s.holds > u64::from(n) && s.oldest_hold_secs > target {
        if s.oldest_hold_secs > 2.0 * target {
            n.saturating_mul(2).max(n + 1)
        } else {
            n + 1
        }
    } else {
        0
    };
    let wanted = by_depth.max(by_age);
    let need = wanted.clamp(policy.min, policy.max);
    let mut why = if by_age > by_depth {
        let how = if s.oldest_hold_secs > 2.0 * target {
            "over twice the target of"
        } else {
            "over the target of"
        };
        format!(
            "oldest hold request waited {:.2} s, {how} {} s ({} holds waiting): {by_age} workers",
            s.oldest_hold_secs,
            secs(policy.oldest_target),
            s.holds
        )
    } else {
        format!(
            "{waiting} waiting ({} holds, {} payments) need {by_depth} workers at {} each",
            s.holds, s.payments, policy.per_worker
        )
    };
    if wanted > policy.max {
        why = format!("{why}; capped at the maximum of {}", policy.max);
    }
    (need, why)
}

/// Whether `k` workers could carry the backlog with room to spare (see the module's doc).
fn small(policy: &Policy, k: u32, s: &Signal) -> bool {
    let target = policy.oldest_target.as_secs_f64();
    let depth_ok = s.waiting().saturating_mul(2) <= u64::from(k) * u64::from(policy.per_worker);
    let age_ok = target <= 0.0 || s.oldest_hold_secs <= target / 2.0;
    depth_ok && age_ok
}

/// Seconds, rounded up, for reasons people read.
fn secs(d: Duration) -> u64 {
    d.as_millis().div_ceil(1000) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            min: 1,
            max: 8,
            per_worker: 200,
            oldest_target: Duration::from_secs(5),
            up_cooldown: Duration::from_secs(10),
            down_cooldown: Duration::from_secs(30),
        }
    }

    fn waiting(holds: u64) -> Signal {
        Signal {
            holds,
            oldest_hold_secs: 0.5,
            payments: 0,
        }
    }

    const IDLE: Signal = Signal {
        holds: 0,
        oldest_hold_secs: 0.0,
        payments: 0,
    };

    /// A policy run over a series of samples, one every `every`, from a fixed start.
    struct Run {
        policy: Policy,
        memory: Memory,
        t0: Instant,
        now: Instant,
        changes: Vec<(Duration, Decision)>,
    }

    impl Run {
        fn new(policy: Policy, workers: u32) -> Self {
            let t0 = Instant::now();
            Self {
                policy,
                memory: Memory::start(workers, t0),
                t0,
                now: t0,
                changes: Vec::new(),
            }
        }

        /// One sample at the current time; returns the decision.
        fn sample(&mut self, s: Signal) -> Decision {
            let (d, m) = decide(&self.policy, self.memory, &s, self.now);
            assert_eq!(m.workers, d.to, "memory follows the decision");
            assert!(
                (self.policy.min..=self.policy.max).contains(&d.to),
                "{} outside [{}, {}]",
                d.to,
                self.policy.min,
                self.policy.max
            );
            if d.direction().is_some() {
                self.changes.push((self.now - self.t0, d.clone()));
            }
            self.memory = m;
            d
        }

        fn at(&mut self, secs: f64, s: Signal) -> Decision {
            self.now = self.t0 + Duration::from_secs_f64(secs);
            self.sample(s)
        }

        fn workers(&self) -> u32 {
            self.memory.workers
        }
    }

    #[test]
    fn a_count_below_the_minimum_is_raised_at_once_to_what_the_backlog_needs() {
        let mut p = policy();
        p.min = 2;
        let mut run = Run::new(p, 0);
        let d = run.at(0.0, IDLE);
        assert_eq!((d.from, d.to), (0, 2));
        assert!(d.reason.contains("below the minimum of 2"), "{}", d.reason);

        // Below the minimum during a burst: straight to what the depth needs, and without
        // waiting for the up-cooldown of a scale-up a second earlier.
        let mut run = Run::new(policy(), 3);
        run.at(0.0, waiting(1000));
        assert_eq!(run.workers(), 5);
        run.memory.workers = 0; // every worker died
        let d = run.at(1.0, waiting(1000));
        assert_eq!((d.from, d.to), (0, 5), "{}", d.reason);
    }

    #[test]
    fn a_count_above_the_maximum_is_lowered_at_once() {
        let mut run = Run::new(policy(), 12);
        let d = run.at(0.0, waiting(5000));
        assert_eq!((d.from, d.to), (12, 8));
        assert!(d.reason.contains("above the maximum of 8"), "{}", d.reason);
    }

    #[test]
    fn up_goes_straight_to_what_the_depth_needs() {
        let mut run = Run::new(policy(), 1);
        let d = run.at(0.0, waiting(850));
        assert_eq!((d.from, d.to), (1, 5), "ceil(850 / 200)");
        assert_eq!(d.direction(), Some(Direction::Up));
        assert_eq!(
            d.reason,
            "850 waiting (850 holds, 0 payments) need 5 workers at 200 each"
        );
    }

    #[test]
    fn payments_waiting_count_in_the_depth() {
        let mut run = Run::new(policy(), 1);
        let d = run.at(
            0.0,
            Signal {
                holds: 150,
                oldest_hold_secs: 0.1,
                payments: 300,
            },
        );
        assert_eq!(d.to, 3, "ceil(450 / 200): {}", d.reason);
    }

    #[test]
    fn the_age_of_payments_is_not_a_reason_to_scale() {
        // The provider is down: 40 payments wait, for ten minutes. Nothing to add.
        let backlog = |kind: &'static str| Backlog {
            kind,
            waiting: 40,
            not_admitted: 0,
            oldest_secs: 600.0,
        };
        let s = Signal::from_backlog(&[backlog("payment")]);
        assert_eq!(
            s,
            Signal {
                holds: 0,
                oldest_hold_secs: 0.0,
                payments: 40
            }
        );
        let mut run = Run::new(policy(), 1);
        for t in 0..100 {
            run.at(f64::from(t), s);
        }
        assert_eq!(run.workers(), 1, "{:?}", run.changes);
        // The same wait on hold requests, which workers do serve, doubles them.
        let s = Signal::from_backlog(&[backlog("hold")]);
        assert_eq!(s.oldest_hold_secs, 600.0);
        assert_eq!(run.at(100.0, s).to, 2);
    }

    #[test]
    fn up_is_capped_at_the_maximum() {
        let mut run = Run::new(policy(), 2);
        let d = run.at(0.0, waiting(100_000));
        assert_eq!(d.to, 8);
        assert!(
            d.reason.ends_with("capped at the maximum of 8"),
            "{}",
            d.reason
        );
    }

    #[test]
    fn the_first_scale_up_needs_no_cooldown_and_the_next_waits_for_it() {
        let mut run = Run::new(policy(), 1);
        assert_eq!(run.at(0.0, waiting(300)).to, 2, "at once after start");
        let d = run.at(4.0, waiting(900));
        assert_eq!(d.to, 2, "within the up-cooldown");
        assert!(d.reason.contains("up-cooldown, 6 s left"), "{}", d.reason);
        assert_eq!(run.at(9.9, waiting(900)).to, 2);
        assert_eq!(run.at(10.0, waiting(900)).to, 5, "as soon as it allows");
    }

    #[test]
    fn a_scale_down_does_not_delay_the_next_scale_up() {
        let mut run = Run::new(policy(), 3);
        run.at(0.0, IDLE);
        assert_eq!(run.at(30.0, IDLE).to, 2);
        assert_eq!(
            run.at(31.0, waiting(1000)).to,
            5,
            "a new burst is answered at once"
        );
    }

    #[test]
    fn an_old_hold_request_adds_one_worker_and_a_much_older_one_doubles_them() {
        let old = |secs: f64| Signal {
            holds: 50,
            oldest_hold_secs: secs,
            payments: 0,
        };
        let mut run = Run::new(policy(), 2);
        assert_eq!(run.at(0.0, old(4.9)).to, 2, "under the target");
        let d = run.at(1.0, old(6.0));
        assert_eq!(d.to, 3, "{}", d.reason);
        assert_eq!(
            d.reason,
            "oldest hold request waited 6.00 s, over the target of 5 s (50 holds waiting): 3 workers"
        );
        let d = run.at(11.0, old(10.5));
        assert_eq!(d.to, 6, "twice as many past twice the target: {}", d.reason);
        assert!(d.reason.contains("over twice the target"), "{}", d.reason);
        assert_eq!(run.at(21.0, old(30.0)).to, 8, "never past the maximum");
    }

    #[test]
    fn a_few_old_requests_do_not_add_workers() {
        // Two requests wait 40 s (their jobs were lost; the sweeper re-drives them): both can
        // be in the hands of the two workers running, so more would not help.
        let mut run = Run::new(policy(), 2);
        for t in 0..60 {
            run.at(
                f64::from(t),
                Signal {
                    holds: 2,
                    oldest_hold_secs: 40.0,
                    payments: 0,
                },
            );
        }
        assert_eq!(run.workers(), 2, "{:?}", run.changes);
    }

    #[test]
    fn a_zero_age_target_turns_the_age_rule_off() {
        let mut p = policy();
        p.oldest_target = Duration::ZERO;
        let mut run = Run::new(p, 1);
        let old = Signal {
            holds: 150,
            oldest_hold_secs: 100.0,
            payments: 0,
        };
        assert_eq!(run.at(0.0, old).to, 1);
        // And age does not keep it from going down either.
        let mut run = Run::new(run.policy.clone(), 3);
        run.at(0.0, old);
        assert_eq!(run.at(30.0, old).to, 2);
    }

    #[test]
    fn down_goes_one_step_per_cooldown_to_the_minimum() {
        let mut run = Run::new(policy(), 4);
        for t in 0..200 {
            run.at(f64::from(t), IDLE);
        }
        let steps: Vec<(u64, u32, u32)> = run
            .changes
            .iter()
            .map(|(at, d)| (at.as_secs(), d.from, d.to))
            .collect();
        assert_eq!(steps, [(30, 4, 3), (60, 3, 2), (90, 2, 1)]);
        assert!(
            run.changes[0]
                .1
                .reason
                .contains("small for 30.0 s, one worker fewer"),
            "{}",
            run.changes[0].1.reason
        );
    }

    #[test]
    fn down_waits_a_cooldown_after_a_scale_up() {
        let mut run = Run::new(policy(), 1);
        assert_eq!(run.at(100.0, waiting(700)).to, 4);
        // The burst ends at once; the backlog is small from the next sample on, and stays
        // so for a whole cooldown from then.
        for t in 101..131 {
            assert_eq!(run.at(f64::from(t), IDLE).to, 4, "at {t}");
        }
        assert_eq!(run.at(131.0, IDLE).to, 3);
    }

    #[test]
    fn down_needs_the_backlog_small_for_a_whole_cooldown() {
        let mut run = Run::new(policy(), 3);
        // Small is at most 200 waiting for 2 workers (half of 2 x 200).
        run.at(0.0, waiting(150));
        run.at(25.0, waiting(150));
        run.at(26.0, waiting(250)); // a busier sample restarts the quiet window
        assert_eq!(run.at(40.0, waiting(150)).to, 3);
        assert_eq!(run.at(69.0, waiting(150)).to, 3);
        assert_eq!(run.at(70.0, waiting(150)).to, 2, "30 s quiet since 40 s");
    }

    #[test]
    fn an_old_hold_request_keeps_the_count_from_going_down() {
        let mut run = Run::new(policy(), 3);
        for t in 0..120 {
            run.at(
                f64::from(t),
                Signal {
                    holds: 3,
                    oldest_hold_secs: 2.6,
                    payments: 0,
                },
            );
        }
        assert_eq!(run.workers(), 3, "2.6 s is over half the 5 s target");
    }

    #[test]
    fn a_noisy_signal_does_not_flap() {
        // About 300 waiting with +-40 % noise, sampled every 2 s for an hour: up to what the
        // peaks need, then no change either way.
        let mut run = Run::new(policy(), 1);
        let mut x: u64 = 12345;
        for i in 0..1800 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let noise = (x >> 33) % 241; // 0..=240
            let s = Signal {
                holds: 180 + noise,
                oldest_hold_secs: 0.4 + (noise as f64) / 100.0,
                payments: 0,
            };
            run.at(f64::from(i) * 2.0, s);
        }
        assert!(
            run.changes
                .iter()
                .all(|(_, d)| d.direction() == Some(Direction::Up)),
            "never down while the level stays: {:?}",
            run.changes
        );
        assert!(run.changes.len() <= 2, "{:?}", run.changes);
        assert_eq!(run.workers(), 3, "ceil(420 / 200)");
    }

    #[test]
    fn a_signal_swinging_across_the_up_threshold_changes_the_count_once() {
        // 150 and 250 in turn: 250 needs 2 workers; 150 is not small enough for 1 (100).
        let mut run = Run::new(policy(), 1);
        for i in 0..600 {
            run.at(f64::from(i), waiting(if i % 2 == 0 { 150 } else { 250 }));
        }
        assert_eq!(run.changes.len(), 1, "{:?}", run.changes);
        assert_eq!(run.workers(), 2);
    }

    /// A burst through a model of the system: 5,000 requests arrive over 20 s (250 a
    /// second), each worker finishes 40 a second, the autoscaler samples every 2 s. It scales
    /// up within a sample, to the maximum, and back down to the minimum one step per
    /// cooldown once the burst has drained.
    #[test]
    fn a_burst_scales_up_then_back_down_to_the_minimum() {
        let mut p = policy();
        p.max = 6;
        let mut run = Run::new(p, 1);
        let mut backlog = 0.0_f64;
        let mut arrived = 0.0;
        let mut drained_at = None;
        for i in 0..150 {
            let t = f64::from(i) * 2.0;
            if t < 20.0 {
                backlog += 500.0;
                arrived += 500.0;
            }
            backlog = (backlog - 2.0 * 40.0 * f64::from(run.workers())).max(0.0);
            if backlog == 0.0 && arrived >= 5000.0 && drained_at.is_none() {
                drained_at = Some(t);
            }
            run.at(
                t,
                Signal {
                    holds: backlog as u64,
                    oldest_hold_secs: backlog / (40.0 * f64::from(run.workers())),
                    payments: 0,
                },
            );
        }
        let ups: Vec<_> = run
            .changes
            .iter()
            .filter(|(_, d)| d.direction() == Some(Direction::Up))
            .collect();
        let downs: Vec<_> = run
            .changes
            .iter()
            .filter(|(_, d)| d.direction() == Some(Direction::Down))
            .collect();
        assert!(
            ups[0].0 <= Duration::from_secs(2),
            "up within a sample: {:?}",
            run.changes
        );
        assert_eq!(
            run.changes.iter().map(|(_, d)| d.to).max(),
            Some(6),
            "{:?}",
            run.changes
        );
        assert_eq!(run.workers(), 1, "back to the minimum: {:?}", run.changes);
        assert!(
            downs.iter().all(|(_, d)| d.from - d.to == 1),
            "one step at a time"
        );
        assert!(
            downs
                .windows(2)
                .all(|w| w[1].0 - w[0].0 >= Duration::from_secs(30)),
            "a cooldown between steps: {:?}",
            downs
        );
        let last_up = ups.last().unwrap().0;
        assert!(
            downs.iter().all(|(at, _)| *at > last_up),
            "no down before the last up (no flapping): {:?}",
            run.changes
        );
        let drained = Duration::from_secs_f64(drained_at.expect("the burst drained"));
        assert!(
            downs[0].0 >= drained,
            "down only after the burst drained: {:?}",
            run.changes
        );
    }
}
