package boundedbuffer_test

import (
	"testing"

	"github.com/locklab/locklab/labs/boundedbuffer"
	"github.com/locklab/locklab/labs/labtest"
)

// TestReliability measures how often each variant shows its bug with the
// default flags, when LOCKLAB_RELIABILITY is set:
//
//	LOCKLAB_RELIABILITY=100 go test -run TestReliability -v ./labs/boundedbuffer
func TestReliability(t *testing.T) { labtest.Reliability(t, boundedbuffer.Scenario, 0.99) }
