package philosophers

import (
	"testing"

	"github.com/locklab/locklab/labs/labtest"
)

// TestReliability measures how often each variant shows its bug with the
// default flags, when LOCKLAB_RELIABILITY is set:
//
//	LOCKLAB_RELIABILITY=100 go test -run TestReliability -v ./labs/philosophers
//
// The polite philosophers' livelock is the explorer's to catch: natively
// its rate is only logged.
func TestReliability(t *testing.T) { labtest.Reliability(t, Scenario, 0.99) }
