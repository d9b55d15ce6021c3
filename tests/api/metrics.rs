//! `/metrics`: a well-formed exposition that counts each operation under its route
//! template (never a raw path), folds what is not an operation into one series, and tells
//! the state of the pool and the database's failures by kind.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use serde_json::json;
use suits::db::{DbConn, DbUrl};

use crate::helpers::*;
use crate::outage::behind_a_proxy;

struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// A scrape, parsed strictly by the text format (version 0.0.4): every sample belongs to
/// a family with `# HELP` and `# TYPE`, label values are quoted and escaped, values are
/// numbers.
struct Exposition {
    types: HashMap<String, String>,
    samples: Vec<Sample>,
}

impl Exposition {
    fn parse(text: &str) -> Exposition {
        let mut types = HashMap::new();
        let mut helped = Vec::new();
        let mut samples = Vec::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("# HELP ") {
                let (name, help) = rest.split_once(' ').expect("HELP name text");
                assert!(!help.trim().is_empty(), "empty HELP: {line}");
                helped.push(name.to_owned());
            } else if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').expect("TYPE name type");
                assert!(
                    ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                    "{line}"
                );
                assert!(
                    types.insert(name.to_owned(), kind.to_owned()).is_none(),
                    "TYPE twice: {line}"
                );
            } else {
                assert!(!line.starts_with('#') && !line.is_empty(), "{line:?}");
                samples.push(sample(line));
            }
        }
        for sample in &samples {
            let family = family(&sample.name, &types)
                .unwrap_or_else(|| panic!("{} has no TYPE", sample.name));
            assert!(helped.contains(&family), "{family} has no HELP");
        }
        Exposition { types, samples }
    }

    /// The samples named `name` whose labels include `labels`.
    fn matching<'a>(
        &'a self,
        name: &'a str,
        labels: &'a [(&str, &str)],
    ) -> impl Iterator<Item = &'a Sample> {
        self.samples.iter().filter(move |s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
    }

    /// The sum of those samples; 0 when there are none (a series not yet created).
    fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.matching(name, labels).map(|s| s.value).sum()
    }

    /// The one sample named `name` without labels.
    fn value(&self, name: &str) -> f64 {
        let found: Vec<_> = self.matching(name, &[]).collect();
        assert_eq!(found.len(), 1, "one sample {name}");
        found[0].value
    }
}

/// The family a sample belongs to: itself, or the histogram it is a part of.
fn family(name: &str, types: &HashMap<String, String>) -> Option<String> {
    if types.contains_key(name) {
        return Some(name.to_owned());
    }
    ["_bucket", "_sum", "_count"].iter().find_map(|suffix| {
        let base = name.strip_suffix(suffix)?;
        (types.get(base).map(String::as_str) == Some("histogram")).then(|| base.to_owned())
    })
}

fn sample(line: &str) -> Sample {
    let name_end = line
        .find(['{', ' '])
        .unwrap_or_else(|| panic!("no value: {line}"));
    let name = &line[..name_end];
    assert!(
        name.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
            && !name.starts_with(|c: char| c.is_ascii_digit()),
        "metric name: {line}"
    );
    let mut labels = BTreeMap::new();
    let mut rest = &line[name_end..];
    if let Some(inner) = rest.strip_prefix('{') {
        let mut chars = inner.char_indices().peekable();
        loop {
            let (start, _) = *chars.peek().expect("unterminated labels");
            if inner[start..].starts_with('}') {
                rest = &inner[start + 1..];
                break;
            }
            let eq = inner[start..].find('=').expect("label=") + start;
            let key = &inner[start..eq];
            assert!(
                !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                "label name {key:?}: {line}"
            );
            while chars.next_if(|(i, _)| *i <= eq).is_some() {}
            assert_eq!(
                chars.next().map(|(_, c)| c),
                Some('"'),
                "quoted value: {line}"
            );
            let mut value = String::new();
            loop {
                match chars.next().expect("unterminated value").1 {
                    '"' => break,
                    '\\' => match chars.next().expect("escape").1 {
                        'n' => value.push('\n'),
                        c @ ('\\' | '"') => value.push(c),
                        c => panic!("escape \\{c}: {line}"),
                    },
                    c => value.push(c),
                }
            }
            assert!(labels.insert(key.to_owned(), value).is_none(), "{line}");
            if chars.next_if(|(_, c)| *c == ',').is_none() {
                assert_eq!(chars.peek().map(|(_, c)| *c), Some('}'), "{line}");
            }
        }
    }
    let value = rest.strip_prefix(' ').expect("a space before the value");
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        "NaN" => f64::NAN,
        v => v.parse().unwrap_or_else(|_| panic!("value {v:?}: {line}")),
    };
    Sample {
        name: name.to_owned(),
        labels,
        value,
    }
}

