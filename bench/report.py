#!/usr/bin/env python3
"""Turns the engine benchmark's JSON lines into report.md (absolute figures and sett/peer
ratios per value size) and a PNG of the ratios per value size.

    bench/report.py RESULTS_DIR        reads RESULTS_DIR/engine.jsonl, writes report.md, *.png
"""

import json
import os
import platform
import statistics
import sys

BACKENDS = ["sett", "badger", "rocksdb", "leveldb", "lmdb"]
PEERS = BACKENDS[1:]


def label(run):
    """The row a run belongs to."""
    w = run["workload"]
    data_gib = run["num"] * run["value_size"] / (1 << 30)
    if w == "fillrandom" and data_gib >= 1:
        return "fillrandom, %.0f GiB" % data_gib
    if w == "fillrandom" and run["batch"] > 1:
        return "fillrandom batch %d" % run["batch"]
    if w == "fillrandom" and run.get("writers", 1) > 1:
        return "fillrandom, %d writers" % run["writers"]
    if w == "readrandom" and run["cache_mb"] < 64:
        return "readrandom, %d MiB cache, %d readers" % (run["cache_mb"], run["readers"])
    if w == "readrandom" and run["readers"] > 1:
        return "readrandom, %d readers" % run["readers"]
    if w == "readrandom":
        return "readrandom (warm)"
    return w


ORDER = ["fillseq", "fillrandom", "fillrandom batch 100", "fillrandom, 4 writers", "fillrandom, 4 GiB",
         "overwrite", "readrandom (warm)", "readrandom, 2 readers", "readrandom, 4 readers",
         "readrandom, 8 MiB cache, 2 readers", "readmissing", "readseq", "readwhilewriting",
         "fillsync"]

FILLS = ("fillseq", "fillrandom", "fillrandom batch 100", "fillrandom, 4 writers", "fillrandom, 4 GiB",
         "overwrite")


def fmt(x):
    if x >= 100:
        return "{:,.0f}".format(x)
    return "{:.2f}".format(x)


def table(rows, header):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def metric(run):
    """Throughput: MB/s for a scan, ops/s otherwise."""
    return run["mb_per_sec"] if run["workload"] == "readseq" else run["ops_per_sec"]


TARGETS = ["host", "bindfs", "passthrough_hp", "settfs", "settfs-encrypted", "settfs-postgresql"]
# settfs against each of these; a target a run did not measure shows as "-".
FS_PEERS = ["host", "bindfs", "passthrough_hp"]
FIO_ORDER = ["seqwrite", "seqread", "randread", "randwrite", "randwrite-fsync", "smallfiles"]
META_ORDER = ["create", "stat", "readdir", "rename", "unlink"]


def settfs_ratios(got, value):
    """settfs's figure over each peer's, "-" where the peer was not measured."""
    s = value(got["settfs"])
    return ["%.2fx" % (s / value(got[p])) if got.get(p) and value(got[p]) else "-"
            for p in FS_PEERS]


