// Package rest serves the node's JSON endpoints for other servers and
// scripts: GET /healthz and GET /readyz (no token), GET /api/v1/inventory and
// GET /api/v1/movements (paginated, with the GraphQL API's filters), and
// GET /api/v1/products/{sku}; each of the three takes ?warehouse=ID, any
// warehouse the node holds (omitted: its own; for movements, every one);
// the CSV reports, export and import (reports.go, products_csv.go).
// GET /api/v1/transfers lists the transfers the node knows
// (?status=&warehouse=&first=&after=), GET /api/v1/reservations the
// reservations it holds (?status=&sku=&warehouse=&first=&after=).
// Handlers decode, call one stock.Service
// method and return; errors are written in one place (errors.go). An unknown
// path under /api/v1/ is a JSON NOT_FOUND (404, or 405 with Allow).
package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
)

// Handler serves the REST endpoints over a stock.Service.
type Handler struct {
	svc *stock.Service
	log *slog.Logger
}

// New returns a Handler over svc.
func New(svc *stock.Service, log *slog.Logger) *Handler {
	return &Handler{svc: svc, log: log}
}

// Wrap decorates the handler of a route (metrics, authentication).
type Wrap func(route string, h http.Handler) http.Handler

// ReadyTimeout bounds how long GET /readyz waits for the database handler.
const ReadyTimeout = 2 * time.Second

// Register adds the routes to mux. public wraps /healthz, /readyz and the
// catch-all under Prefix, private the rest (the node passes authentication
// there). The catch-all answers any request under Prefix that no endpoint
// of mux takes, also those of endpoints registered by other packages.
func (h *Handler) Register(mux *http.ServeMux, public, private Wrap) {
	mux.Handle("GET /healthz", public("/healthz", h.endpoint(h.health)))
	mux.Handle("GET /readyz", public("/readyz", h.endpoint(h.ready)))
	mux.Handle("GET /api/v1/inventory", private("/api/v1/inventory", h.endpoint(h.inventory)))
	mux.Handle("GET /api/v1/products/{sku}", private("/api/v1/products/{sku}", h.endpoint(h.product)))
	mux.Handle("GET /api/v1/movements", private("/api/v1/movements", h.endpoint(h.movements)))
	mux.Handle("GET /api/v1/transfers", private("/api/v1/transfers", h.endpoint(h.transfers)))
	h.registerReports(mux, private)
	h.registerProducts(mux, private)
	h.registerReservations(mux, private)
	h.registerReplenishment(mux, private)
	h.registerStocktakes(mux, private)
	registerNotFound(mux, public)
}

// endpoint adapts a handler that returns its body or an error.
func (h *Handler) endpoint(f func(*http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := f(r)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, body)
	})
}

// health answers GET /healthz: the process is alive and serving HTTP. It
// does not ask the database handler (the warehouse is the one the node
// cached at start), so an orchestrator does not restart a node whose
// database handler is briefly away; GET /readyz tells that.
func (h *Handler) health(r *http.Request) (any, error) {
	w, err := h.svc.LocalWarehouse(auth.AsNode(r.Context())) // a probe is the node's own business
	if err != nil {
		return nil, err
	}
	return map[string]string{"status": "ok", "warehouse": w.ID}, nil
}

// ready answers GET /readyz: 200 when the database handler answers a read
// within ReadyTimeout, else the REST error body with the reason, such as
// 503 {"error":{"code":"UNAVAILABLE","message":"not ready: …"}}. A node
// whose warehouse left the network still serves its reads, so it is
// ready (200), and the body says it left: "network": "left", "leftAt",
// and a "message" naming the date (see stock.LeftNetwork).
func (h *Handler) ready(r *http.Request) (any, error) {
	ctx, cancel := context.WithTimeout(auth.AsNode(r.Context()), ReadyTimeout)
	defer cancel()
	w, err := h.svc.Ping(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", stock.Errorf(stock.CodeOf(err), "not ready: %s", stock.Message(err)), err)
	}
	if w.Departed() {
		return map[string]string{"status": "ready", "warehouse": w.ID, "network": "left",
			"leftAt": w.DepartedAt.UTC().Format(time.RFC3339Nano), "message": stock.LeftNetwork(w).Message}, nil
	}
	return map[string]string{"status": "ready", "warehouse": w.ID}, nil
}

