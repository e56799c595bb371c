// Package metrics owns the node's Prometheus registry and the collectors
// that GET /metrics exposes: requests and latency per GraphQL operation and
// REST route, queue depth and job latency, group-commit batch sizes, and
// open subscriptions. Metrics implements the observer interfaces that the
// graph and jobq packages declare.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// maxOperations bounds the distinct GraphQL operation names kept as label
// values, since clients choose them; the rest count as "other".
const maxOperations = 200

// Metrics is the node's set of collectors. It is safe for concurrent use.
type Metrics struct {
	reg          *prometheus.Registry
	ops          *prometheus.CounterVec
	opLatency    *prometheus.HistogramVec
	routes       *prometheus.CounterVec
	routeLat     *prometheus.HistogramVec
	jobWait      *prometheus.HistogramVec
	jobExec      *prometheus.HistogramVec
	batchSize    prometheus.Histogram
	batchTook    prometheus.Histogram
	jobExpired   *prometheus.CounterVec
	authFailed   *prometheus.CounterVec
	rejected     *prometheus.CounterVec
	membership   *prometheus.CounterVec // membership records refused
	connsRefused *prometheus.CounterVec // connections refused on accept
	mu           sync.RWMutex
	opNames      map[string]struct{}
}

// Gauges are read when /metrics is scraped; a nil one is not exported.
type Gauges struct {
	QueueDepth    func() int // jobs waiting in the queue (nil when the queue is in another process)
	Subscriptions func() int // open GraphQL subscriptions
	// SubscriptionExecutions counts the executions serving them: one per
	// group of subscriptions asking the same thing for the same role.
	SubscriptionExecutions func() int
	// JobsInFlight counts the database jobs this node has sent and not yet
	// had answered. Unlike QueueDepth it exists when the handler is another
	// process too.
	JobsInFlight func() int
	// EventsDropped counts committed-change events lost on their way to
	// the feed (a full buffer, or the event socket); the feed recovers
	// them from the change log.
	EventsDropped func() uint64
	// GapsRecovered counts the gaps in the events the feed found and
	// filled from the change log.
	GapsRecovered func() uint64
	// TransferSettles counts the transfer Settler's passes that took every
	// step owed.
	TransferSettles func() uint64
}

var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}

// New returns the collectors, registered with Go and process collectors.
func New(g Gauges) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), opNames: map[string]struct{}{}}
	m.ops = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "stockmesh_graphql_operations_total",
		Help: "GraphQL queries and mutations served, by operation name and result."}, []string{"operation", "result"})
	m.opLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "stockmesh_graphql_operation_seconds",
		Help: "Latency of GraphQL queries and mutations.", Buckets: latencyBuckets}, []string{"operation"})
	m.routes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "stockmesh_http_requests_total",
		Help: "HTTP requests served, by route and status code."}, []string{"route", "code"})
	m.routeLat = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "stockmesh_http_request_seconds",
		Help: "Latency of HTTP requests by route.", Buckets: latencyBuckets}, []string{"route"})
	m.jobWait = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "stockmesh_job_wait_seconds",
		Help: "Time database jobs waited in the queue.", Buckets: latencyBuckets}, []string{"class"})
	m.jobExec = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "stockmesh_job_exec_seconds",
		Help: "Time database jobs took to execute (a write: its whole batch, commit included).", Buckets: latencyBuckets}, []string{"class"})
	m.batchSize = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "stockmesh_commit_batch_size",
		Help: "Write jobs per group-commit transaction.", Buckets: prometheus.ExponentialBuckets(1, 2, 10)})
	m.batchTook = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "stockmesh_commit_seconds",
		Help: "Time of each group-commit transaction, fsync included.", Buckets: latencyBuckets})
	m.jobExpired = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "stockmesh_jobs_expired_total",
		Help: "Database jobs skipped because their caller's deadline had passed, by class."}, []string{"class"})
	m.authFailed = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "stockmesh_auth_failures_total",
		Help: "Failed authentications (missing, unknown, revoked or expired tokens): refused at once (within the address's tries), delayed (answered after a wait) or throttled (refused at once with 429, the address having failed too often)."},
		[]string{"result"})
	m.rejected = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "stockmesh_sync_rejected_total",
		Help: "Runs of other warehouses' logs refused, by reason: signature, chain, validation or fork."}, []string{"reason"})
	for _, r := range []string{"signature", "chain", "validation", "fork"} {
		m.rejected.WithLabelValues(r) // every reason shown, from 0
	}
	m.membership = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "stockmesh_membership_rejected_total",
		Help: "Membership records (heartbeats, join answers) refused, by reason: invalid (an id, URL or field out of bounds), signature, binding (no certificate the CA issued for the id binds the key: an invented member), key (another key than the one pinned for the id), ca (a claim to hold the CA without its signature) or limit (too many new members in one message)."},
		[]string{"reason"})
	for _, r := range []string{"invalid", "signature", "binding", "key", "ca", "limit"} { // stock.RejectInvalid and the others
		m.membership.WithLabelValues(r)
	}
	m.connsRefused = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "stockmesh_connections_refused_total",
		Help: "HTTPS connections closed as soon as they were accepted, before their TLS handshake, by reason: open (their address held --max-conns-per-address open already) or handshakes (their address, failing too often, had opened its new connections of the second)."},
		[]string{"reason"})
	for _, r := range []string{"open", "handshakes"} {
		m.connsRefused.WithLabelValues(r)
	}
	m.reg.MustRegister(m.ops, m.opLatency, m.routes, m.routeLat, m.jobWait, m.jobExec, m.batchSize, m.batchTook, m.jobExpired, m.authFailed, m.rejected, m.membership, m.connsRefused,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if g.QueueDepth != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "stockmesh_queue_depth",
			Help: "Database jobs waiting in the queue."}, func() float64 { return float64(g.QueueDepth()) }))
	}
	if g.Subscriptions != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "stockmesh_subscriptions_open",
			Help: "Open GraphQL subscriptions."}, func() float64 { return float64(g.Subscriptions()) }))
	}
	if g.SubscriptionExecutions != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "stockmesh_subscription_executions",
			Help: "Executions serving the open GraphQL subscriptions: one per group asking the same thing for the same role."},
			func() float64 { return float64(g.SubscriptionExecutions()) }))
	}
	if g.JobsInFlight != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "stockmesh_jobs_in_flight",
			Help: "Database jobs sent by this node and not yet answered."}, func() float64 { return float64(g.JobsInFlight()) }))
	}
	counter := func(name, help string, f func() uint64) {
		if f != nil {
			m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
				func() float64 { return float64(f()) }))
		}
	}
	counter("stockmesh_events_dropped_total", "Committed-change events lost before the feed (then recovered from the change log).", g.EventsDropped)
	counter("stockmesh_feed_gaps_recovered_total", "Gaps in committed-change events that the feed filled from the change log.", g.GapsRecovered)
	counter("stockmesh_transfer_settle_passes_total", "Passes of the transfer Settler that took every follow-up step the warehouse owed.", g.TransferSettles)
	return m
}

