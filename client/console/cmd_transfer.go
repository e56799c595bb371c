package console

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/client/remote"
	"github.com/stockmesh/stockmesh/internal/api"
)

// setupTransfer: transfer SKU QUANTITY --to WAREHOUSE [--ref R] [--note N] [--key K].
func setupTransfer(fs *flag.FlagSet) runFunc {
	to := fs.String("to", "", "the receiving warehouse")
	ref := fs.String("ref", "", "reference such as a delivery note")
	note := fs.String("note", "", "note")
	key := fs.String("key", "", "idempotency key (random when empty)")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "SKU", "QUANTITY"); err != nil {
			return err
		}
		if strings.TrimSpace(*to) == "" {
			return usageT(msgUsageTransferTo)
		}
		qty, err := intArg("QUANTITY", args[1], 1)
		if err != nil {
			return err
		}
		return a.sendTransfer(ctx, remote.NewTransfer{SKU: args[0], To: *to, Quantity: qty,
			Reference: optString(*ref), Note: optString(*note), IdempotencyKey: *key})
	}
}

// sendTransfer sends a transfer and shows it.
func (a *app) sendTransfer(ctx context.Context, in remote.NewTransfer) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	if in.To, err = a.warehouseID(ctx, c, in.To); err != nil {
		return err
	}
	t, err := c.TransferStock(ctx, in)
	if err != nil {
		return err
	}
	a.say(msgTransferSent, t.ID, FormatInt(a.p.Lang(), t.Quantity), t.SKU, t.To.ID)
	return a.showTransfer(t)
}

// setupTransfers: transfers [--incoming] [--status S] [--first N].
func setupTransfers(fs *flag.FlagSet) runFunc {
	incoming := fs.Bool("incoming", false, "only transfers to this node's warehouse")
	status := fs.String("status", "", "only in_transit, cancel_requested, received or cancelled")
	first := fs.String("first", "50", "how many, newest first")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args); err != nil {
			return err
		}
		st := strings.ToUpper(strings.TrimSpace(*status))
		switch st {
		case "", remote.TransferInTransit, remote.TransferCancelRequested, remote.TransferReceived, remote.TransferCancelled:
		default:
			return usageT(msgUsageTransferStatus, *status)
		}
		n, err := intArg("--first", *first, 1)
		if err != nil {
			return err
		}
		return a.listTransfers(ctx, *incoming, st, n)
	}
}

// listTransfers shows the newest transfers, only those to the node's own
// warehouse when incoming.
func (a *app) listTransfers(ctx context.Context, incoming bool, status string, n int) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	warehouse := ""
	if incoming {
		w, err := c.LocalWarehouse(ctx)
		if err != nil {
			return err
		}
		warehouse = w.ID
	}
	ts, err := c.Transfers(ctx, status, warehouse, n)
	if err != nil {
		return err
	}
	if incoming {
		kept := ts[:0]
		for _, t := range ts {
			if t.To.ID == warehouse {
				kept = append(kept, t)
			}
		}
		ts = kept
	}
	return a.show(ts, func(out io.Writer) { writeTransfers(out, a.p, a.env.Terminal, ts) })
}

// setupReceive: receive ID.
func setupReceive(*flag.FlagSet) runFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "ID"); err != nil {
			return err
		}
		return a.receiveTransfer(ctx, args[0])
	}
}

// receiveTransfer receives a transfer and shows it. One received before
// is said to be so, with when (receiving again changes nothing).
func (a *app) receiveTransfer(ctx context.Context, id string) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	before, err := c.Transfer(ctx, id)
	if err != nil && remote.Code(err) != api.CodeNotFound {
		return err
	}
	if err == nil && before.Status == remote.TransferReceived && before.ReceivedAt != nil {
		a.say(msgTransferAlreadyReceived, before.ID, before.ReceivedAt.Local().Format("2006-01-02 15:04"),
			FormatInt(a.p.Lang(), before.Quantity), before.SKU)
		return a.showTransfer(before)
	}
	t, err := c.ReceiveTransfer(ctx, id)
	if err != nil {
		return err
	}
	a.say(msgTransferReceived, t.ID, FormatInt(a.p.Lang(), t.Quantity), t.SKU)
	return a.showTransfer(t)
}

