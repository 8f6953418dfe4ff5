//! What stands between the network and the dashboard:
//!
//! - HTTP basic auth, compared in constant time (SHA-256 of both sides, so neither the
//!   length nor a prefix leaks through timing, compared with `subtle`'s `ConstantTimeEq`);
//! - failed logins limited per client address: after [`MAX_FAILURES`] within
//!   [`FAILURE_WINDOW`], every attempt from it gets a 429 until the window has passed;
//! - POSTs only from the dashboard's own pages: the `Origin` (or else `Referer`) must be this
//!   host, and `X-CSRF-Token` must carry the token `/api/session` hands out;
//! - security headers on every answer: a CSP allowing only the dashboard's own scripts and
//!   styles, no framing, no referrer, no MIME sniffing.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use poem::{
    Endpoint, IntoResponse, Request, Response,
    http::{Method, StatusCode, header},
    web::headers::{Authorization, HeaderMapExt, authorization::Basic},
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error;

/// Failed logins allowed per address within [`FAILURE_WINDOW`].
pub const MAX_FAILURES: u32 = 10;
pub const FAILURE_WINDOW: Duration = Duration::from_secs(300);

/// The signed-in operator, as handlers read it.
#[derive(Debug, Clone)]
pub struct OperatorName(pub String);

pub struct Guard {
    user: [u8; 32],
    password: [u8; 32],
    user_name: String,
    csrf: String,
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

/// Equal in time independent of where they differ (`subtle` keeps the compiler from
/// turning the comparison back into an early exit).
fn same(a: &[u8; 32], b: &[u8; 32]) -> bool {
    bool::from(a.ct_eq(b))
}

impl Guard {
    pub fn new(user: &str, password: &str) -> Self {
        let mut token = [0u8; 24];
        rand::fill(&mut token);
        Self {
            user: digest(user),
            password: digest(password),
            user_name: user.to_owned(),
            csrf: hex::encode(token),
            failures: Mutex::new(HashMap::new()),
        }
    }

    pub fn csrf_token(&self) -> &str {
        &self.csrf
    }

    fn blocked(&self, ip: Option<IpAddr>) -> Option<Duration> {
        let ip = ip?;
        let mut f = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let (n, since) = *f.get(&ip)?;
        let elapsed = since.elapsed();
        if elapsed >= FAILURE_WINDOW {
            f.remove(&ip);
            return None;
        }
        (n >= MAX_FAILURES).then(|| FAILURE_WINDOW - elapsed)
    }

    fn failed(&self, ip: Option<IpAddr>) {
        let Some(ip) = ip else { return };
        let mut f = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if f.len() > 10_000 {
            f.retain(|_, (_, since)| since.elapsed() < FAILURE_WINDOW);
        }
        let e = f.entry(ip).or_insert((0, Instant::now()));
        e.0 += 1;
    }

    fn authenticated(&self, req: &Request) -> bool {
        req.headers()
            .typed_get::<Authorization<Basic>>()
            .is_some_and(|a| {
                // Both compared, always: no early exit on a wrong user.
                let user = same(&digest(a.username()), &self.user);
                let password = same(&digest(a.password()), &self.password);
                user & password
            })
    }

    /// A POST from one of this dashboard's own pages: same origin, and the page's token.
    fn same_origin_post(&self, req: &Request) -> Result<(), &'static str> {
        let host = req
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .ok_or("no Host header")?;
        let from = req
            .headers()
            .get(header::ORIGIN)
            .or_else(|| req.headers().get(header::REFERER))
            .and_then(|h| h.to_str().ok())
            .ok_or("a POST needs an Origin or Referer header")?;
        let origin_host = from
            .strip_prefix("http://")
            .or_else(|| from.strip_prefix("https://"))
            .map(|rest| rest.split('/').next().unwrap_or(""))
            .ok_or("bad Origin")?;
        if origin_host != host {
            return Err("cross-origin POST refused");
        }
        let token = req
            .headers()
            .get("x-csrf-token")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        if !same(&digest(token), &digest(&self.csrf)) {
            return Err("missing or wrong X-CSRF-Token");
        }
        Ok(())
    }

    pub async fn check<E: Endpoint>(
        self: Arc<Self>,
        ep: Arc<E>,
        mut req: Request,
    ) -> poem::Result<Response> {
        let ip = req.remote_addr().as_socket_addr().map(|a| a.ip());
        if let Some(wait) = self.blocked(ip) {
            let mut r = error(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_failed_logins",
                "too many failed logins from this address; try again later",
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, wait.as_secs().max(1).into());
            return Ok(r);
        }
        if !self.authenticated(&req) {
            if req.headers().contains_key(header::AUTHORIZATION) {
                self.failed(ip);
            }
            return Ok(Response::builder()
                .status(StatusCode::UNAUTHORIZED)
                .header("WWW-Authenticate", "Basic realm=\"check-in operations\"")
                .body("authentication required"));
        }
        if req.method() == Method::POST
            && let Err(why) = self.same_origin_post(&req)
        {
            return Ok(error(StatusCode::FORBIDDEN, "csrf_refused", why));
        }
        req.extensions_mut()
            .insert(OperatorName(self.user_name.clone()));
        Ok(ep.call(req).await?.into_response())
    }
}

/// The page loads only its own scripts and styles (uPlot is vendored), talks only to its own
/// origin, and cannot be framed.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

pub async fn security_headers<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let mut r = ep.call(req).await?.into_response();
    let h = r.headers_mut();
    h.insert(
        "Content-Security-Policy",
        CSP.parse().expect("valid header"),
    );
    h.insert("X-Frame-Options", "DENY".parse().expect("valid header"));
    h.insert(
        "Referrer-Policy",
        "no-referrer".parse().expect("valid header"),
    );
    h.insert(
        "X-Content-Type-Options",
        "nosniff".parse().expect("valid header"),
    );
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_failed_logins_block_the_address_for_the_window() {
        let g = Guard::new("ops", "correct horse");
        let ip = Some("10.0.0.1".parse().unwrap());
        for _ in 0..MAX_FAILURES - 1 {
            g.failed(ip);
        }
        assert!(g.blocked(ip).is_none());
        g.failed(ip);
        let wait = g.blocked(ip).expect("blocked");
        assert!(wait <= FAILURE_WINDOW && wait > FAILURE_WINDOW - Duration::from_secs(5));
        assert!(g.blocked(Some("10.0.0.2".parse().unwrap())).is_none());
    }

    #[test]
    fn digests_compare_equal_only_when_equal() {
        assert!(same(&digest("a"), &digest("a")));
        assert!(!same(&digest("a"), &digest("b")));
    }
}
