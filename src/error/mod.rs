//! One error type for the whole API, answered as RFC 9457 `application/problem+json`.

use actix_web::http::{header, Method, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::permissions::Permission;
use crate::request_id;

mod db_failure;
mod fields;

pub use db_failure::DbFailure;
pub use fields::{plain_message, ErrorCode, FieldError};

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    /// Query or path parameters that cannot be used, each named in `errors`.
    #[error("{}", describe_parameters(.0))]
    InvalidParameters(Vec<FieldError>),
    #[error("{0}")]
    Unauthorized(String),
    #[error("this operation requires the permission {0}")]
    Forbidden(Permission),
    /// The caller holds the operation's permission, but a rule forbids this use of it.
    #[error("{0}")]
    Denied(String),
    #[error("{0}")]
    NotFound(String),
    #[error("method {method} is not allowed here")]
    MethodNotAllowed { method: Method, allow: Vec<Method> },
    #[error("{detail}")]
    Conflict {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("the request has {} invalid field(s)", .0.len())]
    Validation(Vec<FieldError>),
    /// An import refused whole: the first errors, each naming its line, and how many.
    #[error("nothing was imported: {total} error(s) in the lines, {} listed", errors.len())]
    ImportRejected {
        errors: Vec<FieldError>,
        total: usize,
    },
    /// Answered with `Retry-After: retry_after` (whole seconds).
    #[error("too many attempts; retry in {retry_after} second(s)")]
    TooManyRequests { retry_after: u64 },
    /// A refused OAuth 2.0 token request (RFC 6749 §5.2), `error` being its code:
    /// `invalid_client` (401), `invalid_request`, `unsupported_grant_type` (400).
    #[error("{detail}")]
    OAuth {
        status: StatusCode,
        error: &'static str,
        detail: String,
    },
    /// The cause is logged; the client only learns that the service is unavailable.
    #[error("the service is temporarily unavailable")]
    Unavailable(String),
    /// This instance is draining before it stops (`lifecycle`); others serve on.
    #[error("this instance is shutting down; another instance serves requests")]
    Draining,
    /// The cause is logged; the client only learns that something failed.
    #[error("an internal error occurred")]
    Internal(String),
    /// The database failed (a missing row or a conflict is not a failure): 503 when it
    /// could not be reached, 500 otherwise. The cause is logged, the kind counted
    /// (`suits_db_errors_total`); the client learns only what `Unavailable` or `Internal`
    /// would tell.
    #[error("{}", .failure.detail())]
    Database { failure: DbFailure, cause: String },
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "about:blank",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "the request has 1 invalid field(s)",
    "request_id": "5f0c6d7e-1b7a-4c1e-9d2a-0f3c2b1a9e8d",
    "errors": [{"field": "name", "code": "length", "message": "must be between 1 and 200 characters"}]
}))]
pub struct Problem {
    /// Always `about:blank`: the status code carries the problem type.
    #[serde(rename = "type")]
    pub type_: &'static str,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The `X-Request-Id` of the request, to quote when reporting a problem.
    pub request_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// How many errors there are in all, when `errors` lists only the first of them (an
    /// import's lines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_count: Option<usize>,
    /// The OAuth 2.0 error code (RFC 6749 §5.2) of a refused client-credentials request
    /// at `POST /auth/token`: `invalid_client`, `invalid_request`, `unsupported_grant_type`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub error: Option<&'static str>,
}

