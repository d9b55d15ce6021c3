//! How lists appear in the OpenAPI document: `limit`, `cursor` and `sort` documented once
//! for every list, and one page schema per resource.

use std::borrow::Cow;

use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ArrayBuilder, SchemaType};
use utoipa::openapi::{ObjectBuilder, Ref, RefOr, Required, Schema, Type};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use super::{keys, ListQuery, Page, Sort, DEFAULT_LIMIT, MAX_LIMIT};

/// In the spec a page of `T` is `TPage` (`ClientPage`, …) and refers to `T`'s own
/// schema, rather than copying it into every list as a derived generic schema would.
impl<T: ToSchema> PartialSchema for Page<T> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some(format!("One page of `{}` items.", T::name())))
            .property(
                "data",
                ArrayBuilder::new().items(RefOr::Ref(Ref::from_schema_name(T::name()))),
            )
            .required("data")
            .property(
                "next_cursor",
                ObjectBuilder::new()
                    .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                    .description(Some(
                        "Pass as `cursor` to get the next page; `null` on the last page.",
                    )),
            )
            .required("next_cursor")
            .into()
    }
}

impl<T: ToSchema> ToSchema for Page<T> {
    /// `ClientPage` for a page of `Client` or of `ClientView` (a client with what the
    /// caller may do with it): one name per resource.
    fn name() -> Cow<'static, str> {
        format!("{}Page", T::name().trim_end_matches("View")).into()
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
    }
}

/// Documents `limit`, `cursor` and `sort` once for every list, the sort's values from
/// [`Sort::KEYS`], followed by the resource's own filters.
impl<F: IntoParams, S: Sort> IntoParams for ListQuery<F, S> {
    fn into_params(parameter_in: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let query = |name: &str, description: String, schema: ObjectBuilder| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(description))
                .schema(Some(schema))
                .build()
        };
        let sorts: Vec<String> = keys::<S>()
            .into_iter()
            .flat_map(|key| [key.to_owned(), format!("-{key}")])
            .collect();
        let mut params = vec![
            query(
                "limit",
                format!("Page size, 1–{MAX_LIMIT} (default {DEFAULT_LIMIT})."),
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Int32,
                    )))
                    .minimum(Some(1))
                    .maximum(Some(MAX_LIMIT))
                    .examples([20]),
            ),
            query(
                "cursor",
                "`next_cursor` from the previous page, with the same `sort`.".to_owned(),
                // base64url: other characters can only be a 400.
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^[A-Za-z0-9_-]+$")),
            ),
            query(
                "sort",
                format!(
                    "The order: one of {}; prefix `-` for descending. Default `{}`.",
                    keys::<S>().join(", "),
                    S::DEFAULT
                ),
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(sorts))
                    .default(Some(S::DEFAULT.into())),
            ),
        ];
        params.extend(F::into_params(parameter_in));
        params
    }
}

/// Every list also answers `Accept: text/csv` with all its rows (see `export`): the
/// document says so on each operation whose `200` is a page.
pub fn document_export(op: &mut serde_json::Value) {
    let Some(ok) = op.pointer_mut("/responses/200/content") else {
        return;
    };
    let is_page = ok
        .pointer("/application~1json/schema/$ref")
        .and_then(|r| r.as_str())
        .is_some_and(|r| r.ends_with("Page"));
    if is_page {
        ok[super::export::CSV] = serde_json::json!({"schema": {
            "type": "string",
            "description": "With `Accept: text/csv`: every row the filters match in the \
                caller's scope (not one page: `limit` only sets how many rows are read at a time; `cursor` and \
                `sort` apply), \
                streamed as CSV with a header row. The columns are the record's fields as in \
                JSON (a nested money amount as `budget.amount_minor`, `budget.currency`), the \
                columns `POST /imports/{resource}` reads.",
        }});
    }
}