async fn scrape(app: &TestApp) -> Exposition {
    let res = app.get("/metrics").send().await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    Exposition::parse(&res.text())
}

const REQUESTS: &str = "suits_http_requests_total";
const DURATIONS: &str = "suits_http_request_duration_seconds";

fn requests(e: &Exposition, route: &str, method: &str, status: &str) -> f64 {
    e.sum(
        REQUESTS,
        &[("route", route), ("method", method), ("status", status)],
    )
}

fn timed(e: &Exposition, route: &str, method: &str, class: &str) -> f64 {
    e.sum(
        &format!("{DURATIONS}_count"),
        &[
            ("route", route),
            ("method", method),
            ("status_class", class),
        ],
    )
}

fn db_errors(e: &Exposition, kind: &str) -> f64 {
    e.sum("suits_db_errors_total", &[("kind", kind)])
}

#[actix_web::test]
async fn requests_are_counted_and_timed_per_operation_under_its_route_template() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    let before = scrape(&app).await;

    let id = app.client("Acme Foods").await["id"].as_i64().unwrap();
    for _ in 0..2 {
        let res = app
            .get(&format!("/api/v1/clients/{id}"))
            .token(&token)
            .send()
            .await;
        assert_eq!(res.status, 200);
    }
    let res = app
        .request(
            actix_web::http::Method::HEAD,
            &format!("/api/v1/clients/{id}"),
        )
        .token(&token)
        .send()
        .await;
    assert_eq!(res.status, 200);
    app.get("/api/v1/clients/987654321")
        .token(&token)
        .send()
        .await
        .problem(404);
    // Not operations: an unknown path, and a method the path does not serve.
    app.get("/wp-admin/setup-config.php?step=1")
        .send()
        .await
        .problem(404);
    app.get("/api/v1/clients/12345/nothing")
        .send()
        .await
        .problem(404);
    app.put(&format!("/api/v1/clients/{id}"))
        .token(&token)
        .send()
        .await
        .problem(405);

    let after = scrape(&app).await;
    let delta = |route: &str, method: &str, status: &str| {
        requests(&after, route, method, status) - requests(&before, route, method, status)
    };
    let one = "/api/v1/clients/{id}";
    assert_eq!(delta("/api/v1/clients", "POST", "201"), 1.0);
    assert_eq!(delta(one, "GET", "200"), 2.0);
    assert_eq!(delta(one, "HEAD", "200"), 1.0);
    assert_eq!(delta(one, "GET", "404"), 1.0);
    assert_eq!(delta("unmatched", "GET", "404"), 2.0);
    assert_eq!(delta("unmatched", "PUT", "405"), 1.0);
    assert_eq!(delta(one, "PUT", "405"), 0.0);
    // The scrape before this one is a request like any other.
    assert_eq!(delta("/metrics", "GET", "200"), 1.0);

    let timed_delta = |method: &str, class: &str| {
        timed(&after, one, method, class) - timed(&before, one, method, class)
    };
    assert_eq!(timed_delta("GET", "2xx"), 2.0);
    assert_eq!(timed_delta("GET", "4xx"), 1.0);

    // Only the spec's templates and the one fold, whatever the paths asked.
    let spec = app.get("/api/v1/openapi.json").send().await.json();
    let templates = spec["paths"].as_object().expect("paths");
    for sample in after.matching(REQUESTS, &[]) {
        let route = &sample.labels["route"];
        assert!(
            route == "unmatched" || templates.contains_key(route),
            "route label {route}"
        );
    }
}

