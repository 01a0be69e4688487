//! How the binary lives under Terraform: the go-plugin handshake, Ctrl-C and stop requests, and
//! logging to Terraform's log.

pub mod handshake;
pub mod interrupt;
pub mod logging;
