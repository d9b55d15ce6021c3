//! The bare stack Suits is built on (actix-web 4, diesel 2 with an r2d2 pool on the
//! blocking thread pool, jsonwebtoken HS256), serving the four benchmark operations with
//! one query each, on Suits's own tables. It is the ceiling for Suits on this machine: no
//! permissions read from the database, no scope, no audit, no `allowed_actions`.
//!
//!   GET  /api/v1/clients?limit=20          first page, in Suits's default order
//!   GET  /api/v1/clients/{id}
//!   GET  /api/v1/accounts?client_id={id}   that client's accounts
//!   POST /api/v1/clients                   {"name", "industry"?, "status"?} -> 201
//!
//! Every request must carry a bearer token Suits would accept (same secret, issuer and
//! audience, same checks), so one token drives both servers.
//!
//! Environment: DATABASE_URL, SUITS_JWT_SECRET, BIND (127.0.0.1:18081), POOL_SIZE (10,
//! Suits's default on PostgreSQL), WORKERS (actix's default: one per core).

use actix_web::http::StatusCode;
use actix_web::{get, post, web, App, HttpRequest, HttpResponse, HttpServer, ResponseError};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool};
use diesel::result::{DatabaseErrorKind, Error as DbError};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};

type DbPool = Pool<ConnectionManager<PgConnection>>;

mod schema {
    // The columns of Suits's tables that the four operations touch.
    diesel::table! {
        clients (id) {
            id -> BigInt,
            name -> Text,
            name_key -> Text,
            legal_name -> Nullable<Text>,
            industry -> Nullable<Text>,
            website -> Nullable<Text>,
            status -> Text,
            health -> Text,
            health_note -> Nullable<Text>,
            primary_contact_name -> Nullable<Text>,
            primary_contact_email -> Nullable<Text>,
            primary_contact_phone -> Nullable<Text>,
            external_ref -> Nullable<Text>,
            version -> Integer,
            created_at -> Timestamp,
            updated_at -> Timestamp,
        }
    }
    diesel::table! {
        accounts (id) {
            id -> BigInt,
            client_id -> BigInt,
            name -> Text,
            status -> Text,
            manager_id -> Nullable<BigInt>,
            budget_amount_minor -> Nullable<BigInt>,
            budget_currency -> Nullable<Text>,
            threshold_amount_minor -> Nullable<BigInt>,
            threshold_currency -> Nullable<Text>,
            external_ref -> Nullable<Text>,
            version -> Integer,
            created_at -> Timestamp,
            updated_at -> Timestamp,
        }
    }
}
use schema::{accounts, clients};

#[derive(Queryable, Selectable, Serialize)]
#[diesel(table_name = clients)]
struct Client {
    id: i64,
    name: String,
    legal_name: Option<String>,
    industry: Option<String>,
    website: Option<String>,
    status: String,
    health: String,
    health_note: Option<String>,
    primary_contact_name: Option<String>,
    primary_contact_email: Option<String>,
    primary_contact_phone: Option<String>,
    external_ref: Option<String>,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Serialize)]
#[diesel(table_name = accounts)]
struct Account {
    id: i64,
    client_id: i64,
    name: String,
    status: String,
    manager_id: Option<i64>,
    budget_amount_minor: Option<i64>,
    budget_currency: Option<String>,
    threshold_amount_minor: Option<i64>,
    threshold_currency: Option<String>,
    external_ref: Option<String>,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// Lists answer `{"data": [...]}` like Suits's.
#[derive(Serialize)]
struct Page<T> {
    data: Vec<T>,
}

/// An error answer: a status and a short JSON body.
#[derive(Debug)]
struct Fail(StatusCode, &'static str);

impl std::fmt::Display for Fail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.1)
    }
}

impl ResponseError for Fail {
    fn status_code(&self) -> StatusCode {
        self.0
    }
    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.0).json(serde_json::json!({ "error": self.1 }))
    }
}

fn internal<E: std::fmt::Debug>(e: E) -> Fail {
    eprintln!("peer: {e:?}");
    Fail(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
}

// ------------------------------------------------------------------------------- auth

#[derive(Deserialize)]
struct Claims {
    sub: String,
}

struct Keys {
    validation: Validation,
    key: DecodingKey,
}

impl Keys {
    /// Verifies the bearer token as Suits does (HS256 pinned; exp, iat, iss, aud and sub
    /// required; nbf checked; 30 s leeway) and returns the staff id it names. Nothing is
    /// read from the database: that is the difference from Suits this peer measures.
    fn check(&self, req: &HttpRequest) -> Result<i64, Fail> {
        let unauthorized = || Fail(StatusCode::UNAUTHORIZED, "a valid bearer token is required");
        let token = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(unauthorized)?;
        let data = jsonwebtoken::decode::<Claims>(token.trim(), &self.key, &self.validation)
            .map_err(|_| unauthorized())?;
        data.claims.sub.parse().map_err(|_| unauthorized())
    }
}

/// Runs one database call on the blocking thread pool, as Suits's `db::run` does.
async fn db<T, F>(pool: &web::Data<DbPool>, f: F) -> Result<T, Fail>
where
    F: FnOnce(&mut PgConnection) -> Result<T, Fail> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.get().map_err(internal)?;
        f(&mut conn)
    })
    .await
    .map_err(internal)?
}