def filesystem_section(rows):
    """Tables for the filesystem half: fio MB/s and IOPS, metadata ops/s, and settfs ratios."""
    out = ["## Filesystem", "",
           "Targets: `host` is the directory the databases live on (no FUSE), `bindfs` the same "
           "kind of directory through bindfs (a plain FUSE passthrough), `passthrough_hp` "
           "through libfuse's high-performance passthrough example (the FUSE limit), `settfs` a "
           "settfs mount with its database on the host, `settfs-encrypted` the same with "
           "`settfs mkfs --encrypt`, `settfs-postgresql` a settfs mount of a database on a "
           "private PostgreSQL server on the same disk (unix socket, its default settings). "
           "fio jobs in `bench/fs/jobs/` (caches "
           "dropped before the sequential and random reads); metadata by "
           "`bench/fs/metadata.py`.", ""]
    ratio_heads = ["settfs / %s" % p for p in FS_PEERS]
    fio = {(r["job"], r["numjobs"], r["target"]): r for r in rows if r["kind"] == "fio"}
    lines = []
    for jobs in (1, 4):
        for job in FIO_ORDER:
            got = {t: fio.get((job, jobs, t)) for t in TARGETS}
            if not got["settfs"] or not got["host"]:
                continue
            lines.append(["%s, %d job%s" % (job, jobs, "s" if jobs > 1 else "")] +
                         ["%s MB/s, %s IOPS" % (fmt(g["mb_per_sec"]), fmt(g["iops"])) if g else "-"
                          for g in got.values()] +
                         settfs_ratios(got, lambda r: r["mb_per_sec"]))
    if lines:
        out += ["fio:", "", table(lines, ["job"] + TARGETS + ratio_heads), ""]
    meta = {(r["phase"], r["layout"], r["workers"], r["target"]): r for r in rows
            if r["kind"] == "metadata"}
    lines = []
    for workers in (1, 4):
        for layout in ("flat", "tree"):
            for phase in META_ORDER:
                got = {t: meta.get((phase, layout, workers, t)) for t in TARGETS}
                if not got["settfs"] or not got["host"]:
                    continue
                files = got["host"]["files"]
                lines.append(["%s, %s %s files, %d worker%s" % (
                    phase, "one directory of" if layout == "flat" else "a tree of", fmt(files),
                    workers, "s" if workers > 1 else "")] +
                    [fmt(g["ops_per_sec"]) if g else "-" for g in got.values()] +
                    settfs_ratios(got, lambda r: r["ops_per_sec"]))
    if lines:
        out += ["Metadata (operations per second):", "",
                table(lines, ["phase"] + TARGETS + ratio_heads), ""]
    return out


def postgres_section(rows):
    """settfs on PostgreSQL against settfs on its own engine: each fio job and metadata phase."""
    pg, local = "settfs-postgresql", "settfs"
    fio = {(r["job"], r["numjobs"], r["target"]): r for r in rows if r["kind"] == "fio"}
    meta = {(r["phase"], r["layout"], r["workers"], r["target"]): r for r in rows
            if r["kind"] == "metadata"}
    lines = []
    for jobs in (1, 4):
        for job in FIO_ORDER:
            a, b = fio.get((job, jobs, pg)), fio.get((job, jobs, local))
            if a and b and b["mb_per_sec"]:
                lines.append(["fio %s, %d job%s (MB/s)" % (job, jobs, "s" if jobs > 1 else ""),
                              fmt(b["mb_per_sec"]), fmt(a["mb_per_sec"]),
                              "%.2fx" % (a["mb_per_sec"] / b["mb_per_sec"])])
    for workers in (1, 4):
        for layout in ("flat", "tree"):
            for phase in META_ORDER:
                a = meta.get((phase, layout, workers, pg))
                b = meta.get((phase, layout, workers, local))
                if a and b and b["ops_per_sec"]:
                    lines.append(["%s, %s, %d worker%s (ops/s)" % (
                        phase, layout, workers, "s" if workers > 1 else ""),
                        fmt(b["ops_per_sec"]), fmt(a["ops_per_sec"]),
                        "%.2fx" % (a["ops_per_sec"] / b["ops_per_sec"])])
    if not lines:
        return []
    return ["## settfs on PostgreSQL", "",
            "The same jobs on a settfs mount of a PostgreSQL database (`settfs mount "
            "postgresql://...`) against settfs on its own engine, from the tables above.", "",
            table(lines, ["job", "settfs", "settfs on PostgreSQL", "PostgreSQL / sett"]), ""]


