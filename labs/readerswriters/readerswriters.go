package readerswriters

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/locklab/locklab/labs"
)

//go:embed doc.go
var docGo string

// Scenario is readers and writers sharing a document: every variant, in
// curriculum order, with the package documentation as its Doc.
var Scenario = &labs.Scenario{
	Name:    "readers-writers",
	Title:   "Readers and writers",
	Doc:     labs.PackageDoc(docGo),
	Workers: "worker",
	Ops:     "read or write",
	Defaults: labs.Config{
		Workers: 4,
		Ops:     20,
		Seed:    42,
		// Reading and writing take a short pause at each yield point, so
		// that readers overlap as they do in a busy server.
		Yield: 20 * time.Microsecond,
	},
	Variants: []labs.Variant{
		readerPreference,
		recursiveRLock,
		writerPreference,
		rwmutex,
		keeper,
	},
}

// fields is the document's size: a write sets every field to the new
// version, one at a time, so a reader who reads during a write sees
// fields of two versions.
const fields = 3

// writers returns how many of cfg's workers are writers: the first
// quarter, at least one.
func writers(cfg labs.Config) int { return max(1, cfg.Workers/4) }

// name returns the name of worker i: "writer 0", "reader 1".
func name(cfg labs.Config, i int) string {
	if i < writers(cfg) {
		return "writer " + strconv.Itoa(i)
	}
	return "reader " + strconv.Itoa(i)
}

// rwLocker is the reader/writer lock a variant guards the document with.
type rwLocker interface {
	RLock()
	RUnlock()
	Lock()
	Unlock()
}

// library is the Instance every variant returns: the document, and per
// worker what it did. The atomics only observe, for the checks: they are
// not how any variant keeps the document consistent.
type library struct {
	doc [fields]int // the document: every field holds the version of the last write

	obs    labs.Observer // tells whether a writer is blocked; nil if the runtime cannot
	inside atomic.Int32  // readers reading right now

	ops  int
	nw   int   // the first nw workers are writers
	done []int // per worker: reads or writes done, of ops
	torn []int // per reader: reads that saw a half-written document

	// Per writer: reads that began while it was blocked in Lock with
	// another reader already reading, in its current wait, and the most
	// in any one wait; and its longest wait.
	overtaking []atomic.Int32
	overtaken  []int
	longest    []time.Duration

	// Per writer: its calls to Lock and their returns, odd while it
	// waits. Per reader: the wait of each writer that was already kept
	// waiting when the reader asked to read (-1 if none); only those
	// writers can the read overtake.
	waits []atomic.Int64
	asked [][]int64
}

func newLibrary(rt labs.Runtime, cfg labs.Config) *library {
	lib := &library{
		ops:        cfg.Ops,
		nw:         writers(cfg),
		done:       make([]int, cfg.Workers),
		torn:       make([]int, cfg.Workers),
		overtaking: make([]atomic.Int32, cfg.Workers),
		overtaken:  make([]int, cfg.Workers),
		longest:    make([]time.Duration, cfg.Workers),
		waits:      make([]atomic.Int64, cfg.Workers),
		asked:      make([][]int64, cfg.Workers),
	}
	for i := range lib.asked {
		lib.asked[i] = make([]int64, lib.nw)
	}
	lib.obs, _ = rt.(labs.Observer)
	return lib
}

// overtakeLimit is how many reads may overtake one waiting writer before
// it counts as starving: one per other reader, the readers who were
// already on their way in when the writer started to wait.
func (lib *library) overtakeLimit() int { return max(len(lib.done)-lib.nw-1, 1) }

// ask notes, as reader i is about to ask to read, which writers are
// already kept waiting, and in which of their waits.
func (lib *library) ask(i int) {
	for j := range lib.asked[i] {
		lib.asked[i][j] = -1
		if g := lib.waits[j].Load(); g%2 == 1 && lib.obs != nil && lib.obs.Blocked(j) {
			lib.asked[i][j] = g
		}
	}
}

