//! List resource `coreweave_object_storage_bucket` (Terraform >= 1.14, `terraform query`): the
//! organization's buckets from one ListBuckets call, each read (zone, tags) as an import reads
//! it, so that `-generate-config-out` writes blocks that apply as imports and plan empty.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use tf_plugin_server::schema::Schema;
use tf_plugin_server::value::Value;
use tf_plugin_server::{Diagnostics, ListResource, Listed};
use tokio::task::JoinSet;

use crate::diag;
use crate::object_storage::bucket_resource::{read_remote, BucketState};
use crate::provider::ProviderData;
use crate::resource_identity;
use crate::schema::{block, schema, Attr, Kind};

/// Buckets read at once.
const PARALLEL_READS: usize = 8;

/// The `config` block.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct BucketListConfig {
    #[serde(default)]
    pub name_prefix: Value<String>,
}

/// The list resource.
pub struct BucketListResource {
    data: Arc<ProviderData>,
}

impl BucketListResource {
    /// Type name without the provider prefix (the resource's).
    pub const NAME: &'static str = super::BUCKET;

    /// A list resource sharing the provider's configured clients.
    pub fn new(data: Arc<ProviderData>) -> Self {
        Self { data }
    }

    /// The `config` block's schema.
    pub fn list_schema() -> Schema {
        schema(block(
            "The organization's buckets, each with its identity (`name`) and, with `include_resource = true`, \
             the whole bucket (zone and tags).",
            [Attr::string(
                "name_prefix",
                Kind::Optional,
                "Only the buckets whose name starts with this.",
            )],
            [],
        ))
    }
}

#[async_trait]
impl ListResource for BucketListResource {
    type Config = Option<BucketListConfig>;
    type State = BucketState;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Self::list_schema())
    }

    async fn list(
        &self,
        diags: &mut Diagnostics,
        config: Self::Config,
    ) -> Option<Vec<Listed<BucketState>>> {
        let config = config.unwrap_or_default();
        let s3 = self.data.get(diags)?.s3.clone();
        let names = match s3.list_buckets().await {
            Ok(names) => names,
            Err(e) => {
                diag::s3_error(diags, "listing buckets", &e);
                return None;
            }
        };
        let mut names: Vec<String> = names
            .into_iter()
            .filter(|name| resource_identity::starts_with(name, &config.name_prefix))
            .collect();
        names.sort();
        let mut reads = JoinSet::new();
        let mut read = Vec::with_capacity(names.len());
        for (index, name) in names.iter().enumerate() {
            if reads.len() >= PARALLEL_READS {
                read.extend(reads.join_next().await.and_then(Result::ok));
            }
            let (s3, name) = (s3.clone(), name.clone());
            reads.spawn(async move { (index, read_remote(&s3, &name).await) });
        }
        read.extend(reads.join_all().await);
        read.sort_by_key(|(index, _)| *index);
        let mut listed = Vec::new();
        for (index, found) in read {
            let name = &names[index];
            match found {
                Ok(Some((zone, tags))) => {
                    let state = BucketState::from_remote(name, zone, tags, &Value::Null, false);
                    listed.extend(resource_identity::of("name", &state.name).map(|identity| {
                        Listed {
                            identity,
                            display_name: name.clone(),
                            state,
                        }
                    }));
                }
                // Deleted since the listing.
                Ok(None) => {}
                Err(e) => diag::s3_error(diags, format_args!("reading bucket {name:?}"), &e),
            }
        }
        Some(listed)
    }
}
