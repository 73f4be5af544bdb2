// residence: writes a series of heap profiles of two allocation sites that
// grow alike in size and count but differ in how long what they allocate
// stays (testdata/residence/README.md):
//
//   - leakRequest keeps every object it allocates (a leak): its objects'
//     mean residence time grows with the clock;
//
//   - cacheResponse keeps each object for -ttl ticks and then drops it (a
//     cache with expiry), while its load (objects per tick) ramps up: its
//     in-use memory grows as fast as the leak's, its residence stays -ttl.
//
//     residence -out DIR -captures 5 -every 20 -tick 50ms -memprofilerate 32768
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

var (
	leaked [][]byte
	cache  [][][]byte // one slot per tick of the ttl: what was cached that tick
)

//go:noinline
func leakRequest(n, size int) {
	for i := 0; i < n; i++ {
		leaked = append(leaked, make([]byte, size))
	}
}

//go:noinline
func cacheResponse(slot, n, size int) {
	entries := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		entries = append(entries, make([]byte, size))
	}
	cache[slot] = entries // the entries of ttl ticks ago expire here
}

func main() {
	out := flag.String("out", ".", "directory for heap-N.pb.gz")
	captures := flag.Int("captures", 5, "profiles to write")
	every := flag.Int("every", 20, "ticks between profiles")
	tick := flag.Duration("tick", 50*time.Millisecond, "tick")
	size := flag.Int("size", 4096, "bytes per object")
	leakPerTick := flag.Int("leak", 40, "objects leaked per tick")
	ttl := flag.Int("ttl", 10, "ticks a cached object stays")
	rate := flag.Int("memprofilerate", 32<<10, "runtime.MemProfileRate: one sample per this many bytes")
	flag.Parse()
	runtime.MemProfileRate = *rate
	cache = make([][][]byte, *ttl)
	// The cache's load ramps so that its in-use memory grows by about what
	// the leak adds per tick: load(t) * ttl = leak * t + its first level.
	for t := 1; t <= *captures**every; t++ {
		leakRequest(*leakPerTick, *size)
		load := (*leakPerTick*t)/(*ttl) + *leakPerTick
		cacheResponse(t%*ttl, load, *size)
		time.Sleep(*tick)
		if t%*every == 0 {
			runtime.GC()
			path := filepath.Join(*out, fmt.Sprintf("heap-%d.pb.gz", t / *every))
			f, err := os.Create(path)
			if err != nil {
				log.Fatal(err)
			}
			if err := pprof.WriteHeapProfile(f); err != nil {
				log.Fatal(err)
			}
			f.Close()
		}
	}
}
