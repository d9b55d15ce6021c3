//! `POST /imports/contracts`: each line a contract, as `POST /contracts` takes it (the
//! client named by `client_id` or `client_external_ref`, the account by `account_id` or
//! `account_external_ref`). A line with an `id` is about that contract (within the
//! caller's scope, or it is unknown); otherwise a line whose `external_ref` a contract
//! within reach has is about that one; otherwise the line creates a draft. A contract the
//! line describes as it is stays unchanged; one it changes is edited as `PATCH
//! /contracts/{id}` edits it, which only a draft allows. Creates and edits go through the
//! single-record operations themselves, each in a savepoint of the import's transaction,
//! so every rule holds as it does there.

use super::dto::{Contract, ContractCreate, ContractStatus, ContractUpdate};
use super::{repo, service};
use crate::api::{accounts, clients};
use crate::auth::{Access, Caller, Visibility};
use crate::db::DbConn;
use crate::error::{ApiError, ErrorCode};
use crate::import::{Kind, Line, LineByLine, Reference, Seen, Shape, Stored, Tally};
use crate::resource::{self, Patch};
use crate::rest::record::IfMatch;

/// What an export writes of a contract beyond what `POST /contracts` takes: what it
/// derives, where the contract stands and who wrote it, which a line does not set. Read
/// past, so that an export sent back is unchanged.
const STATE: &[&str] = &[
    "notice_deadline",
    "lifecycle",
    "status",
    "renewal_of",
    "terminated_on",
    "termination_reason",
    "approval_id",
    "created_by",
];

pub struct ContractImport {
    caller: Caller,
    visibility: Visibility,
    refs: Seen<String>,
    ids: Seen<i64>,
}

impl ContractImport {
    pub fn new(access: &Access) -> Self {
        ContractImport {
            caller: access.caller.clone(),
            visibility: access.visibility(),
            refs: Seen::default(),
            ids: Seen::default(),
        }
    }
}

/// A line that would move `contract` to another client or account: a contract stays with
/// both, as `PATCH /contracts/{id}` has it. The field and why.
fn moves(
    contract: &Contract,
    line: &Line,
    input: &ContractCreate,
) -> Option<(&'static str, String)> {
    if contract.client_id != input.client_id {
        let message = format!(
            "contract {} is with client {}; a contract stays with its client",
            contract.id, contract.client_id
        );
        return Some(("client_id", message));
    }
    if line.gives("account_id") && contract.account_id != input.account_id {
        let message = match contract.account_id {
            Some(account) => format!(
                "contract {} is for account {account}; a contract stays with its account",
                contract.id
            ),
            None => format!(
                "contract {} is for the client as a whole; a contract stays with its account",
                contract.id
            ),
        };
        return Some(("account_id", message));
    }
    None
}

/// The first field the line gives otherwise than the stored contract, if any. A field
/// the line leaves out (a column the file does not have) stays as it is; the title is
/// compared as it would be stored, trimmed.
fn differs(contract: &Contract, line: &Line, input: &ContractCreate) -> Option<&'static str> {
    if contract.title != input.title.trim() {
        return Some("title");
    }
    if contract.kind != input.kind {
        return Some("kind");
    }
    if contract.start_date != input.start_date {
        return Some("start_date");
    }
    if line.gives("end_date") && contract.end_date != input.end_date {
        return Some("end_date");
    }
    if contract.value != input.value {
        return Some("value");
    }
    if line.gives("auto_renew") && contract.auto_renew != input.auto_renew {
        return Some("auto_renew");
    }
    if line.gives("notice_days") && contract.notice_days != input.notice_days {
        return Some("notice_days");
    }
    if line.gives("renewal_term_months")
        && contract.renewal_term_months != input.renewal_term_months
    {
        return Some("renewal_term_months");
    }
    if line.gives("external_ref") && contract.external_ref != input.external_ref {
        return Some("external_ref");
    }
    None
}

