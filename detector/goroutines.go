package detector

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
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

// stacks is a dump of every goroutine's stack, parsed only as far as asked.
type stacks struct {
	blocks map[int64]string // goroutine id -> its block of the dump
	parsed map[int64]*gInfo
}

// snapshot returns every goroutine's stack. It stops the world for as
// long as runtime.Stack takes: call it only to make a report.
func snapshot() *stacks {
	var gs *stacks
	stackDump(true, func(b []byte) { gs = newStacks(string(b)) })
	return gs
}

// newStacks indexes a dump by goroutine id, reading only the headers.
func newStacks(dump string) *stacks {
	gs := &stacks{blocks: map[int64]string{}, parsed: map[int64]*gInfo{}}
	for block := range strings.SplitSeq(dump, "\n\n") {
		block = strings.TrimSpace(block)
		head, ok := strings.CutPrefix(block, "goroutine ")
		if !ok {
			continue
		}
		idText, _, _ := strings.Cut(head, " ")
		if id, err := strconv.ParseInt(idText, 10, 64); err == nil {
			gs.blocks[id] = block
		}
	}
	return gs
}

// has reports whether goroutine id exists.
func (gs *stacks) has(id int64) bool {
	_, ok := gs.blocks[id]
	return ok
}

// get returns goroutine id, or nil if it does not exist.
func (gs *stacks) get(id int64) *gInfo {
	if g, ok := gs.parsed[id]; ok {
		return g
	}
	b, ok := gs.blocks[id]
	if !ok {
		return nil
	}
	g := parseGoroutine(b)
	gs.parsed[id] = g
	return g
}

// parent returns the goroutine that created goroutine id, or 0.
func (gs *stacks) parent(id int64) int64 {
	b := gs.blocks[id]
	i := strings.LastIndex(b, " in goroutine ")
	if i < 0 {
		return 0
	}
	rest := b[i+len(" in goroutine "):]
	if j := strings.IndexByte(rest, '\n'); j >= 0 {
		rest = rest[:j]
	}
	p, _ := strconv.ParseInt(strings.TrimSpace(rest), 10, 64)
	return p
}

// descendantsAlive reports whether a goroutine that goroutine id created
// (directly, or through goroutines still alive) exists: a lock taken by a
// goroutine that started others before it returned may have been handed
// to them.
func (gs *stacks) descendantsAlive(id int64) bool {
	for g := range gs.blocks {
		for p, hops := gs.parent(g), 0; p != 0 && hops < 64; hops++ {
			if p == id {
				return true
			}
			if !gs.has(p) {
				break
			}
			p = gs.parent(p)
		}
	}
	return false
}

// self returns the calling goroutine.
func self() *gInfo {
	var g *gInfo
	stackDump(false, func(b []byte) { g = parseGoroutine(string(b)) })
	return g
}

// stackBufs recycles runtime.Stack buffers: reports come in bursts.
var stackBufs = sync.Pool{New: func() any { b := make([]byte, 16<<10); return &b }}

// stackDump calls use with runtime.Stack's text, in a buffer it reuses.
func stackDump(all bool, use func([]byte)) {
	p := stackBufs.Get().(*[]byte)
	defer stackBufs.Put(p)
	for {
		n := runtime.Stack(*p, all)
		if n < len(*p) || len(*p) >= 64<<20 {
			use((*p)[:n])
			return
		}
		*p = make([]byte, 2*len(*p))
	}
}

// parseGoroutine parses one goroutine of runtime.Stack's text. It never
// fails: what it cannot read it leaves out.
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

func gname(id int64) string { return fmt.Sprintf("goroutine %d", id) }
