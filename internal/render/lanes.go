package render

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/locklab/locklab/detector"
	"github.com/locklab/locklab/internal/view"
	"github.com/locklab/locklab/labs/explore"
)

// The views of a schedule.
const (
	ViewAuto  = ""      // lanes when they fit the width, else the table
	ViewLanes = "lanes" // one column per worker, time downward
	ViewTable = "table" // one row per step: worker, op, target, holds, where
)

// Views lists the values of --view.
func Views() []string { return []string{ViewLanes, ViewTable} }

// defaultWidth is the width lanes must fit when the terminal's is not
// known.
const defaultWidth = 100

const (
	laneStep   = 5  // the STEP column
	laneMax    = 30 // the widest a lane gets
	laneMin    = 14 // the narrowest
	laneGutter = 2
)

// laneText is what a lane shows for one event.
func laneText(e explore.Event) string { return view.Text(e) }

// shortAt is an event's position as lanes show it: file base name and
// line.
func shortAt(e explore.Event) string {
	if e.At.File == "" {
		return ""
	}
	return path.Base(e.At.File) + ":" + strconv.Itoa(e.At.Line)
}

// atWidth is the width of the lanes' AT column.
func atWidth(trace []explore.Event) int {
	w := 0
	for _, e := range trace {
		w = max(w, len(shortAt(e)))
	}
	return w
}

// lanesFit reports the lane width for workers lanes of the given events
// within width, or 0 when they do not fit.
func lanesFit(workers []string, trace []explore.Event, width int) int {
	if width <= 0 {
		width = defaultWidth
	}
	w := laneMin
	for _, name := range workers {
		w = max(w, len(name))
	}
	for _, e := range trace {
		w = max(w, len(laneText(e))+2)
	}
	w = min(w, laneMax)
	if laneStep+len(workers)*(w+laneGutter)+atWidth(trace) > width {
		return 0
	}
	return w
}

// lanes writes a schedule as lanes: one column per worker, time
// downward, each event in its worker's lane; a preemption is marked »
// and a write that overwrites another worker's is followed by a line
// saying so.
func lanes(b *strings.Builder, workers []string, trace []explore.Event, laneW int, st Style) {
	col := map[string]int{}
	for i, w := range workers {
		col[w] = i
	}
	pad := func(s string, n int) string {
		if n <= 0 {
			return ""
		}
		if width(s) > n {
			r := []rune(s)
			return string(r[:n-1]) + "…"
		}
		return s + strings.Repeat(" ", n-width(s))
	}
	head := pad("STEP", laneStep)
	for _, w := range workers {
		head += pad(strings.ToUpper(w), laneW+laneGutter)
	}
	at := laneStep + len(workers)*(laneW+laneGutter) // where the AT column starts
	if atWidth(trace) > 0 {
		head += "AT"
	}
	fmt.Fprintf(b, "  %s\n", st.paint(bold, strings.TrimRight(head, " ")))
	lost := view.LostWrites(trace)
	prev := -1
	preempts := false
	for i, e := range trace {
		step := ""
		if e.Step != prev {
			step = strconv.Itoa(e.Step)
			prev = e.Step
		}
		text := laneText(e)
		mark := "  "
		if e.Preempt {
			mark = "» "
			preempts = true
		}
		p := opPaint(e.Op)
		if _, ok := lost[i]; ok {
			p = boldRed
		}
		c := col[e.Worker]
		line := pad(step, laneStep) + strings.Repeat(" ", c*(laneW+laneGutter))
		cell := pad(mark+text, laneW)
		if where := shortAt(e); where != "" {
			rest := at - width(line) - laneW
			fmt.Fprintf(b, "  %s%s%s%s\n", line, st.paint(p, cell), strings.Repeat(" ", rest), st.paint(dim, where))
		} else {
			fmt.Fprintf(b, "  %s%s\n", line, strings.TrimRight(st.paint(p, cell), " "))
		}
		if o, ok := lost[i]; ok {
			note := fmt.Sprintf("✗ %s's write overwrites %s's %s = %s: that update is lost", e.Worker, o.Over, e.Target, o.Value)
			fmt.Fprintf(b, "  %s%s\n", strings.Repeat(" ", laneStep+c*(laneW+laneGutter)), st.paint(boldRed, note))
		}
	}
	if preempts {
		fmt.Fprintf(b, "  %s\n", st.paint(dim, "» a preemption: the scheduler switched away from a worker that could have gone on"))
	}
}

// sortNames puts worker names in natural order, "worker 2" before
// "worker 10": the lanes' columns, whichever worker moved first.
func sortNames(names []string) {
	slices.SortStableFunc(names, func(a, b string) int {
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return strings.Compare(a, b)
	})
}

// ring writes a deadlock's wait-for cycle as a ring:
//
//	philosopher 0 -fork 1-> philosopher 1 -fork 0-> philosopher 0
func ring(b *strings.Builder, f detector.Finding, st Style) {
	if (f.Kind != detector.Deadlock && f.Kind != detector.DoubleLock) || len(f.Steps) == 0 {
		return
	}
	// Start at the first worker by name ("worker 2" before "worker 10"),
	// whichever one closed the cycle, so that a run draws the same ring.
	first := 0
	for i, s := range f.Steps {
		a, b := s.Worker, f.Steps[first].Worker
		if len(a) < len(b) || len(a) == len(b) && a < b {
			first = i
		}
	}
	steps := append(slices.Clone(f.Steps[first:]), f.Steps[:first]...)
	var parts []string
	for _, s := range steps {
		parts = append(parts, s.Worker, st.paint(red, "-"+s.Lock+"->"))
	}
	parts = append(parts, steps[0].Worker)
	var lines []string
	line := "  "
	for i, p := range parts {
		if i > 0 {
			line += " "
		}
		if width(stripEscapes(line))+width(stripEscapes(p)) > lineWidth && i%2 == 1 {
			lines = append(lines, strings.TrimRight(line, " "))
			line = "    "
		}
		line += p
	}
	lines = append(lines, line)
	fmt.Fprintf(b, "%s\n%s\n", st.paint(bold, "The ring:"), strings.Join(lines, "\n"))
}

// stripEscapes removes ANSI escape sequences, for measuring.
func stripEscapes(s string) string {
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