/// The line as the merge patch `PATCH /contracts/{id}` would take: the fields it gives
/// replace the stored ones (an empty cell clears an optional field), the others stay.
fn patch(line: &Line, input: ContractCreate) -> ContractUpdate {
    let given = |field: &str| line.gives(field);
    ContractUpdate {
        title: Some(input.title),
        kind: Some(input.kind),
        start_date: Some(input.start_date),
        end_date: given("end_date").then_some(input.end_date),
        value: Some(input.value),
        auto_renew: given("auto_renew").then_some(input.auto_renew),
        notice_days: given("notice_days").then_some(input.notice_days),
        renewal_term_months: given("renewal_term_months").then_some(input.renewal_term_months),
        external_ref: given("external_ref").then_some(input.external_ref),
    }
}

impl LineByLine for ContractImport {
    fn shape() -> Shape {
        Shape::of::<ContractCreate>()
            .with(Reference::CLIENT.column, Kind::Text)
            .with(Reference::ACCOUNT.column, Kind::Text)
    }

    fn line(
        &mut self,
        conn: &mut DbConn,
        mut line: Line,
        tally: &mut Tally,
    ) -> Result<(), ApiError> {
        let n = line.number;
        let names_one = line.fields.get("id").is_some_and(|id| !id.is_null());
        let id = line.take_id(tally);
        if names_one && id.is_none() {
            // An `id` that is no id names no contract; the line must not create one.
            return Ok(());
        }
        for name in STATE {
            line.fields.remove(*name);
        }
        // Both columns are read, so that a line with two bad references says so twice.
        let visibility = self.visibility;
        let client = line.resolve(Reference::CLIENT, tally, |r| {
            Ok(clients::repo::by_external_ref(conn, r, visibility)?.map(|c| c.id))
        })?;
        let account = line.resolve(Reference::ACCOUNT, tally, |r| {
            Ok(accounts::repo::by_external_ref(conn, r, visibility)?.map(|a| a.id))
        })?;
        if !(client && account) {
            return Ok(());
        }
        let Some(input) = line.checked::<ContractCreate>(tally) else {
            return Ok(());
        };
        let external_ref = input.external_ref.as_deref();
        if self.refs.repeats_ref(external_ref, n, tally) {
            return Ok(());
        }
        let contract = match tally.stored(n, "contract", id, external_ref, |key| {
            repo::by_key(conn, key, visibility)
        })? {
            Stored::Found(contract) => contract,
            Stored::Unknown => return Ok(()),
            Stored::New => {
                let answer = service::create(conn, &self.caller, visibility, input);
                return tally.create(n, answer);
            }
        };
        if let Some(first) = self.ids.earlier(contract.id, n) {
            let message = format!("line {first} is about the same contract");
            tally.error(n, "id", ErrorCode::Duplicate, message);
            return Ok(());
        }
        if let Some((field, message)) = moves(&contract, &line, &input) {
            tally.error(n, field, ErrorCode::Invalid, message);
            return Ok(());
        }
        let Some(field) = differs(&contract, &line, &input) else {
            tally.unchanged();
            return Ok(());
        };
        if contract.status != ContractStatus::Draft {
            // What `PATCH` refuses with a 409, as a line error on the field that would
            // change, with the code `Tally::refused` gives a 409.
            let message = format!(
                "contract {} is {}; only a draft is edited",
                contract.id,
                contract.status.as_str()
            );
            tally.error(n, field, ErrorCode::Invalid, message);
            return Ok(());
        }
        let patch = patch(&line, input);
        let edit = |stored: &mut Contract| patch.apply_to(stored);
        let changed = resource::change::<Contract>(
            conn,
            &self.caller,
            self.visibility,
            contract.id,
            &IfMatch::absent(),
            "update",
            edit,
        );
        match changed {
            Ok(_) => tally.updated(),
            Err(e) => tally.refused(n, e)?,
        }
        Ok(())
    }
}
