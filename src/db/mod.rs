//! The database: one binary, SQLite or PostgreSQL chosen at runtime from `DATABASE_URL`.

pub mod migrate;
pub mod schema;
pub mod sql;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::web;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};

use crate::error::ApiError;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// The backend type queries are built for (either database, chosen at runtime).
pub type Backend = <DbConn as Connection>::Backend;

/// Where the data lives. Parsed from the URL scheme so that a mistyped PostgreSQL URL is
/// reported as such instead of silently becoming a SQLite file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    Postgres(String),
    Sqlite(String),
}

impl DbUrl {
    pub const DEFAULT_SQLITE_PATH: &'static str = "./data/suits.db";

    pub fn parse(url: Option<&str>) -> Result<Self, String> {
        let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(DbUrl::Sqlite(Self::DEFAULT_SQLITE_PATH.to_owned()));
        };
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbUrl::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"));
        match path {
            Some(path) if !path.is_empty() => Ok(DbUrl::Sqlite(path.to_owned())),
            _ => Err(format!(
                "DATABASE_URL {:?} is not supported: use postgres://user:pass@host:port/db \
                 or sqlite://path/to/file.db (or leave it unset for {})",
                redact(url),
                Self::DEFAULT_SQLITE_PATH
            )),
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            DbUrl::Postgres(_) => "postgresql",
            DbUrl::Sqlite(_) => "sqlite",
        }
    }

    /// The URL with any password hidden, for logs and error messages.
    pub fn display(&self) -> String {
        match self {
            DbUrl::Postgres(url) => redact(url),
            DbUrl::Sqlite(path) => format!("sqlite://{path}"),
        }
    }

    pub fn connect(&self) -> ConnectionResult<DbConn> {
        match self {
            DbUrl::Postgres(url) => {
                let mut conn = PgConnection::establish(url)?;
                // A request's queries read a few rows through indexes, from a working set
                // in memory. PostgreSQL's default costs model a spinning disk (a random
                // read 4× a sequential one) and, where a scope's size is misestimated,
                // choose a full scan or parallel workers whose start-up alone costs more
                // than the query: per session, the costs of memory-resident data instead.
                conn.batch_execute(
                    "SET random_page_cost = 1.1; SET max_parallel_workers_per_gather = 0",
                )
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Pg(conn))
            }
            DbUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                // Per connection: FKs are off by default in SQLite; without a busy timeout
                // a second writer fails at once with "database is locked"; and FULL syncs
                // the WAL on every commit, so a 2xx survives a power cut (NORMAL may lose
                // the last commits).
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
                     PRAGMA synchronous = FULL;",
                )
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                use_wal(&mut conn).map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

/// Switches the file to write-ahead logging (a no-op once it is). On a brand-new file the
/// switch needs a moment of exclusive access, and SQLite answers "database is locked" at
/// once, without its busy timeout, while another process holds it — as one starting at
/// the same moment does. So the switch is retried for as long as a busy write would wait.
fn use_wal(conn: &mut SqliteConnection) -> QueryResult<()> {
    const PATIENCE: Duration = Duration::from_secs(5);
    let started = Instant::now();
    loop {
        match conn.batch_execute("PRAGMA journal_mode = WAL") {
            Err(e) if e.to_string().contains("locked") && started.elapsed() < PATIENCE => {
                std::thread::sleep(Duration::from_millis(10));
            }
            result => return result,
        }
    }
}

