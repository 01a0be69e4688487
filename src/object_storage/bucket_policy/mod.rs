//! Bucket policies (reference §3.7): the document as the S3 API takes it, its canonical form
//! (documents that mean the same never diff), its plan-time checks, and how it decides a request
//! after the organization's policies.
//!
//! # Which checks stop a plan, and why that is safe
//!
//! Like the organization-policy rules ([`crate::object_storage::policy::rules`]), only what the
//! API refuses is an error: a document it refuses (`MalformedPolicy`) can never have been
//! stored, so no error here can block importing or planning a policy that exists. Errors:
//! - text that is not JSON, or not a JSON object;
//! - a key that is not `Version`, `Id` or `Statement` (document) or `Sid`, `Effect`,
//!   `Principal`, `Action`, `Resource` or `Condition` (statement); `NotAction`, `NotResource`
//!   and `NotPrincipal`, which CoreWeave does not support;
//! - a value of the wrong JSON type (e.g. a number as an action);
//! - a `Version` other than `2012-10-17` or `2008-10-17`; an `Effect` other than exactly
//!   `Allow` or `Deny`, or none;
//! - no statement;
//! - a `Sid` used twice (the documentation requires each to be unique);
//! - a resource that is not `arn:aws:s3:::<bucket>[/<key>]`, or, for the policy of a given
//!   bucket, one that names another bucket (a bucket's policy governs that bucket only);
//! - a condition operator other than `StringEquals`, `StringNotEquals`, `StringLike` or
//!   `StringNotLike` (the evaluator could not decide with it, so the document is malformed).
//!
//! Everything else is a warning, because the API may accept it: a `Sid` with characters other
//! than letters and digits (the documentation forbids them, yet CoreWeave's own examples use
//! `allow-all`); an action this provider does not know (with the closest known one), or one
//! decided by organization policies only; a principal that is not `*` or
//! `arn:aws:iam::<ORG-ID>:coreweave/<USER-ID>`, `...:saml/<GROUP>`, `...:role/<ROLE>`, or of
//! a kind other than `CW` or `AWS`; no principal, action or resource (the statement matches
//! nothing); a condition key other than `cw:PrincipalOrgID` and `s3:prefix`; a missing
//! `Version`.

pub mod canonical;
pub mod checks;
pub mod document;
pub mod eval;
pub mod glob;
pub mod problem;
pub mod render;
pub mod report;

pub use canonical::same_meaning;
pub use checks::check_document;
pub use document::{Document, DocumentError};
pub use eval::{decide, DecidedBy, LayeredEvaluation, Request};
pub use problem::{DocPath, Problem, Severity, Step};
pub use render::{render, DocumentInput, StatementInput, DEFAULT_VERSION};
pub use report::report;
