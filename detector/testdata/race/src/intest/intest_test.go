// Package intest has a data race inside a test, so the stacks run through
// package testing (tRunner) and the test fails with "race detected during
// execution of test".
package intest

import (
	"testing"
	"time"
)

func TestRace(t *testing.T) {
	n := 0
	done := make(chan bool)
	go func() { // at: go
		n++ // at: goroutine increments
		done <- true
	}()
	time.Sleep(100 * time.Millisecond)
	n++ // at: test increments (races with the goroutine's)
	<-done
	if n == 0 {
		t.Error("n == 0")
	}
}