fn redact(url: &str) -> String {
    // postgres://user:secret@host → postgres://user:***@host
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// An r2d2 manager that connects to exactly the backend the URL names, and notes whether
/// its latest attempt to open a connection failed: the pool's only sure sign that the
/// database itself is unreachable, rather than merely busy.
#[derive(Debug, Clone)]
pub struct Manager {
    url: DbUrl,
    unreachable: Arc<AtomicBool>,
}

impl ManageConnection for Manager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        let result = self.url.connect();
        self.unreachable.store(result.is_err(), Ordering::Relaxed);
        let conn = result.map_err(diesel::r2d2::Error::ConnectionError)?;
        Ok(Conn {
            conn,
            returned: Instant::now(),
            lost: false,
        })
    }

    /// A connection that came back from a request a moment ago is taken as it is: under
    /// load that is every connection, and a ping on each checkout would cost every request
    /// a round trip. One idle for longer is pinged first, so a restart of the database
    /// while it sat in the pool costs no request anything.
    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        if conn.returned.elapsed() < TRUSTED_FOR {
            return Ok(());
        }
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    /// Called as a connection goes back to the pool: the moment [`Manager::is_valid`]
    /// counts from.
    fn has_broken(&self, conn: &mut Conn) -> bool {
        conn.returned = Instant::now();
        conn.lost || std::thread::panicking() || conn.is_broken()
    }
}

/// How long after a request a connection is handed out again without a ping. Should the
/// database go away within it, the next request on the connection gets a 503 problem and
/// the pool drops the connection (see `run`).
const TRUSTED_FOR: Duration = Duration::from_secs(1);

/// A pooled connection, and when it last went back to the pool. Derefs to the
/// connection: code takes `&mut DbConn` as ever.
pub struct Conn {
    conn: DbConn,
    returned: Instant,
    /// Found not to answer any more: dropped rather than pooled again.
    lost: bool,
}

impl std::ops::Deref for Conn {
    type Target = DbConn;

    fn deref(&self) -> &DbConn {
        &self.conn
    }
}

impl std::ops::DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut DbConn {
        &mut self.conn
    }
}

#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_size: u32,
    pub connection_timeout: Duration,
}

pub type PooledConn = r2d2::PooledConnection<Manager>;

/// How often a request waiting for a connection looks again whether the database has
/// become unreachable meanwhile.
const CHECK_EVERY: Duration = Duration::from_millis(100);

/// The connection pool. A request waits up to the configured timeout for a connection
/// while the database is merely busy, but gives up within [`CHECK_EVERY`] once opening a
/// connection has failed: during an outage a 503 at once serves a client better than one
/// after the full wait. r2d2 keeps retrying in the background (backing off to half the
/// timeout), so the first connection it opens after the outage ends the fast failures.
#[derive(Debug, Clone)]
pub struct Pool {
    inner: r2d2::Pool<Manager>,
    unreachable: Arc<AtomicBool>,
}

impl Pool {
    /// A connection, waiting up to the configured timeout.
    pub fn get(&self) -> Result<PooledConn, r2d2::PoolError> {
        self.get_within(self.inner.connection_timeout())
    }

    /// A connection, waiting up to `timeout`, or less once the database is unreachable.
    pub fn get_within(&self, timeout: Duration) -> Result<PooledConn, r2d2::PoolError> {
        let start = Instant::now();
        loop {
            let remaining = timeout.saturating_sub(start.elapsed());
            let wait = remaining.min(CHECK_EVERY);
            match self.inner.get_timeout(wait) {
                Ok(conn) => return Ok(conn),
                Err(e) if wait == remaining || self.unreachable() => return Err(e),
                Err(_) => continue,
            }
        }
    }

    /// Whether the latest attempt to open a connection failed.
    fn unreachable(&self) -> bool {
        self.unreachable.load(Ordering::Relaxed)
    }
}

/// Connects once directly so that a bad URL or an unreachable server fails with its real
/// cause, then builds the pool.
pub fn connect(url: &DbUrl, options: &PoolOptions) -> Result<Pool, String> {
    if let DbUrl::Sqlite(path) = url {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
        }
    }
    url.connect()
        .map_err(|e| format!("cannot connect to {}: {e}", url.display()))?;
    let unreachable = Arc::new(AtomicBool::new(false));
    let manager = Manager {
        url: url.clone(),
        unreachable: unreachable.clone(),
    };
    let inner = r2d2::Pool::builder()
        .max_size(options.max_size)
        .connection_timeout(options.connection_timeout)
        .build(manager)
        .map_err(|e| format!("cannot open a connection pool on {}: {e}", url.display()))?;
    Ok(Pool { inner, unreachable })
}

