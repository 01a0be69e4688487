//! Virtual-hosted and path-style addressing: `Host: <bucket>.<base>` names the bucket,
//! `Host: <base>` (or any other name, or an IP literal, which s3s itself sends to path style)
//! leaves the bucket to the path.

use s3s::host::{S3Host, VirtualHost};
use s3s::S3Result;

/// The domain the endpoint answers virtual-hosted requests on, e.g. `s3.sandbox.test:8090`.
#[derive(Debug, Clone)]
pub struct SandboxHost {
    base: String,
}

impl SandboxHost {
    /// Virtual-hosted style under `base` (`host:port`, as in the `Host` header).
    pub fn new(base: impl Into<String>) -> Self {
        Self { base: base.into() }
    }

    /// The bucket a `Host` header names, if it is `<bucket>.<base>`.
    pub fn bucket_of<'a>(&self, host: &'a str) -> Option<&'a str> {
        host.strip_suffix(self.base.as_str())
            .and_then(|h| h.strip_suffix('.'))
            .filter(|bucket| !bucket.is_empty())
    }
}

impl S3Host for SandboxHost {
    fn parse_host_header<'a>(&'a self, host: &'a str) -> S3Result<VirtualHost<'a>> {
        Ok(match self.bucket_of(host) {
            Some(bucket) => VirtualHost::with_bucket(self.base.as_str(), bucket),
            None => VirtualHost::new(host),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_subdomain_of_the_base_names_the_bucket() {
        let host = SandboxHost::new("s3.sandbox.test:8090");
        assert_eq!(
            host.bucket_of("models.s3.sandbox.test:8090"),
            Some("models")
        );
        assert_eq!(host.bucket_of("a.b.s3.sandbox.test:8090"), Some("a.b"));
        assert_eq!(host.bucket_of("s3.sandbox.test:8090"), None);
        assert_eq!(host.bucket_of(".s3.sandbox.test:8090"), None);
        assert_eq!(host.bucket_of("models.s3.sandbox.test:9999"), None);
        assert_eq!(host.bucket_of("localhost:8090"), None);
        let parsed = host
            .parse_host_header("models.s3.sandbox.test:8090")
            .unwrap();
        assert_eq!(parsed.bucket(), Some("models"));
        assert_eq!(
            host.parse_host_header("localhost:8090").unwrap().bucket(),
            None
        );
    }
}
