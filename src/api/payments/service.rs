//! Payment operations. A payment belongs to an account and is read through it: outside
//! the caller's assignments it is "not found". Requesting one opens its approval in the
//! same transaction; the approval, once closed, moves it (`subject.rs`).

use diesel::QueryResult;

use super::budget;
use super::dto::{
    Payment, PaymentAction, PaymentCreate, PaymentDirection, PaymentFilter, PaymentSort,
    PaymentStatus, PaymentView,
};
use super::repo::{self, NewPayment, PaymentState};
use crate::api::accounts::dto::Account;
use crate::api::accounts::repo as accounts;
use crate::approval::{self, Opening, SubjectType};
use crate::audit::{self, Actor, Subject};
use crate::auth::{Caller, Permission, Visibility};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ErrorCode};
use crate::money::Money;
use crate::resource::{self, Listed, Scoped};
use crate::rest::list::ListQuery;
use crate::time::now;

/// The largest amount a payment may have, in minor units: so large that no real payment
/// reaches it, small enough that an account's sums stay exact integers.
pub const MAX_AMOUNT_MINOR: i64 = 1_000_000_000_000_000;

impl Scoped for Payment {
    const NOUN: &'static str = "payment";
    const TABLE: &'static str = "payments";
    type Action = PaymentAction;
    type View = PaymentView;
    const ACTIONS: &'static [(PaymentAction, Permission)] = &[
        (PaymentAction::MarkPaid, Permission::PaymentsApprove),
        (PaymentAction::Cancel, Permission::PaymentsRequest),
    ];

    resource::scoped_reads_from!(repo);

    fn possible(&self, action: PaymentAction, _caller: &Caller) -> bool {
        match action {
            PaymentAction::MarkPaid => self.status == PaymentStatus::Approved,
            PaymentAction::Cancel => self.status.cancellable(),
        }
    }

    fn view(self, allowed_actions: Vec<PaymentAction>) -> PaymentView {
        PaymentView {
            payment: self,
            allowed_actions,
        }
    }
}

impl Listed for Payment {
    type Filter = PaymentFilter;
    type Sort = PaymentSort;

    fn list(
        conn: &mut DbConn,
        visibility: Visibility,
        query: &ListQuery<PaymentFilter, PaymentSort>,
    ) -> QueryResult<Vec<Self>> {
        repo::list(conn, visibility, query)
    }
}

impl PaymentStatus {
    /// Whether the payment can still be called off: not once paid, rejected or cancelled.
    pub fn cancellable(self) -> bool {
        matches!(
            self,
            PaymentStatus::PendingApproval | PaymentStatus::Approved
        )
    }
}

impl Payment {
    /// What its audit events are about.
    pub fn subject(&self) -> Subject {
        Subject::of_account("payments", self.id, self.account_id, self.client_id)
    }
}

/// Requests a payment on an account within reach of the caller's `payments.request`
/// scope, and opens its approval: the payment inserted, the approval opened on it (with a
/// director stage if the amount is above the account's threshold or, outgoing, beyond
/// its remaining budget), the payment given the approval's id — one transaction.
pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    input: PaymentCreate,
) -> Result<PaymentView, ApiError> {
    let at = now();
    let actor = Actor::from(caller);
    if let Some(stages) = &input.stages {
        if let Some(index) = stages.0.iter().position(|stage| stage.director) {
            return Err(ApiError::invalid(
                &format!("stages[{index}].director"),
                ErrorCode::Invalid,
                "a payment's director stage is added when the payment needs one; it is not \
                 given with the request",
            ));
        }
    }
    let payment = db::write_tx(conn, |conn| {
        // The account's row locked: two requests at once cannot both fit in what remains
        // of its budget, and so both escape a director stage.
        db::lock_row(conn, "accounts", db::RowKey::Id(input.account_id))?;
        let Some(account) = accounts::find(conn, input.account_id, visibility)? else {
            return Err(ApiError::invalid(
                "account_id",
                ErrorCode::Unknown,
                format!("there is no account {}", input.account_id),
            ));
        };
        check_amount(&account, &input.amount)?;
        if let Some(contract_id) = input.contract_id {
            check_contract(conn, &account, contract_id, visibility)?;
        }
        let figures = budget::figures(conn, &account)?;
        let needs_director = above_threshold(&account, &input.amount)
            || (input.direction == PaymentDirection::Outgoing
                && figures
                    .remaining_minor()
                    .is_some_and(|remaining| input.amount.amount_minor > remaining));
        let state = PaymentState {
            status: PaymentStatus::PendingApproval.as_str(),
            approved_by: None,
            approval_id: None,
            paid_at: None,
            external_ref: input.external_ref.as_deref(),
            cancel_reason: None,
        };
        let new = NewPayment {
            account_id: account.id,
            client_id: account.client_id,
            contract_id: input.contract_id,
            direction: input.direction.as_str(),
            amount_minor: input.amount.amount_minor,
            currency: &input.amount.currency,
            description: input.description.trim(),
            due_date: input.due_date,
            requested_by: caller.staff_id,
            state,
        };
        let inserted = repo::insert(conn, &new, at).map_err(external_ref_taken)?;
        let opening = Opening {
            subject_type: SubjectType::Payment,
            subject_id: inserted.id,
            // A payment never changes while it awaits approval.
            subject_version: 1,
            subject_author_id: Some(caller.staff_id),
            account_id: account.id,
            client_id: account.client_id,
            stages: input.stages,
            due_date: None,
            note: input.note.as_deref(),
            needs_director,
        };
        let approval = approval::open(conn, &actor, caller.staff_id, opening, at)?;
        let payment = repo::set_approval(conn, inserted.id, approval.id)?;
        audit::write(
            conn,
            &actor,
            "request",
            payment.subject(),
            None::<&Payment>,
            Some(&payment),
        )?;
        Ok::<_, ApiError>(payment)
    })?;
    // A new payment was not read under any visibility: ask, if a grant needs it.
    resource::view(conn, caller, Visibility::All, payment)
}

