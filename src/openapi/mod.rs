//! The OpenAPI 3.1 document: what the handlers declare, completed with what every
//! operation shares (security, its permission in words, the problem responses it can give).

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};
use utoipa::OpenApi;

use crate::auth::{Grant, Permission, Scope};
use crate::error::{FieldError, Problem, PROBLEM_JSON};
use crate::import::ImportReport;
use crate::money::Money;

mod headers;

use headers::{describe_response_headers, rate_limit_headers, take_idempotency_key};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Suits API",
        description = "The system of record for an advertising agency's account services \
department: clients, accounts, staff and roles, briefs, approvals, contracts and payments.\n\n\
Authenticate with `POST /api/v1/auth/token` and send `Authorization: Bearer <token>`. \
Every operation states the permission it needs (`x-permission`); roles grant permissions \
with scope `all` or `assigned`. Errors are RFC 9457 `application/problem+json`. Lists are \
cursor-paginated (`limit`, `cursor` → `next_cursor` and a `Link` header). Single records \
carry an `ETag`; send it back in `If-Match` to update safely, or in `If-None-Match` to \
revalidate a copy: a `GET` whose tag matches (weak comparison, or `*`) is a `304 Not \
Modified` with no body. Every `GET` also answers `HEAD`: the same status and headers, no \
body.",
        license(name = "MIT", identifier = "MIT"),
        contact(name = "Suits maintainers"),
    ),
    // Relative: the paths are served by whichever instance serves this document, so the
    // docs UI and generated clients call the host they loaded it from.
    servers((url = "/", description = "The instance serving this document")),
    // ImportReport: named by `import::ImportResponses`, whose schemas the paths do not collect.
    components(schemas(Problem, FieldError, Grant, Permission, Scope, Money, ImportReport)),
    tags(
        (name = "auth", description = "Access tokens"),
        (name = "staff", description = "The agency's people, and the caller"),
        (name = "service-accounts", description = "Identities for integrations, with client credentials for `POST /auth/token`"),
        (name = "roles", description = "Roles and the permission matrix"),
        (name = "clients", description = "The agency's clients"),
        (name = "accounts", description = "A client's brands or business lines, and the team on each"),
        (name = "briefs", description = "Creative briefs on an account, from draft to delivered, their versions and creative rounds"),
        (name = "contracts", description = "Contracts with clients: approval, renewal, termination and the renewal pipeline"),
        (name = "approvals", description = "Sign-offs on briefs and creative rounds, stage by stage; the approval policies; each caller's queue"),
        (name = "payments", description = "Payments to and from the client on an account, approved before they are paid; each account's budget against them"),
        (name = "audit", description = "Who changed what: the audit trail and change feed"),
        (name = "imports", description = "Bulk import of records from CSV or NDJSON, all or nothing"),
        (name = "health", description = "Liveness and readiness"),
        (name = "operations", description = "Metrics for monitoring (Prometheus)"),
    ),
)]
pub struct ApiDoc;

/// Problem responses shared by operations: (status, component name, description).
const PROBLEMS: &[(&str, &str, &str)] = &[
    (
        "400",
        "BadRequest",
        "Malformed JSON, or an invalid path or query parameter (each named in `errors`), cursor or header",
    ),
    (
        "401",
        "Unauthorized",
        "Missing, malformed, expired or invalid bearer token, or a deactivated account",
    ),
    (
        "403",
        "Forbidden",
        "The caller's role lacks the required permission",
    ),
    ("404", "NotFound", "No such record"),
    (
        "412",
        "PreconditionFailed",
        "If-Match does not match the current ETag",
    ),
    ("413", "PayloadTooLarge", "The request body is over 1 MiB"),
    (
        "415",
        "UnsupportedMediaType",
        "The body is not application/json",
    ),
    (
        "422",
        "ValidationFailed",
        "The body is well-formed JSON but invalid (see `errors`), or an Idempotency-Key \
was already used for a different request",
    ),
    (
        "429",
        "TooManyRequests",
        "Too many requests: the caller's allowance per minute is spent (see the `RateLimit` \
headers), or, on sign-in, too many failed attempts for this account or from this address. \
Counted per instance; retry after `Retry-After` seconds",
    ),
    (
        "500",
        "InternalError",
        "An unexpected error; quote the request_id when reporting it",
    ),
    (
        "503",
        "Unavailable",
        "The database is unreachable; retry later",
    ),
];

