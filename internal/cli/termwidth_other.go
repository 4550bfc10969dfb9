//go:build !linux && !darwin

package cli

import "os"

// ttyWidth is 0 where locklab does not ask the terminal: the renderers
// then fit 100 columns, or COLUMNS.
func ttyWidth(*os.File) int { return 0 }
