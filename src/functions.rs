//! Provider functions: `provider::coreweave::service_account_principal`.

use async_trait::async_trait;
use tf_plugin_server::schema::{Description, FunctionSchema, Parameter, Type};
use tf_plugin_server::{Diagnostics, Function};

use crate::validate::{self, Scheme};

/// Builds `role/<issuer_url>:system:serviceaccount:<namespace>:<service_account>`, the principal
/// AI Object Storage derives from a CKS service account token. Errors carry the argument index.
pub fn service_account_principal(
    issuer_url: &str,
    namespace: &str,
    service_account: &str,
) -> Result<String, (i64, String)> {
    validate::issuer_url(issuer_url, Scheme::HttpsOnly)
        .map_err(|e| (0, format!("issuer_url {e}")))?;
    validate::dns1123_label(namespace).map_err(|e| (1, format!("namespace {e}")))?;
    validate::dns1123_subdomain(service_account)
        .map_err(|e| (2, format!("service_account {e}")))?;
    Ok(format!(
        "role/{issuer_url}:system:serviceaccount:{namespace}:{service_account}"
    ))
}

/// The `service_account_principal` function.
pub struct ServiceAccountPrincipal;

impl ServiceAccountPrincipal {
    /// Function name as Terraform calls it.
    pub const NAME: &'static str = "service_account_principal";

    /// The function's signature and documentation.
    pub fn function_schema() -> FunctionSchema {
        let param = |name: &str, description: &str| Parameter {
            name: name.into(),
            param_type: Type::String,
            allow_null: false,
            allow_unknown: false,
            description: Description::markdown(description),
        };
        FunctionSchema {
            parameters: vec![
                param("issuer_url", "The cluster's OIDC issuer URL, e.g. `data.coreweave_cks_cluster_issuer.this.issuer_url`. Must be `https://`, without a trailing slash."),
                param("namespace", "Kubernetes namespace of the service account (a DNS-1123 label)."),
                param("service_account", "Name of the Kubernetes service account (a DNS-1123 subdomain)."),
            ],
            variadic: None,
            return_type: Type::String,
            summary: "Builds the AI Object Storage principal of a CKS service account".into(),
            description: Description::markdown(
                "Returns `role/<issuer_url>:system:serviceaccount:<namespace>:<service_account>`, the principal that \
                 AI Object Storage derives from the `iss` and `sub` claims of a CKS service account token, for use in \
                 `coreweave_object_storage_org_policy` statements. Each argument is validated, so a typo fails at plan \
                 time instead of producing a policy that never matches.",
            ),
            deprecated: None,
        }
    }
}

#[async_trait]
impl Function for ServiceAccountPrincipal {
    type Input = (String, String, String);
    type Output = String;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<FunctionSchema> {
        Some(Self::function_schema())
    }

    async fn call(&self, diags: &mut Diagnostics, params: Self::Input) -> Option<Self::Output> {
        let (issuer_url, namespace, service_account) = params;
        match service_account_principal(&issuer_url, &namespace, &service_account) {
            Ok(principal) => Some(principal),
            Err((index, message)) => {
                diags.function_error(index, message);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_the_documented_principal() {
        assert_eq!(
            service_account_principal("https://oidc.cks.coreweave.com/id/abc", "default", "my-sa")
                .unwrap(),
            "role/https://oidc.cks.coreweave.com/id/abc:system:serviceaccount:default:my-sa"
        );
    }

    #[test]
    fn each_bad_argument_is_reported_with_its_index() {
        let issuer = "https://oidc.cks.coreweave.com/id/abc";
        assert_eq!(
            service_account_principal("http://x.example.com", "default", "sa")
                .unwrap_err()
                .0,
            0
        );
        assert_eq!(
            service_account_principal(&format!("{issuer}/"), "default", "sa")
                .unwrap_err()
                .0,
            0
        );
        assert_eq!(
            service_account_principal(issuer, "Default", "sa")
                .unwrap_err()
                .0,
            1
        );
        assert_eq!(
            service_account_principal(issuer, "", "sa").unwrap_err().0,
            1
        );
        let (index, message) = service_account_principal(issuer, "default", "my_sa").unwrap_err();
        assert_eq!(index, 2);
        assert!(
            message.starts_with("service_account must be a DNS-1123 subdomain"),
            "{message}"
        );
    }
}
