//! List resources (protocol 6.10, Terraform >= 1.14): `list` blocks of `*.tfquery.hcl` files,
//! which `terraform query` runs to find the remote objects of a managed resource type, each
//! with its identity and, when asked, its whole state (what `-generate-config-out` writes
//! configuration from).

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::codec;
use crate::codec::decoded;
use crate::diagnostics::Diagnostics;
use crate::identity::{self, Identity};
use crate::proto::{self, DynamicValue};
use crate::schema::Schema;

/// One remote object a list found.
pub struct Listed<S> {
    /// Its identity (as the managed resource type of the same name has it).
    pub identity: Identity,
    /// A name for people.
    pub display_name: String,
    /// Its state as the managed resource would read it.
    pub state: S,
}

/// A list resource. It has the type name of the managed resource whose objects it finds.
#[async_trait]
pub trait ListResource: Send + Sync {
    /// The `config` block's values, as in its schema.
    type Config: DeserializeOwned + Send;
    /// The state of the managed resource type.
    type State: Serialize + Send;

    /// The `config` block's schema.
    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema>;

    /// Checks a configuration (values may be unknown) without calling any API.
    async fn validate(&self, diags: &mut Diagnostics, config: Self::Config) -> Option<()> {
        let _ = (diags, config);
        Some(())
    }

    /// Every remote object the configuration selects.
    async fn list(
        &self,
        diags: &mut Diagnostics,
        config: Self::Config,
    ) -> Option<Vec<Listed<Self::State>>>;
}

/// What Terraform asks a list for.
pub struct ListRequest<'a> {
    /// The `config` block.
    pub config: Option<&'a DynamicValue>,
    /// Whether each result carries the object's state.
    pub include_resource: bool,
    /// At most this many results (none when 0 or less).
    pub limit: i64,
}

/// A list resource behind encoded values, as the server calls it.
#[async_trait]
pub trait DynamicListResource: Send + Sync {
    /// See [`ListResource::schema`].
    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema>;
    /// See [`ListResource::validate`].
    async fn validate(&self, diags: &mut Diagnostics, config: Option<&DynamicValue>);
    /// The list's events; with errors, one event carrying them (after the results found).
    async fn list(&self, request: ListRequest<'_>) -> Vec<proto::list_resource::Event>;
}

fn event<S: Serialize>(
    diags: &mut Diagnostics,
    listed: Listed<S>,
    include_resource: bool,
) -> Option<proto::list_resource::Event> {
    let resource_object = if include_resource {
        Some(decoded(diags, codec::encode(&listed.state))?)
    } else {
        None
    };
    Some(proto::list_resource::Event {
        identity: Some(decoded(diags, identity::to_data(&listed.identity))?),
        display_name: listed.display_name,
        resource_object,
        diagnostic: Vec::new(),
    })
}

#[async_trait]
impl<L: ListResource> DynamicListResource for L {
    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema> {
        ListResource::schema(self, diags)
    }

    async fn validate(&self, diags: &mut Diagnostics, config: Option<&DynamicValue>) {
        if let Some(config) = decoded(diags, codec::decode(config)) {
            ListResource::validate(self, diags, config).await;
        }
    }

    async fn list(&self, request: ListRequest<'_>) -> Vec<proto::list_resource::Event> {
        let mut diags = Diagnostics::default();
        let limit = usize::try_from(request.limit)
            .ok()
            .filter(|l| *l > 0)
            .unwrap_or(usize::MAX);
        let mut events = Vec::new();
        if let Some(config) = decoded(&mut diags, codec::decode(request.config)) {
            let found = ListResource::list(self, &mut diags, config).await;
            for listed in found.into_iter().flatten().take(limit) {
                match event(&mut diags, listed, request.include_resource) {
                    Some(event) => events.push(event),
                    None => break,
                }
            }
        }
        let diagnostic = diags.to_proto();
        if !diagnostic.is_empty() {
            events.push(proto::list_resource::Event {
                diagnostic,
                ..Default::default()
            });
        }
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Deserialize)]
    struct Config {
        #[serde(default)]
        prefix: Value<String>,
    }

    #[derive(Serialize)]
    struct State {
        name: String,
    }

    struct Names(Vec<&'static str>);

    #[async_trait]
    impl ListResource for Names {
        type Config = Option<Config>;
        type State = State;

        fn schema(&self, _: &mut Diagnostics) -> Option<Schema> {
            None
        }

        async fn list(
            &self,
            diags: &mut Diagnostics,
            config: Self::Config,
        ) -> Option<Vec<Listed<State>>> {
            let prefix = config
                .and_then(|c| c.prefix.as_ref_option().cloned())
                .unwrap_or_default();
            if prefix == "fail" {
                diags.root_error_short("the API failed");
                return None;
            }
            Some(
                self.0
                    .iter()
                    .filter(|n| n.starts_with(&prefix))
                    .map(|n| Listed {
                        identity: json!({ "name": n }).as_object().cloned().unwrap(),
                        display_name: n.to_string(),
                        state: State {
                            name: n.to_string(),
                        },
                    })
                    .collect(),
            )
        }
    }

    fn config(prefix: &str) -> DynamicValue {
        codec::dynamic_from_tree(&json!({ "prefix": prefix }))
    }

    async fn list(
        config: &DynamicValue,
        include_resource: bool,
        limit: i64,
    ) -> Vec<proto::list_resource::Event> {
        let names = Names(vec!["team-a", "team-b", "other"]);
        DynamicListResource::list(
            &names,
            ListRequest {
                config: Some(config),
                include_resource,
                limit,
            },
        )
        .await
    }

    fn identity_of(event: &proto::list_resource::Event) -> Option<Identity> {
        identity::from_data(event.identity.as_ref()).unwrap()
    }

    #[tokio::test]
    async fn each_object_found_is_an_event_with_its_identity_and_display_name() {
        let events = list(&config("team-"), false, 100).await;
        let names: Vec<_> = events.iter().map(|e| e.display_name.as_str()).collect();
        assert_eq!(names, ["team-a", "team-b"]);
        assert_eq!(
            identity_of(&events[0]),
            json!({"name": "team-a"}).as_object().cloned()
        );
        assert!(events.iter().all(|e| e.resource_object.is_none()));
    }

    #[tokio::test]
    async fn the_state_comes_only_when_asked_for() {
        let events = list(&config("other"), true, 100).await;
        let [other] = events.as_slice() else {
            panic!("one event: {}", events.len());
        };
        let state = codec::tree_from_dynamic(other.resource_object.as_ref()).unwrap();
        assert_eq!(state, json!({"name": "other"}));
    }

    #[tokio::test]
    async fn the_limit_caps_the_events() {
        assert_eq!(list(&config(""), false, 2).await.len(), 2);
        assert_eq!(list(&config(""), false, 0).await.len(), 3);
    }

    #[tokio::test]
    async fn a_failed_list_is_one_event_with_the_error() {
        let events = list(&config("fail"), false, 100).await;
        let [failed] = events.as_slice() else {
            panic!("one event: {}", events.len());
        };
        assert!(failed.identity.is_none());
        assert_eq!(failed.diagnostic.len(), 1);
        assert_eq!(failed.diagnostic[0].summary, "the API failed");
    }
}