def encryption_section(rows):
    """sett encrypted against plain: medians per workload and value size, and the ratio."""
    groups = {}
    for r in rows:
        encrypted = "encrypted=1" in r.get("options", "")
        groups.setdefault((r["workload"], r["value_size"], encrypted), []).append(r["ops_per_sec"])
    lines = []
    for (workload, size, encrypted) in sorted(groups):
        if encrypted:
            continue
        plain = statistics.median(groups[(workload, size, False)])
        enc = groups.get((workload, size, True))
        if not enc:
            continue
        enc = statistics.median(enc)
        lines.append(["%s, %d B" % (workload, size), fmt(plain), fmt(enc), "%.2fx" % (enc / plain)])
    if not lines:
        return []
    return ["## Encryption at rest", "",
            "sett with `Options::encryption_key` (AES-256-GCM) against none, "
            "`bench/encryption_matrix.sh`; medians, operations per second.", "",
            table(lines, ["workload", "plain", "encrypted", "encrypted / plain"]), ""]


YCSB_ORDER = ["load", "A", "B", "C", "D", "E", "F"]


def is_skewed(run):
    return run["workload"].startswith("ycsb") or run["workload"] == "hotkey"


def skewed_section(runs):
    """YCSB and hot-key tables: ops/s per engine and sett / peer."""
    ycsb = {}
    for r in runs:
        if r["workload"].startswith("ycsb"):
            ycsb.setdefault((r["workload"][5:], r["backend"]), []).append(r["ops_per_sec"])
    rounds = max((len(v) for v in ycsb.values()), default=1)
    out = ["## Skewed workloads", "",
           "YCSB core workloads on 1 KiB records (`peer_bench --workload ycsb`: the load, then "
           "each workload for the same time on the same data, one client thread; zipfian keys, "
           "latest for D, scans of 1-100 records for E). %s" % rounds_note(rounds), ""]
    rows = []
    for w in YCSB_ORDER:
        got = {b: ycsb.get((w, b)) for b in BACKENDS}
        if got["sett"]:
            rows.append([w] + median_row(got, lambda x: x) + [spread(got["sett"])])
    out += [table(rows, ["workload"] + BACKENDS + ["sett / " + p for p in PEERS] +
                  ["sett's runs"]), ""]
    hot = {}
    for r in runs:
        if r["workload"] == "hotkey":
            hot.setdefault((r["hot_keys"], r["value_size"], r["backend"]), []).append(r)
    rows = []
    for size in sorted({k[1] for k in hot}):
        for keys in sorted({k[0] for k in hot}):
            got = {b: hot.get((keys, size, b)) for b in BACKENDS}
            if not got["sett"]:
                continue
            for side in ("writes", "reads"):
                f = side + "_per_sec"
                rows.append(["%d key%s of %d B, %s/s" % (keys, "s" if keys > 1 else "", size, side)] +
                            median_row(got, lambda r: r[f]) +
                            [spread([r[f] for r in got["sett"]])])
    out += ["Hot keys (`peer_bench --workload hotkey`: one thread overwrites the keys as fast as "
            "it can while one reader reads them):", "",
            table(rows, ["keys, side"] + BACKENDS + ["sett / " + p for p in PEERS] +
                  ["sett's runs"]), ""]
    return out


def rounds_note(rounds):
    if rounds <= 1:
        return "One run each."
    return ("Medians of %d rounds in which the engines took turns; the last column gives the "
            "range of sett's own runs." % rounds)


def median_row(got, value):
    """Median per backend of value(run) over its runs, then sett's median over each peer's."""
    med = {b: statistics.median([value(r) for r in got[b]]) if got[b] else None for b in BACKENDS}
    return ([fmt(med[b]) if med[b] is not None else "-" for b in BACKENDS] +
            ["%.2fx" % (med["sett"] / med[p]) if med[p] else "-" for p in PEERS])


def spread(values):
    return fmt(min(values)) + " - " + fmt(max(values)) if len(values) > 1 else "-"


