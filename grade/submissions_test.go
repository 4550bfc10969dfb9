package grade

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// want is a submission's want.json: its exact score, each check's score,
// the gates' status, and substrings that some checks' messages must hold.
type want struct {
	Score    int               `json:"score"`
	Checks   map[string]int    `json:"checks"`
	Gates    map[string]string `json:"gates"`
	Messages map[string]string `json:"messages,omitempty"`
	Why      string            `json:"why,omitempty"` // for the reader
}

// submissionsDir holds the graded sample submissions, shared with the
// CLI's tests: EXERCISE/NAME/, and hostile/NAME/ for the counter
// exercise.
const submissionsDir = "../testdata/submissions"

// TestSubmissions grades every sample submission that has a want.json
// and compares every score exactly: the honest solutions score full
// marks, each wrong one loses exactly the points of its bug, and every
// hostile one scores 0 on what it attacks.
func TestSubmissions(t *testing.T) {
	needToolchain(t)
	wants, err := filepath.Glob(filepath.Join(submissionsDir, "*", "*", "want.json"))
	if err != nil || len(wants) == 0 {
		t.Fatalf("no %s/*/*/want.json: %v", submissionsDir, err)
	}
	sb := testSandbox(t)
	before := hostState(t)
	t.Cleanup(func() { checkHost(t, before) })
	for _, wf := range wants {
		dir := filepath.Dir(wf)
		exName := filepath.Base(filepath.Dir(dir))
		if exName == "hostile" {
			exName = "counter"
		}
		name, _ := filepath.Rel(submissionsDir, dir)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(wf)
			if err != nil {
				t.Fatal(err)
			}
			var w want
			if err := json.Unmarshal(data, &w); err != nil {
				t.Fatalf("%s: %v", wf, err)
			}
			ex, err := Lookup(exName)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Grade(context.Background(), ex, dir, Options{Sandbox: sb})
			if err != nil {
				t.Fatalf("Grade(%s) error %v", dir, err)
			}
			if res.Score != w.Score {
				t.Errorf("Grade(%s) score = %d; want %d", dir, res.Score, w.Score)
			}
			for name, pts := range w.Checks {
				c := res.Check(name)
				if c == nil {
					t.Errorf("Grade(%s) has no check %q", dir, name)
					continue
				}
				if c.Score != pts {
					t.Errorf("Grade(%s) check %s = %d (%s); want %d", dir, name, c.Score, c.Message, pts)
				}
			}
			for name, status := range w.Gates {
				if c := res.Check(name); c == nil || c.Status != status {
					t.Errorf("Grade(%s) gate %s = %v; want %s", dir, name, c, status)
				}
			}
			for name, sub := range w.Messages {
				if c := res.Check(name); c == nil || !strings.Contains(c.Message, sub) {
					t.Errorf("Grade(%s) check %s message = %q; want it to contain %q", dir, name, c.Message, sub)
				}
			}
			for _, c := range res.Checks {
				if len(c.Message) > 2000 {
					t.Errorf("Grade(%s) check %s message has %d bytes; the submission's own output must be truncated", dir, c.Name, len(c.Message))
				}
			}
			if len(res.Checks) != len(ex.Rubric) {
				t.Errorf("Grade(%s) has %d checks; want %d", dir, len(res.Checks), len(ex.Rubric))
			}
			t.Logf("%s: %d/%d in %v (build %v, run %v)", dir, res.Score, res.MaxScore, res.Elapsed.Round(1e6), res.BuildTime.Round(1e6), res.RunTime.Round(1e6))
		})
	}
}

// host is what a grading must leave as it found it: the files of the
// locklab tree, the scratch space, and the processes.
type host struct {
	tree    map[string]string // path -> size and modification time
	scratch []string          // entries of this test's TMPDIR
}

func hostState(t *testing.T) host {
	t.Helper()
	h := host{tree: map[string]string{}}
	filepath.WalkDir("..", func(p string, d os.DirEntry, err error) error {
		if err != nil || d.Name() == ".git" {
			return filepath.SkipDir
		}
		if info, err := d.Info(); err == nil && !d.IsDir() {
			h.tree[p] = fmt.Sprint(info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	entries, _ := os.ReadDir(testTmp)
	for _, e := range entries {
		h.scratch = append(h.scratch, e.Name())
	}
	return h
}

// checkHost checks that the gradings changed nothing in the locklab
// tree, left nothing in the scratch space, and left no process behind.
func checkHost(t *testing.T, before host) {
	after := hostState(t)
	for p, v := range after.tree {
		if before.tree[p] != v {
			t.Errorf("the grading changed or created %s in the locklab tree", p)
		}
	}
	for p := range before.tree {
		if _, ok := after.tree[p]; !ok {
			t.Errorf("the grading removed %s from the locklab tree", p)
		}
	}
	if len(after.scratch) > len(before.scratch) {
		t.Errorf("the gradings left %v in the scratch space", after.scratch)
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), testTmp) {
			t.Errorf("a process is still running after the gradings: %s: %q", p, strings.ReplaceAll(string(b), "\x00", " "))
		}
	}
}
