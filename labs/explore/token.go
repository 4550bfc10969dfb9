package explore

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"

	"github.com/locklab/locklab/labs"
)

// tokenPrefix starts every replay token; the digit is the format version.
const tokenPrefix = "ll1-"

// Limits a decoded token must respect, so a forged one cannot make
// Replay allocate or run without bound.
const (
	maxNameLen     = 64
	maxDeviations  = 1 << 20
	maxTokenSteps  = 10_000_000
	maxTokenLength = 8 << 20
)

// Token is a decoded replay token: the run it was made for and the
// scheduling decisions that make its schedule. Only decisions that
// differ from the default (keep running the current worker, else the
// lowest-numbered one) are stored, so a schedule with few context
// switches has a short token.
type Token struct {
	Scenario string
	Variant  string
	Config   labs.Config // Workers, Ops and Seed; Yield is unused
	MaxSteps int         // the livelock budget the schedule ran with
	devs     []deviation
}

// Encode returns the token's text form: "ll1-" and the base64url of a
// compact binary form (names, configuration, the decisions as
// (gap, worker) pairs of unsigned varints) ending in a CRC-32.
func (t *Token) Encode() string {
	var b []byte
	b = append(b, 1) // binary format version
	b = binary.AppendUvarint(b, uint64(len(t.Scenario)))
	b = append(b, t.Scenario...)
	b = binary.AppendUvarint(b, uint64(len(t.Variant)))
	b = append(b, t.Variant...)
	b = binary.AppendUvarint(b, uint64(t.Config.Workers))
	b = binary.AppendUvarint(b, uint64(t.Config.Ops))
	b = binary.AppendUvarint(b, t.Config.Seed)
	b = binary.AppendUvarint(b, uint64(t.MaxSteps))
	b = binary.AppendUvarint(b, uint64(len(t.devs)))
	prev := -1
	for _, d := range t.devs {
		b = binary.AppendUvarint(b, uint64(d.decision-prev-1))
		b = binary.AppendUvarint(b, uint64(d.worker))
		prev = d.decision
	}
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// DecodeToken decodes a replay token. Any malformed token gives an error
// wrapping ErrBadToken; it never panics.
func DecodeToken(token string) (*Token, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrBadToken, fmt.Sprintf(format, args...))
	}
	token = strings.TrimSpace(token)
	if !strings.HasPrefix(token, tokenPrefix) {
		return nil, bad("a replay token starts with %q", tokenPrefix)
	}
	if len(token) > maxTokenLength {
		return nil, bad("token too long")
	}
	b, err := base64.RawURLEncoding.DecodeString(token[len(tokenPrefix):])
	if err != nil {
		return nil, bad("not base64url: %v", err)
	}
	if len(b) < 5 {
		return nil, bad("too short")
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, bad("checksum mismatch (the token was altered or cut short)")
	}
	r := &reader{b: body}
	if v := r.byte(); v != 1 {
		return nil, bad("unknown format version %d", v)
	}
	t := &Token{}
	t.Scenario = r.name()
	t.Variant = r.name()
	t.Config.Workers = r.int(labs.MaxWorkers)
	t.Config.Ops = r.int(labs.MaxOps)
	t.Config.Seed = r.uvarint()
	t.MaxSteps = r.int(maxTokenSteps)
	n := r.int(maxDeviations)
	if r.err == nil && n > len(r.b) { // every deviation takes at least two bytes
		r.err = fmt.Errorf("%d decisions in %d bytes", n, len(r.b))
	}
	prev := -1
	for i := 0; i < n && r.err == nil; i++ {
		gap := r.int(maxTokenSteps)
		w := r.int(4 * labs.MaxWorkers)
		prev += gap + 1
		if prev > maxTokenSteps*stepCap {
			r.err = fmt.Errorf("decision %d out of range", prev)
		}
		t.devs = append(t.devs, deviation{decision: prev, worker: w})
	}
	if r.err == nil && len(r.b) != 0 {
		r.err = fmt.Errorf("%d stray bytes at the end", len(r.b))
	}
	if r.err != nil {
		return nil, bad("%v", r.err)
	}
	if t.Scenario == "" || t.Variant == "" {
		return nil, bad("no scenario or variant")
	}
	if err := t.Config.Validate(); err != nil {
		return nil, bad("%v", err)
	}
	if t.MaxSteps < 1 {
		return nil, bad("no step budget")
	}
	return t, nil
}

// reader decodes the token's binary form; the first error sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if len(r.b) == 0 {
		r.err = fmt.Errorf("cut short")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = fmt.Errorf("bad number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) int(limit int) int {
	v := r.uvarint()
	if r.err == nil && v > uint64(limit) {
		r.err = fmt.Errorf("number %d out of range", v)
		return 0
	}
	return int(v)
}

func (r *reader) name() string {
	n := r.int(maxNameLen)
	if r.err != nil {
		return ""
	}
	if n > len(r.b) {
		r.err = fmt.Errorf("cut short")
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}
