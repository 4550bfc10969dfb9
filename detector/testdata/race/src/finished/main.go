// Command finished races with a goroutine that has already returned, so
// ThreadSanitizer says "Goroutine N (finished) created at". The variable
// lives on the heap (it escapes to the goroutine).
package main

import (
	"os"
	"time"
)

func main() {
	x := new(int)
	go func() { // at: go
		*x = 1 // at: first write (then the goroutine returns)
	}()
	time.Sleep(100 * time.Millisecond) // the goroutine has finished by now
	*x = 2                             // at: second write (nothing orders it after the goroutine's)
	if *x != 2 {
		os.Exit(3)
	}
}
