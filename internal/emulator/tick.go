package emulator

import (
	"net/http"
	"time"

	"github.com/sailsync/sailsync/internal/value"
)

// DebugTickPath is the emulator's own endpoint that plays a platform tick (POST, no token): it
// is outside /v3 and /beta because no tenant has it, and the contract check lets it through
// unvalidated for the same reason.
const DebugTickPath = "/debug/tick"

// Tick plays one round of the platform's own work on every source, as its scheduled
// aggregations and health checks do: the runtime state in connectorAttributes is rewritten
// (since, healthy, status, processing, sourceConnected, recommendationStatus; and, for a
// source whose health check passes, cloudCacheUpdate, hasFullAggregationCompleted and a fresh
// cursor for every delta token), and so are the source's own healthy, status and since, which
// the tenant maintains. A failing source (healthy false or a SOURCE_STATE_FAILURE_* status)
// stays failing: its cursors do not move. Nothing an admin owns changes (description, owner,
// any other attribute, secrets) and `modified` stays, since no configuration changed; under
// Options.TickStampsModified every rewritten source gets a new `modified`, as a tenant that
// stamps each write of the object would. It returns how many sources it rewrote.
func (e *Emulator) Tick() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now().UTC()
	list := e.srcs().list
	for i := range list {
		s := list[i]
		c := s.Clone()
		healthy := sourceHealthy(c)
		playAggregation(c, now, healthy)
		status := "SOURCE_STATE_HEALTHY"
		if !healthy {
			status = c.Object("connectorAttributes").String("status")
		}
		c.Set("healthy", healthy)
		c.Set("status", status)
		c.Set("since", now.Format(timeLayout))
		if e.opts.TickStampsModified {
			c.Set("modified", e.stamp())
		}
		e.store(s, c)
	}
	return len(list)
}

// sourceHealthy reports whether a source's last health check passed, from its runtime state.
func sourceHealthy(s *value.Object) bool {
	attrs := s.Object("connectorAttributes")
	if h, ok := attrs.Get("healthy"); ok && h == false {
		return false
	}
	if h, ok := s.Get("healthy"); ok && h == false {
		return false
	}
	return !isFailureStatus(attrs.String("status")) && !isFailureStatus(s.String("status"))
}

func isFailureStatus(s string) bool {
	return len(s) > len("SOURCE_STATE_FAILURE") && s[:len("SOURCE_STATE_FAILURE")] == "SOURCE_STATE_FAILURE"
}

// playAggregation rewrites s's runtime connectorAttributes as an aggregation and health check
// at now do (see Aggregate and Tick); a failed health check keeps the failure status it
// reported and moves no cursor.
func playAggregation(s *value.Object, now time.Time, healthy bool) {
	attrs := s.Object("connectorAttributes")
	if attrs == nil {
		attrs = value.NewObject()
		s.Set("connectorAttributes", attrs)
	}
	attrs.Set("since", now.Format(timeLayout))
	attrs.Set("healthy", healthy)
	attrs.Set("processing", false)
	attrs.Set("sourceConnected", healthy)
	if !healthy {
		if !isFailureStatus(attrs.String("status")) {
			attrs.Set("status", "SOURCE_STATE_FAILURE_SOURCE")
		}
		return
	}
	for _, k := range attrs.Keys() {
		if isDeltaToken(k) {
			attrs.Set(k, newDeltaToken())
		}
	}
	attrs.Set("cloudCacheUpdate", epochMillis(now))
	attrs.Set("status", "SOURCE_STATE_HEALTHY")
	attrs.Set("hasFullAggregationCompleted", true)
	attrs.Set("recommendationStatus", "COMPLETED")
}

// tickEvery plays Tick every d until Close.
func (e *Emulator) tickEvery(d time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			e.Tick()
		case <-stop:
			return
		}
	}
}

// Close stops what the emulator runs by itself (the Options.TickEvery timer). It does not stop
// serving: that is the server's. Calling it again does nothing.
func (e *Emulator) Close() {
	e.closeOnce.Do(func() {
		if e.stopTicks != nil {
			close(e.stopTicks)
		}
	})
}

// handleDebugTick is POST DebugTickPath: a Tick now, answered with how many sources it
// rewrote.
func (e *Emulator) handleDebugTick(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, methodNotAllowed(r.Method))
		return
	}
	o := value.NewObject()
	o.Set("sources", value.FromPlain(e.Tick()))
	writeJSON(w, http.StatusOK, o)
}
