//! Permissions, scopes and the built-in roles' default matrix (DESIGN §3).
//!
//! The matrix here only seeds the database on first start; from then on roles are data,
//! read on every request, and changed through `/api/v1/roles`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Marks a type as standing for one permission, so a handler can name the permission it
/// needs in its signature: `Authorized<perm::ClientsWrite>`.
pub trait Required {
    const PERMISSION: Permission;
}

macro_rules! permissions {
    ($($variant:ident => $key:tt,)*) => {
        /// A `resource.action` permission.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
        pub enum Permission {
            $(#[serde(rename = $key)] $variant,)*
        }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)*];

            pub fn key(self) -> &'static str {
                match self {
                    $(Permission::$variant => $key,)*
                }
            }

            pub fn from_key(key: &str) -> Option<Permission> {
                match key {
                    $($key => Some(Permission::$variant),)*
                    _ => None,
                }
            }
        }

        /// One marker type per permission, for `Authorized<P>`.
        pub mod perm {
            $(
                pub struct $variant;
                impl super::Required for $variant {
                    const PERMISSION: super::Permission = super::Permission::$variant;
                }
            )*
        }
    };
}

permissions! {
    ClientsRead => "clients.read",
    ClientsWrite => "clients.write",
    ClientsHealth => "clients.health",
    AccountsRead => "accounts.read",
    AccountsWrite => "accounts.write",
    AccountsAssign => "accounts.assign",
    BriefsRead => "briefs.read",
    BriefsWrite => "briefs.write",
    BriefsSubmit => "briefs.submit",
    ApprovalsRequest => "approvals.request",
    ApprovalsDecide => "approvals.decide",
    ContractsRead => "contracts.read",
    ContractsWrite => "contracts.write",
    ContractsRenew => "contracts.renew",
    PaymentsRead => "payments.read",
    PaymentsRequest => "payments.request",
    PaymentsApprove => "payments.approve",
    StaffRead => "staff.read",
    StaffWrite => "staff.write",
    RolesRead => "roles.read",
    RolesWrite => "roles.write",
    AuditRead => "audit.read",
}

impl std::fmt::Display for Permission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// How far a permission reaches: every record, or only the accounts the holder is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    All,
    Assigned,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Assigned => "assigned",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "all" => Some(Scope::All),
            "assigned" => Some(Scope::Assigned),
            _ => None,
        }
    }

    /// Whether holding a permission at `self` reaches every record `other` reaches.
    pub fn covers(self, other: Scope) -> bool {
        self == Scope::All || other == Scope::Assigned
    }
}

/// A permission held with a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"permission": "clients.read", "scope": "assigned"}))]
pub struct Grant {
    pub permission: Permission,
    pub scope: Scope,
}

impl Grant {
    /// A grant as stored. A permission or scope this build does not know reads as no grant
    /// rather than failing the request.
    pub fn from_stored(permission: &str, scope: &str) -> Option<Grant> {
        Some(Grant {
            permission: Permission::from_key(permission)?,
            scope: Scope::parse(scope)?,
        })
    }
}

/// Of `wanted`, the grants that `held` does not cover — a permission not held at all, or
/// held at a narrower scope. Giving any of them away would reach beyond the giver.
pub fn beyond(held: &[Grant], wanted: &[Grant]) -> Vec<Grant> {
    wanted
        .iter()
        .filter(|w| {
            !held
                .iter()
                .any(|h| h.permission == w.permission && h.scope.covers(w.scope))
        })
        .copied()
        .collect()
}

/// The grants in words, for a problem's detail: `roles.write (all), audit.read (assigned)`.
pub fn describe(grants: &[Grant]) -> String {
    grants
        .iter()
        .map(|g| format!("{} ({})", g.permission, g.scope.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub struct BuiltInRole {
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
}

/// Column order of [`DEFAULT_MATRIX`].
pub const BUILT_IN_ROLES: [BuiltInRole; 6] = [
    BuiltInRole {
        key: "account_coordinator",
        name: "Account coordinator",
        description: "Entry level: the administrative side of accounts.",
    },
    BuiltInRole {
        key: "account_executive",
        name: "Account executive",
        description: "Runs one or a few accounts day to day: briefs, budgets, timings.",
    },
    BuiltInRole {
        key: "account_planner",
        name: "Account planner",
        description: "Strategist: brings the consumer insight into the work.",
    },
    BuiltInRole {
        key: "account_manager",
        name: "Account manager",
        description: "Main contact for one or two accounts: budgets, payments, contracts.",
    },
    BuiltInRole {
        key: "account_director",
        name: "Account director",
        description: "Leads account services.",
    },
    BuiltInRole {
        key: "admin",
        name: "Administrator",
        description: "Agency owner or system administrator: staff, roles, configuration.",
    },
];

const A: Option<Scope> = Some(Scope::All);
const S: Option<Scope> = Some(Scope::Assigned);
const N: Option<Scope> = None;

/// DESIGN §3, one row per permission, columns as in [`BUILT_IN_ROLES`]:
/// coordinator, executive, planner, manager, director, admin.
#[rustfmt::skip]
pub const DEFAULT_MATRIX: &[(Permission, [Option<Scope>; 6])] = &[
    (Permission::ClientsRead,      [S, S, S, S, A, A]),
    (Permission::ClientsWrite,     [N, N, N, S, A, A]),
    (Permission::ClientsHealth,    [N, S, N, S, A, A]),
    (Permission::AccountsRead,     [S, S, S, S, A, A]),
    (Permission::AccountsWrite,    [N, N, N, S, A, A]),
    (Permission::AccountsAssign,   [N, N, N, S, A, A]),
    (Permission::BriefsRead,       [S, S, S, S, A, A]),
    (Permission::BriefsWrite,      [S, S, S, S, A, A]),
    (Permission::BriefsSubmit,     [N, S, N, S, A, A]),
    (Permission::ApprovalsRequest, [N, S, S, S, A, A]),
    (Permission::ApprovalsDecide,  [N, N, N, S, A, A]),
    (Permission::ContractsRead,    [S, S, N, S, A, A]),
    (Permission::ContractsWrite,   [N, N, N, S, A, A]),
    (Permission::ContractsRenew,   [N, N, N, S, A, A]),
    (Permission::PaymentsRead,     [S, S, N, S, A, A]),
    (Permission::PaymentsRequest,  [S, S, N, S, A, A]),
    (Permission::PaymentsApprove,  [N, N, N, S, A, A]),
    (Permission::StaffRead,        [A, A, A, A, A, A]),
    (Permission::StaffWrite,       [N, N, N, N, A, A]),
    (Permission::RolesRead,        [A, A, A, A, A, A]),
    (Permission::RolesWrite,       [N, N, N, N, N, A]),
    (Permission::AuditRead,        [N, N, N, S, A, A]),
];

/// The default grants of the built-in role in column `column`.
pub fn default_grants(column: usize) -> Vec<Grant> {
    DEFAULT_MATRIX
        .iter()
        .filter_map(|(permission, scopes)| {
            scopes[column].map(|scope| Grant {
                permission: *permission,
                scope,
            })
        })
        .collect()
}
