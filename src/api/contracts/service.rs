//! Contract operations. A contract for one account is read through that account, one for
//! the client as a whole through any of the client's accounts: outside the caller's
//! assignments, a contract is "not found" — for reads, edits and transitions alike.

use diesel::QueryResult;

use super::dto::{
    Contract, ContractAction, ContractCreate, ContractFilter, ContractKind, ContractLifecycle,
    ContractSort, ContractStatus, ContractView,
};
use super::repo::{self, ContractColumns, NewContract};
use crate::api::{accounts, clients};
use crate::audit::{self, Actor, Subject};
use crate::auth::{Caller, Permission, Visibility};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ErrorCode};
use crate::resource::{self, Changed, Listed, Scoped};
use crate::rest::list::ListQuery;
use crate::time::now;

impl Scoped for Contract {
    const NOUN: &'static str = "contract";
    const TABLE: &'static str = "contracts";
    type Action = ContractAction;
    type View = ContractView;
    const ACTIONS: &'static [(ContractAction, Permission)] = &[
        (ContractAction::Update, Permission::ContractsWrite),
        (ContractAction::Delete, Permission::ContractsWrite),
        (ContractAction::Submit, Permission::ContractsWrite),
        (ContractAction::Renew, Permission::ContractsRenew),
        (ContractAction::Terminate, Permission::ContractsWrite),
    ];

    resource::scoped_reads_from!(repo);

    fn possible(&self, action: ContractAction, _caller: &Caller) -> bool {
        let draft = self.status == ContractStatus::Draft;
        let active = self.status == ContractStatus::Active;
        match action {
            ContractAction::Update | ContractAction::Delete | ContractAction::Submit => draft,
            ContractAction::Renew => active && self.end_date.is_some(),
            ContractAction::Terminate => active,
        }
    }

    fn view(self, allowed_actions: Vec<ContractAction>) -> ContractView {
        ContractView {
            contract: self,
            allowed_actions,
        }
    }
}

/// The audit subject of a contract: its account's when it has one, its client's always.
pub fn subject(contract: &Contract) -> Subject {
    Subject {
        client_id: Some(contract.client_id),
        account_id: contract.account_id,
        ..Subject::new("contracts", contract.id)
    }
}

/// The 409s and 422s of a write that breaks a unique index.
pub fn unique_violation(e: diesel::result::Error) -> ApiError {
    ApiError::from_unique_index(
        e,
        &[
            (
                "contracts_external_ref_key",
                "external_ref",
                EXTERNAL_REF_TAKEN,
            ),
            // SQLite names the columns, not the index.
            ("contracts.external_ref", "external_ref", EXTERNAL_REF_TAKEN),
            ("contracts_one_successor_idx", "renewal_of", ONE_SUCCESSOR),
            ("contracts.renewal_of", "renewal_of", ONE_SUCCESSOR),
        ],
    )
}

const EXTERNAL_REF_TAKEN: &str = "another contract has this external_ref";
pub const ONE_SUCCESSOR: &str =
    "this contract already has an open renewal (draft, pending approval or active)";

/// What a body cannot say in a schema: the end on or after the start, and only a
/// framework without an end (422 on `end_date`).
pub fn check_dates(contract: &Contract) -> Result<(), ApiError> {
    match contract.end_date {
        Some(end) if end < contract.start_date => Err(ApiError::invalid(
            "end_date",
            ErrorCode::Invalid,
            format!("must be on or after start_date ({})", contract.start_date),
        )),
        None if contract.kind != ContractKind::Framework => Err(ApiError::invalid(
            "end_date",
            ErrorCode::Required,
            "is required unless kind is framework",
        )),
        _ => Ok(()),
    }
}

impl Changed for Contract {
    fn version(&self) -> i32 {
        self.version
    }

    fn subject(&self) -> Subject {
        subject(self)
    }

    /// Only a draft changes: what was approved is what was signed.
    fn changeable(&self) -> Result<(), ApiError> {
        if self.status == ContractStatus::Draft {
            return Ok(());
        }
        Err(wrong_state(self, "only a draft can be edited"))
    }

    fn check(_conn: &mut DbConn, _before: &Self, after: &Self) -> Result<(), ApiError> {
        check_dates(after)
    }

