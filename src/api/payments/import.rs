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
use crate::import::{Kind, Line, LineByLine, Reference, Seen, Shape, Stored, Tally};

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

impl LineByLine for PaymentImport {
    fn shape() -> Shape {
        Shape::of::<PaymentCreate>().with(Reference::ACCOUNT.column, Kind::Text)
    }

    fn line(
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
        let external_ref = input.external_ref.as_deref();
        if self.refs.repeats_ref(external_ref, n, tally) {
            return Ok(());
        }
        let payment = match tally.stored(n, "payment", id, external_ref, |key| {
            repo::by_key(conn, key, visibility)
        })? {
            Stored::Found(payment) => payment,
            Stored::Unknown => return Ok(()),
            Stored::New => {
                let answer = service::create(conn, &self.caller, visibility, input);
                return tally.create(n, answer);
            }
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