// MembershipRejected counts a refused membership record by reason (one of
// stock.RejectInvalid and the others).
func (m *Metrics) MembershipRejected(reason string) { m.membership.WithLabelValues(reason).Inc() }

// ConnectionRefused counts a connection refused on accept by reason
// ("open" or "handshakes").
func (m *Metrics) ConnectionRefused(reason string) { m.connsRefused.WithLabelValues(reason).Inc() }

// SyncRejected counts a refused run of another warehouse's log by reason.
func (m *Metrics) SyncRejected(reason string) { m.rejected.WithLabelValues(reason).Inc() }

// AuthFailure counts a failed authentication by how it was answered:
// refused (at once, within the address's tries), delayed (after a wait)
// or throttled (at once with 429: the address failed too often).
func (m *Metrics) AuthFailure(result string) {
	m.authFailed.WithLabelValues(result).Inc()
}

// Handler serves the registry in Prometheus' text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Operation records one GraphQL query or mutation (graph.Observer).
func (m *Metrics) Operation(name string, took time.Duration, failed bool) {
	name = m.opName(name)
	result := "ok"
	if failed {
		result = "error"
	}
	m.ops.WithLabelValues(name, result).Inc()
	m.opLatency.WithLabelValues(name).Observe(took.Seconds())
}

func (m *Metrics) opName(name string) string {
	m.mu.RLock()
	_, known := m.opNames[name]
	n := len(m.opNames)
	m.mu.RUnlock()
	if known {
		return name
	}
	if n >= maxOperations {
		return "other"
	}
	m.mu.Lock()
	m.opNames[name] = struct{}{}
	m.mu.Unlock()
	return name
}

// Route records one HTTP request to a fixed route name.
func (m *Metrics) Route(route string, code int, took time.Duration) {
	m.routes.WithLabelValues(route, strconv.Itoa(code)).Inc()
	m.routeLat.WithLabelValues(route).Observe(took.Seconds())
}

// BatchDone records a group-commit transaction (for the queue's observer).
func (m *Metrics) BatchDone(size int, took time.Duration) {
	m.batchSize.Observe(float64(size))
	m.batchTook.Observe(took.Seconds())
}

// JobDone records the wait and execution time of a job of class ("read",
// "write", "long-read", "background").
func (m *Metrics) JobDone(class string, waited, took time.Duration) {
	m.jobWait.WithLabelValues(class).Observe(waited.Seconds())
	m.jobExec.WithLabelValues(class).Observe(took.Seconds())
}

// JobExpired records a job of class skipped past its caller's deadline.
func (m *Metrics) JobExpired(class string) {
	m.jobExpired.WithLabelValues(class).Inc()
}

// Middleware records the requests next serves under route.
func (m *Metrics) Middleware(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(rec, r)
		m.Route(route, rec.code, time.Since(start))
	})
}
