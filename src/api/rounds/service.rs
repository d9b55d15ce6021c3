//! Creative rounds: the work made on a brief in production, presented in numbered rounds.
//! A round is read through its brief's account, like the brief.

use super::dto::{Round, RoundAction, RoundCreate, RoundStatus, RoundView};
use super::repo;
use crate::api::briefs::dto::{Brief, BriefStatus};
use crate::approval::{self, SubjectType};
use crate::audit::{self, Actor, Subject};
use crate::auth::{Caller, Permission, Visibility};
use crate::db::{self, DbConn};
use crate::error::ApiError;
use crate::resource::{self, Scoped};
use crate::time::now;

impl Scoped for Round {
    const NOUN: &'static str = "creative round";
    const TABLE: &'static str = "creative_rounds";
    type Action = RoundAction;
    type View = RoundView;
    const ACTIONS: &'static [(RoundAction, Permission)] =
        &[(RoundAction::RequestApproval, Permission::ApprovalsRequest)];

    resource::scoped_reads_from!(repo);

    /// A round awaiting its first approval, or a new one after a cancelled one.
    fn possible(&self, action: RoundAction, _caller: &Caller) -> bool {
        match action {
            RoundAction::RequestApproval => {
                self.status == RoundStatus::Presented && self.approval_id.is_none()
            }
        }
    }

    fn view(self, allowed_actions: Vec<RoundAction>) -> RoundView {
        RoundView {
            round: self,
            allowed_actions,
        }
    }
}

impl Round {
    pub fn subject(&self) -> Subject {
        Subject::of_account("creative_rounds", self.id, self.account_id, self.client_id)
    }
}

/// Adds the next round to a brief in production (its row locked, so concurrent rounds
/// queue up and get consecutive numbers). The round before is superseded, and its pending
/// approval cancelled, in the same transaction.
pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    brief_id: i64,
    input: RoundCreate,
) -> Result<RoundView, ApiError> {
    let at = now();
    let actor = Actor::from(caller);
    let round = db::write_tx(conn, |conn| {
        let brief = resource::find_for_change::<Brief>(conn, brief_id, visibility)?;
        if brief.status != BriefStatus::InProduction {
            return Err(ApiError::conflict(format!(
                "brief {brief_id} is {}; creative rounds are added only in production",
                brief.status.as_str()
            )));
        }
        let previous = repo::latest(conn, brief_id)?;
        let number = previous.as_ref().map_or(1, |p| p.number + 1);
        if let Some(previous) = previous {
            supersede(conn, &actor, &previous, number, at)?;
        }
        let round = repo::insert(
            conn,
            brief_id,
            brief.account_id,
            brief.client_id,
            number,
            input.summary.trim(),
            &input.assets,
            caller.staff_id,
            at,
        )?;
        audit::created(conn, &actor, round.subject(), &round)?;
        Ok::<_, ApiError>(round)
    })?;
    resource::view(conn, caller, Visibility::All, round)
}

/// Marks a round superseded by round `by`, cancelling its pending approval.
fn supersede(
    conn: &mut DbConn,
    actor: &Actor,
    round: &Round,
    by: i32,
    at: chrono::NaiveDateTime,
) -> Result<(), ApiError> {
    let reason = format!("superseded by round {by}");
    approval::cancel_open(
        conn,
        actor,
        SubjectType::CreativeRound,
        round.id,
        &reason,
        at,
    )?;
    let status = match round.status {
        RoundStatus::Presented => RoundStatus::Superseded,
        decided => decided,
    };
    if status == round.status {
        return Ok(());
    }
    let updated = repo::update(conn, round, status, round.approval_id, at)?.ok_or_else(|| {
        ApiError::conflict(format!("creative round {} changed meanwhile", round.id))
    })?;
    audit::write(
        conn,
        actor,
        "supersede",
        updated.subject(),
        Some(round),
        Some(&updated),
    )?;
    Ok(())
}

/// A brief's rounds, oldest first; the brief must be within the caller's reach.
pub fn of_brief(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    brief_id: i64,
) -> Result<Vec<RoundView>, ApiError> {
    resource::find::<Brief>(conn, brief_id, visibility)?;
    let rounds = repo::of_brief(conn, brief_id)?;
    resource::views(conn, caller, visibility, rounds)
}
