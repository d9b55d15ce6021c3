//! Teams.

use super::*;

#[actix_web::test]
async fn the_team_lists_each_member_by_name_with_their_details() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (marco, marco_email) = hire(&app, "account_executive", "Marco Bianchi").await;
    let (anna, anna_email) = hire(&app, "account_planner", "Anna Verdi").await;
    put_member(&app, &account, marco, "lead executive").await;
    put_member(&app, &account, anna, "planner").await;

    let members = team(&app, &account).await;
    assert_eq!(members.len(), 2, "{members:?}");
    let expected = [
        (anna, "Anna Verdi", anna_email, "planner"),
        (marco, "Marco Bianchi", marco_email, "lead executive"),
    ];
    for (member, (id, name, email, role)) in members.iter().zip(expected) {
        assert_eq!(member["staff_id"], id, "{member}");
        assert_eq!(member["full_name"], name, "{member}");
        assert_eq!(member["email"], email.as_str(), "{member}");
        assert_eq!(member["active"], true, "{member}");
        assert_eq!(member["role_on_account"], role, "{member}");
        assert!(member["created_at"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z')));
    }
}

#[actix_web::test]
async fn a_new_account_has_an_empty_team() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    // The manager is not a team member by being the manager.
    assert_eq!(team(&app, &account).await, Vec::<Value>::new());
}

#[actix_web::test]
async fn assigning_answers_201_first_and_200_when_repeated() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, email) = hire(&app, "account_executive", "Marco Bianchi").await;

    let first = put_member(&app, &account, staff_id, "lead executive").await;
    assert_eq!(first.status, 201, "{}", first.text());
    assert_eq!(
        first.header("location"),
        Some(member_url(&account["id"], staff_id).as_str())
    );
    let member = first.json();
    assert_eq!(member["staff_id"], staff_id);
    assert_eq!(member["email"], email.as_str());
    assert_eq!(member["role_on_account"], "lead executive");

    let again = put_member(&app, &account, staff_id, "lead executive").await;
    assert_eq!(again.status, 200, "{}", again.text());
    assert_eq!(again.json(), member, "nothing changed");
    assert_eq!(team(&app, &account).await.len(), 1);
}

#[actix_web::test]
async fn the_location_of_a_new_team_member_can_be_read() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    let created = put_member(&app, &account, staff_id, "lead").await;
    assert_eq!(created.status, 201, "{}", created.text());
    let location = created.header("location").expect("Location").to_owned();
    // RFC 9110: a 201's Location identifies the resource created, for the caller to read.
    let res = app.get(&location).token(&app.admin_token()).send().await;
    assert_eq!(res.status, 200, "GET {location}: {}", res.text());
    assert_eq!(res.json(), created.json());
}

#[actix_web::test]
async fn repeating_an_assignment_writes_no_second_audit_event() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    for _ in 0..3 {
        assert!(put_member(&app, &account, staff_id, "lead")
            .await
            .status
            .is_success());
    }
    let events = team_trail(&app, &account, staff_id).await;
    assert_eq!(actions(&events), ["account_teams.assign"]);
}

#[actix_web::test]
async fn assigning_with_a_changed_role_is_200_and_one_audit_event() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    put_member(&app, &account, staff_id, "executive").await;
    let res = put_member(&app, &account, staff_id, "lead executive").await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(res.json()["role_on_account"], "lead executive");
    assert_eq!(
        team(&app, &account).await[0]["role_on_account"],
        "lead executive"
    );

    let events = team_trail(&app, &account, staff_id).await;
    assert_eq!(
        actions(&events),
        ["account_teams.assign", "account_teams.assign"]
    );
    assert_eq!(
        events[1]["changes"],
        json!({"role_on_account": {"before": "executive", "after": "lead executive"}})
    );
}

#[actix_web::test]
async fn assigning_trims_the_role_and_refuses_a_blank_or_missing_one() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    let url = member_url(&account["id"], staff_id);
    let put = |body: Value| app.put(&url).token(&app.admin_token()).json(body).send();
    assert_invalid(
        &put(json!({"role_on_account": "  "})).await,
        "role_on_account",
        "blank",
    );
    assert_invalid(&put(json!({})).await, "role_on_account", "required");
    assert_invalid(
        &put(json!({"role_on_account": "r".repeat(101)})).await,
        "role_on_account",
        "length",
    );
    assert_eq!(team(&app, &account).await, Vec::<Value>::new());
    let res = put(json!({"role_on_account": "  lead  "})).await;
    assert_eq!(res.status, 201, "{}", res.text());
    assert_eq!(res.json()["role_on_account"], "lead");
}

#[actix_web::test]
async fn assigning_an_unknown_staff_member_is_422_on_staff_id() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let res = put_member(&app, &account, 999_999, "lead").await;
    assert_invalid(&res, "staff_id", "unknown");
    assert_eq!(team(&app, &account).await, Vec::<Value>::new());
}

#[actix_web::test]
async fn assigning_a_deactivated_staff_member_is_422_on_staff_id() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    deactivate(&app, staff_id).await;
    let res = put_member(&app, &account, staff_id, "lead").await;
    assert_invalid(&res, "staff_id", "inactive");
    assert_eq!(team(&app, &account).await, Vec::<Value>::new());
}

