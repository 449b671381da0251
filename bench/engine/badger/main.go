// peer_bench for BadgerDB: the Go twin of bench/engine/peer_bench.cc, for Debian's Badger v2
// package. The same keys, values, key orders, workloads and JSON line as the C++ harness (the
// random sequences come from the same 64-bit Mersenne Twister, seeded alike), so that its runs
// sit beside the other engines' in one report. The YCSB and hot-key workloads are not here.
//
//	badger_bench --workload fillrandom --num 1000000 --value-size 100 --dir D
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	badger "github.com/dgraph-io/badger/v2"
	"github.com/dgraph-io/badger/v2/options"
)

// mt19937_64 is std::mt19937_64: the C++ harness draws its key orders and value bytes from it.
type mt19937_64 struct {
	state [312]uint64
	index int
}

func newMT(seed uint64) *mt19937_64 {
	m := &mt19937_64{index: 312}
	m.state[0] = seed
	for i := 1; i < 312; i++ {
		prev := m.state[i-1]
		m.state[i] = 6364136223846793005*(prev^(prev>>62)) + uint64(i)
	}
	return m
}

func (m *mt19937_64) next() uint64 {
	const upper, lower = 0xFFFFFFFF80000000, 0x7FFFFFFF
	if m.index >= 312 {
		for i := 0; i < 312; i++ {
			x := (m.state[i] & upper) | (m.state[(i+1)%312] & lower)
			xa := x >> 1
			if x&1 != 0 {
				xa ^= 0xB5026F5AA96619E9
			}
			m.state[i] = m.state[(i+156)%312] ^ xa
		}
		m.index = 0
	}
	y := m.state[m.index]
	m.index++
	y ^= (y >> 29) & 0x5555555555555555
	y ^= (y << 17) & 0x71D67FFFEDA60000
	y ^= (y << 37) & 0xFFF7EEE000000000
	y ^= y >> 43
	return y
}

type args struct {
	workload         string
	dir              string
	num              uint64
	valueSize        uint64
	batch            uint64
	writers          int
	readers          int
	duration         float64
	seed             uint64
	cacheMB, memMB   uint64
	sync, noCompress bool
}

func key(index uint64) []byte { return []byte(fmt.Sprintf("%016x", index)) }

// values: the first half a slice of a random buffer, the rest one repeated letter.
type values struct {
	size   uint64
	random []byte
}

func newValues(size, seed uint64) *values {
	rng := newMT(seed)
	v := &values{size: size, random: make([]byte, (1<<20)+size)}
	for i := range v.random {
		v.random[i] = byte(rng.next())
	}
	return v
}

func (v *values) fill(index uint64) []byte {
	half := v.size / 2
	offset := (index * 7919) % (uint64(len(v.random)) - half)
	out := make([]byte, 0, v.size)
	out = append(out, v.random[offset:offset+half]...)
	letter := byte('a' + index%26)
	for i := half; i < v.size; i++ {
		out = append(out, letter)
	}
	return out
}

type result struct {
	ops, found, bytesWritten, bytesRead uint64
	seconds                             float64
	latencies                           []uint32 // nanoseconds
}

func (r *result) timed(fn func()) {
	start := time.Now()
	fn()
	ns := time.Since(start).Nanoseconds()
	if ns > int64(^uint32(0)) {
		ns = int64(^uint32(0))
	}
	r.latencies = append(r.latencies, uint32(ns))
}

func (r *result) percentile(p float64) float64 {
	if len(r.latencies) == 0 {
		return 0
	}
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	i := int(p / 100 * float64(len(r.latencies)))
	if i >= len(r.latencies) {
		i = len(r.latencies) - 1
	}
	return float64(r.latencies[i]) / 1000
}

func die(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "badger_bench: "+format+"\n", a...)
	os.Exit(1)
}

