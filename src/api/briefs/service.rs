//! Brief operations. A brief belongs to an account and is read through it: outside the
//! caller's assignments, a brief is "not found" — for reads, edits and transitions alike.

use diesel::QueryResult;

use super::dto::{Brief, BriefAction, BriefCreate, BriefFilter, BriefStatus, BriefView};
use super::repo::{self, BriefColumns, BriefSort, NewBrief};
use crate::api::accounts;
use crate::audit::{self, Actor, Subject};
use crate::auth::{Caller, Permission, Visibility};
use crate::db::{self, DbConn};
use crate::error::{ApiError, ErrorCode};
use crate::resource::{self, Changed, Listed, Scoped};
use crate::rest::list::ListQuery;
use crate::time::now;

impl Scoped for Brief {
    const NOUN: &'static str = "brief";
    const TABLE: &'static str = "briefs";
    type Action = BriefAction;
    type View = BriefView;
    const ACTIONS: &'static [(BriefAction, Permission)] = &[
        (BriefAction::Update, Permission::BriefsWrite),
        (BriefAction::Delete, Permission::BriefsWrite),
        (BriefAction::Submit, Permission::BriefsSubmit),
        (BriefAction::StartProduction, Permission::BriefsSubmit),
        (BriefAction::AddRound, Permission::BriefsWrite),
        (BriefAction::Deliver, Permission::BriefsSubmit),
        (BriefAction::Cancel, Permission::BriefsWrite),
    ];

    resource::scoped_reads_from!(repo);

    fn possible(&self, action: BriefAction, _caller: &Caller) -> bool {
        match action {
            BriefAction::Update | BriefAction::Submit => self.status.editable(),
            BriefAction::Delete => self.status == BriefStatus::Draft,
            BriefAction::StartProduction => self.status == BriefStatus::Approved,
            BriefAction::AddRound | BriefAction::Deliver => {
                self.status == BriefStatus::InProduction
            }
            BriefAction::Cancel => self.status.open(),
        }
    }

    fn view(self, allowed_actions: Vec<BriefAction>) -> BriefView {
        BriefView {
            brief: self,
            allowed_actions,
        }
    }
}

impl Changed for Brief {
    fn version(&self) -> i32 {
        self.version
    }

    fn subject(&self) -> Subject {
        Subject::brief(self.id, self.account_id, self.client_id)
    }

    /// The content is settled once submitted: what was approved is what gets made.
    fn changeable(&self) -> Result<(), ApiError> {
        if self.status.editable() {
            return Ok(());
        }
        Err(ApiError::conflict(format!(
            "brief {} is {}; it can be edited only in draft or changes_requested",
            self.id,
            self.status.as_str()
        )))
    }

    fn write(conn: &mut DbConn, before: &Self, after: &Self) -> Result<Option<Self>, ApiError> {
        let columns = BriefColumns::from(after);
        Ok(repo::update(
            conn,
            before.id,
            before.version,
            &columns,
            now(),
        )?)
    }

    fn delete(conn: &mut DbConn, id: i64, version: i32) -> QueryResult<bool> {
        repo::delete(conn, id, version)
    }

    const DELETE_BLOCKED: &'static str = "while other records refer to it; cancel it instead";

    /// Only a draft goes away without a trace; anything submitted is history: cancel it.
    fn before_delete(&self, _conn: &mut DbConn, _caller: &Caller) -> Result<(), ApiError> {
        if self.status == BriefStatus::Draft {
            return Ok(());
        }
        Err(ApiError::conflict(format!(
            "brief {} is {}; only a draft can be deleted (cancel it instead)",
            self.id,
            self.status.as_str()
        )))
    }
}

impl Listed for Brief {
    type Filter = BriefFilter;
    type Sort = BriefSort;

    fn list(
        conn: &mut DbConn,
        visibility: Visibility,
        query: &ListQuery<BriefFilter, BriefSort>,
    ) -> QueryResult<Vec<Self>> {
        repo::list(conn, visibility, query)
    }
}

/// Creating needs the account within reach of the caller's `briefs.write` scope; any
/// other id reads as unknown. The caller is the author; a brief starts as a draft.
pub fn create(
    conn: &mut DbConn,
    caller: &Caller,
    visibility: Visibility,
    input: BriefCreate,
) -> Result<BriefView, ApiError> {
    let at = now();
    let brief = db::write_tx(conn, |conn| {
        let Some(account) = accounts::repo::find(conn, input.account_id, visibility)? else {
            return Err(ApiError::invalid(
                "account_id",
                ErrorCode::Unknown,
                format!("there is no account {}", input.account_id),
            ));
        };
        let draft = Brief {
            id: 0,
            account_id: account.id,
            client_id: account.client_id,
            title: input.title.trim().to_owned(),
            background: input.background,
            objectives: input.objectives,
            target_audience: input.target_audience,
            consumer_insight: input.consumer_insight,
            key_message: input.key_message,
            deliverables: input.deliverables,
            mandatories: input.mandatories,
            budget: input.budget,
            due_date: input.due_date,
            author_id: caller.staff_id,
            status: BriefStatus::Draft,
            submitted_version: None,
            approval_id: None,
            version: 1,
            created_at: at,
            updated_at: at,
        };
        let new = NewBrief {
            account_id: draft.account_id,
            client_id: draft.client_id,
            author_id: draft.author_id,
            columns: BriefColumns::from(&draft),
        };
        let brief = repo::insert(conn, &new, at)?;
        audit::created(conn, &Actor::from(caller), brief.subject(), &brief)?;
        Ok::<_, ApiError>(brief)
    })?;
    // A new brief was not read under any visibility: ask, if a grant needs it.
    resource::view(conn, caller, Visibility::All, brief)
}