def hot_rewrites_section(rows):
    """fsx block times and fio rewrite IOPS per 10 s, host against settfs, and the space left."""
    out = ["## Hot rewrites", ""]
    fsx = [r for r in rows if r["kind"] == "fsx"]
    if fsx:
        total = {r["target"]: r["total_seconds"] for r in fsx}
        blocks = {}
        for r in fsx:
            blocks.setdefault(r["target"], []).append(r["interval_seconds"])
        lines = []
        for t in ("host", "settfs"):
            if t in blocks:
                b = blocks[t]
                lines.append([t, fmt(total[t]), fmt(b[0]), fmt(b[-1]), fmt(min(b)), fmt(max(b))])
        ops = max(r["ops"] for r in fsx)
        out += ["fsx (`build-bench/bin/fsx`, %s operations on one file of at most 256 KiB, the "
                "whole file checked after each; seconds per block of %s operations):" % (
                    fmt(ops), fmt(fsx[0]["ops"])), "",
                table(lines, ["target", "total s", "first block", "last block", "fastest",
                              "slowest"]), ""]
        if "host" in total and "settfs" in total:
            out += ["settfs / host time: %.2fx" % (total["settfs"] / total["host"]), ""]
    rw = [r for r in rows if r["kind"] == "rewrite"]
    if rw:
        series = {}
        for r in rw:
            series.setdefault(r["target"], []).append(r["iops"])
        lines = []
        for t, s in series.items():
            first, last = sum(s[:2]) / len(s[:2]), sum(s[-2:]) / len(s[-2:])
            lines.append([t, " ".join(fmt(x) for x in s), fmt(first), fmt(last),
                          "%.2fx" % (last / first)])
        out += ["fio random 4 KiB rewrites of one file (`bench/fs/rewrite.sh`), IOPS per 10 s:", "",
                table(lines, ["target", "per 10 s", "first 20 s", "last 20 s", "last / first"]),
                ""]
    space = [r for r in rows if r["kind"] == "rewrite_space"]
    if space:
        lines = [["%d s" % r["idle_seconds"], "%.1f MiB" % (r["db_bytes"] / 1048576.0),
                  "%.2fx" % (r["db_bytes"] / r["file_bytes"])] for r in space]
        out += ["settfs's database after the rewrites, idle (file %.0f MiB):" % (
                    space[0]["file_bytes"] / 1048576.0), "",
                table(lines, ["idle for", "database", "database / file"]), ""]
    return out


