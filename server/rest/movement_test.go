package rest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestMovementHidesKey: the REST form of a movement has every field of the
// domain's JSON but the idempotency key, filled by reflection so that a
// field added to stock.Movement later is checked too.
func TestMovementHidesKey(t *testing.T) {
	var m stock.Movement
	v := reflect.ValueOf(&m).Elem()
	for i := range v.NumField() {
		switch f := v.Field(i); f.Kind() {
		case reflect.String:
			f.SetString("x-" + v.Type().Field(i).Name)
		case reflect.Int64:
			f.SetInt(int64(i + 1))
		}
	}
	m.CreatedAt = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	want, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(movementsOf([]stock.Movement{m})[0])
	if err != nil {
		t.Fatal(err)
	}
	var wantFields, gotFields map[string]any
	if err := json.Unmarshal(want, &wantFields); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &gotFields); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(got), "IdempotencyKey") || gotFields["idempotencyKey"] != nil {
		t.Fatalf("the REST movement shows its key: %s", got)
	}
	delete(wantFields, "idempotencyKey")
	if !reflect.DeepEqual(gotFields, wantFields) {
		t.Fatalf("REST movement %s\nwant the domain's fields but the key: %s", got, want)
	}
}
