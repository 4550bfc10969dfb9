package detector_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/locklab/locklab/detector"
)

// The fixtures in testdata/race are real reports (`make fixtures`
// regenerates them); their parses are kept beside them as NAME.json, with
// goroutine ids renumbered (`go test -update` rewrites those, never the
// reports).

const raceDir = "testdata/race"

// raceFixture returns the captured report NAME.txt.
func raceFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(raceDir, name+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// srcPos returns the position, as ParseRace gives it, of the line of
// testdata/race/src/PROG marked with the comment "// at: MARK".
func srcPos(t *testing.T, prog, mark string) detector.Pos {
	t.Helper()
	dir := filepath.Join(raceDir, "src", prog)
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) != 1 {
		t.Fatalf("%s: want one Go file, have %v (%v)", dir, files, err)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if _, m, ok := strings.Cut(sc.Text(), "// at: "); ok && (m == mark || strings.HasPrefix(m, mark+" (")) {
			return detector.Pos{File: "detector/" + filepath.ToSlash(files[0]), Line: n}
		}
	}
	t.Fatalf("%s: no line marked %q", files[0], mark)
	return detector.Pos{}
}

// samePlace reports whether a and b are the same file and line.
func samePlace(a, b detector.Pos) bool { return a.File == b.File && a.Line == b.Line }

// want is one access as a test expects it: ids are compared after
// renumbering (see normalize), so the main goroutine is 1 and the others
// count from 2 in order of appearance.
type want struct {
	op        string
	goroutine int64
	mark      string // marked line of the program; "" for no position
	fn        string // Func, when mark is ""
}

func checkAccess(t *testing.T, prog string, i int, j int, got detector.Access, w want) {
	t.Helper()
	if got.Op != w.op || got.Goroutine != w.goroutine {
		t.Errorf("race %d access %d = %s by goroutine %d; want %s by goroutine %d", i, j, got.Op, got.Goroutine, w.op, w.goroutine)
	}
	if w.mark == "" {
		if !got.At.IsZero() || got.Func != w.fn {
			t.Errorf("race %d access %d: At, Func = %v, %q; want no position, %q", i, j, got.At, got.Func, w.fn)
		}
		return
	}
	p := srcPos(t, prog, w.mark)
	if !samePlace(got.At, p) || got.Func == "" || got.At.Func != got.Func {
		t.Errorf("race %d access %d: At = %v (func %q); want %v (%q), with Func", i, j, got.At, got.Func, p, w.mark)
	}
	if len(got.Stack) == 0 || got.Stack[0] != got.At {
		t.Errorf("race %d access %d: Stack = %v; want it to start at At %v", i, j, got.Stack, got.At)
	}
}

// normalize renumbers goroutine ids in order of first appearance, keeping
// 0 (unknown) and the main goroutine's id, so that parses of reports
// captured in different runs compare equal.
func normalize(races []detector.Race) []detector.Race {
	ids := map[int64]int64{0: 0, detector.MainGoroutine: detector.MainGoroutine}
	next := detector.MainGoroutine + 1
	renumber := func(id *int64) {
		n, ok := ids[*id]
		if !ok {
			n = next
			ids[*id] = n
			next++
		}
		*id = n
	}
	out := make([]detector.Race, len(races))
	for i, r := range races {
		for j := range r.Accesses {
			renumber(&r.Accesses[j].Goroutine)
		}
		r.Created = append([]detector.Origin(nil), r.Created...)
		for j := range r.Created {
			renumber(&r.Created[j].Goroutine)
		}
		out[i] = r
	}
	return out
}

