//! A database outage: readiness answers within a second whatever the connection timeout,
//! requests fail fast with 503 once the pool knows the database is unreachable, and the
//! service recovers by itself when the database returns.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::helpers::*;

/// Far more than any answer may take here; each request that waited the full
/// `SUITS_DB_TIMEOUT` (60 s below) would blow it.
const PATIENCE: Duration = Duration::from_secs(20);

async fn within<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    actix_web::rt::time::timeout(PATIENCE, f)
        .await
        .unwrap_or_else(|_| panic!("{what} did not answer within {PATIENCE:?}"))
}

/// A TCP proxy in front of the database that can be cut, as a network or server failure
/// would: open connections are shut and new ones are closed as soon as they arrive.
pub struct Proxy {
    port: u16,
    cut: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
    stopped: Arc<AtomicBool>,
}

impl Proxy {
    fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = Arc::new(AtomicBool::new(false));
        let open = Arc::new(Mutex::new(Vec::new()));
        let stopped = Arc::new(AtomicBool::new(false));
        let (c, o, s) = (cut.clone(), open.clone(), stopped.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(client) = client else { continue };
                if c.load(Ordering::SeqCst) {
                    continue; // dropped: closed at once
                }
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                let mut open = o.lock().unwrap();
                open.push(client.try_clone().unwrap());
                open.push(server.try_clone().unwrap());
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
        Proxy {
            port,
            cut,
            open,
            stopped,
        }
    }

    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for stream in self.open.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    pub fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
        self.stopped.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 || to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}

/// `postgres://user@host:port/db` with host and port replaced by the proxy's.
fn through(url: &str, port: u16) -> (String, String) {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (authority, path) = rest.split_once('/').unwrap();
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((user, hostport)) => (format!("{user}@"), hostport),
        None => (String::new(), authority),
    };
    let routed = format!("{scheme}://{userinfo}127.0.0.1:{port}/{path}");
    (routed, hostport.to_owned())
}

/// An app whose database connections pass through a proxy the test can cut, with a long
/// connection timeout (so a fast failure is the service's own doing). Needs a database
/// server: on SQLite it says it is skipped and gives nothing.
pub async fn behind_a_proxy() -> Option<(Proxy, TestApp)> {
    let Some(server) = std::env::var("SUITS_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        eprintln!("skipped: a database outage needs a database server (SUITS_TEST_DATABASE_URL)");
        return None;
    };
    let (_, target) = through(&server, 0);
    let proxy = Proxy::start(target);
    let app = TestApp::spawn_routed(&[("SUITS_DB_TIMEOUT", "60")], |url| {
        through(url, proxy.port).0
    })
    .await;
    Some((proxy, app))
}

#[actix_web::test]
async fn an_outage_fails_fast_with_503_and_the_service_recovers_by_itself() {
    let Some((proxy, app)) = behind_a_proxy().await else {
        return;
    };
    let token = app.admin_token();
    assert_eq!(app.get("/readyz").send().await.status, 200);
    assert_eq!(
        app.get("/api/v1/clients").token(&token).send().await.status,
        200
    );

    proxy.cut();
    within("readiness during the outage", async {
        app.get("/readyz").send().await.problem(503);
    })
    .await;
    for _ in 0..5 {
        let res = within(
            "a request during the outage",
            app.get("/api/v1/clients").token(&token).send(),
        )
        .await;
        res.problem(503);
        assert!(res.header("retry-after").is_some());
    }

    proxy.restore();
    let mut ready = false;
    for _ in 0..300 {
        if app.get("/readyz").send().await.status == 200 {
            ready = true;
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "ready again within 30 s of the database's return");
    let res = app.get("/api/v1/clients").token(&token).send().await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[actix_web::test]
async fn readiness_answers_within_a_second_whatever_the_connection_timeout() {
    let app = TestApp::spawn_with(&[("SUITS_DB_POOL_SIZE", "1"), ("SUITS_DB_TIMEOUT", "60")]).await;
    let held = app.state.pool.get().expect("the only connection");
    within("readiness with no connection to be had", async {
        let res = app.get("/readyz").send().await;
        let problem = res.problem(503);
        assert!(res.header("retry-after").is_some(), "{problem}");
    })
    .await;
    drop(held);
    assert_eq!(app.get("/readyz").send().await.status, 200);
}
