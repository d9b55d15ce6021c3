//! What is wrong with one field or parameter: its name, a code from a closed set, and a
//! message in plain words.

use serde::Serialize;
use utoipa::ToSchema;

/// One invalid field of a request, for the `errors` member of a 422/409 problem.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field, as a dotted path into the request body or the query parameter name.
    #[schema(example = "name")]
    pub field: String,
    pub code: ErrorCode,
    #[schema(example = "must be between 1 and 200 characters")]
    pub message: String,
    /// In an import's answer: the line of the body (a CSV's header row is line 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: ErrorCode, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            code,
            message: message.into(),
            line: None,
        }
    }
}

/// A deserializer's message about one field or parameter, in the words a client reads:
/// serde's own wording (`invalid type: integer `5`, expected a string`) and Rust type
/// names never reach a client. `subject` is what the field belongs to, for an unknown
/// name: "field of this request", "parameter of this operation".
pub fn plain_message(raw: &str, subject: &str) -> String {
    // serde quotes names in backticks: "unknown variant `x`, expected one of `a`, `b`".
    let names = |text: &str| -> Vec<String> {
        text.split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    };
    let expected = |text: &str| -> String {
        let wanted = text.rsplit("expected ").next().unwrap_or_default().trim();
        let wanted = wanted.trim_start_matches("one of ").trim();
        match wanted {
            "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize" => {
                "a whole number".to_owned()
            }
            "f32" | "f64" => "a number".to_owned(),
            "a sequence" => "a list".to_owned(),
            "a map" => "an object".to_owned(),
            w if w.starts_with("struct ") => "an object".to_owned(),
            w if w.contains('`') => format!("one of: {}", names(w).join(", ")),
            "" => "a valid value".to_owned(),
            w => w.to_owned(),
        }
    };
    if raw.starts_with("missing field `") {
        return "is required".to_owned();
    }
    if let Some(rest) = raw.strip_prefix("unknown field `") {
        let known = names(rest.split_once(',').map(|(_, k)| k).unwrap_or_default());
        return match known.is_empty() {
            true => format!("is not a {subject}"),
            false => format!("is not a {subject}; known: {}", known.join(", ")),
        };
    }
    if raw.starts_with("unknown variant `") {
        let known = names(raw.split_once(',').map(|(_, k)| k).unwrap_or_default());
        return format!("must be one of: {}", known.join(", "));
    }
    if raw.starts_with("invalid type: ")
        || raw.starts_with("invalid value: ")
        || raw.starts_with("invalid length ")
    {
        return format!("must be {}", expected(raw));
    }
    if raw.contains("invalid digit") || raw.contains("cannot parse integer") {
        return "must be a whole number".to_owned();
    }
    if raw.contains("number too large") || raw.contains("number too small") {
        return "is out of range".to_owned();
    }
    if raw.contains("`true` or `false`") {
        return "must be true or false".to_owned();
    }
    if raw.starts_with("must ") || raw.starts_with("is ") {
        return raw.to_owned(); // already ours
    }
    "is not a valid value".to_owned()
}

/// What is wrong with a field or parameter: a closed set, so a client can rely on it.
///
/// - `required`: A required field is missing.
/// - `unknown_field`: A field the body does not take.
/// - `type`: A value of the wrong type (a text where a number belongs, an unknown enum value).
/// - `length`: Too short or too long.
/// - `blank`: Only whitespace where text is required.
/// - `control_character`: NUL or another control character, or a line break in a single-line field.
/// - `url`: Not an absolute http or https address.
/// - `email`: Not an email address.
/// - `range`: A number out of its range.
/// - `pattern`: Text not of the required form (a role key).
/// - `currency`: Not an ISO 4217 currency code.
/// - `duplicate`: Listed or given more than once.
/// - `format`: Not of the required format (an RFC 3339 timestamp).
/// - `invalid`: Not acceptable as given (a cursor, a sort, a reporting line).
/// - `unknown`: Refers to a record that does not exist, or that the caller cannot see.
/// - `inactive`: Refers to a deactivated staff member.
/// - `empty`: A query parameter given with no value.
/// - `unknown_parameter`: A query parameter the operation does not take.
/// - `sort_mismatch`: A cursor used with another sort than it was issued for.
/// - `unique`: Taken by another record (409).
/// - `in_use`: Other records still refer to this one (409).
/// - `last_administrator`: The change would leave nobody able to administer roles or staff (409).
/// - `forbidden`: A value the caller's grants do not allow them to give (an import's line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum ErrorCode {
    #[serde(rename = "required")]
    Required,
    #[serde(rename = "unknown_field")]
    UnknownField,
    #[serde(rename = "type")]
    Type,
    #[serde(rename = "length")]
    Length,
    #[serde(rename = "blank")]
    Blank,
    #[serde(rename = "control_character")]
    ControlCharacter,
    #[serde(rename = "url")]
    Url,
    #[serde(rename = "email")]
    Email,
    #[serde(rename = "range")]
    Range,
    #[serde(rename = "pattern")]
    Pattern,
    #[serde(rename = "currency")]
    Currency,
    #[serde(rename = "duplicate")]
    Duplicate,
    #[serde(rename = "format")]
    Format,
    #[serde(rename = "invalid")]
    Invalid,
    #[serde(rename = "unknown")]
    Unknown,
    #[serde(rename = "inactive")]
    Inactive,
    #[serde(rename = "empty")]
    Empty,
    #[serde(rename = "unknown_parameter")]
    UnknownParameter,
    #[serde(rename = "sort_mismatch")]
    SortMismatch,
    #[serde(rename = "unique")]
    Unique,
    #[serde(rename = "in_use")]
    InUse,
    #[serde(rename = "last_administrator")]
    LastAdministrator,
    #[serde(rename = "forbidden")]
    Forbidden,
}

impl ErrorCode {
    /// The code of a validator failure: the built-in validations' codes and our own
    /// validation functions' are all in the set; anything else reads as `invalid`.
    pub(super) fn of_validation(code: &str) -> ErrorCode {
        match code {
            "required" => ErrorCode::Required,
            "unknown_field" => ErrorCode::UnknownField,
            "type" => ErrorCode::Type,
            "length" => ErrorCode::Length,
            "blank" => ErrorCode::Blank,
            "control_character" => ErrorCode::ControlCharacter,
            "url" => ErrorCode::Url,
            "email" => ErrorCode::Email,
            "range" => ErrorCode::Range,
            "pattern" => ErrorCode::Pattern,
            "currency" => ErrorCode::Currency,
            "duplicate" => ErrorCode::Duplicate,
            "format" => ErrorCode::Format,
            "invalid" => ErrorCode::Invalid,
            "unknown" => ErrorCode::Unknown,
            "inactive" => ErrorCode::Inactive,
            "empty" => ErrorCode::Empty,
            "unknown_parameter" => ErrorCode::UnknownParameter,
            "sort_mismatch" => ErrorCode::SortMismatch,
            "unique" => ErrorCode::Unique,
            "in_use" => ErrorCode::InUse,
            "last_administrator" => ErrorCode::LastAdministrator,
            "forbidden" => ErrorCode::Forbidden,
            _ => ErrorCode::Invalid,
        }
    }
}