// Page is the paging part of a listing's JSON.
type Page struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor,omitempty"`
}

// Inventory is the JSON of GET /api/v1/inventory.
type Inventory struct {
	Warehouse  string          `json:"warehouse"`
	Products   []stock.Product `json:"products"`
	TotalCount int             `json:"totalCount"`
	Page       Page            `json:"pageInfo"`
}

func (h *Handler) inventory(r *http.Request) (any, error) {
	q := r.URL.Query()
	first, err := pageParam(q.Get("first"))
	if err != nil {
		return nil, err
	}
	pq := stock.ProductQuery{Warehouse: q.Get("warehouse"), Search: q.Get("search"), First: first, After: q.Get("after")}
	page, err := h.svc.Products(r.Context(), pq)
	if err != nil {
		return nil, err
	}
	w, err := h.svc.Warehouse(r.Context(), pq.Warehouse)
	if err != nil {
		return nil, err
	}
	inv := Inventory{Warehouse: w.ID, Products: page.Products, TotalCount: page.Total, Page: Page{HasNextPage: page.HasNext}}
	if n := len(page.Products); n > 0 {
		inv.Page.EndCursor = stock.ProductCursor(page.Products[n-1].SKU)
	}
	return inv, nil
}

func (h *Handler) product(r *http.Request) (any, error) {
	return h.svc.Product(r.Context(), stock.ProductRef{SKU: r.PathValue("sku"), Warehouse: r.URL.Query().Get("warehouse")})
}

// Movements is the JSON of GET /api/v1/movements.
type Movements struct {
	Movements []Movement `json:"movements"`
	Page      Page       `json:"pageInfo"`
}

func (h *Handler) movements(r *http.Request) (any, error) {
	q, err := movementQuery(r)
	if err != nil {
		return nil, err
	}
	page, err := h.svc.Movements(r.Context(), q)
	if err != nil {
		return nil, err
	}
	out := Movements{Movements: movementsOf(page.Movements), Page: Page{HasNextPage: page.HasNext}}
	if n := len(page.Movements); n > 0 {
		out.Page.EndCursor = stock.MovementCursor(&page.Movements[n-1])
	}
	return out, nil
}

// movementQuery reads ?warehouse=&sku=&kind=SALE&kind=RETURN&reference=&actor=&from=&to=&first=&after=.
func movementQuery(r *http.Request) (stock.MovementQuery, error) {
	q := r.URL.Query()
	mq := stock.MovementQuery{Filter: stock.MovementFilter{Warehouse: q.Get("warehouse"), SKU: q.Get("sku"),
		Reference: q.Get("reference"), Actor: q.Get("actor"), Lot: q.Get("lot"), Location: q.Get("location")}, After: q.Get("after")}
	for _, k := range q["kind"] {
		mq.Filter.Kinds = append(mq.Filter.Kinds, stock.Kind(k))
	}
	var err error
	if mq.First, err = pageParam(q.Get("first")); err != nil {
		return mq, err
	}
	if mq.Filter.From, err = timeParam("from", q.Get("from")); err != nil {
		return mq, err
	}
	mq.Filter.To, err = timeParam("to", q.Get("to"))
	return mq, err
}

// pageParam reads ?first=: an integer, passed on as sent for the domain to
// apply its one page-size rule (empty is 0, the default).
func pageParam(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 0) // out of range: the largest value of the sign, which the domain refuses
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, stock.Errorf(stock.CodeInvalidInput, "first: %q is not an integer", s)
	}
	return int(n), nil
}

func timeParam(name, s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, stock.Errorf(stock.CodeInvalidInput, "%s: %q is not an RFC 3339 time", name, s)
	}
	return &t, nil
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
