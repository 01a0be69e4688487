#!/usr/bin/env python3
"""`make bench`, the buckets' part: a no-change plan of N buckets, each with a bucket policy
(`coreweave_object_storage_bucket` and `coreweave_object_storage_bucket_policy`), against
coreweave-sandbox: its wall time (median of several rounds, `plan -refresh=false` beside it) and
every request it makes, API and S3, from the sandbox's request log, grouped by what they ask.

Prints markdown (and writes it to dev/buckets.md with --write). Numbers, not assertions.
"""
import argparse
import collections
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench  # noqa: E402  (Run, admin, timed, terraform_path, TOKEN, ROOT)

PAGE = bench.ROOT / "dev" / "buckets.md"
ZONE = "US-EAST-04A"


def version(tf):
    out = subprocess.check_output([tf, "version", "-json"], text=True, stderr=subprocess.DEVNULL)
    return json.loads(out)["terraform_version"]


def config(url, s3_url, n):
    blocks = [
        'terraform {\n  required_providers {\n    coreweave = { source = "cwfed/coreweave" }\n  }\n}\n',
        f'provider "coreweave" {{\n  endpoint    = "{url}"\n  token       = "{bench.TOKEN}"\n'
        f'  s3_endpoint = "{s3_url}"\n}}\n',
    ]
    for i in range(n):
        name = f"bench-{i:04}"
        policy = {"Version": "2012-10-17", "Statement": [
            {"Sid": "DenyPrivate", "Effect": "Deny", "Principal": {"CW": "*"}, "Action": "s3:GetObject",
             "Resource": f"arn:aws:s3:::{name}/private/*"},
            {"Sid": "AllowOrg", "Effect": "Allow", "Principal": {"CW": "*"}, "Action": "s3:*",
             "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
             "Condition": {"StringEquals": {"cw:PrincipalOrgID": "sandbox-org"}}},
        ]}
        blocks.append(
            f'resource "coreweave_object_storage_bucket" "b{i}" {{\n  name = "{name}"\n  zone = "{ZONE}"\n'
            f'  tags = {{ bench = "buckets" }}\n}}\n'
            f'resource "coreweave_object_storage_bucket_policy" "b{i}" {{\n'
            f'  bucket = coreweave_object_storage_bucket.b{i}.name\n'
            f'  policy = jsonencode({json.dumps(policy)})\n}}\n')
    return "".join(blocks)


