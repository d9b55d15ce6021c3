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
    ($(#[$meta:meta])* $constant:ident: $type:ident = ($($column:path),+ $(,)?)) => {
        $(#[$meta])*
        type $type = ($($column,)+);
        const $constant: $type = ($($column,)+);
    };
}
pub(crate) use columns;
