//! Login guessing: `create_session` attempts are limited per client address and per PNR,
//! with governor's GCRA limiters (a burst, then a steady rate). Over either limit the answer
//! is 429 `too_many_attempts` with `Retry-After`, before the database is asked anything, so
//! a guesser learns nothing and costs nothing.
//!
//! Limits are kept per API process: with N API processes behind a balancer an attacker gets
//! at most N times the rate (docs/security.md).

use std::{net::IpAddr, num::NonZeroU32, time::Duration};

use governor::{
    DefaultKeyedRateLimiter, Quota, RateLimiter,
    clock::{Clock, DefaultClock},
};

/// How many login attempts a client address and a PNR may make: `burst` at once, then one
/// every `60 / per_minute` seconds. `None` turns a limit off.
#[derive(Debug, Clone, Copy)]
pub struct LoginLimitConfig {
    pub per_address_per_minute: Option<NonZeroU32>,
    pub per_address_burst: NonZeroU32,
    pub per_pnr_per_minute: Option<NonZeroU32>,
    pub per_pnr_burst: NonZeroU32,
}

/// The limiters of one API process.
pub struct LoginLimits {
    by_address: Option<DefaultKeyedRateLimiter<IpAddr>>,
    by_pnr: Option<DefaultKeyedRateLimiter<String>>,
}

fn limiter<K: std::hash::Hash + Eq + Clone>(
    per_minute: Option<NonZeroU32>,
    burst: NonZeroU32,
) -> Option<DefaultKeyedRateLimiter<K>> {
    per_minute.map(|rate| RateLimiter::keyed(Quota::per_minute(rate).allow_burst(burst)))
}

impl LoginLimits {
    pub fn new(cfg: &LoginLimitConfig) -> Self {
        Self {
            by_address: limiter(cfg.per_address_per_minute, cfg.per_address_burst),
            by_pnr: limiter(cfg.per_pnr_per_minute, cfg.per_pnr_burst),
        }
    }

    /// No limits (tests that log hundreds of passengers in from one address).
    pub fn unlimited() -> Self {
        Self {
            by_address: None,
            by_pnr: None,
        }
    }

    /// Counts one attempt; `Err(wait)` when the address or the PNR is over its limit.
    /// Both are counted, so spreading guesses over PNRs or over addresses does not help.
    pub fn check(&self, address: Option<IpAddr>, pnr: &str) -> Result<(), Duration> {
        let now = DefaultClock::default().now();
        let mut wait = None::<Duration>;
        if let (Some(limiter), Some(ip)) = (&self.by_address, address)
            && let Err(not_until) = limiter.check_key(&ip)
        {
            wait = Some(not_until.wait_time_from(now));
        }
        if let Some(limiter) = &self.by_pnr
            && let Err(not_until) = limiter.check_key(&pnr.to_ascii_uppercase())
        {
            wait = Some(wait.unwrap_or_default().max(not_until.wait_time_from(now)));
        }
        // Forget keys that are back to full: memory stays bounded by recent attempts.
        if let Some(l) = &self.by_address
            && l.len() > 100_000
        {
            l.retain_recent();
        }
        if let Some(l) = &self.by_pnr
            && l.len() > 100_000
        {
            l.retain_recent();
        }
        wait.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pnr_over_its_burst_is_refused_from_any_address_with_a_wait() {
        let limits = LoginLimits::new(&LoginLimitConfig {
            per_address_per_minute: NonZeroU32::new(1000),
            per_address_burst: NonZeroU32::new(1000).unwrap(),
            per_pnr_per_minute: NonZeroU32::new(6),
            per_pnr_burst: NonZeroU32::new(3).unwrap(),
        });
        for i in 0..3u8 {
            let ip = IpAddr::from([10, 0, 0, i]);
            assert!(limits.check(Some(ip), "abc123").is_ok());
        }
        let wait = limits
            .check(Some(IpAddr::from([10, 0, 0, 9])), "ABC123")
            .unwrap_err();
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(10),
            "{wait:?}"
        );
        assert!(limits.check(None, "OTHER1").is_ok());
    }

    #[test]
    fn an_address_over_its_burst_is_refused_for_every_pnr() {
        let limits = LoginLimits::new(&LoginLimitConfig {
            per_address_per_minute: NonZeroU32::new(10),
            per_address_burst: NonZeroU32::new(2).unwrap(),
            per_pnr_per_minute: None,
            per_pnr_burst: NonZeroU32::new(1).unwrap(),
        });
        let ip = Some(IpAddr::from([192, 0, 2, 1]));
        assert!(limits.check(ip, "AAAAAA").is_ok());
        assert!(limits.check(ip, "BBBBBB").is_ok());
        assert!(limits.check(ip, "CCCCCC").is_err());
        assert!(
            limits
                .check(Some(IpAddr::from([192, 0, 2, 2])), "CCCCCC")
                .is_ok()
        );
    }
}
