// Package native runs lab variants preemptively: every worker is a real
// goroutine and every lock a real, instrumented lock from package locks.
// This is the runtime under which the race detector sees real data races
// and the wait-for graph sees real deadlocks.
//
// A Runtime is bound to one Detector. When the Detector is aborted (a
// deadlock was found, or the run was stopped) every blocked operation and
// every yield point panics with detector.ErrAborted; the worker wrapper
// recovers it, so the run unwinds and Wait returns.
package native