impl ApiError {
    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(format!("{what} not found"))
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        ApiError::Conflict {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// A uniqueness conflict on one field, reported like a validation error so a form can
    /// show it next to the field.
    pub fn duplicate(field: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        ApiError::Conflict {
            errors: vec![FieldError::new(field, ErrorCode::Unique, detail.clone())],
            detail,
        }
    }

    /// A unique index that answered after the checks passed (a concurrent write won the
    /// race) is reported on its field, as the check would have. `indexes` pairs a fragment
    /// of the index name with the field and message; other errors convert as usual.
    pub fn from_unique_index(e: DieselError, indexes: &[(&str, &str, &str)]) -> Self {
        if let DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = &e {
            // PostgreSQL names the constraint; SQLite only mentions the columns.
            let index = format!(
                "{} {}",
                info.constraint_name().unwrap_or_default(),
                info.message()
            );
            if let Some((_, field, message)) =
                indexes.iter().find(|(name, _, _)| index.contains(name))
            {
                return ApiError::duplicate(field, *message);
            }
        }
        e.into()
    }

    /// One query or path parameter that cannot be used (400, named in `errors`).
    pub fn parameter(name: &str, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::InvalidParameters(vec![FieldError::new(name, code, message)])
    }

    pub fn invalid(field: &str, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    pub fn internal(cause: impl Into<String>) -> Self {
        ApiError::Internal(cause.into())
    }

    pub fn from_pool(e: diesel::r2d2::PoolError) -> Self {
        ApiError::Unavailable(format!("no database connection: {e}"))
    }

    fn field_errors(&self) -> &[FieldError] {
        match self {
            ApiError::Validation(errors)
            | ApiError::InvalidParameters(errors)
            | ApiError::Conflict { errors, .. }
            | ApiError::ImportRejected { errors, .. } => errors,
            _ => &[],
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        Problem {
            type_: "about:blank",
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            request_id: request_id::current().unwrap_or_default(),
            errors: self.field_errors().to_vec(),
            error_count: match self {
                ApiError::ImportRejected { total, .. } => Some(*total),
                _ => None,
            },
            error: match self {
                ApiError::OAuth { error, .. } => Some(error),
                _ => None,
            },
        }
    }
}

/// One parameter's problem says it all; several are counted, each in `errors`.
fn describe_parameters(errors: &[FieldError]) -> String {
    match errors {
        [one] => format!("parameter {}: {}", one.field, one.message),
        _ => format!("the request has {} invalid parameter(s)", errors.len()),
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::InvalidParameters(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::Denied(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) | ApiError::ImportRejected { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::OAuth { status, .. } => *status,
            ApiError::Unavailable(_) | ApiError::Draining => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Database { failure, .. } => match failure {
                DbFailure::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
                DbFailure::Timeout | DbFailure::Other => StatusCode::INTERNAL_SERVER_ERROR,
            },
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => log::error!("internal error: {cause}"),
            ApiError::Unavailable(cause) => log::warn!("unavailable: {cause}"),
            ApiError::Database {
                failure: DbFailure::Unavailable,
                cause,
            } => log::warn!("unavailable: {cause}"),
            ApiError::Database { failure, cause } => {
                log::error!("database error ({}): {cause}", failure.label())
            }
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.content_type(PROBLEM_JSON);
        match self {
            ApiError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"suits\""));
            }
            // The client authenticates with HTTP Basic (RFC 6749 §5.2).
            ApiError::OAuth { status, .. } if *status == StatusCode::UNAUTHORIZED => {
                response.insert_header((header::WWW_AUTHENTICATE, "Basic realm=\"suits\""));
            }
            ApiError::MethodNotAllowed { allow, .. } => {
                let allow: Vec<&str> = allow.iter().map(Method::as_str).collect();
                response.insert_header((header::ALLOW, allow.join(", ")));
            }
            ApiError::Unavailable(_)
            | ApiError::Database {
                failure: DbFailure::Unavailable,
                ..
            } => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            ApiError::TooManyRequests { retry_after } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            _ => {}
        }
        response.json(self.problem())
    }
}

impl From<DieselError> for ApiError {
    fn from(e: DieselError) -> Self {
        match &e {
            DieselError::NotFound => ApiError::NotFound("not found".to_owned()),
            // Races past a pre-check (two creates of one name) still end as a conflict.
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::conflict("the request conflicts with an existing record")
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                ApiError::conflict("the record is referred to by other records")
            }
            DieselError::DatabaseError(kind, info) => ApiError::Database {
                failure: DbFailure::of(kind, info.message()),
                cause: e.to_string(),
            },
            _ => ApiError::Database {
                failure: DbFailure::Other,
                cause: e.to_string(),
            },
        }
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut out = Vec::new();
        collect_validation_errors("", &errors, &mut out);
        // One message per field is what a form shows; the first says enough.
        out.sort_by(|a, b| a.field.cmp(&b.field));
        out.dedup_by(|a, b| a.field == b.field);
        ApiError::Validation(out)
    }
}

fn collect_validation_errors(
    prefix: &str,
    errors: &validator::ValidationErrors,
    out: &mut Vec<FieldError>,
) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        // A type that validates itself as a whole (a list of stages) reports on its own
        // field under the empty key.
        let path = if prefix.is_empty() {
            field.to_string()
        } else if field.is_empty() {
            prefix.to_owned()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let message = e
                        .message
                        .as_ref()
                        .map(|m| m.to_string())
                        .unwrap_or_else(|| format!("is invalid ({})", e.code));
                    out.push(FieldError::new(
                        path.clone(),
                        ErrorCode::of_validation(&e.code),
                        message,
                    ));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect_validation_errors(&path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect_validation_errors(&format!("{path}[{index}]"), inner, out);
                }
            }
        }
    }
}
