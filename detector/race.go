package detector

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// This file turns the reports of Go's race detector (ThreadSanitizer, as
// linked into a program built with -race) into plain data. A report looks
// like this (addresses shortened):
//
//	==================
//	WARNING: DATA RACE
//	Read at 0x00c0000182c8 by goroutine 12:
//	  github.com/locklab/locklab/labs/counter.playUnsynchronized.func1()
//	      /work/main/labs/counter/unsynchronized.go:24 +0x4a
//	  ...
//
//	Previous write at 0x00c0000182c8 by goroutine 13:
//	  ...
//
//	Goroutine 12 (running) created at:
//	  ...
//	==================
//
// Go's race runtime says "Read" or "Write" even for an atomic access (whose
// stack then holds only sync/atomic frames, without the caller), and in
// practice never says where the memory lives, although its report format
// has "Heap block of size N at ... allocated by ..." and "Global var x of
// size N at ... declared at ..." lines. ParseRace accepts those, and the
// header and location forms of C/C++ ThreadSanitizer ("Previous atomic
// write of size 8 at ... by thread T1:", "Location is global 'x' ..."),
// but parses only Go's two-line stack frames.

// MainGoroutine is the id ParseRace gives the goroutine ThreadSanitizer
// calls "main goroutine": its id 1 in Go's race runtime.
const MainGoroutine int64 = 1

// Access is one side of a data race.
type Access struct {
	// Op is what the access did: "read" or "write" as ThreadSanitizer
	// says, lower-case, with "atomic " in front when ThreadSanitizer says
	// so or when the access's innermost frame is in sync/atomic (Go's
	// runtime reports an atomic access as a plain read or write). Empty
	// when the report was cut before this access.
	Op string `json:"op"`
	// Goroutine is ThreadSanitizer's goroutine id: not the goid that
	// runtime.Stack prints (see NameRaces). MainGoroutine for "main
	// goroutine"; 0 when unknown.
	Goroutine int64 `json:"goroutine"`
	// Worker is the lab worker's name, when known (see NameRaces).
	Worker string `json:"worker,omitempty"`
	// Func is the function of At, shortened like Pos.Func.
	Func string `json:"func,omitempty"`
	// At is the position a student wrote: the innermost frame outside the
	// Go runtime, the standard library (testing, sync/atomic, ...) and the
	// lab's machinery (packages locks, detector, labs/native, labs/run).
	// Without such a frame, it is the innermost frame outside the runtime,
	// or else the innermost frame. File is module-relative. At is zero for
	// an atomic access whose stack holds only sync/atomic frames (Go's race
	// runtime does not report the caller of an atomic operation): Func
	// then names the operation, such as "atomic.AddInt64".
	At Pos `json:"at"`
	// Stack is the whole stack, innermost first, runtime frames dropped.
	Stack []Pos `json:"stack,omitempty"`
	// StackLost reports that ThreadSanitizer said "[failed to restore the
	// stack]": the previous access is older than the history it keeps per
	// goroutine (GORACE history_size raises it).
	StackLost bool `json:"stack_lost,omitempty"`
}

// Who names the goroutine of a: its Worker when known, otherwise "main
// goroutine" or "goroutine N" as ThreadSanitizer says.
func (a Access) Who() string {
	switch {
	case a.Worker != "":
		return a.Worker
	case a.Goroutine == MainGoroutine:
		return "main goroutine"
	case a.Goroutine > 0:
		return "goroutine " + strconv.FormatInt(a.Goroutine, 10)
	default:
		return "unknown goroutine"
	}
}

// Origin is where a goroutine of the report was created.
type Origin struct {
	// Goroutine is ThreadSanitizer's id of the created goroutine.
	Goroutine int64 `json:"goroutine"`
	// At is the creation site, chosen among the creation stack's frames as
	// Access.At is.
	At Pos `json:"at"`
	// Func is the function of At, shortened like Pos.Func.
	Func string `json:"func,omitempty"`
	// Finished reports that the goroutine had already returned when the
	// race was reported ("Goroutine N (finished) created at").
	Finished bool `json:"finished,omitempty"`
}