func write(db *badger.DB, keys [][]byte, vals [][]byte) {
	err := db.Update(func(txn *badger.Txn) error {
		for i := range keys {
			if err := txn.Set(keys[i], vals[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		die("write: %v", err)
	}
}

// fill writes every key once, in order or in the harness's shuffled order.
func fill(a *args, db *badger.DB, v *values, randomOrder bool) result {
	order := make([]uint64, a.num)
	for i := range order {
		order[i] = uint64(i)
	}
	if randomOrder && a.num > 1 {
		rng := newMT(a.seed)
		for i := a.num - 1; i > 0; i-- {
			j := rng.next() % (i + 1)
			order[i], order[j] = order[j], order[i]
		}
	}
	// Writer t takes batches t, t + writers, ... of the order.
	per := make([]result, a.writers)
	var wg sync.WaitGroup
	start := time.Now()
	for t := 0; t < a.writers; t++ {
		wg.Add(1)
		go func(t int) {
			defer wg.Done()
			r := &per[t]
			stride := a.batch * uint64(a.writers)
			for i := uint64(t) * a.batch; i < a.num; i += stride {
				n := a.batch
				if a.num-i < n {
					n = a.num - i
				}
				keys, vals := make([][]byte, n), make([][]byte, n)
				for j := uint64(0); j < n; j++ {
					keys[j], vals[j] = key(order[i+j]), v.fill(order[i+j])
					r.bytesWritten += uint64(len(keys[j]) + len(vals[j]))
				}
				r.timed(func() { write(db, keys, vals) })
				r.ops += n
			}
		}(t)
	}
	wg.Wait()
	var total result
	for _, r := range per {
		total.ops += r.ops
		total.bytesWritten += r.bytesWritten
		total.latencies = append(total.latencies, r.latencies...)
	}
	total.seconds = time.Since(start).Seconds()
	return total
}

func get(db *badger.DB, k []byte) ([]byte, bool) {
	var value []byte
	err := db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(k)
		if err != nil {
			return err
		}
		value, err = item.ValueCopy(nil)
		return err
	})
	if err == badger.ErrKeyNotFound {
		return nil, false
	}
	if err != nil {
		die("get: %v", err)
	}
	return value, true
}

// read: random gets for the duration by `threads` goroutines (missing: keys past num).
func read(a *args, db *badger.DB, v *values, missing bool, threads int) result {
	var stop int32
	per := make([]result, threads)
	var wg sync.WaitGroup
	start := time.Now()
	for t := 0; t < threads; t++ {
		wg.Add(1)
		go func(t int) {
			defer wg.Done()
			rng := newMT(a.seed*31 + uint64(t))
			r := &per[t]
			for atomic.LoadInt32(&stop) == 0 {
				index := rng.next() % a.num
				if missing {
					index += a.num
				}
				k := key(index)
				var value []byte
				var found bool
				r.timed(func() { value, found = get(db, k) })
				if found {
					if string(value) != string(v.fill(index)) {
						die("wrong value for key %s", k)
					}
					r.found++
					r.bytesRead += uint64(len(k) + len(value))
				}
				r.ops++
			}
		}(t)
	}
	for time.Since(start).Seconds() < a.duration {
		time.Sleep(20 * time.Millisecond)
	}
	atomic.StoreInt32(&stop, 1)
	wg.Wait()
	var total result
	for _, r := range per {
		total.ops += r.ops
		total.found += r.found
		total.bytesRead += r.bytesRead
		total.latencies = append(total.latencies, r.latencies...)
	}
	total.seconds = time.Since(start).Seconds()
	return total
}

func scan(db *badger.DB) result {
	var r result
	start := time.Now()
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.DefaultIteratorOptions)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			value, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			r.ops++
			r.bytesRead += uint64(len(item.Key()) + len(value))
		}
		return nil
	})
	if err != nil {
		die("scan: %v", err)
	}
	r.found = r.ops
	r.seconds = time.Since(start).Seconds()
	return r
}

// readWhileWriting: one goroutine overwrites random keys while the readers read.
func readWhileWriting(a *args, db *badger.DB, v *values) (result, uint64) {
	var stop int32
	var writes uint64
	done := make(chan struct{})
	go func() {
		rng := newMT(a.seed * 7)
		for atomic.LoadInt32(&stop) == 0 {
			index := rng.next() % a.num
			write(db, [][]byte{key(index)}, [][]byte{v.fill(index)})
			writes++
		}
		close(done)
	}()
	r := read(a, db, v, false, a.readers)
	atomic.StoreInt32(&stop, 1)
	<-done
	return r, writes
}

type procIO struct{ readBytes, writeBytes, wchar uint64 }

func ioNow() procIO {
	data, _ := ioutil.ReadFile("/proc/self/io")
	var io procIO
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		n, _ := strconv.ParseUint(f[1], 10, 64)
		switch f[0] {
		case "read_bytes:":
			io.readBytes = n
		case "write_bytes:":
			io.writeBytes = n
		case "wchar:":
			io.wchar = n
		}
	}
	return io
}

func dirBytes(dir string) uint64 {
	var total uint64
	entries, _ := ioutil.ReadDir(dir)
	for _, e := range entries {
		if st, ok := e.Sys().(*syscall.Stat_t); ok && e.Mode().IsRegular() {
			total += uint64(st.Blocks) * 512
		}
	}
	return total
}

func openOptions(a *args) badger.Options {
	o := badger.DefaultOptions(a.dir).WithLogger(nil).WithSyncWrites(a.sync)
	o = o.WithMaxTableSize(int64(a.memMB << 20)).WithBlockCacheSize(int64(a.cacheMB << 20))
	if !a.noCompress {
		o = o.WithCompression(options.Snappy)
	} else {
		o = o.WithCompression(options.None)
	}
	return o
}

func describe(o badger.Options) string {
	return fmt.Sprintf("badger v2.2007 (Debian) value_threshold=%d max_table_size=%d "+
		"block_cache=%d compression=%d sync_writes=%v level_one_size=%d num_memtables=%d",
		o.ValueThreshold, o.MaxTableSize, o.BlockCacheSize, o.Compression, o.SyncWrites,
		o.LevelOneSize, o.NumMemtables)
}

