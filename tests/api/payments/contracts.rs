//! A payment under a contract: an active one of the account's client, for this account
//! or the client as a whole; any other reads as unknown. The contracts are written
//! straight into their table: their own resource is not this module's.

use diesel::prelude::*;
use suits::db::schema::contracts;

use super::*;

/// A contract row of `client` (for `account`, or the client as a whole) in `status`.
fn contract(app: &TestApp, client: i64, account: Option<i64>, status: &str) -> i64 {
    let mut conn = app.state.pool.get().expect("connection");
    let at = chrono::Utc::now().naive_utc();
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    diesel::insert_into(contracts::table)
        .values((
            contracts::client_id.eq(client),
            contracts::account_id.eq(account),
            contracts::title.eq("Retainer 2026"),
            contracts::kind.eq("retainer"),
            contracts::start_date.eq(start),
            contracts::end_date.eq(chrono::NaiveDate::from_ymd_opt(2026, 12, 31)),
            contracts::value_amount_minor.eq(12_000_000_i64),
            contracts::value_currency.eq("EUR"),
            contracts::auto_renew.eq(false),
            contracts::notice_days.eq(30),
            contracts::status.eq(status),
            contracts::created_by.eq(1_i64),
            contracts::created_at.eq(at),
            contracts::updated_at.eq(at),
        ))
        .returning(contracts::id)
        .get_result(&mut **conn)
        .expect("insert a contract")
}

async fn under(app: &TestApp, desk: &Desk, contract: i64) -> Resp {
    let body = json!({
        "account_id": desk.account, "contract_id": contract, "direction": "incoming",
        "amount": {"amount_minor": 1_000_000, "currency": "EUR"}, "description": "Retainer, January"
    });
    request(app, &desk.exec.1, body).await
}

#[actix_web::test]
async fn a_payment_names_an_active_contract_of_its_account_or_client() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let mine = contract(&app, desk.client, Some(desk.account), "active");
    let client_wide = contract(&app, desk.client, None, "active");
    for contract in [mine, client_wide] {
        let res = under(&app, &desk, contract).await;
        assert_eq!(res.status, 201, "{}", res.text());
        assert_eq!(res.json()["contract_id"], contract);
    }
    let listed = get(
        &app,
        &desk.exec.1,
        &format!("/api/v1/payments?contract_id={mine}"),
    )
    .await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1, "{listed}");
}

#[actix_web::test]
async fn any_other_contract_reads_as_unknown_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let desk = desk(&app, None).await;
    let other = super::desk(&app, None).await;
    let sibling = id(&app.account(&json!(desk.client), "Sibling line").await);
    let cases = [
        contract(&app, desk.client, Some(desk.account), "draft"),
        contract(&app, desk.client, Some(desk.account), "terminated"),
        contract(&app, desk.client, Some(sibling), "active"),
        contract(&app, other.client, Some(other.account), "active"),
        contract(&app, other.client, None, "active"),
    ];
    for contract in cases {
        let res = under(&app, &desk, contract).await;
        let problem = assert_invalid(&res, "contract_id", "unknown");
        assert!(
            problem.to_string().contains(&contract.to_string()),
            "{problem}"
        );
    }
    assert_eq!(payments_of(&app, desk.account).await, Vec::<Value>::new());
}
