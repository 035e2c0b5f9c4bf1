#!/usr/bin/env python3
"""Validate a memlens report against the JSON Schema.

usage: validate_report.py SCHEMA REPORT.json
exit 0: valid; exit 1: invalid or unreadable, with one line on stderr saying where and why;
exit 2: bad usage.
"""
import json
import sys


def where(path):
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out or "(top level)"


def load(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except OSError as e:
        raise SystemExit(fail(f"{path}: cannot read {what}: {e.strerror}"))
    except json.JSONDecodeError as e:
        raise SystemExit(fail(f"{path}: {what} is not valid JSON (line {e.lineno}, column {e.colno})"))


def fail(message):
    print(message.replace("\n", " "), file=sys.stderr)
    return 1


def main(argv):
    if len(argv) != 3:
        print("usage: validate_report.py SCHEMA REPORT.json", file=sys.stderr)
        return 2
    try:
        import jsonschema
    except ImportError:
        return fail("python3-jsonschema is not installed (apt-get install python3-jsonschema)")
    schema = load(argv[1], "schema")
    report = load(argv[2], "report")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errors = sorted(cls(schema).iter_errors(report), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        return fail(f"{argv[2]}: {where(e.absolute_path)}: {e.message}{more}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
