// Package counter is the smallest race there is: several workers add 1 to
// one shared count, and at the end the count is short.
//
// By default four workers each add 1 to the count a thousand times, so at
// the end the count must be 4000 (workers × ops). The lab reports what it
// was, and how many increments were lost.
//
// # A read, then a write
//
// count++ looks like one step, but it is three: read count, add 1, write it
// back. A goroutine can be stopped between the read and the write, or run
// on another core at the same moment, and then two workers read the same
// value and both write value+1. One increment is gone: a lost update.
//
//	// WRONG: nothing stops two workers between the read and the write
//	v := count
//	count = v + 1
//
// The lab marks the gap with a yield point (w.Yield()), a place where the
// scheduler may switch to another worker, so that the bug shows on every
// run instead of once in a while.
//
// Two goroutines touching the same variable, at least one of them writing,
// with nothing ordering the accesses, is a data race. Go's race detector
// (go test -race, go run -race) reports it with both stacks, even in a run
// whose count happened to come out right. The lab runs the unsynchronized
// variant under it in a separate process built with -race, so that the
// rest of the lab's tests stay race-free.
//
// # Three ways to fix it
//
// Make the read and the write one step that nobody can get between, with a
// mutex:
//
//	// RIGHT: the lock covers the read, the write and the gap between them
//	mu.Lock()
//	v := count
//	count = v + 1
//	mu.Unlock()
//
// or with an atomic read-modify-write instruction, which the hardware
// performs as one indivisible step:
//
//	// RIGHT: one indivisible step
//	count.Add(1)
//
// or give the count a single owner. One goroutine owns it and is the only
// one that ever touches it; the others send it their increments over a
// channel. There is no lock because there is nothing to share: "Do not
// communicate by sharing memory; instead, share memory by communicating."
//
//	// RIGHT: only the owner touches count
//	for range inbox {
//		count++
//	}
//
// # Cooperative scheduling
//
// In a cooperative world (Python's asyncio, a single-threaded event loop, a
// scheduler that switches only at explicit yield points) count++ cannot be
// interrupted, because nothing else runs until the current task yields. But
// put a yield point between the read and the write, as an await does, and
// the same update is lost without any parallelism at all. The bug is the
// gap between the read and the write, not the number of cores.
package counter
