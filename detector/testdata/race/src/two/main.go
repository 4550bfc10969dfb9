// Command two has two independent data races, on two variables at four
// different lines, so ThreadSanitizer prints two reports in one output.
package main

import (
	"os"
	"time"
)

var a, b int

func main() {
	done := make(chan bool)
	go func() { // at: go
		a = 1 // at: write a (races with main's read of a)
		b = 1 // at: write b (races with main's write of b)
		done <- true
	}()
	time.Sleep(100 * time.Millisecond)
	if a == 0 { // at: read a
		os.Stdout.WriteString("a not yet\n")
	}
	b = 2 // at: main writes b
	<-done
}
