//! The test harness: the real application, in process, on a fresh database per test —
//! a temporary SQLite file by default, or a new PostgreSQL database when
//! `SUITS_TEST_DATABASE_URL` is set — removed again when the test ends.

#![allow(dead_code)]

use actix_service::boxed::{self, BoxService};
use actix_service::ServiceExt;
use actix_web::body::BoxBody;
use actix_web::dev::ServiceResponse;
use actix_web::http::header::HeaderMap;
use actix_web::http::{Method, StatusCode};
use actix_web::test::TestRequest;
use actix_web::web;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::{json, Value};

use suits::config::Config;
use suits::{bootstrap, db, AppState};

pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123456789";
pub const ADMIN_EMAIL: &str = "admin@suits.test";
pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";
pub const STAFF_PASSWORD: &str = "staff-password-for-tests";

type Service = BoxService<actix_http::Request, ServiceResponse<BoxBody>, actix_web::Error>;

/// A database that exists for one test.
pub enum TestDb {
    Sqlite(tempfile::TempDir),
    Postgres {
        server_url: String,
        name: String,
    },
    /// Another instance's database, which that instance removes.
    Shared,
}

impl TestDb {
    pub fn create() -> (TestDb, String) {
        match std::env::var("SUITS_TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
        {
            None => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("suits.db").display());
                (TestDb::Sqlite(dir), url)
            }
            Some(server_url) => {
                let name = format!("suits_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = PgConnection::establish(&server_url)
                    .unwrap_or_else(|e| panic!("cannot reach SUITS_TEST_DATABASE_URL: {e}"));
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let base = server_url.split('?').next().unwrap_or(&server_url);
                let (server, _) = base.rsplit_once('/').expect("URL with a database name");
                let url = format!("{server}/{name}");
                (TestDb::Postgres { server_url, name }, url)
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, TestDb::Postgres { .. })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { server_url, name } = self {
            if let Ok(mut conn) = PgConnection::establish(server_url) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

pub struct TestApp {
    service: Service,
    pub state: web::Data<AppState>,
    pub admin_id: i64,
    pub url: String,
    // Dropped last: the pool inside `state` must not outlive the database.
    pub db: TestDb,
}

/// A service account as created: its id and its credentials.
pub struct ServiceAccount {
    pub id: i64,
    pub client_id: String,
    pub client_secret: String,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(&[]).await
    }

    /// A token for the seeded admin, minted directly (login itself is tested in auth.rs).
    pub fn admin_token(&self) -> String {
        self.token_for(self.admin_id.max(1))
    }

    pub fn token_for(&self, staff_id: i64) -> String {
        self.state.tokens.issue(staff_id).expect("sign token")
    }

    /// Creates an active staff member with `role` through the API; returns id and token.
    pub async fn staff(&self, role: &str) -> (i64, String) {
        let email = format!("{role}.{}@suits.test", uuid::Uuid::new_v4().simple());
        let res = self
            .post("/api/v1/staff")
            .token(&self.admin_token())
            .json(json!({"email": email, "full_name": format!("Test {role}"), "role": role, "password": STAFF_PASSWORD}))
            .send()
            .await;
        assert_eq!(
            res.status,
            StatusCode::CREATED,
            "create staff: {}",
            res.text()
        );
        let id = res.json()["id"].as_i64().unwrap();
        (id, self.token_for(id))
    }

    /// Creates a service account with `role` through the API, as admin.
    pub async fn service_account(&self, role: &str) -> ServiceAccount {
        let res = self
            .post("/api/v1/service-accounts")
            .token(&self.admin_token())
            .json(json!({"name": format!("Integration {}", uuid::Uuid::new_v4().simple()), "role": role}))
            .send()
            .await;
        assert_eq!(
            res.status,
            StatusCode::CREATED,
            "create service account: {}",
            res.text()
        );
        let body = res.json();
        ServiceAccount {
            id: body["id"].as_i64().unwrap(),
            client_id: body["client_id"].as_str().unwrap().to_owned(),
            client_secret: body["client_secret"].as_str().unwrap().to_owned(),
        }
    }

    /// Creates a role `key` with `grants` (`[{"permission", "scope"}, …]`), as admin.
    pub async fn role(&self, key: &str, grants: Value) {
        let res = self
            .post("/api/v1/roles")
            .token(&self.admin_token())
            .json(json!({"key": key, "name": key, "permissions": grants}))
            .send()
            .await;
        assert_eq!(
            res.status,
            StatusCode::CREATED,
            "create role: {}",
            res.text()
        );
    }

    /// The email of staff member `id`, as the admin reads it.
    pub async fn email_of(&self, id: i64) -> String {
        let res = self
            .get(&format!("/api/v1/staff/{id}"))
            .token(&self.admin_token())
            .send()
            .await;
        res.json()["email"].as_str().expect("email").to_owned()
    }

    /// Creates a client as admin; returns its JSON.
    pub async fn client(&self, name: &str) -> Value {
        let res = self
            .post("/api/v1/clients")
            .token(&self.admin_token())
            .json(json!({"name": name}))
            .send()
            .await;
        assert_eq!(
            res.status,
            StatusCode::CREATED,
            "create client: {}",
            res.text()
        );
        res.json()
    }

    /// Creates an account of `client_id` as admin (managed by the admin); returns its JSON.
    pub async fn account(&self, client_id: &Value, name: &str) -> Value {
        let res = self
            .post("/api/v1/accounts")
            .token(&self.admin_token())
            .json(json!({"client_id": client_id, "name": name}))
            .send()
            .await;
        assert_eq!(
            res.status,
            StatusCode::CREATED,
            "create account: {}",
            res.text()
        );
        res.json()
    }

    /// Signs in with a password; the answer's tokens.
    pub async fn sign_in(&self, email: &str, password: &str) -> Value {
        let res = self
            .post("/api/v1/auth/token")
            .json(json!({"email": email, "password": password}))
            .send()
            .await;
        assert_eq!(res.status, StatusCode::OK, "sign in: {}", res.text());
        res.json()
    }

    /// A draft brief on the account, written by the admin.
    pub async fn brief(&self, account_id: i64, title: &str) -> Value {
        let res = self
            .post("/api/v1/briefs")
            .token(&self.admin_token())
            .json(json!({"account_id": account_id, "title": title}))
            .send()
            .await;
        assert_eq!(
            res.status,
            StatusCode::CREATED,
            "create brief: {}",
            res.text()
        );
        res.json()
    }

    /// Puts `staff_id` on the account's team, as admin.
    pub async fn assign(&self, account_id: &Value, staff_id: i64) {
        let res = self
            .put(&format!("/api/v1/accounts/{account_id}/team/{staff_id}"))
            .token(&self.admin_token())
            .json(json!({"role_on_account": "member"}))
            .send()
            .await;
        assert!(res.status.is_success(), "assign: {}", res.text());
    }

    /// Gives `staff_id` a client in scope: an account of it with them on the team.
    pub async fn assign_to_client(&self, client_id: &Value, staff_id: i64) {
        let account = self
            .account(
                client_id,
                &format!("Account {}", uuid::Uuid::new_v4().simple()),
            )
            .await;
        self.assign(&account["id"], staff_id).await;
    }

    pub fn request(&self, method: Method, path: &str) -> Req<'_> {
        Req {
            app: self,
            inner: TestRequest::default().method(method).uri(path),
        }
    }

    pub fn get(&self, path: &str) -> Req<'_> {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Req<'_> {
        self.request(Method::POST, path)
    }

    pub fn put(&self, path: &str) -> Req<'_> {
        self.request(Method::PUT, path)
    }

    pub fn patch(&self, path: &str) -> Req<'_> {
        self.request(Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> Req<'_> {
        self.request(Method::DELETE, path)
    }
}

pub struct Req<'a> {
    app: &'a TestApp,
    inner: TestRequest,
}

