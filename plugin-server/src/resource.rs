//! Managed resources: the typed trait a resource implements, and its type-erased form the
//! server calls with Terraform's encoded values.

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::codec::{self, decoded, CodecError};
use crate::diagnostics::{AttributePath, Diagnostics};
use crate::identity::{self, Identity, IdentitySchema};
use crate::proto::{DynamicValue, ResourceIdentityData};
use crate::schema::Schema;

/// A managed resource. `State` is usually `Option<S>`: `None` is a null object (none in
/// state, or destroyed). Each method reports problems in `diags`; `None` (or any error) fails
/// the operation and leaves Terraform's state as it was.
#[async_trait]
pub trait Resource: Send + Sync {
    /// The resource's values, as in its schema.
    type State: Serialize + DeserializeOwned + Send;
    /// Data kept in state beside the values, never shown to the user.
    type PrivateState: Serialize + DeserializeOwned + Send;

    /// The schema.
    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema>;

    /// Checks a configuration (values may be unknown) without calling any API.
    async fn validate(&self, diags: &mut Diagnostics, config: Self::State) -> Option<()>;

    /// Refreshes `state` from the remote object; `None` inside means it is gone.
    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: Self::State,
        private: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState)>;

    /// Plans a create from the proposed new state.
    async fn plan_create(
        &self,
        diags: &mut Diagnostics,
        proposed: Self::State,
        config: Self::State,
    ) -> Option<(Self::State, Self::PrivateState)>;

    /// Plans an update; the paths returned force a replacement when they change.
    async fn plan_update(
        &self,
        diags: &mut Diagnostics,
        prior: Self::State,
        proposed: Self::State,
        config: Self::State,
        prior_private: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState, Vec<AttributePath>)>;

    /// Plans a destroy; by default there is nothing to check and the private state carries over.
    async fn plan_destroy(
        &self,
        _diags: &mut Diagnostics,
        _prior: Self::State,
        prior_private: Self::PrivateState,
    ) -> Option<Self::PrivateState> {
        Some(prior_private)
    }

    /// Creates the remote object.
    async fn create(
        &self,
        diags: &mut Diagnostics,
        planned: Self::State,
        config: Self::State,
        planned_private: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState)>;

    /// Updates the remote object in place.
    async fn update(
        &self,
        diags: &mut Diagnostics,
        prior: Self::State,
        planned: Self::State,
        config: Self::State,
        planned_private: Self::PrivateState,
    ) -> Option<(Self::State, Self::PrivateState)>;

    /// Deletes the remote object.
    async fn destroy(
        &self,
        diags: &mut Diagnostics,
        prior: Self::State,
        planned_private: Self::PrivateState,
    ) -> Option<()>;

    /// Reads the remote object named by an import id.
    async fn import(
        &self,
        diags: &mut Diagnostics,
        id: String,
    ) -> Option<(Self::State, Self::PrivateState)>;

    /// The identity schema (Terraform >= 1.12); by default none, and Terraform sees no identity.
    fn identity_schema(&self) -> Option<IdentitySchema> {
        None
    }

    /// The identity of a (non-null) state; `None` while it is unknown (a computed ID before
    /// the create).
    fn identity(&self, state: &Self::State) -> Option<Identity> {
        let _ = state;
        None
    }

    /// Reads the remote object an identity names (`import { identity = {...} }`). By default an
    /// identity of one string attribute is that attribute's value as an import ID.
    async fn import_by_identity(
        &self,
        diags: &mut Diagnostics,
        identity: Identity,
    ) -> Option<(Self::State, Self::PrivateState)> {
        match self
            .identity_schema()
            .and_then(|schema| schema.single_string(&identity))
        {
            Some(id) => self.import(diags, id).await,
            None => {
                diags.root_error(
                    "Cannot import by identity",
                    "This resource type cannot be imported by this identity; use an import ID.",
                );
                None
            }
        }
    }

    /// Reads state stored by schema `version` (JSON), as the current schema's state. By default
    /// the stored state is read as it is.
    async fn upgrade(
        &self,
        diags: &mut Diagnostics,
        version: i64,
        stored: serde_json::Value,
    ) -> Option<Self::State> {
        let _ = version;
        decoded(diags, codec::from_tree(stored))
    }
}

/// Private state as bytes: empty when null; JSON otherwise. Bytes written by earlier releases of
/// this provider (a MessagePack nil) read as null.
pub(crate) fn private_from_bytes<T: DeserializeOwned>(
    diags: &mut Diagnostics,
    bytes: &[u8],
) -> Option<T> {
    let tree = match bytes {
        [] | [0xc0] => Ok(serde_json::Value::Null),
        json => serde_json::from_slice(json).map_err(CodecError::from),
    };
    decoded(diags, tree.and_then(codec::from_tree))
}

