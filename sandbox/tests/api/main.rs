//! In-process tests of the sandbox HTTP application (`tower::ServiceExt::oneshot` on `app()`).

mod admin;
mod auth;
mod bucket_policy_table;
mod cks;
mod cwobject;
mod directory;
mod discovery;
mod exchange;
mod faults;
mod policy_table;
mod s3;
mod s3_buckets;
mod s3_calls;
mod s3_enforcement;
mod s3_faults;
mod s3_support;
mod s3_table;
mod support;
mod workload_federation;
