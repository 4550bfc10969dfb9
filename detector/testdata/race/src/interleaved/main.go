// Command interleaved writes its own lines to stderr before, between and
// after two race reports, then panics, so the output mixes ThreadSanitizer
// reports with log lines and a goroutine traceback whose frames look like
// a report's (but are tab-indented).
package main

import (
	"fmt"
	"os"
	"time"
)

var a, b int

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }

func main() {
	logf("starting: 2 workers")
	done := make(chan bool)
	go func() { // at: go
		a = 1 // at: write a
		b = 1 // at: write b
		done <- true
	}()
	time.Sleep(100 * time.Millisecond)
	logf("a = %d", a) // at: read a
	logf("Read at the docs: this line is not a report")
	b = 2 // at: main writes b
	<-done
	logf("==================")
	logf("done: a=%d b=%d", a, b)
	panic("giving up")
}
