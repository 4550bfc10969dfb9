package html_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/locklab/locklab/internal/html"
	"github.com/locklab/locklab/internal/view"
	"github.com/locklab/locklab/labs/catalog"
	"github.com/locklab/locklab/labs/explore"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var keep = flag.String("keep", "", "also write the pages to this directory")

// reports are real failures, found by the explorer.
func reports(t *testing.T) map[string]*view.Report {
	t.Helper()
	out := map[string]*view.Report{}
	for _, sv := range [][2]string{{"philosophers", "left-then-right"}, {"counter", "cooperative-await"}, {"bank", "check-then-act"}} {
		s, v, err := catalog.LookupVariant(sv[0], sv[1])
		if err != nil {
			t.Fatal(err)
		}
		res, err := explore.Explore(context.Background(), s, v, explore.Options{})
		if err != nil || res.First == nil {
			t.Fatalf("explore %s/%s = %v, %v; want a failure", sv[0], sv[1], res, err)
		}
		out[sv[0]+"-"+sv[1]] = view.FromFailure(s, v, res.First)
	}
	return out
}

// TestSelfContained checks that a page loads nothing from anywhere.
func TestSelfContained(t *testing.T) {
	for name, r := range reports(t) {
		var b bytes.Buffer
		if err := html.Write(&b, r); err != nil {
			t.Fatal(err)
		}
		page := b.String()
		for _, bad := range []string{"http://", "https://", "<link", "src=", "@import", "url(http"} {
			if strings.Contains(strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, ""), bad) {
				t.Errorf("%s: page contains %q: it must load nothing", name, bad)
			}
		}
		if got := strings.Count(page, `<g class="lane"`); got != len(r.Workers) {
			t.Errorf("%s: %d lanes; want one per worker (%d)", name, got, len(r.Workers))
		}
		if got := strings.Count(page, `<circle class="mark`); got != len(r.Events) {
			t.Errorf("%s: %d marks; want one per event (%d)", name, got, len(r.Events))
		}
		if *keep != "" {
			os.WriteFile(filepath.Join(*keep, name+".html"), b.Bytes(), 0o644) //nolint:errcheck
		}
	}
}

// chromium finds Debian's Chromium; CI installs it (.ci/run), so there a
// missing browser fails the test instead of skipping it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on PATH: .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("no chromium on PATH (apt-get install chromium)")
	return ""
}

// TestInChromium loads every page in headless Chromium: the page's script
// runs without an error, nothing is reported on the console, and the DOM
// has one lane per worker and one mark per event.
func TestInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser; skipped with -short")
	}
	browser := chromium(t)
	dir := t.TempDir()
	for name, r := range reports(t) {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(dir, name+".html")
			var b bytes.Buffer
			if err := html.Write(&b, r); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+filepath.Join(dir, "profile-"+name),
				"--enable-logging=stderr", "--v=0", "--dump-dom", "file://"+file)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("chromium: %v\n%s", err, stderr.String())
			}
			for _, l := range strings.Split(stderr.String(), "\n") {
				if strings.Contains(l, "CONSOLE") || strings.Contains(l, "Uncaught") {
					t.Errorf("console: %s", l)
				}
			}
			dom := stdout.String()
			m := regexp.MustCompile(`data-ready="(\d+)"`).FindStringSubmatch(dom)
			if m == nil {
				t.Fatalf("the page's script did not finish (no data-ready in the DOM)")
			}
			if n, _ := strconv.Atoi(m[1]); n != len(r.Events) {
				t.Errorf("the script saw %d marks; want one per event (%d)", n, len(r.Events))
			}
			if got := strings.Count(dom, `class="lane"`); got != len(r.Workers) {
				t.Errorf("the rendered page has %d lanes; want %d", got, len(r.Workers))
			}
		})
	}
}
