package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The examples instructors copy: a GitHub Actions matrix workflow and a
// Kubernetes Indexed Job. They are checked as YAML with the fields those
// systems require, and their locklab commands are run here, shard by
// shard as the matrix or the Job would, then merged.
const examplesDir = "../../grade/examples"

func readYAML(t *testing.T, name string) []map[string]any {
	t.Helper()
	f, err := os.Open(filepath.Join(examplesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var docs []map[string]any
	dec := yaml.NewDecoder(f)
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("%s: %v", name, err)
		}
		docs = append(docs, doc)
	}
	return docs
}

// get walks a decoded YAML document by keys and indexes.
func get(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok || m[k] == nil {
				t.Fatalf("no %q at %v", k, path)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("no [%d] at %v", k, path)
			}
			v = l[k]
		}
	}
	return v
}

// commands returns the locklab command lines of a shell script, with
// continuation lines joined and what follows || dropped.
func commands(script string) []string {
	script = strings.ReplaceAll(script, "\\\n", " ")
	var out []string
	for _, line := range strings.Split(script, "\n") {
		line, _, _ = strings.Cut(line, "||")
		f := strings.Fields(line)
		if len(f) > 0 && (f[0] == "locklab" || strings.HasSuffix(strings.Trim(f[0], `"`), "/locklab")) {
			out = append(out, strings.Join(f[1:], " "))
		}
	}
	return out
}

var varRE = regexp.MustCompile(`\$\{\{\s*([\w.]+)\s*\}\}|\$(\w+)`)

// shellArgs expands vars and globs in a command line and splits it into
// arguments, as sh would for these simple lines.
func shellArgs(t *testing.T, line string, vars map[string]string) []string {
	t.Helper()
	line = varRE.ReplaceAllStringFunc(line, func(m string) string {
		sm := varRE.FindStringSubmatch(m)
		name := sm[1] + sm[2]
		v, ok := vars[name]
		if !ok {
			t.Fatalf("%q uses %s, which the test does not know", line, m)
		}
		return v
	})
	var args []string
	for _, a := range strings.Fields(line) {
		a = strings.Trim(a, `"'`)
		if strings.Contains(a, "*") {
			m, _ := filepath.Glob(a)
			args = append(args, m...)
			continue
		}
		args = append(args, a)
	}
	return args
}

