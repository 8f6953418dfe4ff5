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

/// A loopback port free a moment ago, for a child process to bind. The child binds it
/// after this returns, so another process may take it first; children that fail to start
/// say so in their log (see [`crate::harness::proc::Proc::wait_ready`]).
pub fn free_port() -> u16 {
    bind_loopback().1
}

/// `127.0.0.1:<a free port>`, for a child process's bind setting.
pub fn free_address() -> String {
    format!("127.0.0.1:{}", free_port())
}
