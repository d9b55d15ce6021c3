//! Diesel helpers every repo shares: text enums, keyset pagination, `LIKE` escaping and
//! case folding.

/// A stored text value that is not one of an enum's variants (a CHECK constraint makes
/// this a corrupted database, never user input).
#[derive(Debug, thiserror::Error)]
#[error("unexpected stored value {0:?}")]
pub struct UnknownVariant(pub String);

/// A string enum stored as TEXT: serde names, an OpenAPI enum schema, `as_str` for
/// writes and `TryFrom<String>` for `#[diesel(deserialize_as = String)]` reads.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant,)+
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::db::sql::UnknownVariant;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                match value.as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::db::sql::UnknownVariant(value)),
                }
            }
        }
    };
}
pub(crate) use text_enum;

/// Keyset pagination on `(column, id)`: rows strictly after the cursor's position, in
/// the requested direction, with `id` breaking ties so pages never overlap or skip.
macro_rules! keyset {
    ($query:ident, $column:expr, $id:expr, $after:expr, $descending:expr) => {{
        if let Some((value, last_id)) = $after {
            $query = if $descending {
                $query.filter(
                    $column
                        .lt(value.clone())
                        .or($column.eq(value).and($id.lt(last_id))),
                )
            } else {
                $query.filter(
                    $column
                        .gt(value.clone())
                        .or($column.eq(value).and($id.gt(last_id))),
                )
            };
        }
        $query = if $descending {
            $query.order(($column.desc(), $id.desc()))
        } else {
            $query.order(($column.asc(), $id.asc()))
        };
    }};
}
pub(crate) use keyset;

/// The order most records share (`rest::list::ByNameOrTime`) on `$table`: a [`keyset!`] on
/// `name` (or the column given as the name), `created_at` or `updated_at`, each then `id`,
/// as `$list` asks.
macro_rules! keyset_by_name_or_time {
    ($query:ident, $table:ident, $list:expr) => {
        $crate::db::sql::keyset_by_name_or_time!($query, $table, $list, name)
    };
    ($query:ident, $table:ident, $list:expr, $name:ident) => {{
        use $crate::rest::list::By;
        let (list, descending) = ($list, $list.descending);
        match list.sort.0 {
            By::Name => {
                let after = list.after_text();
                $crate::db::sql::keyset!($query, $table::$name, $table::id, after, descending)
            }
            By::CreatedAt => {
                let after = list.after_time();
                $crate::db::sql::keyset!($query, $table::created_at, $table::id, after, descending)
            }
            By::UpdatedAt => {
                let after = list.after_time();
                $crate::db::sql::keyset!($query, $table::updated_at, $table::id, after, descending)
            }
        }
    }};
}
pub(crate) use keyset_by_name_or_time;

