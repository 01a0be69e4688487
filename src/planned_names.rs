//! The names that the resources planned in this provider process create or hold, so that two
//! resources of one configuration that would create the same remote object are refused at plan
//! time, before anything is written.
//!
//! What holds: the CLI starts the provider afresh for every operation (plan, apply), but
//! `terraform test` keeps one provider process for a run's plan and apply, so one resource's
//! create may be planned twice in a process. A claim therefore carries a fingerprint of what the
//! create would write: the same name planned again with the same content is the same resource (or
//! a second one that writes exactly the same, which the create-time reservation in the shared
//! list still refuses); the same name with other content is another resource. Terraform does not tell a provider which resource address it plans,
//! so a refusal names the object, not the other resource. A name unknown at plan time is claimed
//! when Terraform plans the resource again at apply (with the name known by then).

use std::collections::{HashMap, HashSet};
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
    /// Each planned create's name and the fingerprint of what it would write.
    creating: HashMap<Key, String>,
    held: HashSet<Key>,
}

impl PlannedNames {
    fn lock(&self) -> MutexGuard<'_, Names> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Claims `name` of `kind` for a planned create that would write `fingerprint`; `false`
    /// when a create planned in this process claimed the name for other content.
    pub fn claim_create(&self, kind: &'static str, name: &str, fingerprint: &str) -> bool {
        let mut names = self.lock();
        let claimed = names
            .creating
            .entry((kind, name.to_string()))
            .or_insert_with(|| fingerprint.to_string());
        claimed == fingerprint
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
        assert!(names.claim_create("policy", "a", "x"));
        assert!(!names.claim_create("policy", "a", "y"));
        assert!(names.claim_create("policy", "b", "y"));
        assert!(names.claim_create("config", "a", "y"));
    }

    #[test]
    fn the_same_create_planned_again_keeps_its_claim() {
        // `terraform test` plans a run's create in plan and again in apply, in one process.
        let names = PlannedNames::default();
        assert!(names.claim_create("policy", "a", "x"));
        assert!(names.claim_create("policy", "a", "x"));
        assert!(!names.claim_create("policy", "a", "y"));
    }

    #[test]
    fn held_names_are_remembered_per_kind() {
        let names = PlannedNames::default();
        names.hold("policy", "a");
        assert!(names.is_held("policy", "a"));
        assert!(!names.is_held("config", "a"));
        assert!(!names.is_held("policy", "b"));
        assert!(
            names.claim_create("policy", "a", "x"),
            "holding is not creating"
        );
    }
}
