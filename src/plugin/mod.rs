//! How the binary lives under Terraform: Ctrl-C and stop requests, and logging to Terraform's
//! log (the plugin server, `tf-plugin-server`, does the handshake and the protocol).

pub mod interrupt;
pub mod logging;
