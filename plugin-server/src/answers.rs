//! What the server's answers share: type lookups, the error for silent failures, capabilities,
//! and the `Unimplemented` answer of RPCs never announced.

use std::collections::HashMap;

use crate::codec::decoded;
use crate::diagnostics::Diagnostics;
use crate::identity;
use crate::proto;
use crate::resource::ImportBy;

pub(crate) fn prefixed<V>(name: &str, map: HashMap<String, V>) -> HashMap<String, V> {
    map.into_iter()
        .map(|(k, v)| (format!("{name}_{k}"), v))
        .collect()
}

/// Looks a type up by name, or reports that it does not exist.
pub(crate) fn lookup<'a, T: ?Sized>(
    diags: &mut Diagnostics,
    map: &'a HashMap<String, Box<T>>,
    kind: &str,
    name: &str,
) -> Option<&'a T> {
    let found = map.get(name).map(Box::as_ref);
    if found.is_none() {
        diags.root_error(
            format!("Unknown {kind}"),
            format!("This provider has no {kind} {name:?}."),
        );
    }
    found
}

/// A failed operation that said nothing gets one error, so Terraform never takes silence for
/// success.
pub(crate) fn said_why<T>(diags: &mut Diagnostics, result: Option<T>) -> Option<T> {
    if result.is_none() && !diags.has_errors() {
        diags.root_error_short("Internal error: the operation failed without a diagnostic");
    }
    result
}

pub(crate) fn timestamp(at: time::OffsetDateTime) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: at.unix_timestamp(),
        nanos: at.nanosecond() as i32,
    }
}

/// What an import names: the identity when Terraform sent one, the import ID otherwise.
pub(crate) fn import_by(
    diags: &mut Diagnostics,
    request: &proto::import_resource_state::Request,
) -> Option<ImportBy> {
    Some(
        match decoded(diags, identity::from_data(request.identity.as_ref()))? {
            Some(identity) => ImportBy::Identity(identity),
            None => ImportBy::Id(request.id.clone()),
        },
    )
}

pub(crate) fn capabilities() -> proto::ServerCapabilities {
    proto::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: false,
        move_resource_state: false,
        generate_resource_config: false,
    }
}

/// RPCs of features this provider never announces (so Terraform never calls them), written as
/// `async_trait` writes its methods, since the attribute cannot see inside a macro.
macro_rules! unimplemented_rpcs {
    ($($method:ident($module:ident) -> $answer:ty;)*) => {
        $(
            fn $method<'life0, 'async_trait>(
                &'life0 self,
                _: Request<proto::$module::Request>,
            ) -> Pin<Box<dyn std::future::Future<Output = Answer<$answer>> + Send + 'async_trait>>
            where
                'life0: 'async_trait,
                Self: 'async_trait,
            {
                Box::pin(async {
                    Err(Status::unimplemented(concat!(stringify!($method), " is not served by this provider")))
                })
            }
        )*
    };
}

pub(crate) use unimplemented_rpcs;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(identity: Option<serde_json::Value>) -> proto::import_resource_state::Request {
        proto::import_resource_state::Request {
            type_name: "x_thing".into(),
            id: "by-id".into(),
            identity: identity.map(|tree| proto::ResourceIdentityData {
                identity_data: Some(crate::codec::dynamic_from_tree(&tree)),
            }),
            ..Default::default()
        }
    }

    #[test]
    fn an_import_names_the_identity_when_terraform_sent_one_and_the_id_otherwise() {
        let mut diags = Diagnostics::default();
        match import_by(&mut diags, &request(Some(json!({"name": "n"})))) {
            Some(ImportBy::Identity(identity)) => assert_eq!(identity["name"], "n"),
            _ => panic!("an identity import"),
        }
        match import_by(&mut diags, &request(None)) {
            Some(ImportBy::Id(id)) => assert_eq!(id, "by-id"),
            _ => panic!("an ID import"),
        }
        match import_by(&mut diags, &request(Some(serde_json::Value::Null))) {
            Some(ImportBy::Id(id)) => assert_eq!(id, "by-id"),
            _ => panic!("a null identity is no identity"),
        }
        assert!(!diags.has_errors());
    }
}
