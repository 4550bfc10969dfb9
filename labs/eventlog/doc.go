// Package eventlog keeps what the workers of a native run did, as
// labs.Events, without adding synchronization the race detector could
// see: each worker appends to its own Lane (its first and last events,
// with a Gap between), and Merge puts the lanes in time order once the
// workers have stopped.
//
// A shared log behind a mutex, or numbered with an atomic counter, would
// order every recorded read after the previous write for the race
// detector too, and hide the very races a run is there to show. A Lane
// touches nothing but its own memory and the monotonic clock.
package eventlog