pub(crate) fn private_to_bytes<T: Serialize>(
    diags: &mut Diagnostics,
    private: &T,
) -> Option<Vec<u8>> {
    let tree = decoded(
        diags,
        serde_json::to_value(private).map_err(|e| CodecError::Shape(e.to_string())),
    )?;
    Some(if tree.is_null() {
        Vec::new()
    } else {
        tree.to_string().into_bytes()
    })
}

/// What a plan answers: the planned state, private data and the paths forcing replacement.
pub struct Planned {
    /// The planned new state.
    pub state: DynamicValue,
    /// The planned private data.
    pub private: Vec<u8>,
    /// Attribute paths whose change forces a replacement.
    pub requires_replace: Vec<AttributePath>,
    /// The identity of a planned create, when it is known already.
    pub identity: Option<ResourceIdentityData>,
}

/// A state as Terraform stores it: the values, private data and identity (if the type has one).
pub struct Stored {
    /// The state.
    pub state: DynamicValue,
    /// The private data.
    pub private: Vec<u8>,
    /// The identity; `None` for a type without one, or a null state.
    pub identity: Option<ResourceIdentityData>,
}

/// What an import names the remote object by.
pub enum ImportBy {
    /// An import ID (`terraform import`, `import { id = ... }`).
    Id(String),
    /// An identity (`import { identity = {...} }`, Terraform >= 1.12).
    Identity(Identity),
}

/// A resource behind encoded values, as the server calls it.
#[async_trait]
pub trait DynamicResource: Send + Sync {
    /// The schema.
    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema>;
    /// See [`Resource::validate`].
    async fn validate(&self, diags: &mut Diagnostics, config: Option<&DynamicValue>);
    /// See [`Resource::read`]: the new state and private data.
    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: Option<&DynamicValue>,
        private: &[u8],
    ) -> Option<Stored>;
    /// Plans a create, update or destroy, chosen by which of prior and proposed are null.
    async fn plan(
        &self,
        diags: &mut Diagnostics,
        prior: Option<&DynamicValue>,
        proposed: Option<&DynamicValue>,
        config: Option<&DynamicValue>,
        prior_private: &[u8],
    ) -> Option<Planned>;
    /// Applies a create, update or destroy, chosen by which of prior and planned are null.
    async fn apply(
        &self,
        diags: &mut Diagnostics,
        prior: Option<&DynamicValue>,
        planned: Option<&DynamicValue>,
        config: Option<&DynamicValue>,
        planned_private: &[u8],
    ) -> Option<Stored>;
    /// See [`Resource::import`] and [`Resource::import_by_identity`].
    async fn import(&self, diags: &mut Diagnostics, by: ImportBy) -> Option<Stored>;
    /// See [`Resource::identity_schema`].
    fn identity_schema(&self) -> Option<IdentitySchema>;
    /// See [`Resource::upgrade`]: the state in the current schema.
    async fn upgrade(
        &self,
        diags: &mut Diagnostics,
        version: i64,
        stored: serde_json::Value,
    ) -> Option<DynamicValue>;
}

/// An encoded value read once into serde's tree (whose nullness decides the operation).
fn tree(diags: &mut Diagnostics, value: Option<&DynamicValue>) -> Option<serde_json::Value> {
    decoded(diags, codec::tree_from_dynamic(value))
}

/// A tree read as `T`.
fn typed<T: DeserializeOwned>(diags: &mut Diagnostics, tree: serde_json::Value) -> Option<T> {
    decoded(diags, codec::from_tree(tree))
}

fn encoded<T: Serialize>(diags: &mut Diagnostics, value: &T) -> Option<DynamicValue> {
    decoded(diags, codec::encode(value))
}

/// The identity of `state`, as tfplugin6 carries it.
fn identity_data<R: Resource>(
    diags: &mut Diagnostics,
    resource: &R,
    state: &R::State,
) -> Option<Option<ResourceIdentityData>> {
    match resource.identity(state) {
        Some(identity) => decoded(diags, identity::to_data(&identity)).map(Some),
        None => Some(None),
    }
}

fn stored<R: Resource>(
    diags: &mut Diagnostics,
    resource: &R,
    (state, private): (R::State, R::PrivateState),
) -> Option<Stored> {
    Some(Stored {
        identity: identity_data(diags, resource, &state)?,
        state: encoded(diags, &state)?,
        private: private_to_bytes(diags, &private)?,
    })
}

#[async_trait]
impl<R: Resource> DynamicResource for R {
    fn schema(&self, diags: &mut Diagnostics) -> Option<Schema> {
        Resource::schema(self, diags)
    }

