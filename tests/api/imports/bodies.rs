//! What an import body may be: CSV or NDJSON (415 otherwise), up to its own limit (413
//! beyond, while other bodies keep theirs), with a header row.

use super::*;

#[actix_web::test]
async fn another_content_type_is_415() {
    let app = TestApp::spawn().await;
    for content_type in ["application/json", "text/plain", "text/csv; charset=latin1"] {
        let res = import(
            &app,
            &app.admin_token(),
            "clients",
            content_type,
            "name\nAcme\n",
        )
        .await;
        res.problem(415);
    }
    let res = app
        .post(&url("clients", ""))
        .token(&app.admin_token())
        .send()
        .await;
    res.problem(415);
    assert!(client_names(&app).await.is_empty());
}

#[actix_web::test]
async fn a_body_over_the_import_limit_is_413() {
    let app = TestApp::spawn_with(&[("SUITS_IMPORT_MAX_BYTES", "2000")]).await;
    let mut body = String::from("name\n");
    for i in 0..200 {
        body.push_str(&format!("Client number {i}\n"));
    }
    assert!(body.len() > 2000);
    let res = import(&app, &app.admin_token(), "clients", CSV, &body).await;
    let problem = res.problem(413);
    assert!(
        problem["detail"].as_str().unwrap().contains("2000"),
        "{problem}"
    );
    assert!(client_names(&app).await.is_empty());
}

#[actix_web::test]
async fn an_import_takes_more_than_other_bodies() {
    let app = TestApp::spawn().await;
    let mut body = String::from("name,health_note\n");
    let note = "n".repeat(1900);
    for i in 0..600 {
        body.push_str(&format!("Client {i},{note}\n"));
    }
    assert!(body.len() > 1024 * 1024);
    let res = import(&app, &app.admin_token(), "clients", CSV, &body).await;
    assert_eq!(counts(&res), (600, 0, 0));
}

#[actix_web::test]
async fn a_body_without_a_header_row_is_400() {
    let app = TestApp::spawn().await;
    let res = import(&app, &app.admin_token(), "clients", CSV, "").await;
    res.problem(400);
    let res = import(
        &app,
        &app.admin_token(),
        "clients",
        CSV,
        "name,,status\nAcme,,\n",
    )
    .await;
    res.problem(400);
    // A header alone is an import of nothing.
    let res = import(&app, &app.admin_token(), "clients", CSV, "name\n").await;
    assert_eq!(counts(&res), (0, 0, 0));
}

#[actix_web::test]
async fn a_header_naming_no_column_the_import_reads_is_400() {
    let app = TestApp::spawn().await;
    for body in [
        "-7.2e-301",
        "null",
        "[{\"a\": 1}]\n",
        "nom,statut\nAcme,active\n",
    ] {
        let res = import(&app, &app.admin_token(), "clients", CSV, body).await;
        let problem = res.problem(400);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("names no column this import reads"),
            "{body:?}: {problem}"
        );
    }
    let res = import(
        &app,
        &app.admin_token(),
        "clients",
        CSV,
        "name,nickname\nAcme,A\n",
    )
    .await;
    res.problem(422);
}