func TestParseRaceFixtures(t *testing.T) {
	// Every access checked here is by the main goroutine (1) or by the
	// first goroutine it started (2), except in counter and intest.
	tests := []struct {
		name   string // fixture in testdata/race, without .txt
		prog   string // its program in testdata/race/src, "" for counter
		races  int
		trunc  int      // how many of the races are Truncated
		access [][]want // per race, when checked: the current and the previous access
		// finished is whether the goroutine 2's creation site says finished.
		finished bool
	}{
		{name: "counter", races: 2},
		{name: "noisy", races: 2},
		{name: "global", prog: "global", races: 1, access: [][]want{
			{{"read", 1, "read", ""}, {"write", 2, "write", ""}},
		}},
		{name: "mapread", prog: "mapread", races: 2, access: [][]want{
			{{"read", 1, "read", ""}, {"write", 2, "write", ""}}, // the map's header, in the runtime
			{{"read", 1, "read", ""}, {"write", 2, "write", ""}}, // the value's slot
		}},
		{name: "atomic", prog: "atomic", races: 1, access: [][]want{
			{{"read", 1, "read", ""}, {"atomic write", 2, "", "atomic.AddInt64"}},
		}},
		{name: "finished", prog: "finished", races: 1, finished: true, access: [][]want{
			{{"write", 1, "second write", ""}, {"write", 2, "first write", ""}},
		}},
		{name: "two", prog: "two", races: 2, access: [][]want{
			{{"read", 1, "read a", ""}, {"write", 2, "write a", ""}},
			{{"write", 1, "main writes b", ""}, {"write", 2, "write b", ""}},
		}},
		{name: "interleaved", prog: "interleaved", races: 2, access: [][]want{
			{{"read", 1, "read a", ""}, {"write", 2, "write a", ""}},
			{{"write", 1, "main writes b", ""}, {"write", 2, "write b", ""}},
		}},
		{name: "intest", prog: "intest", races: 1, access: [][]want{
			{{"read", 2, "test increments", ""}, {"write", 3, "goroutine increments", ""}},
		}},
		{name: "truncated", prog: "two", races: 1, trunc: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			races := normalize(detector.ParseRace(raceFixture(t, tt.name)))
			if len(races) != tt.races {
				t.Fatalf("ParseRace(%s.txt) = %d races; want %d", tt.name, len(races), tt.races)
			}
			trunc := 0
			for _, r := range races {
				if r.Truncated {
					trunc++
				}
			}
			if trunc != tt.trunc {
				t.Errorf("ParseRace(%s.txt): %d truncated; want %d", tt.name, trunc, tt.trunc)
			}
			for i, ws := range tt.access {
				for j, w := range ws {
					checkAccess(t, tt.prog, i, j, races[i].Accesses[j], w)
				}
				if tt.prog == "intest" {
					continue // created by testing: see TestParseRaceInTest
				}
				if c := races[i].Created; len(c) != 1 || c[0].Goroutine != 2 || !samePlace(c[0].At, srcPos(t, tt.prog, "go")) || c[0].Finished != tt.finished {
					t.Errorf("race %d: Created = %+v; want goroutine 2 at the line marked go, finished %v", i, c, tt.finished)
				}
			}
			for i, r := range races {
				for j, a := range r.Accesses {
					for _, p := range a.Stack {
						if strings.HasPrefix(p.File, "/") || strings.HasPrefix(p.Func, "runtime.") || strings.HasPrefix(p.Func, "maps.") {
							t.Errorf("race %d access %d: Stack has %v; want runtime frames dropped, files relative", i, j, p)
						}
					}
				}
			}
			checkGolden(t, tt.name, races)
		})
	}
}

// checkGolden compares races with testdata/race/NAME.json, or rewrites it
// with -update.
func checkGolden(t *testing.T, name string, races []detector.Race) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // <autogenerated> stays readable
	enc.SetIndent("", "\t")
	if err := enc.Encode(races); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	golden := filepath.Join(raceDir, name+".json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	w, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if !bytes.Equal(got, w) {
		t.Errorf("ParseRace(%s.txt) differs from %s (go test -update rewrites it):\n%s", name, golden, got)
	}
}

// The counter fixture is a real run of the catalog's racy variant: its
// accesses are the student's lines, the lab's frames are kept in the stack
// but never chosen, and the creation site is the scenario's, not the
// native runtime's.
func TestParseRaceCounter(t *testing.T) {
	const file = "labs/counter/unsynchronized.go"
	for _, r := range detector.ParseRace(raceFixture(t, "counter")) {
		for j, a := range r.Accesses {
			if a.At.File != file || a.Func != "counter.playUnsynchronized.func1" || a.Goroutine < 2 {
				t.Errorf("access %d = %s in %s at %v by goroutine %d; want %s, in the variant's worker body, by a worker", j, a.Op, a.Func, a.At, a.Goroutine, file)
			}
			if last := a.Stack[len(a.Stack)-1]; last.File != "labs/native/native.go" {
				t.Errorf("access %d: outermost frame %v; want the native runtime's, kept in Stack", j, last)
			}
		}
		for _, o := range r.Created {
			if o.At.File != "labs/counter/counter.go" || o.Func != "counter.startWorkers" {
				t.Errorf("Created = %+v; want counter.startWorkers in labs/counter/counter.go", o)
			}
		}
	}
}

