//! Approvals, the part every subject shares: a request that someone signs off on a
//! subject (a brief's version, a creative round; contracts and payments), in ordered
//! stages. Resources open and close them here, inside their own transactions (a brief's
//! `/submit` opens one; a new round cancels the last one's), so the rules live once:
//! one open approval per subject, stages from the policy unless given, deciders who can
//! decide. The `/approvals` resource (`api::approvals`) decides them.

pub mod policy;
pub mod store;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError, ValidationErrors};

use crate::audit::{self, Actor, Subject};
use crate::auth::{grants, Permission, Scope};
use crate::db::sql::text_enum;
use crate::db::DbConn;
use crate::error::{ApiError, ErrorCode};
use crate::rest::text::{required_line, Lines};
use crate::time::rfc3339;

text_enum!(
    /// What an approval signs off on.
    SubjectType {
        Brief => "brief",
        CreativeRound => "creative_round",
        Contract => "contract",
        Payment => "payment",
    }
);

impl SubjectType {
    pub const ALL: [SubjectType; 4] = [
        SubjectType::Brief,
        SubjectType::CreativeRound,
        SubjectType::Contract,
        SubjectType::Payment,
    ];
}

text_enum!(
    /// `pending` until every stage approves (`approved`) or one stage ends it
    /// (`changes_requested`, `rejected`); `cancelled` when withdrawn or superseded.
    ApprovalStatus {
        Pending => "pending",
        Approved => "approved",
        ChangesRequested => "changes_requested",
        Rejected => "rejected",
        Cancelled => "cancelled",
    }
);

text_enum!(
    /// Who decides a stage: staff (`internal`), or the client, whose decision staff record
    /// with the client person's name (`client`).
    StageKind { Internal => "internal", Client => "client" }
);

text_enum!(
    /// Whether one decider's approval settles the stage (`any`) or every named decider
    /// must approve (`all`).
    StageRule { Any => "any", All => "all" }
);

text_enum!(
    /// `waiting` until the stages before it approve, then `pending`; `skipped` if the
    /// approval ended before it opened.
    StageStatus {
        Waiting => "waiting",
        Pending => "pending",
        Approved => "approved",
        ChangesRequested => "changes_requested",
        Rejected => "rejected",
        Skipped => "skipped",
    }
);

text_enum!(
    /// What one decider decided. `changes_requested` and `rejected` end the approval.
    Decision {
        Approved => "approved",
        ChangesRequested => "changes_requested",
        Rejected => "rejected",
    }
);

impl From<Decision> for StageStatus {
    fn from(decision: Decision) -> Self {
        match decision {
            Decision::Approved => StageStatus::Approved,
            Decision::ChangesRequested => StageStatus::ChangesRequested,
            Decision::Rejected => StageStatus::Rejected,
        }
    }
}

impl From<Decision> for ApprovalStatus {
    fn from(decision: Decision) -> Self {
        match decision {
            Decision::Approved => ApprovalStatus::Approved,
            Decision::ChangesRequested => ApprovalStatus::ChangesRequested,
            Decision::Rejected => ApprovalStatus::Rejected,
        }
    }
}

/// The most stages one approval may have.
pub const MAX_STAGES: usize = 10;

/// A stage as a policy or a request gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Account manager", "kind": "internal", "rule": "any", "deciders": []}))]
pub struct StageSpec {
    /// 1 to 100 characters.
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
    pub kind: StageKind,
    /// `any` (the default): one approval settles the stage; `all`: every named decider must
    /// approve (needs `deciders`). A client stage is always `any`.
    #[serde(default = "any")]
    pub rule: StageRule,
    /// Staff ids who may decide this internal stage; empty (the default) means anyone
    /// holding `approvals.decide` in scope. Each must hold `approvals.decide`. Not for
    /// client stages.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub deciders: Vec<i64>,
}

fn any() -> StageRule {
    StageRule::Any
}

/// An ordered chain of stages, checked as a whole: 1 to 10 stages, each well formed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Vec<StageSpec>)]
pub struct Stages(pub Vec<StageSpec>);

impl Validate for Stages {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if self.0.is_empty() || self.0.len() > MAX_STAGES {
            errors.add("", invalid("length", "must hold between 1 and 10 stages"));
            return Err(errors);
        }
        // Reported under the empty key, which names the field holding the list itself: its
        // items' errors then read `stages[1].deciders`.
        let mut items = std::collections::BTreeMap::new();
        for (index, stage) in self.0.iter().enumerate() {
            let mut own = ValidationErrors::new();
            if stage.name.chars().count() > 100 {
                own.add(
                    "name",
                    invalid("length", "must be between 1 and 100 characters"),
                );
            } else if let Err(e) = required_line(&stage.name) {
                own.add("name", e);
            }
            if stage.kind == StageKind::Client && !stage.deciders.is_empty() {
                own.add(
                    "deciders",
                    invalid(
                        "invalid",
                        "a client stage names no deciders: the client decides",
                    ),
                );
            }
            if stage.kind == StageKind::Client && stage.rule == StageRule::All {
                own.add("rule", invalid("invalid", "a client stage's rule is any"));
            }
            if stage.rule == StageRule::All && stage.deciders.is_empty() {
                own.add(
                    "deciders",
                    invalid(
                        "required",
                        "rule all needs the deciders who must all approve",
                    ),
                );
            }
            if stage.deciders.len() > 20 {
                own.add(
                    "deciders",
                    invalid("length", "must name at most 20 deciders"),
                );
            }
            let mut seen = std::collections::HashSet::new();
            if stage.deciders.iter().any(|id| !seen.insert(*id)) {
                own.add("deciders", invalid("duplicate", "names a decider twice"));
            }
            if !own.is_empty() {
                items.insert(index, Box::new(own));
            }
        }
        if items.is_empty() {
            return Ok(());
        }
        errors
            .errors_mut()
            .insert("".into(), validator::ValidationErrorsKind::List(items));
        Err(errors)
    }
}

