//! `POST /imports/payments`: each line a payment request, as `POST /payments` takes it
//! (the account named by `account_id` or by `account_external_ref`). A payment is never
//! edited, so a line that names one already there — by `id`, or by an `external_ref` a
//! payment within reach has — must say what it says (then it is unchanged); any other
//! line is requested, its approval opened, by the single-record operation itself in a
//! savepoint of the import's transaction, so every rule holds as it does there.

use serde_json::Value;

use super::dto::{Payment, PaymentCreate};
use super::{repo, service};
use crate::api::accounts::repo as accounts;
use crate::auth::{Access, Caller, Visibility};
use crate::db::DbConn;
use crate::error::{ApiError, ErrorCode};
use crate::import::{Importer, Kind, Line, Seen, Shape, Tally};

/// The column that names the account by its `external_ref` instead of its id.
const ACCOUNT_REF: &str = "account_external_ref";

/// What an export writes of a payment beyond its request: where it stands, which a line
/// does not set. Read past, so that an export sent back is unchanged.
const STATE: &[&str] = &[
    "client_id",
    "status",
    "requested_by",
    "approved_by",
    "approval_id",
    "paid_at",
    "cancel_reason",
];

pub struct PaymentImport {
    caller: Caller,
    visibility: Visibility,
    refs: Seen<String>,
    ids: Seen<i64>,
}

impl PaymentImport {
    pub fn new(access: &Access) -> Self {
        PaymentImport {
            caller: access.caller.clone(),
            visibility: access.visibility(),
            refs: Seen::default(),
            ids: Seen::default(),
        }
    }

    /// Puts the id of the account `account_external_ref` names, if it is within reach,
    /// into the line's `account_id`; `false` (with the error) otherwise.
    fn resolve_account(
        &self,
        conn: &mut DbConn,
        line: &mut Line,
        tally: &mut Tally,
    ) -> Result<bool, ApiError> {
        let Some(reference) = line.take_text(ACCOUNT_REF, tally) else {
            return Ok(true);
        };
        let found = accounts::by_keys(conn, &[], &[reference.as_str()])?;
        let visible = match found.first() {
            Some(account) => accounts::find(conn, account.id, self.visibility)?,
            None => None,
        };
        let Some(account) = visible else {
            let message = format!("there is no account with external_ref {reference:?}");
            tally.error(line.number, ACCOUNT_REF, ErrorCode::Unknown, message);
            return Ok(false);
        };
        match line.fields.get("account_id") {
            None | Some(Value::Null) => {
                line.fields
                    .insert("account_id".into(), Value::from(account.id));
                Ok(true)
            }
            Some(given) if given.as_i64() == Some(account.id) => Ok(true),
            Some(_) => {
                let message = "names another account than account_external_ref";
                tally.error(line.number, "account_id", ErrorCode::Invalid, message);
                Ok(false)
            }
        }
    }

    fn one(
        &mut self,
        conn: &mut DbConn,
        mut line: Line,
        tally: &mut Tally,
    ) -> Result<(), ApiError> {
        let n = line.number;
        let id = line.take_id(tally);
        for name in STATE {
            line.fields.remove(*name);
        }
        if !self.resolve_account(conn, &mut line, tally)? {
            return Ok(());
        }
        let Some(input) = line.checked::<PaymentCreate>(tally) else {
            return Ok(());
        };
        if let Some(first) = input
            .external_ref
            .clone()
            .and_then(|r| self.refs.earlier(r, n))
        {
            let message = format!("line {first} has the same external_ref");
            tally.error(n, "external_ref", ErrorCode::Unique, message);
            return Ok(());
        }
        let existing = match (id, input.external_ref.as_deref()) {
            (Some(id), _) => match repo::find(conn, id, self.visibility)? {
                Some(payment) => Some(payment),
                None => {
                    tally.error(
                        n,
                        "id",
                        ErrorCode::Unknown,
                        format!("payment {id} not found"),
                    );
                    return Ok(());
                }
            },
            (None, Some(reference)) => repo::by_external_ref(conn, reference, self.visibility)?,
            (None, None) => None,
        };
        let Some(payment) = existing else {
            match service::create(conn, &self.caller, self.visibility, input) {
                Ok(_) => tally.created(1),
                Err(e) => tally.refused(n, e)?,
            }
            return Ok(());
        };
        if let Some(first) = self.ids.earlier(payment.id, n) {
            let message = format!("line {first} is about the same payment");
            tally.error(n, "id", ErrorCode::Duplicate, message);
        } else if let Some(field) = differs(&payment, &input) {
            let message = format!(
                "payment {} has another {field}; a payment is not edited: cancel it and \
                 request another",
                payment.id
            );
            tally.error(n, field, ErrorCode::Invalid, message);
        } else {
            tally.unchanged();
        }
        Ok(())
    }
}

/// The first field the line gives otherwise than the stored payment, if any (the
/// approval's `stages` and `note` belong to the request, not to the payment).
fn differs(payment: &Payment, input: &PaymentCreate) -> Option<&'static str> {
    if payment.account_id != input.account_id {
        return Some("account_id");
    }
    if payment.contract_id != input.contract_id {
        return Some("contract_id");
    }
    if payment.direction != input.direction {
        return Some("direction");
    }
    if payment.amount != input.amount {
        return Some("amount");
    }
    if payment.description != input.description.trim() {
        return Some("description");
    }
    if payment.due_date != input.due_date {
        return Some("due_date");
    }
    if input.external_ref.is_some() && payment.external_ref != input.external_ref {
        return Some("external_ref");
    }
    None
}

impl Importer for PaymentImport {
    /// Checked in the batch, once the references it needs are looked up.
    type Checked = Line;

    fn check(line: Line, _: &mut Tally) -> Option<Line> {
        Some(line)
    }

    fn shape() -> Shape {
        Shape::of::<PaymentCreate>().with(ACCOUNT_REF, Kind::Text)
    }

    /// Line by line: each request opens its own approval.
    fn batch(
        &mut self,
        conn: &mut DbConn,
        lines: Vec<Line>,
        tally: &mut Tally,
    ) -> Result<(), ApiError> {
        for line in lines {
            // Later lines are still checked once one fails; nothing is committed then.
            self.one(conn, line, tally)?;
        }
        Ok(())
    }
}
