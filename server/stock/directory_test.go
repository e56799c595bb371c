package stock

import (
	"context"
	"testing"

	"github.com/stockmesh/stockmesh/server/auth"
)

// membersQueue answers warehouse.get with the local warehouse and
// member.list with one member, counting the member lists.
type membersQueue struct{ lists int }

func (q *membersQueue) Do(_ context.Context, _ Class, job []byte) ([]byte, error) {
	meta, _, err := DecodeJob(job)
	if err != nil {
		return nil, err
	}
	if meta.Op == OpWarehouseGet.Name {
		return EncodeReply(&Warehouse{ID: "MAD-1", Name: "Madrid", Local: true}), nil
	}
	q.lists++
	return EncodeReply(&MemberList{Warehouses: []Warehouse{{ID: "BCN-1", Name: "Barcelona (db)"}}}), nil
}

// TestWarehouseFromDirectory: with a Directory, Warehouse answers the
// members it knows from it, without a job, and looks up the others as
// without it.
func TestWarehouseFromDirectory(t *testing.T) {
	ctx := auth.AsNode(context.Background())
	tests := []struct {
		name      string
		directory func(string) (Warehouse, bool)
		want      string
		lists     int
	}{
		{"no directory", nil, "Barcelona (db)", 3},
		{"a member it knows", func(id string) (Warehouse, bool) { return Warehouse{ID: id, Name: "Barcelona"}, true }, "Barcelona", 0},
		{"a member it does not know", func(string) (Warehouse, bool) { return Warehouse{}, false }, "Barcelona (db)", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &membersQueue{}
			s := NewService(q)
			s.Directory = tt.directory
			for range 3 {
				w, err := s.Warehouse(ctx, "BCN-1")
				if err != nil || w.Name != tt.want {
					t.Fatalf("Warehouse(BCN-1) = %+v, %v; want %s", w, err, tt.want)
				}
			}
			if q.lists != tt.lists {
				t.Errorf("%d member lists, want %d", q.lists, tt.lists)
			}
		})
	}
}
