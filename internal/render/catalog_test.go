package render

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/locklab/locklab/labs"
)

// toyDoc is a doc.go file, as a scenario embeds it.
const toyDoc = `// Copyright notice that is not the package doc.

// Package toy is a two-lock scenario for testing the renderers.
//
// Two workers each need both locks. Taking them in opposite orders
// invites a deadlock.
//
// # Opposite orders
//
// One worker locks a then b, the other b then a:
//
//	// WRONG
//	a.Lock(); b.Lock()
//	b.Lock(); a.Lock()
//
// See [the Coffman conditions] and [sync.Mutex].
//
// [the Coffman conditions]: https://en.wikipedia.org/wiki/Deadlock_(computer_science)
package toy
`

func toyScenario() *labs.Scenario {
	return &labs.Scenario{
		Name: "toy", Title: "Two locks", Doc: toyDoc, Workers: "worker",
		Defaults: labs.Config{Workers: 2, Ops: 10, Seed: 1, Yield: 50 * time.Microsecond},
		Variants: []labs.Variant{
			{Name: "abba", Kind: labs.Buggy, Bug: labs.CircularWait, Summary: "opposite lock orders",
				Lesson: "Each worker holds one lock and waits for the other's: a circular wait.",
				Fix:    "ordered", Caught: []labs.Detector{labs.WaitFor, labs.LockOrder}, File: "labs/toy/abba.go"},
			{Name: "ordered", Kind: labs.Fixed, Summary: "one lock order for everyone",
				Lesson: "Both workers lock a before b, so neither can hold b while waiting for a.",
				File:   "labs/toy/ordered.go"},
			{Name: "gated", Kind: labs.Fixed, Summary: "a gate around both orders",
				Lesson: "A gate lock is held around both acquisitions, so the inversion cannot bite; the lock-order graph may still warn.",
				Warned: []labs.Detector{labs.LockOrder}, File: "labs/toy/gated.go"},
			{Name: "owner", Kind: labs.Cooperative, Summary: "one goroutine owns both",
				Lesson: "One goroutine owns the state and the others send it requests: no locks, no deadlock.",
				File:   "labs/toy/owner.go"},
		},
	}
}

func otherScenario() *labs.Scenario {
	return &labs.Scenario{
		Name: "queue", Title: "A queue", Doc: "Package queue is plain text.", Workers: "party",
		Defaults: labs.Config{Workers: 3, Ops: 5, Seed: 2},
		Variants: []labs.Variant{
			{Name: "lost-wakeup", Kind: labs.Buggy, Bug: labs.Starvation, Summary: "if around Wait", Lesson: "An if instead of a for.", Fix: "loop", Caught: []labs.Detector{labs.Watchdog}, File: "labs/queue/if.go"},
			{Name: "loop", Kind: labs.Fixed, Summary: "for around Wait", Lesson: "A for loop re-checks the condition.", File: "labs/queue/loop.go"},
		},
	}
}

func TestList(t *testing.T) {
	scenarios := []*labs.Scenario{toyScenario(), otherScenario()}
	var buf bytes.Buffer
	if err := List(&buf, scenarios, Style{}); err != nil {
		t.Fatalf("List() = %v; want nil", err)
	}
	golden(t, "list", buf.Bytes())
	if !strings.Contains(buf.String(), "lockorder (warned)") {
		t.Errorf("List() does not mark the Warned detector:\n%s", buf.String())
	}

	buf.Reset()
	if err := ListJSON(&buf, scenarios); err != nil {
		t.Fatalf("ListJSON() = %v; want nil", err)
	}
	golden(t, "list.json", buf.Bytes())
	var back []ScenarioJSON
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("json.Unmarshal(ListJSON()) = %v", err)
	}
	if len(back) != 2 || len(back[0].Variants) != 4 || back[0].Doc != "" {
		t.Errorf("ListJSON() = %+v; want 2 scenarios, 4 toy variants, no doc", back)
	}
}

func TestListColorKeepsAlignment(t *testing.T) {
	scenarios := []*labs.Scenario{toyScenario()}
	var plainOut, colorOut bytes.Buffer
	if err := List(&plainOut, scenarios, Style{}); err != nil {
		t.Fatal(err)
	}
	if err := List(&colorOut, scenarios, Style{Color: true}); err != nil {
		t.Fatal(err)
	}
	stripped := stripANSI(colorOut.String())
	if stripped != plainOut.String() {
		t.Errorf("colored list without escapes differs from the plain one:\n%s\n---\n%s", stripped, plainOut.String())
	}
	if !strings.Contains(colorOut.String(), "\x1b[31mbuggy\x1b[0m") {
		t.Errorf("colored list does not paint the buggy kind red:\n%q", colorOut.String())
	}
}

