//! SigV4 signatures of S3 calls, by AWS's own `aws-sigv4`: the headers to add (`authorization`,
//! `x-amz-date`, `x-amz-content-sha256`), the sensitive ones marked so.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    sign, PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use reqwest::header::{HeaderName, HeaderValue};
use reqwest::Method;
use url::Url;

use super::keys::S3Key;
use crate::api::ApiError;

/// The service name S3 signatures carry in their credential scope.
const SERVICE: &str = "s3";

/// The headers that sign `method url` with `body` by `key` for `region` at `at`.
pub fn signature(
    key: &S3Key,
    region: &str,
    method: &Method,
    url: &Url,
    body: &[u8],
    at: SystemTime,
) -> Result<Vec<(HeaderName, HeaderValue)>, ApiError> {
    let failed = |what: &str, e: &dyn std::fmt::Display| {
        ApiError::InvalidRequest(format!("could not sign the S3 request ({what}): {e}"))
    };
    let identity: Identity = Credentials::new(
        key.access_key_id.clone(),
        key.secret().to_string(),
        None,
        None,
        "coreweave-access-key",
    )
    .into();
    // S3 signs the path as sent (no normalisation, no second percent-encoding) and the
    // payload's SHA-256 in `x-amz-content-sha256`.
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(SERVICE)
        .time(at)
        .settings(settings)
        .build()
        .map_err(|e| failed("parameters", &e))?
        .into();
    let request = SignableRequest::new(
        method.as_str(),
        url.as_str(),
        std::iter::empty(),
        SignableBody::Bytes(body),
    )
    .map_err(|e| failed("request", &e))?;
    let (instructions, _) = sign(request, &params)
        .map_err(|e| failed("signature", &e))?
        .into_parts();
    let (headers, _) = instructions.into_parts();
    headers
        .into_iter()
        .map(|header| {
            let name = HeaderName::from_static(header.name());
            let mut value =
                HeaderValue::from_str(header.value()).map_err(|e| failed("header value", &e))?;
            value.set_sensitive(header.sensitive() || name == reqwest::header::AUTHORIZATION);
            Ok((name, value))
        })
        .collect()
}