    async fn validate(&self, diags: &mut Diagnostics, config: Option<&DynamicValue>) {
        if let Some(config) = decoded(diags, codec::decode(config)) {
            Resource::validate(self, diags, config).await;
        }
    }

    async fn read(
        &self,
        diags: &mut Diagnostics,
        state: Option<&DynamicValue>,
        private: &[u8],
    ) -> Option<Stored> {
        let state = decoded(diags, codec::decode(state))?;
        let private = private_from_bytes(diags, private)?;
        let read = Resource::read(self, diags, state, private).await?;
        stored(diags, self, read)
    }

    async fn plan(
        &self,
        diags: &mut Diagnostics,
        prior: Option<&DynamicValue>,
        proposed: Option<&DynamicValue>,
        config: Option<&DynamicValue>,
        prior_private: &[u8],
    ) -> Option<Planned> {
        let prior = tree(diags, prior)?;
        let proposed = tree(diags, proposed)?;
        let prior_is_null = prior.is_null();
        let prior_state: R::State = typed(diags, prior)?;
        let private = private_from_bytes(diags, prior_private)?;
        if proposed.is_null() {
            let private = self.plan_destroy(diags, prior_state, private).await?;
            return Some(Planned {
                state: encoded(diags, &serde_json::Value::Null)?,
                private: private_to_bytes(diags, &private)?,
                requires_replace: Vec::new(),
                identity: None,
            });
        }
        let proposed = typed(diags, proposed)?;
        let config = decoded(diags, codec::decode(config))?;
        let (state, private, requires_replace, identity) = if prior_is_null {
            let (state, private) = self.plan_create(diags, proposed, config).await?;
            let identity = identity_data(diags, self, &state)?;
            (state, private, Vec::new(), identity)
        } else {
            let (state, private, replace) = self
                .plan_update(diags, prior_state, proposed, config, private)
                .await?;
            (state, private, replace, None)
        };
        Some(Planned {
            state: encoded(diags, &state)?,
            private: private_to_bytes(diags, &private)?,
            requires_replace,
            identity,
        })
    }

    async fn apply(
        &self,
        diags: &mut Diagnostics,
        prior: Option<&DynamicValue>,
        planned: Option<&DynamicValue>,
        config: Option<&DynamicValue>,
        planned_private: &[u8],
    ) -> Option<Stored> {
        let prior = tree(diags, prior)?;
        let planned = tree(diags, planned)?;
        let prior_is_null = prior.is_null();
        let prior_state: R::State = typed(diags, prior)?;
        let private = private_from_bytes(diags, planned_private)?;
        if planned.is_null() {
            self.destroy(diags, prior_state, private).await?;
            return Some(Stored {
                state: encoded(diags, &serde_json::Value::Null)?,
                private: Vec::new(),
                identity: None,
            });
        }
        let planned = typed(diags, planned)?;
        let config = decoded(diags, codec::decode(config))?;
        let applied = if prior_is_null {
            self.create(diags, planned, config, private).await?
        } else {
            self.update(diags, prior_state, planned, config, private)
                .await?
        };
        stored(diags, self, applied)
    }

    async fn import(&self, diags: &mut Diagnostics, by: ImportBy) -> Option<Stored> {
        let imported = match by {
            ImportBy::Id(id) => Resource::import(self, diags, id).await?,
            ImportBy::Identity(identity) => self.import_by_identity(diags, identity).await?,
        };
        stored(diags, self, imported)
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Resource::identity_schema(self)
    }

    async fn upgrade(
        &self,
        diags: &mut Diagnostics,
        version: i64,
        stored: serde_json::Value,
    ) -> Option<DynamicValue> {
        let state = Resource::upgrade(self, diags, version, stored).await?;
        encoded(diags, &state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::IdentityAttribute;
    use crate::value::{Value, ValueEmpty};
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Clone, Default, Serialize, Deserialize)]
    struct Thing {
        #[serde(default)]
        id: Value<String>,
        #[serde(default)]
        name: Value<String>,
    }

    /// Things named by a computed `id`, which equals their name once created.
    struct Things {
        identity: bool,
    }

    #[async_trait]
    impl Resource for Things {
        type State = Option<Thing>;
        type PrivateState = ValueEmpty;

        fn schema(&self, _: &mut Diagnostics) -> Option<Schema> {
            None
        }

        async fn validate(&self, _: &mut Diagnostics, _: Self::State) -> Option<()> {
            Some(())
        }

        async fn read(
            &self,
            _: &mut Diagnostics,
            state: Self::State,
            private: ValueEmpty,
        ) -> Option<(Self::State, ValueEmpty)> {
            Some((state, private))
        }

