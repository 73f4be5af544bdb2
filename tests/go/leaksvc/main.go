// leaksvc: a small Go service that leaks objects of a known size at a known
// rate, beside garbage churn and a stable cache, and serves net/http/pprof on
// loopback. Tests capture its heap profiles as a user would, with curl or
// pprof-trend, and compare what pprof-trend finds with the truth it reports.
//
//	leaksvc -addr 127.0.0.1:0 -size 4096 -per-tick 1000 -tick 1s -portfile port.txt
//
// GET /truth returns the leaked object count so far ("leaked N size S").
// With -goroutines-per-tick N it also leaks N goroutines a tick, each
// blocked for ever in waitForReply on a channel nobody writes to; GET
// /truth then adds their count ("goroutines N").
// GET /redirect?to=URL answers 302 to URL; GET /seen returns the X-Api-Key
// header of the requests so far, one line each ("key VALUE"), so a test can
// check which headers a client sent where. GET /hang never answers (until
// the client goes, or 5 minutes).
// With -serve-files a,b,c, GET /capture answers with those files in turn
// (the last one again once all were served): a series of captures made
// elsewhere (native profilers' dumps) served as a live endpoint would.
// It is also a forward HTTP proxy (a request for an absolute URL is fetched
// and relayed), so a test can check that clients honour http_proxy; GET
// /proxied returns how many requests it relayed ("proxied N").
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

var (
	proxied  int      // requests relayed as a proxy, under mu
	seenKeys []string // X-Api-Key headers received, under mu
	mu       sync.Mutex
	leaked   = map[int][]byte{} // the leak: never freed
	cache    [][]byte           // stable: allocated once
	sink     []byte             // churn: garbage
)

// touch: leakBuffer writes a byte of every page of what it leaks, so that
// the pages are resident (the process's RSS grows with the leak, as a real
// leak's data does; fresh pages nobody writes are not).
var touch bool

//go:noinline
func leakBuffer(i, size int) {
	buf := make([]byte, size)
	if touch {
		for at := 0; at < size; at += 4096 {
			buf[at] = 1
		}
	}
	mu.Lock()
	leaked[i] = buf
	mu.Unlock()
}

// blocked holds the channel leaked goroutines wait on: nothing ever sends.
var blocked = make(chan struct{})

var goroutinesLeaked atomic.Int64

// waitForReply is the goroutine leak: each waits on a channel nobody
// writes to (a request whose reply never comes).
//
//go:noinline
func waitForReply(size int) {
	buf := make([]byte, size) // held while it waits: the heap leak beside the goroutine leak
	<-blocked
	buf[0]++
}

//go:noinline
func churn(n int) {
	for i := 0; i < n; i++ {
		sink = make([]byte, 512+i%1024)
	}
}

//go:noinline
func fillCache(n, size int) {
	for i := 0; i < n; i++ {
		cache = append(cache, make([]byte, size))
	}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback)")
	size := flag.Int("size", 4096, "bytes per leaked object")
	perTick := flag.Int("per-tick", 100, "objects leaked per tick")
	tick := flag.Duration("tick", time.Second, "leak interval")
	delay := flag.Duration("delay", 0, "wait this long before leaking")
	limit := flag.Int("max", 1000000, "stop leaking after this many objects")
	portfile := flag.String("portfile", "", "write the listening port here")
	dropEvery := flag.Int("drop-every", 0, "every N ticks, free every leaked object (0: never)")
	rate := flag.Int("memprofilerate", 0, "runtime.MemProfileRate (0: the default, 512 KiB)")
	prefill := flag.Int("prefill", 0, "objects leaked before serving (the leak's level at the first capture)")
	serveFiles := flag.String("serve-files", "", "comma-separated files GET /capture serves in turn")
	goroutinesPerTick := flag.Int("goroutines-per-tick", 0, "goroutines leaked per tick, each blocked on a channel for ever")
	goroutinesMax := flag.Int("goroutines-max", 1000000, "stop leaking goroutines after this many")
	goroutineBytes := flag.Int("goroutine-bytes", 1024, "bytes each leaked goroutine allocates and holds")
	presize := flag.Bool("presize", false, "size the leak's map for -max objects first: the leak grows by exactly -size bytes an object")
	flag.BoolVar(&touch, "touch", false, "write every page of each leaked buffer (the RSS grows with the leak)")
	flag.Parse()
	if *rate > 0 {
		runtime.MemProfileRate = *rate
	}
	if *presize {
		leaked = make(map[int][]byte, *limit)
	}
	fillCache(64, 64<<10)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	if *portfile != "" {
		tmp := *portfile + ".tmp"
		if err := os.WriteFile(tmp, []byte(fmt.Sprint(port)), 0o644); err != nil {
			log.Fatal(err)
		}
		if err := os.Rename(tmp, *portfile); err != nil {
			log.Fatal(err)
		}
	}
	http.HandleFunc("/truth", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "leaked %d size %d\n", len(leaked), *size)
		fmt.Fprintf(w, "goroutines %d\n", goroutinesLeaked.Load())
	})
	served := 0
	http.HandleFunc("/capture", func(w http.ResponseWriter, r *http.Request) {
		files := strings.Split(*serveFiles, ",")
		mu.Lock()
		at := served
		if at > len(files)-1 {
			at = len(files) - 1
		}
		file := files[at]
		served++
		mu.Unlock()
		body, err := os.ReadFile(file)
		if *serveFiles == "" || err != nil {
			http.Error(w, "no capture", http.StatusNotFound)
			return
		}
		w.Write(body)
	})
	http.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})
	http.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Minute):
		}
	})
	http.HandleFunc("/seen", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		for _, k := range seenKeys {
			fmt.Fprintf(w, "key %s\n", k)
		}
	})
	http.HandleFunc("/proxied", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "proxied %d\n", proxied)
	})
	ready := make(chan struct{})
	go func() {
		// The prefill comes from the same stack as the leak that follows.
		for i := 0; i < *prefill; i++ {
			leakBuffer(-1-i, *size)
		}
		close(ready)
		time.Sleep(*delay)
		n, ticks := 0, 0
		for range time.Tick(*tick) {
			ticks++
			if *dropEvery > 0 && ticks%*dropEvery == 0 {
				mu.Lock()
				leaked = map[int][]byte{}
				mu.Unlock()
				runtime.GC()
			}
			for i := 0; i < *perTick && n < *limit; i++ {
				leakBuffer(n, *size)
				n++
			}
			for i := 0; i < *goroutinesPerTick && goroutinesLeaked.Load() < int64(*goroutinesMax); i++ {
				goroutinesLeaked.Add(1)
				go waitForReply(*goroutineBytes)
			}
			churn(2000)
		}
	}()
	<-ready
	log.Fatal(http.Serve(ln, http.HandlerFunc(serve)))
}

// serve relays requests for absolute URLs (a client using this process as
// its proxy) and serves the rest itself.
func serve(w http.ResponseWriter, r *http.Request) {
	if key := r.Header.Get("X-Api-Key"); key != "" && r.URL.Path != "/seen" {
		mu.Lock()
		seenKeys = append(seenKeys, key)
		mu.Unlock()
	}
	if !r.URL.IsAbs() {
		http.DefaultServeMux.ServeHTTP(w, r)
		return
	}
	out := r.Clone(r.Context())
	out.RequestURI = ""
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	mu.Lock()
	proxied++
	mu.Unlock()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}