impl Req<'_> {
    pub fn token(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.inner = self
            .inner
            .insert_header((name.to_owned(), value.to_owned()));
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.inner = self
            .inner
            .insert_header(("content-type", "application/json"))
            .set_payload(body.to_string());
        self
    }

    /// A raw body with an explicit content type.
    pub fn body(mut self, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        self.inner = self
            .inner
            .insert_header(("content-type", content_type.to_owned()))
            .set_payload(body.into());
        self
    }

    pub async fn send(self) -> Resp {
        let res = actix_web::test::call_service(&self.app.service, self.inner.to_request()).await;
        let status = res.status();
        let headers = res.headers().clone();
        let body = read_body(res).await;
        Resp {
            status,
            headers,
            body,
        }
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts an RFC 9457 problem with `status`, carrying the response's request id;
    /// returns the problem body.
    #[track_caller]
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text()
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "problem content type; body: {}",
            self.text()
        );
        let body = self.json();
        assert_eq!(body["status"], status, "problem status member");
        assert_eq!(body["type"], "about:blank");
        assert!(
            body["title"].as_str().is_some_and(|t| !t.is_empty()),
            "problem title"
        );
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "problem detail"
        );
        let request_id = self.header("x-request-id").expect("x-request-id header");
        assert_eq!(
            body["request_id"], request_id,
            "problem request_id matches header"
        );
        body
    }

    /// The `field`s named in a problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.json()["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl TestApp {
    /// Like [`TestApp::spawn`], with some configuration variables set or overridden, e.g.
    /// `SUITS_DB_POOL_SIZE=1` to make connections scarce.
    pub async fn spawn_with(overrides: &[(&str, &str)]) -> TestApp {
        Self::spawn_routed(overrides, str::to_owned).await
    }

    /// Like [`TestApp::spawn_with`], reaching the test database through the URL that
    /// `route` makes of its own, e.g. through a proxy that can cut the connection.
    pub async fn spawn_routed(
        overrides: &[(&str, &str)],
        route: impl Fn(&str) -> String,
    ) -> TestApp {
        let (db, url) = TestDb::create();
        let url = route(&url);
        Self::spawn_on(db, url, overrides).await
    }

    /// A second instance on this one's database, as behind a load balancer: its own
    /// pool and state, nothing shared but the database (and the JWT secret).
    pub async fn sibling(&self) -> TestApp {
        Self::spawn_on(TestDb::Shared, self.url.clone(), &[]).await
    }

    async fn spawn_on(db: TestDb, url: String, overrides: &[(&str, &str)]) -> TestApp {
        let env = |key: &str| {
            if let Some((_, value)) = overrides.iter().find(|(k, _)| *k == key) {
                return Some((*value).to_owned());
            }
            match key {
                "DATABASE_URL" => Some(url.clone()),
                "SUITS_JWT_SECRET" => Some(JWT_SECRET.to_owned()),
                "SUITS_ADMIN_EMAIL" => Some(ADMIN_EMAIL.to_owned()),
                "SUITS_ADMIN_PASSWORD" => Some(ADMIN_PASSWORD.to_owned()),
                "SUITS_DB_POOL_SIZE" => Some("3".to_owned()),
                // Tests send as fast as they can with one token; `rate_limits.rs` turns
                // the limit on to test it.
                "SUITS_RATE_LIMIT" => Some("off".to_owned()),
                _ => None,
            }
        };
        let config = Config::from_lookup(env).expect("test config");
        let pool = db::connect(&config.database, &config.pool).expect("connect");
        let mut conn = pool.get().expect("connection");
        bootstrap::prepare_database(&mut conn, &config).expect("migrate and seed");
        drop(conn);
        let state = web::Data::new(AppState::new(pool, &config));
        let service = actix_web::test::init_service(suits::app(state.clone())).await;
        let service =
            boxed::service(service.map(|res: ServiceResponse<_>| res.map_into_boxed_body()));
        let mut app = TestApp {
            service,
            state,
            admin_id: 0,
            url,
            db,
        };
        let me = app.get("/api/v1/me").token(&app.admin_token()).send().await;
        app.admin_id = me.json()["id"].as_i64().expect("admin id");
        app
    }
}

