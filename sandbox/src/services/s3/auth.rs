//! Signature keys: s3s verifies SigV4/SigV2 with the secret of the presented access key, found
//! among the keys the sandbox issued; an unknown key is `InvalidAccessKeyId`.

use s3s::auth::{S3Auth, SecretKey};
use s3s::{s3_error, S3Result};

use crate::state::SharedState;

/// Looks access keys up in [`crate::model::credentials::KeyStore`].
#[derive(Debug, Clone)]
pub struct IssuedKeyAuth {
    state: SharedState,
}

impl IssuedKeyAuth {
    /// Keys from `state.credentials`.
    pub fn new(state: SharedState) -> Self {
        Self { state }
    }
}

#[async_trait::async_trait]
impl S3Auth for IssuedKeyAuth {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        match self.state.credentials.get(access_key) {
            Some(key) => Ok(SecretKey::from(key.secret_key)),
            None => Err(s3_error!(
                InvalidAccessKeyId,
                "The AWS Access Key Id you provided does not exist in our records."
            )),
        }
    }
}
