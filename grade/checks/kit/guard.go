package kit

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"time"
)

// Limits beyond which a child's guard stops it. A leaky submission leaves
// some tens of thousands of goroutines over the explored schedules; a
// goroutine bomb passes these limits within a second. The parent's RSS
// watch (maxRSS) is the backstop when the guard itself is starved.
const (
	maxGoroutines = 200_000
	maxHeap       = 1 << 30
	guardEvery    = 20 * time.Millisecond
)

// guard calls trip, once, with a sentence saying why, as soon as the
// program has more than maxGoroutines goroutines or maxHeap bytes of heap
// (a goroutine bomb, an allocation without end), and stops when stop is
// closed. It runs on its own goroutine.
func guard(stop <-chan struct{}, trip func(why string)) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	t := time.NewTicker(guardEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if n := runtime.NumGoroutine(); n > maxGoroutines {
			trip(fmt.Sprintf("the submission started more than %d goroutines (a goroutine bomb?) and the program was stopped", maxGoroutines))
			return
		}
		metrics.Read(sample)
		if v := sample[0].Value; v.Kind() == metrics.KindUint64 && v.Uint64() > maxHeap {
			trip(fmt.Sprintf("the submission used more than %d MiB of memory and the program was stopped", maxHeap>>20))
			return
		}
	}
}
