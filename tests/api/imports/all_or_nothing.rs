//! One bad line and nothing is written; a dry run writes nothing either way; the errors
//! name their lines, and past the first hundred are only counted.

use super::*;

#[actix_web::test]
async fn one_bad_line_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    app.client("Existing").await;
    let before = events(&app).await.len();
    let body = "name,website,status\n\
                Acme,https://acme.example,active\n\
                Globex,not a url,active\n\
                Initech,,sideways\n\
                ,,\n\
                Existing,,\n";
    let res = import(&app, &admin, "clients", CSV, body).await;
    assert_eq!(
        line_errors(&res),
        [
            (3, "website".to_owned(), "url".to_owned()),
            (4, "status".to_owned(), "type".to_owned()),
            (5, "name".to_owned(), "type".to_owned()),
            (6, "name".to_owned(), "unique".to_owned()),
        ]
    );
    let problem = res.json();
    assert_eq!(problem["error_count"], 4);
    assert_eq!(client_names(&app).await, ["Existing"]);
    assert_eq!(events(&app).await.len(), before, "no audit event either");
}

#[actix_web::test]
async fn lines_that_clash_with_each_other_are_errors() {
    let app = TestApp::spawn().await;
    let body = "name,external_ref\nAcme,A-1\nacme,A-2\nGlobex,A-1\n";
    let res = import(&app, &app.admin_token(), "clients", CSV, body).await;
    assert_eq!(
        line_errors(&res),
        [
            (3, "name".to_owned(), "unique".to_owned()),
            (4, "external_ref".to_owned(), "unique".to_owned()),
        ]
    );
    assert!(client_names(&app).await.is_empty());
}

#[actix_web::test]
async fn a_line_of_another_length_or_not_json_is_an_error_of_its_own() {
    let app = TestApp::spawn().await;
    let res = import(
        &app,
        &app.admin_token(),
        "clients",
        CSV,
        "name,industry\nAcme\nGlobex,Tech\n",
    )
    .await;
    assert_eq!(
        line_errors(&res),
        [(2, String::new(), "invalid".to_owned())]
    );
    let body =
        "{\"name\": \"Acme\"}\n[1]\n{\"name\": \n{\"name\": \"Globex\", \"colour\": \"red\"}\n";
    let res = import(&app, &app.admin_token(), "clients", NDJSON, body).await;
    assert_eq!(
        line_errors(&res),
        [
            (2, String::new(), "type".to_owned()),
            (3, String::new(), "invalid".to_owned()),
            (4, "colour".to_owned(), "unknown_field".to_owned()),
        ]
    );
    assert!(client_names(&app).await.is_empty());
}

#[actix_web::test]
async fn the_errors_listed_stop_at_a_hundred_and_all_are_counted() {
    let app = TestApp::spawn().await;
    let mut body = String::from("name,website\n");
    for i in 0..150 {
        body.push_str(&format!("Client {i},nowhere\n"));
    }
    let res = import(&app, &app.admin_token(), "clients", CSV, &body).await;
    let errors = line_errors(&res);
    assert_eq!(errors.len(), 100);
    assert_eq!(errors[99].0, 101);
    assert_eq!(res.json()["error_count"], 150);
}

#[actix_web::test]
async fn a_dry_run_checks_everything_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    let acme = app.client("Acme").await;
    let before = events(&app).await.len();
    let body = format!("id,name\n{},Acme Foods\n,Globex\n,Initech\n", acme["id"]);
    let res = dry_run(&app, &admin, "clients", CSV, &body).await;
    assert_eq!(counts(&res), (2, 1, 0));
    assert_eq!(res.json()["dry_run"], true);
    assert_eq!(client_names(&app).await, ["Acme"]);
    assert_eq!(events(&app).await.len(), before);
    // A dry run reports what the import would refuse, and still writes nothing.
    let res = dry_run(&app, &admin, "clients", CSV, "name\nGlobex\nglobex\n").await;
    assert_eq!(
        line_errors(&res),
        [(3, "name".to_owned(), "unique".to_owned())]
    );
    // The same body for real does what the dry run said.
    let res = import(&app, &admin, "clients", CSV, &body).await;
    assert_eq!(counts(&res), (2, 1, 0));
    assert_eq!(res.json()["dry_run"], false);
    assert_eq!(
        client_names(&app).await,
        ["Acme Foods", "Globex", "Initech"]
    );
}
