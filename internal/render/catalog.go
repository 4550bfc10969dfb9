package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/run"
)

// ScenarioJSON is a catalog scenario in its JSON form.
type ScenarioJSON struct {
	Name     string         `json:"name"`
	Title    string         `json:"title"`
	Workers  string         `json:"workers"`
	Defaults run.ConfigJSON `json:"defaults"`
	// Doc is the scenario's documentation as plain text; only `locklab
	// explain` includes it.
	Doc      string        `json:"doc,omitempty"`
	Variants []VariantJSON `json:"variants"`
}

// VariantJSON is a catalog variant in its JSON form.
type VariantJSON struct {
	Name    string          `json:"name"`
	Kind    labs.Kind       `json:"kind"`
	Bug     labs.BugClass   `json:"bug,omitempty"`
	Summary string          `json:"summary"`
	Lesson  string          `json:"lesson"`
	Fix     string          `json:"fix,omitempty"`
	Caught  []labs.Detector `json:"caught"`
	Warned  []labs.Detector `json:"warned,omitempty"`
	File    string          `json:"file"`
	Run     string          `json:"run"` // the command that runs the variant
}

// ScenarioData returns s in its JSON form. With doc set it includes the
// documentation as text; with only set, only that variant.
func ScenarioData(s *labs.Scenario, only *labs.Variant, doc bool) ScenarioJSON {
	d := s.Defaults
	out := ScenarioJSON{
		Name:     s.Name,
		Title:    s.Title,
		Workers:  s.Workers,
		Defaults: run.ConfigJSON{Workers: d.Workers, Ops: d.Ops, Seed: d.Seed, Yield: d.Yield.String()},
		Variants: []VariantJSON{},
	}
	if doc {
		out.Doc = DocText(s.Doc, lineWidth)
	}
	for i := range s.Variants {
		v := &s.Variants[i]
		if only != nil && v.Name != only.Name {
			continue
		}
		caught := v.Caught
		if caught == nil {
			caught = []labs.Detector{}
		}
		out.Variants = append(out.Variants, VariantJSON{
			Name: v.Name, Kind: v.Kind, Bug: v.Bug, Summary: v.Summary, Lesson: v.Lesson,
			Fix: v.Fix, Caught: caught, Warned: v.Warned, File: v.File,
			Run: RunCommand(s.Name, v.Name),
		})
	}
	return out
}

// RunCommand returns the command line that runs a variant.
func RunCommand(scenario, variant string) string {
	return "locklab run " + scenario + " --variant " + variant
}

// writeJSON encodes v indented, in one Write.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "fork 0 -> fork 1", not "-\u003e"
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func writeString(w io.Writer, b *strings.Builder) error {
	_, err := io.WriteString(w, b.String())
	return err
}

// ListJSON writes the catalog as a JSON array of scenarios, without their
// documentation.
func ListJSON(w io.Writer, scenarios []*labs.Scenario) error {
	out := make([]ScenarioJSON, 0, len(scenarios))
	for _, s := range scenarios {
		out = append(out, ScenarioData(s, nil, false))
	}
	return writeJSON(w, out)
}

// List writes the catalog as a table, one row per variant in catalog
// order: scenario, variant, kind, bug class, and the detectors expected to
// report it (a warning on a fixed variant is marked "(warned)").
func List(w io.Writer, scenarios []*labs.Scenario, st Style) error {
	t := &table{head: []string{"SCENARIO", "VARIANT", "KIND", "BUG", "DETECTORS"}}
	for _, s := range scenarios {
		for i, v := range s.Variants {
			name := ""
			if i == 0 {
				name = s.Name
			}
			t.row(cp(bold, name), c(v.Name), kindCell(v.Kind), c(dash(string(v.Bug))), c(dash(detectorList(&v))))
		}
	}
	var b strings.Builder
	t.write(&b, st)
	fmt.Fprintf(&b, "\n%s\n", "Run one with `locklab run SCENARIO --variant VARIANT`; `locklab explain SCENARIO` tells its story.")
	return writeString(w, &b)
}

func kindCell(k labs.Kind) cell {
	switch k {
	case labs.Buggy:
		return cp(red, string(k))
	case labs.Fixed:
		return cp(green, string(k))
	case labs.Cooperative:
		return cp(cyan, string(k))
	}
	return c(string(k))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// detectorList returns "waitfor, lockorder" for Caught, then each Warned
// detector marked "(warned)".
func detectorList(v *labs.Variant) string {
	var ds []string
	for _, d := range v.Caught {
		ds = append(ds, string(d))
	}
	for _, d := range v.Warned {
		ds = append(ds, string(d)+" (warned)")
	}
	return strings.Join(ds, ", ")
}

// ExplainJSON writes one scenario with its documentation as text, and all
// its variants, or only the given one.
func ExplainJSON(w io.Writer, s *labs.Scenario, only *labs.Variant) error {
	return writeJSON(w, ScenarioData(s, only, true))
}

// Explain writes a scenario's documentation as text, then the lesson of
// each variant, or only of the given one.
func Explain(w io.Writer, s *labs.Scenario, only *labs.Variant, st Style) error {
	var b strings.Builder
	if only == nil {
		fmt.Fprintf(&b, "%s\n\n", st.paint(bold, s.Name+": "+s.Title))
		if doc := docText(s.Doc, lineWidth, st); doc != "" {
			b.WriteString(doc)
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s\n", st.paint(bold, "Variants"))
	}
	first := true
	for i := range s.Variants {
		v := &s.Variants[i]
		if only != nil && v.Name != only.Name {
			continue
		}
		if !first || only == nil {
			b.WriteString("\n")
		}
		first = false
		explainVariant(&b, s, v, st)
	}
	return writeString(w, &b)
}

func explainVariant(b *strings.Builder, s *labs.Scenario, v *labs.Variant, st Style) {
	kind := string(v.Kind)
	if v.Bug != "" {
		kind += ": " + string(v.Bug)
	}
	kc := kindCell(v.Kind)
	fmt.Fprintf(b, "%s / %s (%s)\n", s.Name, st.paint(bold, v.Name), st.paint(kc.paint, kind))
	const hang = 12 // len("  Expected  ")
	field := func(label, text string) {
		if text == "" {
			return
		}
		fmt.Fprintf(b, "  %-9s %s\n", label, wrap(text, lineWidth, hang, hang))
	}
	field("Summary", v.Summary)
	field("Why", v.Lesson)
	if v.Fix != "" {
		field("Fix", RunCommand(s.Name, v.Fix))
	}
	field("Expected", expectation(v))
	field("Source", v.File)
	field("Run", RunCommand(s.Name, v.Name))
}

// expectation says which detectors should report the variant.
func expectation(v *labs.Variant) string {
	var parts []string
	if len(v.Caught) > 0 {
		parts = append(parts, "caught by "+joinDetectors(v.Caught))
	}
	if len(v.Warned) > 0 {
		parts = append(parts, "a warning from "+joinDetectors(v.Warned)+" (explained above)")
	}
	if len(parts) == 0 {
		return "clean under every detector, invariants hold"
	}
	return strings.Join(parts, "; ")
}

func joinDetectors(ds []labs.Detector) string {
	ss := make([]string, len(ds))
	for i, d := range ds {
		ss[i] = string(d)
	}
	return strings.Join(ss, ", ")
}