def main():
    results = sys.argv[1]
    engine_path = os.path.join(results, "engine.jsonl")  # Absent for a filesystem-only run.
    all_runs = ([json.loads(l) for l in open(engine_path) if l.strip()]
                if os.path.exists(engine_path) else [])
    runs = [r for r in all_runs if not is_skewed(r)]
    by = {}
    for r in runs:
        by[(r["value_size"], label(r), r["backend"])] = r
    sizes = sorted({r["value_size"] for r in runs})
    out = ["# Benchmark report", "",
           "Machine: %s, %s, %d cores. Each figure is one process running one workload "
           "(`build-bench/bin/peer_bench`; for Badger its Go twin `bench/engine/badger`, on "
           "Debian's Badger v2.2007, not the v4 sett follows), engines alternating within each "
           "workload; "
           "commands in `scripts/bench.sh` and `bench/engine_matrix.sh`." % (
               platform.node(), platform.processor() or platform.machine(), os.cpu_count()),
           "",
           "Throughput is ops/s (readseq: MB/s). Ratios are sett / peer: above 1 means sett "
           "is faster (for amplification, below 1 means sett writes or keeps less).", ""]
    options = {}
    for r in runs:
        options.setdefault(r["backend"], r["options"])
    out.append("Options used:")
    out.append("")
    for b in BACKENDS:
        if b in options:
            out.append("- %s: `%s`" % (b, options[b]))
    out.append("")
    plots = []
    for size in sizes:
        out.append("## Values of %d bytes" % size)
        out.append("")
        rows, ratio_rows, amp_rows, wa_rows, lat_rows = [], [], [], [], []
        for name in ORDER:
            got = {b: by.get((size, name, b)) for b in BACKENDS}
            if not got["sett"]:
                continue
            rows.append([name] + [fmt(metric(got[b])) if got[b] else "-" for b in BACKENDS])
            ratio_rows.append([name] + [
                "%.2fx" % (metric(got["sett"]) / metric(got[p])) if got[p] and metric(got[p]) else "-"
                for p in PEERS])
            lat_rows.append([name] + ["%s / %s / %s" % (fmt(got[b]["p50_us"]), fmt(got[b]["p99_us"]),
                                                         fmt(got[b]["p999_us"])) if got[b] else "-"
                                      for b in BACKENDS])
            if name in FILLS:
                wa_rows.append([name] + [
                    "%.2fx" % (got["sett"]["write_amp"] / got[p]["write_amp"])
                    if got[p] and got[p]["write_amp"] else "-" for p in PEERS])
                amp_rows.append([name] + ["%.2f / %.2f / %.2f / %.0f MiB" % (
                    got[b]["write_amp"], got[b]["wchar_amp"], got[b]["space_amp"],
                    got[b]["peak_rss_mb"]) if got[b] else "-" for b in BACKENDS])
        out += ["Throughput:", "", table(rows, ["workload"] + BACKENDS), ""]
        out += ["sett / peer:", "", table(ratio_rows, ["workload"] + ["vs " + p for p in PEERS]), ""]
        out += ["Write amplification by `write_bytes` (what reached the disk: pages written "
                "back after the process ended, or never because the file was deleted first, are "
                "not counted) / by `wchar` (bytes handed to write()) / space amplification "
                "(directory / live bytes, uncompressed) / peak RSS:", "",
                table(amp_rows, ["workload"] + BACKENDS), ""]
        out += ["Write amplification (`write_bytes`), sett / peer:", "",
                table(wa_rows, ["workload"] + ["vs " + p for p in PEERS]), ""]
        out += ["Latency p50 / p99 / p99.9 (µs):", "", table(lat_rows, ["workload"] + BACKENDS), ""]
        plots.append((size, ratio_rows))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        for size, ratio_rows in plots:
            fig, ax = plt.subplots(figsize=(10, 4.5))
            names = [r[0] for r in ratio_rows]
            width = 0.8 / len(PEERS)
            for i, p in enumerate(PEERS):
                vals = [float(r[i + 1][:-1]) if r[i + 1] != "-" else 0 for r in ratio_rows]
                ax.bar([x + i * width for x in range(len(names))], vals, width, label="sett / " + p)
            ax.axhline(1.0, color="black", linewidth=0.8)
            ax.set_xticks([x + width for x in range(len(names))])
            ax.set_xticklabels(names, rotation=30, ha="right", fontsize=8)
            ax.set_ylabel("throughput ratio")
            ax.set_title("sett against its peers, %d-byte values" % size)
            ax.legend(fontsize=8)
            fig.tight_layout()
            png = "engine-ratios-%d.png" % size
            fig.savefig(os.path.join(results, png), dpi=90)
            out.append("![sett / peers, %d-byte values](%s)" % (size, png))
            out.append("")
    except ImportError:
        out.append("(no plots: python3-matplotlib is not installed)")
    if any(is_skewed(r) for r in all_runs):
        out += skewed_section([r for r in all_runs if is_skewed(r)])
    enc_path = os.path.join(results, "encryption.jsonl")
    if os.path.exists(enc_path):
        out += encryption_section([json.loads(l) for l in open(enc_path) if l.strip()])
    fs_path = os.path.join(results, "fs.jsonl")
    if os.path.exists(fs_path):
        fs_rows = [json.loads(l) for l in open(fs_path) if l.strip()]
        if any(r["kind"] in ("fio", "metadata") for r in fs_rows):
            out += filesystem_section(fs_rows)
            out += postgres_section(fs_rows)
        if any(r["kind"] in ("fsx", "rewrite", "rewrite_space") for r in fs_rows):
            out += hot_rewrites_section(fs_rows)
    with open(os.path.join(results, "report.md"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