fn invalid(code: &'static str, message: &'static str) -> ValidationError {
    let mut e = ValidationError::new(code);
    e.message = Some(message.into());
    e
}

/// A note on an approval or a decision: up to 2,000 characters, several lines allowed.
pub fn note(value: &str) -> Result<(), ValidationError> {
    if value.chars().count() > 2000 {
        return Err(invalid("length", "must be at most 2000 characters"));
    }
    if crate::rest::text::has_control(value, Lines::Many) {
        return Err(invalid(
            "control_character",
            "must not contain NUL or other control characters",
        ));
    }
    Ok(())
}

/// A client's person whose decision a member of staff recorded.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ClientPerson {
    pub name: String,
    pub email: Option<String>,
}

/// One decision, final once made.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct DecisionRecord {
    pub id: i64,
    /// The member of staff who decided, or who recorded the client's decision.
    pub decided_by: i64,
    pub decision: Decision,
    pub note: Option<String>,
    /// The subject version the decider saw.
    pub subject_version: i32,
    /// On a client stage: whose decision it was.
    pub client_person: Option<ClientPerson>,
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub decided_at: NaiveDateTime,
}

/// One stage of an approval, with the decisions made on it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Stage {
    /// 1, 2, …: stages open in this order.
    pub position: i32,
    pub name: String,
    pub kind: StageKind,
    pub rule: StageRule,
    /// Who may decide; empty: anyone holding `approvals.decide` in scope.
    pub deciders: Vec<i64>,
    pub status: StageStatus,
    #[serde(serialize_with = "crate::time::rfc3339_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<NaiveDateTime>,
    pub decisions: Vec<DecisionRecord>,
}

impl Stage {
    /// Whether `staff_id` is among the deciders this stage allows.
    pub fn allows(&self, staff_id: i64) -> bool {
        self.deciders.is_empty() || self.deciders.contains(&staff_id)
    }

    /// Whether `staff_id` already decided on this stage.
    pub fn decided_by(&self, staff_id: i64) -> bool {
        self.decisions.iter().any(|d| d.decided_by == staff_id)
    }
}

/// A request that someone signs off on a subject, in ordered stages.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 88, "subject_type": "brief", "subject_id": 31, "subject_version": 2,
    "subject_author_id": 7, "account_id": 12, "client_id": 42, "status": "pending",
    "current_stage": 2, "requested_by": 7, "due_date": "2026-02-10",
    "note": "Second round after the client's comments on the insight.",
    "cancel_reason": null, "closed_at": null, "version": 2,
    "created_at": "2026-02-01T09:00:00Z", "updated_at": "2026-02-02T15:30:00Z",
    "stages": [
        {"position": 1, "name": "Internal review", "kind": "internal", "rule": "any",
         "deciders": [], "status": "approved", "decided_at": "2026-02-02T15:30:00Z",
         "decisions": [{"id": 140, "decided_by": 5, "decision": "approved", "note": null,
                        "subject_version": 2, "client_person": null,
                        "decided_at": "2026-02-02T15:30:00Z"}]},
        {"position": 2, "name": "Client sign-off", "kind": "client", "rule": "any",
         "deciders": [], "status": "pending", "decided_at": null, "decisions": []}
    ]
}))]
pub struct Approval {
    pub id: i64,
    pub subject_type: SubjectType,
    pub subject_id: i64,
    /// The version of the subject being approved (a brief's submitted version, a round's
    /// number). Every decision names it; one on another version is refused.
    pub subject_version: i32,
    /// Who wrote the subject: they may not decide its internal stages.
    pub subject_author_id: Option<i64>,
    pub account_id: i64,
    pub client_id: i64,
    pub status: ApprovalStatus,
    /// The position of the stage open now; `null` once the approval is closed.
    pub current_stage: Option<i32>,
    /// Who asked for it: they may not decide its internal stages.
    pub requested_by: i64,
    /// When a decision is wanted, `YYYY-MM-DD`; past it, a pending approval is overdue.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<NaiveDate>,
    pub note: Option<String>,
    /// Why it was cancelled: by whom, or what superseded it.
    pub cancel_reason: Option<String>,
    #[serde(serialize_with = "crate::time::rfc3339_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<NaiveDateTime>,
    pub version: i32,
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
    pub stages: Vec<Stage>,
}

