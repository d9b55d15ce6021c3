//! Clients: created, updated or left as they are, matched by `id` or `external_ref`, each
//! change with its audit event.

use super::*;

#[actix_web::test]
async fn lines_create_update_and_leave_clients_as_they_are() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    let body = "name,external_ref,status,industry\n\
                Acme,ACC-1,active,Food\n\
                Globex,ACC-2,prospect,\n";
    assert_eq!(
        counts(&import(&app, &admin, "clients", CSV, body).await),
        (2, 0, 0)
    );
    let body = "name,external_ref,status,industry\n\
                Acme,ACC-1,active,Food\n\
                Globex Corp,ACC-2,active,\n\
                Initech,,,Software\n";
    assert_eq!(
        counts(&import(&app, &admin, "clients", CSV, body).await),
        (1, 1, 1)
    );
    assert_eq!(client_names(&app).await, ["Acme", "Globex Corp", "Initech"]);
    let res = app
        .get("/api/v1/clients?q=globex")
        .token(&admin)
        .send()
        .await;
    let globex = &res.json()["data"][0];
    assert_eq!(globex["status"], "active");
    assert_eq!(globex["version"], 2);

    // Each change is an event, made by the importer; an unchanged line is none. (A batch
    // writes its new clients first.)
    let events: Vec<Value> = events(&app)
        .await
        .into_iter()
        .filter(|e| e["resource_type"] == "clients")
        .collect();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "clients.create",
            "clients.create",
            "clients.create",
            "clients.update"
        ]
    );
    let update = &events[3];
    assert_eq!(update["resource_id"], globex["id"].to_string());
    assert_eq!(update["changes"]["name"]["after"], "Globex Corp");
    assert_eq!(update["changes"]["status"]["before"], "prospect");
    assert!(events.iter().all(|e| e["actor_id"].as_i64().is_some()));
}

#[actix_web::test]
async fn a_line_with_an_id_updates_that_client_and_what_it_leaves_out_stays() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    let acme = app.client("Acme").await;
    let res = app
        .patch(&format!("/api/v1/clients/{}", acme["id"]))
        .token(&admin)
        .json(serde_json::json!({"industry": "Food", "legal_name": "Acme S.p.A."}))
        .send()
        .await;
    assert_eq!(res.status.as_u16(), 200);
    let body = format!("id,name,legal_name\n{},Acme Foods,\n", acme["id"]);
    assert_eq!(
        counts(&import(&app, &admin, "clients", CSV, &body).await),
        (0, 1, 0)
    );
    let res = app
        .get(&format!("/api/v1/clients/{}", acme["id"]))
        .token(&admin)
        .send()
        .await;
    let acme = res.json();
    assert_eq!(acme["name"], "Acme Foods");
    // An empty cell clears; a column the file does not have leaves the field alone.
    assert_eq!(acme["legal_name"], Value::Null);
    assert_eq!(acme["industry"], "Food");
}

#[actix_web::test]
async fn ndjson_lines_are_the_bodies_of_single_requests() {
    let app = TestApp::spawn().await;
    let body = "{\"name\": \"Acme\", \"external_ref\": \"ACC-1\", \"status\": \"active\"}\n\
                \n\
                {\"name\": \"Globex\"}\n";
    let res = import(&app, &app.admin_token(), "clients", NDJSON, body).await;
    assert_eq!(counts(&res), (2, 0, 0));
    assert_eq!(res.json()["lines"], 2);
    assert_eq!(client_names(&app).await, ["Acme", "Globex"]);
}

#[actix_web::test]
async fn a_bom_is_no_part_of_the_first_column() {
    let app = TestApp::spawn().await;
    let body = "\u{FEFF}name,external_ref\nAcme,ACC-1\n";
    let res = import(&app, &app.admin_token(), "clients", CSV, body).await;
    assert_eq!(counts(&res), (1, 0, 0));
    assert_eq!(client_names(&app).await, ["Acme"]);
}

#[actix_web::test]
async fn an_id_out_of_scope_is_unknown_and_an_external_ref_out_of_scope_is_taken() {
    let app = TestApp::spawn().await;
    let mine = app.client("Mine").await;
    let account = app.account(&mine["id"], "Mine's account").await;
    let theirs = app.client("Theirs").await;
    let res = app
        .patch(&format!("/api/v1/clients/{}", theirs["id"]))
        .token(&app.admin_token())
        .json(serde_json::json!({"external_ref": "THEIRS"}))
        .send()
        .await;
    assert_eq!(res.status.as_u16(), 200);
    let (manager, token) = app.staff("account_manager").await;
    app.assign(&account["id"], manager).await;

    let body = format!(
        "id,name,external_ref\n{},Mine renamed,\n{},Theirs renamed,\n,Elsewhere,THEIRS\n",
        mine["id"], theirs["id"]
    );
    let res = import(&app, &token, "clients", CSV, &body).await;
    assert_eq!(
        line_errors(&res),
        [
            (3, "id".to_owned(), "unknown".to_owned()),
            (4, "external_ref".to_owned(), "unique".to_owned()),
        ]
    );
    let problem = res.json();
    assert_eq!(
        problem["errors"][0]["message"],
        format!("client {} not found", theirs["id"])
    );
    assert_eq!(client_names(&app).await, ["Mine", "Theirs"]);
}