/// Runs diesel work on the blocking thread pool, never on an actix worker.
pub async fn run<T, F>(pool: &Pool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.get().map_err(ApiError::from_pool)?;
        let result = f(&mut conn);
        // A connection handed out without a ping (see `Manager::is_valid`) may have been
        // lost meanwhile: a database failure on one that no longer answers is an outage
        // (503, worth a retry), not a fault of ours, and the pool must drop it.
        if matches!(
            result,
            Err(ApiError::Internal(_) | ApiError::Unavailable(_))
        ) && conn.ping().is_err()
        {
            conn.lost = true;
            return Err(ApiError::Unavailable(
                "the database connection was lost".into(),
            ));
        }
        result
    })
    .await
    .map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))?
}

/// Loads a query whose type says it all (no boxed parts) on the backend's own connection,
/// where its prepared statement is found by that type, without its SQL being written out
/// again as the connection serving either backend must: for the queries every request
/// runs (the caller's grants, a record by id).
pub fn load_typed<Q, U>(conn: &mut DbConn, query: Q) -> QueryResult<Vec<U>>
where
    Q: for<'a> diesel::query_dsl::LoadQuery<'a, PgConnection, U>
        + for<'a> diesel::query_dsl::LoadQuery<'a, SqliteConnection, U>,
{
    match conn {
        DbConn::Pg(conn) => query.load(conn),
        DbConn::Sqlite(conn) => query.load(conn),
    }
}

/// A write transaction. On SQLite it starts as `BEGIN IMMEDIATE` so that a concurrent
/// writer waits on the busy timeout instead of failing when its read lock upgrades.
/// Inside another transaction it becomes a savepoint.
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    sqlite_locking_tx(conn, "BEGIN IMMEDIATE", f)
}

/// A transaction that on SQLite also keeps other connections from reading: what a
/// migration needs so that a second process starting at once waits, then finds it done.
pub fn exclusive_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    sqlite_locking_tx(conn, "BEGIN EXCLUSIVE", f)
}

fn sqlite_locking_tx<T, E, F>(conn: &mut DbConn, begin: &str, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let DbConn::Sqlite(inner) = conn else {
        return conn.transaction(f);
    };
    let depth =
        AnsiTransactionManager::transaction_manager_status_mut(inner).transaction_depth()?;
    if depth.is_some() {
        return conn.transaction(f);
    }
    AnsiTransactionManager::begin_transaction_sql(inner, begin)?;
    let result = f(conn);
    let DbConn::Sqlite(inner) = conn else {
        unreachable!("the variant does not change")
    };
    match result {
        Ok(value) => match AnsiTransactionManager::commit_transaction(inner) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = AnsiTransactionManager::rollback_transaction(inner);
                Err(e.into())
            }
        },
        Err(e) => {
            AnsiTransactionManager::rollback_transaction(inner)?;
            Err(e)
        }
    }
}

/// The key of a row to lock: a numeric `id` or a text `key` column.
pub enum RowKey<'a> {
    Id(i64),
    Key(&'a str),
}

/// Locks one row until the transaction ends, so that a read-check-write cannot lose a race
/// to a concurrent writer on PostgreSQL (whose default READ COMMITTED lets both read the
/// old row). On SQLite, `BEGIN IMMEDIATE` already serializes writers: nothing to do.
pub fn lock_row(conn: &mut DbConn, table: &'static str, key: RowKey) -> QueryResult<()> {
    use diesel::sql_types::{BigInt, Text};
    let DbConn::Pg(pg) = conn else { return Ok(()) };
    match key {
        RowKey::Id(id) => {
            diesel::sql_query(format!("SELECT 1 FROM {table} WHERE id = $1 FOR UPDATE"))
                .bind::<BigInt, _>(id)
                .execute(pg)
        }
        RowKey::Key(key) => {
            diesel::sql_query(format!("SELECT 1 FROM {table} WHERE key = $1 FOR UPDATE"))
                .bind::<Text, _>(key)
                .execute(pg)
        }
    }
    .map(|_| ())
}

impl DbConn {
    pub fn ping(&mut self) -> QueryResult<()> {
        self.batch_execute("SELECT 1")
    }
}