impl Req<'_> {
    /// Sets the TCP peer address, which in-process requests otherwise lack.
    pub fn peer(mut self, addr: &str) -> Self {
        self.inner = self.inner.peer_addr(
            addr.parse()
                .expect("a socket address such as 192.0.2.1:4711"),
        );
        self
    }

    /// A raw body with no `Content-Type` header at all.
    pub fn payload(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.inner = self.inner.set_payload(body.into());
        self
    }

    /// Sends the body without a `Content-Length`, as a chunked upload arrives, so that
    /// the server only learns the size by reading.
    pub async fn send_without_content_length(self) -> Resp {
        let mut req = self.inner.to_request();
        req.headers_mut()
            .remove(actix_web::http::header::CONTENT_LENGTH);
        let res = actix_web::test::call_service(&self.app.service, req).await;
        let status = res.status();
        let headers = res.headers().clone();
        let body = read_body(res).await;
        Resp {
            status,
            headers,
            body,
        }
    }
}

/// Every byte of the body, streamed or not, so that a body meant to be empty (a `HEAD`, a
/// 304) is seen to be.
async fn read_body(res: ServiceResponse<BoxBody>) -> Vec<u8> {
    match actix_web::body::to_bytes(res.into_body()).await {
        Ok(bytes) => bytes.to_vec(),
        Err(e) => panic!("reading the response body: {e}"),
    }
}

