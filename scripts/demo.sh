#!/usr/bin/env bash
# `make demo`: builds the provider and the sandbox, starts the sandbox, applies the federation
# module example against it, shows what was created, exchanges a pod's service-account token for
# credentials (and shows one refused), then destroys it and stops the sandbox.
# No account and no network are needed (beyond package installs on a fresh machine).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Building the provider and the sandbox (release)"
scripts/ensure-protoc.sh
cargo build --release --workspace --bins --quiet

terraform_bin=$(scripts/terraform-path.sh)
work=$(mktemp -d)
sandbox_pid=""
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

step "Starting coreweave-sandbox"
token="demo-token"
target/release/coreweave-sandbox --listen 127.0.0.1:0 --token "$token" --update-duration-ms 500 \
  >"$work/sandbox.out" 2>"$work/sandbox.err" &
sandbox_pid=$!
for _ in $(seq 100); do
  grep -q 'listening on' "$work/sandbox.out" 2>/dev/null && break
  sleep 0.05
done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/sandbox.out" | head -n1)
[ -n "$url" ] || { echo "the sandbox did not start:"; cat "$work/sandbox.err"; exit 1; }
echo "sandbox: $url"

cp -r examples/modules/cks-object-storage-federation "$work/module"
cat >"$work/cli.tfrc" <<CLI
provider_installation {
  dev_overrides {
    "cwfed/coreweave" = "$root/target/release"
  }
  direct {}
}
CLI
export TF_CLI_CONFIG_FILE="$work/cli.tfrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
export COREWEAVE_API_ENDPOINT="$url" COREWEAVE_API_TOKEN="$token" TF_VAR_api_endpoint="$url"
tf() { "$terraform_bin" -chdir="$work/module/example" "$@"; }

step "terraform get && terraform apply (examples/modules/cks-object-storage-federation/example)"
# dev_overrides load the provider from target/release; `get` installs the local module only.
tf get -no-color >/dev/null
tf apply -auto-approve -input=false -no-color

step "What the sandbox now holds"
python3 - "$url" <<'PY'
import json, sys, urllib.request
state = json.load(urllib.request.urlopen(sys.argv[1] + "/_sandbox/state"))
for c in state["oidcConfigs"]:
    print(f"workload identity federation config {c['uid']} '{c['name']}'")
    print(f"  issuer   {c['issuerUrl']}\n  audience {c['audience']}")
for p in state["policies"]:
    print(f"organization access policy '{p['name']}' ({p['version']})")
    for s in p["statements"]:
        print(f"  {s['effect']:5} {s['name']}: {', '.join(s['actions'])} on {', '.join(s['resources'])}")
        for who in s["principals"]:
            print(f"        for {who}")
PY

step "A second plan finds nothing to change"
tf plan -detailed-exitcode -input=false -no-color >/dev/null && echo "no changes"

step "The outcome: a pod of the granted service account gets AI Object Storage credentials"
# The token a pod's projected volume would hold, signed by the demo cluster's issuer (the
# sandbox signs for it), then exchanged at AWS_CONTAINER_CREDENTIALS_FULL_URI with the raw JWT
# in Authorization, exactly as an AWS SDK's container-credentials provider does.
full_uri=$(tf output -json pod_environment | python3 -c 'import json,sys; print(json.load(sys.stdin)["AWS_CONTAINER_CREDENTIALS_FULL_URI"])')
issuer=$(tf output -raw issuer_url)
sa_token() {
  target/release/coreweave-sandbox token --url "$url" --cluster-id "${issuer##*/}" \
    --service-account "$1" --audience "$issuer"
}
python3 - "$full_uri" "default/my-object-storage-sa" "$(sa_token default/my-object-storage-sa)" \
  "default/not-granted" "$(sa_token default/not-granted)" <<'PY'
import base64, json, sys, urllib.error, urllib.request

uri = sys.argv[1]
print(f"AWS_CONTAINER_CREDENTIALS_FULL_URI={uri}")
for sa, token in zip(sys.argv[2::2], sys.argv[3::2]):
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    print(f"\nservice account {sa} (principal role/{claims['iss']}:{claims['sub']})")
    try:
        with urllib.request.urlopen(urllib.request.Request(uri, headers={"Authorization": token})) as r:
            creds = json.load(r)
        secret = creds["SecretAccessKey"]
        print(f"  granted: AccessKeyId {creds['AccessKeyId']}, SecretAccessKey {secret[:4]}{'*' * (len(secret) - 4)}")
        print(f"  expires {creds['Expiration']}")
    except urllib.error.HTTPError as e:
        print(f"  refused ({e.code}): {json.load(e)['message']}")
PY

step "terraform destroy"
tf destroy -auto-approve -input=false -no-color | tail -n 1
echo
echo "Demo done: the sandbox is stopped. Annotate each granted ServiceAccount with"
echo '  caios.coreweave.com/inject: "true"'
echo "and its pods receive AI Object Storage credentials through the Pod Identity Webhook."
