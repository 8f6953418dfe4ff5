//! Loopback ports. All harness traffic stays on 127.0.0.1.

use std::net::TcpListener;

/// A listener on a free loopback port, bound now, and its port. A server of this process
/// serves on the listener itself, so no other test can take the port between choosing it
/// and serving on it.
pub fn bind_loopback() -> (TcpListener, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free loopback port");
    let port = listener.local_addr().expect("a bound address").port();
    (listener, port)
}

/// Ports handed to child processes: below Linux's default range for outgoing connections'
/// local ports (`ip_local_port_range`, 32768-60999). A port the kernel chose for a listener
/// (`bind_loopback`) comes from that range too, so between choosing it and the child's bind,
/// any of the thousands of connections a load run opens could take it (the bench once
/// failed so: a metrics listener found its port in use).
const CHILD_PORTS: std::ops::Range<u16> = 20_000..32_000;

/// A loopback port free a moment ago, for a child process to bind. Ports are taken in turn
/// from [`CHILD_PORTS`], from a random start per process, skipping any that is bound now; the
/// child binds it after this returns, so another process may still take it first: children
/// that fail to start say so in their log (see [`crate::harness::proc::Proc::wait_ready`]).
pub fn free_port() -> u16 {
    use std::sync::{
        OnceLock,
        atomic::{AtomicU16, Ordering},
    };
    static NEXT: OnceLock<AtomicU16> = OnceLock::new();
    let span = CHILD_PORTS.end - CHILD_PORTS.start;
    let next = NEXT.get_or_init(|| AtomicU16::new(rand::random_range(0..span)));
    for _ in 0..span {
        let port = CHILD_PORTS.start + next.fetch_add(1, Ordering::Relaxed) % span;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    bind_loopback().1
}

/// `127.0.0.1:<a free port>`, for a child process's bind setting.
pub fn free_address() -> String {
    format!("127.0.0.1:{}", free_port())
}