impl Approval {
    /// The stage open now, if the approval is pending.
    pub fn open_stage(&self) -> Option<&Stage> {
        let position = self.current_stage?;
        self.stages.iter().find(|s| s.position == position)
    }

    /// What its audit events are about.
    pub fn subject(&self) -> Subject {
        Subject::of_account("approvals", self.id, self.account_id, self.client_id)
    }

    /// Why `staff_id` may not decide this approval's internal stages, if they may not:
    /// nobody signs off on what they asked for or wrote.
    pub fn four_eyes(&self, staff_id: i64) -> Option<&'static str> {
        if self.requested_by == staff_id {
            return Some("nobody decides an internal stage of an approval they requested");
        }
        if self.subject_author_id == Some(staff_id) {
            return Some("nobody decides an internal stage of a subject they authored");
        }
        None
    }
}

/// What a subject gives an approval opened on it.
pub struct Opening<'a> {
    pub subject_type: SubjectType,
    pub subject_id: i64,
    pub subject_version: i32,
    pub subject_author_id: Option<i64>,
    pub account_id: i64,
    pub client_id: i64,
    /// The stages asked for; `None`: the subject type's policy.
    pub stages: Option<Stages>,
    pub due_date: Option<NaiveDate>,
    pub note: Option<&'a str>,
}

/// Opens an approval on a subject, within the caller's transaction: the stages asked for
/// or the policy's, each named decider checked (422 on `stages[i].deciders`), the rows
/// and the audit event written. A subject with an open approval already gets 409: the
/// unique index decides, so two concurrent openings cannot both succeed.
pub fn open(
    conn: &mut DbConn,
    actor: &Actor,
    requested_by: i64,
    mut opening: Opening<'_>,
    at: NaiveDateTime,
) -> Result<Approval, ApiError> {
    let stages = match opening.stages.take() {
        Some(stages) => {
            check_deciders(conn, &stages, "stages")?;
            stages
        }
        None => policy::find(conn, opening.subject_type)?.stages,
    };
    let approval = store::insert(conn, &opening, requested_by, &stages.0, at).map_err(|e| {
        ApiError::from_unique_index(
            e,
            &[
                ("approvals_one_open_idx", "subject_id", ONE_OPEN),
                // SQLite names the columns, not the index.
                (
                    "approvals.subject_type, approvals.subject_id",
                    "subject_id",
                    ONE_OPEN,
                ),
            ],
        )
    })?;
    audit::created(conn, actor, approval.subject(), &approval)?;
    Ok(approval)
}

const ONE_OPEN: &str = "this subject already has an open approval; decide or cancel it first";

/// Every named decider must be active staff whose role holds `approvals.decide`: anyone
/// else could never decide, and the approval would be stuck.
pub fn check_deciders(conn: &mut DbConn, stages: &Stages, field: &str) -> Result<(), ApiError> {
    for (index, stage) in stages.0.iter().enumerate() {
        for staff_id in &stage.deciders {
            let scope = grants::held_by_active(conn, *staff_id, Permission::ApprovalsDecide)?;
            let problem = match scope {
                Some(None) => "does not hold approvals.decide",
                None => "is not an active member of staff",
                Some(Some(Scope::All | Scope::Assigned)) => continue,
            };
            return Err(ApiError::invalid(
                &format!("{field}[{index}].deciders"),
                if scope.is_none() {
                    ErrorCode::Unknown
                } else {
                    ErrorCode::Invalid
                },
                format!("staff {staff_id} {problem}"),
            ));
        }
    }
    Ok(())
}

/// Cancels the open approval on a subject, if there is one (a brief cancelled, a round
/// superseded), within the caller's transaction, with its audit event.
pub fn cancel_open(
    conn: &mut DbConn,
    actor: &Actor,
    subject_type: SubjectType,
    subject_id: i64,
    reason: &str,
    at: NaiveDateTime,
) -> Result<Option<Approval>, ApiError> {
    let Some(before) = store::open_for(conn, subject_type, subject_id)? else {
        return Ok(None);
    };
    let after = close(conn, &before, ApprovalStatus::Cancelled, Some(reason), at)?;
    audit::write(
        conn,
        actor,
        "cancel",
        after.subject(),
        Some(&before),
        Some(&after),
    )?;
    Ok(Some(after))
}

/// Closes a pending approval with `status`: its open and waiting stages skipped, written
/// only if nobody changed it since `before` was read (409 otherwise).
pub fn close(
    conn: &mut DbConn,
    before: &Approval,
    status: ApprovalStatus,
    cancel_reason: Option<&str>,
    at: NaiveDateTime,
) -> Result<Approval, ApiError> {
    store::skip_open_stages(conn, before.id)?;
    let state = store::State {
        status,
        current_stage: None,
        cancel_reason,
        closed_at: Some(at),
    };
    store::set_state(conn, before, &state, at)?.ok_or_else(|| lost_race(before.id))
}

/// The 409 of a write that lost a race with another on the same approval.
pub fn lost_race(id: i64) -> ApiError {
    ApiError::conflict(format!(
        "approval {id} changed while this request was processed; read it again"
    ))
}
