#!/usr/bin/env python3
"""Compares sett's tuned value threshold with the pinned ones from bench/threshold_matrix.sh:
one row per workload, the median ops/s of each setting, and the tuned figure over the best
pinned one.

    bench/threshold_report.py OUT.jsonl     prints a Markdown table
"""

import json
import re
import statistics
import sys


def setting(run):
    options = run.get("options", "")
    if "value_threshold_tuned=1" in options:
        return "tuned"
    m = re.search(r"value_threshold=(\d+)", options)
    return "pinned %s" % (m.group(1) if m else "?")


def rows(runs):
    """(workload label, metric name, setting) -> list of figures."""
    table = {}
    for run in runs:
        w = run["workload"]
        if w == "hotkey":
            name = "hot keys: %d of 1 KiB" % run["hot_keys"]
            metrics = [("writes/s", run["writes_per_sec"]), ("reads/s", run["reads_per_sec"])]
        else:
            name = w
            metrics = [("ops/s", run["ops_per_sec"])]
        for metric, value in metrics:
            table.setdefault((name, metric), {}).setdefault(setting(run), []).append(value)
    return table


def main():
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 2
    with open(sys.argv[1]) as f:
        runs = [json.loads(line) for line in f if line.startswith("{")]
    table = rows(runs)
    settings = sorted({s for per in table.values() for s in per}, key=lambda s: (s != "tuned", s))
    print("| workload | metric | " + " | ".join(settings) + " | tuned / best pinned |")
    print("|---" * (len(settings) + 3) + "|")
    for (name, metric), per in table.items():
        medians = {s: statistics.median(v) for s, v in per.items()}
        pinned = [v for s, v in medians.items() if s != "tuned"]
        ratio = "%.2f" % (medians["tuned"] / max(pinned)) if "tuned" in medians and pinned else "-"
        cells = ["{:,.0f}".format(medians[s]) if s in medians else "-" for s in settings]
        print("| %s | %s | %s | %s |" % (name, metric, " | ".join(cells), ratio))
    return 0


if __name__ == "__main__":
    sys.exit(main())
