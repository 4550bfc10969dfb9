// Package catalog lists every lab scenario, in the order a student meets
// them: the shared counter (data races and lost updates), the bank
// (AB-BA deadlock and an atomicity violation the race detector cannot
// see), the dining philosophers (circular wait, livelock and
// starvation), a re-entrant call (double lock), readers and writers
// (starvation, the RWR deadlock), a bounded buffer (stolen and lost
// wakeups on a condition variable), a lock held across a channel
// operation (the mixed lock-and-channel deadlock), goroutine leaks and
// a range nobody ends, and WaitGroup misuse.
//
// The list is explicit: a new scenario is one package exporting
// `var Scenario *labs.Scenario` and one line in [All]. There is no init()
// registration and no global state; every call builds the list afresh.
// `locklab list`, `locklab explain` and the catalog-wide tests read it.
package catalog
