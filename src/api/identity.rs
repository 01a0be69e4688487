//! Who the API token belongs to: `GET /v1beta1/auth/whoami` → `{"principal":{"uid","orgUid"}}`.

use reqwest::Method;
use serde::Deserialize;

use super::{ApiClient, ApiError};

/// The principal (user or service account) the client authenticates as.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Principal {
    /// Id of the principal.
    #[serde(default)]
    pub uid: String,
    /// Id of the organization the principal belongs to.
    #[serde(default)]
    pub org_uid: String,
}

#[derive(Deserialize)]
struct WhoAmI {
    principal: Principal,
}

impl ApiClient {
    /// `GET /v1beta1/auth/whoami`: the principal behind the client's credentials.
    pub async fn whoami(&self) -> Result<Principal, ApiError> {
        let call = self.rest_call(Method::GET, &["v1beta1", "auth", "whoami"]);
        let principal = self.execute::<WhoAmI>(&call).await?.principal;
        if principal.uid.is_empty() || principal.org_uid.is_empty() {
            return Err(ApiError::Unexpected {
                http_status: 200,
                body: "the answer names no principal uid or organization".into(),
                path: call.path().to_string(),
            });
        }
        Ok(principal)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::test_server::{Reply, TestServer, TOKEN};
    use super::*;

    #[tokio::test]
    async fn whoami_reads_the_principal_with_the_bearer_token() {
        let server = TestServer::start().await;
        server.push(Reply::json(
            200,
            json!({"principal": {"uid": "u-1", "orgUid": "org-1", "name": "ignored"}}),
        ));
        let principal = server.client(0).whoami().await.unwrap();
        assert_eq!(
            principal,
            Principal {
                uid: "u-1".into(),
                org_uid: "org-1".into()
            }
        );
        let request = &server.requests()[0];
        assert_eq!(request.method, "GET");
        assert_eq!(request.path, "/v1beta1/auth/whoami");
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {TOKEN}").as_str())
        );
    }

    #[tokio::test]
    async fn an_answer_without_a_principal_is_an_error() {
        let server = TestServer::start().await;
        server.push(Reply::json(200, json!({"principal": {"uid": "u-1"}})));
        server.push(Reply::json(200, json!({})));
        let client = server.client(0);
        for _ in 0..2 {
            let error = client.whoami().await.unwrap_err();
            assert!(
                matches!(
                    error,
                    ApiError::Unexpected { .. } | ApiError::Malformed { .. }
                ),
                "{error:?}"
            );
        }
    }
}
