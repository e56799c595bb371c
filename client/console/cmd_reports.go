package console

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/client/remote"
)

// filterFlags are the movement filters history and report share.
type filterFlags struct {
	sku, kind, warehouse, ref, from, to, lot, location *string
}

// addFilterFlags adds --sku --kind --warehouse --ref --from --to to fs.
func addFilterFlags(fs *flag.FlagSet) filterFlags {
	return filterFlags{
		sku:       fs.String("sku", "", "only this product"),
		kind:      fs.String("kind", "", "only these kinds, comma-separated (sale,return,transfer_out)"),
		warehouse: fs.String("warehouse", "", "only this warehouse (default: every warehouse the node holds)"),
		ref:       fs.String("ref", "", "only movements with this reference"),
		from:      fs.String("from", "", "from the start of this day (2026-11-01, in this computer's time zone) or this time (RFC 3339)"),
		to:        fs.String("to", "", "to the end of this day (in this computer's time zone), or until this time (RFC 3339, exclusive)"),
		lot:       fs.String("lot", "", "only movements with units of this lot"),
		location:  fs.String("location", "", "only movements at this location (bin)"),
	}
}

// filter returns the remote filter the flags name, refusing in p's
// language what it cannot read. A day given as --to takes in the whole
// day: the filter ends at the next local midnight.
func (ff filterFlags) filter(p Printer) (remote.MovementFilter, error) {
	f := remote.MovementFilter{SKU: *ff.sku, Warehouse: *ff.warehouse, Reference: *ff.ref, Lot: *ff.lot, Location: *ff.location}
	if *ff.kind != "" {
		for _, name := range strings.Split(*ff.kind, ",") {
			k, ok := ParseFilterKind(name)
			if !ok {
				return f, usagef("%s", p.T(msgKindFilterBad, strings.TrimSpace(name)))
			}
			f.Kinds = append(f.Kinds, k)
		}
	}
	var err error
	if f.From, err = whenFlag(p, "--from", *ff.from, false); err != nil {
		return f, err
	}
	if f.To, err = whenFlag(p, "--to", *ff.to, true); err != nil {
		return f, err
	}
	if f.From != nil && f.To != nil && !f.To.After(*f.From) {
		return f, usagef("%s", p.T(msgToBeforeFrom, *ff.to, *ff.from))
	}
	return f, nil
}

// query returns the filter as a REST query.
func filterQuery(f remote.MovementFilter) url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"sku": f.SKU, "warehouse": f.Warehouse, "reference": f.Reference, "lot": f.Lot, "location": f.Location} {
		if v != "" {
			q.Set(k, v)
		}
	}
	for _, k := range f.Kinds {
		q.Add("kind", k)
	}
	if f.From != nil {
		q.Set("from", f.From.Format(time.RFC3339Nano))
	}
	if f.To != nil {
		q.Set("to", f.To.Format(time.RFC3339Nano))
	}
	return q
}

// whenFlag parses a day or an RFC 3339 time; "" is nil. A day is its
// local midnight, or, with endOfDay, the next one (the day's end, as an
// exclusive bound).
func whenFlag(p Printer, name, s string, endOfDay bool) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return &t, nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, time.Local)
	if err != nil {
		return nil, usagef("%s", p.T(msgBadWhen, name, s))
	}
	if endOfDay {
		t = t.AddDate(0, 0, 1)
	}
	return &t, nil
}

// download writes GET path?q to file.
func (a *app) download(ctx context.Context, path string, q url.Values, file string) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	f, err := os.Create(file)
	if err != nil {
		return fileProblem(file, err)
	}
	n, err := c.Download(ctx, path, q, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(file)
		return err
	}
	return a.show(map[string]any{"file": file, "bytes": n}, func(out io.Writer) {
		fmt.Fprintln(out, a.p.T(msgCSVWritten, file, n))
	})
}

