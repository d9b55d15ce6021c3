//! Briefs and approvals brought to a given state through the API, for the recipes and the
//! approval tests: each step asserts its success, so a broken step names itself.

use serde_json::{json, Value};

use crate::helpers::*;

/// Stages with one client stage: open at once, decided by recording the client's word.
pub fn client_only() -> Value {
    json!([{"name": "Client sign-off", "kind": "client"}])
}

impl TestApp {
    /// `POST` as the holder of `token`, expecting `status`; the answer's JSON.
    pub async fn expect_post(
        &self,
        token: &str,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let req = self.post(path).token(token);
        let res = match body {
            Some(body) => req.json(body),
            None => req,
        }
        .send()
        .await;
        assert_eq!(res.status, status, "POST {path}: {}", res.text());
        res.json()
    }

    /// A draft brief on the account, written by the holder of `token`.
    pub async fn brief_by(&self, token: &str, account_id: i64, title: &str) -> Value {
        let body = json!({"account_id": account_id, "title": title, "key_message": "First"});
        self.expect_post(token, "/api/v1/briefs", Some(body), 201)
            .await
    }

    /// Submits brief `id` as the holder of `token`, with `body` (the approval's stages…).
    pub async fn submit(&self, token: &str, id: i64, body: Option<Value>) -> Value {
        self.expect_post(token, &format!("/api/v1/briefs/{id}/submit"), body, 200)
            .await
    }

    /// Approves the open internal stage of approval `id` as the holder of `token`.
    pub async fn approve(&self, token: &str, id: i64, version: i64) -> Value {
        let body = json!({"decision": "approved", "subject_version": version});
        let path = format!("/api/v1/approvals/{id}/decisions");
        self.expect_post(token, &path, Some(body), 200).await
    }

    /// Records the client's approval on the open client stage of approval `id`.
    pub async fn client_approves(&self, token: &str, id: i64, version: i64) -> Value {
        let body = json!({
            "decision": "approved", "subject_version": version,
            "client_person": {"name": "Giulia Bianchi"}
        });
        let path = format!("/api/v1/approvals/{id}/client-decisions");
        self.expect_post(token, &path, Some(body), 200).await
    }

    /// A brief written and submitted by the holder of `requester` (stages: the policy's,
    /// an internal stage then a client stage); the brief as submitted.
    pub async fn submitted_brief(&self, requester: &str, account_id: i64, title: &str) -> Value {
        let brief = self.brief_by(requester, account_id, title).await;
        self.submit(requester, brief["id"].as_i64().unwrap(), None)
            .await
    }

    /// A brief as `submitted_brief`, approved through both stages by the admin.
    pub async fn approved_brief(&self, requester: &str, account_id: i64, title: &str) -> Value {
        let brief = self.submitted_brief(requester, account_id, title).await;
        let approval = brief["approval_id"].as_i64().unwrap();
        let admin = self.admin_token();
        self.approve(&admin, approval, 1).await;
        self.client_approves(&admin, approval, 1).await;
        brief
    }

    /// A brief as `approved_brief`, in production.
    pub async fn brief_in_production(
        &self,
        requester: &str,
        account_id: i64,
        title: &str,
    ) -> Value {
        let brief = self.approved_brief(requester, account_id, title).await;
        let path = format!("/api/v1/briefs/{}/start-production", brief["id"]);
        self.expect_post(requester, &path, None, 200).await
    }

    /// A new creative round on a brief in production, added by the holder of `token`.
    pub async fn round(&self, token: &str, brief_id: i64) -> Value {
        let body = json!({
            "summary": "Key visual and TV script",
            "assets": [{"url": "https://files.example.com/kv.png", "label": "Key visual"}]
        });
        let path = format!("/api/v1/briefs/{brief_id}/rounds");
        self.expect_post(token, &path, Some(body), 201).await
    }

    /// Asks for the approval of creative round `id`, with `stages` (or the policy's).
    pub async fn round_approval(&self, token: &str, id: i64, stages: Option<Value>) -> Value {
        let mut body = json!({"subject_type": "creative_round", "subject_id": id});
        if let Some(stages) = stages {
            body["stages"] = stages;
        }
        self.expect_post(token, "/api/v1/approvals", Some(body), 201)
            .await
    }

    /// A brief in production whose latest round the client accepted: ready to deliver.
    pub async fn deliverable_brief(&self, requester: &str, account_id: i64, title: &str) -> Value {
        let brief = self.brief_in_production(requester, account_id, title).await;
        let round = self.round(requester, brief["id"].as_i64().unwrap()).await;
        let approval = self
            .round_approval(
                requester,
                round["id"].as_i64().unwrap(),
                Some(client_only()),
            )
            .await;
        self.client_approves(requester, approval["id"].as_i64().unwrap(), 1)
            .await;
        brief
    }
}
