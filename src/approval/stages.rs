//! Stages as a policy or a request gives them, and the checks on a chain of them that a
//! JSON Schema cannot state.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError, ValidationErrors};

use super::{StageKind, StageRule};
use crate::rest::text::{required_line, Lines};

/// The most stages one approval may have.
pub const MAX_STAGES: usize = 10;

/// A stage as a policy or a request gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Account manager", "kind": "internal", "rule": "any", "deciders": [], "director": false}))]
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
    /// A director stage (internal only): decided by its named deciders or, naming none,
    /// only by a holder of the subject's approving permission in scope `all`
    /// (`payments.approve` for a payment, `approvals.decide` otherwise). In the `payment`
    /// policy it is the stage a payment gets when it needs one (over the account's
    /// threshold or beyond its remaining budget), and only then. Default `false`.
    #[serde(default)]
    pub director: bool,
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
            if stage.kind == StageKind::Client && stage.director {
                own.add(
                    "director",
                    invalid("invalid", "a director stage is an internal stage"),
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

/// What a submission (`POST /briefs/{id}/submit`, `POST /contracts/{id}/submit`) may say
/// of the approval it opens; the body may be left out.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"due_date": "2026-02-10", "note": "Please review before Friday's call."}))]
pub struct Submission {
    /// The approval's stages, in order; left out, the subject type's policy.
    #[validate(nested)]
    pub stages: Option<Stages>,
    /// When a decision is wanted, `YYYY-MM-DD`.
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<chrono::NaiveDate>,
    /// Up to 2,000 characters.
    #[validate(custom(function = super::note))]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}
