//! Embedded migrations, one folder per backend, applied under a lock so that several
//! instances starting together on one PostgreSQL do not race.

use diesel::connection::SimpleConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::DbConn;

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Any constant works as long as every instance uses the same one ("suits" in ASCII).
const PG_LOCK_KEY: i64 = 0x0073_7569_7473;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Runs `f` while holding the cluster-wide startup lock (PostgreSQL) or an exclusive
/// transaction (SQLite), so only one instance migrates and seeds at a time.
pub fn with_startup_lock<T>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, BoxError>,
) -> Result<T, BoxError> {
    match conn {
        DbConn::Pg(pg) => {
            pg.batch_execute(&format!("SELECT pg_advisory_lock({PG_LOCK_KEY})"))?;
            let result = f(conn);
            if let DbConn::Pg(pg) = conn {
                pg.batch_execute(&format!("SELECT pg_advisory_unlock({PG_LOCK_KEY})"))?;
            }
            result
        }
        DbConn::Sqlite(_) => super::exclusive_tx(conn, f),
    }
}

/// Applies pending migrations; returns how many ran.
pub fn run_pending(conn: &mut DbConn) -> Result<usize, BoxError> {
    let applied = match conn {
        DbConn::Pg(pg) => pg.run_pending_migrations(PG_MIGRATIONS)?.len(),
        DbConn::Sqlite(sqlite) => sqlite.run_pending_migrations(SQLITE_MIGRATIONS)?.len(),
    };
    Ok(applied)
}
