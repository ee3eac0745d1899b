//! Free TCP ports for servers the tests start.

use std::net::{Ipv4Addr, TcpListener};

/// A port on 127.0.0.1 that was free a moment ago. Another process may take it before the
/// server binds it; [`crate::RunningServer::start`] retries with a new port when that happens.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("binding 127.0.0.1:0 to find a free port");
    listener.local_addr().expect("a bound listener has an address").port()
}
