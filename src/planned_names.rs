//! The names that the resources planned in this provider process create or hold, so that two
//! resources of one configuration that would create the same remote object are refused at plan
//! time, before anything is written.
//!
//! What holds: Terraform starts the provider afresh for every operation (plan, apply) and plans
//! each resource instance once in it; a replacement plans its create half once more, without a
//! prior state, and that is the only create it plans. So two creates of one name in one process
//! come from two resources. Terraform does not tell a provider which resource address it plans,
//! so a refusal names the object, not the other resource. A name unknown at plan time is claimed
//! when Terraform plans the resource again at apply (with the name known by then).

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A remote object's identity: the resource type (e.g. `object_storage_org_policy`) and the
/// object's unique key within that type.
type Key = (&'static str, String);

/// The names of this process's planned creates, and those resources hold in state.
#[derive(Debug, Default)]
pub struct PlannedNames {
    inner: Mutex<Names>,
}

#[derive(Debug, Default)]
struct Names {
    creating: HashSet<Key>,
    held: HashSet<Key>,
}

impl PlannedNames {
    fn lock(&self) -> MutexGuard<'_, Names> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Claims `name` of `kind` for a planned create; `false` when another resource planned in
    /// this process claimed it already.
    pub fn claim_create(&self, kind: &'static str, name: &str) -> bool {
        self.lock().creating.insert((kind, name.to_string()))
    }

    /// Records that a resource of this run holds `name` of `kind` in its state (it was read or
    /// planned from a prior state).
    pub fn hold(&self, kind: &'static str, name: &str) {
        self.lock().held.insert((kind, name.to_string()));
    }

    /// Whether a resource of this run holds `name` of `kind` in its state: a create of that
    /// name may be its own replacement (`-replace`, a tainted object), so the plan lets it
    /// through and the create's own check decides.
    pub fn is_held(&self, kind: &'static str, name: &str) -> bool {
        self.lock().held.contains(&(kind, name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_claimed_once_per_kind() {
        let names = PlannedNames::default();
        assert!(names.claim_create("policy", "a"));
        assert!(!names.claim_create("policy", "a"));
        assert!(names.claim_create("policy", "b"));
        assert!(names.claim_create("config", "a"));
    }

    #[test]
    fn held_names_are_remembered_per_kind() {
        let names = PlannedNames::default();
        names.hold("policy", "a");
        assert!(names.is_held("policy", "a"));
        assert!(!names.is_held("config", "a"));
        assert!(!names.is_held("policy", "b"));
        assert!(names.claim_create("policy", "a"), "holding is not creating");
    }
}
