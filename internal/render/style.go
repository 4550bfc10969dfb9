package render

import (
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Style says how text output looks. The zero value is plain text.
type Style struct {
	Color bool // wrap emphasis in ANSI escape sequences
	// Width is the width text must fit, such as the terminal's; 0 means
	// 100 columns.
	Width int
	// View is how a schedule is shown: ViewAuto (lanes when they fit
	// Width, else a table), ViewLanes or ViewTable.
	View string
}

// AutoStyle returns the style for w: colored when w is a terminal (an
// *os.File that is a character device), NO_COLOR is unset and TERM is not
// "dumb" (https://no-color.org).
func AutoStyle(w io.Writer) Style {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return Style{}
	}
	return Style{Color: IsTerminal(w)}
}

// IsTerminal reports whether w is an *os.File open on a character device.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// paint is how one piece of text is emphasized.
type paint uint8

const (
	plain paint = iota
	bold
	dim
	red
	green
	yellow
	cyan
	boldRed
	boldGreen
	boldYellow
)

var escapes = [...]string{
	plain:      "",
	bold:       "\x1b[1m",
	dim:        "\x1b[2m",
	red:        "\x1b[31m",
	green:      "\x1b[32m",
	yellow:     "\x1b[33m",
	cyan:       "\x1b[36m",
	boldRed:    "\x1b[1;31m",
	boldGreen:  "\x1b[1;32m",
	boldYellow: "\x1b[1;33m",
}

// paint returns s emphasized with p, or s itself without color.
func (st Style) paint(p paint, s string) string {
	if !st.Color || p == plain || s == "" {
		return s
	}
	return escapes[p] + s + "\x1b[0m"
}

// cell is one table cell: its text and how to paint it. Column widths are
// computed on the text, so colors never disturb the alignment (which is
// why tables are not written through text/tabwriter, whose cell widths
// would count the escape sequences).
type cell struct {
	text  string
	paint paint
}

func c(text string) cell           { return cell{text: text} }
func cp(p paint, text string) cell { return cell{text: text, paint: p} }
func width(s string) int           { return utf8.RuneCountInString(s) }
func indent(n int) string          { return strings.Repeat(" ", n) }

// table is a list of rows printed in aligned columns, two spaces apart,
// with no trailing blanks.
type table struct {
	indent int
	head   []string
	rows   [][]cell
}

func (t *table) row(cells ...cell) { t.rows = append(t.rows, cells) }

func (t *table) write(b *strings.Builder, st Style) {
	var widths []int
	grow := func(i, n int) {
		for len(widths) <= i {
			widths = append(widths, 0)
		}
		widths[i] = max(widths[i], n)
	}
	for i, h := range t.head {
		grow(i, width(h))
	}
	for _, r := range t.rows {
		for i, c := range r {
			grow(i, width(c.text))
		}
	}
	line := func(cells []cell) {
		// Drop trailing empty cells so that no line ends in blanks.
		for len(cells) > 0 && cells[len(cells)-1].text == "" {
			cells = cells[:len(cells)-1]
		}
		b.WriteString(indent(t.indent))
		for i, c := range cells {
			b.WriteString(st.paint(c.paint, c.text)) // the text, not the padding
			if i < len(cells)-1 {
				b.WriteString(indent(widths[i] - width(c.text) + 2))
			}
		}
		b.WriteByte('\n')
	}
	if t.head != nil {
		hs := make([]cell, len(t.head))
		for i, h := range t.head {
			hs[i] = cp(bold, h)
		}
		line(hs)
	}
	for _, r := range t.rows {
		line(r)
	}
}

// wrap fills text into lines of at most w runes; the first line starts
// after a label of width first, the others are indented by hang.
func wrap(text string, w, first, hang int) string {
	var b strings.Builder
	col := first
	for i, word := range strings.Fields(text) {
		n := width(word)
		switch {
		case i == 0:
		case col+1+n > w:
			b.WriteByte('\n')
			b.WriteString(indent(hang))
			col = hang
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += n
	}
	return b.String()
}

// lineWidth is the width prose is wrapped to.
const lineWidth = 80

// plural returns the plural of a worker noun: "philosopher" becomes
// "philosophers", "teller" "tellers", "box" "boxes", "party" "parties".
func plural(noun string) string {
	switch {
	case noun == "":
		return "workers"
	case strings.HasSuffix(noun, "s"), strings.HasSuffix(noun, "x"),
		strings.HasSuffix(noun, "ch"), strings.HasSuffix(noun, "sh"):
		return noun + "es"
	case strings.HasSuffix(noun, "y") && len(noun) > 1 && !strings.ContainsRune("aeiou", rune(noun[len(noun)-2])):
		return noun[:len(noun)-1] + "ies"
	}
	return noun + "s"
}

// count returns "1 philosopher" or "5 philosophers".
func count(n int, noun string) string {
	if noun == "" {
		noun = "worker"
	}
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + plural(noun)
}

// duration formats d for people with two or three significant digits:
// "850 µs", "3.1 ms", "42 ms", "2.0 s".
func duration(d time.Duration) string {
	v, unit := float64(d), "ns"
	switch {
	case d >= time.Second:
		v, unit = d.Seconds(), "s"
	case d >= time.Millisecond:
		v, unit = v/float64(time.Millisecond), "ms"
	case d >= time.Microsecond:
		v, unit = v/float64(time.Microsecond), "µs"
	default:
		return strconv.FormatInt(int64(d), 10) + " ns"
	}
	if v < 10 {
		return strconv.FormatFloat(v, 'f', 1, 64) + " " + unit
	}
	return strconv.FormatFloat(v, 'f', 0, 64) + " " + unit
}
