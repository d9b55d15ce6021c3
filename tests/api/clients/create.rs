//! Create and read.

use super::*;

#[actix_web::test]
async fn create_answers_201_with_location_etag_and_defaults() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": "Acme Foods"})).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let client = res.json();
    let id = client["id"].as_i64().expect("id");
    assert_eq!(
        res.header("location"),
        Some(format!("{CLIENTS}/{id}").as_str())
    );
    assert_eq!(res.header("etag"), Some("\"1\""));
    assert_eq!(client["name"], "Acme Foods");
    assert_eq!(client["status"], "prospect");
    assert_eq!(client["health"], "good");
    assert_eq!(client["version"], 1);
    for nullable in [
        "legal_name",
        "industry",
        "website",
        "health_note",
        "primary_contact_name",
        "primary_contact_email",
        "primary_contact_phone",
        "external_ref",
    ] {
        assert_eq!(client[nullable], Value::Null, "{nullable}");
    }
    assert!(client["created_at"]
        .as_str()
        .is_some_and(|t| t.ends_with('Z')));
    assert_eq!(client["created_at"], client["updated_at"]);
}

#[actix_web::test]
async fn create_stores_every_field_given() {
    let app = TestApp::spawn().await;
    let input = json!({
        "name": "Acme Foods",
        "legal_name": "Acme Foods S.p.A.",
        "industry": "Food & beverage",
        "website": "https://acme.example",
        "status": "active",
        "health": "watch",
        "health_note": "Unhappy with the last campaign's timing",
        "primary_contact_name": "Giulia Rossi",
        "primary_contact_email": "giulia.rossi@acme.example",
        "primary_contact_phone": "+39 02 1234567",
        "external_ref": "ACC-0042",
    });
    let res = create(&app, input.clone()).await;
    assert_eq!(res.status, 201, "{}", res.text());
    let client = res.json();
    for (field, value) in input.as_object().unwrap() {
        assert_eq!(&client[field], value, "{field}");
    }
}

#[actix_web::test]
async fn get_returns_the_created_client_with_the_same_etag() {
    let app = TestApp::spawn().await;
    let created = create(&app, json!({"name": "Acme Foods", "industry": "Food"})).await;
    let client = created.json();
    let res = app
        .get(&client_url(&client["id"]))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json(), client);
    assert_eq!(res.header("etag"), created.header("etag"));
}

#[actix_web::test]
async fn create_trims_the_name() {
    let app = TestApp::spawn().await;
    let res = create(&app, json!({"name": "  Acme Foods \t"})).await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["name"], "Acme Foods");
}

#[actix_web::test]
async fn create_accepts_json_with_a_charset_parameter() {
    let app = TestApp::spawn().await;
    let res = app
        .post(CLIENTS)
        .token(&app.admin_token())
        .body(
            "application/json; charset=utf-8",
            json!({"name": "Acme"}).to_string(),
        )
        .send()
        .await;
    assert_eq!(res.status, 201, "{}", res.text());
}
