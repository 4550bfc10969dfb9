package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPictures checks --html, --trace, --graph and --view on the
// commands that draw a run or a schedule: each writes what it names,
// where it names, and bad combinations are usage errors that write
// nothing.
func TestPictures(t *testing.T) {
	dir := t.TempDir()
	file := func(name string) string { return filepath.Join(dir, name) }
	isHTML := func(t *testing.T, data []byte) {
		t.Helper()
		s := string(data)
		if !strings.HasPrefix(s, "<!DOCTYPE html>") || !strings.Contains(s, "<svg") {
			t.Errorf("not an HTML page with SVG: %.80q", s)
		}
		for _, ext := range []string{"<script src", "<link", "@import", "url(http"} {
			if strings.Contains(s, ext) {
				t.Errorf("the page loads something (%q): it must be self-contained", ext)
			}
		}
	}
	isTrace := func(t *testing.T, data []byte) {
		t.Helper()
		var tr struct {
			TraceEvents []map[string]any `json:"traceEvents"`
		}
		if err := json.Unmarshal(data, &tr); err != nil || len(tr.TraceEvents) == 0 {
			t.Errorf("not a Chrome trace with events: %v, %d events", err, len(tr.TraceEvents))
		}
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		file   string                          // a file the command must write
		check  func(t *testing.T, data []byte) // of the file, or of stdout when file is ""
		stderr string                          // for a usage error
	}{
		{"run html", []string{"run", "toy", "--html", file("run.html")}, exitProblem, file("run.html"), isHTML, ""},
		{"run trace", []string{"run", "toy", "--trace", file("run.json")}, exitProblem, file("run.json"), isTrace, ""},
		{"run graph dot", []string{"run", "toy", "--graph", "dot"}, exitProblem, "", func(t *testing.T, out []byte) {
			if !strings.HasPrefix(string(out), "digraph waitfor {") || strings.Contains(string(out), "DEADLOCK") {
				t.Errorf("--graph dot wrote %.200q; want the graphs alone", out)
			}
		}, ""},
		{"explore html to stdout", []string{"explore", "toy", "--html", "-"}, exitProblem, "", isHTML, ""},
		{"explore trace", []string{"explore", "toy", "--trace", file("explore.json")}, exitProblem, file("explore.json"), isTrace, ""},
		{"explore mermaid", []string{"explore", "toy", "--graph", "mermaid"}, exitProblem, "", func(t *testing.T, out []byte) {
			if !strings.Contains(string(out), "flowchart LR") || !strings.Contains(string(out), "stroke:red") {
				t.Errorf("--graph mermaid wrote %.300q; want flowcharts with the cycle in red", out)
			}
		}, ""},
		{"explore clean html", []string{"explore", "toy", "--variant", "ordered", "--schedules", "20", "--html", file("clean.html")}, exitOK, file("clean.html"), func(t *testing.T, data []byte) {
			isHTML(t, data)
			if !strings.Contains(string(data), "No failure in 20 schedules") {
				t.Errorf("a clean exploration's page does not say so")
			}
		}, ""},
		{"explore table", []string{"explore", "toy", "--view", "table"}, exitProblem, "", func(t *testing.T, out []byte) {
			if !strings.Contains(string(out), "STEP  WORKER") {
				t.Errorf("--view table did not write a table:\n%s", out)
			}
		}, ""},
		{"explore lanes", []string{"explore", "toy", "--view", "lanes"}, exitProblem, "", func(t *testing.T, out []byte) {
			if !strings.Contains(string(out), "STEP WORKER 0") {
				t.Errorf("--view lanes did not write lanes:\n%s", out)
			}
		}, ""},
		{"bad view", []string{"explore", "toy", "--view", "tree"}, exitError, "", nil, `unknown --view "tree"; valid: lanes, table`},
		{"bad graph", []string{"run", "toy", "--graph", "svg"}, exitError, "", nil, `unknown --graph format "svg"; valid: dot, mermaid`},
		{"two on stdout", []string{"run", "toy", "--json", "--graph", "dot"}, exitError, "", nil, "--json and --graph all write to standard output"},
		{"same file", []string{"run", "toy", "--html", file("x"), "--trace", file("x")}, exitError, "", nil, "--html and --trace name the same file"},
		{"missing dir", []string{"run", "toy", "--html", file("no/such/dir.html")}, exitError, "", nil, "--html " + file("no/such/dir.html")},
		{"grade without replay", []string{"grade", "counter", "--html", file("g.html")}, exitError, "", nil, "give --replay TOKEN"},
		{"step to stdout", []string{"step", "toy", "--html", "-"}, exitError, "", nil, "give --html and --trace a file name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := locklab(t, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d; want %d\nstderr: %s", code, tt.code, errOut)
			}
			if tt.stderr != "" && !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr %q; want it to say %q", errOut, tt.stderr)
			}
			if tt.check == nil {
				return
			}
			if tt.file == "" {
				tt.check(t, []byte(out))
				return
			}
			data, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, data)
			if !strings.Contains(errOut, "wrote the ") || !strings.Contains(errOut, tt.file) {
				t.Errorf("stderr %q does not say where the file went", errOut)
			}
			if strings.Contains(out, "<svg") || strings.Contains(out, "traceEvents") {
				t.Errorf("a picture written to a file also went to stdout")
			}
		})
	}
	// Nothing half-written is left beside the files.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left %s behind", e.Name())
		}
	}
}
