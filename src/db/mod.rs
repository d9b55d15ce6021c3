//! The database: one binary, SQLite or PostgreSQL chosen at runtime from `DATABASE_URL`.

pub mod migrate;
mod pool;
pub mod schema;
pub mod sql;

pub use pool::{connect, run, Conn, Manager, Pool, PoolOptions, PooledConn};

use std::time::{Duration, Instant};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;

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

/// For a long transaction that looks rows up by key while it inserts more (an import): on
/// PostgreSQL, until the transaction ends, each lookup is planned for the table as it is
/// then, and a lookup by key probes its B-tree index, one key after another. Otherwise,
/// with statistics from before the import (an empty table, say), the planner takes a
/// name's trigram index (GIN, for `q` searches) for a batch's `name_key = ANY($1)`, or a
/// sequential scan, and either grows with every row written so far: seen taking seconds
/// a batch, quadratic in the size of the import. Bitmap scans are what the trigram index
/// needs, so they are off too; each lookup is therefore on one key column. SQLite looks
/// `IN (…)` lists up by index as it is.
pub fn prefer_index_lookups(conn: &mut DbConn) -> QueryResult<()> {
    match conn {
        DbConn::Pg(pg) => pg.batch_execute(
            "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; \
             SET LOCAL plan_cache_mode = force_custom_plan",
        ),
        DbConn::Sqlite(_) => Ok(()),
    }
}

impl DbConn {
    pub fn ping(&mut self) -> QueryResult<()> {
        self.batch_execute("SELECT 1")
    }
}
