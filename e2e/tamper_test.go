package e2e

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/stockmesh/stockmesh/server/peer"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/trust"
)

// The ways a compromised relay rewrites MAD-1's log (see frontDoor). Each
// leaves an answer it cannot apply to as it is (too few entries), so
// that the caller goes on with honest runs until one it can tamper with.

// rewriteEntry rewrites the bytes of the last entry of a page that re
// matches, with edit, and keeps the page's proof.
func rewriteEntry(re *regexp.Regexp, edit func(m []string) string) tamperFunc {
	return func(fd *frontDoor, a *answer) error {
		var p changesPage
		if err := json.Unmarshal(a.body, &p); err != nil {
			return err
		}
		for i := len(p.Entries) - 1; i >= 0; i-- {
			e := p.Entries[i]
			if m := re.FindSubmatchIndex(e); m != nil {
				groups := make([]string, len(m)/2)
				for g := range groups {
					groups[g] = string(e[m[2*g]:m[2*g+1]])
				}
				p.Entries[i] = append(append(append([]byte(nil), e[:m[0]]...), edit(groups)...), e[m[1]:]...)
				return encodePage(a, &p)
			}
		}
		return nil
	}
}

// encodePage writes p as a's body.
func encodePage(a *answer, p *changesPage) error {
	b, err := json.Marshal(p)
	a.body = b
	return err
}

// Rewrites of one sale's bytes.
var (
	// rewriteQuantity makes a one-unit sale one of 500 units, its
	// balance agreeing (so that only the signature chain shows it).
	rewriteQuantity = rewriteEntry(regexp.MustCompile(`"quantity":-1,"balance":(\d+)`), func(m []string) string {
		n, _ := strconv.Atoi(m[1])
		return fmt.Sprintf(`"quantity":-500,"balance":%d`, n-499)
	})
	// rewriteReference changes a sale's reference.
	rewriteReference = rewriteEntry(regexp.MustCompile(`"reference":"s-`), func([]string) string {
		return `"reference":"x-`
	})
	// rewriteBalance adds 95,000 units to a sale's balance.
	rewriteBalance = rewriteEntry(regexp.MustCompile(`"balance":(\d+)`), func(m []string) string {
		n, _ := strconv.Atoi(m[1])
		return fmt.Sprintf(`"balance":%d`, n+95_000)
	})
)

// forgeTransfer appends to a page a TRANSFER_OUT of 5,000 units and its
// transfer.created to warehouse to, chained onto the page's signed head,
// with a head signed by key (the relay's own log-signing key) and binding
// (the relay's key bound with its own certificate, claiming MAD-1): a
// validly formatted proof that MAD-1 never made.
func forgeTransfer(key ed25519.PrivateKey, binding *stock.KeyBinding, to string) tamperFunc {
	return func(fd *frontDoor, a *answer) error {
		var p changesPage
		if err := json.Unmarshal(a.body, &p); err != nil || len(p.Entries) == 0 {
			return err
		}
		lp, err := p.proof()
		if err != nil || lp.Head == nil {
			return fmt.Errorf("a page without a signed head (%v): %s", err, a.body)
		}
		var last stock.LogEntry
		if err := json.Unmarshal(p.Entries[len(p.Entries)-1], &last); err != nil || last.Movement == nil {
			return fmt.Errorf("the page's last entry is no movement (%v)", err)
		}
		forged := forgedTransfer(&last, to)
		sum, err := hex.DecodeString(lp.Head.Digest)
		if err != nil || len(sum) != 32 || lp.Head.Seq != last.Seq {
			return fmt.Errorf("the page ends at %d, its head %+v", last.Seq, lp.Head)
		}
		d := stock.ResumeDigest([32]byte(sum))
		for i := range forged {
			if err := forged[i].Validate(); err != nil {
				return fmt.Errorf("the forged entry does not validate, so it tests validation, not signatures: %w", err)
			}
			if err := d.Add(&forged[i]); err != nil {
				return err
			}
			raw, err := json.Marshal(&forged[i])
			if err != nil {
				return err
			}
			p.Entries = append(p.Entries, raw)
		}
		head := trust.SignHead(key, "MAD-1", p.Epoch, last.Seq+2, d.String())
		lp.Head, lp.Key = &head, binding
		p.setProof(lp)
		a.header.Set(peer.LastSeqHeader, strconv.FormatInt(last.Seq+2, 10))
		return encodePage(a, &p)
	}
}

// forgedTransfer returns the entries a transfer of 5,000 units of last's
// sku from MAD-1 to warehouse to would have logged right after last.
func forgedTransfer(last *stock.LogEntry, to string) []stock.LogEntry {
	n, at := last.Seq, last.At.Add(time.Millisecond)
	out := stock.MovementID("MAD-1", n+1)
	return []stock.LogEntry{{
		Origin: "MAD-1", Seq: n + 1, At: at, Type: stock.EntryMovement,
		Movement: &stock.Movement{ID: out, Warehouse: "MAD-1", Seq: n + 1, SKU: last.Movement.SKU,
			Kind: stock.KindTransferOut, Quantity: -5000, Balance: last.Movement.Balance - 5000,
			Reference: "forged", CreatedAt: at},
	}, {
		Origin: "MAD-1", Seq: n + 2, At: at, Type: stock.EntryTransferCreated,
		Transfer: &stock.Transfer{ID: "MAD-1:T" + strconv.FormatInt(n+1, 10), Status: stock.TransferInTransit,
			SKU: last.Movement.SKU, Quantity: 5000, From: "MAD-1", To: to, OutMovement: out, CreatedAt: at},
	}}
}

// replayStale answers a cursor with the page that ends at it (all of
// MAD-1's log up to it, as B holds it, with its own valid proof), keeping
// the headers that say B holds more.
func replayStale(fd *frontDoor, a *answer) error {
	if a.after == 0 {
		return nil
	}
	old, _, err := fd.fetch("MAD-1", 0, int(a.after))
	if err != nil {
		return err
	}
	return encodePage(a, old)
}

// replayUnderProof answers a cursor with the entries up to it under the
// proof of the page that should have followed it.
func replayUnderProof(fd *frontDoor, a *answer) error {
	var p changesPage
	if err := json.Unmarshal(a.body, &p); err != nil || a.after == 0 || len(p.Entries) == 0 {
		return err
	}
	old, _, err := fd.fetch("MAD-1", 0, int(a.after))
	if err != nil {
		return err
	}
	p.Entries = old.Entries
	return encodePage(a, &p)
}

// dropEntry leaves out entry i of a page (i < 0 counts from its end) when
// it has at least min entries, keeping the proof.
func dropEntry(i, min int) tamperFunc {
	return func(fd *frontDoor, a *answer) error {
		var p changesPage
		if err := json.Unmarshal(a.body, &p); err != nil || len(p.Entries) < min {
			return err
		}
		k := i
		if k < 0 {
			k += len(p.Entries)
		}
		p.Entries = append(p.Entries[:k:k], p.Entries[k+1:]...)
		return encodePage(a, &p)
	}
}