def api(url, method, path, body=None):
    """A call to the sandbox's API with the bench's token."""
    req = urllib.request.Request(url + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"authorization": f"Bearer {bench.TOKEN}",
                                          "content-type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


def allow_s3(url):
    """Lets the token's principal, whose keys the provider signs S3 calls with, do anything in S3
    (an organization access policy, as an administrator makes in the console)."""
    uid = api(url, "GET", "/v1beta1/auth/whoami")["principal"]["uid"]
    api(url, "POST", "/v1/cwobject/access-policy", {"policy": {
        "version": "v1alpha1", "name": "s3-admin", "statements": [{
            "name": "all", "effect": "Allow", "actions": ["s3:*"], "resources": ["*"],
            "principals": [f"coreweave/{uid}"]}]}})


def kind(request):
    """What a request asks, as the log shows it: the API path, or the S3 method on the service,
    a bucket or an object (with the sandbox's operation name when it logs one)."""
    if request.get("service") != "s3":
        return f"API {request['method']} {request['path']}"
    if "operation" in request:
        return f"S3 {request['operation']}"
    depth = len([p for p in request["path"].split("/") if p])
    target = ["the service", "a bucket", "an object"][min(depth, 2)]
    return f"S3 {request['method']} on {target}"


def measure(tf, n, rounds):
    with tempfile.TemporaryDirectory() as tmp:
        run = bench.Run(pathlib.Path(tmp))
        try:
            s3_url = bench.admin(run.url, "GET", "/endpoints")["s3"]["url"]
            allow_s3(run.url)
            work = run.workdir("buckets", config(run.url, s3_url, n))
            apply_wall, _ = bench.timed(tf, work, run.env, ["apply", "-auto-approve"])
            print(f"apply of {n} buckets with policies: {apply_wall:.2f}s", flush=True)
            walls, floors, counts, floor_counts = [], [], [], []
            kinds = collections.Counter()
            for _ in range(rounds):
                bench.admin(run.url, "DELETE", "/requests")
                wall, _ = bench.timed(tf, work, run.env, ["plan", "-detailed-exitcode"])
                requests = bench.admin(run.url, "GET", "/requests")["requests"]
                walls.append(wall)
                counts.append(len(requests))
                kinds.update(kind(r) for r in requests)
                bench.admin(run.url, "DELETE", "/requests")
                floor, _ = bench.timed(tf, work, run.env, ["plan", "-refresh=false", "-detailed-exitcode"])
                floors.append(floor)
                floor_counts.append(len(bench.admin(run.url, "GET", "/requests")["requests"]))
                print(f"no-change plan of {n}: {wall:.2f}s, {len(requests)} requests; "
                      f"-refresh=false {floor:.2f}s", flush=True)
        finally:
            run.close()
    return {"n": n, "rounds": rounds, "apply": apply_wall, "walls": walls, "floors": floors,
            "counts": counts, "floor_counts": floor_counts, "kinds": {k: v / rounds for k, v in sorted(kinds.items())}}


def section(tf, r, load):
    n = r["n"]
    median = statistics.median(r["walls"])
    floor = statistics.median(r["floors"])
    requests = statistics.median(r["counts"])
    lines = [
        "# Buckets with policies: a no-change plan",
        "",
        f"Produced by `make bench` (`python3 scripts/bench_buckets.py --write`) with Terraform {version(tf)}, release build,",
        f"against `coreweave-sandbox` on loopback, on {os.cpu_count()} cores shared with other work (load average",
        f"{load[0]:.1f} at the start, {load[1]:.1f} at the end). One apply creates {n} buckets (zone `{ZONE}`, one",
        f"tag), each with a two-statement bucket policy ({r['apply']:.1f} s); then {r['rounds']} rounds of a no-change",
        "`terraform plan` (with refresh) and a `plan -refresh=false`. Times are medians of the rounds; the",
        "requests are every request of a plan, API and S3, from the sandbox's request log.",
        "",
        "| measure | result |",
        "|---|---:|",
        f"| no-change plan of {n} buckets with policies, wall (median of {r['rounds']}) | {median:.2f} s |",
        f"| the same with `-refresh=false`, wall (median of {r['rounds']}) | {floor:.2f} s |",
        f"| requests per plan (API + S3) | {requests:g} |",
        f"| requests per bucket (bucket and its policy) | {requests / n:.2f} |",
        "",
        "Requests of one plan, by what they ask (mean per round):",
        "",
        "| request | count |",
        "|---|---:|",
    ]
    lines += [f"| {k} | {v:g} |" for k, v in r["kinds"].items()]
    s3 = sum(v for k, v in r["kinds"].items() if k.startswith("S3 "))
    api = sum(v for k, v in r["kinds"].items() if k.startswith("API "))
    lines += [
        "",
        f"**A bounded number of reads per bucket, not one list:** {s3:g} S3 requests for {n} buckets with",
        f"policies ({s3 / n:g} per bucket: GetBucketLocation and GetBucketTagging to refresh the bucket,",
        "GetBucketPolicy to refresh its policy; the request log keeps the path, not the query that names",
        f"them), and {api:g} API {'request' if api == 1 else 'requests'} (`POST /v1/cwobject/access-key`: the provider's",
        "short-lived S3 key, one per provider process). The organization's access policies and WIF configs are read from one list",
        "per run (dev/performance.md) because the API lists them whole; S3 has no such call for buckets:",
        "ListBuckets answers names only, not a bucket's zone, tags or policy, so each bucket is asked for",
        "them. The cost grows linearly with the buckets and does not depend on the organization's other",
        f"buckets; Terraform's parallelism (10) overlaps the reads. `-refresh=false` made {statistics.median(r['floor_counts']):g}",
        "requests: the time above it is the refresh.",
        "",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--buckets", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--write", action="store_true", help=f"write {PAGE.relative_to(bench.ROOT)}")
    args = parser.parse_args()
    tf = bench.terraform_path()
    load_start = os.getloadavg()[0]
    result = measure(tf, args.buckets, args.rounds)
    text = section(tf, result, (load_start, os.getloadavg()[0]))
    print()
    print(text)
    if args.write:
        PAGE.write_text(text)


if __name__ == "__main__":
    main()
