//! Typed configuration from the environment. Nothing is required; every default starts a
//! working service on SQLite.

use std::num::NonZeroU32;
use std::time::Duration;

use crate::auth::login_limits;
use crate::db::{DbUrl, PoolOptions};
use crate::lifecycle;

pub const MIN_SECRET_LEN: usize = 32;

/// Requests per caller per minute unless `SUITS_RATE_LIMIT` says otherwise: 20 a second
/// on average, for a UI and for an import script alike; a whole minute's worth at once.
pub const DEFAULT_RATE_LIMIT: std::num::NonZeroU32 = std::num::NonZeroU32::new(1200).unwrap();

/// The largest import body unless `SUITS_IMPORT_MAX_BYTES` says otherwise: 50 MiB, some
/// 300,000 client lines of CSV. Other bodies stay at `rest::body::BODY_LIMIT`.
pub const DEFAULT_IMPORT_MAX_BYTES: usize = 50 * 1024 * 1024;

#[derive(Clone)]
pub struct Config {
    pub bind: String,
    pub database: DbUrl,
    pub pool: PoolOptions,
    pub jwt_secret: Vec<u8>,
    /// False when the secret was generated for this process only.
    pub jwt_secret_configured: bool,
    pub token_ttl: Duration,
    pub admin_email: String,
    pub admin_password: Option<String>,
    /// Origins whose pages may call the API (`SUITS_CORS_ORIGINS`); none by default.
    pub cors_origins: Vec<String>,
    /// Failed sign-ins allowed per account and per client address, per instance.
    pub login_limits: login_limits::Settings,
    /// Requests per caller per minute (`SUITS_RATE_LIMIT`; `off`: no limit).
    pub rate_limit: Option<std::num::NonZeroU32>,
    /// How long a refresh token lives unused (`SUITS_REFRESH_TTL`, seconds).
    pub refresh_ttl: Duration,
    /// How long an `Idempotency-Key` is remembered (`SUITS_IDEMPOTENCY_TTL`, seconds).
    pub idempotency_ttl: Duration,
    /// The largest body `POST /imports/{resource}` takes (`SUITS_IMPORT_MAX_BYTES`).
    pub import_max_bytes: usize,
    /// Whether requests are observed and `/metrics` served (`SUITS_METRICS`, on by default).
    pub metrics: bool,
    /// The drain and the stop after SIGTERM or SIGINT.
    pub shutdown: lifecycle::Settings,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("database", &self.database.display())
            .field("token_ttl", &self.token_ttl)
            .field("rate_limit", &self.rate_limit)
            .field("refresh_ttl", &self.refresh_ttl)
            .field("idempotency_ttl", &self.idempotency_ttl)
            .field("import_max_bytes", &self.import_max_bytes)
            .field("admin_email", &self.admin_email)
            .field("cors_origins", &self.cors_origins)
            .field("login_limits", &self.login_limits)
            .field("metrics", &self.metrics)
            .field("shutdown", &self.shutdown)
            .finish_non_exhaustive()
    }
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Reads the configuration through `var`, so tests can supply their own environment.
    pub fn from_lookup(var: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let database = DbUrl::parse(var("DATABASE_URL").as_deref())?;
        let default_pool = match database {
            DbUrl::Postgres(_) => 10,
            DbUrl::Sqlite(_) => 8,
        };
        let (jwt_secret, jwt_secret_configured) = match var("SUITS_JWT_SECRET") {
            Some(secret) if secret.len() < MIN_SECRET_LEN => {
                return Err(format!(
                    "SUITS_JWT_SECRET is {} bytes long; it must be at least {MIN_SECRET_LEN} bytes",
                    secret.len()
                ))
            }
            Some(secret) => (secret.into_bytes(), true),
            None => (crate::random::bytes(48), false),
        };
        let admin_password = var("SUITS_ADMIN_PASSWORD").filter(|p| !p.is_empty());
        if let Some(password) = &admin_password {
            crate::auth::password::long_enough(password)
                .map_err(|rule| format!("SUITS_ADMIN_PASSWORD {rule}"))?;
        }
        Ok(Config {
            bind: var("SUITS_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned()),
            database,
            pool: PoolOptions {
                max_size: parse_number(&var, "SUITS_DB_POOL_SIZE", default_pool)?,
                connection_timeout: Duration::from_secs(parse_number(&var, "SUITS_DB_TIMEOUT", 5)?),
            },
            jwt_secret,
            jwt_secret_configured,
            token_ttl: Duration::from_secs(parse_number(&var, "SUITS_TOKEN_TTL", 3600)?),
            admin_email: var("SUITS_ADMIN_EMAIL").unwrap_or_else(|| "admin@suits.local".to_owned()),
            admin_password,
            cors_origins: crate::cors::parse_origins(var("SUITS_CORS_ORIGINS").as_deref())?,
            login_limits: login_limits_from(&var)?,
            rate_limit: match var("SUITS_RATE_LIMIT").map(|v| v.trim().to_ascii_lowercase()) {
                Some(off) if off == "off" => None,
                _ => Some(parse_number(&var, "SUITS_RATE_LIMIT", DEFAULT_RATE_LIMIT)?),
            },
            refresh_ttl: Duration::from_secs(parse_number(
                &var,
                "SUITS_REFRESH_TTL",
                30 * 24 * 3600,
            )?),
            idempotency_ttl: Duration::from_secs(parse_number(
                &var,
                "SUITS_IDEMPOTENCY_TTL",
                24 * 3600,
            )?),
            import_max_bytes: parse_number(
                &var,
                "SUITS_IMPORT_MAX_BYTES",
                DEFAULT_IMPORT_MAX_BYTES,
            )?,
            metrics: parse_flag(&var, "SUITS_METRICS", true)?,
            shutdown: lifecycle::Settings {
                drain: parse_seconds(&var, "SUITS_DRAIN_SECONDS", DEFAULT_DRAIN_SECS, 0)?,
                timeout: parse_seconds(&var, "SUITS_SHUTDOWN_TIMEOUT", 30, 1)?,
            },
        })
    }
}

