//! Works around `tf-provider` never enabling `TCP_NODELAY` on its gRPC listener.
//!
//! Without `TCP_NODELAY`, every small gRPC reply waits for a delayed ACK (about 40 ms on Linux)
//! and a plan with many resources crawls. The crate keeps its listener private, but on Linux an
//! accepted socket inherits `TCP_NODELAY` from its listening socket, and Terraform connects only
//! after it has read the go-plugin handshake line from our stdout. So stdout is routed through a
//! pipe: when the handshake line passes, the listening socket bound to the announced address gets
//! `TCP_NODELAY`, and only then is the line forwarded to the real stdout.

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::os::fd::{BorrowedFd, FromRawFd};

use anyhow::{bail, Context, Result};

/// Parses the address out of a go-plugin handshake line (`1|6|tcp|127.0.0.1:PORT|grpc|...`).
pub fn handshake_address(line: &str) -> Option<SocketAddr> {
    let mut parts = line.trim_end().split('|');
    let (_core, _proto, network, address) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if network != "tcp" || parts.next()? != "grpc" {
        return None;
    }
    address.parse().ok()
}

/// Routes this process's stdout through a forwarding thread that enables `TCP_NODELAY` on the
/// plugin listener before the handshake line reaches Terraform.
pub fn install() -> Result<()> {
    // SAFETY: plain libc calls on file descriptors this function owns; results are checked.
    let (real_stdout, read_end) = unsafe {
        let saved = libc::dup(libc::STDOUT_FILENO);
        if saved < 0 {
            bail!("dup(stdout) failed: {}", std::io::Error::last_os_error());
        }
        let mut fds = [0; 2];
        if libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) != 0 {
            bail!("pipe2 failed: {}", std::io::Error::last_os_error());
        }
        if libc::dup2(fds[1], libc::STDOUT_FILENO) < 0 {
            bail!("dup2 failed: {}", std::io::Error::last_os_error());
        }
        libc::close(fds[1]);
        (File::from_raw_fd(saved), File::from_raw_fd(fds[0]))
    };
    std::thread::Builder::new()
        .name("stdout-forwarder".into())
        .spawn(move || forward(read_end, real_stdout))
        .context("spawning the stdout forwarder")?;
    Ok(())
}

fn forward(read_end: File, mut real_stdout: File) {
    let mut reader = BufReader::new(read_end);
    let mut line = String::new();
    while matches!(reader.read_line(&mut line), Ok(n) if n > 0) {
        if let Some(addr) = handshake_address(&line) {
            if let Err(e) = enable_nodelay_on_listener(addr) {
                tracing::warn!("could not enable TCP_NODELAY on the plugin listener: {e:#}");
            }
        }
        if real_stdout
            .write_all(line.as_bytes())
            .and_then(|()| real_stdout.flush())
            .is_err()
        {
            return;
        }
        line.clear();
    }
}

/// Finds this process's listening TCP socket bound to `addr` and sets `TCP_NODELAY` on it.
pub fn enable_nodelay_on_listener(addr: SocketAddr) -> Result<()> {
    for entry in std::fs::read_dir("/proc/self/fd").context("listing /proc/self/fd")? {
        let Some(fd) = entry
            .ok()
            .and_then(|e| e.file_name().to_str()?.parse::<i32>().ok())
        else {
            continue;
        };
        // SAFETY: the descriptor is only borrowed for the duration of the checks below; a
        // descriptor closed meanwhile makes the socket calls fail, which is handled.
        let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
        let socket = socket2::SockRef::from(&borrowed);
        let is_it = socket.local_addr().ok().and_then(|a| a.as_socket()) == Some(addr)
            && socket.r#type().ok() == Some(socket2::Type::STREAM);
        if is_it {
            socket
                .set_nodelay(true)
                .context("setsockopt(TCP_NODELAY)")?;
            return Ok(());
        }
    }
    bail!("no listening socket bound to {addr}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_go_plugin_handshake_line() {
        let line = "1|6|tcp|127.0.0.1:40123|grpc|\n";
        assert_eq!(
            handshake_address(line),
            Some("127.0.0.1:40123".parse().unwrap())
        );
        assert_eq!(
            handshake_address("1|6|tcp|127.0.0.1:1|grpc|MIIB...\n")
                .unwrap()
                .port(),
            1
        );
        assert_eq!(handshake_address("hello world\n"), None);
        assert_eq!(handshake_address("1|6|unix|/tmp/x|grpc|\n"), None);
    }

    #[test]
    fn accepted_sockets_inherit_nodelay_from_the_listener() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        enable_nodelay_on_listener(addr).unwrap();
        let _client = std::net::TcpStream::connect(addr).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        assert!(accepted.nodelay().unwrap());
    }
}
