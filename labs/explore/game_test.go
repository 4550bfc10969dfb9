package explore_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/locklab/locklab/labs"
	"github.com/locklab/locklab/labs/catalog"
	"github.com/locklab/locklab/labs/explore"
)

// reachable reports whether some schedule of the game that starts with
// worker first fails: it plays up to tries random schedules from there.
func reachable(t *testing.T, s *labs.Scenario, v *labs.Variant, cfg labs.Config, first, tries int) bool {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(first), 7))
	for range tries {
		sess, err := explore.NewSession(s, v, cfg)
		if err != nil {
			t.Fatalf("NewSession() error = %v", err)
		}
		if err := sess.Step(first); err != nil {
			sess.Close()
			t.Fatalf("Step(%d) error = %v", first, err)
		}
		for {
			if f, ended := sess.Outcome(); ended {
				sess.Close()
				if f != nil {
					return true
				}
				break
			}
			cs := sess.Choices()
			if err := sess.Step(cs[r.IntN(len(cs))].Worker); err != nil {
				sess.Close()
				t.Fatalf("Step() error = %v", err)
			}
		}
	}
	return false
}

// The default game of step mode is one a student can win whatever they
// do first: from every first move, some schedule still shows the bug.
func TestGameReachableFromFirstMove(t *testing.T) {
	for _, s := range catalog.All() {
		for i := range s.Variants {
			v := &s.Variants[i]
			if _, ok := bugs[s.Name+"/"+v.Name]; !ok {
				continue
			}
			t.Run(s.Name+"/"+v.Name, func(t *testing.T) {
				t.Parallel()
				cfg := labs.Config{Workers: 2, Ops: 2}
				if cfg.WithDefaults(s.Defaults).Validate() != nil {
					t.Skipf("no 2-worker game of %s", s.Name)
				}
				game, ok, err := explore.Game(context.Background(), s, v, cfg)
				if err != nil {
					t.Fatalf("Game() error = %v", err)
				}
				if !ok {
					t.Fatalf("Game() found no game in which the bug shows")
				}
				again, _, _ := explore.Game(context.Background(), s, v, cfg)
				if again != game {
					t.Fatalf("Game() = %+v, then %+v; want the same game every time", game, again)
				}
				if d := s.Defaults; game.Workers > max(cfg.Workers, d.Workers) || game.Ops > max(cfg.Ops, d.Ops) {
					t.Fatalf("Game() = %d workers × %d ops; want at most the scenario's %d × %d", game.Workers, game.Ops, d.Workers, d.Ops)
				}
				sess, err := explore.NewSession(s, v, game)
				if err != nil {
					t.Fatalf("NewSession() error = %v", err)
				}
				firsts := sess.Choices()
				sess.Close()
				if len(firsts) < 2 {
					t.Fatalf("the game's first step offers %d choices; want a choice", len(firsts))
				}
				for _, ch := range firsts {
					if !reachable(t, s, v, game, ch.Worker, 400) {
						t.Errorf("game %+v: after moving %s first, no schedule of 400 shows the bug", game, ch.Name)
					}
				}
			})
		}
	}
}