// --------------------------------------------------------------------------- handlers

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<i64>,
}

#[get("/api/v1/clients")]
async fn list_clients(
    req: HttpRequest,
    keys: web::Data<Keys>,
    pool: web::Data<DbPool>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, Fail> {
    keys.check(&req)?;
    let limit = query.limit.unwrap_or(20).clamp(1, 200);
    let data = db(&pool, move |conn| {
        clients::table
            .select(Client::as_select())
            .order((clients::created_at, clients::id))
            .limit(limit)
            .load(conn)
            .map_err(internal)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page { data }))
}

#[get("/api/v1/clients/{id}")]
async fn get_client(
    req: HttpRequest,
    keys: web::Data<Keys>,
    pool: web::Data<DbPool>,
    id: web::Path<i64>,
) -> Result<HttpResponse, Fail> {
    keys.check(&req)?;
    let id = id.into_inner();
    let client = db(&pool, move |conn| {
        clients::table
            .find(id)
            .select(Client::as_select())
            .first(conn)
            .optional()
            .map_err(internal)
    })
    .await?;
    match client {
        Some(client) => Ok(HttpResponse::Ok().json(client)),
        None => Err(Fail(StatusCode::NOT_FOUND, "no such client")),
    }
}

#[derive(Deserialize)]
struct AccountsQuery {
    client_id: i64,
}

#[get("/api/v1/accounts")]
async fn list_accounts(
    req: HttpRequest,
    keys: web::Data<Keys>,
    pool: web::Data<DbPool>,
    query: web::Query<AccountsQuery>,
) -> Result<HttpResponse, Fail> {
    keys.check(&req)?;
    let client_id = query.client_id;
    let data = db(&pool, move |conn| {
        accounts::table
            .filter(accounts::client_id.eq(client_id))
            .select(Account::as_select())
            .order((accounts::created_at, accounts::id))
            .limit(50)
            .load(conn)
            .map_err(internal)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page { data }))
}

#[derive(Deserialize)]
struct NewClient {
    name: String,
    industry: Option<String>,
    status: Option<String>,
}

#[post("/api/v1/clients")]
async fn create_client(
    req: HttpRequest,
    keys: web::Data<Keys>,
    pool: web::Data<DbPool>,
    body: web::Json<NewClient>,
) -> Result<HttpResponse, Fail> {
    keys.check(&req)?;
    let NewClient {
        name,
        industry,
        status,
    } = body.into_inner();
    let name = name.trim().to_owned();
    let status = status.unwrap_or_else(|| "prospect".to_owned());
    let name_ok = (1..=200).contains(&name.chars().count());
    let industry_ok = industry.as_ref().is_none_or(|i| i.chars().count() <= 100);
    let status_ok = matches!(status.as_str(), "prospect" | "active" | "inactive");
    if !(name_ok && industry_ok && status_ok) {
        return Err(Fail(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid name, industry or status",
        ));
    }
    let now = chrono::Utc::now().naive_utc();
    let created = db(&pool, move |conn| {
        diesel::insert_into(clients::table)
            .values((
                clients::name_key.eq(name.to_lowercase()),
                clients::name.eq(&name),
                clients::industry.eq(&industry),
                clients::status.eq(&status),
                clients::health.eq("good"),
                clients::version.eq(1),
                clients::created_at.eq(now),
                clients::updated_at.eq(now),
            ))
            .returning(Client::as_returning())
            .get_result(conn)
            .map_err(|e| match e {
                DbError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Fail(
                    StatusCode::CONFLICT,
                    "a client with this name already exists",
                ),
                e => internal(e),
            })
    })
    .await?;
    Ok(HttpResponse::Created().json(created))
}

// ------------------------------------------------------------------------------- main

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL is required");
    let secret = std::env::var("SUITS_JWT_SECRET").expect("SUITS_JWT_SECRET is required");
    let bind = env_or("BIND", "127.0.0.1:18081");
    let pool_size: u32 = env_or("POOL_SIZE", "10").parse().expect("POOL_SIZE");

    // r2d2's defaults otherwise, as in Suits: the pool opens `pool_size` connections and
    // checks each one with a `SELECT 1` when it is taken out.
    let pool = Pool::builder()
        .max_size(pool_size)
        .build(ConnectionManager::<PgConnection>::new(url))
        .expect("cannot open the connection pool");

    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_issuer(&["suits"]);
    validation.set_audience(&["suits-api"]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = 30;
    let keys = web::Data::new(Keys {
        validation,
        key: DecodingKey::from_secret(secret.as_bytes()),
    });
    let pool = web::Data::new(pool);

    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(keys.clone())
            .app_data(pool.clone())
            .service(list_clients)
            .service(get_client)
            .service(list_accounts)
            .service(create_client)
    });
    if let Ok(workers) = std::env::var("WORKERS") {
        server = server.workers(workers.parse().expect("WORKERS"));
    }
    eprintln!("peer: listening on {bind}, pool {pool_size}");
    server.bind(bind)?.run().await
}
