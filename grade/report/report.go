package report

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/explore"
)

// The descriptors of the protocol.
const (
	ResultFD  = 3
	ControlFD = 4
)

// Limits the grader applies to what it reads.
const (
	MaxLines = 2000
	MaxLine  = 1 << 20
)

// Modes of the checks program.
const (
	ModeNative  = "native"  // the native runs
	ModeExplore = "explore" // the explored schedules
	ModeReplay  = "replay"  // one explored schedule, with its trace
)

// Control is what the grader asks the checks program to do.
type Control struct {
	Nonce string `json:"nonce"`
	Mode  string `json:"mode"`
	// Runs is, natively, how many runs of each workload in each
	// detection mode.
	Runs int `json:"runs,omitempty"`
	// Schedules is how many schedules of the safety workload to explore
	// (half a random walk, half PCT); the liveness workload gets half as
	// many.
	Schedules int `json:"schedules,omitempty"`
	// Budget bounds each explored check's time.
	Budget time.Duration `json:"budget,omitempty"`
	// Token is the schedule to replay.
	Token string `json:"token,omitempty"`
}

// Kinds of Line.
const (
	KindRun     = "run"     // one native run
	KindLeaks   = "leaks"   // goroutines left after the native runs
	KindExplore = "explore" // one explored check
	KindReplay  = "replay"  // a replayed schedule
	KindGuard   = "guard"   // the program stopped itself (a goroutine bomb, a runaway heap)
	KindDone    = "done"    // the program finished
)

// Line is one observation of the checks program.
type Line struct {
	Nonce   string           `json:"nonce"`
	Kind    string           `json:"kind"`
	Run     *Run             `json:"run,omitempty"`
	Leaks   string           `json:"leaks,omitempty"`
	Explore *Explore         `json:"explore,omitempty"`
	Replay  *explore.Failure `json:"replay,omitempty"`
	Guard   string           `json:"guard,omitempty"`
	Error   string           `json:"error,omitempty"` // replay: why the token could not be replayed
}

// Workloads a run or exploration plays.
const (
	Safety   = "safety"   // the exercise's safety invariants
	Liveness = "liveness" // every worker must do all its work
)

// Run is how one native run ended.
type Run struct {
	Workload   string             `json:"workload"`
	Detect     bool               `json:"detect"` // the wait-for and lock-order graphs were on
	Seed       uint64             `json:"seed"`
	Outcome    string             `json:"outcome"`
	Findings   []detector.Finding `json:"findings,omitempty"`
	Invariants []labs.Check       `json:"invariants,omitempty"` // the ones that failed
	Elapsed    time.Duration      `json:"elapsed_ns"`
}

// Explore is what one explored check found.
type Explore struct {
	Workload  string           `json:"workload"`
	Strategy  string           `json:"strategy"`
	Schedules int              `json:"schedules"` // run
	Failure   *explore.Failure `json:"failure,omitempty"`
	// Stopped says why the exploration ended before its budget of
	// schedules, if it did.
	Stopped string `json:"stopped,omitempty"`
	// Stuck is set when a worker never came back to the scheduler: the
	// program explores nothing more.
	Stuck bool `json:"stuck,omitempty"`
}

// Writer writes Lines to the grader. It is safe for concurrent use.
type Writer struct {
	mu    sync.Mutex // serializes writes
	w     io.Writer
	nonce string
}

// Open reads the Control from fd 4, closes it, and returns it with a
// Writer to fd 3. Call it first thing in main.
func Open() (Control, *Writer, error) {
	var ctl Control
	in := os.NewFile(ControlFD, "grade-control")
	out := os.NewFile(uintptr(private(ResultFD)), "grade-results")
	if in == nil || out == nil {
		return ctl, nil, errors.New("report: no control or result descriptor: this program is run by locklab grade")
	}
	line, err := bufio.NewReader(io.LimitReader(in, 1<<16)).ReadBytes('\n')
	in.Close()
	if err != nil && len(line) == 0 {
		return ctl, nil, fmt.Errorf("report: reading the control line: %w", err)
	}
	if err := json.Unmarshal(line, &ctl); err != nil {
		return ctl, nil, fmt.Errorf("report: bad control line: %w", err)
	}
	return ctl, NewWriter(out, ctl.Nonce), nil
}

// NewWriter returns a Writer of Lines carrying nonce to w.
func NewWriter(w io.Writer, nonce string) *Writer { return &Writer{w: w, nonce: nonce} }

// Write writes one Line.
func (w *Writer) Write(l Line) {
	l.Nonce = w.nonce
	b, err := json.Marshal(l)
	if err != nil {
		return
	}
	b = append(b, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	w.w.Write(b) //nolint:errcheck // the grader treats what is missing as not shown
}

// Read reads the Lines carrying nonce from r until EOF, skipping the
// others, at most MaxLines of them, each at most MaxLine bytes. It never
// blocks the writer: whatever is left after MaxLines is drained.
func Read(r io.Reader, nonce string) []Line {
	var out []Line
	br := bufio.NewReaderSize(r, 64<<10)
	for len(out) < MaxLines {
		line, err := readLine(br)
		if len(line) > 0 {
			var l Line
			if json.Unmarshal(line, &l) == nil && l.Nonce == nonce && nonce != "" {
				out = append(out, l)
			}
		}
		if err != nil {
			return out
		}
	}
	io.Copy(io.Discard, br) //nolint:errcheck // drain
	return out
}

// readLine reads one line, dropping a line longer than MaxLine.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) <= MaxLine {
			line = append(line, chunk...)
		} else {
			line = line[:0:0]
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			return nil, err
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return line, err
		}
	}
}
