use proptest::prelude::*;

use super::*;
use crate::object_storage::bucket_policy::document::{Document, Effect, Principal};

/// Short strings with the characters Go escapes and JSON must escape among them.
const TEXT: &str = "[a-z0-9:/*?<>&\"\\\\\u{2028}é ]{1,12}";

fn statement() -> impl Strategy<Value = StatementInput> {
    let strings = || proptest::collection::vec(TEXT, 0..4);
    (
        proptest::option::of(TEXT),
        any::<bool>(),
        strings(),
        strings(),
        proptest::collection::btree_map("CW|AWS", proptest::collection::vec(TEXT, 0..3), 0..3),
        proptest::collection::btree_map(
            "StringEquals|StringLike",
            proptest::collection::btree_map(TEXT, TEXT, 1..3),
            0..3,
        ),
    )
        .prop_map(
            |(sid, deny, action, resource, principal, condition)| StatementInput {
                sid: sid.unwrap_or_default(),
                effect: if deny { "Deny" } else { "Allow" }.into(),
                action,
                resource,
                principal,
                condition,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Whatever the inputs, the rendered text reads back as the same statements: the string and
    /// list forms, the escapes and the left-out parts all mean what the inputs said.
    #[test]
    fn rendered_documents_read_back_as_their_inputs(
        id in proptest::option::of(TEXT),
        statements in proptest::collection::vec(statement(), 1..4),
    ) {
        let input = DocumentInput {
            version: DEFAULT_VERSION.into(),
            id: id.unwrap_or_default(),
            statements,
        };
        let text = render(&input);
        prop_assert!(!text.contains(['<', '>', '&', '\u{2028}']), "{}", text);
        let document = Document::parse(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(document.id.unwrap_or_default(), input.id.clone());
        prop_assert_eq!(document.statements.len(), input.statements.len());
        for (read, given) in document.statements.iter().zip(&input.statements) {
            prop_assert_eq!(read.sid.clone().unwrap_or_default(), given.sid.clone());
            prop_assert_eq!(read.effect == Effect::Deny, given.effect == "Deny");
            prop_assert_eq!(&read.action.items, &given.action);
            prop_assert_eq!(&read.resource.items, &given.resource);
            let Some(Principal::Named(kinds)) = &read.principal else {
                return Err(TestCaseError::fail("the principal is always a map"));
            };
            let kinds: BTreeMap<String, Vec<String>> =
                kinds.iter().map(|(k, v)| (k.clone(), v.items.clone())).collect();
            prop_assert_eq!(&kinds, &given.principal);
            let conditions: BTreeMap<String, BTreeMap<String, String>> =
                read.condition.iter().fold(BTreeMap::new(), |mut all, c| {
                    all.entry(c.operator.name().to_string())
                        .or_default()
                        .insert(c.key.clone(), c.values.items.concat());
                    all
                });
            prop_assert_eq!(&conditions, &given.condition);
        }
    }
}
