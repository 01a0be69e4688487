"""S3 endpoint bench (run by the AWS clients' venv python, see scripts/install-aws-clients.sh):
GET and PUT of a 1 MiB object through coreweave-sandbox's S3 endpoint (SigV4 header signing by
botocore with the full payload SHA-256, as the AWS CLI signs; the sandbox verifies the signature,
checks the key and decides the call with the organization's policies), next to a plain GET of
the same bytes from the sandbox's API listener. One keep-alive connection, requests in sequence;
each request is signed before its clock starts, so the numbers are the sandbox's side.

Prints a markdown section; `--write` puts it into dev/performance.md (replacing its previous
S3 section). Numbers, not assertions.
"""
import argparse
import hashlib
import http.client
import json
import os
import pathlib
import re
import statistics
import subprocess
import time
import urllib.parse
import urllib.request

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ROOT = pathlib.Path(__file__).resolve().parent.parent
PAGE = ROOT / "dev" / "performance.md"
SANDBOX = pathlib.Path(os.environ.get("SANDBOX", ROOT / "target" / "release" / "coreweave-sandbox"))
HEADING = "## S3 endpoint: 1 MiB objects"
SIZE = 1024 * 1024
REGION = "US-EAST-04A"
PRINCIPAL = "coreweave/bench"


def start_sandbox():
    proc = subprocess.Popen([str(SANDBOX), "--token", "bench-token"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    api = re.search(r"(http://\S+)", proc.stdout.readline()).group(1)
    return proc, api


def call(api, method, path, body=None, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    req = urllib.request.Request(api + path, method=method, headers=headers,
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")


def signed(method, url, key, data=b""):
    req = AWSRequest(method=method, url=url, data=data)
    req.headers["x-amz-content-sha256"] = hashlib.sha256(data).hexdigest()
    creds = Credentials(key["accessKeyId"], key["secretKey"], key.get("sessionToken"))
    S3SigV4Auth(creds, "s3", REGION).add_auth(req)
    return dict(req.headers.items())


def run(conn, method, path, headers, body, runs):
    """Latencies (s) of `runs` requests; each `headers()` is made before its clock starts."""
    latencies = []
    for _ in range(runs):
        h = headers()
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=h)
        resp = conn.getresponse()
        got = resp.read()
        latencies.append(time.perf_counter() - start)
        assert resp.status == 200, (resp.status, got[:300])
        if method == "GET":
            assert len(got) == SIZE, len(got)
    return latencies


def row(name, latencies):
    total = sum(latencies)
    return (f"| {name} | {len(latencies)} | {len(latencies) / total:.0f} | "
            f"{statistics.median(latencies) * 1000:.2f} | "
            f"{sorted(latencies)[int(len(latencies) * 0.9)] * 1000:.2f} |")


def measure(runs):
    proc, api = start_sandbox()
    try:
        s3 = call(api, "GET", "/_sandbox/endpoints")["s3"]["url"]
        call(api, "POST", "/v1/cwobject/access-policy", token="bench-token", body={"policy": {
            "version": "v1alpha1", "name": "bench", "statements": [{
                "name": "rw", "effect": "Allow", "actions": ["s3:GetObject", "s3:PutObject"],
                "resources": ["bench/*"], "principals": [PRINCIPAL]}]}})
        call(api, "POST", "/_sandbox/buckets", body={"name": "bench", "objects": {}})
        key = call(api, "POST", "/_sandbox/access-keys", body={"principal": PRINCIPAL, "sessionToken": True})
        data = os.urandom(SIZE)
        s3_host = urllib.parse.urlsplit(s3).netloc
        api_host = urllib.parse.urlsplit(api).netloc
        s3_conn = http.client.HTTPConnection(s3_host)
        api_conn = http.client.HTTPConnection(api_host)
        url = f"{s3}/bench/object.bin"
        put = run(s3_conn, "PUT", "/bench/object.bin", lambda: signed("PUT", url, key, data), data, runs)
        get = run(s3_conn, "GET", "/bench/object.bin", lambda: signed("GET", url, key), None, runs)
        plain = run(api_conn, "GET", "/_sandbox/buckets/bench/objects/object.bin", dict, None, runs)
        return put, get, plain
    finally:
        proc.terminate()
        proc.wait()


def section(runs):
    load_start = os.getloadavg()[0]
    put, get, plain = measure(runs)
    load_end = os.getloadavg()[0]
    return "\n".join([
        HEADING,
        "",
        "Produced by `scripts/bench_s3.py` (run by `make bench` with the AWS clients' venv python): one",
        "keep-alive connection, requests in sequence, each signed by botocore (SigV4 header signing with the",
        "payload's SHA-256, as the AWS CLI signs) before its clock starts. Through the S3 endpoint the sandbox",
        "verifies the signature (and, for PUT, the payload hash), checks the key's session token and expiry and",
        "decides the call with the organization's policies; the plain GET reads the same bytes from the API",
        f"listener's admin route, with neither. Sandbox binary: `{SANDBOX.relative_to(ROOT) if SANDBOX.is_relative_to(ROOT) else SANDBOX}`.",
        f"The load average was {load_start:.1f} when the run started and",
        f"{load_end:.1f} when it ended, on {os.cpu_count()} cores shared with other work.",
        "",
        "| request (1 MiB) | requests | requests/s | median (ms) | p90 (ms) |",
        "|---|---:|---:|---:|---:|",
        row("S3 PUT (signature, payload hash, policy)", put),
        row("S3 GET (signature, policy)", get),
        row("plain GET from the API listener", plain),
        "",
    ])


def write(text):
    page = PAGE.read_text() if PAGE.exists() else "# Performance\n\n"
    start = page.find(HEADING)
    if start >= 0:
        end = page.find("\n## ", start + len(HEADING))
        page = page[:start] + text + (page[end + 1:] if end >= 0 else "")
    else:
        page = page.rstrip("\n") + "\n\n" + text
    PAGE.write_text(page)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--write", action="store_true", help=f"put the section into {PAGE.relative_to(ROOT)}")
    args = parser.parse_args()
    text = section(args.runs)
    print(text)
    if args.write:
        write(text)


if __name__ == "__main__":
    main()
