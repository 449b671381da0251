#!/usr/bin/env python3
"""Compares value-log compression with none, from the JSON lines of
bench/value_compression_matrix.sh: per value size, sett and RocksDB's BlobDB with no, snappy
and zstd value compression. Prints the medians (fill and read ops/s, MiB on disk after the
fill, bytes written per byte of data) and each codec's ratio to none of the same engine, and
sett's to RocksDB's with the same codec.

    bench/value_compression_report.py FILE.jsonl...
"""

import json
import re
import statistics
import sys

CODECS = ["none", "snappy", "zstd"]


def codec_of(run):
    options = run.get("options", "")
    m = re.search(r"value_compression=(\w+)", options) or re.search(r"blob_compression=(\w+)",
                                                                     options)
    return m.group(1) if m else None


def collect(runs):
    """(size, metric) -> (backend, codec) -> [values]"""
    table = {}
    for run in runs:
        codec = codec_of(run)
        if codec is None:
            continue
        key = (run["backend"], codec)
        size = run["value_size"]
        if run["workload"] == "fillrandom":
            rows = [("fill ops/s", run["ops_per_sec"]),
                    ("MiB on disk", run["dir_bytes"] / (1 << 20)),
                    ("write amplification", run["write_amp"])]
        elif run["workload"] == "readrandom":
            rows = [("read ops/s", run["ops_per_sec"])]
        else:
            continue
        for metric, value in rows:
            table.setdefault((size, metric), {}).setdefault(key, []).append(value)
    return table


def ratio(a, b):
    return "%.2f" % (a / b) if a is not None and b else "-"


def print_table(table):
    columns = [(b, c) for b in ("sett", "rocksdb") for c in CODECS]
    print("| value size | metric | " + " | ".join("%s %s" % c for c in columns) +
          " | sett snappy / none | sett zstd / none | sett / rocksdb snappy |"
          " sett / rocksdb zstd |")
    print("|---" * (len(columns) + 6) + "|")
    for (size, metric), per in sorted(table.items()):
        med = {k: statistics.median(v) for k, v in per.items()}
        cells = ["{:,.1f}".format(med[c]) if c in med else "-" for c in columns]
        get = med.get
        print("| %d B | %s | %s | %s | %s | %s | %s |" % (
            size, metric, " | ".join(cells),
            ratio(get(("sett", "snappy")), get(("sett", "none"))),
            ratio(get(("sett", "zstd")), get(("sett", "none"))),
            ratio(get(("sett", "snappy")), get(("rocksdb", "snappy"))),
            ratio(get(("sett", "zstd")), get(("rocksdb", "zstd")))))


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 2
    runs = []
    for path in sys.argv[1:]:
        with open(path) as f:
            runs += [json.loads(line) for line in f if line.startswith("{")]
    table = collect(runs)
    if not table:
        print("no value-compression runs in %s" % " ".join(sys.argv[1:]), file=sys.stderr)
        return 1
    print_table(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