/// Long enough for a load balancer polling `/readyz` to take the instance out before it
/// stops listening: haproxy's default check (`inter 2s`, `fall 3`) sees the third failure
/// at most 6 s after the signal; the rest is margin for a check in progress and a busy
/// machine.
const DEFAULT_DRAIN_SECS: u64 = 10;

/// Beyond an hour a drain or a stop is a mistake (milliseconds given for seconds), which
/// would hold every restart that long.
const MAX_SHUTDOWN_PHASE_SECS: u64 = 3600;

/// Whole seconds from `min` to an hour; unset is `default`.
fn parse_seconds(
    var: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: u64,
    min: u64,
) -> Result<Duration, String> {
    let Some(raw) = var(key) else {
        return Ok(Duration::from_secs(default));
    };
    raw.trim()
        .parse::<u64>()
        .ok()
        .filter(|n| (min..=MAX_SHUTDOWN_PHASE_SECS).contains(n))
        .map(Duration::from_secs)
        .ok_or_else(|| {
            format!(
                "{key}={raw:?} is not a whole number of seconds from {min} to \
                 {MAX_SHUTDOWN_PHASE_SECS}"
            )
        })
}

/// Caps keep one failure's replenish period (window / failures) well above zero.
const MAX_LOGIN_FAILURES: u32 = 100_000;
const MAX_LOGIN_WINDOW_SECS: u64 = 7 * 24 * 3600;

fn login_limits_from(
    var: &impl Fn(&str) -> Option<String>,
) -> Result<login_limits::Settings, String> {
    let failures = |key: &str, default: u32| -> Result<NonZeroU32, String> {
        let n: u32 = parse_number(var, key, default)?;
        if n > MAX_LOGIN_FAILURES {
            return Err(format!("{key}={n} is more than {MAX_LOGIN_FAILURES}"));
        }
        // parse_number has refused zero already.
        NonZeroU32::new(n).ok_or_else(|| format!("{key} must be at least 1"))
    };
    let window: u64 = parse_number(var, "SUITS_LOGIN_FAILURE_WINDOW", 900)?;
    if window > MAX_LOGIN_WINDOW_SECS {
        return Err(format!(
            "SUITS_LOGIN_FAILURE_WINDOW={window} is more than a week ({MAX_LOGIN_WINDOW_SECS} seconds)"
        ));
    }
    Ok(login_limits::Settings {
        per_account: failures("SUITS_LOGIN_FAILURES_PER_ACCOUNT", 10)?,
        per_address: failures("SUITS_LOGIN_FAILURES_PER_ADDRESS", 50)?,
        window: Duration::from_secs(window),
        max_tracked: parse_number(var, "SUITS_LOGIN_TRACKED_KEYS", 100_000)?,
        trust_proxy: parse_flag(var, "SUITS_TRUST_PROXY", false)?,
    })
}

/// `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`); unset is `default`.
fn parse_flag(
    var: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: bool,
) -> Result<bool, String> {
    match var(key).map(|raw| raw.trim().to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if ["true", "1", "yes", "on"].contains(&v.as_str()) => Ok(true),
        Some(v) if ["false", "0", "no", "off", ""].contains(&v.as_str()) => Ok(false),
        Some(v) => Err(format!("{key}={v:?} is neither true nor false")),
    }
}

fn parse_number<T: std::str::FromStr>(
    var: &impl Fn(&str) -> Option<String>,
    key: &str,
    default: T,
) -> Result<T, String> {
    match var(key) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse()
            .ok()
            .filter(|_| {
                !raw.trim().starts_with('-') && !raw.trim().trim_start_matches('0').is_empty()
            })
            .ok_or_else(|| format!("{key}={raw:?} is not a positive whole number")),
    }
}
