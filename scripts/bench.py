#!/usr/bin/env python3
"""`make bench`: wall time of terraform apply / no-change plan / destroy for N org policies and
N WIF configs against coreweave-sandbox, next to N `terraform_data` resources (no provider) in
the same run; API requests per phase; the provider's peak RSS and startup time.

Prints a markdown table (and writes it to docs/performance.md with --write). Numbers, not
assertions: targets are listed beside them for the reader.
"""
import argparse
import json
import os
import pathlib
import platform
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROVIDER = ROOT / "target" / "release" / "terraform-provider-coreweave"
SANDBOX = ROOT / "target" / "release" / "coreweave-sandbox"
COOKIE = ("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")
TOKEN = "bench-token"

# Runs the real provider as a child with inherited stdio and records its peak RSS (KiB) when it exits.
WRAPPER = """#!{python}
import os, resource, subprocess, sys
code = subprocess.call([{provider!r}] + sys.argv[1:])
with open({rss_file!r}, "a") as f:
    f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) + "\\n")
sys.exit(code)
"""


def terraform_path():
    return subprocess.check_output([str(ROOT / "scripts" / "terraform-path.sh")], text=True).strip()


def start_sandbox():
    proc = subprocess.Popen([str(SANDBOX), "--listen", "127.0.0.1:0", "--token", TOKEN],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    url = re.search(r"(http://\S+)", line).group(1)
    return proc, url


def admin(url, method, path):
    req = urllib.request.Request(url + "/_sandbox" + path, method=method)
    with urllib.request.urlopen(req) as r:
        body = r.read()
    return json.loads(body) if body else None


def provider_config(n, url):
    blocks = [
        'terraform {\n  required_providers {\n    coreweave = { source = "cwfed/coreweave" }\n  }\n}\n',
        f'provider "coreweave" {{\n  endpoint = "{url}"\n  token = "{TOKEN}"\n}}\n',
    ]
    for i in range(n):
        blocks.append(
            f'resource "coreweave_object_storage_wif_config" "w{i}" {{\n  name = "bench-{i}"\n'
            f'  issuer_url = "https://issuer-{i}.example.com"\n  audience = "aud"\n}}\n'
            f'resource "coreweave_object_storage_org_policy" "p{i}" {{\n  name = "bench-{i}"\n'
            f'  statements = [{{ name = "s", effect = "Allow", actions = ["s3:GetObject"], '
            f'resources = ["bucket-{i}/*"], principals = ["*"] }}]\n}}\n')
    return "".join(blocks)


def baseline_config(n):
    return "".join(f'resource "terraform_data" "d{i}" {{\n  input = "bench-{i}"\n}}\n' for i in range(2 * n))


def timed(tf, cwd, env, *args):
    start = time.perf_counter()
    subprocess.run([tf, *args, "-input=false", "-no-color"], cwd=cwd, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def phases(tf, cwd, env, url=None):
    """apply, no-change plan (with refresh), destroy: (seconds, api requests) per phase."""
    out = {}
    for name, args in [("apply", ["apply", "-auto-approve", "-parallelism=10"]),
                       ("plan", ["plan", "-detailed-exitcode"]),
                       ("destroy", ["destroy", "-auto-approve", "-parallelism=10"])]:
        if url:
            admin(url, "DELETE", "/requests")
        try:
            seconds = timed(tf, cwd, env, *args)
        except subprocess.CalledProcessError as e:
            sys.exit(f"{name} failed:\n{e.stderr.decode()}")
        requests = admin(url, "GET", "/requests")["requests"] if url else []
        lists = sum(1 for r in requests if r["method"] == "GET" and r["path"] == "/v1/cwobject/access-policy")
        lists += sum(1 for r in requests if r["path"].endswith("/ListOIDCConfigs"))
        out[name] = (seconds, len(requests), lists)
    return out


def startup_ms(samples=20):
    env = dict(os.environ, **{COOKIE[0]: COOKIE[1]})
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        proc = subprocess.Popen([str(PROVIDER)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        proc.stdout.readline()
        times.append((time.perf_counter() - start) * 1000)
        proc.kill()
        proc.wait()
    times.sort()
    return times[len(times) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,100,500")
    parser.add_argument("--write", action="store_true", help="write docs/performance.md")
    args = parser.parse_args()
    tf = terraform_path()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    peak_rss_kib = 0
    for n in sizes:
        sandbox, url = start_sandbox()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                tmp = pathlib.Path(tmp)
                plugin_dir = tmp / "plugin"
                plugin_dir.mkdir()
                rss_file = tmp / "rss"
                wrapper = plugin_dir / "terraform-provider-coreweave"
                wrapper.write_text(WRAPPER.format(python=sys.executable, provider=str(PROVIDER), rss_file=str(rss_file)))
                wrapper.chmod(0o755)
                (tmp / "cli.tfrc").write_text(
                    f'provider_installation {{\n  dev_overrides {{\n    "cwfed/coreweave" = "{plugin_dir}"\n  }}\n  direct {{}}\n}}\n')
                env = dict(os.environ, TF_CLI_CONFIG_FILE=str(tmp / "cli.tfrc"), CHECKPOINT_DISABLE="1",
                           TF_IN_AUTOMATION="1")
                env.pop("TF_LOG", None)
                prov, base = tmp / "provider", tmp / "baseline"
                prov.mkdir()
                base.mkdir()
                (prov / "main.tf").write_text(provider_config(n, url))
                (base / "main.tf").write_text(baseline_config(n))
                p = phases(tf, prov, env, url)
                b = phases(tf, base, env)
                if rss_file.exists():
                    peak_rss_kib = max([peak_rss_kib] + [int(x) for x in rss_file.read_text().split()])
                for phase in ("apply", "plan", "destroy"):
                    rows.append((n, phase, p[phase][0], b[phase][0], p[phase][1], p[phase][2]))
                    print(f"N={n:>4} {phase:<8} provider {p[phase][0]:7.2f}s  terraform_data {b[phase][0]:7.2f}s  "
                          f"ratio {p[phase][0] / b[phase][0]:5.2f}  requests {p[phase][1]:>5}  list calls {p[phase][2]}",
                          flush=True)
        finally:
            sandbox.kill()
            sandbox.wait()
    startup = startup_ms()
    version = subprocess.check_output([tf, "version"], text=True).splitlines()[0]
    lines = [
        "# Performance",
        "",
        f"Produced by `make bench` (`python3 scripts/bench.py --write`) on {platform.machine()} with "
        f"{os.cpu_count()} cores, {version}, release build, against `coreweave-sandbox` on loopback.",
        "Each N means N `coreweave_object_storage_org_policy` **and** N `coreweave_object_storage_wif_config`",
        "resources (2N in all); the baseline is 2N `terraform_data` resources (Terraform's built-in, no provider)",
        "timed in the same run. `plan` is a no-change `terraform plan` including refresh.",
        "",
        "| N | phase | provider (s) | terraform_data (s) | ratio | API requests | list calls |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for n, phase, p, b, reqs, lists in rows:
        lines.append(f"| {n} | {phase} | {p:.2f} | {b:.2f} | {p / b:.2f} | {reqs} | {lists} |")
    lines += [
        "",
        f"- Provider peak RSS over all runs: **{peak_rss_kib / 1024:.1f} MB** (target: under 30 MB).",
        f"- Provider startup, process start to go-plugin handshake line (median of 20): **{startup:.1f} ms** (target: under 20 ms).",
        "- Targets: no-change plan of 500 policies within 1.3x of the baseline; at most 2 list calls per plan",
        "  regardless of N (policy reads share one coalesced list; WIF configs are read by uid, without lists).",
        "",
    ]
    text = "\n".join(lines)
    print()
    print(text)
    if args.write:
        (ROOT / "docs" / "performance.md").write_text(text)


if __name__ == "__main__":
    main()
