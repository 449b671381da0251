#!/usr/bin/env bash
# Runs the filesystem benchmark against its targets in turn: the host directory (no FUSE),
# the same kind of directory through bindfs (a plain FUSE passthrough) and through libfuse's
# passthrough_hp (the FUSE limit; with PASSTHROUGH_HP set to its binary, which
# bench/fs/build_passthrough_hp.sh builds), and settfs with its database on the host, plain and
# encrypted, and on a private PostgreSQL server where one is installed; fio jobs
# (bench/fs/jobs) with 1 and 4 jobs, then the metadata benchmark (bench/fs/metadata.py) with 1
# and 4 workers. Appends one JSON line per figure to OUT. As root.
#
#   [PASSTHROUGH_HP=BIN] [FS_TARGETS="..."] [SIZE=1g ...] bench/fs_matrix.sh SETTFS_BIN WORKDIR OUT [--quick]
set -euo pipefail
settfs="$1" work="$2" out="$3"
quick="${4:-}"
here="$(cd "$(dirname "$0")" && pwd)"

# SIZE, RUNTIME, NRFILES, SMALLSIZE (the fio jobs') and META_FILES override the presets.
if [[ "$quick" == "--quick" ]]; then
  preset=(32m 3 200 8m 5000)
else
  preset=(256m 10 1000 40m 100000)
fi
export SIZE="${SIZE:-${preset[0]}}" RUNTIME="${RUNTIME:-${preset[1]}}"
export NRFILES="${NRFILES:-${preset[2]}}" SMALLSIZE="${SMALLSIZE:-${preset[3]}}"
meta_files="${META_FILES:-${preset[4]}}"

targets=(host bindfs settfs settfs-encrypted)
mkdir -p "$work/host" "$work/bindfs-src" "$work/bindfs" "$work/settfs" "$work/settfs-encrypted"
cleanup() {
  for mounted in bindfs passthrough_hp settfs settfs-encrypted settfs-postgresql; do
    fusermount3 -u -q "$work/$mounted" 2>/dev/null || true
  done
  if [[ -n "${pg_bin:-}" && -d "$work/pg/data" ]]; then
    sleep 1  # The daemon lets go of its connections as it exits.
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
bindfs "$work/bindfs-src" "$work/bindfs"
if [[ -n "${PASSTHROUGH_HP:-}" ]]; then
  mkdir -p "$work/passthrough_hp-src" "$work/passthrough_hp"
  "$PASSTHROUGH_HP" "$work/passthrough_hp-src" "$work/passthrough_hp"
  targets=(host bindfs passthrough_hp settfs settfs-encrypted)
else
  echo "fs_matrix: PASSTHROUGH_HP not set: no passthrough_hp figures" >&2
fi
"$settfs" mount "$work/settfs-db" "$work/settfs" -o mkfs >/dev/null
# settfs on PostgreSQL, where the server is installed: a private one in $work/pg, on a unix
# socket, with its default settings (durable commits; settfs asks for synchronous ones only
# at fsync and every commit= seconds, as on its own engine).
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -n 1)"
as_pg=()
if [[ -n "$pg_bin" ]]; then
  mkdir -p "$work/pg" "$work/settfs-postgresql"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$work/pg"
    as_pg=(runuser -u postgres --)
  fi
  "${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg/data" -A trust -U postgres >/dev/null
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
    -o "-k $work/pg -c listen_addresses=" start >/dev/null
  "$settfs" mount "postgresql:///postgres?host=$work/pg&user=postgres" \
    "$work/settfs-postgresql" >/dev/null
  targets+=(settfs-postgresql)
else
  echo "fs_matrix: PostgreSQL's server is not installed: no settfs-postgresql figures" >&2
fi
# The same, encrypted (settfs mkfs --encrypt).
(umask 077 && openssl rand -hex 32 >"$work/settfs.key")
"$settfs" mkfs "$work/settfs-encrypted-db" --encrypt --key-file "$work/settfs.key" >/dev/null
"$settfs" mount "$work/settfs-encrypted-db" "$work/settfs-encrypted" -o "keyfile=$work/settfs.key" \
  >/dev/null

# FS_TARGETS="settfs settfs-postgresql" measures only those (of the ones mounted above).
if [[ -n "${FS_TARGETS:-}" ]]; then
  read -r -a targets <<<"$FS_TARGETS"
fi

drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }

# One fio run; its summary as a JSON line.
fio_job() {  # target dir job numjobs
  local target="$1" dir="$2" job="$3" jobs="$4"
  JOBS="$jobs" fio --directory="$dir" --output-format=json --output="$work/fio.json" \
    "$here/fs/jobs/$job.fio" >/dev/null
  python3 - "$work/fio.json" "$target" "$job" "$jobs" >>"$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["jobs"][0]
side = d["write"] if d["write"]["io_bytes"] > d["read"]["io_bytes"] else d["read"]
p99 = side.get("clat_ns", {}).get("percentile", {}).get("99.000000", 0) / 1000
print(json.dumps({"kind": "fio", "target": sys.argv[2], "job": sys.argv[3],
                  "numjobs": int(sys.argv[4]), "mb_per_sec": round(side["bw_bytes"] / 1e6, 2),
                  "iops": round(side["iops"]), "p99_us": round(p99, 1)}))
PY
}

for jobs in 1 4; do
  for target in "${targets[@]}"; do
    dir="$work/$target/fio-$jobs"
    mkdir -p "$dir"
    echo "fio, $jobs job(s), $target" >&2
    fio_job "$target" "$dir" seqwrite "$jobs"
    drop_caches
    fio_job "$target" "$dir" seqread "$jobs"
    drop_caches
    fio_job "$target" "$dir" randread "$jobs"
    fio_job "$target" "$dir" randwrite "$jobs"
    fio_job "$target" "$dir" randwrite-fsync "$jobs"
    mkdir -p "$dir/small"
    fio_job "$target" "$dir/small" smallfiles "$jobs"
    rm -rf "$dir"
  done
done

for workers in 1 4; do
  for target in "${targets[@]}"; do
    echo "metadata, $workers worker(s), $target" >&2
    python3 "$here/fs/metadata.py" "$work/$target" "$meta_files" "$workers" |
      python3 -c '
import json, sys
for line in sys.stdin:
    d = json.loads(line); d["kind"] = "metadata"; d["target"] = sys.argv[1]; print(json.dumps(d))
' "$target" >>"$out"
  done
done
