// Package graph writes a report's wait-for and lock-order graphs
// (package internal/view) as Graphviz DOT or Mermaid text, for slides and
// documents. The edges of a reported cycle are drawn in red.
package graph

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/locklab/locklab/internal/view"
)

// The formats.
const (
	DOT     = "dot"
	Mermaid = "mermaid"
)

// Formats lists the formats, in the order help shows them.
func Formats() []string { return []string{DOT, Mermaid} }

// Write writes both graphs of r in format.
func Write(w io.Writer, r *view.Report, format string) error {
	var b strings.Builder
	switch format {
	case DOT:
		dot(&b, "waitfor", "wait-for: who waits for whom", r.WaitFor)
		b.WriteString("\n")
		dot(&b, "lockorder", "lock order: a lock taken while holding another", r.LockOrder)
	case Mermaid:
		mermaid(&b, "wait-for: who waits for whom", r.WaitFor)
		b.WriteString("\n")
		mermaid(&b, "lock order: a lock taken while holding another", r.LockOrder)
	default:
		return fmt.Errorf("unknown graph format %q; valid: %s", format, strings.Join(Formats(), ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func nodes(edges []view.Edge) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range edges {
		for _, n := range []string{e.From, e.To} {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

func dot(b *strings.Builder, name, title string, edges []view.Edge) {
	fmt.Fprintf(b, "digraph %s {\n\tlabel=%s;\n\trankdir=LR;\n\tnode [shape=box, style=rounded];\n", name, strconv.Quote(title))
	for _, n := range nodes(edges) {
		fmt.Fprintf(b, "\t%s;\n", strconv.Quote(n))
	}
	for _, e := range edges {
		attrs := "label=" + strconv.Quote(e.Label)
		if e.Cycle {
			attrs += ", color=red, fontcolor=red, penwidth=2"
		}
		fmt.Fprintf(b, "\t%s -> %s [%s];\n", strconv.Quote(e.From), strconv.Quote(e.To), attrs)
	}
	b.WriteString("}\n")
}

// mermaidText makes s safe inside a Mermaid label in double quotes.
func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "|", "#124;", "\n", " ").Replace(s)
}

func mermaid(b *strings.Builder, title string, edges []view.Edge) {
	fmt.Fprintf(b, "---\ntitle: %s\n---\nflowchart LR\n", title)
	id := map[string]string{}
	for i, n := range nodes(edges) {
		id[n] = "n" + strconv.Itoa(i)
		fmt.Fprintf(b, "  %s[\"%s\"]\n", id[n], mermaidText(n))
	}
	var red []string
	for i, e := range edges {
		fmt.Fprintf(b, "  %s -->|\"%s\"| %s\n", id[e.From], mermaidText(e.Label), id[e.To])
		if e.Cycle {
			red = append(red, strconv.Itoa(i))
		}
	}
	if len(edges) == 0 {
		b.WriteString("  empty[\"(no edges)\"]\n")
	}
	if len(red) > 0 {
		fmt.Fprintf(b, "  linkStyle %s stroke:red,stroke-width:2px\n", strings.Join(red, ","))
	}
}
