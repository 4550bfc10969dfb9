// Package run executes one lab variant on the native runtime under the
// chosen detectors and a watchdog, and returns what happened as a Result:
// plain data that renderers turn into text or JSON. Run never prints.
package run