func emit(a *args, r *result, openSec, closeSec float64, ioStart, ioEnd procIO, writesDuringReads uint64, desc string) {
	live := a.num * (16 + a.valueSize)
	dir := dirBytes(a.dir)
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	seconds := r.seconds
	if seconds < 1e-9 {
		seconds = 1e-9
	}
	written := ioEnd.writeBytes - ioStart.writeBytes
	wchar := ioEnd.wchar - ioStart.wchar
	amp := func(x uint64) float64 {
		if r.bytesWritten == 0 {
			return 0
		}
		return float64(x) / float64(r.bytesWritten)
	}
	sync := 0
	if a.sync {
		sync = 1
	}
	line := map[string]interface{}{
		"backend": "badger", "workload": a.workload, "num": a.num, "value_size": a.valueSize,
		"batch": a.batch, "writers": a.writers, "readers": a.readers, "cache_mb": a.cacheMB, "sync": sync,
		"ops": r.ops, "found": r.found, "seconds": r.seconds,
		"ops_per_sec": float64(r.ops) / seconds, "reads_per_sec": 0, "writes_per_sec": float64(r.ops) / seconds,
		"mb_per_sec": float64(r.bytesWritten+r.bytesRead) / seconds / 1e6,
		"p50_us":     r.percentile(50), "p99_us": r.percentile(99), "p999_us": r.percentile(99.9),
		"open_seconds": openSec, "close_seconds": closeSec,
		"disk_read_bytes": ioEnd.readBytes - ioStart.readBytes, "disk_write_bytes": written,
		"wchar": wchar, "write_amp": amp(written), "wchar_amp": amp(wchar), "dir_bytes": dir,
		"space_amp": float64(dir) / float64(live), "peak_rss_mb": float64(usage.Maxrss) / 1024,
		"writes_during_reads": writesDuringReads, "hot_keys": 1, "options": desc,
	}
	if strings.HasPrefix(a.workload, "read") {
		line["reads_per_sec"], line["writes_per_sec"] = float64(r.ops)/seconds, 0
	}
	out, _ := json.Marshal(line)
	fmt.Println(string(out))
}

func main() {
	a := &args{}
	flag.StringVar(&a.workload, "workload", "fillrandom", "fillseq, fillrandom, overwrite, fillsync, readrandom, readmissing, readseq, readwhilewriting")
	flag.StringVar(&a.dir, "dir", "", "database directory (required)")
	flag.Uint64Var(&a.num, "num", 1000000, "keys")
	flag.Uint64Var(&a.valueSize, "value-size", 100, "bytes per value")
	flag.Uint64Var(&a.batch, "batch", 1, "keys per write (fills)")
	flag.IntVar(&a.writers, "writers", 1, "writer goroutines of a fill")
	flag.IntVar(&a.readers, "readers", 1, "reader goroutines")
	flag.Float64Var(&a.duration, "duration", 10, "seconds of reading")
	flag.Uint64Var(&a.seed, "seed", 42, "key order and value bytes")
	flag.Uint64Var(&a.cacheMB, "cache-mb", 64, "block cache")
	flag.Uint64Var(&a.memMB, "memtable-mb", 32, "write buffer (Badger's table size)")
	flag.BoolVar(&a.sync, "sync", false, "fsync every write")
	flag.BoolVar(&a.noCompress, "no-compression", false, "store blocks uncompressed")
	backend := flag.String("backend", "badger", "badger (the only one here)")
	flag.Parse()
	if a.dir == "" || *backend != "badger" || a.batch == 0 || a.readers <= 0 || a.writers <= 0 ||
		a.num == 0 {
		flag.Usage()
		os.Exit(2)
	}
	w := a.workload
	isFill := w == "fillseq" || w == "fillrandom" || w == "overwrite" || w == "fillsync"
	if w == "fillsync" {
		a.sync = true
	}
	if !isFill && w != "readrandom" && w != "readmissing" && w != "readseq" && w != "readwhilewriting" {
		die("unknown workload '%s'", w)
	}
	os.MkdirAll(filepath.Clean(a.dir), 0755)
	o := openOptions(a)
	ioStart := ioNow()
	openStart := time.Now()
	db, err := badger.Open(o)
	if err != nil {
		die("open %s: %v", a.dir, err)
	}
	openSec := time.Since(openStart).Seconds()
	v := newValues(a.valueSize, a.seed)
	var r result
	var writes uint64
	switch {
	case isFill:
		r = fill(a, db, v, w != "fillseq")
	case w == "readrandom" || w == "readmissing":
		r = read(a, db, v, w == "readmissing", a.readers)
	case w == "readseq":
		r = scan(db)
	default:
		r, writes = readWhileWriting(a, db, v)
	}
	ioRun := ioNow()
	closeStart := time.Now()
	if err := db.Close(); err != nil { // Badger writes its memtable out at close.
		die("close: %v", err)
	}
	closeSec := time.Since(closeStart).Seconds()
	ioEnd := ioNow()
	ioEnd.readBytes = ioRun.readBytes
	emit(a, &r, openSec, closeSec, ioStart, ioEnd, writes, describe(o))
}