// runExample runs a locklab command line with the fake grader and the
// environment env, and returns its exit status.
func runExample(t *testing.T, f *fakeGrader, env map[string]string, args []string) int {
	t.Helper()
	deps, out, errOut := testDeps()
	deps.Grade = f.grade
	deps.Getenv = func(k string) string { return env[k] }
	code := execute(context.Background(), deps, args)
	if code != exitOK && code != exitProblem {
		t.Fatalf("locklab %s = %d\n%s\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return code
}

func TestGitHubActionsExample(t *testing.T) {
	docs := readYAML(t, "github-matrix/grade-class.yml")
	if len(docs) != 1 {
		t.Fatalf("%d documents; want 1", len(docs))
	}
	wf := docs[0]
	get(t, wf, "on", "workflow_dispatch")
	jobs := get(t, wf, "jobs").(map[string]any)
	for name, j := range jobs {
		job := j.(map[string]any)
		if job["runs-on"] == nil {
			t.Errorf("job %s has no runs-on", name)
		}
		for i, s := range get(t, job, "steps").([]any) {
			step := s.(map[string]any)
			if (step["uses"] == nil) == (step["run"] == nil) {
				t.Errorf("job %s step %d: want exactly one of uses and run: %v", name, i, step)
			}
		}
	}
	if get(t, jobs, "merge", "needs") != "grade" {
		t.Errorf("merge needs %v; want grade", get(t, jobs, "merge", "needs"))
	}
	shards := get(t, jobs, "grade", "strategy", "matrix", "shard").([]any)
	n := fmt.Sprint(get(t, wf, "env", "SHARDS"))
	if n != fmt.Sprint(len(shards)) {
		t.Fatalf("env.SHARDS = %s but the matrix has %d shards", n, len(shards))
	}
	// Run the workflow's commands: each shard, then the merge.
	tmp := t.TempDir()
	os.MkdirAll(filepath.Join(tmp, "submissions"), 0o755)
	for _, s := range []string{"full-a", "lost-b", "full-c", "full-d", "lost-e", "full-f"} {
		os.MkdirAll(filepath.Join(tmp, "submissions", s), 0o755)
		os.WriteFile(filepath.Join(tmp, "submissions", s, "bank.go"), []byte("package bank\n"), 0o644)
	}
	t.Chdir(tmp)
	f := &fakeGrader{}
	var grades, merges int
	for _, sh := range shards {
		for _, s := range get(t, jobs, "grade", "steps").([]any) {
			run, _ := s.(map[string]any)["run"].(string)
			for _, line := range commands(run) {
				if strings.HasPrefix(line, "grade") {
					vars := map[string]string{"EXERCISE": "bank", "SHARD": fmt.Sprint(sh), "SHARDS": n}
					runExample(t, f, nil, shellArgs(t, line, vars))
					grades++
				}
			}
		}
	}
	for _, s := range get(t, jobs, "merge", "steps").([]any) {
		run, _ := s.(map[string]any)["run"].(string)
		for _, line := range commands(run) {
			if strings.HasPrefix(line, "merge") {
				runExample(t, f, nil, shellArgs(t, line, nil))
				merges++
			}
		}
	}
	data, err := os.ReadFile("gradebook.csv")
	if grades != len(shards) || merges != 1 || err != nil || strings.Count(string(data), "\n") != 7 || f.calls != 6 {
		t.Errorf("%d grade and %d merge commands ran, %d gradings, gradebook %v:\n%s; want %d, 1, 6 and 6 rows", grades, merges, f.calls, err, data, len(shards))
	}
}

func TestKubernetesExample(t *testing.T) {
	grade := readYAML(t, "kubernetes/grade-job.yaml")
	merge := readYAML(t, "kubernetes/merge-job.yaml")
	if len(grade) != 1 || len(merge) != 1 {
		t.Fatalf("%d and %d documents; want one Job each", len(grade), len(merge))
	}
	for _, job := range []map[string]any{grade[0], merge[0]} {
		if get(t, job, "apiVersion") != "batch/v1" || get(t, job, "kind") != "Job" || get(t, job, "metadata", "name") == "" {
			t.Errorf("not a batch/v1 Job with a name: %v", job)
		}
		spec := get(t, job, "spec", "template", "spec")
		if rp := get(t, spec, "restartPolicy"); rp != "Never" && rp != "OnFailure" {
			t.Errorf("restartPolicy %v; a Job's must be Never or OnFailure", rp)
		}
		volumes := map[string]bool{}
		for _, v := range get(t, spec, "volumes").([]any) {
			volumes[get(t, v, "name").(string)] = true
		}
		for _, c := range get(t, spec, "containers").([]any) {
			if get(t, c, "name") == "" || get(t, c, "image") == "" {
				t.Errorf("container without a name or an image: %v", c)
			}
			for _, m := range get(t, c, "volumeMounts").([]any) {
				if !volumes[get(t, m, "name").(string)] {
					t.Errorf("volumeMount %v names no volume", m)
				}
			}
		}
	}
	spec := get(t, grade[0], "spec")
	if get(t, spec, "completionMode") != "Indexed" {
		t.Fatalf("completionMode %v; want Indexed", get(t, spec, "completionMode"))
	}
	completions := get(t, spec, "completions").(int)
	container := get(t, spec, "template", "spec", "containers", 0)
	env := map[string]string{}
	for _, e := range get(t, container, "env").([]any) {
		env[get(t, e, "name").(string)] = fmt.Sprint(get(t, e, "value"))
	}
	if env["LOCKLAB_SHARDS"] != fmt.Sprint(completions) {
		t.Fatalf("LOCKLAB_SHARDS = %q; want the Job's completions, %d", env["LOCKLAB_SHARDS"], completions)
	}
	// Run the pods' commands, one per completion index, then the merge's.
	tmp := t.TempDir()
	class := filepath.Join(tmp, "class")
	os.MkdirAll(filepath.Join(class, "out"), 0o755)
	for _, s := range []string{"full-a", "lost-b", "full-c", "full-d", "lost-e"} {
		os.MkdirAll(filepath.Join(class, "submissions", s), 0o755)
		os.WriteFile(filepath.Join(class, "submissions", s, "bank.go"), []byte("package bank\n"), 0o644)
	}
	script := func(c any) string {
		args := get(t, c, "args").([]any)
		return strings.ReplaceAll(args[0].(string), "/class", class)
	}
	f := &fakeGrader{}
	lines := commands(script(container))
	if len(lines) != 1 || strings.Contains(lines[0], "--shard") {
		t.Fatalf("grade commands %q; want one, sharded by the Job's environment", lines)
	}
	for i := range completions {
		podEnv := map[string]string{"JOB_COMPLETION_INDEX": fmt.Sprint(i), "LOCKLAB_SHARDS": env["LOCKLAB_SHARDS"]}
		runExample(t, f, podEnv, shellArgs(t, lines[0], podEnv))
	}
	lines = commands(script(get(t, merge[0], "spec", "template", "spec", "containers", 0)))
	if len(lines) != 1 {
		t.Fatalf("merge commands %q; want one", lines)
	}
	runExample(t, f, nil, shellArgs(t, lines[0], nil))
	data, err := os.ReadFile(filepath.Join(class, "out", "gradebook.csv"))
	if err != nil || strings.Count(string(data), "\n") != 6 || f.calls != 5 {
		t.Errorf("gradebook %v, %d gradings:\n%s; want 5 rows and 5 gradings", err, f.calls, data)
	}
}
