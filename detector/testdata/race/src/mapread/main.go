// Command mapread writes a map in one goroutine and reads it in another:
// both accesses happen inside the runtime's map code, so the innermost
// frames of each stack belong to package runtime (internal/runtime/maps).
package main

import (
	"os"
	"time"
)

func main() {
	m := map[string]int{}
	done := make(chan bool)
	go func() { // at: go
		m["answer"] = 42 // at: write (inside the runtime's map assignment)
		done <- true
	}()
	time.Sleep(100 * time.Millisecond)
	if m["answer"] == 0 { // at: read (inside the runtime's map access)
		os.Stdout.WriteString("not yet\n")
	}
	<-done
}
