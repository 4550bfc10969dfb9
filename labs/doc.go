// Package labs defines the catalog's vocabulary and the runtime seam that
// every lab scenario is written against.
//
// A [Scenario] is a shared resource (a counter, a bank, a table of
// philosophers) and its [Variant]s: buggy on purpose, fixed, or
// cooperative. A variant carries its lesson and, as data, the detectors
// expected to catch it; tests assert those expectations for every variant.
//
// A variant is written once against [Runtime] and [Worker]: spawn a named
// worker, make a named lock, mark a yield point. Package native runs that
// code on real goroutines over instrumented locks (what the race detector
// and the deadlock detector see); a controlled scheduler can implement the
// same interface and run one worker at a time, switching only at lock
// operations and yield points, without changing any variant.
//
// Data flows one way: command, catalog, run, result, renderer. Scenarios
// never print; renderers never run anything.
package labs
