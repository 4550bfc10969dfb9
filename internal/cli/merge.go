package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/locklab/locklab/grade/batch"
	"github.com/locklab/locklab/internal/render"
	"github.com/locklab/locklab/labs/explore"
)

// MergeOptions are the arguments and flags of `locklab merge`.
type MergeOptions struct {
	Deps  *Deps
	Files []string
	Out   string
	JSON  bool
}

// NewCmdMerge returns `locklab merge`. runF, when not nil, is called
// with the parsed and checked options instead of mergeRun.
func NewCmdMerge(deps *Deps, runF func(*MergeOptions) error) *cobra.Command {
	opts := &MergeOptions{Deps: deps}
	cmd := &cobra.Command{
		Use:   "merge FILE...",
		Short: "Combine the outputs of shards into one gradebook or one exploration",
		Long: `Combine what the shards of one run wrote (--shard k/n, or a CI system's or
Kubernetes' sharding environment) into what the unsharded run would have
written:

  the JSON-lines gradebooks of locklab grade --batch --json, into one
  gradebook: every submission once, in name order (CSV with --out, JSON
  lines with --json, a table on stdout);

  the --json results of locklab explore, into one exploration: the same
  schedules run and the same first failure (with its replay token) as
  exploring unsharded.

merge refuses shards of different runs (another exercise, rubric,
grader, time limit or set of submissions; another variant, strategy,
seed or budget), shards of different counts, a shard given twice, and an
incomplete set, naming what is missing. An empty file is a shard that
had nothing to report. --out is written atomically and checked first.

Exit status: as the merged run's would be (0 nothing wrong, 1 points lost
or a failure found), 2 when the shards cannot be merged, or some
submission was not graded.`,
		Example: `  locklab merge gradebook-*.jsonl --out gradebook.csv
  locklab merge gradebook-*.jsonl --json > gradebook.jsonl
  locklab merge explore-1.json explore-2.json explore-3.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("%s needs the files the shards wrote (their --json output)", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if opts.Out != "" {
				if err := checkOut(opts.Out); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return mergeRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Out, "out", "", "write the merged gradebook (CSV, or JSON lines with --json) or exploration to this file")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "write JSON lines (a gradebook) or JSON (an exploration)")
	return cmd
}

// shardFile is one file merge read: a gradebook's rows or an
// exploration.
type shardFile struct {
	name    string
	rows    []batch.Row
	explore *explore.Result
}

func readShardFile(name string) (*shardFile, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, unwrapPath(err))
	}
	f := &shardFile{name: name}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return f, nil // a shard with nothing to report
	}
	// An exploration is one JSON object over several lines; a gradebook
	// a JSON object per line.
	var probe map[string]json.RawMessage
	if dec := json.NewDecoder(bytes.NewReader(trimmed)); dec.Decode(&probe) == nil && !dec.More() {
		if _, ok := probe["strategy"]; ok {
			var r explore.Result
			if err := json.Unmarshal(trimmed, &r); err != nil {
				return nil, fmt.Errorf("%s: not the --json result of locklab explore", name)
			}
			f.explore = &r
			return f, nil
		}
	}
	if f.rows, err = batch.ReadJSONL(bytes.NewReader(trimmed), name); err != nil {
		return nil, fmt.Errorf("%w (merge reads the --json output of sharded runs: locklab grade --batch --json, locklab explore --json)", err)
	}
	return f, nil
}

func mergeRun(opts *MergeOptions) error {
	d := opts.Deps
	var files []*shardFile
	var rows, explores int
	for _, name := range opts.Files {
		f, err := readShardFile(name)
		if err != nil {
			return err
		}
		if f.explore != nil {
			explores++
		} else if len(f.rows) > 0 {
			rows++
		}
		files = append(files, f)
	}
	switch {
	case explores > 0 && rows > 0:
		return errors.New("the files mix gradebooks and explorations: merge the shards of one run")
	case explores > 0:
		return mergeExplore(d, opts, files)
	}
	var parts [][]batch.Row
	for _, f := range files {
		parts = append(parts, f.rows)
	}
	gb, err := batch.Merge(parts)
	if err != nil {
		return err
	}
	if err := writeGradebook(d, gb, opts.Out, opts.JSON); err != nil {
		return err
	}
	return gradebookStatus(gb)
}

func mergeExplore(d *Deps, opts *MergeOptions, files []*shardFile) error {
	var parts []*explore.Result
	for _, f := range files {
		if f.explore == nil {
			return fmt.Errorf("%s is empty: an exploration's shard always writes its result", f.name)
		}
		parts = append(parts, f.explore)
	}
	res, err := explore.Merge(parts)
	if err != nil {
		return err
	}
	s, err := d.lookup(res.Scenario)
	if err != nil {
		return err
	}
	v, err := s.Variant(res.Variant)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	st := d.style()
	if opts.Out != "" {
		st = render.Style{}
	}
	if opts.JSON {
		err = render.ExploreJSON(&buf, res)
	} else {
		err = render.Explore(&buf, s, v, res, st)
	}
	if err != nil {
		return err
	}
	if err := output(d.Out, opts.Out, buf.Bytes()); err != nil {
		return err
	}
	switch {
	case res.First != nil:
		return errProblem
	case res.Schedules == 0:
		return fmt.Errorf("the shards ran no schedule: nothing was checked (%s)", strings.Join(opts.Files, ", "))
	}
	return nil
}