// Foreign lines inside a report, even between a frame's two lines, change
// nothing.
func TestParseRaceNoise(t *testing.T) {
	clean := detector.ParseRace(raceFixture(t, "counter"))
	noisy := detector.ParseRace(raceFixture(t, "noisy"))
	if !reflect.DeepEqual(noisy, clean) {
		t.Errorf("ParseRace(noisy.txt) = %+v; want ParseRace(counter.txt) = %+v", noisy, clean)
	}
}

// In a test, the test function's goroutine was created by package testing:
// its creation site is outside the module and outside testing.
func TestParseRaceInTest(t *testing.T) {
	races := normalize(detector.ParseRace(raceFixture(t, "intest")))
	if len(races) != 1 || len(races[0].Created) != 2 {
		t.Fatalf("ParseRace(intest.txt) = %+v; want 1 race with 2 creation sites", races)
	}
	c := races[0].Created
	if c[0].Goroutine != 2 || strings.HasPrefix(c[0].Func, "testing.") {
		t.Errorf("Created[0] = %+v; want goroutine 2, not in package testing", c[0])
	}
	if c[1].Goroutine != 3 || !samePlace(c[1].At, srcPos(t, "intest", "go")) {
		t.Errorf("Created[1] = %+v; want goroutine 3 at %v", c[1], srcPos(t, "intest", "go"))
	}
	read := races[0].Accesses[0]
	if n := len(read.Stack); n < 2 || !strings.HasPrefix(read.Stack[n-1].Func, "testing.") {
		t.Errorf("Stack = %v; want testing's frames kept after the test's", read.Stack)
	}
}

// The truncated fixture ends inside the previous access's first frame.
func TestParseRaceTruncated(t *testing.T) {
	races := detector.ParseRace(raceFixture(t, "truncated"))
	if len(races) != 1 {
		t.Fatalf("ParseRace(truncated.txt) = %d races; want 1", len(races))
	}
	r := races[0]
	if !r.Truncated || r.Accesses[0].At.IsZero() || r.Accesses[1].Op != "write" || len(r.Accesses[1].Stack) != 0 || r.Created != nil {
		t.Errorf("ParseRace(truncated.txt) = %+v; want Truncated, the current access whole, the previous one's header only", r)
	}
}

