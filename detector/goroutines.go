package detector

import (
	"bytes"
	"fmt"
	"runtime"
	"strconv"
	"strings"
)

// This file reads goroutines from runtime.Stack, as the Go runtime's
// traceback prints them, to name goroutines in reports ("goroutine 12
// (pkg.worker, created by pkg.run at pkg/file.go:30)"), to tell whether a
// lock's owner still exists, and to say what a lock's holder is doing now.
// Only reports pay for it: nothing here runs on a lock's fast path.

// gInfo is one goroutine of a stack dump.
type gInfo struct {
	id     int64
	state  string // "chan send", "select", "sync.WaitGroup.Wait", "running", ...
	top    Pos    // the innermost frame outside the runtime and locklab
	topFn  string // its function, in full
	start  string // the goroutine's start function, if the stack is complete
	parent int64  // the goroutine that created it, or 0
	by     string // the function that created it
	byAt   Pos    // and the go statement's position
}

// snapshot returns every goroutine, by id. It stops the world for as
// long as runtime.Stack takes: call it only to make a report.
func snapshot() map[int64]*gInfo {
	return parseStacks(stackDump(true))
}

// self returns the calling goroutine.
func self() *gInfo {
	for _, g := range parseStacks(stackDump(false)) {
		return g
	}
	return nil
}

func stackDump(all bool) []byte {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, all)
		if n < len(buf) || len(buf) >= 64<<20 {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

// parseStacks parses runtime.Stack's text. It never fails: what it cannot
// read it leaves out.
func parseStacks(dump []byte) map[int64]*gInfo {
	out := map[int64]*gInfo{}
	for _, block := range bytes.Split(dump, []byte("\n\n")) {
		if g := parseGoroutine(string(block)); g != nil {
			out[g.id] = g
		}
	}
	return out
}

func parseGoroutine(block string) *gInfo {
	lines := strings.Split(strings.TrimSpace(block), "\n")
	if len(lines) == 0 {
		return nil
	}
	head, ok := strings.CutPrefix(lines[0], "goroutine ")
	if !ok {
		return nil
	}
	idText, rest, _ := strings.Cut(head, " ")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return nil
	}
	g := &gInfo{id: id}
	if i, j := strings.Index(rest, "["), strings.LastIndex(rest, "]"); i >= 0 && j > i {
		g.state, _, _ = strings.Cut(rest[i+1:j], ",")
	}
	complete := true
	var last, lastUser string
	for i := 1; i < len(lines); i++ {
		line := lines[i]
		if strings.HasPrefix(line, "...") {
			complete = false
			continue
		}
		if by, ok := strings.CutPrefix(line, "created by "); ok {
			fn, parent, _ := strings.Cut(by, " in goroutine ")
			g.by = fn
			g.parent, _ = strconv.ParseInt(strings.TrimSpace(parent), 10, 64)
			if i+1 < len(lines) {
				g.byAt = fileLine(lines[i+1])
			}
			break
		}
		if strings.HasPrefix(line, "\t") {
			continue
		}
		fn := funcName(line)
		last = fn
		if !plumbing(fn) {
			lastUser = fn
		}
		if g.top.IsZero() && i+1 < len(lines) && !plumbing(fn) {
			g.top = fileLine(lines[i+1])
			g.top.Func = shortFunc(fn)
			g.topFn = fn
		}
	}
	if complete {
		g.start = lastUser
		if g.start == "" {
			g.start = last
		}
	}
	return g
}

// plumbing reports whether fn is machinery rather than the code a
// goroutine runs: the runtime, sync, testing, locklab's lock machinery.
func plumbing(fn string) bool {
	for _, p := range []string{"runtime.", "sync.", "internal/", "testing.", "time.", "reflect."} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return internalFrame(fn)
}

// funcName returns the function of a traceback line such as
// "pkg.(*T).m(0xc000012345, {0x1, 0x2})".
func funcName(line string) string {
	if i := strings.LastIndex(line, "("); i > 0 {
		return line[:i]
	}
	return line
}

// fileLine parses a traceback line "\t/abs/file.go:12 +0x2c".
func fileLine(line string) Pos {
	line = strings.TrimSpace(line)
	if i := strings.LastIndex(line, " +0x"); i >= 0 {
		line = line[:i]
	}
	i := strings.LastIndex(line, ":")
	if i < 0 {
		return Pos{}
	}
	n, err := strconv.Atoi(line[i+1:])
	if err != nil {
		return Pos{}
	}
	return Pos{File: trimPath(line[:i]), Line: n}
}

// label is the goroutine's name as reports print it when it has no
// explicit one: its start function and where it was created.
func (g *gInfo) label() string {
	var parts []string
	if g.start != "" && !strings.HasPrefix(g.start, "runtime.") {
		parts = append(parts, shortFunc(g.start))
	}
	if g.by != "" && !plumbing(g.by) {
		s := "created by " + shortFunc(g.by)
		if !g.byAt.IsZero() {
			s += " at " + g.byAt.String()
		}
		parts = append(parts, s)
	}
	name := "goroutine " + strconv.FormatInt(g.id, 10)
	if len(parts) > 0 {
		name += " (" + strings.Join(parts, ", ") + ")"
	}
	return name
}

// doing describes what the goroutine is doing, from its stack: the state
// the runtime gives it and where, such as "chan send at pkg/x.go:12".
func (g *gInfo) doing() (string, *Pos) {
	state := g.state
	switch {
	case state == "":
		state = "running"
	case strings.HasPrefix(state, "sync.WaitGroup.Wait"), strings.HasPrefix(state, "sync.Mutex.Lock"),
		strings.HasPrefix(state, "sync.RWMutex"), strings.HasPrefix(state, "sync.Cond.Wait"):
		state = "in " + state
	case state == "semacquire":
		state = "in a sync primitive (semacquire)"
	}
	if g.top.IsZero() {
		return state, nil
	}
	at := g.top
	return state, &at
}

// descendantsAlive reports whether a goroutine that goroutine id created
// (directly, or through goroutines still alive) is in the snapshot: a lock
// taken by a goroutine that started others before it returned may have
// been handed to them.
func descendantsAlive(gs map[int64]*gInfo, id int64) bool {
	for _, g := range gs {
		for p, hops := g.parent, 0; p != 0 && hops < 64; hops++ {
			if p == id {
				return true
			}
			pg, ok := gs[p]
			if !ok {
				break
			}
			p = pg.parent
		}
	}
	return false
}

func gname(id int64) string { return fmt.Sprintf("goroutine %d", id) }