        async fn plan_create(
            &self,
            _: &mut Diagnostics,
            proposed: Self::State,
            _: Self::State,
        ) -> Option<(Self::State, ValueEmpty)> {
            let planned = proposed.map(|t| Thing {
                id: Value::Unknown,
                ..t
            });
            Some((planned, Value::Null))
        }

        async fn plan_update(
            &self,
            _: &mut Diagnostics,
            _: Self::State,
            proposed: Self::State,
            _: Self::State,
            private: ValueEmpty,
        ) -> Option<(Self::State, ValueEmpty, Vec<AttributePath>)> {
            Some((proposed, private, Vec::new()))
        }

        async fn create(
            &self,
            _: &mut Diagnostics,
            planned: Self::State,
            _: Self::State,
            private: ValueEmpty,
        ) -> Option<(Self::State, ValueEmpty)> {
            let created = planned.map(|t| Thing {
                id: t.name.clone(),
                ..t
            });
            Some((created, private))
        }

        async fn update(
            &self,
            _: &mut Diagnostics,
            _: Self::State,
            planned: Self::State,
            _: Self::State,
            private: ValueEmpty,
        ) -> Option<(Self::State, ValueEmpty)> {
            Some((planned, private))
        }

        async fn destroy(&self, _: &mut Diagnostics, _: Self::State, _: ValueEmpty) -> Option<()> {
            Some(())
        }

        async fn import(
            &self,
            _: &mut Diagnostics,
            id: String,
        ) -> Option<(Self::State, ValueEmpty)> {
            let thing = Thing {
                id: Value::Value(id.clone()),
                name: Value::Value(id),
            };
            Some((Some(thing), Value::Null))
        }

        fn identity_schema(&self) -> Option<IdentitySchema> {
            self.identity
                .then(|| IdentitySchema::new([IdentityAttribute::required_string("id", "")]))
        }

        fn identity(&self, state: &Self::State) -> Option<Identity> {
            let id = state.as_ref()?.id.as_ref_option()?;
            self.identity
                .then(|| json!({ "id": id }).as_object().cloned())
                .flatten()
        }
    }

    fn value(tree: serde_json::Value) -> DynamicValue {
        codec::dynamic_from_tree(&tree)
    }

    fn identity_of(data: Option<&ResourceIdentityData>) -> Option<Identity> {
        identity::from_data(data).unwrap()
    }

    fn id(id: &str) -> Option<Identity> {
        json!({ "id": id }).as_object().cloned()
    }

    #[tokio::test]
    async fn read_apply_and_import_answer_the_identity_of_the_state() {
        let things = Things { identity: true };
        let mut diags = Diagnostics::default();
        let state = value(json!({"id": "a", "name": "a"}));
        let read = DynamicResource::read(&things, &mut diags, Some(&state), &[]).await;
        assert_eq!(identity_of(read.unwrap().identity.as_ref()), id("a"));

        let config = value(json!({"id": null, "name": "b"}));
        let planned =
            DynamicResource::plan(&things, &mut diags, None, Some(&config), Some(&config), &[])
                .await
                .unwrap();
        assert_eq!(
            planned.identity, None,
            "a computed id is not known before the create"
        );
        let applied = DynamicResource::apply(
            &things,
            &mut diags,
            None,
            Some(&planned.state),
            Some(&config),
            &[],
        )
        .await
        .unwrap();
        assert_eq!(identity_of(applied.identity.as_ref()), id("b"));

        let destroyed = DynamicResource::apply(&things, &mut diags, Some(&state), None, None, &[])
            .await
            .unwrap();
        assert_eq!(destroyed.identity, None, "a destroyed object has none");

        let by_identity = ImportBy::Identity(id("c").unwrap());
        let imported = DynamicResource::import(&things, &mut diags, by_identity).await;
        let imported = imported.unwrap();
        assert_eq!(identity_of(imported.identity.as_ref()), id("c"));
        assert_eq!(
            codec::tree_from_dynamic(Some(&imported.state)).unwrap(),
            json!({"id": "c", "name": "c"}),
            "a single-string identity imports as that import ID"
        );
        assert!(!diags.has_errors());
    }

    #[tokio::test]
    async fn a_type_without_identity_answers_none_and_refuses_an_import_by_identity() {
        let things = Things { identity: false };
        let mut diags = Diagnostics::default();
        assert!(DynamicResource::identity_schema(&things).is_none());
        let state = value(json!({"id": "a", "name": "a"}));
        let read = DynamicResource::read(&things, &mut diags, Some(&state), &[]).await;
        assert_eq!(read.unwrap().identity, None);
        let by_identity = ImportBy::Identity(id("c").unwrap());
        assert!(DynamicResource::import(&things, &mut diags, by_identity)
            .await
            .is_none());
        assert!(diags.has_errors());
    }
}
