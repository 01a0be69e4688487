//! A misbehaving HTTP server on loopback: it answers every request with one fixed reply, or
//! accepts and never answers. It records the request line of everything it receives.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;

/// What the server does with each request.
#[derive(Debug, Clone)]
pub enum Behaviour {
    /// Answers `status` with this `Content-Type` (none when `None`) and body.
    Reply {
        status: u16,
        content_type: Option<&'static str>,
        body: String,
    },
    /// Reads the request and never answers (the connection stays open).
    Hang,
}

impl Behaviour {
    /// A `200 OK` answer with `Content-Type: application/json`.
    pub fn json(body: &str) -> Self {
        Behaviour::Reply {
            status: 200,
            content_type: Some("application/json"),
            body: body.to_string(),
        }
    }
}

#[derive(Default)]
struct Shared {
    requests: Mutex<Vec<String>>,
    behaviour: Mutex<Option<Behaviour>>,
    /// Connections of hung requests, held open until the server is dropped.
    held: Mutex<Vec<TcpStream>>,
    closing: AtomicBool,
}

/// A running loopback server; stops (and closes every held connection) on drop.
pub struct Loopback {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub url: String,
    shared: Arc<Shared>,
    port: u16,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Loopback {
    /// Starts a server with `behaviour`.
    pub fn start(behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
        let port = listener.local_addr().expect("local address").port();
        let shared = Arc::new(Shared::default());
        *lock(&shared.behaviour) = Some(behaviour);
        let accepting = shared.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                if accepting.closing.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let serving = accepting.clone();
                thread::spawn(move || serve(&serving, stream));
            }
        });
        Loopback {
            url: format!("http://127.0.0.1:{port}"),
            shared,
            port,
        }
    }

    /// Changes what the server does with the next requests.
    pub fn set(&self, behaviour: Behaviour) {
        *lock(&self.shared.behaviour) = Some(behaviour);
    }

    /// The request lines received so far (`GET /v1/cwobject/access-policy`), in order.
    pub fn requests(&self) -> Vec<String> {
        lock(&self.shared.requests).clone()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.shared.closing.store(true, Ordering::SeqCst);
        lock(&self.shared.held).clear();
        // Wakes the accept loop so that it sees `closing`.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Serves the requests of one connection until it closes.
fn serve(shared: &Shared, stream: TcpStream) {
    let Ok(reading) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(reading);
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut content_length = 0usize;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; content_length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let request = request_line
            .trim_end()
            .trim_end_matches(" HTTP/1.1")
            .to_string();
        lock(&shared.requests).push(request);
        if shared.closing.load(Ordering::SeqCst) {
            return;
        }
        let behaviour = lock(&shared.behaviour).clone();
        match behaviour {
            None | Some(Behaviour::Hang) => {
                lock(&shared.held).push(writer);
                return;
            }
            Some(Behaviour::Reply {
                status,
                content_type,
                body,
            }) => {
                let mut head = format!(
                    "HTTP/1.1 {status} Status\r\nContent-Length: {}\r\n",
                    body.len()
                );
                if let Some(content_type) = content_type {
                    head.push_str(&format!("Content-Type: {content_type}\r\n"));
                }
                head.push_str("\r\n");
                if writer.write_all(head.as_bytes()).is_err()
                    || writer.write_all(body.as_bytes()).is_err()
                {
                    return;
                }
            }
        }
    }
}