/// `%` and `_` in a user's search text match themselves, not any character.
pub fn like_pattern(search: &str) -> String {
    let mut escaped = String::with_capacity(search.len() + 2);
    escaped.push('%');
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped.push('%');
    escaped
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// How names are compared: folded to lower case in Rust, so that both backends agree
/// beyond ASCII (SQLite's `lower()` folds ASCII only).
pub fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// A selection of columns, as a type (for signatures) and a constant (for `select`),
/// listed once: `columns!(COLUMNS: Columns = (staff::id, staff::email, …))`.
macro_rules! columns {
    ($(#[$meta:meta])* $vis:vis $constant:ident: $type:ident = ($($column:path),+ $(,)?)) => {
        $(#[$meta])*
        $vis type $type = ($($column,)+);
        $(#[$meta])*
        $vis const $constant: $type = ($($column,)+);
    };
}
pub(crate) use columns;

/// The conditional writes of a versioned table (one with `id`, `version`, `created_at`
/// and `updated_at`), each returning the row as `$columns` selects it:
/// - `insert(conn, &new, at)`, at version 1;
/// - `update(conn, id, version, &changes, at)`, only while the row is still at `version`
///   (`None`: another writer won);
/// - with `delete`, also `delete(conn, id, version)` on the same condition (`false`).
///
/// `versioned_writes!(clients, COLUMNS -> Client, insert: ClientColumns<'_>, update: ClientColumns<'_>, delete);`
macro_rules! versioned_writes {
    ($table:ident, $columns:ident -> $row:ty, insert: $new:ty, update: $changes:ty $(, $delete:ident)?) => {
        pub fn insert(
            conn: &mut $crate::db::DbConn,
            new: &$new,
            at: chrono::NaiveDateTime,
        ) -> diesel::QueryResult<$row> {
            diesel::insert_into($table::table)
                .values((
                    new,
                    $table::version.eq(1),
                    $table::created_at.eq(at),
                    $table::updated_at.eq(at),
                ))
                .returning($columns)
                .get_result(conn)
        }

        /// Writes `changes` if the row is still at `version`; `None` when another writer won.
        pub fn update(
            conn: &mut $crate::db::DbConn,
            id: i64,
            version: i32,
            changes: &$changes,
            at: chrono::NaiveDateTime,
        ) -> diesel::QueryResult<Option<$row>> {
            let current = $table::id.eq(id).and($table::version.eq(version));
            diesel::update($table::table.filter(current))
                .set((changes, $table::version.eq(version + 1), $table::updated_at.eq(at)))
                .returning($columns)
                .get_result(conn)
                .optional()
        }

        $($crate::db::sql::versioned_writes!(@$delete $table);)?
    };
    (@delete $table:ident) => {
        /// Deletes the row if it is still at `version`; `false` when another writer won.
        pub fn delete(conn: &mut $crate::db::DbConn, id: i64, version: i32) -> diesel::QueryResult<bool> {
            let current = $table::id.eq(id).and($table::version.eq(version));
            diesel::delete($table::table.filter(current))
                .execute(conn)
                .map(|n| n == 1)
        }
    };
}
pub(crate) use versioned_writes;

/// The reads of a table under the caller's visibility, `$scope` (a function of
/// `crate::scope`) saying which rows it reaches:
/// - `find(conn, id, visibility)`: the row, if it exists and is visible;
/// - `visible_ids(conn, ids, visibility)`: of `ids`, those visible — what a page asks once
///   to say, row by row, what the caller may do;
/// - with `, external_ref` after the scope, `by_external_ref(conn, external_ref,
///   visibility)`: the row with that reference, if visible — what an import's line
///   without an `id` matches, and what its reference columns name.
macro_rules! scoped_reads {
    ($table:ident, $columns:ident -> $row:ty, $scope:path, external_ref) => {
        $crate::db::sql::scoped_reads!($table, $columns -> $row, $scope);

        /// The row with this `external_ref`, if `visibility` reaches it.
        pub fn by_external_ref(
            conn: &mut $crate::db::DbConn,
            external_ref: &str,
            visibility: $crate::auth::Visibility,
        ) -> diesel::QueryResult<Option<$row>> {
            let mut query = $table::table
                .select($columns)
                .filter($table::external_ref.eq(external_ref))
                .into_boxed();
            if let Some(visible) = $scope(visibility) {
                query = query.filter(visible);
            }
            query.first(conn).optional()
        }

        /// The row an import's line names by `id` or by `external_ref`, if visible.
        pub fn by_key(
            conn: &mut $crate::db::DbConn,
            key: $crate::import::Key,
            visibility: $crate::auth::Visibility,
        ) -> diesel::QueryResult<Option<$row>> {
            match key {
                $crate::import::Key::Id(id) => find(conn, id, visibility),
                $crate::import::Key::ExternalRef(r) => by_external_ref(conn, r, visibility),
            }
        }
    };
    ($table:ident, $columns:ident -> $row:ty, $scope:path) => {
        /// The row, if it exists and `visibility` reaches it.
        pub fn find(
            conn: &mut $crate::db::DbConn,
            id: i64,
            visibility: $crate::auth::Visibility,
        ) -> diesel::QueryResult<Option<$row>> {
            let Some(visible) = $scope(visibility) else {
                let query = $table::table.find(id).select($columns);
                return Ok($crate::db::load_typed(conn, query)?.pop());
            };
            $table::table
                .find(id)
                .select($columns)
                .into_boxed()
                .filter(visible)
                .first(conn)
                .optional()
        }

        /// Of `ids`, those `visibility` reaches.
        pub fn visible_ids(
            conn: &mut $crate::db::DbConn,
            ids: &[i64],
            visibility: $crate::auth::Visibility,
        ) -> diesel::QueryResult<Vec<i64>> {
            let mut query = $table::table
                .filter($table::id.eq_any(ids))
                .select($table::id)
                .into_boxed();
            if let Some(visible) = $scope(visibility) {
                query = query.filter(visible);
            }
            query.load(conn)
        }
    };
}
pub(crate) use scoped_reads;

/// `n` fresh ids from `table`'s `id` sequence on PostgreSQL, as `n` inserts would take
/// them: for rows written by `COPY`, which returns nothing.
pub fn next_ids(
    conn: &mut diesel::PgConnection,
    table: &str,
    n: usize,
) -> diesel::QueryResult<Vec<i64>> {
    use diesel::sql_types::{BigInt, Text};
    use diesel::{QueryableByName, RunQueryDsl};

    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = BigInt)]
        id: i64,
    }
    // The sequence is named once: `nextval` of its name as text looks the name up again
    // for every id, which took most of the statement's time.
    let ids: Vec<Id> = diesel::sql_query(
        "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence($1, 'id')::regclass AS seq) \
         SELECT nextval(s.seq) AS id FROM s, generate_series(1, $2)",
    )
    .bind::<Text, _>(table)
    .bind::<BigInt, _>(n as i64)
    .load(conn)?;
    Ok(ids.into_iter().map(|row| row.id).collect())
}
