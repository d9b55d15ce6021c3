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
    let roles: i64 = schema::roles::table.count().get_result(&mut conn).unwrap();
    let staff: i64 = schema::staff::table.count().get_result(&mut conn).unwrap();
    assert_eq!((roles, staff), (6, 1));
}
