use proptest::prelude::*;

use super::*;

#[test]
fn same_meaning_ignores_order_shape_duplicates_and_whitespace() {
    let a = r#"{"Version":"2012-10-17","Statement":[
        {"Sid":"Read","Effect":"Allow","Principal":{"CW":["*"]},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::m","arn:aws:s3:::m/*"]},
        {"Sid":"Deny","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::m/*",
         "Condition":{"StringNotEquals":{"cw:PrincipalOrgID":["o1"]}}}]}"#;
    let b = r#"{"Statement":[{"Resource":"arn:aws:s3:::m/*","Action":["s3:DeleteObject","s3:DeleteObject"],
        "Principal":{"AWS":"*"},"Effect":"Deny","Sid":"Deny","Condition":{"StringNotEquals":{"cw:PrincipalOrgID":"o1"}}},
        {"Sid":"Read","Effect":"Allow","Principal":{"AWS":["*"],"CW":"arn:aws:iam::o1:coreweave/u"},
         "Action":["s3:ListBucket","s3:GetObject"],"Resource":["arn:aws:s3:::m/*","arn:aws:s3:::m"]}],
        "Version":"2012-10-17"}"#;
    assert!(same_meaning(a, b));
    assert!(same_meaning(b, a));
}

#[test]
fn same_meaning_sees_every_real_change() {
    let base = r#"{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"CW":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::m/*"}]}"#;
    let changed = [
        base.replace("\"Sid\":\"A\"", "\"Sid\":\"B\""),
        base.replace("Allow", "Deny"),
        base.replace("s3:GetObject", "s3:PutObject"),
        base.replace("m/*", "m/data/*"),
        base.replace("{\"CW\":\"*\"}", "{\"CW\":\"arn:aws:iam::o:coreweave/u\"}"),
        base.replace("2012-10-17", "2008-10-17"),
        base.replace(
            "\"Resource\"",
            "\"Condition\":{\"StringEquals\":{\"s3:prefix\":\"a\"}},\"Resource\"",
        ),
    ];
    for other in &changed {
        assert!(!same_meaning(base, other), "{other}");
    }
}

#[test]
fn unparseable_documents_compare_by_text() {
    assert!(same_meaning("{not json", "{not json"));
    assert!(!same_meaning("{not json", "{not  json"));
    let valid = r#"{"Statement":{"Effect":"Allow"}}"#;
    assert!(!same_meaning(valid, "{not json"));
    let bad_effect = r#"{"Statement":{"Effect":"allow"}}"#;
    assert!(!same_meaning(
        bad_effect,
        r#"{ "Statement":{"Effect":"allow"}}"#
    ));
}

/// What a statement means, before it is written in one of its many shapes.
#[derive(Debug, Clone)]
struct Meaning {
    sid: Option<&'static str>,
    deny: bool,
    actions: Vec<&'static str>,
    resources: Vec<&'static str>,
    /// `None`: everyone.
    principals: Option<Vec<&'static str>>,
    condition: Option<(&'static str, &'static str, Vec<&'static str>)>,
}

fn subset(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<&'static str>> {
    proptest::sample::subsequence(pool, 1..=pool.len())
}

fn meaning() -> impl Strategy<Value = Meaning> {
    let principals = prop_oneof![
        Just(None),
        subset(&[
            "arn:aws:iam::o1:coreweave/u1",
            "arn:aws:iam::o1:saml/admins",
            "arn:aws:iam::o1:role/https://oidc.example/id/c:*",
        ])
        .prop_map(Some),
    ];
    let condition = proptest::option::of((
        proptest::sample::select(&["StringEquals", "StringNotLike"][..]),
        proptest::sample::select(&["cw:PrincipalOrgID", "s3:prefix"][..]),
        subset(&["o1", "data/*", "logs/"]),
    ));
    (
        proptest::option::of(proptest::sample::select(&["A", "B", "Read"][..])),
        any::<bool>(),
        subset(&["s3:GetObject", "s3:PutObject", "s3:List*"]),
        subset(&[
            "arn:aws:s3:::m",
            "arn:aws:s3:::m/*",
            "arn:aws:s3:::m/data/??.bin",
        ]),
        principals,
        condition,
    )
        .prop_map(
            |(sid, deny, actions, resources, principals, condition)| Meaning {
                sid,
                deny,
                actions,
                resources,
                principals,
                condition,
            },
        )
}

/// Choices of shape: statement and key order, string or list, duplicates, whitespace.
struct Shape(u64);

impl Shape {
    fn next(&mut self) -> u64 {
        // xorshift64: any fixed sequence will do, the seed comes from proptest.
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn coin(&mut self) -> bool {
        self.next().is_multiple_of(2)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }

    fn space(&mut self) -> &'static str {
        [" ", "", "\n  ", "\t"][(self.next() % 4) as usize]
    }

    fn object(&mut self, mut entries: Vec<(&str, String)>) -> String {
        self.shuffle(&mut entries);
        let body: Vec<String> = entries
            .into_iter()
            .map(|(k, v)| format!("{}{k:?}{}:{v}", self.space(), self.space()))
            .collect();
        format!("{{{}{}}}", body.join(","), self.space())
    }

    fn values(&mut self, items: &[&str]) -> String {
        if items.len() == 1 && self.coin() {
            return format!("{:?}", items[0]);
        }
        let mut items: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
        if self.coin() {
            items.push(items[0].clone());
        }
        self.shuffle(&mut items);
        format!("[{}]", items.join(&format!(",{}", self.space())))
    }

    fn principal(&mut self, principals: &Option<Vec<&str>>) -> String {
        match principals {
            None => match self.next() % 4 {
                0 => "\"*\"".into(),
                1 => "{\"CW\":\"*\"}".into(),
                2 => "{\"AWS\":[\"*\"]}".into(),
                _ => "{\"CW\":[\"*\"],\"AWS\":\"arn:aws:iam::o1:coreweave/u1\"}".into(),
            },
            Some(list) => {
                let kind = if self.coin() { "CW" } else { "AWS" };
                let values = self.values(list);
                self.object(vec![(kind, values)])
            }
        }
    }

    fn statement(&mut self, m: &Meaning) -> String {
        let mut entries = vec![
            (
                "Effect",
                format!("{:?}", if m.deny { "Deny" } else { "Allow" }),
            ),
            ("Principal", self.principal(&m.principals)),
            ("Action", self.values(&m.actions)),
            ("Resource", self.values(&m.resources)),
        ];
        if let Some(sid) = m.sid {
            entries.push(("Sid", format!("{sid:?}")));
        }
        if let Some((op, key, values)) = &m.condition {
            let values = self.values(values);
            let keys = self.object(vec![(key, values)]);
            entries.push(("Condition", self.object(vec![(op, keys)])));
        }
        self.object(entries)
    }

    fn document(&mut self, meanings: &[Meaning]) -> String {
        let mut statements: Vec<String> = meanings.iter().map(|m| self.statement(m)).collect();
        self.shuffle(&mut statements);
        let statements = if statements.len() == 1 && self.coin() {
            statements.remove(0)
        } else {
            format!("[{}]", statements.join(","))
        };
        self.object(vec![
            ("Version", "\"2012-10-17\"".into()),
            ("Statement", statements),
        ])
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_reordering_or_reshaping_means_the_same(
        meanings in proptest::collection::vec(meaning(), 1..4),
        first in 1..u64::MAX,
        second in 1..u64::MAX,
    ) {
        let a = Shape(first).document(&meanings);
        let b = Shape(second).document(&meanings);
        prop_assert!(Document::parse(&a).is_ok(), "{}", a);
        prop_assert!(same_meaning(&a, &b), "{} vs {}", a, b);
    }

    #[test]
    fn parsing_and_checking_never_panic(text in "\\PC{0,200}") {
        let _ = same_meaning(&text, &text);
        let _ = crate::object_storage::bucket_policy::check_document(&text, Some("m"));
    }
}