#[actix_web::test]
async fn latency_is_a_histogram_whose_buckets_add_up() {
    let app = TestApp::spawn().await;
    app.get("/healthz").send().await;
    let e = scrape(&app).await;
    assert_eq!(e.types[DURATIONS], "histogram");
    let labels = [
        ("route", "/healthz"),
        ("method", "GET"),
        ("status_class", "2xx"),
    ];
    let buckets: Vec<(f64, f64)> = e
        .matching(&format!("{DURATIONS}_bucket"), &labels)
        .map(|s| {
            let le = match s.labels["le"].as_str() {
                "+Inf" => f64::INFINITY,
                le => le.parse().unwrap(),
            };
            (le, s.value)
        })
        .collect();
    assert!(buckets.len() > 5, "{} buckets", buckets.len());
    assert!(buckets
        .windows(2)
        .all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1));
    assert_eq!(buckets.last().unwrap().0, f64::INFINITY);
    let count = e.sum(&format!("{DURATIONS}_count"), &labels);
    assert_eq!(buckets.last().unwrap().1, count);
    assert_eq!(count, 1.0);
    assert!(
        buckets.iter().any(|(le, _)| *le == 0.001),
        "a bucket at 1 ms"
    );
    assert!(
        buckets.iter().any(|(le, _)| *le == 0.05),
        "a bucket at 50 ms"
    );
    assert!(e.sum(&format!("{DURATIONS}_sum"), &labels) >= 0.0);
}

#[actix_web::test]
async fn the_pool_the_process_and_the_build_are_reported() {
    let app = TestApp::spawn().await;
    app.client("Acme Foods").await;
    let e = scrape(&app).await;
    for (name, kind) in [
        (REQUESTS, "counter"),
        (DURATIONS, "histogram"),
        ("suits_db_pool_max_connections", "gauge"),
        ("suits_db_pool_connections_open", "gauge"),
        ("suits_db_pool_connections_idle", "gauge"),
        ("suits_db_pool_connections_in_use", "gauge"),
        ("suits_db_pool_waiting", "gauge"),
        ("suits_db_pool_checkouts_total", "counter"),
        ("suits_db_pool_wait_seconds", "histogram"),
        ("suits_db_pool_checkout_timeouts_total", "counter"),
        ("suits_db_errors_total", "counter"),
        ("suits_build_info", "gauge"),
        ("process_resident_memory_bytes", "gauge"),
        ("process_open_fds", "gauge"),
        ("process_start_time_seconds", "gauge"),
    ] {
        assert_eq!(e.types.get(name).map(String::as_str), Some(kind), "{name}");
    }
    // The harness's pool (SUITS_DB_POOL_SIZE=3), with nothing in flight.
    assert_eq!(e.value("suits_db_pool_max_connections"), 3.0);
    let open = e.value("suits_db_pool_connections_open");
    assert!((1.0..=3.0).contains(&open), "{open} open");
    assert_eq!(e.value("suits_db_pool_connections_idle"), open);
    assert_eq!(e.value("suits_db_pool_connections_in_use"), 0.0);
    assert_eq!(e.value("suits_db_pool_waiting"), 0.0);
    assert!(e.value("suits_db_pool_checkouts_total") >= 2.0);
    for kind in ["unavailable", "timeout", "other"] {
        assert_eq!(db_errors(&e, kind), 0.0, "{kind}, present from the start");
        assert_eq!(
            e.matching("suits_db_errors_total", &[("kind", kind)])
                .count(),
            1
        );
    }
    assert!(e.value("process_resident_memory_bytes") > 0.0);
    assert!(e.value("process_open_fds") > 0.0);
    assert!(e.value("process_start_time_seconds") > 1.6e9);
    assert_eq!(
        e.sum(
            "suits_build_info",
            &[("version", env!("CARGO_PKG_VERSION"))]
        ),
        1.0
    );
}

