//! Scope `all`: everything, everywhere.

use super::*;

#[actix_web::test]
async fn a_director_sees_every_client_account_and_event() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, director) = app.staff("account_director").await;
    assert_eq!(
        list_names(&app, &director, CLIENTS, "sort=name").await,
        ["Acme", "Globex", "Initech", "Umbrella"]
    );
    assert_eq!(
        list_names(&app, &director, ACCOUNTS, "sort=name").await,
        [
            "Acme Drinks",
            "Acme Snacks",
            "Globex Energy",
            "Initech Software"
        ]
    );
    let res = get_as(
        &app,
        &director,
        &format!("{ACCOUNTS}/{}", id_of(&world.energy)),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.json()["allowed_actions"],
        json!(["update", "delete", "assign"])
    );
    let res = get_as(
        &app,
        &director,
        &format!("{CLIENTS}/{}", id_of(&world.umbrella)),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.json()["allowed_actions"],
        json!(["update", "delete", "set_health"])
    );
    let seen = subjects(&feed(&app, &director, "").await);
    assert!(seen.contains(&subject("clients", id_of(&world.umbrella))));
    assert!(seen.contains(&subject("accounts", id_of(&world.energy))));
}
