#!/usr/bin/env python3
"""Metadata benchmark: create, stat, readdir, rename and unlink of N files, in one directory
or spread over a tree of 100-file directories, by T worker processes (each its own part of
the names). Prints one JSON line per phase: {"phase", "layout", "workers", "files", "seconds",
"ops_per_sec"}.

    metadata.py DIR N WORKERS
"""

import json
import os
import sys
import time
from multiprocessing import Pool


def paths(root, layout, worker, workers, n):
    for i in range(worker, n, workers):
        if layout == "flat":
            yield os.path.join(root, "f%07d" % i)
        else:
            yield os.path.join(root, "d%04d" % (i // 100), "f%07d" % i)


def phase(args):
    name, root, layout, worker, workers, n = args
    count = 0
    for p in paths(root, layout, worker, workers, n):
        if name == "create":
            os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644))
        elif name == "stat":
            os.stat(p)
        elif name == "rename":
            os.rename(p, p + "r")
        elif name == "unlink":
            os.unlink(p + "r")
        count += 1
    return count


def main():
    root, n, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    for layout in ("flat", "tree"):
        base = os.path.join(root, "meta-%s-%d" % (layout, workers))
        os.makedirs(base)
        if layout == "tree":
            for d in range((n + 99) // 100):
                os.mkdir(os.path.join(base, "d%04d" % d))
        with Pool(workers) as pool:
            for name in ("create", "stat", "readdir", "rename", "unlink"):
                start = time.monotonic()
                if name == "readdir":
                    done = 0
                    for _ in range(3):
                        for dirpath, _, files in os.walk(base):
                            done += len(files)
                else:
                    done = sum(pool.map(phase, [(name, base, layout, w, workers, n)
                                                for w in range(workers)]))
                seconds = time.monotonic() - start
                print(json.dumps({"phase": name, "layout": layout, "workers": workers,
                                  "files": n, "seconds": round(seconds, 3),
                                  "ops_per_sec": round(done / seconds)}), flush=True)
        for dirpath, dirs, files in os.walk(base, topdown=False):
            for d in dirs:
                os.rmdir(os.path.join(dirpath, d))
        os.rmdir(base)


if __name__ == "__main__":
    main()
