//! Every operation refuses a query parameter it does not take, with a 400 naming it —
//! those that take none as much as the lists — and only after a missing token's 401.

use super::*;
use crate::recipes::Requirement;

#[actix_web::test]
async fn every_operation_refuses_a_query_parameter_it_does_not_take_naming_it() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let token = app.admin_token();
    let ops = having(|_| true, 37, "in the document");
    for op in &ops {
        let call = fresh_call(&app, &cast, op).await;
        let separator = if call.path.contains('?') { '&' } else { '?' };
        let odd = Call {
            path: format!("{}{separator}unexpected=1", call.path),
            ..call
        };
        let public = op.requirement == Requirement::Public;
        let req = odd.request(&app);
        let res = if public { req } else { req.token(&token) }.send().await;
        let problem = res.problem(400);
        let e = error(&problem, "unexpected");
        assert_eq!(e["code"], "unknown_parameter", "{}: {problem}", op.id);
        if !public {
            odd.request(&app).send().await.problem(401);
        }
    }
}
