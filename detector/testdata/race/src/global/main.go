// Command global races on a package-level variable. C/C++ ThreadSanitizer
// would end the report with "Location is global 'total'"; Go's race
// runtime never says where the memory lives, so the report holds only the
// two accesses and the goroutine's creation site. The goroutine is still
// running (blocked on done) when main's read races with its write.
package main

import (
	"os"
	"time"
)

var total int

func main() {
	done := make(chan bool)
	go func() { // at: go
		total = 42 // at: write (unordered with main's read)
		done <- true
	}()
	time.Sleep(100 * time.Millisecond) // time is not synchronization
	if total == 0 {                    // at: read
		os.Stdout.WriteString("not yet\n")
	}
	<-done
}
