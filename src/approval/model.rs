//! What an approval is made of: its subject types and states, its stages and the
//! decisions on them.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::Subject;
use crate::auth::Permission;
use crate::db::sql::text_enum;
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

    /// The permission whose holders sign off on this kind of subject: `payments.approve`
    /// for a payment (besides `approvals.decide`, which every internal decision needs),
    /// `approvals.decide` otherwise. A director stage wants it in scope `all`.
    pub fn approving_permission(self) -> Permission {
        match self {
            SubjectType::Payment => Permission::PaymentsApprove,
            _ => Permission::ApprovalsDecide,
        }
    }
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
    /// Decided by its named deciders or, naming none, only by a holder of the subject's
    /// approving permission in scope `all`.
    pub director: bool,
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
         "deciders": [], "director": false, "status": "approved", "decided_at": "2026-02-02T15:30:00Z",
         "decisions": [{"id": 140, "decided_by": 5, "decision": "approved", "note": null,
                        "subject_version": 2, "client_person": null,
                        "decided_at": "2026-02-02T15:30:00Z"}]},
        {"position": 2, "name": "Client sign-off", "kind": "client", "rule": "any",
         "deciders": [], "director": false, "status": "pending", "decided_at": null, "decisions": []}
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
