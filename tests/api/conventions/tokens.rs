//! Every operation but the public ones needs a token: without one, or with one that is
//! not ours, a 401 problem with a `WWW-Authenticate` challenge, before anything else.

use super::*;

#[actix_web::test]
async fn every_operation_but_the_public_ones_needs_a_token() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let mut checked = 0;
    for op in spec_operations() {
        let call = fresh_call(&app, &cast, &op).await;
        if op.permission == "public" {
            let res = call.request(&app).send().await;
            assert_eq!(res.status, success(&op), "{}: {}", op.id, res.text());
            continue;
        }
        let forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl";
        for (what, token) in [
            ("no token", None),
            ("not a JWT", Some("not-a-jwt")),
            ("a forged JWT", Some(forged)),
        ] {
            let req = call.request(&app);
            let res = match token {
                Some(token) => req.token(token),
                None => req,
            }
            .send()
            .await;
            assert_eq!(res.status, 401, "{} with {what}: {}", op.id, res.text());
            res.problem(401);
            let challenge = res.header("www-authenticate").unwrap_or_default();
            assert!(
                challenge.starts_with("Bearer"),
                "{} with {what}: {challenge:?}",
                op.id
            );
            checked += 1;
        }
    }
    eprintln!("{}: {checked} cases", module_path!());
    assert!(checked >= 25 * 3, "only {checked} cases");
}
