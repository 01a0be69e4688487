use super::*;
use serde_json::json;

fn fields(v: &[FieldViolation]) -> Vec<&str> {
    v.iter().map(|v| v.field.as_str()).collect()
}

#[test]
fn status_reads_running_once_its_deadline_passed() {
    let now = Instant::now();
    let mut c: Cluster = serde_json::from_value::<ClusterInput>(json!({"id": "x"}))
        .unwrap()
        .into_cluster("2025-01-15T10:00:00Z")
        .unwrap();
    c.status = ClusterStatus::Updating;
    c.status_until = Some(now);
    assert_eq!(c.status_at(now), ClusterStatus::Running);
    c.status_until = Some(now + std::time::Duration::from_secs(5));
    assert_eq!(c.status_at(now), ClusterStatus::Updating);
}

#[test]
fn status_parses_names_and_numbers() {
    assert_eq!(
        ClusterStatus::from_json(&json!("STATUS_FAILED")),
        Some(ClusterStatus::Failed)
    );
    assert_eq!(
        ClusterStatus::from_json(&json!(2)),
        Some(ClusterStatus::Running)
    );
    assert_eq!(ClusterStatus::from_json(&json!("RUNNING")), None);
}

#[test]
fn cluster_json_omits_empty_fields_and_unset_oidc() {
    let c = serde_json::from_value::<ClusterInput>(json!({
        "id": "a", "name": "n", "version": "1.32", "createdAt": "2025-01-01T00:00:00Z",
        "updatedAt": "2025-01-01T00:00:00Z"}))
    .unwrap()
    .into_cluster("2025-01-15T10:00:00Z")
    .unwrap();
    assert_eq!(
        c.to_json(Instant::now()),
        json!({"id": "a", "name": "n", "version": "1.32", "public": false,
               "createdAt": "2025-01-01T00:00:00Z", "updatedAt": "2025-01-01T00:00:00Z",
               "status": "STATUS_RUNNING"})
    );
}

#[test]
fn cluster_input_rejects_unknown_fields() {
    assert!(serde_json::from_value::<ClusterInput>(json!({"id": "a", "network": {}})).is_err());
}

#[test]
fn cluster_input_requires_an_id() {
    let err = serde_json::from_value::<ClusterInput>(json!({"name": "a"}))
        .unwrap()
        .into_cluster("2025-01-15T10:00:00Z")
        .unwrap_err();
    assert_eq!(fields(&err), ["id"]);
}
