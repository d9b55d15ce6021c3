//! Staff: matched by `id` or `email`; each line held to the rules of `POST /staff` and
//! `PATCH /staff/{id}`, nobody giving or taking beyond their own grants.

use super::*;

#[actix_web::test]
async fn staff_are_created_and_updated_by_email() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    let body = format!(
        "email,full_name,role,password\n\
         Anna@Agency.test,Anna Neri,account_executive,{STAFF_PASSWORD}\n"
    );
    assert_eq!(
        counts(&import(&app, &admin, "staff", CSV, &body).await),
        (1, 0, 0)
    );
    let body = "email,full_name,role,active\n\
                anna@agency.test,Anna Neri,account_manager,false\n\
                admin@suits.test,,,\n";
    assert_eq!(
        counts(&import(&app, &admin, "staff", CSV, body).await),
        (0, 1, 1)
    );
    let res = app.get("/api/v1/staff?q=anna").token(&admin).send().await;
    let anna = &res.json()["data"][0];
    assert_eq!(anna["role"], "account_manager");
    assert_eq!(anna["active"], false);
    let trail = audit_trail(&app, "staff", &anna["id"].to_string()).await;
    let actions: Vec<&str> = trail
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["staff.create", "staff.update"]);
}

#[actix_web::test]
async fn a_new_staff_member_needs_a_password_and_an_existing_one_keeps_theirs() {
    let app = TestApp::spawn().await;
    let body = format!(
        "email,full_name,role,password\n\
         new@agency.test,New Hire,account_coordinator,\n\
         admin@suits.test,Admin,admin,{STAFF_PASSWORD}\n"
    );
    let res = import(&app, &app.admin_token(), "staff", CSV, &body).await;
    assert_eq!(
        line_errors(&res),
        [
            (2, "password".to_owned(), "type".to_owned()),
            (3, "password".to_owned(), "invalid".to_owned()),
        ]
    );
}

#[actix_web::test]
async fn nobody_gives_or_takes_a_role_beyond_their_own_by_importing() {
    let app = TestApp::spawn().await;
    let (director, token) = app.staff("account_director").await;
    let (_, _) = app.staff("account_coordinator").await;
    let admin_email = ADMIN_EMAIL;
    let own_email = app.email_of(director).await;
    let body = format!(
        "email,full_name,role,password\n\
         ok@agency.test,Fine,account_executive,{STAFF_PASSWORD}\n\
         boss@agency.test,Too High,admin,{STAFF_PASSWORD}\n\
         {admin_email},Admin,account_coordinator,\n\
         {own_email},Me,account_manager,\n"
    );
    let res = import(&app, &token, "staff", CSV, &body).await;
    assert_eq!(
        line_errors(&res),
        [
            (3, String::new(), "forbidden".to_owned()),
            (4, String::new(), "forbidden".to_owned()),
            (5, String::new(), "forbidden".to_owned()),
        ]
    );
    let res = app
        .get("/api/v1/staff?q=ok%40agency")
        .token(&app.admin_token())
        .send()
        .await;
    assert!(
        res.json()["data"].as_array().unwrap().is_empty(),
        "nothing written"
    );
}

#[actix_web::test]
async fn a_staff_export_imported_again_is_unchanged() {
    let app = TestApp::spawn().await;
    app.staff("account_executive").await;
    app.staff("account_manager").await;
    let res = app
        .get("/api/v1/staff")
        .token(&app.admin_token())
        .header("accept", "text/csv")
        .send()
        .await;
    let res = import(&app, &app.admin_token(), "staff", CSV, &res.text()).await;
    assert_eq!(counts(&res), (0, 0, 3));
}