    fn write(conn: &mut DbConn, before: &Self, after: &Self) -> Result<Option<Self>, ApiError> {
        let columns = ContractColumns::from(after);
        repo::update(conn, before.id, before.version, &columns, now()).map_err(unique_violation)
    }

    fn delete(conn: &mut DbConn, id: i64, version: i32) -> QueryResult<bool> {
        repo::delete(conn, id, version)
    }

    const DELETE_BLOCKED: &'static str = "while other records refer to it";

    /// Only a draft that nothing renews goes away without a trace.
    fn before_delete(&self, conn: &mut DbConn, _caller: &Caller) -> Result<(), ApiError> {
        if self.status != ContractStatus::Draft {
            return Err(wrong_state(self, "only a draft can be deleted"));
        }
        if repo::has_renewals(conn, self.id)? {
            return Err(ApiError::conflict(format!(
                "contract {} is renewed by another contract; it cannot be deleted",
                self.id
            )));
        }
        Ok(())
    }
}

impl Listed for Contract {
    type Filter = ContractFilter;
    type Sort = ContractSort;

    fn list(
        conn: &mut DbConn,
        visibility: Visibility,
        query: &ListQuery<ContractFilter, ContractSort>,
    ) -> QueryResult<Vec<Self>> {
        repo::list(conn, visibility, query)
    }
}

/// The 409 of a contract in a state the operation cannot start from, naming the state.
pub fn wrong_state(contract: &Contract, rule: &str) -> ApiError {
    ApiError::conflict(format!(
        "contract {} is {}; {rule}",
        contract.id,
        contract.status.as_str()
    ))
}

/// Creating needs the client (and the account, if one is named, of that client) within
/// reach of the caller's `contracts.write` scope; any other id reads as unknown. A
/// contract starts as a draft.
pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    input: ContractCreate,
) -> Result<ContractView, ApiError> {
    let at = now();
    let contract = db::write_tx(conn, |conn| {
        let Some(client) = clients::repo::find(conn, input.client_id, visibility)? else {
            return Err(ApiError::invalid(
                "client_id",
                ErrorCode::Unknown,
                format!("there is no client {}", input.client_id),
            ));
        };
        if let Some(account_id) = input.account_id {
            let account = accounts::repo::find(conn, account_id, visibility)?;
            if account.is_none_or(|account| account.client_id != client.id) {
                return Err(ApiError::invalid(
                    "account_id",
                    ErrorCode::Unknown,
                    format!("client {} has no account {account_id}", client.id),
                ));
            }
        }
        let mut draft = Contract {
            id: 0,
            client_id: client.id,
            account_id: input.account_id,
            title: input.title.trim().to_owned(),
            kind: input.kind,
            start_date: input.start_date,
            end_date: input.end_date,
            value: input.value,
            auto_renew: input.auto_renew,
            notice_days: input.notice_days,
            renewal_term_months: input.renewal_term_months,
            notice_deadline: None,
            lifecycle: ContractLifecycle::Running,
            status: ContractStatus::Draft,
            renewal_of: None,
            terminated_on: None,
            termination_reason: None,
            external_ref: input.external_ref,
            approval_id: None,
            created_by: caller.staff_id,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        draft.derive();
        check_dates(&draft)?;
        insert(conn, &Actor::from(caller), "create", &draft, at)
    })?;
    // A new contract was not read under any visibility: ask, if a grant needs it.
    resource::view(conn, caller, Visibility::All, contract)
}

/// Inserts `draft` as a new row, with its audit event `contracts.<verb>`.
pub fn insert(
    conn: &mut DbConn,
    actor: &Actor,
    verb: &str,
    draft: &Contract,
    at: chrono::NaiveDateTime,
) -> Result<Contract, ApiError> {
    let new = NewContract {
        client_id: draft.client_id,
        account_id: draft.account_id,
        renewal_of: draft.renewal_of,
        created_by: draft.created_by,
        columns: ContractColumns::from(draft),
    };
    let contract = repo::insert(conn, &new, at).map_err(unique_violation)?;
    audit::write(
        conn,
        actor,
        verb,
        subject(&contract),
        None::<&Contract>,
        Some(&contract),
    )?;
    Ok(contract)
}
