//! First start: the built-in roles with the default matrix, the default approval
//! policies, and a first admin.

use crate::api::{roles, staff};
use crate::audit::{Actor, Subject};
use crate::auth::permissions::{default_grants, BUILT_IN_ROLES};
use crate::auth::{grants, password};
use crate::config::Config;
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::time::now;

/// The request id recorded on audit events the system makes at startup.
pub const STARTUP_REQUEST_ID: &str = "startup";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What every start does before serving: under the startup lock, apply pending migrations
/// and seed. Returns the first admin's password if it was generated.
pub fn prepare_database(conn: &mut DbConn, config: &Config) -> Result<Option<String>, BoxError> {
    db::migrate::with_startup_lock(conn, |conn| {
        let applied = db::migrate::run_pending(conn)?;
        if applied > 0 {
            log::info!("applied {applied} migration(s)");
        }
        run(conn, config).map_err(|e| e.to_string().into())
    })
}

/// Seeds missing built-in roles (an edited one is left as it is), and on an empty staff
/// table creates the admin. Returns the admin's password if it was generated.
pub fn run(conn: &mut DbConn, config: &Config) -> Result<Option<String>, ApiError> {
    let actor = Actor::system(STARTUP_REQUEST_ID);
    db::write_tx(conn, |conn| {
        for (column, role) in BUILT_IN_ROLES.iter().enumerate() {
            if grants::role_exists(conn, role.key)? {
                continue;
            }
            let grants = default_grants(column);
            let created = roles::repo::insert(
                conn,
                &roles::repo::NewRole {
                    key: role.key,
                    name: role.name,
                    description: role.description,
                    built_in: true,
                    permissions: &grants,
                },
                now(),
            )?;
            crate::audit::write(
                conn,
                &actor,
                "create",
                Subject::new(roles::service::RESOURCE, role.key),
                None::<&roles::dto::Role>,
                Some(&created),
            )?;
        }
        crate::approval::policy::seed(conn, &actor, now())?;
        Ok::<_, ApiError>(())
    })?;
    if staff::repo::count(conn)? > 0 {
        return Ok(None);
    }
    let (password, generated) = match &config.admin_password {
        Some(password) => (password.clone(), false),
        None => (password::generate(), true),
    };
    staff::service::insert(
        conn,
        &actor,
        None,
        &config.admin_email,
        "Administrator",
        "admin",
        None,
        &password,
    )?;
    Ok(generated.then_some(password))
}
