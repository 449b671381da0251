#!/usr/bin/env python3
"""Compares sett's self-tuned parameters with the same parameters pinned. Each file holds the
JSON lines of one matrix: bench/threshold_matrix.sh (the value threshold tuned, or pinned at N
bytes) or bench/gc_pace_matrix.sh (value-log GC paced, or in rounds every N s). Prints one
table per file: a row per workload and metric, the median of each setting, and the tuned
figure over the best pinned one (for sizes on disk, the smallest is the best).

    bench/tuning_report.py FILE.jsonl...
"""

import json
import re
import statistics
import sys

# What each parameter's pinned runs say in sett's option line.
PINS = {
    "value threshold": (r"value_threshold_tuned=0", r"value_threshold=(\d+)", "pinned %s B"),
    "value-log GC": (r"gc_paced=0", r"gc_interval=(\d+)", "every %s s"),
}


def setting(run, parameter):
    pinned, value, label = PINS[parameter]
    options = run.get("options", "")
    if not re.search(pinned, options):
        return "tuned"
    m = re.search(value, options)
    return label % (m.group(1) if m else "?")


def metrics(run):
    if run["workload"] != "hotkey":
        yield run["workload"], "ops/s", run["ops_per_sec"]
        return
    name = "hot keys: %d of %d B" % (run["hot_keys"], run["value_size"])
    yield name, "writes/s", run["writes_per_sec"]
    yield name, "reads/s", run["reads_per_sec"]
    yield name, "MiB on disk at the end", run["dir_bytes"] / (1 << 20)


def print_table(parameter, runs):
    table = {}
    for run in runs:
        for name, metric, value in metrics(run):
            table.setdefault((name, metric), {}).setdefault(setting(run, parameter), []).append(value)
    settings = sorted({s for per in table.values() for s in per},
                      key=lambda s: (s != "tuned", len(s), s))
    print("\n%s\n" % parameter)
    print("| workload | metric | " + " | ".join(settings) + " | tuned / best pinned |")
    print("|---" * (len(settings) + 3) + "|")
    for (name, metric), per in table.items():
        medians = {s: statistics.median(v) for s, v in per.items()}
        pinned = [v for s, v in medians.items() if s != "tuned"]
        smaller_is_better = metric.startswith("MiB")
        ratio = "-"
        if "tuned" in medians and pinned:
            best = min(pinned) if smaller_is_better else max(pinned)
            tuned = medians["tuned"]
            if smaller_is_better:
                ratio = "%.2f" % (max(best, 1) / max(tuned, 1))
            elif best:
                ratio = "%.2f" % (tuned / best)
        cells = ["{:,.0f}".format(medians[s]) if s in medians else "-" for s in settings]
        print("| %s | %s | %s | %s |" % (name, metric, " | ".join(cells), ratio))


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 2
    for path in sys.argv[1:]:
        with open(path) as f:
            runs = [json.loads(line) for line in f if line.startswith("{")]
        parameter = next((p for p, (pinned, _, _) in PINS.items()
                          if any(re.search(pinned, r.get("options", "")) for r in runs)), None)
        if parameter is None:
            print("%s: no pinned runs to compare with" % path, file=sys.stderr)
            return 1
        print_table(parameter, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
