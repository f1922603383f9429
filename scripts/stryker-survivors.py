#!/usr/bin/env python3
"""Summarises a Stryker.NET JSON report for docs/mutation.md: per-file scores, survivors by mutator, and every
surviving or uncovered mutant (file, line, mutator, replacement).

usage: python3 scripts/stryker-survivors.py REPORT.json [--table]
  without --table: the per-file scores and the by-mutator counts; with it, also one row per survivor.
"""
import collections
import json
import sys


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) >= 2 else 2
    try:
        report = json.load(open(argv[1], encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"stryker-survivors.py: cannot read {argv[1]}: {e}", file=sys.stderr)
        return 2
    table = "--table" in argv[2:]
    files = sorted(report["files"].items())
    total = collections.Counter()
    print("| file | killed | timeout | survived | no coverage | compile errors | score |")
    print("|---|---|---|---|---|---|---|")
    for path, data in files:
        c = collections.Counter(m["status"] for m in data["mutants"])
        total += c
        tested = c["Killed"] + c["Timeout"] + c["Survived"] + c["NoCoverage"]
        if tested == 0:
            continue
        score = 100 * (c["Killed"] + c["Timeout"]) / tested
        print(f"| {path.split('/')[-1]} | {c['Killed']} | {c['Timeout']} | {c['Survived']} | {c['NoCoverage']} | {c['CompileError']} | {score:.2f}% |")
    tested = total["Killed"] + total["Timeout"] + total["Survived"] + total["NoCoverage"]
    print(f"| **all** | {total['Killed']} | {total['Timeout']} | {total['Survived']} | {total['NoCoverage']} | {total['CompileError']} | "
          f"**{100 * (total['Killed'] + total['Timeout']) / tested:.2f}%** |")
    print()
    by = collections.Counter()
    for _, data in files:
        for m in data["mutants"]:
            if m["status"] in ("Survived", "NoCoverage"):
                by[(m["mutatorName"], m["status"])] += 1
    print("| mutator | survived | no coverage |")
    print("|---|---|---|")
    for name in sorted({k[0] for k in by}, key=lambda n: -(by[(n, "Survived")] + by[(n, "NoCoverage")])):
        print(f"| {name} | {by[(name, 'Survived')]} | {by[(name, 'NoCoverage')]} |")
    if table:
        print()
        print("| file | line | mutator | replacement | status |")
        print("|---|---|---|---|---|")
        for path, data in files:
            for m in sorted(data["mutants"], key=lambda m: (m["location"]["start"]["line"], m["mutatorName"])):
                if m["status"] in ("Survived", "NoCoverage"):
                    replacement = " ".join((m.get("replacement") or "").split())[:80].replace("|", "\\|")
                    print(f"| {path.split('/')[-1]} | {m['location']['start']['line']} | {m['mutatorName']} | `{replacement}` | {m['status']} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
