// Package chrometrace writes a report (package internal/view) as Chrome
// trace event JSON, the format chrome://tracing and Perfetto open: one
// track per worker; lock holds and waits as complete ("X") slices; the
// hand-off of a lock from one worker to the next as a flow arrow ("s" to
// "f"); every other event as an instant ("i"); the findings as global
// instants. The format:
// https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU
package chrometrace

import (
	"encoding/json"
	"io"
	"time"

	"github.com/locklab/locklab/internal/view"
	"github.com/locklab/locklab/labs"
)

// Event is one trace event, with the fields the format documents.
type Event struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat,omitempty"`
	Ph   string         `json:"ph"`
	Ts   float64        `json:"ts"` // microseconds
	Dur  *float64       `json:"dur,omitempty"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	ID   *int           `json:"id,omitempty"`
	S    string         `json:"s,omitempty"`  // instant scope: "t" thread, "g" global
	Bp   string         `json:"bp,omitempty"` // flow binding point: "e" enclosing slice
	Args map[string]any `json:"args,omitempty"`
}

// Trace is the JSON object format of the trace.
type Trace struct {
	TraceEvents     []Event        `json:"traceEvents"`
	DisplayTimeUnit string         `json:"displayTimeUnit"`
	OtherData       map[string]any `json:"otherData,omitempty"`
}

const pid = 1

// ts is when event i happened, in microseconds: its time in a native run,
// else one microsecond per event, so the order shows.
func ts(events []labs.Event, i int) float64 {
	if i < 0 {
		return 0
	}
	if i >= len(events) {
		i = len(events) - 1
	}
	if t := events[i].Time; t > 0 {
		return float64(t) / float64(time.Microsecond)
	}
	return float64(i)
}

// Build returns r as a trace.
func Build(r *view.Report) *Trace {
	t := &Trace{DisplayTimeUnit: "ns", TraceEvents: []Event{},
		OtherData: map[string]any{"title": r.Title, "kind": r.Kind, "how": r.How, "outcome": string(r.Outcome)}}
	tid := map[string]int{}
	t.TraceEvents = append(t.TraceEvents, Event{Name: "process_name", Ph: "M", Pid: pid, Args: map[string]any{"name": "locklab " + r.Title}})
	for i, w := range r.Workers {
		tid[w] = i + 1
		t.TraceEvents = append(t.TraceEvents, Event{Name: "thread_name", Ph: "M", Pid: pid, Tid: i + 1, Args: map[string]any{"name": w}})
	}
	ev := r.Events
	end := float64(len(ev))
	if len(ev) > 0 {
		end = ts(ev, len(ev)-1) + 1
	}
	dur := func(a, b float64) *float64 { d := max(b-a, 0.5); return &d }
	// Holds, and the hand-offs between them.
	holds := view.Holds(ev)
	lastRelease := map[string]int{} // lock -> index into holds of its last released hold
	flow := 0
	for i, h := range holds {
		from, to := ts(ev, h.From), ts(ev, h.To)
		if h.Open {
			to = end
		}
		t.TraceEvents = append(t.TraceEvents, Event{Name: h.Lock, Cat: "hold", Ph: "X", Ts: from, Dur: dur(from, to), Pid: pid, Tid: tid[h.Worker],
			Args: map[string]any{"lock": h.Lock, "released": !h.Open}})
		if j, ok := lastRelease[h.Lock]; ok && holds[j].Worker != h.Worker {
			flow++
			id := flow
			t.TraceEvents = append(t.TraceEvents,
				Event{Name: "hand-off " + h.Lock, Cat: "handoff", Ph: "s", Ts: ts(ev, holds[j].To), Pid: pid, Tid: tid[holds[j].Worker], ID: &id},
				Event{Name: "hand-off " + h.Lock, Cat: "handoff", Ph: "f", Bp: "e", Ts: from, Pid: pid, Tid: tid[h.Worker], ID: &id})
		}
		if !h.Open {
			lastRelease[h.Lock] = i
		}
	}
	// Waits: a native request until its lock, and what is still blocked
	// at the end.
	request := map[string]int{}
	for i, e := range ev {
		key := e.Worker + "\x00" + e.Target
		switch e.Op {
		case "request":
			request[key] = i
			continue
		case "lock", "rlock", "acquire":
			if j, ok := request[key]; ok {
				delete(request, key)
				from, to := ts(ev, j), ts(ev, i)
				if to > from {
					t.TraceEvents = append(t.TraceEvents, Event{Name: "wait " + e.Target, Cat: "wait", Ph: "X", Ts: from, Dur: dur(from, to), Pid: pid, Tid: tid[e.Worker]})
				}
			}
			continue
		case "blocked":
			from := ts(ev, i)
			t.TraceEvents = append(t.TraceEvents, Event{Name: "blocked on " + e.Target, Cat: "wait", Ph: "X", Ts: from, Dur: dur(from, end), Pid: pid, Tid: tid[e.Worker],
				Args: map[string]any{"at": e.At.String()}})
			continue
		case "unlock", "runlock", "release":
			continue
		}
		args := map[string]any{"step": e.Step}
		if e.Value != "" {
			args["value"] = e.Value
		}
		if at := e.At.String(); at != "" {
			args["at"] = at
		}
		t.TraceEvents = append(t.TraceEvents, Event{Name: view.Text(e), Cat: e.Op, Ph: "i", S: "t", Ts: ts(ev, i), Pid: pid, Tid: tid[e.Worker], Args: args})
	}
	for _, f := range r.Findings {
		t.TraceEvents = append(t.TraceEvents, Event{Name: string(f.Kind) + ": " + f.Message, Cat: "finding", Ph: "i", S: "g", Ts: end, Pid: pid,
			Args: map[string]any{"kind": string(f.Kind)}})
	}
	return t
}

// Write writes r as Chrome trace event JSON.
func Write(w io.Writer, r *view.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(Build(r))
}
