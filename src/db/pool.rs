//! The connection pool: connections handed out fast while the database answers, a 503 at
//! once when it does not, and database work kept off the actix workers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::web;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};

use super::{DbConn, DbUrl};
use crate::error::{ApiError, DbFailure};
use crate::metrics::DbMetrics;

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
///
/// Every checkout is counted, and one that found no idle connection is timed while it
/// waits (see `metrics`).
#[derive(Debug, Clone)]
pub struct Pool {
    inner: r2d2::Pool<Manager>,
    unreachable: Arc<AtomicBool>,
    metrics: Arc<DbMetrics>,
}

impl Pool {
    /// A connection, waiting up to the configured timeout.
    pub fn get(&self) -> Result<PooledConn, r2d2::PoolError> {
        self.get_within(self.inner.connection_timeout())
    }

    /// A connection, waiting up to `timeout`, or less once the database is unreachable.
    pub fn get_within(&self, timeout: Duration) -> Result<PooledConn, r2d2::PoolError> {
        self.metrics.checkout();
        // An idle connection is taken as `get_timeout` would take it, and only a checkout
        // that finds none waits, and is timed.
        if let Some(conn) = self.inner.try_get() {
            return Ok(conn);
        }
        let waiting = self.metrics.waiting();
        let result = self.wait_within(timeout);
        let failure = result.is_err().then(|| match self.unreachable() {
            true => DbFailure::Unavailable,
            false => DbFailure::Timeout,
        });
        waiting.done(failure);
        result
    }

    fn wait_within(&self, timeout: Duration) -> Result<PooledConn, r2d2::PoolError> {
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

    /// The pool's connections now: open, and idle among them.
    pub fn state(&self) -> r2d2::State {
        self.inner.state()
    }

    /// The most connections the pool opens.
    pub fn max_size(&self) -> u32 {
        self.inner.max_size()
    }

    /// The counters the pool keeps, for `metrics` to register.
    pub fn metrics(&self) -> &DbMetrics {
        &self.metrics
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
    Ok(Pool {
        inner,
        unreachable,
        metrics: Arc::new(DbMetrics::new()),
    })
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
        let mut result = f(&mut conn);
        // A connection handed out without a ping (see `Manager::is_valid`) may have been
        // lost meanwhile: a database failure on one that no longer answers is an outage
        // (503, worth a retry), not a fault of ours, and the pool must drop it.
        if matches!(
            result,
            Err(ApiError::Internal(_) | ApiError::Unavailable(_) | ApiError::Database { .. })
        ) && conn.ping().is_err()
        {
            conn.lost = true;
            result = Err(ApiError::Database {
                failure: DbFailure::Unavailable,
                cause: "the database connection was lost".into(),
            });
        }
        // A failed checkout was counted by the pool already; this is the work's own.
        if let Err(ApiError::Database { failure, .. }) = &result {
            pool.metrics.failed(*failure);
        }
        result
    })
    .await
    .map_err(|e| ApiError::internal(format!("blocking task failed: {e}")))?
}
