package cli

import (
	"github.com/spf13/cobra"

	"github.com/locklab/locklab/grade"
	"github.com/locklab/locklab/internal/render"
)

// ExerciseListOptions are the flags of `locklab exercise list`.
type ExerciseListOptions struct {
	Deps *Deps
	JSON bool
}

// NewCmdExercise returns `locklab exercise` with its subcommand list.
// runF, when not nil, is called with list's parsed options instead of
// exerciseListRun.
func NewCmdExercise(deps *Deps, runF func(*ExerciseListOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "exercise",
		Short: "List the graded exercises",
		Long: `Exercises are stub packages under exercises/NAME that a student completes;
locklab grade NAME grades one against its rubric.`,
		Example: `  locklab exercise list
  locklab exercise list --json | jq '.[].rubric'`,
		Args:              cobra.ArbitraryArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE:              groupRunE,
	}
	opts := &ExerciseListOptions{Deps: deps}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the exercises, their files and points",
		Long: `List every exercise in curriculum order: its name, the points its rubric is
worth, the files a student edits (only these are graded), and its task.
With --json, each exercise carries its whole rubric: every check, its
points, what it means and how to reproduce a failure.`,
		Example: `  locklab exercise list
  locklab exercise list --json`,
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return exerciseListRun(opts)
		},
	}
	list.Flags().BoolVar(&opts.JSON, "json", false, "write the exercises and rubrics as JSON")
	cmd.AddCommand(list)
	return cmd
}

func exerciseListRun(opts *ExerciseListOptions) error {
	d := opts.Deps
	if opts.JSON {
		return render.ExerciseListJSON(d.Out, grade.Catalog())
	}
	return render.ExerciseList(d.Out, grade.Catalog(), d.style())
}
