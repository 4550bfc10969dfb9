// Package catalog lists every lab scenario, in the order a student meets
// them: the shared counter (data races and lost updates), the bank
// (AB-BA deadlock and an atomicity violation the race detector cannot
// see), then the dining philosophers (circular wait, livelock and
// starvation).
//
// The list is explicit: a new scenario is one package exporting
// `var Scenario *labs.Scenario` and one line in [All]. There is no init()
// registration and no global state; every call builds the list afresh.
// `locklab list`, `locklab explain` and the catalog-wide tests read it.
package catalog
