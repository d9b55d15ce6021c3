//! `POST /imports/staff`: each line a staff member, matched by `id` or else by `email`
//! (staff have no `external_ref`; the email is unique). A line that matches nobody is
//! `POST /staff` (its `password` required); one that matches is `PATCH /staff/{id}` of
//! the fields it gives. Each line runs the single-record operation itself, in a savepoint
//! of the import's transaction, so every rule holds as it does there: nobody gives a role
//! beyond their own grants or changes their own, nobody demotes or deactivates someone
//! whose role exceeds theirs, administration is never left without anyone.

use serde_json::{Map, Value};

use super::dto::{Staff, StaffCreate, StaffUpdate};
use super::{repo, service};
use crate::auth::Caller;
use crate::db::DbConn;
use crate::error::{ApiError, ErrorCode};
use crate::import::{Line, LineByLine, Seen, Shape, Tally};
use crate::rest::record::IfMatch;

/// The fields of `PATCH /staff/{id}`: what a line may change on a staff member.
const CHANGEABLE: &[&str] = &["full_name", "role", "active", "reports_to"];

pub struct StaffImport {
    caller: Caller,
    emails: Seen<String>,
    ids: Seen<i64>,
}

impl StaffImport {
    pub fn new(caller: &Caller) -> Self {
        StaffImport {
            caller: caller.clone(),
            emails: Seen::default(),
            ids: Seen::default(),
        }
    }

    /// The staff member the line names: by `id` (unknown if there is none), else by email.
    fn matched(
        conn: &mut DbConn,
        line: &mut Line,
        tally: &mut Tally,
    ) -> Result<Option<Option<Staff>>, ApiError> {
        let email = line
            .fields
            .get("email")
            .and_then(Value::as_str)
            .map(|e| e.trim().to_lowercase());
        match line.take_id(tally) {
            Some(id) => match repo::find(conn, id)? {
                Some(staff) if email.as_ref().is_none_or(|e| *e == staff.email) => {
                    Ok(Some(Some(staff)))
                }
                Some(_) => {
                    let message =
                        format!("is not the email of staff member {id}; an email does not change");
                    tally.error(line.number, "email", ErrorCode::Invalid, message);
                    Ok(None)
                }
                None => {
                    let message = format!("staff member {id} not found");
                    tally.error(line.number, "id", ErrorCode::Unknown, message);
                    Ok(None)
                }
            },
            None => match email {
                Some(email) => Ok(Some(repo::by_email(conn, &email)?)),
                // Reported as the create body's missing email.
                None => Ok(Some(None)),
            },
        }
    }

    fn create(
        &mut self,
        conn: &mut DbConn,
        mut line: Line,
        tally: &mut Tally,
    ) -> Result<(), ApiError> {
        let n = line.number;
        match line.fields.remove("active") {
            None | Some(Value::Null) | Some(Value::Bool(true)) => {}
            Some(_) => {
                let message = "a new staff member starts active; deactivate them afterwards";
                tally.error(n, "active", ErrorCode::Invalid, message);
                return Ok(());
            }
        }
        let Some(input) = line.checked::<StaffCreate>(tally) else {
            return Ok(());
        };
        tally.create(n, service::create(conn, &self.caller, input))
    }

    fn update(
        &mut self,
        conn: &mut DbConn,
        line: Line,
        before: Staff,
        tally: &mut Tally,
    ) -> Result<(), ApiError> {
        let n = line.number;
        if let Some(first) = self.ids.earlier(before.id, n) {
            let message = format!("line {first} is about the same staff member");
            tally.error(n, "id", ErrorCode::Duplicate, message);
            return Ok(());
        }
        if line.fields.get("password").is_some_and(|p| !p.is_null()) {
            let message = "is set for a new staff member only; an existing one changes their own";
            tally.error(n, "password", ErrorCode::Invalid, message);
            return Ok(());
        }
        let changes: Map<String, Value> = line
            .fields
            .iter()
            .filter(|(name, _)| CHANGEABLE.contains(&name.as_str()))
            .filter(|(name, value)| !(value.is_null() && *name != "reports_to"))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        let mut patch_line = Line {
            number: n,
            fields: changes,
        };
        let Some(patch) = patch_line.checked::<StaffUpdate>(tally) else {
            return Ok(());
        };
        match service::update(conn, &self.caller, before.id, &IfMatch::absent(), patch) {
            Ok(after) if after.version == before.version => tally.unchanged(),
            Ok(_) => tally.updated(),
            Err(e) => tally.refused(n, e)?,
        }
        Ok(())
    }
}

impl LineByLine for StaffImport {
    fn shape() -> Shape {
        Shape::of::<StaffCreate>().with("active", crate::import::Kind::Boolean)
    }

    fn line(
        &mut self,
        conn: &mut DbConn,
        mut line: Line,
        tally: &mut Tally,
    ) -> Result<(), ApiError> {
        let n = line.number;
        let Some(found) = Self::matched(conn, &mut line, tally)? else {
            return Ok(());
        };
        let key = found.as_ref().map(|s| s.email.clone()).or_else(|| {
            line.fields
                .get("email")
                .and_then(Value::as_str)
                .map(|e| e.trim().to_lowercase())
        });
        if let Some(first) = key.and_then(|email| self.emails.earlier(email, n)) {
            let message = format!("line {first} is about the same staff member");
            tally.error(n, "email", ErrorCode::Duplicate, message);
            return Ok(());
        }
        match found {
            None => self.create(conn, line, tally),
            Some(before) => self.update(conn, line, before, tally),
        }
    }
}
