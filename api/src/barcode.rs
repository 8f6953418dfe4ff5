//! The boarding pass's barcode: its BCBP string as a PDF417 symbol (the symbology IATA's
//! Resolution 792 names for paper passes; scanners at every airport read it), drawn as SVG
//! on the server. Encoded with the `pdf417` crate; read back in the browser test by an
//! independent reader (zxing-cpp).
//!
//! `GET /boarding-passes/{checkin_id}/barcode.svg` with the session's bearer token: plain
//! poem, outside the OpenAPI document (an image, not JSON).

use checkin_domain::{DomainError, boarding_pass, types::CheckinId};
use pdf417::{PDF417, PDF417Encoder};
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Path},
};

use crate::state::AppState;

/// Data columns and rows: 272 codewords, room for the longest BCBP the database keeps (255
/// characters, at worst one codeword each) with error correction level 2 or more; our passes
/// (119 characters, about 70 codewords) get level 6. About 2:1 wide.
const COLS: u8 = 8;
const ROWS: u8 = 34;
/// The longest text accepted: the encoder panics past its capacity, so longer is refused.
const MAX_TEXT: usize = 255;
/// Module height in module widths (the standard asks at least 3).
const ROW_HEIGHT: usize = 3;
/// Quiet zone, in modules, on every side.
const QUIET: usize = 2;

/// The PDF417 symbol of `text` as an SVG document, or `None` if it does not fit.
pub fn pdf417_svg(text: &str) -> Option<String> {
    if text.len() > MAX_TEXT || !text.is_ascii() {
        return None;
    }
    let mut codewords = vec![0u16; ROWS as usize * COLS as usize];
    let encoder = PDF417Encoder::new(&mut codewords, false).append_ascii(text);
    if encoder.count() > encoder.capacity() {
        return None;
    }
    let (level, _) = encoder.fit_seal()?;
    let width = pdf417::START_PATTERN_LEN as usize
        + 17
        + COLS as usize * 17
        + 17
        + pdf417::END_PATTERN_LEN as usize;
    let mut modules = vec![false; width * ROWS as usize];
    PDF417::new(&codewords, ROWS, COLS, level).render(&mut modules[..]);
    let (w, h) = (width + 2 * QUIET, ROWS as usize * ROW_HEIGHT + 2 * QUIET);
    let mut path = String::new();
    for (row, line) in modules.chunks(width).enumerate() {
        let y = QUIET + row * ROW_HEIGHT;
        let mut x = 0;
        while x < width {
            if line[x] {
                let start = x;
                while x < width && line[x] {
                    x += 1;
                }
                path.push_str(&format!(
                    "M{} {}h{}v{}h-{}z",
                    QUIET + start,
                    y,
                    x - start,
                    ROW_HEIGHT,
                    x - start
                ));
            } else {
                x += 1;
            }
        }
    }
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{pw}\" height=\"{ph}\" shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"PDF417 barcode of the boarding pass\"><rect width=\"{w}\" height=\"{h}\" fill=\"#fff\"/><path fill=\"#000\" d=\"{path}\"/></svg>",
        pw = w * 3,
        ph = h * 3,
    ))
}

fn status(code: StatusCode, body: &'static str) -> Response {
    Response::builder()
        .status(code)
        .content_type("text/plain")
        .body(body)
}

/// The barcode of a confirmed check-in of the caller's booking.
#[handler]
pub async fn boarding_pass_svg(
    state: Data<&AppState>,
    req: &Request,
    id: Path<String>,
) -> Response {
    let Some(token) = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    else {
        return status(StatusCode::UNAUTHORIZED, "a session token is required");
    };
    let Ok(id) = CheckinId::parse(&id) else {
        return status(StatusCode::NOT_FOUND, "no such check-in");
    };
    let booking = match state.sessions.authenticate(&state.db, token).await {
        Ok(b) => b,
        Err(_) => return status(StatusCode::UNAUTHORIZED, "unknown or expired session"),
    };
    match boarding_pass::get_boarding_pass(&state.db, &booking, &id).await {
        Ok(pass) => match pdf417_svg(&pass.barcode) {
            Some(svg) => Response::builder()
                .content_type("image/svg+xml")
                .header("Cache-Control", "private, max-age=300")
                .body(svg),
            None => {
                tracing::error!(checkin.id = %id, "A boarding pass does not fit its barcode.");
                status(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "an internal error occurred",
                )
            }
        },
        Err(DomainError::CheckinNotFound) => status(StatusCode::NOT_FOUND, "no such check-in"),
        Err(DomainError::NotConfirmed(_)) => {
            status(StatusCode::CONFLICT, "the check-in is not confirmed yet")
        }
        Err(e) => {
            tracing::error!(error = %e, "Boarding pass barcode failed.");
            status(
                StatusCode::INTERNAL_SERVER_ERROR,
                "an internal error occurred",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bcbp_fits_the_symbol() {
        let bcbp = "M1MULLERLUDENSCHEIDT/AEDEMO01 LHRBCNCI 0100 336Y010C0007 13B>60B0WW6335BCI 2A                0CI                    0   N";
        let svg = pdf417_svg(bcbp).expect("fits");
        if let Ok(path) = std::env::var("BARCODE_SVG_OUT") {
            std::fs::write(path, &svg).unwrap();
        }
        assert!(svg.starts_with("<svg") && svg.contains("<path"));
        assert!(
            pdf417_svg(&"X".repeat(2000)).is_none(),
            "too long is refused, not cut"
        );
        // The worst case for text compaction (a shift for every other character) at the
        // longest length accepted still fits, rather than panicking in the encoder.
        assert!(pdf417_svg(&"a!".repeat(MAX_TEXT / 2)).is_some());
    }
}
