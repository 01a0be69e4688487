//! Provider functions: the typed trait and its type-erased form.

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::codec;
use crate::diagnostics::Diagnostics;
use crate::proto::DynamicValue;
use crate::schema::FunctionSchema;

/// A provider function (`provider::<name>::<function>(...)`, Terraform >= 1.8).
#[async_trait]
pub trait Function: Send + Sync {
    /// The arguments, read as a tuple (or any type serde reads from a list).
    type Input: DeserializeOwned + Send;
    /// The result.
    type Output: Serialize + Send;

    /// Signature and documentation.
    fn schema(&self, diags: &mut Diagnostics) -> Option<FunctionSchema>;

    /// Calls the function; errors name their argument ([`Diagnostics::function_error`]).
    async fn call(&self, diags: &mut Diagnostics, input: Self::Input) -> Option<Self::Output>;
}

/// A function behind encoded values, as the server calls it.
#[async_trait]
pub trait DynamicFunction: Send + Sync {
    /// Signature and documentation.
    fn schema(&self, diags: &mut Diagnostics) -> Option<FunctionSchema>;
    /// See [`Function::call`].
    async fn call(
        &self,
        diags: &mut Diagnostics,
        arguments: &[DynamicValue],
    ) -> Option<DynamicValue>;
}

#[async_trait]
impl<F: Function> DynamicFunction for F {
    fn schema(&self, diags: &mut Diagnostics) -> Option<FunctionSchema> {
        Function::schema(self, diags)
    }

    async fn call(
        &self,
        diags: &mut Diagnostics,
        arguments: &[DynamicValue],
    ) -> Option<DynamicValue> {
        let mut list = Vec::with_capacity(arguments.len());
        for (i, argument) in arguments.iter().enumerate() {
            match codec::tree_from_dynamic(Some(argument)) {
                Ok(tree) => list.push(tree),
                Err(e) => {
                    diags.function_error(i as i64, e.to_string());
                    return None;
                }
            }
        }
        let input = match codec::from_tree(serde_json::Value::Array(list)) {
            Ok(input) => input,
            Err(e) => {
                diags.function_error(0, e.to_string());
                return None;
            }
        };
        let output = Function::call(self, diags, input).await?;
        match codec::encode(&output) {
            Ok(value) => Some(value),
            Err(e) => {
                diags.root_error("Function result could not be written", e.to_string());
                None
            }
        }
    }
}
