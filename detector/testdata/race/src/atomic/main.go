// Command atomic updates a counter with sync/atomic in one goroutine and
// reads it plainly in another: an atomic access does not order a plain
// one, so ThreadSanitizer reports the pair, the previous access atomic.
package main

import (
	"os"
	"sync/atomic"
	"time"
)

var hits int64

func main() {
	done := make(chan bool)
	go func() { // at: go
		atomic.AddInt64(&hits, 1) // at: atomic write
		done <- true
	}()
	time.Sleep(100 * time.Millisecond)
	if hits == 0 { // at: read (plain: races with the atomic write)
		os.Stdout.WriteString("not yet\n")
	}
	<-done
}