// Header and location forms that Go's runtime does not print (C/C++
// ThreadSanitizer's) and malformed reports.
func TestParseRaceForms(t *testing.T) {
	const frame = "  main.f()\n      /src/m/main.go:7 +0x1\n"
	tests := []struct {
		name  string
		in    string
		want0 detector.Access // Op, Goroutine and At of the current access
		want1 detector.Access
		loc   string
		trunc bool
	}{{
		name:  "atomic and sizes",
		in:    "WARNING: DATA RACE\nAtomic write of size 8 at 0x1 by thread T3:\n" + frame + "\nPrevious read of size 8 at 0x1 by main thread:\n" + frame + "==================\n",
		want0: detector.Access{Op: "atomic write", Goroutine: 3, At: detector.Pos{File: "m/main.go", Line: 7, Func: "main.f"}},
		want1: detector.Access{Op: "read", At: detector.Pos{File: "m/main.go", Line: 7, Func: "main.f"}},
	}, {
		name:  "previous atomic",
		in:    "WARNING: DATA RACE\nRead at 0x1 by goroutine 4:\n" + frame + "\nPrevious atomic write at 0x1 by goroutine 5:\n" + frame + "\nLocation is global 'x' of size 8 at 0x1 (a.out+0x5):\n==================\n",
		want0: detector.Access{Op: "read", Goroutine: 4, At: detector.Pos{File: "m/main.go", Line: 7, Func: "main.f"}},
		want1: detector.Access{Op: "atomic write", Goroutine: 5, At: detector.Pos{File: "m/main.go", Line: 7, Func: "main.f"}},
		loc:   "global 'x' of size 8",
	}, {
		name:  "heap block",
		in:    "WARNING: DATA RACE\nWrite at 0x1 by goroutine 4:\n" + frame + "\nPrevious write at 0x1 by goroutine 5:\n" + frame + "\nHeap block of size 16 at 0x1 allocated by goroutine 4:\n" + frame + "==================\n",
		want0: detector.Access{Op: "write", Goroutine: 4, At: detector.Pos{File: "m/main.go", Line: 7, Func: "main.f"}},
		want1: detector.Access{Op: "write", Goroutine: 5, At: detector.Pos{File: "m/main.go", Line: 7, Func: "main.f"}},
		loc:   "heap block of size 16",
	}, {
		name:  "no separator at the end",
		in:    "WARNING: DATA RACE\r\nWrite at 0x1 by goroutine 4:\r\n" + strings.ReplaceAll(frame, "\n", "\r\n") + "\r\nPrevious write at 0x1 by goroutine 5:\r\n",
		want0: detector.Access{Op: "write", Goroutine: 4, At: detector.Pos{File: "m/main.go", Line: 7, Func: "main.f"}},
		want1: detector.Access{Op: "write", Goroutine: 5},
		trunc: true,
	}, {
		name:  "header only",
		in:    "WARNING: DATA RACE\n",
		trunc: true,
	}, {
		name:  "a frame without its file, a file without its frame",
		in:    "WARNING: DATA RACE\nRead at 0x1 by goroutine 99999999999999999999:\n  main.g()\n      /src/m/main.go:7 +0x1\n  main.h()\n\nPrevious write at 0x1 by goroutine 2:\n      /src/m/main.go:8\n==================\n",
		want0: detector.Access{Op: "read", At: detector.Pos{File: "m/main.go", Line: 7, Func: "main.g"}},
		want1: detector.Access{Op: "write", Goroutine: 2},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			races := detector.ParseRace(tt.in)
			if len(races) != 1 {
				t.Fatalf("ParseRace() = %d races; want 1", len(races))
			}
			r := races[0]
			for j, w := range []detector.Access{tt.want0, tt.want1} {
				a := r.Accesses[j]
				if a.Op != w.Op || a.Goroutine != w.Goroutine || a.At != w.At {
					t.Errorf("access %d = %s by %d at %#v; want %s by %d at %#v", j, a.Op, a.Goroutine, a.At, w.Op, w.Goroutine, w.At)
				}
			}
			if r.Location != tt.loc || r.Truncated != tt.trunc {
				t.Errorf("Location, Truncated = %q, %v; want %q, %v", r.Location, r.Truncated, tt.loc, tt.trunc)
			}
		})
	}
}

func TestParseRaceNothing(t *testing.T) {
	for _, in := range []string{"", "PASS\n", raceFixture(t, "counter")[:1], "==================\n==================\n", "goroutine 1 [running]:\nmain.main()\n\t/src/main.go:3 +0x1\n"} {
		if races := detector.ParseRace(in); races != nil {
			t.Errorf("ParseRace(%q) = %+v; want nil", in, races)
		}
	}
}

func TestRaceKeyDedup(t *testing.T) {
	read := detector.Access{Op: "read", At: detector.Pos{File: "a.go", Line: 1}}
	write := detector.Access{Op: "write", At: detector.Pos{File: "a.go", Line: 2}}
	other := detector.Access{Op: "write", At: detector.Pos{File: "b.go", Line: 2}}
	races := []detector.Race{
		{Accesses: [2]detector.Access{read, write}},
		{Accesses: [2]detector.Access{write, write}},
		{Accesses: [2]detector.Access{write, read}, Location: "swapped"},
		{Accesses: [2]detector.Access{read, other}},
	}
	if races[0].Key() != races[2].Key() {
		t.Errorf("Key() = %q and %q for the same pair in both orders; want equal", races[0].Key(), races[2].Key())
	}
	if races[0].Key() == races[1].Key() || races[0].Key() == races[3].Key() {
		t.Errorf("Key() = %q, %q, %q for different pairs; want different", races[0].Key(), races[1].Key(), races[3].Key())
	}
	got := detector.Dedup(races)
	if want := []detector.Race{races[0], races[1], races[3]}; !reflect.DeepEqual(got, want) {
		t.Errorf("Dedup() = %+v; want %+v", got, want)
	}
	// The fixtures: the second of each pair is the same race, reported
	// again at the same lines.
	twice := append(detector.ParseRace(raceFixture(t, "two")), detector.ParseRace(raceFixture(t, "two"))...)
	if n := len(detector.Dedup(twice)); n != 2 {
		t.Errorf("len(Dedup(two.txt twice)) = %d; want 2", n)
	}
}

