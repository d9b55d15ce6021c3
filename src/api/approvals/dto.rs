use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError, ValidationErrors};

use crate::approval::{self, Approval, ApprovalStatus, Decision, Stages, SubjectType};
use crate::db::sql::text_enum;
use crate::rest::list::{Key, KeyKind, Page, Sort};
use crate::rest::record::Versioned;
use crate::rest::text::{required_line, single_line};
use crate::time::Timestamp;

text_enum!(
    /// Something the caller may do with an approval now: `decide` its open internal stage,
    /// `record_client_decision` on its open client stage, `cancel` it.
    ApprovalAction {
        Decide => "decide",
        RecordClientDecision => "record_client_decision",
        Cancel => "cancel",
    }
);

/// An approval as one caller sees it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 88, "subject_type": "brief", "subject_id": 31, "subject_version": 2,
    "subject_author_id": 7, "account_id": 12, "client_id": 42, "status": "pending",
    "current_stage": 1, "requested_by": 7, "due_date": "2026-02-10",
    "note": "Second round after the client's comments on the insight.",
    "cancel_reason": null, "closed_at": null, "version": 1,
    "created_at": "2026-02-01T09:00:00Z", "updated_at": "2026-02-01T09:00:00Z",
    "stages": [
        {"position": 1, "name": "Internal review", "kind": "internal", "rule": "any",
         "deciders": [], "director": false, "status": "pending", "decided_at": null, "decisions": []},
        {"position": 2, "name": "Client sign-off", "kind": "client", "rule": "any",
         "deciders": [], "director": false, "status": "waiting", "decided_at": null, "decisions": []}
    ],
    "overdue": false, "allowed_actions": ["decide", "cancel"]
}))]
pub struct ApprovalView {
    #[serde(flatten)]
    pub approval: Approval,
    /// Pending past its due date.
    pub overdue: bool,
    /// What the caller may do now, taking the state, their grants and scope, the stage's
    /// deciders and the four-eyes rule into account.
    pub allowed_actions: Vec<ApprovalAction>,
}

impl Versioned for ApprovalView {
    fn version(&self) -> i32 {
        self.approval.version
    }
}

pub type ApprovalPage = Page<ApprovalView>;

/// Opens an approval on a subject with none open. A brief's approval is opened by
/// submitting the brief (`POST /briefs/{id}/submit`), not here.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "subject_type": "creative_round", "subject_id": 17, "due_date": "2026-03-05",
    "note": "Round 2: the TV script and the key visual."
}))]
pub struct ApprovalCreate {
    /// `creative_round` here; `brief` through the brief's `/submit`.
    pub subject_type: SubjectType,
    /// The subject, within the caller's reach; any other id reads as unknown.
    pub subject_id: i64,
    /// The stages, in order; left out, the subject type's policy.
    #[validate(nested)]
    pub stages: Option<Stages>,
    /// `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<NaiveDate>,
    /// Up to 2,000 characters.
    #[validate(custom(function = approval::note))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// A decision on the open internal stage. `changes_requested` and `rejected` need a note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "decision": "changes_requested", "subject_version": 2,
    "note": "The insight reads as a claim; ground it in the research."
}))]
pub struct DecisionCreate {
    pub decision: Decision,
    /// Required for `changes_requested` and `rejected`; up to 2,000 characters.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// The subject version the decider saw (the approval's `subject_version`).
    pub subject_version: i32,
}

impl Validate for DecisionCreate {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        check_note(self.decision, self.note.as_deref(), &mut errors);
        errors.is_empty().then_some(()).ok_or(errors)
    }
}

/// The client person whose decision is recorded.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientPersonInput {
    /// 1 to 200 characters.
    #[validate(length(min = 1, max = 200, message = "must be between 1 and 200 characters"), custom(function = required_line))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    #[validate(email(message = "must be an email address"), custom(function = single_line))]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
}

/// The client's decision on the open client stage, as the member of staff who brought it
/// back records it. `changes_requested` and `rejected` need a note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "decision": "approved", "subject_version": 2,
    "note": "Approved on the call of 3 February.",
    "client_person": {"name": "Giulia Bianchi", "email": "giulia.bianchi@acme.example"}
}))]
pub struct ClientDecisionCreate {
    pub decision: Decision,
    /// Required for `changes_requested` and `rejected`; up to 2,000 characters.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    pub subject_version: i32,
    pub client_person: ClientPersonInput,
}

impl Validate for ClientDecisionCreate {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = match self.client_person.validate() {
            Ok(()) => ValidationErrors::new(),
            Err(inner) => {
                let mut errors = ValidationErrors::new();
                errors.errors_mut().insert(
                    "client_person".into(),
                    validator::ValidationErrorsKind::Struct(Box::new(inner)),
                );
                errors
            }
        };
        check_note(self.decision, self.note.as_deref(), &mut errors);
        errors.is_empty().then_some(()).ok_or(errors)
    }
}

fn check_note(decision: Decision, text: Option<&str>, errors: &mut ValidationErrors) {
    match text {
        Some(text) => {
            if let Err(e) = approval::note(text) {
                errors.add("note", e);
            } else if decision != Decision::Approved && text.trim().is_empty() {
                errors.add("note", required_note());
            }
        }
        None if decision != Decision::Approved => errors.add("note", required_note()),
        None => {}
    }
}

fn required_note() -> ValidationError {
    let mut e = ValidationError::new("required");
    e.message = Some("changes_requested and rejected need a note saying why".into());
    e
}

/// Why an approval is cancelled; the body may be left out.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "The client paused the campaign."}))]
pub struct ApprovalCancel {
    /// Up to 2,000 characters.
    #[validate(custom(function = approval::note))]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
}

/// The filters of `GET /approvals`; they combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApprovalFilter {
    pub subject_type: Option<SubjectType>,
    pub subject_id: Option<i64>,
    pub status: Option<ApprovalStatus>,
    pub account_id: Option<i64>,
    /// Only approvals changed at or after this RFC 3339 time.
    #[param(value_type = Option<String>, example = "2026-01-01T00:00:00Z", format = DateTime)]
    pub updated_since: Option<Timestamp>,
    /// `true`: only pending approvals past their due date; `false`: only those that are not.
    pub overdue: Option<bool>,
}

/// The filters of `GET /me/approvals`; they combine with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueFilter {
    pub subject_type: Option<SubjectType>,
    pub account_id: Option<i64>,
    /// Only approvals changed at or after this RFC 3339 time.
    #[param(value_type = Option<String>, example = "2026-01-01T00:00:00Z", format = DateTime)]
    pub updated_since: Option<Timestamp>,
    /// `true`: only those past their due date; `false`: only those that are not.
    pub overdue: Option<bool>,
}

/// Approvals are listed by when they were opened (the default) or last changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalSort {
    CreatedAt,
    UpdatedAt,
}

impl Sort for ApprovalSort {
    type Row = Approval;
    const KEYS: &'static [(&'static str, Self)] = &[
        ("created_at", ApprovalSort::CreatedAt),
        ("updated_at", ApprovalSort::UpdatedAt),
    ];
    const DEFAULT: &'static str = "created_at";

    fn kind(self) -> KeyKind {
        KeyKind::Time
    }

    fn key(self, row: &Approval) -> Key {
        Key::Time(self.time(row))
    }

    fn id(row: &Approval) -> i64 {
        row.id
    }
}

impl ApprovalSort {
    fn time(self, row: &Approval) -> NaiveDateTime {
        match self {
            ApprovalSort::CreatedAt => row.created_at,
            ApprovalSort::UpdatedAt => row.updated_at,
        }
    }
}