// Race is one ThreadSanitizer report.
type Race struct {
	// Accesses are the current access, then the previous one.
	Accesses [2]Access `json:"accesses"`
	// Created are the creation sites of the goroutines involved, in the
	// report's order. The main goroutine has none.
	Created []Origin `json:"created,omitempty"`
	// Location is where the memory lives, when ThreadSanitizer says
	// ("heap block of size 8", "global 'x' of size 8"), without addresses.
	// Go's runtime does not say.
	Location string `json:"location,omitempty"`
	// Truncated reports that the report was cut short: its closing line
	// or one of its two accesses is missing (a killed process, a full
	// log). What was there is parsed.
	Truncated bool `json:"truncated,omitempty"`
}

// ParseRace returns the ThreadSanitizer reports in output, in order. Text
// around and between reports (a program's own output, a panic's
// traceback) is ignored, and so are lines inside a report that are not
// part of it. Each "WARNING: DATA RACE" line starts a Race, even if the
// report is cut short (see Race.Truncated). ParseRace never panics, on
// any input.
func ParseRace(output string) []Race {
	var p raceParser
	for len(output) > 0 {
		line := output
		if i := strings.IndexByte(output, '\n'); i >= 0 {
			line, output = output[:i], output[i+1:]
		} else {
			output = ""
		}
		p.line(strings.TrimSuffix(line, "\r"))
	}
	p.endReport(false)
	return p.races
}

// Key returns r's deduplication key: the positions of its two accesses,
// order-independent, so that the same pair of lines reported with the
// roles swapped is one race.
func (r Race) Key() string {
	a, b := r.Accesses[0].At.String(), r.Accesses[1].At.String()
	if b < a {
		a, b = b, a
	}
	return a + " " + b
}