// setupReport: report --group-by month,sku [filters] [--tz ZONE] [--csv FILE].
func setupReport(fs *flag.FlagSet) runFunc {
	ff := addFilterFlags(fs)
	groups := fs.String("group-by", "month", "what to total by: sku, kind, warehouse, day, week, month, lot (comma-separated)")
	zone := fs.String("tz", "", "the time zone of days, weeks and months (IANA, such as Europe/Madrid; default UTC)")
	file := fs.String("csv", "", "write the report to this CSV file")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		f, err := ff.filter(a.p)
		if err != nil {
			return err
		}
		var gs []string
		for _, g := range strings.Split(*groups, ",") {
			if g = strings.ToUpper(strings.TrimSpace(g)); g != "" {
				gs = append(gs, g)
			}
		}
		if *file != "" {
			q := filterQuery(f)
			q.Set("groupBy", strings.Join(gs, ","))
			if *zone != "" {
				q.Set("timeZone", *zone)
			}
			return a.download(ctx, "/api/v1/reports/summary.csv", q, *file)
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		rows, err := c.Report(ctx, f, gs, *zone)
		if err != nil {
			return err
		}
		return a.show(rows, func(out io.Writer) { writeReport(out, a.p, a.env.Terminal, gs, rows) })
	}
}

// groupColumn is the column header of a report group.
func groupColumn(p Printer, g string) string {
	m, ok := map[string]msg{"SKU": msgColSKU, "KIND": msgColKind, "WAREHOUSE": msgColWarehouse,
		"DAY": msgColDay, "WEEK": msgColWeek, "MONTH": msgColMonth, "LOT": msgColLot}[g]
	if !ok {
		return g
	}
	return p.T(m)
}

// writeReport prints a report's rows under their group columns.
func writeReport(out io.Writer, p Printer, ansi bool, groups []string, rows []remote.ReportRow) {
	if len(rows) == 0 {
		fmt.Fprintln(out, p.T(msgNoReportRows))
		return
	}
	var header []string
	for _, g := range groups {
		header = append(header, groupColumn(p, g))
	}
	n := len(header)
	header = append(header, p.T(msgColIn), p.T(msgColOut), p.T(msgColNet), p.T(msgColCount), p.T(msgColValue))
	t := newTable(header...).alignRight(n, n+1, n+2, n+3, n+4)
	l := p.Lang()
	for _, r := range rows {
		cells := make([]string, 0, len(header))
		for i, k := range r.Keys {
			if groups[i] == "KIND" {
				k = kindName(p, k)
			}
			cells = append(cells, k)
		}
		t.add(append(cells, FormatInt(l, r.UnitsIn), FormatInt(l, r.UnitsOut), FormatSigned(l, r.Net),
			FormatInt(l, r.Count), FormatPrice(l, r.Value))...)
	}
	t.write(out, ansi)
}

// setupProductHistory: product history SKU.
func setupProductHistory(*flag.FlagSet) runFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "SKU"); err != nil {
			return err
		}
		c, err := a.node()
		if err != nil {
			return err
		}
		h, err := c.ProductHistory(ctx, args[0])
		if err != nil {
			return err
		}
		return a.show(h, func(out io.Writer) { writeProductHistory(out, a.p, a.env.Terminal, h) })
	}
}

// writeProductHistory prints a product's changes, oldest first.
func writeProductHistory(out io.Writer, p Printer, ansi bool, h []remote.ProductChange) {
	now := time.Now()
	t := newTable(p.T(msgColTime), p.T(msgColChange), p.T(msgColFields), p.T(msgColName), p.T(msgColPrice),
		p.T(msgColReorder), p.T(msgColActor)).alignRight(4, 5)
	for _, c := range h {
		kind := map[string]msg{"CREATED": msgChangeCreated, "UPDATED": msgChangeUpdated, "DELETED": msgChangeDeleted}[c.Kind]
		t.add(FormatTime(c.At, now), p.T(kind), strings.Join(c.Changed, ", "), c.Name, FormatPrice(p.Lang(), c.Price),
			FormatInt(p.Lang(), c.ReorderPoint), deref(c.Actor))
	}
	t.write(out, ansi)
}
