//! Single records.

use super::*;

#[actix_web::test]
async fn an_out_of_scope_client_answers_every_door_like_a_missing_one() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    for role in ASSIGNED_ROLES {
        let (_, token) = world.member(&app, role).await;
        let missing = client_doors(&app, &token, MISSING).await;
        for client in [&world.globex, &world.umbrella] {
            let hidden = client_doors(&app, &token, id_of(client)).await;
            for ((door, hidden), (_, missing)) in hidden.iter().zip(&missing) {
                assert_indistinguishable(
                    &format!("{role}: {door} {}", client["name"]),
                    (hidden, id_of(client)),
                    (missing, MISSING),
                );
            }
        }
    }
    let stored = get_as(
        &app,
        &app.admin_token(),
        &format!("{CLIENTS}/{}", id_of(&world.globex)),
    )
    .await;
    assert_eq!(stored.json()["version"], 1, "nothing changed");
}

#[actix_web::test]
async fn an_out_of_scope_client_is_404_to_a_manager() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    for (door, res) in client_doors(&app, &x, id_of(&world.globex)).await {
        let problem = res.problem(404);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains(&id_of(&world.globex).to_string()),
            "{door}: {problem}"
        );
    }
}

#[actix_web::test]
async fn an_in_scope_client_answers_the_same_doors() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    let one = format!("{CLIENTS}/{}", id_of(&world.acme));
    assert_eq!(get_as(&app, &x, &one).await.status, 200);
    let res = app
        .patch(&one)
        .token(&x)
        .json(json!({"industry": "Food"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
    let res = app
        .put(&format!("{one}/health"))
        .token(&x)
        .json(json!({"health": "watch"}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[actix_web::test]
async fn an_out_of_scope_account_answers_every_door_like_a_missing_one() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    for role in ASSIGNED_ROLES {
        let (staff_id, token) = world.member(&app, role).await;
        let missing = account_doors(&app, &token, MISSING, staff_id).await;
        // Acme Drinks belongs to a client in scope; Globex Energy to one out of it.
        for account in [&world.drinks, &world.energy] {
            let hidden = account_doors(&app, &token, id_of(account), staff_id).await;
            for ((door, hidden), (_, missing)) in hidden.iter().zip(&missing) {
                assert_indistinguishable(
                    &format!("{role}: {door} {}", account["name"]),
                    (hidden, id_of(account)),
                    (missing, MISSING),
                );
            }
        }
    }
    let admin = app.admin_token();
    for account in [&world.drinks, &world.energy] {
        let url = format!("{ACCOUNTS}/{}", id_of(account));
        assert_eq!(get_as(&app, &admin, &url).await.json()["version"], 1);
        let team = get_as(&app, &admin, &format!("{url}/team")).await;
        assert_eq!(data(&team), Vec::<Value>::new(), "nobody joined");
    }
}

#[actix_web::test]
async fn an_out_of_scope_account_and_its_team_are_404_to_a_manager() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (x_id, x) = world.member(&app, "account_manager").await;
    for (door, res) in account_doors(&app, &x, id_of(&world.energy), x_id).await {
        let problem = res.problem(404);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains(&id_of(&world.energy).to_string()),
            "{door}: {problem}"
        );
    }
}

#[actix_web::test]
async fn creating_an_account_for_an_out_of_scope_client_is_422_like_an_unknown_one() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    let create = |client_id: i64| {
        app.post(ACCOUNTS)
            .token(&x)
            .json(json!({"client_id": client_id, "name": "New Line"}))
            .send()
    };
    let missing = create(MISSING).await;
    let problem = missing.problem(422);
    assert_eq!(missing.error_fields(), ["client_id"], "{problem}");
    for client in [&world.globex, &world.umbrella] {
        let hidden = create(id_of(client)).await;
        assert_indistinguishable(
            &format!("create account for {}", client["name"]),
            (&hidden, id_of(client)),
            (&missing, MISSING),
        );
    }
    let res = create(id_of(&world.acme)).await;
    assert_eq!(res.status, 201, "a client in scope is fine: {}", res.text());
    let admin_view = get_as(
        &app,
        &app.admin_token(),
        &format!("{ACCOUNTS}?client_id={}", id_of(&world.globex)),
    )
    .await;
    assert_eq!(names(&admin_view), ["Globex Energy"], "nothing was created");
}
