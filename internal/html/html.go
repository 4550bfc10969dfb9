// Package html draws a report (package internal/view) as one
// self-contained HTML page: SVG lanes over time, one per worker, with
// every event a mark whose title gives its step, what it did and its
// source line (also shown in a panel on hover); the holds of locks as
// bars; the wait-for graph with its cycle highlighted; the lock-order
// graph; the invariants expected against actual; and the lesson. The page
// loads nothing: no network, no external scripts, styles or fonts.
package html

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"

	"github.com/locklab/locklab/internal/view"
)

// Geometry of the lanes.
const (
	laneH    = 44 // height of one lane
	left     = 150
	top      = 28
	minStep  = 14
	maxStep  = 44
	maxWidth = 1400
)

type mark struct {
	X, Y  int
	Class string
	Title string
	At    string
	Label string
}

type bar struct {
	X, Y, W int
	Title   string
	Class   string
}

type lane struct {
	Name string
	Y    int
}

type node struct {
	X, Y, W int
	Name    string
	Class   string
}

type arrow struct {
	D      string // the SVG path
	LX, LY int
	Label  string
	Class  string
}

type graph struct {
	W, H   int
	Nodes  []node
	Arrows []arrow
}

type page struct {
	R      *view.Report
	Width  int
	Height int
	Lanes  []lane
	Marks  []mark
	Bars   []bar
	Axis   []mark
	Wait   *graph
	Order  *graph
	Lost   int
}

// Write writes r as an HTML page.
func Write(w io.Writer, r *view.Report) error {
	p := &page{R: r}
	row := map[string]int{}
	for i, name := range r.Workers {
		row[name] = i
		p.Lanes = append(p.Lanes, lane{Name: name, Y: top + i*laneH + laneH/2})
	}
	step := maxStep
	if n := len(r.Events); n > 0 {
		step = max(minStep, min(maxStep, (maxWidth-left-40)/n))
	}
	p.Width = left + step*max(len(r.Events), 1) + 40
	p.Height = top + len(r.Workers)*laneH + 30
	lost := view.LostWrites(r.Events)
	x := func(i int) int { return left + step/2 + i*step }
	for i, e := range r.Events {
		class := "mark op-" + strings.ReplaceAll(e.Op, " ", "-")
		title := fmt.Sprintf("step %d, %s: %s", e.Step, e.Worker, view.Text(e))
		if o, ok := lost[i]; ok {
			class += " lost"
			title += fmt.Sprintf(" (overwrites %s's %s = %s: a lost update)", o.Over, e.Target, o.Value)
			p.Lost++
		}
		if e.Preempt {
			class += " preempt"
			title += " (a preemption)"
		}
		at := e.At.String()
		if at != "" {
			title += " at " + at
		}
		p.Marks = append(p.Marks, mark{X: x(i), Y: top + row[e.Worker]*laneH + laneH/2, Class: class, Title: title, At: at, Label: view.Text(e)})
		if i%max(1, 40/step) == 0 || i == len(r.Events)-1 {
			p.Axis = append(p.Axis, mark{X: x(i), Y: top + len(r.Workers)*laneH + 16, Label: fmt.Sprint(e.Step)})
		}
	}
	for _, h := range view.Holds(r.Events) {
		class := "hold"
		if h.Open {
			class += " open"
		}
		p.Bars = append(p.Bars, bar{X: x(h.From), Y: top + row[h.Worker]*laneH + laneH/2 - 9, W: max(x(h.To)-x(h.From), 4),
			Title: fmt.Sprintf("%s holds %s", h.Worker, h.Lock), Class: class})
	}
	p.Wait = circle(r.WaitFor)
	p.Order = circle(r.LockOrder)
	return tmpl.Execute(w, p)
}

