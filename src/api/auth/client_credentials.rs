//! The OAuth 2.0 client-credentials grant at `POST /auth/token` (RFC 6749 §4.4), for
//! service accounts: a form-encoded body, the client authenticated with HTTP Basic
//! (§2.3.1) or with `client_id` and `client_secret` in the form. Refusals are problems
//! carrying the OAuth `error` code (§5.2).

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use futures_util::StreamExt;
use utoipa::ToSchema;

use super::TokenRequest;
use crate::api::service_accounts::repo;
use crate::auth::password;
use crate::db;
use crate::error::ApiError;
use crate::rest::body::{ValidJson, BODY_LIMIT};
use crate::rest::text::{has_control, Lines};
use crate::AppState;

pub const FORM: &str = "application/x-www-form-urlencoded";

/// The client-credentials grant, form-encoded. Authenticate the client with HTTP Basic
/// (`client_id:client_secret`), or put both in the form, not both ways at once. Other
/// parameters (such as `scope`) are ignored: a token carries the service account's role.
#[derive(Debug, ToSchema)]
#[schema(example = json!({"grant_type": "client_credentials"}))]
pub struct ClientCredentialsRequest {
    /// Always `client_credentials`.
    #[schema(pattern = "^client_credentials$")]
    pub grant_type: String,
    /// The service account's client id, when not sent with HTTP Basic.
    #[schema(nullable = false)]
    pub client_id: Option<String>,
    /// The service account's client secret, when not sent with HTTP Basic.
    #[schema(format = Password, nullable = false)]
    pub client_secret: Option<String>,
}

/// The body of `POST /auth/token`: the JSON password grant, or a form-encoded grant.
pub enum TokenBody {
    Password(TokenRequest),
    Form(Vec<(String, String)>),
}

impl FromRequest for TokenBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if !req.content_type().eq_ignore_ascii_case(FORM) {
            let json = ValidJson::<TokenRequest>::from_request(req, payload);
            return Box::pin(async move { json.await.map(|ValidJson(t)| TokenBody::Password(t)) });
        }
        let mut payload = payload.take();
        Box::pin(async move {
            let mut body = Vec::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::BadRequest(format!("cannot read the request body: {e}"))
                })?;
                if body.len() + chunk.len() > BODY_LIMIT {
                    return Err(ApiError::PayloadTooLarge { limit: BODY_LIMIT });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(TokenBody::Form(
                form_urlencoded::parse(&body).into_owned().collect(),
            ))
        })
    }
}

fn invalid_request(detail: impl Into<String>) -> ApiError {
    ApiError::OAuth {
        status: StatusCode::BAD_REQUEST,
        error: "invalid_request",
        detail: detail.into(),
    }
}

/// The one answer to every failed client authentication: it does not say which part was
/// wrong, nor whether the client exists.
pub fn invalid_client() -> ApiError {
    ApiError::OAuth {
        status: StatusCode::UNAUTHORIZED,
        error: "invalid_client",
        detail: "client authentication failed: unknown client, wrong secret, or a \
                 deactivated service account"
            .into(),
    }
}

/// A client that authenticated: its id and the secret it presented.
pub struct Client {
    pub id: String,
    pub secret: String,
}

/// The parameters the grant reads, each at most once (§3.2; an empty one is absent).
/// Others are ignored, as §3.2 asks.
const KNOWN: [&str; 4] = ["grant_type", "client_id", "client_secret", "scope"];

/// The grant's parameters checked and the client's credentials, from HTTP Basic or the
/// form.
pub fn client_of(req: &HttpRequest, form: Vec<(String, String)>) -> Result<Client, ApiError> {
    let mut params: Vec<(String, String)> = Vec::new();
    for (name, value) in form {
        if value.is_empty() || !KNOWN.contains(&name.as_str()) {
            continue;
        }
        if params.iter().any(|(n, _)| *n == name) {
            return Err(invalid_request(format!("parameter {name} is sent twice")));
        }
        params.push((name, value));
    }
    let param = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let request = ClientCredentialsRequest {
        grant_type: param("grant_type").ok_or_else(|| invalid_request("grant_type is required"))?,
        client_id: param("client_id"),
        client_secret: param("client_secret"),
    };
    match request.grant_type.as_str() {
        "client_credentials" => {}
        other => {
            return Err(ApiError::OAuth {
                status: StatusCode::BAD_REQUEST,
                error: "unsupported_grant_type",
                detail: format!(
                    "grant_type {other:?} is not supported here: use client_credentials, or \
                     a JSON body with email and password"
                ),
            })
        }
    }
    let in_form = (request.client_id, request.client_secret);
    match (basic(req)?, in_form) {
        (Some(_), (Some(_), _) | (_, Some(_))) => Err(invalid_request(
            "authenticate the client one way: HTTP Basic or client_id and client_secret in \
             the form, not both",
        )),
        (Some(client), _) => Ok(client),
        (None, (Some(id), Some(secret))) => Ok(Client { id, secret }),
        (None, _) => Err(invalid_client()),
    }
    .and_then(|client| {
        // No issued id or secret holds one, and PostgreSQL could not even compare NUL.
        if has_control(&client.id, Lines::One) || has_control(&client.secret, Lines::One) {
            return Err(invalid_client());
        }
        Ok(client)
    })
}

/// `Authorization: Basic base64(client_id:client_secret)`, if that is the scheme sent.
/// RFC 6749 §2.3.1 has both parts form-encoded first; the ids and secrets issued here
/// are made of characters that encoding leaves as they are, so they are compared as sent.
fn basic(req: &HttpRequest) -> Result<Option<Client>, ApiError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| invalid_client())?;
    let Some((scheme, encoded)) = value.split_once(' ') else {
        return Err(invalid_client());
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(invalid_client());
    }
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(invalid_client)?;
    let (id, secret) = decoded.split_once(':').ok_or_else(invalid_client)?;
    if id.is_empty() || secret.is_empty() {
        return Err(invalid_client());
    }
    Ok(Some(Client {
        id: id.to_owned(),
        secret: secret.to_owned(),
    }))
}

/// The staff id of the service account `client` authenticates, if the secret is right
/// and the account active; an unknown client costs the time of a real verification.
pub async fn authenticate(state: &AppState, client: Client) -> Result<Option<i64>, ApiError> {
    db::run(&state.pool, move |conn| {
        Ok(match repo::credentials(conn, &client.id)? {
            Some((id, active, hash)) => {
                (password::verify(&client.secret, &hash) && active).then_some(id)
            }
            None => {
                password::verify_dummy(&client.secret);
                None
            }
        })
    })
    .await
}
