package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// readBuildInfo is debug.ReadBuildInfo; tests replace it.
var readBuildInfo = debug.ReadBuildInfo

// version says which locklab this is: the module version, the commit it
// was built from (and whether the tree had changes), and the Go version,
// all from the build information the go command stamps into the binary.
func version() string {
	info, ok := readBuildInfo()
	if !ok {
		return fmt.Sprintf("locklab (no build information) %s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	var commit []string
	if rev := settings["vcs.revision"]; rev != "" {
		commit = append(commit, "commit "+rev[:min(len(rev), 12)])
		if t := settings["vcs.time"]; t != "" {
			commit = append(commit, t)
		}
		if settings["vcs.modified"] == "true" {
			commit = append(commit, "with uncommitted changes")
		}
	} else {
		commit = append(commit, "commit unknown")
	}
	goVersion := info.GoVersion
	if goVersion == "" {
		goVersion = runtime.Version()
	}
	goos, goarch := settings["GOOS"], settings["GOARCH"]
	if goos == "" {
		goos, goarch = runtime.GOOS, runtime.GOARCH
	}
	return fmt.Sprintf("locklab %s (%s), built with %s %s/%s", v, strings.Join(commit, ", "), goVersion, goos, goarch)
}
