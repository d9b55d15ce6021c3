//! Configuration, database selection and the first start, below the HTTP layer.

use diesel::prelude::*;

use suits::config::Config;
use suits::db::{self, DbUrl};
use suits::{bootstrap, db::schema};

use crate::helpers::*;

fn config(pairs: &[(&str, &str)]) -> Result<Config, String> {
    let pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::from_lookup(move |key| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
}

#[test]
fn nothing_is_required_and_the_default_is_a_sqlite_file() {
    let config = config(&[]).unwrap();
    assert_eq!(config.bind, "127.0.0.1:8080");
    assert_eq!(config.database, DbUrl::Sqlite("./data/suits.db".into()));
    assert_eq!(config.token_ttl.as_secs(), 3600);
    assert!(
        !config.jwt_secret_configured,
        "a per-process secret is generated"
    );
    assert!(config.jwt_secret.len() >= 32);
    assert!(config.admin_password.is_none());
}

#[test]
fn a_short_jwt_secret_is_refused() {
    let err = config(&[("SUITS_JWT_SECRET", "too-short")]).unwrap_err();
    assert!(err.contains("at least 32 bytes"), "{err}");
    assert!(
        config(&[("SUITS_JWT_SECRET", &"x".repeat(32))])
            .unwrap()
            .jwt_secret_configured
    );
}

#[test]
fn bad_numbers_and_short_admin_passwords_are_refused() {
    assert!(config(&[("SUITS_TOKEN_TTL", "soon")])
        .unwrap_err()
        .contains("SUITS_TOKEN_TTL"));
    assert!(config(&[("SUITS_TOKEN_TTL", "-5")]).is_err());
    assert!(config(&[("SUITS_DB_POOL_SIZE", "0")]).is_err());
    assert!(config(&[("SUITS_ADMIN_PASSWORD", "short")])
        .unwrap_err()
        .contains("SUITS_ADMIN_PASSWORD"));
}

#[test]
fn the_drain_and_the_stop_default_to_10_and_30_seconds() {
    let defaults = config(&[]).unwrap().shutdown;
    assert_eq!(defaults.drain.as_secs(), 10);
    assert_eq!(defaults.timeout.as_secs(), 30);
    let set = config(&[
        ("SUITS_DRAIN_SECONDS", "0"),
        ("SUITS_SHUTDOWN_TIMEOUT", " 5 "),
    ])
    .unwrap()
    .shutdown;
    assert_eq!(set.drain.as_secs(), 0, "no drain is a choice");
    assert_eq!(set.timeout.as_secs(), 5);
    assert_eq!(
        config(&[("SUITS_DRAIN_SECONDS", "3600")])
            .unwrap()
            .shutdown
            .drain
            .as_secs(),
        3600
    );
}

#[test]
fn a_drain_or_stop_that_is_not_whole_seconds_up_to_an_hour_is_refused() {
    for (key, value) in [
        ("SUITS_DRAIN_SECONDS", "-1"),
        ("SUITS_DRAIN_SECONDS", "2.5"),
        ("SUITS_DRAIN_SECONDS", "10s"),
        ("SUITS_DRAIN_SECONDS", ""),
        ("SUITS_DRAIN_SECONDS", "10000"),
        ("SUITS_SHUTDOWN_TIMEOUT", "0"),
        ("SUITS_SHUTDOWN_TIMEOUT", "3601"),
        ("SUITS_SHUTDOWN_TIMEOUT", "soon"),
    ] {
        let err = config(&[(key, value)]).unwrap_err();
        assert!(
            err.contains(key) && err.contains("seconds"),
            "{key}={value}: {err}"
        );
    }
}

#[test]
fn the_backend_follows_the_url_scheme_and_typos_are_not_sqlite_files() {
    assert!(matches!(
        DbUrl::parse(Some("postgres://u@h/db")),
        Ok(DbUrl::Postgres(_))
    ));
    assert!(matches!(
        DbUrl::parse(Some("postgresql://u@h/db")),
        Ok(DbUrl::Postgres(_))
    ));
    assert_eq!(
        DbUrl::parse(Some("sqlite://x/y.db")),
        Ok(DbUrl::Sqlite("x/y.db".into()))
    );
    for typo in [
        "postgress://u@h/db",
        "mysql://u@h/db",
        "./data/suits.db",
        "sqlite://",
    ] {
        let err = DbUrl::parse(Some(typo)).unwrap_err();
        assert!(
            err.contains("postgres://") && err.contains("sqlite://"),
            "{err}"
        );
    }
    let err = DbUrl::parse(Some("mysql://user:secret@h/db")).unwrap_err();
    assert!(!err.contains("secret"), "passwords are not echoed: {err}");
}

#[test]
fn an_unreachable_postgres_fails_fast_with_the_real_cause() {
    let url = DbUrl::parse(Some("postgres://postgres:pw@127.0.0.1:1/nowhere")).unwrap();
    let options = db::PoolOptions {
        max_size: 1,
        connection_timeout: std::time::Duration::from_secs(1),
    };
    let started = std::time::Instant::now();
    let err = db::connect(&url, &options).unwrap_err();
    assert!(
        err.contains("127.0.0.1") && err.to_lowercase().contains("connect"),
        "{err}"
    );
    assert!(!err.contains(":pw@"), "the password is redacted: {err}");
    assert!(started.elapsed().as_secs() < 10, "no 30 s pool wait");
}

/// Two instances starting at once on one empty database: one migrates and seeds, the
/// other waits and finds the work done.
#[test]
fn two_instances_starting_together_do_not_race() {
    let (_db, url) = TestDb::create();
    let config = config(&[
        ("DATABASE_URL", &url),
        ("SUITS_ADMIN_PASSWORD", ADMIN_PASSWORD),
    ])
    .unwrap();
    let starts: Vec<_> = (0..2)
        .map(|_| {
            let config = config.clone();
            std::thread::spawn(move || {
                let pool =
                    db::connect(&config.database, &config.pool).map_err(|e| e.to_string())?;
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                bootstrap::prepare_database(&mut conn, &config).map_err(|e| e.to_string())
            })
        })
        .collect();
    for start in starts {
        start.join().unwrap().expect("both instances start");
    }
    let pool = db::connect(&config.database, &config.pool).unwrap();
    let mut conn = pool.get().unwrap();
    let conn: &mut db::DbConn = &mut conn;
    let roles: i64 = schema::roles::table.count().get_result(conn).unwrap();
    let staff: i64 = schema::staff::table.count().get_result(conn).unwrap();
    assert_eq!((roles, staff), (6, 1));
}

fn start_migrating(url: &str) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_suits"))
        .arg("migrate")
        .env("DATABASE_URL", url)
        .env("SUITS_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("SUITS_JWT_SECRET", JWT_SECRET)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start suits migrate")
}

