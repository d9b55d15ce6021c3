//! Delete.

use super::*;

#[actix_web::test]
async fn delete_answers_204_and_the_client_is_gone() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let res = app
        .delete(&client_url(&client["id"]))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    assert!(res.body.is_empty());
    app.get(&client_url(&client["id"]))
        .token(&app.admin_token())
        .send()
        .await
        .problem(404);
    assert_eq!(list(&app, "").await.json()["data"], json!([]));
    // The name is free again.
    assert_eq!(create(&app, json!({"name": "Acme"})).await.status, 201);
}

#[actix_web::test]
async fn delete_of_an_unknown_client_is_404() {
    let app = TestApp::spawn().await;
    app.delete(&format!("{CLIENTS}/999999"))
        .token(&app.admin_token())
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn get_of_an_unknown_or_malformed_id_is_404() {
    let app = TestApp::spawn().await;
    for path in ["999999", "abc", "1.5", "99999999999999999999999"] {
        app.get(&format!("{CLIENTS}/{path}"))
            .token(&app.admin_token())
            .send()
            .await
            .problem(404);
    }
}