// setupCancel: cancel ID.
func setupCancel(*flag.FlagSet) runFunc {
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "ID"); err != nil {
			return err
		}
		return a.cancelTransfer(ctx, args[0])
	}
}

// cancelTransfer cancels a transfer, or asks its receiver to, and says
// which.
func (a *app) cancelTransfer(ctx context.Context, id string) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	t, err := c.CancelTransfer(ctx, id)
	if err != nil {
		return err
	}
	if t.Status == remote.TransferCancelRequested {
		a.say(msgTransferCancelRequested, t.ID, t.To.ID)
	} else {
		a.say(msgTransferCancelled, t.ID, t.From.ID)
	}
	return a.showTransfer(t)
}

// showTransfer prints one transfer, or its JSON.
func (a *app) showTransfer(t *remote.Transfer) error {
	return a.show(t, func(out io.Writer) { writeTransfers(out, a.p, a.env.Terminal, []remote.Transfer{*t}) })
}

// actTransfer is menu 8: send, list, receive or cancel transfers.
func (a *app) actTransfer(ctx context.Context) error {
	pr := a.prompts()
	acts := []msg{msgTransferActSend, msgTransferActIncoming, msgTransferActAll, msgTransferActReceive, msgTransferActCancel}
	names := make([]string, len(acts))
	for i, m := range acts {
		names[i] = a.p.T(m)
	}
	k, err := pr.Choice(ctx, a.p.T(msgFieldTransferAction), names, 1)
	if err != nil {
		return err
	}
	switch acts[k] {
	case msgTransferActSend:
		return a.actSendTransfer(ctx)
	case msgTransferActIncoming, msgTransferActAll:
		return a.listTransfers(ctx, acts[k] == msgTransferActIncoming, "", 20)
	}
	id, err := pr.Required(ctx, a.p.T(msgFieldTransferID), "")
	if err != nil {
		return err
	}
	if acts[k] == msgTransferActReceive {
		return a.receiveTransfer(ctx, id)
	}
	return a.cancelTransfer(ctx, id)
}

// actSendTransfer prompts for a transfer and sends it: a sku that exists,
// then one of the other warehouses from a list, and only then the units,
// reference and note.
func (a *app) actSendTransfer(ctx context.Context) error {
	pr := a.prompts()
	in := remote.NewTransfer{IdempotencyKey: remote.NewIdempotencyKey()}
	c, err := a.node()
	if err != nil {
		return err
	}
	p, err := a.askExistingSKU(ctx, c)
	if err != nil {
		return err
	}
	in.SKU = p.SKU
	if in.To, err = a.askWarehouse(ctx, c); err != nil {
		return err
	}
	if in.Quantity, err = pr.Int(ctx, a.p.T(msgFieldAmount), "", 1); err != nil {
		return err
	}
	if in.Reference, in.Note, err = a.askReferenceAndNote(ctx, pr); err != nil {
		return err
	}
	return a.sendTransfer(ctx, in)
}

// transferStatusName names a transfer's status in p's language.
func transferStatusName(p Printer, status string) string {
	switch status {
	case remote.TransferInTransit:
		return p.T(msgTransferInTransit)
	case remote.TransferCancelRequested:
		return p.T(msgTransferCancelRequestedStatus)
	case remote.TransferReceived:
		return p.T(msgTransferReceivedStatus)
	case remote.TransferCancelled:
		return p.T(msgTransferCancelledStatus)
	}
	return status
}

// writeTransfers prints transfers, newest first as the node sends them.
func writeTransfers(out io.Writer, p Printer, ansi bool, ts []remote.Transfer) {
	if len(ts) == 0 {
		fmt.Fprintln(out, p.T(msgNoTransfers))
		return
	}
	now := time.Now()
	t := newTable(p.T(msgColID), p.T(msgColStatus), p.T(msgColSKU), p.T(msgColQuantity), p.T(msgColFrom),
		p.T(msgColTo), p.T(msgColTime), p.T(msgColReference), p.T(msgColNote)).alignRight(3)
	for _, x := range ts {
		t.add(x.ID, transferStatusName(p, x.Status), x.SKU, FormatInt(p.Lang(), x.Quantity), x.From.ID, x.To.ID,
			FormatTime(x.CreatedAt, now), deref(x.Reference), deref(x.Note))
	}
	t.write(out, ansi)
}
