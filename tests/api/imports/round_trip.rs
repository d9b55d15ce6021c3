//! An export, edited, is an import: the columns `Accept: text/csv` writes are the ones an
//! import reads, so sending an export back changes nothing, and an edit changes just that.

use super::*;

async fn export(app: &TestApp, path: &str) -> String {
    let res = app
        .get(path)
        .token(&app.admin_token())
        .header("accept", "text/csv")
        .send()
        .await;
    assert_eq!(res.status.as_u16(), 200, "{}", res.text());
    res.text()
}

#[actix_web::test]
async fn an_export_imported_again_leaves_every_client_unchanged() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    let body = "name,legal_name,website,status,health,health_note,primary_contact_email,external_ref\n\
                Acme,\"Acme, S.p.A.\",https://acme.example,active,watch,\"Late, again\",a@acme.example,ACC-1\n\
                Globex,,,prospect,good,,,\n\
                Initech,,,inactive,at_risk,,,INI\n";
    assert_eq!(
        counts(&import(&app, &admin, "clients", CSV, body).await),
        (3, 0, 0)
    );
    let csv = export(&app, "/api/v1/clients").await;
    let before = events(&app).await.len();
    assert_eq!(
        counts(&import(&app, &admin, "clients", CSV, &csv).await),
        (0, 0, 3)
    );
    assert_eq!(events(&app).await.len(), before);

    let edited = csv.replace("Globex", "Globex Corporation");
    assert_eq!(
        counts(&import(&app, &admin, "clients", CSV, &edited).await),
        (0, 1, 2)
    );
    assert_eq!(
        client_names(&app).await,
        ["Acme", "Globex Corporation", "Initech"]
    );
}

#[actix_web::test]
async fn a_staff_export_imported_again_leaves_every_member_unchanged() {
    let app = TestApp::spawn().await;
    app.staff("account_manager").await;
    app.staff("account_executive").await;
    let csv = export(&app, "/api/v1/staff").await;
    assert!(
        csv.lines().next().unwrap().split(',').any(|c| c == "kind"),
        "{csv}"
    );
    let admin = app.admin_token();
    let res = import(&app, &admin, "staff", CSV, &csv).await;
    assert_eq!(counts(&res), (0, 0, 3), "{}", res.text());
}
