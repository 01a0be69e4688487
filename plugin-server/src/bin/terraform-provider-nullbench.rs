//! `terraform-provider-nullbench`: a provider on this layer that does no I/O at all. Its one
//! resource, `nullbench_thing`, copies `input` to `id` and reads back what state holds, so a
//! plan of N of them costs only what every provider on this layer pays (the handshake, gRPC, the
//! codec and Terraform's side): the floor `make bench` compares the real provider with. Its
//! nested attribute `settings` is how the acceptance suite proves the layer's nested attributes
//! on every supported Terraform.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::{
    Attribute, AttributeConstraint, AttributeType, Block, Description, Schema,
};
use tf_plugin_server::{
    AttributePath, DataSources, Diagnostics, Provider, Resource, Resources, Value, ValueEmpty,
};

/// The values of a `nullbench_thing`.
#[derive(Default, Serialize, Deserialize)]
struct Thing {
    #[serde(default)]
    id: Value<String>,
    #[serde(default)]
    input: Value<String>,
    #[serde(default)]
    settings: Value<Settings>,
}

/// The nested attribute `settings = { mode = "...", level = 1 }`.
#[derive(Default, Serialize, Deserialize)]
struct Settings {
    #[serde(default)]
    mode: Value<String>,
    #[serde(default)]
    level: Value<i64>,
}

struct ThingResource;

fn attribute(attr_type: AttributeType, constraint: AttributeConstraint) -> Attribute {
    Attribute {
        attr_type,
        description: Description::plain(""),
        constraint,
        sensitive: false,
        deprecated: false,
    }
}

/// `settings`: a single nested object of an optional string and an optional number.
fn settings_type() -> AttributeType {
    AttributeType::AttributeSingle(
        [
            (
                "mode".to_string(),
                attribute(AttributeType::String, AttributeConstraint::Optional),
            ),
            (
                "level".to_string(),
                attribute(AttributeType::Number, AttributeConstraint::Optional),
            ),
        ]
        .into(),
    )
}

fn with_id(mut thing: Thing) -> Option<Thing> {
    thing.id = thing.input.clone();
    Some(thing)
}

#[async_trait]
impl Resource for ThingResource {
    type State = Option<Thing>;
    type PrivateState = ValueEmpty;

    fn schema(&self, _: &mut Diagnostics) -> Option<Schema> {
        Some(Schema {
            version: 0,
            block: Block {
                attributes: [
                    ("id", AttributeType::String, AttributeConstraint::Computed),
                    (
                        "input",
                        AttributeType::String,
                        AttributeConstraint::Required,
                    ),
                    ("settings", settings_type(), AttributeConstraint::Optional),
                ]
                .into_iter()
                .map(|(name, t, c)| (name.to_string(), attribute(t, c)))
                .collect(),
                ..Block::default()
            },
        })
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
        Some((with_id(proposed.unwrap_or_default()), Value::Null))
    }

    async fn plan_update(
        &self,
        _: &mut Diagnostics,
        _: Self::State,
        proposed: Self::State,
        _: Self::State,
        private: ValueEmpty,
    ) -> Option<(Self::State, ValueEmpty, Vec<AttributePath>)> {
        Some((
            with_id(proposed.unwrap_or_default()),
            private,
            vec![AttributePath::new("input")],
        ))
    }

    async fn create(
        &self,
        _: &mut Diagnostics,
        planned: Self::State,
        _: Self::State,
        private: ValueEmpty,
    ) -> Option<(Self::State, ValueEmpty)> {
        Some((planned, private))
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

    async fn import(&self, _: &mut Diagnostics, id: String) -> Option<(Self::State, ValueEmpty)> {
        let thing = Thing {
            input: Value::Value(id),
            ..Thing::default()
        };
        with_id(thing).map(|t| (Some(t), Value::Null))
    }
}

struct NullProvider;

#[async_trait]
impl Provider for NullProvider {
    type Config = ValueEmpty;

    fn schema(&self, _: &mut Diagnostics) -> Option<Schema> {
        Some(Schema {
            version: 0,
            block: Block::default(),
        })
    }

    async fn validate(&self, _: &mut Diagnostics, _: ValueEmpty) -> Option<()> {
        Some(())
    }

    async fn configure(&self, _: &mut Diagnostics, _: String, _: ValueEmpty) -> Option<()> {
        Some(())
    }

    fn resources(&self) -> Resources {
        let mut resources = Resources::new();
        resources.insert("thing".into(), Box::new(ThingResource));
        resources
    }

    fn data_sources(&self) -> DataSources {
        DataSources::new()
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tf_plugin_server::serve("nullbench", NullProvider).await
}
