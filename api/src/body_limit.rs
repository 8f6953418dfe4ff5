//! The request body limit: 16 KiB, for declared and chunked bodies alike.

use std::{sync::Arc, time::Duration};

use futures::StreamExt;
use poem::{
    Body, Endpoint, IntoResponse, Request, Response,
    http::{StatusCode, header},
};

/// Request bodies larger than this are refused with 413 (see [`limit_body`]).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Refuses bodies over [`MAX_BODY_BYTES`] with 413, whether `Content-Length` declares the
/// size or the body is chunked.
///
/// Before answering, the rest of an oversized body is read and thrown away (up to
/// [`DRAIN_MAX_BYTES`] within [`DRAIN_MAX_TIME`]), as nginx's lingering close does: a server
/// that answers and closes while the client is still sending makes the client's kernel see a
/// reset, and most HTTP clients then report a broken pipe instead of the 413. Bodies beyond
/// that bound get the 413 at once and the connection is closed.
pub async fn limit_body<E: Endpoint>(ep: Arc<E>, mut req: Request) -> poem::Result<Response> {
    let too_large = || {
        poem::Error::from_string(
            "request body is larger than 16 KiB",
            StatusCode::PAYLOAD_TOO_LARGE,
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    match declared {
        Some(n) if n > DRAIN_MAX_BYTES => return Err(too_large()),
        Some(n) if n > MAX_BODY_BYTES => {
            drain(req.take_body().into_bytes_stream()).await;
            return Err(too_large());
        }
        Some(_) => {}
        None if req.headers().contains_key(header::TRANSFER_ENCODING) => {
            let mut stream = std::pin::pin!(req.take_body().into_bytes_stream());
            let mut bytes = Vec::new();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|_| too_large())?;
                if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                    drain(stream).await;
                    return Err(too_large());
                }
                bytes.extend_from_slice(&chunk);
            }
            req.set_body(Body::from(bytes));
        }
        None => {}
    }
    Ok(ep.call(req).await?.into_response())
}

/// How much of an oversized body is read and discarded before the 413 goes out.
const DRAIN_MAX_BYTES: usize = 1 << 20;
/// How long an oversized body may take to arrive before the 413 goes out anyway.
const DRAIN_MAX_TIME: Duration = Duration::from_secs(5);

/// Reads and discards a body, bounded by [`DRAIN_MAX_BYTES`] and [`DRAIN_MAX_TIME`].
async fn drain<B: AsRef<[u8]>, E>(stream: impl futures::Stream<Item = Result<B, E>>) {
    let mut stream = std::pin::pin!(stream);
    let _ = tokio::time::timeout(DRAIN_MAX_TIME, async {
        let mut read = 0;
        while let Some(Ok(chunk)) = stream.next().await {
            read += chunk.as_ref().len();
            if read > DRAIN_MAX_BYTES {
                break;
            }
        }
    })
    .await;
}