// circle lays a graph's nodes out on a circle; edges are curves, so that
// two edges between the same nodes in opposite directions stay apart.
func circle(edges []view.Edge) *graph {
	if len(edges) == 0 {
		return nil
	}
	var names []string
	seen := map[string]bool{}
	for _, e := range edges {
		for _, n := range []string{e.From, e.To} {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	wide := 0
	for _, n := range names {
		wide = max(wide, 7*len(n)+20)
	}
	r := max(110, 30*len(names))
	cx, cy := r+wide/2+20, r+40
	g := &graph{W: 2 * cx, H: 2 * cy}
	pos := map[string][2]int{}
	for i, n := range names {
		a := 2*math.Pi*float64(i)/float64(len(names)) - math.Pi/2
		px, py := cx+int(float64(r)*math.Cos(a)), cy+int(float64(r)*math.Sin(a))
		pos[n] = [2]int{px, py}
		g.Nodes = append(g.Nodes, node{X: px, Y: py, W: wide, Name: n, Class: "node"})
	}
	for _, e := range edges {
		a, b := pos[e.From], pos[e.To]
		dx, dy := float64(b[0]-a[0]), float64(b[1]-a[1])
		d := math.Max(math.Hypot(dx, dy), 1)
		nx, ny := -dy/d, dx/d // the normal: curves bend to the edge's left
		const bend = 36
		mx, my := float64(a[0]+b[0])/2+nx*bend, float64(a[1]+b[1])/2+ny*bend
		// Start and end outside the nodes' boxes.
		sx, sy := float64(a[0])+dx/d*22+nx*8, float64(a[1])+dy/d*22+ny*8
		ex, ey := float64(b[0])-dx/d*26+nx*8, float64(b[1])-dy/d*26+ny*8
		class := "edge"
		if e.Cycle {
			class += " cycle"
		}
		g.Arrows = append(g.Arrows, arrow{
			D:  fmt.Sprintf("M %.0f %.0f Q %.0f %.0f %.0f %.0f", sx, sy, mx, my, ex, ey),
			LX: int(mx + nx*8), LY: int(my + ny*8), Label: e.Label, Class: class})
	}
	return g
}

var funcs = template.FuncMap{
	"half": func(w, x int) int { return x - w/2 },
	"up":   func(y int) int { return y - 14 },
}

var tmpl = template.Must(template.New("page").Funcs(funcs).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>locklab: {{.R.Title}}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1500px; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
.kind { color: #666; } .outcome { font-weight: bold; } .bad { color: #b00020; } .good { color: #1b7f3a; }
.scroll { overflow-x: auto; border: 1px solid #ddd; border-radius: 4px; }
svg text { font: 12px system-ui, sans-serif; fill: #333; }
.lane-line { stroke: #ccc; stroke-width: 1; }
.lane-name { font-weight: bold; }
.mark { fill: #4a78c2; stroke: #fff; stroke-width: 1; cursor: pointer; }
.mark:hover { stroke: #000; stroke-width: 2; }
.op-read, .op-write { fill: #7a4ac2; } .op-yield { fill: #2aa3a3; } .op-blocked, .op-trylock-fail { fill: #d0402f; }
.op-start, .op-exit { fill: #999; } .lost { fill: #d0021b; } .preempt { stroke: #e89b00; stroke-width: 3; }
.hold { fill: #f2c14e; opacity: .55; } .hold.open { fill: #e0662f; }
.node rect { fill: #eef3fb; stroke: #4a78c2; stroke-width: 1.5; }
.edge { stroke: #666; stroke-width: 1.5; marker-end: url(#arrow); } .edge.cycle { stroke: #d0021b; stroke-width: 2.5; marker-end: url(#arrow-red); }
#info { position: sticky; top: 0; background: #fffbe6; border: 1px solid #eadb8a; padding: 6px 10px; margin: 8px 0; min-height: 1.4em; }
table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: 4px 8px; text-align: left; }
td.ok { color: #1b7f3a; } td.fail { color: #b00020; font-weight: bold; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: 8px; }
</style>
</head>
<body>
<h1>{{.R.Title}} <span class="kind">({{.R.Kind}})</span></h1>
<p>{{.R.How}}. <span class="outcome {{if .R.Outcome.Problem}}bad{{else}}good{{end}}">{{.R.Outcome}}</span>: {{.R.Summary}}</p>
{{if .R.Token}}<p>Replay: <code>{{.R.Token}}</code></p>{{end}}

<h2>Lanes</h2>
<p>One lane per worker, time to the right; every mark is one event (hover for what it did and where). Bars are locks held; a red mark is a write that overwrites another worker's (a lost update); an orange ring is a preemption.</p>
<div id="info">Hover over a mark.</div>
<div class="scroll">
<svg class="lanes" xmlns="http://www.w3.org/2000/svg" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}">
{{range .Lanes}}<g class="lane" data-worker="{{.Name}}"><line class="lane-line" x1="140" y1="{{.Y}}" x2="{{$.Width}}" y2="{{.Y}}"/><text class="lane-name" x="8" y="{{.Y}}" dy="4">{{.Name}}</text></g>
{{end}}{{range .Bars}}<rect class="{{.Class}}" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="18" rx="3"><title>{{.Title}}</title></rect>
{{end}}{{range .Marks}}<circle class="{{.Class}}" cx="{{.X}}" cy="{{.Y}}" r="5" data-at="{{.At}}" data-label="{{.Label}}"><title>{{.Title}}</title></circle>
{{end}}{{range .Axis}}<text x="{{.X}}" y="{{.Y}}" text-anchor="middle" fill="#888">{{.Label}}</text>
{{end}}</svg>
</div>

{{define "graph"}}<div class="scroll"><svg class="graph" xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#666"/></marker>
<marker id="arrow-red" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#d0021b"/></marker></defs>
{{range .Arrows}}<path class="{{.Class}}" d="{{.D}}" fill="none"/><text x="{{.LX}}" y="{{.LY}}" text-anchor="middle">{{.Label}}</text>
{{end}}{{range .Nodes}}<g class="{{.Class}}"><rect x="{{.X | half .W}}" y="{{.Y | up}}" width="{{.W}}" height="28" rx="8"/><text x="{{.X}}" y="{{.Y}}" dy="4" text-anchor="middle">{{.Name}}</text></g>
{{end}}</svg></div>{{end}}

<h2>Wait-for graph</h2>
{{if .Wait}}<p>Who waits for whom at the end: an arrow goes from a worker to the worker holding the lock it waits for{{if .R.WaitFor}}; the cycle is in red{{end}}.</p>
{{template "graph" .Wait}}{{else}}<p>Nobody waits for anybody at the end.</p>{{end}}

<h2>Lock-order graph</h2>
{{if .Order}}<p>A lock taken while holding another: an arrow from the one held to the one taken. A cycle is a potential deadlock{{if .R.LockOrder}}, in red{{end}}.</p>
{{template "graph" .Order}}{{else}}<p>No lock-order cycle was reported.</p>{{end}}

<h2>Findings</h2>
{{if .R.Findings}}{{range .R.Findings}}<pre>{{.Kind}}: {{.Message}}</pre>{{end}}{{else}}<p>None.</p>{{end}}

{{if .R.Invariants}}<h2>Invariants</h2>
<table><tr><th>invariant</th><th>expected</th><th>actual</th></tr>
{{range .R.Invariants}}<tr><td>{{.Name}}</td><td>{{.Expected}}</td><td class="{{if .OK}}ok{{else}}fail{{end}}">{{.Actual}}</td></tr>
{{end}}</table>{{end}}

{{if .R.Lesson}}<h2>Why</h2><p>{{.R.Lesson}}</p>{{end}}
{{if .R.Fix}}<p>Fix: <code>{{.R.Fix}}</code></p>{{end}}

<script>
(function () {
  var info = document.getElementById("info");
  var marks = document.querySelectorAll("svg.lanes .mark");
  for (var i = 0; i < marks.length; i++) {
    marks[i].addEventListener("mouseover", function (ev) {
      var m = ev.currentTarget;
      var at = m.getAttribute("data-at");
      info.textContent = m.getAttribute("data-label") + (at ? "  —  " + at : "");
    });
  }
  document.body.setAttribute("data-ready", String(marks.length));
})();
</script>
</body>
</html>
`))