// read reads the whole document, a field at a time, as reader i, under
// whatever keeps writers out. A read asked for while a writer was already
// blocked waiting, that begins beside another reader while that writer
// is still in the same wait, overtakes the writer.
func (lib *library) read(w labs.Worker, i int) {
	if lib.inside.Add(1) > 1 {
		for j, g := range lib.asked[i] {
			if g >= 0 && lib.waits[j].Load() == g {
				lib.overtaking[j].Add(1)
			}
		}
	}
	v := lib.doc[0]
	w.Read("document", v)
	for range 1 + w.Rand().IntN(3) {
		w.Yield() // reading takes a while, longer or shorter, so readers fall out of step
	}
	for f := 1; f < fields; f++ {
		if lib.doc[f] != v {
			lib.torn[i]++ // a writer is halfway through
		}
	}
	lib.inside.Add(-1)
}

// write writes a new version of the document, a field at a time, under
// whatever keeps everyone else out.
func (lib *library) write(w labs.Worker) {
	v := lib.doc[0] + 1
	w.Write("document", v)
	for f := range fields {
		lib.doc[f] = v
		w.Yield() // writing takes a while
	}
}

// A readFunc reads the document once, as reader i, under the variant's
// locking (calling lib.read); a writeFunc writes it once as writer i,
// taking its lock with lib.waitFor.
type (
	readFunc  func(w labs.Worker, i int)
	writeFunc func(w labs.Worker, i int)
)

// start starts cfg.Workers workers: writers, each making cfg.Ops writes
// with write, and readers, each making cfg.Ops reads with read.
func (lib *library) start(rt labs.Runtime, cfg labs.Config, read readFunc, write writeFunc) {
	for i := range cfg.Workers {
		rt.Go(name(cfg, i), func(w labs.Worker) {
			for range cfg.Ops {
				if i < lib.nw {
					write(w, i)
				} else {
					lib.ask(i)
					read(w, i)
				}
				lib.done[i]++
				w.Progress()
				if i < lib.nw {
					w.Yield() // a writer thinks between writes, and the readers come in
				}
			}
		})
	}
}

// waitFor takes a write lock with lock as writer i, and records how long
// it waited and how many reads overtook it meanwhile.
func (lib *library) waitFor(i int, lock func()) {
	since := time.Now()
	lib.overtaking[i].Store(0)
	lib.waits[i].Add(1) // odd: waiting
	lock()
	lib.waits[i].Add(1)
	lib.longest[i] = max(lib.longest[i], time.Since(since))
	lib.overtaken[i] = max(lib.overtaken[i], int(lib.overtaking[i].Load()))
}

// Check reports the invariants (no reader saw a half-written document;
// no waiting writer was overtaken by more reads than there are other
// readers, which is how reader preference starves writers; every worker
// did all its work) and, per worker, its progress and the writers'
// longest waits.
func (lib *library) Check() labs.Report {
	torn, worst, over := 0, 0, 0
	var done []string
	all := true
	for i := range lib.done {
		torn += lib.torn[i]
		all = all && lib.done[i] == lib.ops
		done = append(done, strconv.Itoa(lib.done[i]))
		if i < lib.nw {
			if lib.overtaken[i] > lib.overtaken[over] {
				over = i
			}
			if lib.longest[i] > lib.longest[worst] {
				worst = i
			}
		}
	}
	limit := lib.overtakeLimit()
	return labs.Report{
		Invariants: []labs.Check{
			{
				Name:     "no reader saw a half-written document",
				Expected: "0 torn reads",
				Actual:   fmt.Sprintf("%d torn reads", torn),
				OK:       torn == 0,
			},
			{
				Name:     "no writer starved",
				Expected: fmt.Sprintf("at most %d reads overtake a waiting writer", limit),
				Actual:   fmt.Sprintf("%d overtook writer %d in one wait", lib.overtaken[over], over),
				OK:       lib.overtaken[over] <= limit,
			},
			{
				Name:     "every worker did all its work",
				Expected: fmt.Sprintf("%d each", lib.ops),
				Actual:   strings.Join(done, " "),
				OK:       all,
			},
		},
		Metrics: []labs.Metric{
			{Name: "reads or writes done", Value: strings.Join(done, " ")},
			{Name: "most reads overtaking a waiting writer", Value: fmt.Sprintf("%d (writer %d)", lib.overtaken[over], over)},
			{Name: "longest wait for the write lock", Value: fmt.Sprintf("%v (writer %d)", lib.longest[worst].Round(time.Microsecond), worst)},
		},
	}
}
