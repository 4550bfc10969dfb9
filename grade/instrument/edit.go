package instrument

import (
	"fmt"
	"sort"
	"strings"
)

// edit replaces src[start:end] with text; start == end inserts. Edits at
// the same offset apply in prio order: the ends of expressions
// (negative prio, innermost first), then replacements (0), then the
// starts of expressions (positive, outermost first).
type edit struct {
	start, end int
	text       string
	prio       int
	seq        int
}

// buffer is a source file and the edits to make to it. No edit adds or
// removes a line break unless it says so, so every line keeps its number.
type buffer struct {
	src   []byte
	edits []edit
	err   error
}

func (b *buffer) add(start, end int, text string, prio int) {
	b.edits = append(b.edits, edit{start: start, end: end, text: text, prio: prio, seq: len(b.edits)})
}

// open inserts text where an expression at depth d starts; close where it
// ends.
func (b *buffer) open(off int, text string, d int)  { b.add(off, off, text, 1+d) }
func (b *buffer) close(off int, text string, d int) { b.add(off, off, text, -1-d) }

// replace replaces src[start:end], keeping the line breaks it held.
func (b *buffer) replace(start, end int, text string) {
	b.add(start, end, text+keepLines(string(b.src[start:end])), 0)
}

// keepLines returns the line breaks of s, so that replacing s by a text
// followed by them keeps every later line where it was.
func keepLines(s string) string { return strings.Repeat("\n", strings.Count(s, "\n")) }

func sortEdits(es []edit) {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].start != es[j].start {
			return es[i].start < es[j].start
		}
		if es[i].prio != es[j].prio {
			return es[i].prio < es[j].prio
		}
		return es[i].seq < es[j].seq
	})
}

// apply applies the edits that lie within [start, end) to src[start:end].
func apply(src []byte, start, end int, es []edit) (string, error) {
	sortEdits(es)
	var out strings.Builder
	at := start
	for _, e := range es {
		if e.start < at {
			return "", fmt.Errorf("instrument: overlapping edits at offset %d", e.start)
		}
		out.Write(src[at:e.start])
		out.WriteString(e.text)
		at = e.end
	}
	if at > end {
		return "", fmt.Errorf("instrument: edit past the end at offset %d", at)
	}
	out.Write(src[at:end])
	return out.String(), nil
}

// take removes the edits inside [start, end) and returns that stretch of
// source with them applied: for text that moves elsewhere.
func (b *buffer) take(start, end int) string {
	var in, rest []edit
	for _, e := range b.edits {
		if e.start >= start && e.end <= end && !(e.start == end && e.end == end && e.prio > 0) && !(e.start == start && e.end == start && e.prio < 0) {
			in = append(in, e)
		} else {
			rest = append(rest, e)
		}
	}
	b.edits = rest
	s, err := apply(b.src, start, end, in)
	if err != nil && b.err == nil {
		b.err = err
	}
	return s
}

// bytes returns the edited source.
func (b *buffer) bytes() ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	s, err := apply(b.src, 0, len(b.src), append([]edit(nil), b.edits...))
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}
