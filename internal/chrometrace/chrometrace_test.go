package chrometrace_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/internal/chrometrace"
	"github.com/locklab/locklab/internal/view"
	"github.com/locklab/locklab/labs/catalog"
	"github.com/locklab/locklab/labs/explore"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestFormat checks a trace against the fields the trace event format
// documents for each phase, decoded generically, as a viewer would read
// it.
func TestFormat(t *testing.T) {
	for _, sv := range [][2]string{{"philosophers", "left-then-right"}, {"counter", "cooperative-await"}, {"bank", "from-then-to"}} {
		t.Run(sv[0]+"/"+sv[1], func(t *testing.T) {
			s, v, err := catalog.LookupVariant(sv[0], sv[1])
			if err != nil {
				t.Fatal(err)
			}
			res, err := explore.Explore(context.Background(), s, v, explore.Options{})
			if err != nil || res.First == nil {
				t.Fatalf("explore = %v, %v", res, err)
			}
			r := view.FromFailure(s, v, res.First)
			var b bytes.Buffer
			if err := chrometrace.Write(&b, r); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				TraceEvents     []map[string]any `json:"traceEvents"`
				DisplayTimeUnit string           `json:"displayTimeUnit"`
			}
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.DisplayTimeUnit != "ns" && doc.DisplayTimeUnit != "ms" {
				t.Errorf("displayTimeUnit = %q", doc.DisplayTimeUnit)
			}
			threads, holds, instants, findings := map[float64]string{}, 0, 0, 0
			flows := map[float64]string{}
			for i, e := range doc.TraceEvents {
				ph, _ := e["ph"].(string)
				for _, k := range []string{"name", "ph", "pid"} {
					if _, ok := e[k]; !ok {
						t.Fatalf("event %d has no %q: %v", i, k, e)
					}
				}
				if ph != "M" {
					if _, ok := e["ts"].(float64); !ok {
						t.Fatalf("event %d has no numeric ts: %v", i, e)
					}
				}
				switch ph {
				case "M":
					if e["name"] == "thread_name" {
						args, _ := e["args"].(map[string]any)
						threads[e["tid"].(float64)], _ = args["name"].(string)
					}
				case "X":
					if d, ok := e["dur"].(float64); !ok || d < 0 {
						t.Errorf("complete event %d without a duration: %v", i, e)
					}
					if e["cat"] == "hold" {
						holds++
					}
				case "i":
					sc, _ := e["s"].(string)
					if sc != "t" && sc != "g" && sc != "p" {
						t.Errorf("instant event %d has scope %q", i, sc)
					}
					if e["cat"] == "finding" {
						findings++
					} else {
						instants++
					}
				case "s", "f":
					id, ok := e["id"].(float64)
					if !ok {
						t.Fatalf("flow event %d has no id: %v", i, e)
					}
					flows[id] += ph
				default:
					t.Errorf("event %d has phase %q", i, ph)
				}
				if ph != "M" && e["cat"] != "finding" {
					if _, ok := threads[e["tid"].(float64)]; !ok {
						t.Errorf("event %d is on track %v, which has no name", i, e["tid"])
					}
				}
			}
			if len(threads) != len(r.Workers) {
				t.Errorf("%d tracks; want one per worker (%d)", len(threads), len(r.Workers))
			}
			if findings != len(r.Findings) || instants == 0 {
				t.Errorf("%d finding instants, %d other instants; want %d and some", findings, instants, len(r.Findings))
			}
			for id, phs := range flows {
				if phs != "sf" {
					t.Errorf("flow %v is %q; want a start then a finish", id, phs)
				}
			}
			if sv[0] != "counter" && holds == 0 {
				t.Errorf("no lock holds in the trace")
			}
		})
	}
}
