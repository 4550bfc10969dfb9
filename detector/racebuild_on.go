//go:build race

package detector

// raceBuild is whether the binary was built with -race.
const raceBuild = true
