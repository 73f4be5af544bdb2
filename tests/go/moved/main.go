// moved: writes heap profiles in which the same buffers move from one call
// path of a function to another (testdata/moved/README.md): newBuffer()
// allocates 400 KiB buffers; for the first captures they are held for
// callers reached through serveLegacy, for the last through serveV2. Read
// site by site one path loses what the other gains: a move, not a leak.
//
//	moved -out DIR
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
)

var held [][]byte

//go:noinline
func newBuffer() []byte { return make([]byte, 400<<10) }

//go:noinline
func serveLegacy(n int) {
	for i := 0; i < n; i++ {
		held = append(held, newBuffer())
	}
}

//go:noinline
func serveV2(n int) {
	for i := 0; i < n; i++ {
		held = append(held, newBuffer())
	}
}

func capture(dir string, k int) {
	runtime.GC()
	f, err := os.Create(filepath.Join(dir, fmt.Sprintf("heap-%d.pb.gz", k)))
	if err != nil {
		log.Fatal(err)
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		log.Fatal(err)
	}
	f.Close()
}

func main() {
	out := flag.String("out", ".", "directory for heap-N.pb.gz")
	buffers := flag.Int("buffers", 40, "buffers held at a time")
	flag.Parse()
	serveLegacy(*buffers)
	capture(*out, 1)
	capture(*out, 2)
	// The legacy path's buffers are dropped and as many are held through the new one.
	held = nil
	serveV2(*buffers)
	capture(*out, 3)
}