func stripANSI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == 0x1b {
			for i < len(s) && s[i] != 'm' {
				i++
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestExplain(t *testing.T) {
	s := toyScenario()
	var buf bytes.Buffer
	if err := Explain(&buf, s, nil, Style{}); err != nil {
		t.Fatalf("Explain() = %v; want nil", err)
	}
	golden(t, "explain", buf.Bytes())

	buf.Reset()
	v, _ := s.Variant("abba")
	if err := Explain(&buf, s, v, Style{}); err != nil {
		t.Fatalf("Explain(abba) = %v; want nil", err)
	}
	golden(t, "explain-abba", buf.Bytes())
	if strings.Contains(buf.String(), "ordered:") || strings.Contains(buf.String(), "Opposite orders") {
		t.Errorf("Explain(abba) shows more than the variant:\n%s", buf.String())
	}

	buf.Reset()
	if err := ExplainJSON(&buf, s, v); err != nil {
		t.Fatalf("ExplainJSON() = %v; want nil", err)
	}
	golden(t, "explain-abba.json", buf.Bytes())
	var back ScenarioJSON
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Doc == "" || len(back.Variants) != 1 || back.Variants[0].Run != "locklab run toy --variant abba" {
		t.Errorf("ExplainJSON(abba) = %+v; want doc and the one variant", back)
	}
}

func TestDocText(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		want    []string // substrings in order
		notWant []string
	}{
		{"doc.go", toyDoc,
			[]string{"Package toy is a two-lock", "\n\nOpposite orders\n\n", "    // WRONG\n    a.Lock(); b.Lock()\n", "[the Coffman conditions]: https://"},
			[]string{"// Package", "package toy\n", "# ", "Copyright"}},
		{"comment text", "Package x is text.\n\n# Heading\n\nBody.\n",
			[]string{"Package x is text.\n\nHeading\n\nBody.\n"}, []string{"# "}},
		{"plain comment lines", "// Package x is here.\n// More.\npackage x\n",
			[]string{"Package x is here. More.\n"}, []string{"//", "package x"}},
		{"not Go", "// Package y: {unbalanced\n//\n// Still text.\npackage y extra\n",
			[]string{"Package y", "Still text."}, []string{"//"}},
		{"empty", "", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DocText(tt.doc, 80)
			at := 0
			for _, w := range tt.want {
				i := strings.Index(got[at:], w)
				if i < 0 {
					t.Errorf("DocText(%q) = %q; want %q after offset %d", tt.doc, got, w, at)
					return
				}
				at += i + len(w)
			}
			for _, nw := range tt.notWant {
				if strings.Contains(got, nw) {
					t.Errorf("DocText(%q) = %q; want no %q", tt.doc, got, nw)
				}
			}
			if tt.doc == "" && got != "" {
				t.Errorf("DocText(\"\") = %q; want \"\"", got)
			}
		})
	}
}

func TestHelpers(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"philosopher", "philosophers"}, {"teller", "tellers"}, {"box", "boxes"},
		{"party", "parties"}, {"day", "days"}, {"", "workers"}, {"bus", "buses"},
	} {
		if got := plural(tt.in); got != tt.want {
			t.Errorf("plural(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	for _, tt := range []struct {
		d    time.Duration
		want string
	}{
		{512, "512 ns"}, {850 * time.Microsecond, "850 µs"}, {3100 * time.Microsecond, "3.1 ms"},
		{42 * time.Millisecond, "42 ms"}, {2 * time.Second, "2.0 s"}, {1500 * time.Nanosecond, "1.5 µs"},
	} {
		if got := duration(tt.d); got != tt.want {
			t.Errorf("duration(%v) = %q; want %q", tt.d, got, tt.want)
		}
	}
	if got, want := wrap("aaa bbb ccc ddd", 9, 0, 2), "aaa bbb\n  ccc ddd"; got != want {
		t.Errorf("wrap() = %q; want %q", got, want)
	}
	if got, want := count(1, "teller"), "1 teller"; got != want {
		t.Errorf("count(1) = %q; want %q", got, want)
	}
}

func TestAutoStyle(t *testing.T) {
	var buf bytes.Buffer
	if AutoStyle(&buf).Color {
		t.Errorf("AutoStyle(buffer).Color = true; want false")
	}
	t.Setenv("NO_COLOR", "1")
	if AutoStyle(&buf).Color {
		t.Errorf("AutoStyle with NO_COLOR = true; want false")
	}
}