// Dedup returns the first race of each Key, in order.
func Dedup(races []Race) []Race {
	var out []Race
	seen := map[string]bool{}
	for _, r := range races {
		if k := r.Key(); !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

// NameRaces sets Access.Worker, in place, for every access whose
// Goroutine is in names.
//
// The keys are ThreadSanitizer's goroutine ids, which are not Go's goids
// (what runtime.Stack and github.com/petermattis/goid return): the race
// runtime numbers goroutines itself, in creation order. A caller must
// learn each worker's ThreadSanitizer id some other way.
func NameRaces(races []Race, names map[int64]string) {
	for i := range races {
		for j := range races[i].Accesses {
			a := &races[i].Accesses[j]
			if name, ok := names[a.Goroutine]; ok && a.Goroutine != 0 {
				a.Worker = name
			}
		}
	}
}

// Finding returns r as a Finding of Kind DataRace: one Step per access
// (Worker as Access.Who says, Op and At), and a Message that names the
// two positions: "read at labs/counter/unsynchronized.go:24 and write at
// labs/counter/unsynchronized.go:26".
func (r Race) Finding() Finding {
	f := Finding{Kind: DataRace}
	var parts []string
	for _, a := range r.Accesses {
		if a.Op == "" {
			continue
		}
		f.Steps = append(f.Steps, Step{Worker: a.Who(), Op: a.Op, At: a.At})
		switch {
		case !a.At.IsZero():
			parts = append(parts, a.Op+" at "+a.At.String())
		case a.Func != "":
			parts = append(parts, a.Op+" in "+a.Func+" (its caller is not reported)")
		case a.StackLost:
			parts = append(parts, a.Op+" at a position the race detector no longer remembers")
		default:
			parts = append(parts, a.Op+" at an unknown position")
		}
	}
	switch len(parts) {
	case 0:
		f.Message = "data race (the report was cut short)"
	case 1:
		f.Message = parts[0] + " races with an access the report does not show (it was cut short)"
	default:
		f.Message = parts[0] + " and " + parts[1]
	}
	if r.Location != "" {
		f.Message += " (" + r.Location + ")"
	}
	return f
}

// The lines of a report. Go's runtime prints the headers as
// "Read at 0x... by goroutine 7:" and "Previous write at 0x... by main
// goroutine:"; C/C++ ThreadSanitizer adds "atomic", "of size N" and
// threads.
var (
	raceAccessRE = regexp.MustCompile(`^(Previous )?((?:[Aa]tomic )?(?:[Rr]ead|[Ww]rite))(?: of size \d+)? at \S+ by (.+?):$`)
	raceOriginRE = regexp.MustCompile(`^Goroutine (\d+) \((running|finished)\) created at:$`)
	// raceFileRE is the second line of a Go frame: the file, the line and
	// the pc offset, indented more than the function line.
	raceFileRE = regexp.MustCompile(`^ {3,}(\S.*):(\d+)(?: \+0x[0-9a-fA-F]+)?$`)
	// raceFuncRE is the first line of a Go frame, indented by two spaces.
	raceFuncRE = regexp.MustCompile(`^  (\S+)$`)
	// raceByRE parses the "by ..." of an access header.
	raceByRE = regexp.MustCompile(`^(?:goroutine |thread T)(\d+)`)
)

// section is the part of a report whose frames are being read.
type section int

const (
	inNone section = iota // between sections, or in one whose frames are not kept
	inAccess
	inOrigin
)

type rawFrame struct {
	fn   string
	file string
	line int
}

type raceParser struct {
	races []Race
	cur   *Race // the report being read, nil outside reports

	sec     section
	access  int // the access being read, when sec == inAccess
	frames  []rawFrame
	fn      string // a function line waiting for its file line
	hasFunc bool
}

func (p *raceParser) line(l string) {
	t := strings.TrimSpace(l)
	if t == "WARNING: DATA RACE" {
		p.endReport(false)
		p.cur = &Race{}
		return
	}
	if p.cur == nil {
		return
	}
	if len(t) >= 10 && strings.Trim(t, "=") == "" {
		p.endReport(true)
		return
	}
	if t == "[failed to restore the stack]" {
		if p.sec == inAccess {
			p.cur.Accesses[p.access].StackLost = true
		}
		return
	}
	if m := raceFileRE.FindStringSubmatch(l); m != nil {
		if p.sec != inNone && p.hasFunc {
			if n, err := strconv.Atoi(m[2]); err == nil {
				p.frames = append(p.frames, rawFrame{fn: p.fn, file: m[1], line: n})
			}
		}
		p.hasFunc = false
		return
	}
	if m := raceFuncRE.FindStringSubmatch(l); m != nil {
		p.fn, p.hasFunc = strings.TrimSuffix(m[1], "()"), true
		return
	}
	if m := raceAccessRE.FindStringSubmatch(t); m != nil {
		p.endSection()
		i := 0
		if m[1] != "" {
			i = 1
		}
		if p.cur.Accesses[i].Op != "" {
			return // a second current (or previous) access: not Go's form
		}
		p.cur.Accesses[i] = Access{Op: strings.ToLower(m[2]), Goroutine: raceGoroutine(m[3])}
		p.sec, p.access = inAccess, i
		return
	}
	if m := raceOriginRE.FindStringSubmatch(t); m != nil {
		p.endSection()
		id, _ := strconv.ParseInt(m[1], 10, 64)
		p.cur.Created = append(p.cur.Created, Origin{Goroutine: id, Finished: m[2] == "finished"})
		p.sec = inOrigin
		return
	}
	if loc, ok := raceLocation(t); ok {
		p.endSection()
		if p.cur.Location == "" {
			p.cur.Location = loc
		}
		return
	}
	// Anything else is not part of the report (another goroutine's output
	// interleaved with it, even between a frame's two lines), except a
	// blank line, which ends a section.
	if t == "" {
		p.endSection()
	}
}

// endSection gives the frames read since the last header to their access
// or origin.
func (p *raceParser) endSection() {
	frames := p.frames
	p.frames, p.hasFunc = p.frames[:0], false
	sec := p.sec
	p.sec = inNone
	if p.cur == nil {
		return
	}
	switch sec {
	case inAccess:
		a := &p.cur.Accesses[p.access]
		a.Stack = raceStack(frames)
		if at, ok := raceChoose(frames); ok {
			a.At, a.Func = at, at.Func
		}
		if raceAtomicOnly(frames) {
			a.At = Pos{} // runtime/race_amd64.s would mislead; Func names the call
		}
		if len(frames) > 0 && strings.HasPrefix(frames[0].fn, "sync/atomic.") && !strings.HasPrefix(a.Op, "atomic ") {
			a.Op = "atomic " + a.Op
		}
	case inOrigin:
		o := &p.cur.Created[len(p.cur.Created)-1]
		if at, ok := raceChoose(frames); ok {
			o.At, o.Func = at, at.Func
		}
	}
}

// endReport ends the report being read, if any; closed says whether its
// closing line was seen.
func (p *raceParser) endReport(closed bool) {
	p.endSection()
	if p.cur == nil {
		return
	}
	r := p.cur
	p.cur = nil
	r.Truncated = !closed || r.Accesses[0].Op == "" || r.Accesses[1].Op == ""
	p.races = append(p.races, *r)
}

// raceGoroutine returns the id in the "by ..." of an access header.
func raceGoroutine(by string) int64 {
	if by == "main goroutine" {
		return MainGoroutine
	}
	if m := raceByRE.FindStringSubmatch(by); m != nil {
		if id, err := strconv.ParseInt(m[1], 10, 64); err == nil {
			return id
		}
	}
	return 0
}

// raceLocation recognizes the lines that say where the memory lives, in
// C/C++ ThreadSanitizer's forms, and returns them without addresses.
func raceLocation(t string) (string, bool) {
	var loc string
	switch {
	case strings.HasPrefix(t, "Location is "):
		loc = strings.TrimPrefix(t, "Location is ")
	case strings.HasPrefix(t, "Heap block of size "), strings.HasPrefix(t, "Global var "):
		loc = t
	default:
		return "", false
	}
	if i := strings.Index(loc, " at "); i >= 0 {
		loc = loc[:i]
	}
	loc = strings.TrimSuffix(loc, ":")
	if strings.HasPrefix(loc, "Global var ") {
		name, size, _ := strings.Cut(strings.TrimPrefix(loc, "Global var "), " ")
		loc = fmt.Sprintf("global '%s' %s", name, size)
		loc = strings.TrimSpace(loc)
	}
	if strings.HasPrefix(loc, "Heap block") {
		loc = "heap block" + strings.TrimPrefix(loc, "Heap block")
	}
	return loc, true
}

// raceRuntime reports whether fn belongs to the Go runtime, whose frames
// are dropped from stacks.
func raceRuntime(fn string) bool {
	return strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, "internal/runtime/") ||
		strings.HasPrefix(fn, "internal/race.")
}

// raceLibrary reports whether fn belongs to the standard library (its
// import path has no dot in its first element, and it is not package
// main) or to the lab's machinery: frames a student did not write.
func raceLibrary(fn string) bool {
	if internalFrame(fn) {
		return true
	}
	first := fn
	if i := strings.IndexByte(first, '/'); i >= 0 {
		first = first[:i]
	} else if i := strings.IndexByte(first, '.'); i >= 0 {
		first = first[:i]
	}
	return first != "main" && !strings.Contains(first, ".")
}

func racePos(f rawFrame) Pos {
	return Pos{File: trimPath(f.file), Line: f.line, Func: shortFunc(f.fn)}
}

func raceStack(frames []rawFrame) []Pos {
	var stack []Pos
	for _, f := range frames {
		if !raceRuntime(f.fn) {
			stack = append(stack, racePos(f))
		}
	}
	return stack
}

// raceChoose returns the frame a student wrote, as Access.At says.
func raceChoose(frames []rawFrame) (Pos, bool) {
	for _, f := range frames {
		if !raceRuntime(f.fn) && !raceLibrary(f.fn) {
			return racePos(f), true
		}
	}
	for _, f := range frames {
		if !raceRuntime(f.fn) {
			return racePos(f), true
		}
	}
	if len(frames) > 0 {
		return racePos(frames[0]), true
	}
	return Pos{}, false
}

// raceAtomicOnly reports whether every frame of a stack is in sync/atomic:
// Go's race runtime reports an atomic access without its caller, and the
// innermost frame's position is then the runtime's assembly.
func raceAtomicOnly(frames []rawFrame) bool {
	for _, f := range frames {
		if !strings.HasPrefix(f.fn, "sync/atomic.") {
			return false
		}
	}
	return len(frames) > 0
}
