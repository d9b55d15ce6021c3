//! Query and path parameters, under one rule for every operation.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::text::{control_character_error, has_control, Lines};
use crate::auth::gate;
use crate::error::{plain_message, ApiError, ErrorCode, FieldError};

/// Query parameters deserialized into `T`, under one rule for every parameter of every
/// list: a parameter given is used, so an empty value (`?sort=`), an unknown name, a value
/// of the wrong type or one holding a control character is a 400 problem naming it in
/// `errors`. Leave a parameter out to leave it unset.
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        gate::held(req, parse_query(req.query_string()).map(Query))
    }
}

pub(crate) fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    checked_pairs(query)?;
    from_query(query)
}

/// The query string's parameters, each checked against the rule every parameter follows:
/// no control characters, no empty value.
pub(crate) fn checked_pairs(query: &str) -> Result<Vec<(String, String)>, ApiError> {
    let mut pairs = Vec::new();
    let mut errors = Vec::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if has_control(&name, Lines::One) {
            errors.push(control_character_error(&name.escape_default().to_string()));
        } else if has_control(&value, Lines::One) {
            errors.push(control_character_error(&name));
        } else if value.is_empty() {
            errors.push(FieldError::new(
                name.as_ref(),
                ErrorCode::Empty,
                "is empty; leave the parameter out to leave it unset",
            ));
        }
        pairs.push((name.into_owned(), value.into_owned()));
    }
    if errors.is_empty() {
        Ok(pairs)
    } else {
        Err(ApiError::InvalidParameters(errors))
    }
}

/// `pairs` read into `T` (see [`from_query`]).
pub(crate) fn from_pairs<T: DeserializeOwned>(pairs: &[(String, String)]) -> Result<T, ApiError> {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(pairs);
    from_query(&query.finish())
}

/// A query string read into `T`; a parameter `T` does not know, or a value of the wrong
/// type, is a 400 naming it.
fn from_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let raw = e.into_inner().to_string();
        let message = plain_message(&raw, "parameter of this operation");
        match raw.strip_prefix("unknown field `") {
            Some(rest) => {
                let name = rest.split('`').next().unwrap_or_default();
                ApiError::parameter(name, ErrorCode::UnknownParameter, message)
            }
            // Our own types explain themselves ("must be an RFC 3339 timestamp …").
            None if raw.starts_with("must be") => {
                ApiError::parameter(&path, ErrorCode::Format, message)
            }
            None if path != "." => ApiError::parameter(&path, ErrorCode::Type, message),
            None => ApiError::BadRequest(format!("the query string cannot be read: {message}")),
        }
    })
}

/// The operations that take no query parameter at all, by method and path template, from
/// the document: on those a query string has nothing to set, so any parameter in it is a
/// 400 naming it, as on every other operation (see [`unexpected`]).
#[derive(Default)]
pub struct Paramless(std::collections::HashSet<(String, String)>);

impl Paramless {
    pub fn from_spec(doc: &serde_json::Value) -> Self {
        let mut ops = std::collections::HashSet::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                let takes_query = op["parameters"]
                    .as_array()
                    .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
                if !takes_query {
                    ops.insert((method.to_ascii_uppercase(), path.clone()));
                }
            }
        }
        Paramless(ops)
    }
}

/// The 400 for a query string on an operation that takes no query parameter: each name
/// in it, as unknown. Reported by the authorizing extractor, after 401 and 403.
pub fn unexpected(req: &HttpRequest) -> Option<ApiError> {
    if req.query_string().is_empty() {
        return None;
    }
    let paramless = req.app_data::<actix_web::web::Data<Paramless>>()?;
    let pattern = req.match_pattern()?;
    if !paramless
        .0
        .contains(&(req.method().as_str().to_owned(), pattern))
    {
        return None;
    }
    let errors: Vec<FieldError> = form_urlencoded::parse(req.query_string().as_bytes())
        .map(|(name, _)| {
            FieldError::new(
                name.escape_default().to_string(),
                ErrorCode::UnknownParameter,
                "is not a parameter of this operation, which takes none",
            )
        })
        .collect();
    (!errors.is_empty()).then_some(ApiError::InvalidParameters(errors))
}

/// Path parameters deserialized into `T`. A value that cannot name a record (a number
/// that is not one, say) is a 404 like any unknown id; one holding a control character is
/// a 400 naming the parameter, since no record could ever be named by it.
pub struct Path<T>(pub T);

impl<T> Path<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Path<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        gate::held(req, Path::read(req))
    }
}

impl<T: DeserializeOwned> Path<T> {
    fn read(req: &HttpRequest) -> Result<Self, ApiError> {
        let info = req.match_info();
        if let Some((name, _)) = info.iter().find(|(_, v)| has_control(v, Lines::One)) {
            return Err(ApiError::InvalidParameters(vec![control_character_error(
                name,
            )]));
        }
        T::deserialize(actix_router::PathDeserializer::new(info))
            .map(Path)
            .map_err(|_| ApiError::NotFound(format!("no such resource: {}", req.path())))
    }
}
