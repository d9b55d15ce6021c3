//! A brief's lifecycle: submitting it (a version frozen and its approval opened),
//! production, delivery and cancellation. Each is one transaction and one conditional
//! update: of concurrent attempts exactly one finds the brief in a starting state.

use super::dto::{Brief, BriefStatus, BriefView};
use super::versions;
use crate::api::rounds;
use crate::approval::{self, Opening, SubjectType, Submission};
use crate::audit::Actor;
use crate::auth::{Caller, Visibility};
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::resource;
use crate::time::now;

/// Submits a brief in `draft` or `changes_requested`: its content frozen as the next
/// version, its approval opened (the policy's stages unless given), and the brief
/// `submitted`, all in one transaction. The brief shows the approval's id.
pub fn submit(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
    input: Submission,
) -> Result<BriefView, ApiError> {
    let at = now();
    let actor = Actor::from(caller);
    let brief = db::write_tx(conn, |conn| {
        let before = resource::find_for_change::<Brief>(conn, id, visibility)?;
        if !before.status.editable() {
            return Err(wrong_state(
                &before,
                "only a brief in draft or changes_requested can be submitted",
            ));
        }
        let number = before.submitted_version.unwrap_or(0) + 1;
        versions::insert(conn, &before, number, caller.staff_id, at)?;
        let opening = Opening {
            subject_type: SubjectType::Brief,
            subject_id: before.id,
            subject_version: number,
            subject_author_id: Some(before.author_id),
            account_id: before.account_id,
            client_id: before.client_id,
            stages: input.stages,
            due_date: input.due_date,
            note: input.note.as_deref(),
            needs_director: false,
        };
        let approval = approval::open(conn, &actor, caller.staff_id, opening, at)?;
        let after = Brief {
            status: BriefStatus::Submitted,
            submitted_version: Some(number),
            approval_id: Some(approval.id),
            ..before.clone()
        };
        resource::write(conn, &actor, "submit", &before, &after)
    })?;
    resource::view(conn, caller, Visibility::All, brief)
}

/// Starts production of an approved brief.
pub fn start_production(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
) -> Result<BriefView, ApiError> {
    let brief = db::write_tx(conn, |conn| {
        let before = resource::find_for_change::<Brief>(conn, id, visibility)?;
        if before.status != BriefStatus::Approved {
            return Err(wrong_state(
                &before,
                "only an approved brief goes into production",
            ));
        }
        let after = Brief {
            status: BriefStatus::InProduction,
            ..before.clone()
        };
        resource::write(
            conn,
            &Actor::from(caller),
            "start_production",
            &before,
            &after,
        )
    })?;
    resource::view(conn, caller, Visibility::All, brief)
}

/// Delivers a brief in production whose latest creative round the client accepted.
pub fn deliver(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
) -> Result<BriefView, ApiError> {
    let brief = db::write_tx(conn, |conn| {
        let before = resource::find_for_change::<Brief>(conn, id, visibility)?;
        if before.status != BriefStatus::InProduction {
            return Err(wrong_state(
                &before,
                "only a brief in production can be delivered",
            ));
        }
        let latest = rounds::repo::latest(conn, id)?;
        if !latest.is_some_and(|round| round.status == rounds::dto::RoundStatus::Accepted) {
            return Err(ApiError::conflict(format!(
                "brief {id} has no accepted creative round; its latest round must be \
                 approved before delivery"
            )));
        }
        let after = Brief {
            status: BriefStatus::Delivered,
            ..before.clone()
        };
        resource::write(conn, &Actor::from(caller), "deliver", &before, &after)
    })?;
    resource::view(conn, caller, Visibility::All, brief)
}

/// Cancels a brief that is still open (anything but `delivered` or `cancelled`), and
/// with it the approval pending on it, if any.
pub fn cancel(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    id: i64,
) -> Result<BriefView, ApiError> {
    let at = now();
    let actor = Actor::from(caller);
    let brief = db::write_tx(conn, |conn| {
        let before = resource::find_for_change::<Brief>(conn, id, visibility)?;
        if !before.status.open() {
            return Err(wrong_state(
                &before,
                "only a brief not yet delivered or cancelled can be cancelled",
            ));
        }
        let reason = format!("brief {id} was cancelled");
        approval::cancel_open(conn, &actor, SubjectType::Brief, id, &reason, at)?;
        if let Some(round) = rounds::repo::latest(conn, id)? {
            approval::cancel_open(
                conn,
                &actor,
                SubjectType::CreativeRound,
                round.id,
                &reason,
                at,
            )?;
        }
        let after = Brief {
            status: BriefStatus::Cancelled,
            ..before.clone()
        };
        resource::write(conn, &actor, "cancel", &before, &after)
    })?;
    resource::view(conn, caller, Visibility::All, brief)
}

/// The 409 of a move from a state it cannot start from, naming the state.
fn wrong_state(brief: &Brief, rule: &str) -> ApiError {
    ApiError::conflict(format!(
        "brief {} is {}; {rule}",
        brief.id,
        brief.status.as_str()
    ))
}
