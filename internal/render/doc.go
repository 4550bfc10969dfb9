// Package render turns locklab's data (the catalog, a scenario's
// documentation, the Result of a run) into text for people and JSON for
// programs.
//
// Every renderer is a function from data to an io.Writer: it never runs a
// scenario, never logs, and writes its output in one Write call, so a
// failed render leaves nothing half-written. Text is aligned in columns
// and colored only when a Style asks for it; AutoStyle decides that from
// the writer (a terminal) and the environment (NO_COLOR, TERM=dumb). JSON
// is indented, and its field order is the order of the struct fields, so
// it is stable from run to run.
package render
