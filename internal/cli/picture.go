package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/locklab/locklab/internal/chrometrace"
	"github.com/locklab/locklab/internal/graph"
	"github.com/locklab/locklab/internal/html"
	"github.com/locklab/locklab/internal/render"
	"github.com/locklab/locklab/internal/view"
)

// pictureFlags are the flags that draw a run or a schedule as well as, or
// instead of, the text report: --view picks the text view of a schedule,
// --html and --trace write files, --graph writes the graphs to standard
// output in place of the report.
type pictureFlags struct {
	View  string
	HTML  string
	Trace string
	Graph string
}

// add adds the flags to cmd: the view flag only where there is a
// schedule to show (withView), the graph flag only where standard output
// carries a report it can replace (withGraph).
func (p *pictureFlags) add(cmd *cobra.Command, withView, withGraph bool) {
	f := cmd.Flags()
	if withView {
		f.StringVar(&p.View, "view", "", "how a schedule is shown: lanes (a column per worker) or table (default: lanes when they fit the terminal)")
		_ = cmd.RegisterFlagCompletionFunc("view", fixedCompletion(render.Views()))
	}
	f.StringVar(&p.HTML, "html", "", "also write a self-contained HTML report (lanes over time, graphs, invariants) to `FILE`; - for standard output")
	f.StringVar(&p.Trace, "trace", "", "also write a Chrome trace (Perfetto, chrome://tracing) to `FILE`; - for standard output")
	if withGraph {
		f.StringVar(&p.Graph, "graph", "", "write the wait-for and lock-order graphs as dot or mermaid to standard output, instead of the report")
		_ = cmd.RegisterFlagCompletionFunc("graph", fixedCompletion(graph.Formats()))
	}
}

func fixedCompletion(values []string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}

// check validates the flags; jsonSet says --json was given, which also
// writes to standard output.
func (p *pictureFlags) check(jsonSet bool) error {
	if p.View != "" && !slices.Contains(render.Views(), p.View) {
		return fmt.Errorf("unknown --view %q; valid: %s", p.View, strings.Join(render.Views(), ", "))
	}
	if p.Graph != "" && !slices.Contains(graph.Formats(), p.Graph) {
		return fmt.Errorf("unknown --graph format %q; valid: %s", p.Graph, strings.Join(graph.Formats(), ", "))
	}
	var stdout []string
	if jsonSet {
		stdout = append(stdout, "--json")
	}
	if p.Graph != "" {
		stdout = append(stdout, "--graph")
	}
	if p.HTML == "-" {
		stdout = append(stdout, "--html -")
	}
	if p.Trace == "-" {
		stdout = append(stdout, "--trace -")
	}
	if len(stdout) > 1 {
		return fmt.Errorf("%s all write to standard output: give one of them", strings.Join(stdout, " and "))
	}
	if p.HTML != "" && p.HTML == p.Trace && p.HTML != "-" {
		return errors.New("--html and --trace name the same file")
	}
	return nil
}

// replacesReport reports whether the flags write something to standard
// output in place of the text report.
func (p *pictureFlags) replacesReport() bool {
	return p.Graph != "" || p.HTML == "-" || p.Trace == "-"
}

// any reports whether a picture was asked for.
func (p *pictureFlags) any() bool { return p.HTML != "" || p.Trace != "" || p.Graph != "" }

// style returns d's style with the chosen view.
func (p *pictureFlags) style(d *Deps) render.Style {
	st := d.style()
	st.View = p.View
	return st
}

// write writes the pictures of r that were asked for: the graphs and any
// "-" file to d.Out, the files where they were named (each whole or not
// at all), and a line on d.ErrOut naming each file written.
func (p *pictureFlags) write(d *Deps, r *view.Report) error {
	if p.Graph != "" {
		if err := graph.Write(d.Out, r, p.Graph); err != nil {
			return err
		}
	}
	for _, out := range []struct {
		flag, path, what string
		write            func(io.Writer, *view.Report) error
	}{
		{"--html", p.HTML, "HTML report", html.Write},
		{"--trace", p.Trace, "Chrome trace (open it in https://ui.perfetto.dev or chrome://tracing)", chrometrace.Write},
	} {
		switch out.path {
		case "":
		case "-":
			if err := out.write(d.Out, r); err != nil {
				return err
			}
		default:
			var buf bytes.Buffer
			if err := out.write(&buf, r); err != nil {
				return err
			}
			if err := writeFlagFile(out.flag, out.path, buf.Bytes()); err != nil {
				return err
			}
			fmt.Fprintf(d.ErrOut, "wrote the %s to %s\n", out.what, out.path)
		}
	}
	return nil
}
