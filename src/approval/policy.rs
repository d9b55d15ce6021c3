//! Approval policies: the default stage chain of each subject type, stored as data like
//! roles, seeded on first start and edited through `/approval-policies`.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::{StageKind, StageRule, StageSpec, Stages, SubjectType};
use crate::audit::{self, Actor, Subject};
use crate::db::schema::approval_policies;
use crate::db::DbConn;
use crate::error::{ApiError, ErrorCode};
use crate::rest::record::Versioned;
use crate::time::rfc3339;

/// The stages a request without its own `stages` gets, for one subject type.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(example = json!({
    "subject_type": "brief",
    "stages": [
        {"name": "Internal review", "kind": "internal", "rule": "any", "deciders": [], "director": false},
        {"name": "Client sign-off", "kind": "client", "rule": "any", "deciders": [], "director": false}
    ],
    "version": 1, "updated_at": "2026-01-22T09:00:00Z"
}))]
pub struct Policy {
    pub subject_type: SubjectType,
    pub stages: Stages,
    pub version: i32,
    #[serde(serialize_with = "rfc3339")]
    pub updated_at: NaiveDateTime,
}

impl Versioned for Policy {
    fn version(&self) -> i32 {
        self.version
    }
}

impl Policy {
    pub fn subject(&self) -> Subject {
        Subject::new("approval_policies", self.subject_type.as_str())
    }
}

fn stage(name: &str, kind: StageKind) -> StageSpec {
    StageSpec {
        name: name.to_owned(),
        kind,
        rule: StageRule::Any,
        deciders: Vec::new(),
        director: false,
    }
}

/// The director stage a payment that needs one gets when its policy names none: any
/// holder of `payments.approve` in scope `all` decides it.
pub fn director_stage() -> StageSpec {
    StageSpec {
        director: true,
        ..stage("Director approval", StageKind::Internal)
    }
}

/// What a first start seeds: briefs, creative rounds and contracts go through an internal
/// review by anyone holding `approvals.decide` in scope, then the client; payments through
/// the internal review only.
pub fn default_stages(subject_type: SubjectType) -> Stages {
    let internal = stage("Internal review", StageKind::Internal);
    match subject_type {
        SubjectType::Brief | SubjectType::CreativeRound | SubjectType::Contract => {
            Stages(vec![internal, stage("Client sign-off", StageKind::Client)])
        }
        SubjectType::Payment => Stages(vec![internal]),
    }
}

/// What a policy's stages must be beyond a request's: a director stage belongs to the
/// `payment` policy only, at most one, which is held back for the payments that need one,
/// so at least one other stage must remain for the rest.
pub fn check(subject_type: SubjectType, stages: &Stages) -> Result<(), ApiError> {
    let directors: Vec<usize> = (0..stages.0.len())
        .filter(|i| stages.0[*i].director)
        .collect();
    let refuse = |index: usize, message: &str| {
        ApiError::invalid(
            &format!("stages[{index}].director"),
            ErrorCode::Invalid,
            message,
        )
    };
    match directors.as_slice() {
        [] => Ok(()),
        [first, ..] if subject_type != SubjectType::Payment => Err(refuse(
            *first,
            "only the payment policy has a director stage: the one a payment over its \
             account's threshold or remaining budget gets",
        )),
        [_, second, ..] => Err(refuse(*second, "a policy has at most one director stage")),
        [only] if stages.0.len() == 1 => Err(refuse(
            *only,
            "the director stage is added only when a payment needs one; the policy needs \
             another stage for every payment",
        )),
        [_] => Ok(()),
    }
}

type Row = (String, String, i32, NaiveDateTime);

fn from_row((subject_type, stages, version, updated_at): Row) -> Result<Policy, ApiError> {
    let subject_type =
        SubjectType::try_from(subject_type).map_err(|e| ApiError::internal(e.to_string()))?;
    let stages = serde_json::from_str(&stages)
        .map_err(|e| ApiError::internal(format!("stored policy stages: {e}")))?;
    Ok(Policy {
        subject_type,
        stages,
        version,
        updated_at,
    })
}

const COLUMNS: (
    approval_policies::subject_type,
    approval_policies::stages,
    approval_policies::version,
    approval_policies::updated_at,
) = (
    approval_policies::subject_type,
    approval_policies::stages,
    approval_policies::version,
    approval_policies::updated_at,
);

/// Every subject type's policy, in the order of [`SubjectType::ALL`].
pub fn all(conn: &mut DbConn) -> Result<Vec<Policy>, ApiError> {
    let rows: Vec<Row> = approval_policies::table.select(COLUMNS).load(conn)?;
    let mut policies = rows
        .into_iter()
        .map(from_row)
        .collect::<Result<Vec<_>, _>>()?;
    policies.sort_by_key(|p| SubjectType::ALL.iter().position(|t| *t == p.subject_type));
    Ok(policies)
}

/// One subject type's policy (seeded on first start, so always there).
pub fn find(conn: &mut DbConn, subject_type: SubjectType) -> Result<Policy, ApiError> {
    let row: Option<Row> = approval_policies::table
        .find(subject_type.as_str())
        .select(COLUMNS)
        .first(conn)
        .optional()?;
    match row {
        Some(row) => from_row(row),
        None => Err(ApiError::internal(format!(
            "no approval policy for {}",
            subject_type.as_str()
        ))),
    }
}

/// Replaces the stages if the policy is still at `version`; `None` when another writer won.
pub fn replace(
    conn: &mut DbConn,
    subject_type: SubjectType,
    version: i32,
    stages: &Stages,
    at: NaiveDateTime,
) -> Result<Option<Policy>, ApiError> {
    let json = serde_json::to_string(stages).map_err(|e| ApiError::internal(e.to_string()))?;
    let current = approval_policies::subject_type
        .eq(subject_type.as_str())
        .and(approval_policies::version.eq(version));
    let row: Option<Row> = diesel::update(approval_policies::table.filter(current))
        .set((
            approval_policies::stages.eq(json),
            approval_policies::version.eq(version + 1),
            approval_policies::updated_at.eq(at),
        ))
        .returning(COLUMNS)
        .get_result(conn)
        .optional()?;
    row.map(from_row).transpose()
}

/// Seeds the policy of every subject type that has none (an edited one stays as it is).
pub fn seed(conn: &mut DbConn, actor: &Actor, at: NaiveDateTime) -> Result<(), ApiError> {
    for subject_type in SubjectType::ALL {
        let exists: bool = diesel::select(diesel::dsl::exists(
            approval_policies::table.find(subject_type.as_str()),
        ))
        .get_result(conn)?;
        if exists {
            continue;
        }
        let stages = default_stages(subject_type);
        let json = serde_json::to_string(&stages).map_err(|e| ApiError::internal(e.to_string()))?;
        let row: Row = diesel::insert_into(approval_policies::table)
            .values((
                approval_policies::subject_type.eq(subject_type.as_str()),
                approval_policies::stages.eq(json),
                approval_policies::version.eq(1),
                approval_policies::updated_at.eq(at),
            ))
            .returning(COLUMNS)
            .get_result(conn)?;
        let policy = from_row(row)?;
        audit::created(conn, actor, policy.subject(), &policy)?;
    }
    Ok(())
}