#[actix_web::test]
async fn changing_health_on_an_update_needs_the_health_permission() {
    let app = TestApp::spawn().await;
    app.role(
        "client_editor",
        serde_json::json!([{"permission": "clients.write", "scope": "all"},
                           {"permission": "clients.read", "scope": "all"}]),
    )
    .await;
    let (_, token) = app.staff("client_editor").await;
    let acme = app.client("Acme").await;
    let body = format!("id,name,health\n{},Acme,at_risk\n", acme["id"]);
    let res = import(&app, &token, "clients", CSV, &body).await;
    assert_eq!(
        line_errors(&res),
        [(2, "health".to_owned(), "forbidden".to_owned())]
    );
    // The same health as stored is no change.
    let body = format!("id,name,health\n{},Acme,good\n", acme["id"]);
    let res = import(&app, &token, "clients", CSV, &body).await;
    assert_eq!(counts(&res), (0, 0, 1));
}

/// A created client's event is made before the client is stored (see `audit::Created`):
/// each must name its own client, and record what `POST /clients` records of the same
/// body.
#[actix_web::test]
async fn each_created_client_has_its_own_event_as_a_single_create_records_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    let res = app
        .post("/api/v1/clients")
        .token(&admin)
        .json(serde_json::json!({
            "name": "Posted", "industry": "Food", "status": "active", "health": "watch",
            "external_ref": "REF-0"
        }))
        .send()
        .await;
    assert_eq!(res.status.as_u16(), 201, "{}", res.text());
    let mut body = String::from("name,industry,status,health,external_ref\n");
    for i in 1..=5 {
        body.push_str(&format!("Imported {i},Food,active,watch,REF-{i}\n"));
    }
    assert_eq!(
        counts(&import(&app, &admin, "clients", CSV, &body).await),
        (5, 0, 0)
    );

    let creations: Vec<Value> = events(&app)
        .await
        .into_iter()
        .filter(|e| e["action"] == "clients.create")
        .collect();
    assert_eq!(creations.len(), 6);
    let posted = creations[0]["changes"].clone();
    for event in &creations[1..] {
        let id = event["resource_id"].as_str().expect("resource_id");
        let res = app
            .get(&format!("/api/v1/clients/{id}"))
            .token(&admin)
            .send()
            .await;
        let client = res.json();
        let mut expected = posted.clone();
        expected["name"]["after"] = client["name"].clone();
        expected["external_ref"]["after"] = client["external_ref"].clone();
        assert_eq!(
            event["changes"], expected,
            "the event of {}",
            client["name"]
        );
    }
}

/// A name one line gives up (as an external reference would be) is not taken by a later line of the
/// same import: whether the giving up is written first would depend on where the
/// batches fall. A later import takes it.
#[actix_web::test]
async fn what_one_line_gives_up_a_later_line_cannot_take() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    let body = "name,external_ref\nAcme,REF-A\n";
    assert_eq!(
        counts(&import(&app, &admin, "clients", CSV, body).await),
        (1, 0, 0)
    );
    let acme = &app
        .get("/api/v1/clients?q=acme")
        .token(&admin)
        .send()
        .await
        .json()["data"][0];
    let body = format!(
        "id,name,external_ref\n{},Acme Two,REF-B\n,Acme,REF-C\n",
        acme["id"]
    );
    let res = import(&app, &admin, "clients", CSV, &body).await;
    assert_eq!(
        line_errors(&res),
        [(3, "name".to_owned(), "unique".to_owned())]
    );
    let problem = res.json();
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("line 2 gives this up")),
        "{problem}"
    );
    assert_eq!(client_names(&app).await, ["Acme"], "nothing written");

    // Once the renaming is done, another import takes the name.
    let body = format!("id,name,external_ref\n{},Acme Two,REF-B\n", acme["id"]);
    assert_eq!(
        counts(&import(&app, &admin, "clients", CSV, &body).await),
        (0, 1, 0)
    );
    assert_eq!(
        counts(
            &import(
                &app,
                &admin,
                "clients",
                CSV,
                "name,external_ref\nAcme,REF-A\n"
            )
            .await
        ),
        (1, 0, 0)
    );
}
