//! `POST /imports/payments`: each line a payment request, as `POST /payments` takes it
//! (the account named by `account_id` or by `account_external_ref`). A payment is never
//! edited, so a line that names one already there — by `id`, or by an `external_ref` a
//! payment within reach has — must say what it says (then it is unchanged); any other
//! line is requested, its approval opened, by the single-record operation itself in a
//! savepoint of the import's transaction, so every rule holds as it does there.

use super::dto::{Payment, PaymentCreate};
use super::{repo, service};
use crate::api::accounts::repo as accounts;
use crate::auth::{Access, Caller, Visibility};
use crate::db::DbConn;
use crate::error::{ApiError, ErrorCode};
use crate::import::{Importer, Kind, Line, Reference, Seen, Shape, Tally};

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
        let visibility = self.visibility;
        let account = |r: &str| Ok(accounts::by_external_ref(conn, r, visibility)?.map(|a| a.id));
        if !line.resolve(Reference::ACCOUNT, tally, account)? {
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
        Shape::of::<PaymentCreate>().with(Reference::ACCOUNT.column, Kind::Text)
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
