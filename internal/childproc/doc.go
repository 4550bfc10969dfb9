// Package childproc holds what locklab's child processes need, whoever
// starts them (labs/race for the race detector, labs/run for go-deadlock):
// a process group killed as a whole on cancellation, and a capped buffer
// for their output, so that a runaway child can neither outlive its parent
// nor fill its memory.
package childproc