/// Operations guarded by login limits (`auth::login_limits`), which can answer 429.
const RATE_LIMITED: &[&str] = &["create_token"];

/// Operations that answer without the database, so never with a 503.
const NO_DATABASE: &[&str] = &["healthz", "get_metrics"];

/// Completes the generated document; the result is what is served and committed.
pub fn finalize(spec: utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(spec).unwrap_or_default();
    doc["components"]["securitySchemes"] = json!({"bearer": {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "A token from POST /api/v1/auth/token"
    }});
    let responses: Map<String, Value> = PROBLEMS
        .iter()
        .map(|(status, name, description)| {
            let mut response = json!({"description": description,
                "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}});
            if *status == "429" {
                response["headers"] = json!({"Retry-After": {
                    "description": "Seconds to wait before trying again",
                    "schema": {"type": "integer", "minimum": 1}
                }});
                response["headers"]
                    .as_object_mut()
                    .expect("an object")
                    .extend(rate_limit_headers());
            }
            ((*name).to_owned(), response)
        })
        .collect();
    doc["components"]["responses"] = Value::Object(responses);

    if let Some(paths) = doc["paths"].as_object_mut() {
        for (path, item) in paths.iter_mut() {
            let has_path_params = path.contains('{');
            for (method, operation) in item
                .as_object_mut()
                .into_iter()
                .flat_map(|ops| ops.iter_mut())
            {
                complete_operation(operation, has_path_params);
                crate::rest::list::document_export(operation);
                if method == "post" && operation["x-permission"] != "public" {
                    take_idempotency_key(operation);
                }
            }
        }
    }
    require_response_properties(&mut doc);
    describe_response_headers(&mut doc);
    doc
}

fn complete_operation(op: &mut Value, has_path_params: bool) {
    let permission = op["x-permission"].as_str().unwrap_or("").to_owned();
    let public = permission == "public";
    let sentence = match permission.as_str() {
        "public" => "No authentication required.".to_owned(),
        "authenticated" => "Requires a valid access token; no particular permission.".to_owned(),
        key => format!("Requires permission `{key}`."),
    };
    let description = match op["description"].as_str() {
        Some(text) if !text.is_empty() => format!("{text}\n\n{sentence}"),
        _ => sentence,
    };
    op["description"] = Value::String(description);
    op["security"] = if public {
        json!([])
    } else {
        json!([{"bearer": []}])
    };
    require_non_empty_query_strings(op);
    optional_body(op);
    let params = op["parameters"].as_array().cloned().unwrap_or_default();
    let has_if_match = params.iter().any(|p| p["name"] == "If-Match");
    let has_body = op.get("requestBody").is_some();
    let listed_in = |list: &[&str]| {
        op["operationId"]
            .as_str()
            .is_some_and(|id| list.contains(&id))
    };
    let uses_db = !listed_in(NO_DATABASE);
    let rate_limited = listed_in(RATE_LIMITED);
    let applies = |status: &str| match status {
        // Every operation refuses a query parameter it does not take.
        "400" => true,
        "401" => !public,
        "403" => !public && permission != "authenticated",
        "404" => has_path_params,
        "412" => has_if_match,
        "429" => rate_limited || !public,
        "413" | "415" | "422" => has_body,
        "503" => uses_db,
        _ => true,
    };
    let responses = op["responses"].as_object_mut();
    if let Some(responses) = responses {
        for (status, name, _) in PROBLEMS {
            if applies(status) && !responses.contains_key(*status) {
                responses.insert(
                    (*status).to_owned(),
                    json!({"$ref": format!("#/components/responses/{name}")}),
                );
            }
        }
    }
}

/// A body that may be left out (`Option<T>` in the handler) is written by utoipa as
/// `oneOf: [null, T]`, which says a JSON `null` may be sent: what is meant is no body at
/// all. The document says that as OpenAPI does, `required: false` with `T`'s schema.
fn optional_body(op: &mut Value) {
    // `get_mut`, not indexing: indexing a missing key would add it.
    let Some(body) = op.get_mut("requestBody") else {
        return;
    };
    let Some(content) = body
        .get_mut("content")
        .and_then(|c| c.get_mut("application/json"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let alternatives = content
        .get("schema")
        .and_then(|s| s["oneOf"].as_array())
        .cloned()
        .unwrap_or_default();
    let [null, schema] = alternatives.as_slice() else {
        return;
    };
    if null["type"] == "null" {
        content.insert("schema".into(), schema.clone());
        body["required"] = Value::Bool(false);
    }
}

/// Response properties that may be left out. Every other property of a schema that only
/// responses use is always sent — `null` where it has no value — and the document says so,
/// so that generated clients get plain (not "maybe missing") fields. A problem names an
/// import's line and counts its errors only for an import, and an OAuth error code only at
/// the token endpoint; a token answer has no refresh token for a service account; a replayed answer that
/// carried a secret shown once leaves the secret out (see `idempotency::ShownOnce`).
const SOMETIMES_ABSENT: &[(&str, &str)] = &[
    ("Problem", "errors"),
    ("Problem", "error_count"),
    ("Problem", "error"),
    ("FieldError", "line"),
    ("TokenResponse", "refresh_token"),
    ("TokenResponse", "refresh_expires_in"),
    ("ServiceAccountWithSecret", "client_secret"),
];

/// Marks every property of the response-only schemas required (see [`SOMETIMES_ABSENT`]).
/// Schemas that requests use too keep what they declare: there, required means "must send".
fn require_response_properties(doc: &mut Value) {
    let mut in_responses = BTreeSet::new();
    let mut in_requests = BTreeSet::new();
    for item in doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|ops| ops.values()) {
            schema_refs(doc, &op["responses"], &mut in_responses);
            schema_refs(doc, &op["requestBody"], &mut in_requests);
        }
    }
    let Some(schemas) = doc["components"]["schemas"].as_object_mut() else {
        return;
    };
    for name in in_responses.difference(&in_requests) {
        let Some(schema) = schemas.get_mut(name) else {
            continue;
        };
        let parts = match schema.get_mut("allOf").and_then(Value::as_array_mut) {
            Some(parts) => parts.iter_mut().collect::<Vec<_>>(),
            None => vec![schema],
        };
        for part in parts {
            let Some(properties) = part["properties"].as_object() else {
                continue;
            };
            let required: Vec<Value> = properties
                .keys()
                .filter(|key| !SOMETIMES_ABSENT.contains(&(name.as_str(), key.as_str())))
                .map(|key| json!(key))
                .collect();
            part["required"] = Value::Array(required);
        }
    }
}

/// The component schemas `value` refers to, directly or through other schemas and shared
/// responses.
fn schema_refs(doc: &Value, value: &Value, found: &mut BTreeSet<String>) {
    match value {
        Value::Object(fields) => {
            if let Some(reference) = fields.get("$ref").and_then(Value::as_str) {
                if let Some(name) = reference.strip_prefix("#/components/schemas/") {
                    if found.insert(name.to_owned()) {
                        schema_refs(doc, &doc["components"]["schemas"][name], found);
                    }
                } else if let Some(name) = reference.strip_prefix("#/components/responses/") {
                    schema_refs(doc, &doc["components"]["responses"][name], found);
                }
            }
            for item in fields.values() {
                schema_refs(doc, item, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| schema_refs(doc, item, found)),
        _ => {}
    }
}

/// A query parameter given empty is refused like any other bad value (`rest::Query`), so
/// every text parameter says it needs at least one character.
fn require_non_empty_query_strings(op: &mut Value) {
    let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
        return;
    };
    for param in params.iter_mut().filter(|p| p["in"] == "query") {
        let schema = &mut param["schema"];
        if schema["type"] == "string" && schema.get("minLength").is_none() {
            schema["minLength"] = json!(1);
        }
    }
}

/// The finished document, as served at `/api/v1/openapi.json` and committed in `openapi/`.
pub fn document() -> Value {
    finalize(crate::route_spec())
}

/// Pretty JSON with a trailing newline, the committed file's exact form.
pub fn to_pretty(doc: &Value) -> String {
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    text
}
