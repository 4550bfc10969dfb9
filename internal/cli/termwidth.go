package cli

import (
	"os"
	"strconv"
)

// terminalWidth returns the width in columns that text on f must fit:
// COLUMNS when it is set to a number, else the terminal's, else 0 (not a
// terminal: the renderers' default).
func terminalWidth(f *os.File) int {
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return ttyWidth(f)
}
