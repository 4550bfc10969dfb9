package cli

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/locklab/locklab/labs"
)

// pflag's parse errors quote the Go function that failed
// (`strconv.ParseInt: parsing "abc": invalid syntax`); flagError says
// what the flag wants instead, and suggests the nearest flag for an
// unknown one.
var (
	badValueRE    = regexp.MustCompile(`^invalid argument "(.*)" for "(?:-\w, )?--([\w-]+)" flag: (.*)$`)
	unknownFlagRE = regexp.MustCompile(`^unknown flag: --([\w-]+)$`)
)

func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if m := unknownFlagRE.FindStringSubmatch(msg); m != nil {
		var names []string
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden {
				names = append(names, f.Name)
			}
		})
		cmd.InheritedFlags().VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
		if s := labs.Closest(m[1], names); s != "" {
			return fmt.Errorf("%s (did you mean --%s?); see %s --help", msg, s, cmd.CommandPath())
		}
		return fmt.Errorf("%s; see %s --help", msg, cmd.CommandPath())
	}
	m := badValueRE.FindStringSubmatch(msg)
	if m == nil {
		return err
	}
	value, name, why := m[1], m[2], m[3]
	f := cmd.Flags().Lookup(name)
	typ := ""
	if f != nil {
		typ = f.Value.Type()
	}
	outOfRange := strings.HasSuffix(why, "value out of range")
	switch {
	case outOfRange:
		return fmt.Errorf("--%s: %s is out of range (see %s --help for its bounds)", name, value, cmd.CommandPath())
	case typ == "int" || typ == "int64":
		return fmt.Errorf("--%s: %q is not a whole number", name, value)
	case typ == "uint64" || typ == "uint":
		return fmt.Errorf("--%s: %q is not a whole number of 0 or more", name, value)
	case typ == "duration":
		return fmt.Errorf("--%s: %q is not a duration: write a number and a unit, such as 500ms, 10s or 2m", name, value)
	case typ == "bool":
		return fmt.Errorf("--%s takes true or false (or nothing, for true), not %q", name, value)
	case typ == "float64":
		return fmt.Errorf("--%s: %q is not a number", name, value)
	}
	return errors.New("--" + name + ": invalid value " + fmt.Sprintf("%q", value))
}