/// The `name` of every record on one page, in order.
pub fn names(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("data array")
        .iter()
        .map(|r| r["name"].as_str().expect("name").to_owned())
        .collect()
}

/// Percent-encodes a query parameter value.
pub fn encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Follows `next_cursor` from `path?query` (which may already carry a cursor) to the last
/// page, as `token`; returns each page's names. Every page with a `next_cursor` must have
/// a `Link` header, and the last page none.
pub async fn walk_pages(app: &TestApp, token: &str, path: &str, query: &str) -> Vec<Vec<String>> {
    let base: String = query
        .split('&')
        .filter(|p| !p.starts_with("cursor="))
        .collect::<Vec<_>>()
        .join("&");
    let mut pages = Vec::new();
    let mut res = app
        .get(&format!("{path}?{query}"))
        .token(token)
        .send()
        .await;
    loop {
        assert_eq!(res.status, StatusCode::OK, "{}", res.text());
        let body = res.json();
        pages.push(names(&body));
        let Some(cursor) = body["next_cursor"].as_str() else {
            assert!(
                res.header("link").is_none(),
                "no Link header on the last page"
            );
            return pages;
        };
        assert!(
            res.header("link").is_some(),
            "a Link header with every next_cursor"
        );
        assert!(pages.len() < 100, "pagination does not end");
        res = app
            .get(&format!("{path}?{base}&cursor={cursor}"))
            .token(token)
            .send()
            .await;
    }
}

/// The audit events about one record, oldest first, as the admin reads them.
pub async fn audit_trail(app: &TestApp, resource_type: &str, resource_id: &str) -> Vec<Value> {
    let res = app
        .get(&format!(
            "/api/v1/audit-events?resource_type={resource_type}&resource_id={}&limit=200",
            encode(resource_id)
        ))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text());
    res.json()["data"].as_array().expect("data array").clone()
}

/// The error about `field` in a problem's `errors`.
pub fn error<'a>(problem: &'a Value, field: &str) -> &'a Value {
    problem["errors"]
        .as_array()
        .expect("errors array")
        .iter()
        .find(|e| e["field"] == field)
        .unwrap_or_else(|| panic!("no error for field {field}: {problem}"))
}

/// Asserts a 422 naming `field` with `code`, with a human-readable message.
#[track_caller]
pub fn assert_invalid(res: &Resp, field: &str, code: &str) -> Value {
    let problem = res.problem(422);
    let e = error(&problem, field);
    assert_eq!(e["code"], code, "{problem}");
    assert!(
        e["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{problem}"
    );
    problem
}

impl TestApp {
    /// PostgreSQL only (`None` on SQLite, whose writers queue one at a time): sends
    /// `request` while another transaction holds `insert` uncommitted, and commits that
    /// once the request waits for it. So two instances' writes of one unique value meet:
    /// the request's own checks found nothing, and only its write learns of the other.
    pub async fn racing_an_uncommitted_insert(
        &self,
        insert: &str,
        request: impl std::future::Future<Output = Resp>,
    ) -> Option<Resp> {
        if !self.db.is_postgres() {
            return None;
        }
        let mut holder = PgConnection::establish(&self.url).expect("holder connection");
        holder
            .batch_execute(&format!("BEGIN; {insert}"))
            .expect("the uncommitted insert");
        let mut watcher = PgConnection::establish(&self.url).expect("watcher connection");
        let commit = web::block(move || {
            // Each query its own transaction, so pg_stat_activity is read afresh.
            let waiting = "SELECT 1 FROM pg_stat_activity \
                           WHERE datname = current_database() AND wait_event_type = 'Lock'";
            while diesel::sql_query(waiting)
                .execute(&mut watcher)
                .expect("read pg_stat_activity")
                == 0
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            holder.batch_execute("COMMIT").expect("commit");
        });
        let (res, committed) = futures_util::future::join(request, commit).await;
        committed.expect("the holder committed");
        Some(res)
    }
}
