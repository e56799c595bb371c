package node

import (
	"context"
	"fmt"

	"github.com/stockmesh/stockmesh/server/member"
	"github.com/stockmesh/stockmesh/server/netwatch"
	"github.com/stockmesh/stockmesh/server/peer"
	"github.com/stockmesh/stockmesh/server/stock"
)

// memberStates returns the fingerprints netwatch compares of what the
// membership protocol knows of each warehouse: online, departed, behind,
// name and URL (not lastSeen, which every heartbeat moves).
func memberStates(net *member.Network) map[string]string {
	all := net.All()
	out := make(map[string]string, len(all))
	for _, m := range all {
		out[m.ID] = fmt.Sprintf("%t %t %d %q %q", m.Online, m.DepartedAt != nil, m.Behind, m.Name, m.URL)
	}
	return out
}

// problemsPoke is the replicator's applier, telling the network watcher
// of each replica problem once it is recorded.
type problemsPoke struct {
	peer.Applier
	watch *netwatch.Watcher
}

// ReportProblem records the problem, then pokes the watcher.
func (p problemsPoke) ReportProblem(ctx context.Context, e *stock.RejectError) error {
	err := p.Applier.ReportProblem(ctx, e)
	p.watch.Poke(e.Origin)
	return err
}
