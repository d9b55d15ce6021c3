//! What the document says of headers: those that come with a kind of answer (`ETag`,
//! `Location`, `Link`, the rate-limit standing) and `Idempotency-Key` on every signed
//! `POST` with what it can answer.

use serde_json::{json, Map, Value};

use crate::error::PROBLEM_JSON;

/// Operations whose body has a `version` but no `ETag`: `GET /me` shows more than the
/// staff record (grants, accounts), which changes without its version.
const UNTAGGED: &[&str] = &["get_me"];

/// The headers that come with a kind of answer, documented where they come: `ETag` on
/// every record (a body with a `version`), `Location` on every 201, and `Link` on every
/// page of a list (an operation taking `cursor`).
pub(super) fn describe_response_headers(doc: &mut Value) {
    let snapshot = doc.clone();
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for op in paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|ops| ops.values_mut())
    {
        let tagged = !UNTAGGED.contains(&op["operationId"].as_str().unwrap_or_default());
        let signed = op["x-permission"] != "public";
        let paged = op["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "cursor"));
        let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
            continue;
        };
        for (status, response) in responses.iter_mut() {
            let schema = &response["content"]["application/json"]["schema"];
            let mut headers = Map::new();
            let record = status == "200" || status == "201";
            if record && tagged && has_property(&snapshot, schema, "version") {
                headers.insert("ETag".into(), json!({"description": "The record's version: send it as If-Match to change it safely, or as If-None-Match to revalidate", "schema": {"type": "string"}}));
            }
            if status == "201" {
                headers.insert("Location".into(), json!({"description": "The URL of the new record", "schema": {"type": "string"}}));
            }
            if signed && status.starts_with('2') {
                headers.extend(rate_limit_headers());
            }
            if status == "200" && paged {
                headers.insert("Link".into(), json!({"description": "RFC 8288 link to the next page, when there is one", "schema": {"type": "string"}}));
            }
            if !headers.is_empty() {
                match response["headers"].as_object_mut() {
                    Some(existing) => existing.extend(headers),
                    None => response["headers"] = Value::Object(headers),
                }
            }
        }
    }
}

/// The caller's standing, on every answer to a signed request (`crate::rate_limit`).
pub(super) fn rate_limit_headers() -> Map<String, Value> {
    let mut headers = Map::new();
    headers.insert("RateLimit-Policy".into(), json!({
        "description": "The caller's allowance (IETF httpapi draft): `\"per-caller\";q=<requests>;w=60` (seconds)",
        "schema": {"type": "string"}, "example": "\"per-caller\";q=1200;w=60"
    }));
    headers.insert("RateLimit".into(), json!({
        "description": "Where the caller stands: `\"per-caller\";r=<requests left>;t=<seconds until the whole allowance is back>`",
        "schema": {"type": "string"}, "example": "\"per-caller\";r=1187;t=1"
    }));
    headers
}

/// Whether `schema` (through `$ref` and `allOf`) has a property `name`.
fn has_property(doc: &Value, schema: &Value, name: &str) -> bool {
    let schema = match schema["$ref"].as_str() {
        Some(reference) => doc
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or(&Value::Null),
        None => schema,
    };
    schema["properties"].get(name).is_some()
        || schema["allOf"]
            .as_array()
            .is_some_and(|parts| parts.iter().any(|part| has_property(doc, part, name)))
}

/// Every `POST` a caller signs takes an `Idempotency-Key` (`crate::idempotency`): the
/// header, the replay marker on its success, and the two answers a key can get.
pub(super) fn take_idempotency_key(op: &mut Value) {
    let parameter = json!({
        "name": "Idempotency-Key", "in": "header", "required": false,
        "description": "Makes a retry safe: the same key with the same request replays the \
    first successful answer (marked `Idempotent-Replayed: true`) instead of doing the work \
    again. Keys are per caller and remembered for 24 hours (`SUITS_IDEMPOTENCY_TTL`); the same \
    key with a different request is a 422, and a retry while the first request is still \
    running a 409. Quoted (`\"…\"`, RFC 8941) or bare; 1 to 255 visible ASCII characters \
    other than quotes and backslashes.",
        "schema": {"type": "string", "minLength": 1, "maxLength": 257,
                   "pattern": "^(\"[!#-\\[\\]-~]{1,255}\"|[!#-\\[\\]-~]{1,255})$"},
        "example": "\"8e03978e-40d5-43e8-bc93-6894a57f9324\""
    });
    match op["parameters"].as_array_mut() {
        Some(params) => params.push(parameter),
        None => op["parameters"] = json!([parameter]),
    }
    let Some(responses) = op["responses"].as_object_mut() else {
        return;
    };
    for (status, response) in responses.iter_mut() {
        if status.starts_with('2') && response.get("$ref").is_none() {
            response["headers"]["Idempotent-Replayed"] = json!({
                "description": "`true` when this is the kept answer to an earlier request with the same Idempotency-Key",
                "schema": {"type": "string", "enum": ["true"]}
            });
        }
    }
    let in_progress = "A request with the same Idempotency-Key is still in progress";
    match responses.get_mut("409") {
        Some(conflict) if conflict.get("$ref").is_none() => {
            let said = conflict["description"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            conflict["description"] = Value::String(format!(
                "{said}; or a request with the same Idempotency-Key is still in progress"
            ));
        }
        _ => {
            responses.insert(
                "409".into(),
                json!({"description": in_progress,
                "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}),
            );
        }
    }
    responses
        .entry("422")
        .or_insert_with(|| json!({"$ref": "#/components/responses/ValidationFailed"}));
}
