// mapleak: sessions of 512 bytes kept in a global map that only grows
// (testdata/map-leak/README.md). Go's heap profile records the map's bucket
// arrays, reallocated as the map grows, under the same frames as the
// sessions (main.store): one site of two kinds of object.
//
//	go run . (writes heap-1.pb.gz ... heap-6.pb.gz here)
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

type Session struct {
	data [480]byte
	id   int
}

var sessions = map[int]*Session{}

func store(i int) { sessions[i] = &Session{id: i} }

func main() {
	runtime.MemProfileRate = 512 * 1024
	n := 0
	for c := 1; c <= 6; c++ {
		for k := 0; k < 40000; k++ {
			store(n)
			n++
		}
		runtime.GC()
		f, _ := os.Create(fmt.Sprintf("heap-%d.pb.gz", c))
		pprof.WriteHeapProfile(f)
		f.Close()
	}
}
