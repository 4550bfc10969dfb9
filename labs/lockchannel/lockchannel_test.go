package lockchannel_test

import (
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/labtest"
	"github.com/locklab/locklab/labs/lockchannel"
	"github.com/locklab/locklab/labs/run"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestHelperProcess runs a variant for labtest.RunChild; it does nothing
// in a normal test run.
func TestHelperProcess(t *testing.T) { labtest.HelperProcess(t, lockchannel.Scenario) }

func TestScenario(t *testing.T) {
	labtest.CheckScenario(t, lockchannel.Scenario, "lockchannel", "send-under-lock")
}

// TestSendUnderLockStall checks what the watchdog says about the mixed
// deadlock: the subscriber blocked on the registry, held by a publisher
// that waits to send on events, which nobody receives.
func TestSendUnderLockStall(t *testing.T) {
	s := lockchannel.Scenario
	v, _ := s.Variant("send-under-lock")
	opts := run.DefaultOptions()
	opts.Stall = 300 * time.Millisecond
	res := labtest.RunWithin(t, s, v, labs.Config{}, opts)
	if res.Outcome != run.Stall {
		t.Fatalf("outcome %s; want stall: %v", res.Outcome, res.Findings)
	}
	f := labtest.Finding(t, res, detector.Stall)
	steps := map[string]detector.Step{}
	for _, st := range f.Steps {
		steps[st.Worker] = st
	}
	sub := steps["subscriber"]
	if sub.State != "blocked" || sub.Lock != "registry" || !strings.HasPrefix(sub.Owner, "publisher ") {
		t.Fatalf("subscriber: %+v; want it blocked on registry, held by a publisher", sub)
	}
	holder := steps[sub.Owner]
	send := labtest.Line(t, v.File, "events.Send(e)", 1)
	if holder.Op != "waits to send on" || holder.Lock != "events" || holder.Now != "nobody receives" || holder.At.Line != send {
		t.Errorf("%s: %+v; want it waiting to send on events at line %d, nobody receiving", sub.Owner, holder, send)
	}
}

// TestSmallConfigs checks the fixes on the smallest and on uneven
// configurations.
func TestSmallConfigs(t *testing.T) {
	s := lockchannel.Scenario
	for _, v := range s.Variants {
		if v.Kind == labs.Buggy {
			continue
		}
		for _, cfg := range []labs.Config{{Workers: 2, Ops: 1}, {Workers: 2, Ops: 40}, {Workers: 8, Ops: 5}} {
			cfg.Yield = labs.YieldGosched
			labtest.CheckExpectations(t, &v, labtest.RunWithin(t, s, &v, cfg))
		}
	}
}