func TestNameRaces(t *testing.T) {
	races := detector.ParseRace(raceFixture(t, "counter"))
	first := races[0].Accesses[0].Goroutine
	detector.NameRaces(races, map[int64]string{first: "worker 3", 0: "nobody"})
	for i, r := range races {
		for j, a := range r.Accesses {
			want := ""
			if a.Goroutine == first {
				want = "worker 3"
			}
			if a.Worker != want {
				t.Errorf("race %d access %d (goroutine %d): Worker = %q; want %q", i, j, a.Goroutine, a.Worker, want)
			}
		}
	}
}

func TestRaceFinding(t *testing.T) {
	two := func(mark string) string { return srcPos(t, "two", mark).String() }
	tests := []struct {
		name string
		in   string // the report
		msg  string
	}{{
		name: "two",
		in:   raceFixture(t, "two"),
		msg:  "read at " + two("read a") + " and write at " + two("write a"),
	}, {
		name: "atomic",
		in:   raceFixture(t, "atomic"),
		msg:  "read at " + srcPos(t, "atomic", "read").String() + " and atomic write in atomic.AddInt64 (its caller is not reported)",
	}, {
		name: "truncated",
		in:   raceFixture(t, "truncated"),
		msg:  "read at " + two("read a") + " and write at an unknown position",
	}, {
		name: "one access",
		in:   "WARNING: DATA RACE\nRead at 0x1 by goroutine 4:\n  main.f()\n      /m/main.go:7 +0x1\n",
		msg:  "read at m/main.go:7 races with an access the report does not show (it was cut short)",
	}, {
		name: "no access",
		in:   "WARNING: DATA RACE\n",
		msg:  "data race (the report was cut short)",
	}, {
		name: "stack lost",
		in:   "WARNING: DATA RACE\nRead at 0x1 by goroutine 4:\n  main.f()\n      /m/main.go:7 +0x1\n\nPrevious write at 0x1 by goroutine 5:\n  [failed to restore the stack]\n\n==================\n",
		msg:  "read at m/main.go:7 and write at a position the race detector no longer remembers",
	}, {
		name: "location",
		in:   "WARNING: DATA RACE\nRead at 0x1 by goroutine 4:\n  main.f()\n      /m/main.go:7 +0x1\n\nLocation is global 'x' of size 8 at 0x1 (a.out+0x2)\n",
		msg:  "read at m/main.go:7 races with an access the report does not show (it was cut short) (global 'x' of size 8)",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := detector.ParseRace(tt.in)[0]
			if lost := r.Accesses[1].StackLost; lost != (tt.name == "stack lost") {
				t.Errorf("Accesses[1].StackLost = %v; want %v", lost, !lost)
			}
			detector.NameRaces([]detector.Race{r}, map[int64]string{detector.MainGoroutine: "main"})
			f := r.Finding()
			if f.Kind != detector.DataRace || f.Message != tt.msg {
				t.Errorf("Finding() = %s: %q; want %s: %q", f.Kind, f.Message, detector.DataRace, tt.msg)
			}
			var steps []detector.Step
			for _, a := range r.Accesses {
				if a.Op != "" {
					steps = append(steps, detector.Step{Worker: a.Who(), Op: a.Op, At: a.At})
				}
			}
			if !reflect.DeepEqual(f.Steps, steps) {
				t.Errorf("Finding().Steps = %+v; want %+v", f.Steps, steps)
			}
		})
	}
}

