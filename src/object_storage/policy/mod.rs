//! Organization access policies at plan time: the statement rules, the documented actions, the
//! statement as Terraform holds it, and the evaluator that decides a request. The org-policy
//! resource and the access-check data source both use them.

pub mod actions;
pub mod eval;
pub mod rules;
pub mod statement;

pub use actions::{classify_action, ActionKind};
pub use eval::{evaluate, with_what_ifs};
pub use rules::check_principal;
pub use statement::{check_policy, statement_fields, statement_type, Statement, Warnings};
