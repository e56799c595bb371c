package stock

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stockmesh/stockmesh/server/replenish"
)

// TestPlanWire: a plan's JSON on the wire is json.Marshal's (its
// MarshalJSON), read back the same by DecodeValue and json.Unmarshal,
// for plans with no suggestions (nil and empty), odd strings and every
// kind of days of cover; JSON it does not write is refused by both.
func TestPlanWire(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	plans := map[string]*ReplenishPlan{
		"nil":   {},
		"empty": {Suggestions: []replenish.Suggestion{}},
		"some": {Suggestions: []replenish.Suggestion{
			{SKU: "P-1", From: "BCN-1", To: "MAD-1", Quantity: 25, Reason: replenish.BelowReorderPoint, FromDaysOfCover: f(42.5), ToDaysOfCover: f(0.1)},
			{SKU: "P-1", From: "MAD-1", To: "BCN-1", Quantity: 1 << 40, Reason: replenish.ExpiringElsewhere, ToDaysOfCover: f(1e21)},
			{SKU: "s \"q\" \\ <&> ñ \u2028 \x01", From: "VAL-1", To: "MAD-1", Quantity: -3, FromDaysOfCover: f(1.0 / 3), ToDaysOfCover: f(-0.0)},
			{SKU: "P-2", From: "VAL-1", To: "BCN-1", Reason: replenish.BelowReorderPoint, FromDaysOfCover: f(5e-324), ToDaysOfCover: f(0)},
		}},
	}
	for name, p := range plans {
		t.Run(name, func(t *testing.T) {
			want, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := EncodeValue(nil, p)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("EncodeValue = %s, %v; json.Marshal %s", got, err, want)
			}
			var fast, slow ReplenishPlan
			if err := DecodeValue(got, &fast); err != nil {
				t.Fatalf("DecodeValue(%s): %v", got, err)
			}
			if err := json.Unmarshal(got, &slow); err != nil {
				t.Fatalf("json.Unmarshal(%s): %v", got, err)
			}
			if !reflect.DeepEqual(&fast, p) || !reflect.DeepEqual(&slow, p) {
				t.Errorf("read back as %+v and %+v, want %+v", fast, slow, *p)
			}
		})
	}
	for _, bad := range []string{
		`{"names":["a"],"suggestions":[[0,0,0,1,1,null,null]]}`,      // a name out of the table
		`{"names":["a"],"suggestions":[[0,0,0,1,0,+1,null]]}`,        // not JSON's number
		`{"names":["a"],"suggestions":[[0,0,0,1,0,null]]}`,           // too short
		`{"suggestions":[],"names":[]}`,                              // not as written
		`{"names":["a"],"suggestions":[[0,0,0,1,0,null,null]]} junk`, // trailing
	} {
		var p ReplenishPlan
		if DecodeValue([]byte(bad), &p) == nil || json.Unmarshal([]byte(bad), &p) == nil {
			t.Errorf("%s: read, want an error", bad)
		}
	}
	inf := 1.0
	inf /= 0
	if _, err := EncodeValue(nil, &ReplenishPlan{Suggestions: []replenish.Suggestion{{FromDaysOfCover: &inf}}}); err == nil {
		t.Error("an infinite days of cover encoded")
	}
}
