//! Property tests: validators and parsers never panic, and what they accept keeps its promises.
//!
//! Generators build only inputs the property holds for (no `prop_assume!` filtering), and a
//! failure is reported, never persisted: no `proptest-regressions/` appears in the source tree.

use proptest::prelude::*;

use crate::functions::service_account_principal;
use crate::object_storage::policy::{check_principal, classify_action, ActionKind};
use crate::timeouts::parse_duration;
use crate::validate::{self, Scheme};

/// A DNS label: letters and digits, single hyphens only between them, so never an IDNA
/// `xn--` (punycode) label.
const LABEL: &str = "[a-z]([a-z0-9]|-[a-z0-9]){0,10}";

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn accepted_issuers_are_https_without_trailing_slash(s in "\\PC{0,80}") {
        if validate::issuer_url(&s, Scheme::HttpsOnly).is_ok() {
            prop_assert!(s.starts_with("https://"));
            prop_assert!(!s.ends_with('/'));
            prop_assert!(!s.contains('?') && !s.contains('#'));
        }
    }

    #[test]
    fn issuer_urls_built_from_hosts_and_paths_are_accepted(
        label in LABEL,
        domain in "(\\.[a-z]{2,5}){1,2}",
        path in "(/[a-zA-Z0-9_-][a-zA-Z0-9_.-]{0,9}){0,3}",
    ) {
        let url = format!("https://{label}{domain}{path}");
        prop_assert_eq!(validate::issuer_url(&url, Scheme::HttpsOnly), Ok(()));
    }

    #[test]
    fn principal_checks_never_panic(s in "\\PC{0,120}") {
        let _ = check_principal(&s);
        let _ = classify_action(&s);
    }

    #[test]
    fn built_principals_pass_the_policy_principal_check(
        cluster in "[a-f0-9]{8}-[a-f0-9]{4}",
        namespace in "[a-z]([a-z0-9-]{0,20}[a-z0-9])?",
        sa in "[a-z]([a-z0-9-]{0,20}[a-z0-9])?(\\.[a-z0-9]{1,5})?",
    ) {
        let issuer = format!("https://oidc.cks.coreweave.com/id/{cluster}");
        let principal = service_account_principal(&issuer, &namespace, &sa).unwrap();
        prop_assert_eq!(check_principal(&principal), Ok(()));
    }

    #[test]
    fn wildcard_actions_are_never_unknown(service in "s3|cwobject", name in "[A-Za-z]{0,10}\\*[A-Za-z*]{0,5}") {
        let kind = classify_action(&format!("{service}:{name}"));
        prop_assert!(!matches!(kind, ActionKind::Unknown(_)), "{:?}", kind);
    }

    #[test]
    fn durations_never_panic_and_are_positive(s in "\\PC{0,20}") {
        if let Ok(d) = parse_duration(&s) {
            prop_assert!(!d.is_zero());
        }
    }

    #[test]
    fn pem_check_never_panics(s in "\\PC{0,200}") {
        let _ = validate::base64_pem_certificates(&s);
    }
}