/// The amount's rules beyond its shape: more than zero, at most [`MAX_AMOUNT_MINOR`], in
/// the account's budget currency (so that sums are exact); an account without a budget
/// takes no payments until it has one.
fn check_amount(account: &Account, amount: &Money) -> Result<(), ApiError> {
    if amount.amount_minor <= 0 {
        return Err(ApiError::invalid(
            "amount.amount_minor",
            ErrorCode::Range,
            "must be more than zero",
        ));
    }
    if amount.amount_minor > MAX_AMOUNT_MINOR {
        return Err(ApiError::invalid(
            "amount.amount_minor",
            ErrorCode::Range,
            format!("must be at most {MAX_AMOUNT_MINOR}"),
        ));
    }
    let Some(budget) = &account.budget else {
        return Err(ApiError::invalid(
            "account_id",
            ErrorCode::Invalid,
            format!(
                "account {} has no budget; set its budget first (PATCH /api/v1/accounts/{})",
                account.id, account.id
            ),
        ));
    };
    if budget.currency != amount.currency {
        return Err(ApiError::invalid(
            "amount.currency",
            ErrorCode::Currency,
            format!(
                "must be {}, the currency of account {}'s budget",
                budget.currency, account.id
            ),
        ));
    }
    Ok(())
}

/// Whether the amount is above the account's approval threshold. A threshold in another
/// currency than the payment's cannot be compared: the payment is treated as above it.
fn above_threshold(account: &Account, amount: &Money) -> bool {
    account
        .payment_approval_threshold
        .as_ref()
        .is_some_and(|t| t.currency != amount.currency || amount.amount_minor > t.amount_minor)
}

/// A payment's contract: an active one of the account's client (for this account or for
/// the client as a whole), within the caller's reach; any other reads as unknown.
fn check_contract(
    conn: &mut DbConn,
    account: &Account,
    contract_id: i64,
    visibility: Visibility,
) -> Result<(), ApiError> {
    let fits = repo::contract(conn, contract_id, visibility)?.is_some_and(
        |(client_id, contract_account, status)| {
            client_id == account.client_id
                && contract_account.is_none_or(|id| id == account.id)
                && status == "active"
        },
    );
    if fits {
        return Ok(());
    }
    Err(ApiError::invalid(
        "contract_id",
        ErrorCode::Unknown,
        format!(
            "there is no active contract {contract_id} of account {}'s client",
            account.id
        ),
    ))
}

/// A write refused by the unique index on `external_ref`, as a 409 naming the field.
pub fn external_ref_taken(e: diesel::result::Error) -> ApiError {
    ApiError::from_unique_index(
        e,
        &[
            (
                "payments_external_ref_key",
                "external_ref",
                "a payment with this external_ref already exists",
            ),
            // SQLite names the columns, not the index.
            (
                "payments.external_ref",
                "external_ref",
                "a payment with this external_ref already exists",
            ),
        ],
    )
}
