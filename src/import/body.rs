//! The body of an import: CSV or NDJSON by its `Content-Type` (415 otherwise), read whole
//! up to `SUITS_IMPORT_MAX_BYTES` (413 beyond, as soon as the limit is passed) — a larger
//! limit than other bodies', on these operations only.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;

use super::lines::{self, Lines, Shape};
use super::ImportParams;
use crate::auth::gate::Gate;
use crate::error::ApiError;
use crate::rest::params;
use crate::AppState;

pub const CSV: &str = "text/csv";
pub const NDJSON: &str = "application/x-ndjson";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Ndjson,
}

/// An import's body, whole, and whether it is a dry run (`?dry_run=true`). The query is
/// read here, before the body, so that a bad parameter is answered as such whatever the
/// body.
pub struct ImportBody {
    format: Format,
    bytes: Bytes,
    pub dry_run: bool,
}

impl ImportBody {
    /// Its lines, one after another (see [`lines::read`]).
    pub fn lines<'a>(&'a self, shape: &'a Shape) -> Result<Lines<'a>, ApiError> {
        lines::read(self.format, &self.bytes, shape)
    }
}

impl FromRequest for ImportBody {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req.content_type().to_ascii_lowercase();
        let charset = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.split(';').skip(1).find_map(|param| {
                    let (name, value) = param.split_once('=')?;
                    name.trim()
                        .eq_ignore_ascii_case("charset")
                        .then(|| value.trim().trim_matches('"').to_ascii_lowercase())
                })
            });
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(crate::config::DEFAULT_IMPORT_MAX_BYTES, |state| {
                state.import_max_bytes
            });
        let params = params::parse_query::<ImportParams>(req.query_string());
        let payload = payload.take();
        let gate = Gate::of(req);
        Box::pin(async move {
            let result = match params {
                Ok(params) => read(&content_type, charset, declared_len, limit, payload)
                    .await
                    .map(|body| ImportBody {
                        dry_run: params.dry_run.unwrap_or(false),
                        ..body
                    }),
                Err(e) => Err(e),
            };
            gate.hold(result).await
        })
    }
}

async fn read(
    content_type: &str,
    charset: Option<String>,
    declared_len: Option<usize>,
    limit: usize,
    mut payload: Payload,
) -> Result<ImportBody, ApiError> {
    let format = match content_type {
        CSV => Format::Csv,
        NDJSON => Format::Ndjson,
        other => {
            return Err(ApiError::UnsupportedMediaType(format!(
                "expected Content-Type: {CSV} (with a header row) or {NDJSON}, got {}",
                if other.is_empty() { "none" } else { other }
            )))
        }
    };
    // UTF-8 (the default) is the only charset taken.
    if charset.is_some_and(|name| name != "utf-8" && name != "utf8") {
        return Err(ApiError::UnsupportedMediaType(
            "an import is read as UTF-8; convert the file or leave out the charset".into(),
        ));
    }
    if declared_len.is_some_and(|len| len > limit) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let mut bytes = BytesMut::with_capacity(declared_len.unwrap_or(64 * 1024).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::BadRequest(format!("cannot read the request body: {e}")))?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(ImportBody {
        format,
        bytes: bytes.freeze(),
        dry_run: false,
    })
}