#[actix_web::test]
async fn team_operations_on_an_unknown_account_are_404() {
    let app = TestApp::spawn().await;
    let (staff_id, _) = app.staff("account_executive").await;
    let token = app.admin_token();
    app.get(&format!("{ACCOUNTS}/999999/team"))
        .token(&token)
        .send()
        .await
        .problem(404);
    app.put(&format!("{ACCOUNTS}/999999/team/{staff_id}"))
        .token(&token)
        .json(json!({"role_on_account": "lead"}))
        .send()
        .await
        .problem(404);
    app.delete(&format!("{ACCOUNTS}/999999/team/{staff_id}"))
        .token(&token)
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn unassigning_answers_204_then_404() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    put_member(&app, &account, staff_id, "lead").await;
    let url = member_url(&account["id"], staff_id);

    let res = app.delete(&url).token(&app.admin_token()).send().await;
    assert_eq!(res.status, 204, "{}", res.text());
    assert!(res.body.is_empty());
    assert_eq!(team(&app, &account).await, Vec::<Value>::new());
    app.delete(&url)
        .token(&app.admin_token())
        .send()
        .await
        .problem(404);
}

#[actix_web::test]
async fn unassigning_someone_never_on_the_team_is_404() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    for staff_id in [app.admin_id, 999_999] {
        app.delete(&member_url(&account["id"], staff_id))
            .token(&app.admin_token())
            .send()
            .await
            .problem(404);
    }
}

#[actix_web::test]
async fn a_deactivated_member_stays_on_the_team_and_cannot_act() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, token) = app.staff("account_executive").await;
    put_member(&app, &account, staff_id, "lead").await;
    assert_eq!(get(&app, &token, &account).await.status, 200);

    deactivate(&app, staff_id).await;
    let members = team(&app, &account).await;
    assert_eq!(members.len(), 1, "kept as history: {members:?}");
    assert_eq!(members[0]["staff_id"], staff_id);
    assert_eq!(members[0]["active"], false);
    get(&app, &token, &account).await.problem(401);
    app.get(&team_url(&account["id"]))
        .token(&token)
        .send()
        .await
        .problem(401);
}

#[actix_web::test]
async fn changing_the_role_of_a_deactivated_member_is_422() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    put_member(&app, &account, staff_id, "lead").await;
    deactivate(&app, staff_id).await;
    // The endpoint's contract is that the staff member must be active; a deactivated
    // member is kept on the team as history, not given new work.
    let res = put_member(&app, &account, staff_id, "lead executive").await;
    assert_invalid(&res, "staff_id", "inactive");
    assert_eq!(team(&app, &account).await[0]["role_on_account"], "lead");
}

#[actix_web::test]
async fn a_deactivated_member_can_still_be_taken_off_the_team() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    put_member(&app, &account, staff_id, "lead").await;
    deactivate(&app, staff_id).await;
    let res = app
        .delete(&member_url(&account["id"], staff_id))
        .token(&app.admin_token())
        .send()
        .await;
    assert_eq!(res.status, 204, "{}", res.text());
    assert_eq!(team(&app, &account).await, Vec::<Value>::new());
}

#[actix_web::test]
async fn team_changes_leave_the_accounts_version_alone() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    put_member(&app, &account, staff_id, "lead").await;
    // An ETag held by someone editing the budget must survive a team change.
    let res = app
        .patch(&account_url(&account["id"]))
        .token(&app.admin_token())
        .header("if-match", "\"1\"")
        .json(json!({"budget": eur(10)}))
        .send()
        .await;
    assert_eq!(res.status, 200, "{}", res.text());
}

#[actix_web::test]
async fn concurrent_assignments_of_one_member_add_them_once() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    let url = member_url(&account["id"], staff_id);
    let token = app.admin_token();
    let responses = futures_util::future::join_all((0..6).map(|_| {
        app.put(&url)
            .token(&token)
            .json(json!({"role_on_account": "lead"}))
            .send()
    }))
    .await;
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 201], "{responses:?}");
    let events = team_trail(&app, &account, staff_id).await;
    assert_eq!(actions(&events), ["account_teams.assign"]);
}

#[actix_web::test]
async fn concurrent_unassignments_of_one_member_remove_them_once() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let (staff_id, _) = app.staff("account_executive").await;
    put_member(&app, &account, staff_id, "lead").await;
    let url = member_url(&account["id"], staff_id);
    let token = app.admin_token();
    let responses =
        futures_util::future::join_all((0..6).map(|_| app.delete(&url).token(&token).send())).await;
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [204, 404, 404, 404, 404, 404], "{responses:?}");
    let events = team_trail(&app, &account, staff_id).await;
    assert_eq!(
        actions(&events),
        ["account_teams.assign", "account_teams.unassign"]
    );
}

#[actix_web::test]
async fn concurrent_deletes_of_one_account_delete_it_once() {
    let app = TestApp::spawn().await;
    let client = app.client("Acme").await;
    let account = app.account(&client["id"], "Acme Snacks").await;
    let url = account_url(&account["id"]);
    let token = app.admin_token();
    let responses =
        futures_util::future::join_all((0..6).map(|_| app.delete(&url).token(&token).send())).await;
    let mut statuses: Vec<u16> = responses.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort();
    assert_eq!(statuses, [204, 404, 404, 404, 404, 404], "{responses:?}");
    let events = audit_trail(&app, "accounts", &account["id"].to_string()).await;
    assert_eq!(actions(&events), ["accounts.create", "accounts.delete"]);
}
