//! Audit feed.

use super::*;

/// Mutations on every client and account, by the admin, after the world is built.
async fn stir(app: &TestApp, world: &World) {
    let admin = app.admin_token();
    for client in [&world.acme, &world.globex, &world.initech, &world.umbrella] {
        let res = app
            .patch(&format!("{CLIENTS}/{}", id_of(client)))
            .token(&admin)
            .json(json!({"industry": "Retail"}))
            .send()
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
    for account in [&world.snacks, &world.drinks, &world.energy, &world.software] {
        let res = app
            .patch(&format!("{ACCOUNTS}/{}", id_of(account)))
            .token(&admin)
            .json(json!({"budget": {"amount_minor": 100, "currency": "EUR"}}))
            .send()
            .await;
        assert_eq!(res.status, 200, "{}", res.text());
    }
}

#[actix_web::test]
async fn the_audit_feed_of_an_assigned_reader_holds_only_events_in_scope() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (x_id, x) = world.member(&app, "account_manager").await;
    let (other, _) = app.staff("account_executive").await;
    app.assign(&world.energy["id"], other).await;
    app.assign(&world.drinks["id"], other).await;
    stir(&app, &world).await;

    let events = feed(&app, &x, "").await;
    let seen = subjects(&events);
    let expected = BTreeSet::from([
        subject("clients", id_of(&world.acme)),
        subject("clients", id_of(&world.initech)),
        subject("accounts", id_of(&world.snacks)),
        subject("accounts", id_of(&world.software)),
        team_subject(&world.snacks, x_id),
        team_subject(&world.software, x_id),
    ]);
    assert_eq!(seen, expected, "{events:#?}");
    let actions: BTreeSet<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        BTreeSet::from([
            "clients.create",
            "clients.update",
            "accounts.create",
            "accounts.update",
            "account_teams.assign",
        ])
    );
}

#[actix_web::test]
async fn audit_filters_aimed_at_out_of_scope_records_find_nothing() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    let (other, _) = app.staff("account_executive").await;
    app.assign(&world.energy["id"], other).await;
    stir(&app, &world).await;

    let queries = [
        format!("resource_type=clients&resource_id={}", id_of(&world.globex)),
        format!(
            "resource_type=clients&resource_id={}",
            id_of(&world.umbrella)
        ),
        format!(
            "resource_type=accounts&resource_id={}",
            id_of(&world.energy)
        ),
        format!(
            "resource_type=accounts&resource_id={}",
            id_of(&world.drinks)
        ),
        format!(
            "resource_type=account_teams&resource_id={}%2F{other}",
            id_of(&world.energy)
        ),
        format!("resource_id={}", id_of(&world.globex)),
    ];
    for query in &queries {
        let admin_sees = feed(&app, &app.admin_token(), query).await;
        assert!(!admin_sees.is_empty(), "the events exist: {query}");
        assert_eq!(feed(&app, &x, query).await, Vec::<Value>::new(), "{query}");
    }
    let by_admin = feed(&app, &x, &format!("actor_id={}", app.admin_id)).await;
    assert!(!by_admin.is_empty());
    for event in &by_admin {
        let about = (
            event["resource_type"].as_str().unwrap().to_owned(),
            event["resource_id"].as_str().unwrap().to_owned(),
        );
        assert!(
            ![
                subject("clients", id_of(&world.globex)),
                subject("clients", id_of(&world.umbrella)),
                subject("accounts", id_of(&world.energy)),
                subject("accounts", id_of(&world.drinks)),
            ]
            .contains(&about),
            "{event}"
        );
    }
}

#[actix_web::test]
async fn paging_the_audit_feed_one_at_a_time_never_reaches_out_of_scope_events() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    stir(&app, &world).await;
    let all = feed(&app, &x, "").await;
    for sort in ["occurred_at", "-occurred_at"] {
        let mut one_by_one = Vec::new();
        let mut res = get_as(&app, &x, &format!("{AUDIT}?limit=1&sort={sort}")).await;
        for _ in 0..200 {
            one_by_one.extend(data(&res));
            let Some(cursor) = res.json()["next_cursor"].as_str().map(str::to_owned) else {
                break;
            };
            res = get_as(
                &app,
                &x,
                &format!("{AUDIT}?limit=1&sort={sort}&cursor={cursor}"),
            )
            .await;
        }
        if sort.starts_with('-') {
            one_by_one.reverse();
        }
        assert_eq!(one_by_one, all, "{sort}");
    }
}

#[actix_web::test]
async fn an_assigned_reader_sees_no_staff_or_role_events() {
    let app = TestApp::spawn().await;
    let world = World::new(&app).await;
    let (_, x) = world.member(&app, "account_manager").await;
    for resource_type in ["staff", "roles"] {
        let admin_sees = feed(
            &app,
            &app.admin_token(),
            &format!("resource_type={resource_type}"),
        )
        .await;
        assert!(!admin_sees.is_empty(), "{resource_type} events exist");
        assert_eq!(
            feed(&app, &x, &format!("resource_type={resource_type}")).await,
            Vec::<Value>::new(),
            "{resource_type}"
        );
    }
}
