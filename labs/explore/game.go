package explore

import (
	"context"

	"github.com/locklab/locklab/labs"
)

// gameSchedules bounds the exploration Game runs. The catalog's bugs show
// within a few dozen schedules of a small game; the bound keeps a variant
// whose bug does not show under the scheduler from searching for long.
const gameSchedules = 300

// Game returns the smallest game of variant v of scenario s in which its
// bug can show, for step mode: it explores cfg (zero fields: the
// scenario's defaults), then, if no schedule of cfg fails, the scenario's
// default configuration (some bugs need a third worker), and returns the
// configuration of the first failure found, shrunk to the fewest workers
// and operations (and the seed whose random choices make the bug
// reachable: two transfers in opposite directions, say). ok is false, and
// cfg is returned with its defaults filled in, when no schedule failed;
// the error is for bad input only.
//
// Game is deterministic: the same variant and cfg give the same game on
// any machine.
func Game(ctx context.Context, s *labs.Scenario, v *labs.Variant, cfg labs.Config) (game labs.Config, ok bool, err error) {
	game = cfg.WithDefaults(s.Defaults)
	res, err := Explore(ctx, s, v, Options{Config: cfg, Schedules: gameSchedules})
	if err != nil {
		return game, false, err
	}
	if res.First == nil && game != s.Defaults.WithDefaults(game) {
		res, err = Explore(ctx, s, v, Options{Schedules: gameSchedules})
		if err != nil {
			return game, false, err
		}
	}
	if res.First == nil {
		return game, false, nil
	}
	c := res.First.Config
	game.Workers, game.Ops, game.Seed = c.Workers, c.Ops, c.Seed
	return game, true, nil
}
