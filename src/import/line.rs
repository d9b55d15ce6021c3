//! The columns of a line, as an importer reads them: its `id`, columns of the import's
//! own (`client_external_ref`), and the rest as the create body it stands for.

use serde_json::Value;
use validator::Validate;

use super::{Line, Tally, READ_ONLY};
use crate::error::{ApiError, ErrorCode};
use crate::rest::body::checked_ref;

impl Line {
    /// The `id` column, which names the record a line updates; read past the body.
    pub fn take_id(&mut self, tally: &mut Tally) -> Option<i64> {
        match self.fields.remove("id") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
            Some(_) => {
                tally.error(self.number, "id", ErrorCode::Type, "must be a whole number");
                None
            }
        }
    }

    /// A text column of the import's own (not of the create body), taken out.
    pub fn take_text(&mut self, name: &str, tally: &mut Tally) -> Option<String> {
        match self.fields.remove(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text),
            Some(_) => {
                tally.error(self.number, name, ErrorCode::Type, "must be a string");
                None
            }
        }
    }

    /// Resolves a reference column of the import's own (`client_external_ref`) into the
    /// create body's id field it stands for (`client_id`): `look_up` gives the id of the
    /// record the reference names, if the caller reaches it (out of reach reads exactly as
    /// missing). `false`, with the error, when it names none, or another record than the
    /// id field the line also gives; `true` when the line has no such column.
    pub fn resolve(
        &mut self,
        reference: Reference,
        tally: &mut Tally,
        look_up: impl FnOnce(&str) -> diesel::QueryResult<Option<i64>>,
    ) -> diesel::QueryResult<bool> {
        let Reference {
            column,
            field,
            noun,
        } = reference;
        let Some(text) = self.take_text(column, tally) else {
            return Ok(true);
        };
        let Some(id) = look_up(&text)? else {
            let message = format!("there is no {noun} with external_ref {text:?}");
            tally.error(self.number, column, ErrorCode::Unknown, message);
            return Ok(false);
        };
        Ok(match self.fields.get(field) {
            None | Some(Value::Null) => {
                self.fields.insert(field.into(), Value::from(id));
                true
            }
            Some(given) if given.as_i64() == Some(id) => true,
            Some(_) => {
                let message = format!("names another {noun} than {column}");
                tally.error(self.number, field, ErrorCode::Invalid, message);
                false
            }
        })
    }

    /// Whether the line gives `field` at all (a CSV column, a JSON member): a field it
    /// leaves out stays as it is on an update.
    pub fn gives(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }

    /// The line as the body `T` of a single-record create, checked exactly as that body
    /// is; its errors go to the tally. The columns an export writes of a stored record
    /// are dropped from the line first.
    pub fn checked<T: serde::de::DeserializeOwned + Validate>(
        &mut self,
        tally: &mut Tally,
    ) -> Option<T> {
        for name in READ_ONLY {
            self.fields.remove(*name);
        }
        // Read from the line in place rather than from a copy of it.
        let value = Value::Object(std::mem::take(&mut self.fields));
        let checked = checked_ref::<T>(&value);
        if let Value::Object(fields) = value {
            self.fields = fields;
        }
        match checked {
            Ok(value) => Some(value),
            Err(ApiError::Validation(errors)) => {
                for error in errors {
                    tally.push(self.number, error);
                }
                None
            }
            Err(e) => {
                tally.error(self.number, "", ErrorCode::Invalid, e.to_string());
                None
            }
        }
    }
}

/// A column of an import's own that names a record by its `external_ref`, in place of
/// the create body's id field.
#[derive(Debug, Clone, Copy)]
pub struct Reference {
    /// The column, `client_external_ref`.
    pub column: &'static str,
    /// The body's field it stands for, `client_id`.
    pub field: &'static str,
    /// What it names, for messages: `client`.
    pub noun: &'static str,
}

impl Reference {
    pub const CLIENT: Reference = Reference {
        column: "client_external_ref",
        field: "client_id",
        noun: "client",
    };
    pub const ACCOUNT: Reference = Reference {
        column: "account_external_ref",
        field: "account_id",
        noun: "account",
    };
}
