//! Security headers on every answer of the public listener. Pages get a Content-Security-
//! Policy that allows their own inline script by its SHA-256 (computed here from the very
//! text served, so editing the page cannot leave a stale hash) and nothing from elsewhere;
//! no page may be framed (`frame-ancestors 'none'`, and `X-Frame-Options: DENY` for older
//! browsers); no referrer leaves; no MIME sniffing. JSON answers get a policy that allows
//! nothing at all.

use std::sync::Arc;

use base64::{Engine, engine::general_purpose::STANDARD};
use poem::{
    Endpoint, IntoResponse, Request, Response,
    http::{HeaderValue, header},
};
use sha2::{Digest, Sha256};

/// The `'sha256-…'` sources of every inline `<script>` of a page.
fn script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body = &after[open_end + 1..];
        let Some(close) = body.find("</script>") else {
            break;
        };
        if !tag.contains("src=") {
            let digest = Sha256::digest(&body.as_bytes()[..close]);
            hashes.push(format!("'sha256-{}'", STANDARD.encode(digest)));
        }
        rest = &body[close..];
    }
    hashes
}

/// The policy for a page whose inline scripts are those of `html`.
pub fn page_csp(html: &str) -> HeaderValue {
    let policy = format!(
        "default-src 'self'; script-src 'self' {}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'",
        script_hashes(html).join(" ")
    );
    HeaderValue::from_str(&policy).expect("a policy is ASCII")
}

/// The headers of the public listener: `pages` maps a path to its page's policy.
pub struct SecurityHeaders {
    pages: Vec<(&'static str, HeaderValue)>,
}

const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

impl SecurityHeaders {
    pub fn new(pages: Vec<(&'static str, HeaderValue)>) -> Self {
        Self { pages }
    }

    pub async fn add<E: Endpoint>(
        self: Arc<Self>,
        ep: Arc<E>,
        req: Request,
    ) -> poem::Result<Response> {
        let path = req.uri().path().trim_end_matches('/').to_owned();
        let mut resp = ep.call(req).await?.into_response();
        let csp = self
            .pages
            .iter()
            .find(|(p, _)| p.trim_end_matches('/') == path)
            .map_or_else(|| HeaderValue::from_static(API_CSP), |(_, csp)| csp.clone());
        let h = resp.headers_mut();
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_scripts_with_a_source_are_not() {
        // `printf 'alert(1)' | openssl dgst -sha256 -binary | base64`
        let html = "<p><script>alert(1)</script><script src=\"/x.js\"></script>";
        assert_eq!(
            script_hashes(html),
            ["'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"]
        );
    }
}