func TestAccessWho(t *testing.T) {
	tests := []struct {
		a    detector.Access
		want string
	}{
		{detector.Access{Goroutine: 7, Worker: "philosopher 2"}, "philosopher 2"},
		{detector.Access{Goroutine: detector.MainGoroutine}, "main goroutine"},
		{detector.Access{Goroutine: 7}, "goroutine 7"},
		{detector.Access{}, "unknown goroutine"},
	}
	for _, tt := range tests {
		if got := tt.a.Who(); got != tt.want {
			t.Errorf("%+v.Who() = %q; want %q", tt.a, got, tt.want)
		}
	}
}

// Every report in testdata/race has its golden parse, and every golden its
// report.
func TestRaceFixturesComplete(t *testing.T) {
	txt, _ := filepath.Glob(filepath.Join(raceDir, "*.txt"))
	js, _ := filepath.Glob(filepath.Join(raceDir, "*.json"))
	if len(txt) == 0 || len(txt) != len(js) {
		t.Fatalf("%d reports and %d goldens in %s; want as many, and some", len(txt), len(js), raceDir)
	}
	for _, f := range txt {
		if _, err := os.Stat(strings.TrimSuffix(f, ".txt") + ".json"); err != nil {
			t.Errorf("%s has no golden: %v", f, err)
		}
	}
}

// The fixtures must still be what this toolchain prints: build one program
// with -race, run it, and compare the parse with two.txt's.
func TestParseRaceLive(t *testing.T) {
	if testing.Short() {
		t.Skip("builds with -race")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go on PATH")
	}
	if out, err := exec.Command(gobin, "env", "CGO_ENABLED").Output(); err != nil || strings.TrimSpace(string(out)) != "1" {
		t.Skip("cgo is off: -race needs it")
	}
	bin := filepath.Join(t.TempDir(), "two")
	build := exec.Command(gobin, "build", "-race", "-o", bin, "./"+raceDir+"/src/two")
	if out, err := build.CombinedOutput(); err != nil {
		t.Skipf("go build -race: %v\n%s", err, out) // no C compiler
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "GORACE=halt_on_error=0 atexit_sleep_ms=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 66 {
		t.Errorf("two: %v; want exit status 66", err)
	}
	// Which access comes first depends on the scheduling: compare keys.
	keys := func(races []detector.Race) []string {
		var ks []string
		for _, r := range races {
			ks = append(ks, r.Key())
		}
		slices.Sort(ks)
		return ks
	}
	got, want := keys(detector.ParseRace(stderr.String())), keys(detector.ParseRace(raceFixture(t, "two")))
	if !slices.Equal(got, want) {
		t.Errorf("ParseRace(live run) keys = %q; want two.txt's %q (make fixtures regenerates it)\n%s", got, want, stderr.String())
	}
}

// FuzzParseRace checks that ParseRace never panics, and that what it
// returns holds together: one Race per "WARNING: DATA RACE" line, and
// Key, Finding, Dedup and NameRaces work on all of them.
func FuzzParseRace(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(raceDir, "*.txt"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("WARNING: DATA RACE\nRead at 0x1 by goroutine 4:\n  main.f()\n      x.go:1\n")
	f.Fuzz(func(t *testing.T, in string) {
		races := detector.ParseRace(in)
		n := 0
		for _, l := range strings.Split(in, "\n") {
			if strings.TrimSpace(l) == "WARNING: DATA RACE" {
				n++
			}
		}
		if len(races) != n {
			t.Fatalf("ParseRace() = %d races; want %d, one per WARNING line", len(races), n)
		}
		names := map[int64]string{}
		for _, r := range races {
			for _, a := range r.Accesses {
				if a.Op == "" && (a.Goroutine != 0 || !a.At.IsZero() || a.Stack != nil || a.StackLost) {
					t.Fatalf("access without a header: %+v", a)
				}
				names[a.Goroutine] = "w"
			}
			if f := r.Finding(); f.Kind != detector.DataRace || f.Message == "" {
				t.Fatalf("Finding() = %+v; want a data race with a message", f)
			}
			_ = r.Key()
		}
		if d := detector.Dedup(races); len(d) > len(races) {
			t.Fatalf("len(Dedup()) = %d > %d", len(d), len(races))
		}
		detector.NameRaces(races, names)
		if _, err := json.Marshal(races); err != nil {
			t.Fatal(err)
		}
	})
}