#[actix_web::test]
async fn a_held_connection_shows_in_use_and_a_checkout_that_waits_is_timed() {
    let app = TestApp::spawn_with(&[("SUITS_DB_POOL_SIZE", "1"), ("SUITS_DB_TIMEOUT", "60")]).await;
    let token = app.admin_token();
    let before = scrape(&app).await;
    let held = app.state.pool.get().expect("the only connection");
    let during = scrape(&app).await;
    assert_eq!(during.value("suits_db_pool_connections_in_use"), 1.0);
    assert_eq!(during.value("suits_db_pool_connections_idle"), 0.0);

    let request = app.get("/api/v1/clients").token(&token).send();
    let release = async {
        // Until the request waits for the connection; then it is given back.
        let mut waited = false;
        for _ in 0..2000 {
            if scrape(&app).await.value("suits_db_pool_waiting") == 1.0 {
                waited = true;
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
        drop(held);
        waited
    };
    let (res, waited) = futures_util::future::join(request, release).await;
    assert!(waited, "the request never waited for the connection");
    assert_eq!(res.status, 200, "{}", res.text());

    let after = scrape(&app).await;
    let delta = |name: &str| after.sum(name, &[]) - before.sum(name, &[]);
    assert_eq!(delta("suits_db_pool_wait_seconds_count"), 1.0);
    assert!(delta("suits_db_pool_wait_seconds_sum") > 0.0);
    assert_eq!(delta("suits_db_pool_checkout_timeouts_total"), 0.0);
    assert_eq!(delta("suits_db_errors_total"), 0.0);
    // The test's own checkout and the request's.
    assert_eq!(delta("suits_db_pool_checkouts_total"), 2.0);
    assert_eq!(after.value("suits_db_pool_waiting"), 0.0);
    assert_eq!(after.value("suits_db_pool_connections_in_use"), 0.0);
}

#[actix_web::test]
async fn a_checkout_that_gets_no_connection_in_time_is_a_timeout() {
    let app = TestApp::spawn_with(&[("SUITS_DB_POOL_SIZE", "1"), ("SUITS_DB_TIMEOUT", "1")]).await;
    let token = app.admin_token();
    let before = scrape(&app).await;
    let held = app.state.pool.get().expect("the only connection");
    app.get("/api/v1/clients")
        .token(&token)
        .send()
        .await
        .problem(503);
    drop(held);
    let after = scrape(&app).await;
    let delta = |name: &str| after.sum(name, &[]) - before.sum(name, &[]);
    assert_eq!(delta("suits_db_pool_checkout_timeouts_total"), 1.0);
    assert_eq!(delta("suits_db_pool_wait_seconds_count"), 1.0);
    assert_eq!(
        db_errors(&after, "timeout") - db_errors(&before, "timeout"),
        1.0
    );
    assert_eq!(db_errors(&after, "unavailable"), 0.0);
    assert_eq!(
        requests(&after, "/api/v1/clients", "GET", "503"),
        1.0,
        "the 503 is counted under its operation"
    );
}

#[actix_web::test]
async fn a_failing_database_is_counted_and_conflicts_and_missing_rows_are_not() {
    let app = TestApp::spawn().await;
    let token = app.admin_token();
    app.client("Acme Foods").await;
    let create = || {
        app.post("/api/v1/clients")
            .token(&token)
            .json(json!({"name": "Acme Foods"}))
            .send()
    };
    create().await.problem(409);
    app.get("/api/v1/clients/987654321")
        .token(&token)
        .send()
        .await
        .problem(404);
    let before = scrape(&app).await;
    for kind in ["unavailable", "timeout", "other"] {
        assert_eq!(db_errors(&before, kind), 0.0, "{kind}");
    }

    // The database itself refuses every new client, as a fault inside it would.
    let mut conn = DbUrl::parse(Some(app.url.as_str()))
        .and_then(|url| url.connect().map_err(|e| e.to_string()))
        .expect("a connection of the test's own");
    let refuse = match conn {
        DbConn::Sqlite(_) => {
            "CREATE TRIGGER refuse_clients BEFORE INSERT ON clients \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;"
        }
        DbConn::Pg(_) => {
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$; \
             CREATE TRIGGER refuse_clients BEFORE INSERT ON clients \
             FOR EACH ROW EXECUTE FUNCTION refuse();"
        }
    };
    conn.batch_execute(refuse).expect("install the trigger");
    let res = app
        .post("/api/v1/clients")
        .token(&token)
        .json(json!({"name": "Globex"}))
        .send()
        .await;
    let problem = res.problem(500);
    assert!(
        !problem["detail"].as_str().unwrap().contains("refused"),
        "the cause stays in the log: {problem}"
    );

    let after = scrape(&app).await;
    assert_eq!(db_errors(&after, "other"), 1.0);
    assert_eq!(db_errors(&after, "unavailable"), 0.0);
    assert_eq!(db_errors(&after, "timeout"), 0.0);
    assert_eq!(requests(&after, "/api/v1/clients", "POST", "500"), 1.0);
}

#[actix_web::test]
async fn an_outage_is_counted_as_the_database_unavailable() {
    let Some((proxy, app)) = behind_a_proxy().await else {
        return;
    };
    let token = app.admin_token();
    let before = scrape(&app).await;

    proxy.cut();
    // Each fails once: on a pooled connection found lost, or at once for want of one.
    let failures = 5;
    for _ in 0..failures {
        let res = actix_web::rt::time::timeout(
            Duration::from_secs(20),
            app.get("/api/v1/clients").token(&token).send(),
        )
        .await
        .expect("an answer during the outage");
        res.problem(503);
    }
    let during = scrape(&app).await;
    assert_eq!(
        db_errors(&during, "unavailable") - db_errors(&before, "unavailable"),
        f64::from(failures)
    );
    assert_eq!(db_errors(&during, "timeout"), 0.0);
    assert_eq!(db_errors(&during, "other"), 0.0);
    assert_eq!(
        requests(&during, "/api/v1/clients", "GET", "503"),
        f64::from(failures)
    );
    proxy.restore();
}

#[actix_web::test]
async fn metrics_turned_off_are_a_404_problem() {
    let app = TestApp::spawn_with(&[("SUITS_METRICS", "off")]).await;
    let problem = app.get("/metrics").send().await.problem(404);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("SUITS_METRICS"),
        "{problem}"
    );
    assert_eq!(app.get("/healthz").send().await.status, 200);
}

#[actix_web::test]
async fn suits_metrics_takes_on_or_off_and_nothing_else() {
    let base = |key: &str| match key {
        "SUITS_JWT_SECRET" => Some(JWT_SECRET.to_owned()),
        _ => None,
    };
    let with = |value: &'static str| {
        suits::config::Config::from_lookup(move |key| match key {
            "SUITS_METRICS" => Some(value.to_owned()),
            _ => base(key),
        })
    };
    assert!(suits::config::Config::from_lookup(base).unwrap().metrics);
    for on in ["on", "true", "1", "yes", "ON"] {
        assert!(with(on).unwrap().metrics, "{on}");
    }
    for off in ["off", "false", "0", "no", "Off"] {
        assert!(!with(off).unwrap().metrics, "{off}");
    }
    let error = with("sometimes").expect_err("refused");
    assert!(error.contains("SUITS_METRICS"), "{error}");
}
