#!/usr/bin/env python3
"""Checks the Grafana dashboard and the alert rules against what memlens exports.

usage: prometheus_dashboard_check.py DASHBOARD.json ALERTS.yml SERVER_SRC_DIR

The dashboard must be valid JSON with panels that each carry a Prometheus query, and every
memlens_* metric named in it or in the rules must be one the server emits (found as a string
literal in the server's sources), so a renamed metric fails here instead of in production.
"""
import json
import pathlib
import re
import sys


def main() -> int:
    dashboard_path, rules_path, server_dir = sys.argv[1:4]
    dashboard = json.loads(pathlib.Path(dashboard_path).read_text())
    panels = dashboard.get("panels", [])
    if not panels:
        print("dashboard has no panels")
        return 1
    exprs = []
    for p in panels:
        targets = p.get("targets") or []
        if not targets or not all(t.get("expr") for t in targets):
            print(f"panel {p.get('title')!r} has no query")
            return 1
        exprs += [t["expr"] for t in targets]
    rules = pathlib.Path(rules_path).read_text()
    used = set(re.findall(r"\bmemlens_[a-z_]+", " ".join(exprs) + rules))
    exported = set()
    for src in pathlib.Path(server_dir).glob("*.cpp"):
        exported |= set(re.findall(r'"(memlens_[a-z_]+)"', src.read_text()))
    if not exported:
        print(f"no metric names found in {server_dir} (server not written yet?)")
        return 77
    missing = sorted(used - exported)
    if missing:
        print("metrics used but not exported by memlens: " + ", ".join(missing))
        return 1
    print(f"ok: {len(panels)} panels, {len(used)} metrics, all exported")
    return 0


if __name__ == "__main__":
    sys.exit(main())