fn assert_started(child: std::process::Child, what: &str) {
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{what}: an instance failed to start: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Three instances starting at once on a brand-new database, round after round, as three
/// processes: one switching a new SQLite file to WAL needs a moment of exclusive access
/// that another may hold, and must wait for it rather than fail the start.
#[test]
fn three_instances_starting_at_once_on_a_new_database_all_start() {
    for round in 0..8 {
        let (_db, url) = TestDb::create();
        let starts: Vec<_> = (0..3).map(|_| start_migrating(&url)).collect();
        for start in starts {
            assert_started(start, &format!("round {round}"));
        }
    }
}

/// The moment of the race above, made certain: the new file is locked while the instances
/// start, as a peer switching it to WAL holds it.
#[test]
fn instances_starting_while_a_new_sqlite_file_is_locked_wait_for_it() {
    use diesel::connection::SimpleConnection;
    let (db, url) = TestDb::create();
    if db.is_postgres() {
        return; // no file to lock: the PostgreSQL start is raced in the test above
    }
    let path = url.trim_start_matches("sqlite://").to_owned();
    let mut holder = diesel::SqliteConnection::establish(&path).unwrap();
    holder
        .batch_execute("BEGIN EXCLUSIVE; CREATE TABLE held (x INTEGER);")
        .unwrap();
    let starts: Vec<_> = (0..3).map(|_| start_migrating(&url)).collect();
    std::thread::sleep(std::time::Duration::from_millis(500));
    holder.batch_execute("ROLLBACK").unwrap();
    for start in starts {
        assert_started(start, "locked at start");
    }
}

#[derive(diesel::QueryableByName)]
struct Setting {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

/// A 2xx on a write means the write is on disk: SQLite syncs its write-ahead log on every
/// commit (`synchronous = FULL`), PostgreSQL waits for its WAL flush (`synchronous_commit`).
#[actix_web::test]
async fn writes_are_durable_before_they_are_acknowledged() {
    let app = TestApp::spawn().await;
    let mut conn = app.state.pool.get().expect("connection");
    let conn: &mut db::DbConn = &mut conn;
    let (query, durable) = match &mut *conn {
        db::DbConn::Sqlite(_) => (
            "SELECT CAST(synchronous AS TEXT) AS value FROM pragma_synchronous",
            "2",
        ),
        db::DbConn::Pg(_) => (
            "SELECT current_setting('synchronous_commit') AS value",
            "on",
        ),
    };
    let setting: Setting = diesel::sql_query(query).get_result(&mut *conn).unwrap();
    assert_eq!(setting.value, durable);
    if let db::DbConn::Sqlite(_) = &mut *conn {
        let mode: Setting =
            diesel::sql_query("SELECT journal_mode AS value FROM pragma_journal_mode")
                .get_result(&mut *conn)
                .unwrap();
        assert_eq!(mode.value, "wal");
    }
}
