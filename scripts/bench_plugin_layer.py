#!/usr/bin/env python3
"""`make bench`, the plugin layer's part: the wall and CPU time of a no-change `terraform plan` of
N organization access policies through this provider, next to the same plan of N resources of a
provider on the same layer that does no I/O at all (plugin-server/src/bin/terraform-provider-nullbench.rs: the
floor every provider on the layer pays) and of N `terraform_data` (no plugin). With --baseline
PATH, a provider binary of an earlier build (e.g. the tf-provider release) is timed in the same
run against the same sandbox.

Prints markdown (and writes it to dev/plugin-layer.md with --write). Numbers, not assertions.
"""
import argparse
import os
import pathlib
import statistics
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench  # noqa: E402  (terraform_path, start_sandbox, provider_config, baseline_config, timed)
import bench_query  # noqa: E402  (version)

ROOT = bench.ROOT
PAGE = ROOT / "dev" / "plugin-layer.md"
NULL_PROVIDER = ROOT / "target" / "release" / "terraform-provider-nullbench"


def null_config(n):
    head = 'terraform {\n  required_providers {\n    nullbench = { source = "cwfed/nullbench" }\n  }\n}\n'
    return head + "".join(f'resource "nullbench_thing" "t{i}" {{\n  input = "bench-{i}"\n}}\n' for i in range(n))


def plugin_dir(scratch, name, binary):
    """A directory holding `binary` as terraform-provider-`name`, for dev_overrides."""
    where = pathlib.Path(scratch) / f"plugins-{name}-{abs(hash(str(binary)))}"
    where.mkdir()
    (where / f"terraform-provider-{name.split('/')[-1]}").symlink_to(binary)
    return where


def workspace(scratch, label, config, overrides):
    """A working directory for `config` with its own CLI configuration; applied once."""
    cwd = pathlib.Path(scratch) / label
    cwd.mkdir()
    (cwd / "main.tf").write_text(config)
    lines = "".join(f'    "cwfed/{name}" = "{path}"\n' for name, path in overrides.items())
    (cwd / "cli.tfrc").write_text(f"provider_installation {{\n  dev_overrides {{\n{lines}  }}\n  direct {{}}\n}}\n")
    env = dict(os.environ, TF_CLI_CONFIG_FILE=str(cwd / "cli.tfrc"), CHECKPOINT_DISABLE="1")
    env.pop("TF_LOG", None)
    return cwd, env


def prepared(tf, cwd, env):
    """Applies the workspace and runs one warm-up plan."""
    bench.timed(tf, cwd, env, ["apply", "-auto-approve"])
    bench.timed(tf, cwd, env, ["plan"])
    return cwd, env


def paired(tf, workspaces, runs):
    """No-change plans of each workspace in turn, `runs` rounds: per workspace the median wall and
    CPU, and per round each one's ratio to the first (so a drift of the machine's speed cancels)."""
    samples = [[] for _ in workspaces]
    for _ in range(runs):
        for i, (cwd, env) in enumerate(workspaces):
            samples[i].append(bench.timed(tf, cwd, env, ["plan"]))
    medians = [(statistics.median(s[0] for s in own), statistics.median(s[1] for s in own)) for own in samples]
    ratios = [
        (statistics.median(a[0] / b[0] for a, b in zip(own, samples[0])),
         statistics.median(a[1] / b[1] for a, b in zip(own, samples[0])))
        for own in samples
    ]
    return medians, ratios


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--baseline", help="an earlier build's terraform-provider-coreweave")
    parser.add_argument("--baseline-label", default="earlier build")
    parser.add_argument("--write", action="store_true", help=f"write {PAGE.relative_to(ROOT)}")
    args = parser.parse_args()
    tf = bench.terraform_path()
    sandbox, url = bench.start_sandbox()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            providers = [("this build", bench.PROVIDER)]
            if args.baseline:
                providers.append((args.baseline_label, pathlib.Path(args.baseline).resolve()))
            labels, workspaces = [], []
            for i, (label, binary) in enumerate(providers):
                config = bench.provider_config(bench.POLICY, args.n, url).replace('name = "bench-', f'name = "bench{i}-')
                labels.append(f"{args.n} org policies, provider: {label}")
                workspaces.append(prepared(tf, *workspace(scratch, f"coreweave-{i}", config,
                                                          {"coreweave": plugin_dir(scratch, "coreweave", binary)})))
            labels.append(f"{args.n} `nullbench_thing` (this layer, no I/O: the floor)")
            workspaces.append(prepared(tf, *workspace(scratch, "null", null_config(args.n),
                                                      {"nullbench": plugin_dir(scratch, "nullbench", NULL_PROVIDER)})))
            labels.append(f"{args.n} `terraform_data` (no plugin)")
            workspaces.append(prepared(tf, *workspace(scratch, "data", bench.baseline_config(args.n), {})))
            medians, ratios = paired(tf, workspaces, args.runs)
    finally:
        sandbox.kill()
    rows = list(zip(labels, medians, ratios))
    floor = rows[-2][1][0]
    text = [
        "# The plugin layer: a no-change plan",
        "",
        f"Generated by `make bench` (`scripts/bench_plugin_layer.py`), Terraform {'.'.join(map(str, bench_query.version(tf)))}, load average "
        f"{os.getloadavg()[0]:.1f} at the end: {args.runs} rounds, "
        "each a no-change `terraform plan` of every configuration in turn (after one apply and one warm-up plan "
        "each), release builds, one sandbox. Times are medians; the ratios are the median of each round's ratio "
        "to the first row, so that the machine's drift cancels.",
        "",
        "| configuration | wall (s) | CPU (s) | wall / floor | wall / first row | CPU / first row |",
        "|---|---|---|---|---|---|",
    ]
    for label, (wall, cpu), (wall_ratio, cpu_ratio) in rows:
        text.append(f"| {label} | {wall:.2f} | {cpu:.2f} | {wall / floor:.2f} | {wall_ratio:.2f} | {cpu_ratio:.2f} |")
    text += [
        "",
        "The floor is what any provider on this layer pays for the plan (starting the plugin, the",
        "handshake, one gRPC call per resource and phase, the value codec, and Terraform's own work);",
        "the difference between the provider and the floor is the provider's own work (its one list",
        "request per type and reading each policy back into state).",
        "",
    ]
    page = "\n".join(text)
    print(page)
    if args.write:
        PAGE.write_text(page)


if __name__ == "__main__":
    main()
