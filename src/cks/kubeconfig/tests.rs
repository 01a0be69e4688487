use super::*;

fn state(id: Option<&str>, endpoint: Option<&str>, exec: Value<ExecInput>) -> KubeconfigState {
    let text = |v: Option<&str>| v.map_or(Value::Null, |v| Value::Value(v.to_string()));
    KubeconfigState {
        cluster_id: text(id),
        endpoint: text(endpoint),
        exec,
        ..KubeconfigState::default()
    }
}

fn exec(command: &str, env: &[(&str, &str)]) -> Value<ExecInput> {
    Value::Value(ExecInput {
        command: Value::Value(command.into()),
        args: Value::Value(vec![Value::Value("a".into())]),
        env: Value::Value(
            env.iter()
                .map(|(k, v)| (k.to_string(), Value::Value(v.to_string())))
                .collect(),
        ),
    })
}

fn error_path(s: &KubeconfigState) -> AttributePath {
    check(s).unwrap_err().0
}

#[test]
fn managed_is_the_default_and_needs_only_a_cluster() {
    assert_eq!(check(&state(Some("c"), None, Value::Null)), Ok(()));
    assert_eq!(
        endpoint_of(&state(Some("c"), None, Value::Null)),
        Ok(Some(Endpoint::Managed))
    );
    assert_eq!(
        error_path(&state(None, None, Value::Null)),
        AttributePath::new("cluster_id")
    );
}

#[test]
fn endpoint_must_be_managed_or_unmanaged() {
    assert_eq!(
        error_path(&state(Some("c"), Some("public"), Value::Null)),
        AttributePath::new("endpoint")
    );
    assert_eq!(
        endpoint_of(&state(Some("c"), Some("unmanaged"), Value::Null)),
        Ok(Some(Endpoint::Unmanaged))
    );
}

#[test]
fn exec_belongs_to_the_unmanaged_endpoint_only() {
    assert_eq!(
        error_path(&state(Some("c"), None, exec("kubelogin", &[]))),
        AttributePath::new("exec")
    );
    assert_eq!(
        check(&state(Some("c"), Some("unmanaged"), exec("kubelogin", &[]))),
        Ok(())
    );
}

#[test]
fn exec_needs_a_command_and_valid_variable_names() {
    assert_eq!(
        error_path(&state(Some("c"), Some("unmanaged"), exec(" ", &[]))),
        AttributePath::new("exec").attribute("command")
    );
    assert_eq!(
        error_path(&state(
            Some("c"),
            Some("unmanaged"),
            exec("k", &[("A=B", "1")])
        )),
        AttributePath::new("exec").attribute("env")
    );
    let plugin = exec_plugin(&exec("k", &[("A", "1")])).unwrap().unwrap();
    assert_eq!(plugin.args, ["a"]);
    assert_eq!(plugin.env, [("A".to_string(), "1".to_string())]);
}

#[test]
fn unknown_exec_parts_wait_for_apply() {
    let unknown = Value::Value(ExecInput {
        command: Value::Unknown,
        ..ExecInput::default()
    });
    assert_eq!(exec_plugin(&unknown), Ok(None));
    assert_eq!(check(&state(Some("c"), Some("unmanaged"), unknown)), Ok(()));
}
