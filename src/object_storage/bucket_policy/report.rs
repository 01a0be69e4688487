//! Problems of a bucket-policy document as Terraform diagnostics, on the attribute that holds
//! the part of the document they are about.

use tf_plugin_server::{AttributePath, Diagnostics};

use super::problem::{Problem, Severity};
use crate::object_storage::policy::Warnings;

/// Summary of an error: the API refuses the document.
const REFUSED: &str = "Invalid bucket policy";
/// Summary of a warning: the API accepts the document, but it may not do what was meant.
const SUSPICIOUS: &str = "Bucket policy may not do what was meant";

/// Adds `problems` to `diags` (warnings only when `warnings` says so), each on the attribute
/// and with the detail that `place` gives for it. Returns false when any is an error.
pub fn report(
    diags: &mut Diagnostics,
    problems: &[Problem],
    warnings: Warnings,
    place: impl Fn(&Problem) -> (AttributePath, String),
) -> bool {
    for problem in problems {
        let (at, detail) = place(problem);
        match problem.severity {
            Severity::Error => diags.error(REFUSED, detail, at),
            Severity::Warning if warnings == Warnings::Report => {
                diags.warning(SUSPICIOUS, detail, at)
            }
            Severity::Warning => {}
        }
    }
    !problems.iter().any(Problem::is_error)
}
