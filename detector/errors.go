package detector

import "errors"

// ErrAborted is the error a blocked lock operation returns (or, for
// operations with no error result, panics with) once its Detector has been
// aborted or its goroutine is unwound from a deadlock. The value returned
// or panicked with is an *AbortError that wraps it: test for it with
// errors.Is(err, detector.ErrAborted).
var ErrAborted = errors.New("detector: run aborted")

// AbortError is why a blocked operation gave up: its Detector was aborted
// (Reason, and the first deadlock found, if any), or its goroutine was in
// a deadlock that the Detector unwinds (Finding). It wraps ErrAborted.
type AbortError struct {
	// Reason is the Detector's abort reason; empty when only the
	// goroutines of a deadlock were unwound.
	Reason string
	// Finding is the deadlock that caused the abort, if there was one.
	Finding *Finding
}

func (e *AbortError) Error() string {
	switch {
	case e.Reason == "" && e.Finding != nil:
		return "detector: unwound from a " + e.Finding.String()
	case e.Finding != nil && e.Reason != e.Finding.Message:
		return "detector: run aborted (" + e.Reason + "): " + e.Finding.String()
	case e.Finding != nil:
		return "detector: run aborted: " + e.Finding.String()
	case e.Reason != "":
		return "detector: run aborted: " + e.Reason
	}
	return ErrAborted.Error()
}

// Unwrap returns ErrAborted.
func (e *AbortError) Unwrap() error { return ErrAborted }
