//! Stopping without dropping requests (`lifecycle`): the real binary, sent real signals,
//! spoken to over real connections, on the test database of either backend.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::*;

/// Far more than any phase may take here; only a hang exhausts it.
const PATIENCE: Duration = Duration::from_secs(60);

/// A `suits serve` process on a fresh database and a free port, its log read line by line.
struct Instance {
    child: Child,
    port: u16,
    log: Receiver<String>,
    seen: Vec<String>,
    _db: TestDb,
}

impl Instance {
    fn start(drain_seconds: u64) -> Instance {
        let (db, url) = TestDb::create();
        let mut child = Command::new(env!("CARGO_BIN_EXE_suits"))
            .env("DATABASE_URL", &url)
            .env("SUITS_BIND", "127.0.0.1:0")
            .env("SUITS_JWT_SECRET", JWT_SECRET)
            .env("SUITS_ADMIN_EMAIL", ADMIN_EMAIL)
            .env("SUITS_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("SUITS_DRAIN_SECONDS", drain_seconds.to_string())
            .env("SUITS_SHUTDOWN_TIMEOUT", "30")
            .env("RUST_LOG", "warn,suits=info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start suits");
        let stderr = child.stderr.take().unwrap();
        let (tx, log) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut instance = Instance {
            child,
            port: 0,
            log,
            seen: Vec::new(),
            _db: db,
        };
        let line = instance.wait_for_log("listening on http://");
        let addr = line
            .split("listening on http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .expect("an address after 'listening on'");
        instance.port = addr.rsplit(':').next().unwrap().parse().expect("a port");
        instance
    }

    /// The first log line from now on that contains `text`.
    fn wait_for_log(&mut self, text: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.log.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no log line with {text:?} (the process: {:?}); the log:\n{}",
                    self.child.try_wait(),
                    self.seen.join("\n")
                ),
            }
        }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name}");
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        stream
    }

    fn wait_for_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "the process did not exit; the log:\n{}",
            self.seen.join("\n")
        );
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 exchange's answer: status, lower-cased headers, body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn closes(&self) -> bool {
        self.header("connection") == Some("close")
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

fn request(method: &str, path: &str, body: Option<&Value>) -> Vec<u8> {
    let body = body.map(Value::to_string).unwrap_or_default();
    format!(
        "{method} {path} HTTP/1.1\r\nHost: suits.test\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Reads one answer (headers, then `Content-Length` bytes) from `stream`.
fn read_answer(stream: &mut TcpStream) -> Answer {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).expect("a status line");
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {line:?}"));
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).expect("a header line");
        let Some((name, value)) = line.trim_end().split_once(':') else {
            break;
        };
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).expect("the body");
    Answer {
        status,
        headers,
        body,
    }
}

fn exchange(stream: &mut TcpStream, method: &str, path: &str, body: Option<&Value>) -> Answer {
    stream.write_all(&request(method, path, body)).unwrap();
    read_answer(stream)
}

/// True once the server has closed `stream`: a read finds its end (rather than waiting
/// for more until it times out).
fn closed(stream: &mut TcpStream) -> bool {
    matches!(stream.read(&mut [0; 1]), Ok(0))
}

fn sign_in() -> Value {
    json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
}

/// From SIGTERM on, `/readyz` says 503 so the balancer stops sending, while everything that
/// still arrives, on connections old and new, is answered — each answer closing its
/// connection. A second signal ends the drain; the process then exits 0.
#[test]
fn a_draining_instance_is_not_ready_but_answers_each_request_and_closes_its_connection() {
    let mut instance = Instance::start(3600);
    let mut kept_alive = instance.connect();
    let ready = exchange(&mut kept_alive, "GET", "/readyz", None);
    assert_eq!(ready.status, 200);
    assert!(!ready.closes(), "kept alive before the signal");

    instance.signal("TERM");
    instance.wait_for_log("SIGTERM received: draining for 3600 s");

    let mut fresh = instance.connect();
    let not_ready = exchange(&mut fresh, "GET", "/readyz", None);
    assert_eq!(not_ready.status, 503);
    assert_eq!(
        not_ready.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(not_ready.json()["status"], 503);
    assert!(not_ready.json()["detail"]
        .as_str()
        .unwrap()
        .contains("shutting down"));
    assert!(not_ready.closes());
    assert!(
        closed(&mut fresh),
        "the connection is closed after the answer"
    );

    let mut fresh = instance.connect();
    let alive = exchange(&mut fresh, "GET", "/healthz", None);
    assert_eq!(alive.status, 200, "alive while draining");
    assert!(alive.closes());
    assert!(closed(&mut fresh));

    // A request on a connection the balancer kept open from before the signal.
    let token = exchange(
        &mut kept_alive,
        "POST",
        "/api/v1/auth/token",
        Some(&sign_in()),
    );
    assert_eq!(token.status, 200, "the API still serves");
    assert!(token.json()["access_token"].is_string());
    assert!(token.closes());
    assert!(closed(&mut kept_alive));

    instance.signal("TERM");
    instance.wait_for_log("SIGTERM received: drain cut short");
    instance.wait_for_log("stopped");
    let status = instance.wait_for_exit();
    assert!(status.success(), "exit status {status:?}");
}

/// A request still arriving when the drain ends and the listener closes is read to its end
/// and answered before the process exits 0.
#[test]
fn a_request_in_flight_when_the_listener_closes_is_answered_then_the_process_exits_0() {
    let mut instance = Instance::start(1);
    let mut in_flight = instance.connect();
    let whole = request("POST", "/api/v1/auth/token", Some(&sign_in()));
    let (first, rest) = whole.split_at(whole.len() - 10);
    in_flight.write_all(first).unwrap();

    instance.signal("TERM");
    instance.wait_for_log("no longer accepting connections");
    let deadline = Instant::now() + PATIENCE;
    while TcpStream::connect(("127.0.0.1", instance.port)).is_ok() {
        assert!(Instant::now() < deadline, "the listener never closed");
        std::thread::sleep(Duration::from_millis(20));
    }

    in_flight.write_all(rest).unwrap();
    let answer = read_answer(&mut in_flight);
    assert_eq!(answer.status, 200);
    assert!(answer.json()["access_token"].is_string());
    assert!(answer.closes());

    instance.wait_for_log("stopped");
    let status = instance.wait_for_exit();
    assert!(status.success(), "exit status {status:?}");
}

/// SIGINT (Ctrl-C) drains like SIGTERM; with `SUITS_DRAIN_SECONDS=0` the stop is at once.
#[test]
fn ctrl_c_without_a_drain_stops_at_once_and_exits_0() {
    let mut instance = Instance::start(0);
    instance.signal("INT");
    instance.wait_for_log("SIGINT received: stopping without a drain");
    instance.wait_for_log("stopped");
    let status = instance.wait_for_exit();
    assert!(status.success(), "exit status {status:?}");
}

/// In process, on the harness's app: what the drain changes and what it does not.
#[actix_web::test]
async fn only_readiness_changes_while_draining() {
    let app = TestApp::spawn().await;
    app.state.lifecycle.start_draining();
    let res = app.get("/readyz").send().await;
    res.problem(503);
    assert_eq!(app.get("/healthz").send().await.status, 200);
    let me = app.get("/api/v1/me").token(&app.admin_token()).send().await;
    assert_eq!(me.status, 200);
}
