// Package leaks is clients that ask several replicas and use the first
// answer, and a collector of their answers: the two ways a channel leaves
// a goroutine waiting for ever.
//
// Each client makes --ops queries. For each query it starts three
// replica goroutines, which each work a while and send the same answer,
// and it uses the first answer to arrive: the fastest replica sets the
// latency. Every client sends its answers to the collector on a channel
// of its own, and the collector reads each client's channel to the end.
// Every run checks that the collector got every answer, each right, and,
// where the runtime can tell, that no replica is left blocked.
//
// # Return with the first answer (buggy: goroutine leak)
//
//	// WRONG: two of the three senders wait for ever
//	results := make(chan int) // unbuffered
//	for range 3 {
//		go func() { results <- ask() }()
//	}
//	return <-results
//
// An unbuffered send waits for a receiver. The client receives once and
// returns; the two slower replicas wait to send, for ever. Nothing is
// wrong with the answers, nothing crashes, and Go neither collects a
// blocked goroutine nor reports it while anything else runs: the program
// just holds two more goroutines (their stacks, and everything they refer
// to) per query, until it runs out of memory. goleak finds such leaks at
// the end of a test. On real goroutines the lab waits for every worker it
// started, so the leaked replicas show as a stall, each one named by the
// watchdog, waiting to send with nobody to receive. Under the controlled
// scheduler a run ends when the clients and the collector return, as a Go
// program ends when main does, and the check counts the replicas left
// blocked.
//
// # A range over a channel nobody closes (buggy: the last wakeup lost)
//
//	// WRONG: the range ends only when answers is closed
//	for a := range answers {
//		collect(a)
//	}
//
// The client sends its last answer and returns, and never closes its
// channel. The collector, ranging over it, waits for a value or a close
// that never comes, and the program cannot finish.
//
// # Fixes
//
// A buffer with room for every sender that may go unanswered lets each
// replica send and return, received or not:
//
//	// RIGHT: every replica has a slot
//	results := make(chan int, 3)
//
// A done channel, closed by the client when it returns, lets each replica
// give up; context.Context's Done is the same thing, with a reason:
//
//	// RIGHT: a closed channel wakes every goroutine that selects on it
//	done := make(chan struct{})
//	defer close(done)
//	go func() {
//		select {
//		case results <- ask():
//		case <-done:
//		}
//	}()
//
// And the owner of a channel, the one goroutine that sends on it, closes
// it after its last send, so that every range over it ends:
//
//	// RIGHT
//	for _, q := range queries {
//		answers <- query(q)
//	}
//	close(answers)
//
// # Owned replicas (cooperative)
//
// A client starts its three replicas once, asks all three every query and
// reads all three answers, and closes their channels when it is done:
// every goroutine has an owner that knows when it is done and tells it
// so.
package leaks
