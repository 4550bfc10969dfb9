package cli

import (
	"fmt"
	"io"
	"slices"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/locklab/locklab/labs"
)

var (
	logLevels  = []string{"debug", "info", "warn", "error"}
	logFormats = []string{"console", "json"}
)

// newLogger returns a logger writing to w at the given level, in the given
// format.
func newLogger(w io.Writer, level, format string) (*zap.Logger, error) {
	if !slices.Contains(logLevels, level) {
		return nil, fmt.Errorf("--log-level: %w", &labs.UnknownError{What: "level", Name: level, Valid: logLevels})
	}
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return nil, err
	}
	var enc zapcore.Encoder
	switch format {
	case "console":
		cfg := zap.NewDevelopmentEncoderConfig()
		enc = zapcore.NewConsoleEncoder(cfg)
	case "json":
		enc = zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	default:
		return nil, fmt.Errorf("--log-format: %w", &labs.UnknownError{What: "format", Name: format, Valid: logFormats})
	}
	core := zapcore.NewCore(enc, zapcore.Lock(zapcore.AddSync(w)), lvl)
	return zap.New(core).Named("locklab"), nil
}
