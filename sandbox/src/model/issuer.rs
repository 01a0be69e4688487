//! Cluster issuer URLs: where CKS serves a cluster's service-account issuer, and the cluster a
//! URL names.

/// Where CKS serves cluster issuers, and what the provider computes issuer URLs from by default.
pub const CKS_ISSUER_BASE_URL: &str = "https://oidc.cks.coreweave.com";

/// The cluster id of a cluster issuer URL `<base>/id/<cluster id>`, where `<base>` is CKS's
/// issuer base (what tokens carry by default) or this sandbox's `base_url` (what its discovery
/// documents declare). Both name the same cluster key.
pub fn cluster_of_issuer<'a>(base_url: &str, issuer: &'a str) -> Option<&'a str> {
    [CKS_ISSUER_BASE_URL, base_url]
        .iter()
        .find_map(|base| issuer.strip_prefix(base)?.strip_prefix("/id/"))
        .filter(|id| !id.is_empty() && !id.contains('/'))
}

/// The issuer URL of a cluster as this sandbox serves it.
pub fn issuer_url(base_url: &str, cluster_id: &str) -> String {
    format!("{base_url}/id/{cluster_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_ids_come_back_from_issuer_urls() {
        let base = "http://127.0.0.1:1";
        assert_eq!(cluster_of_issuer(base, &issuer_url(base, "c1")), Some("c1"));
        let cks = issuer_url(CKS_ISSUER_BASE_URL, "c2");
        assert_eq!(cluster_of_issuer(base, &cks), Some("c2"));
        assert_eq!(cluster_of_issuer(base, "http://127.0.0.1:1/id/"), None);
        assert_eq!(cluster_of_issuer(base, "http://127.0.0.1:1/id/c1/x"), None);
        assert_eq!(cluster_of_issuer(base, "https://elsewhere/id/c1"), None);
    }
}
