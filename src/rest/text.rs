//! Checks on text every body and parameter shares: control characters, single lines,
//! web addresses.

use crate::error::{ErrorCode, FieldError};

/// Whether a text may span lines: long text keeps tabs and newlines, nothing else does.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    One,
    Many,
}

/// Whether `text` holds a control character not allowed in it.
pub fn has_control(text: &str, lines: Lines) -> bool {
    text.chars()
        .any(|c| c.is_control() && (lines == Lines::One || !matches!(c, '\t' | '\n' | '\r')))
}

pub(crate) fn control_character_error(field: &str) -> FieldError {
    FieldError::new(
        field,
        ErrorCode::ControlCharacter,
        "must not contain NUL or other control characters",
    )
}

/// Validates a single-line text (a name, an email, a key, a reference): no tab, newline
/// or other control character. For `#[validate(custom(function = single_line))]`.
pub fn single_line(value: &str) -> Result<(), validator::ValidationError> {
    if has_control(value, Lines::One) {
        let mut e = validator::ValidationError::new("control_character");
        e.message = Some("must be a single line without tabs or control characters".into());
        return Err(e);
    }
    Ok(())
}

/// Validates a web address a browser may open: absolute `http` or `https` only, so a
/// stored link can never run script (`javascript:`) or reach a local file.
pub fn web_url(value: &str) -> Result<(), validator::ValidationError> {
    let lower = value.to_ascii_lowercase();
    let scheme_ok = lower.starts_with("http://") || lower.starts_with("https://");
    if scheme_ok && validator::ValidateUrl::validate_url(&value) && !has_control(value, Lines::One)
    {
        return Ok(());
    }
    let mut e = validator::ValidationError::new("url");
    e.message = Some("must be an absolute http or https URL such as https://example.com".into());
    Err(e)
}

/// Validates a required single line (a name, which is stored trimmed): not only
/// whitespace, and no tab, newline or other control character inside.
pub fn required_line(value: &str) -> Result<(), validator::ValidationError> {
    if value.trim().is_empty() {
        let mut e = validator::ValidationError::new("blank");
        e.message = Some("must not be blank".into());
        return Err(e);
    }
    single_line(value.trim())
}
