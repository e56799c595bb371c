package store

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestDecodeJobMatchesEncodingJSON decodes jobs with decodeJob and with
// json.Unmarshal and wants the same job and the same error, and the fast
// path taken exactly for the jobs it is meant for.
func TestDecodeJobMatchesEncodingJSON(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		fast bool // the fast path decodes it
	}{
		{"movement", `{"op":"movement.record","actor":"ana","movement":{"sku":"A-1","kind":"SALE","quantity":3}}`, true},
		{"movement with every field", `{"op":"movement.record","movement":{"sku":"A","kind":"ADJUSTMENT","quantity":-2,"reference":"r","note":"n","idempotencyKey":"k"}}`, true},
		{"stock set", `{"op":"stock.set","actor":"x","sku":"A","quantity":7,"note":"count"}`, true},
		{"keys in another order and spaces", " {\n\t\"movement\" : { \"quantity\" : 0 , \"sku\" : \"A\" } , \"op\" : \"movement.record\" } \r\n", true},
		{"empty objects", `{"movement":{}}`, true},
		{"empty job", `{}`, true},
		{"non-ASCII", `{"op":"movement.record","movement":{"sku":"ÑANDÚ-€","note":"año 𝄞"}}`, true},
		{"minus zero", `{"op":"stock.set","quantity":-0}`, true},
		{"18 digits", `{"quantity":999999999999999999}`, true},
		{"escaped string", `{"op":"movement.record","movement":{"sku":"A","note":"say \"hi\"\n\u00e9\ud834\udd1e"}}`, false},
		{"escaped key", `{"o\u0070":"stock.set"}`, false},
		{"key in other case", `{"OP":"stock.set","Sku":"A"}`, false},
		{"unknown key", `{"op":"stock.set","extra":1}`, false},
		{"create job", `{"op":"product.create","create":{"sku":"A","name":"A"}}`, false},
		{"repeated key", `{"op":"stock.set","sku":"A","sku":"B"}`, false},
		{"repeated movement", `{"movement":{"sku":"A"},"movement":{"kind":"SALE"}}`, false},
		{"null", `{"op":"stock.set","note":null}`, false},
		{"null movement", `{"op":"movement.record","movement":null}`, false},
		{"19 digits", `{"quantity":1234567890123456789}`, false},
		{"too big", `{"quantity":99999999999999999999}`, false},
		{"fraction", `{"quantity":1.5}`, false},
		{"exponent", `{"quantity":1e3}`, false},
		{"leading zero", `{"quantity":01}`, false},
		{"plus sign", `{"quantity":+1}`, false},
		{"quantity as string", `{"quantity":"1"}`, false},
		{"string as number", `{"op":5}`, false},
		{"invalid UTF-8", "{\"op\":\"stock.set\",\"sku\":\"A\xff\"}", false},
		{"control character", "{\"note\":\"a\x01b\"}", false},
		{"trailing garbage", `{"op":"stock.set"} x`, false},
		{"two objects", `{}{}`, false},
		{"trailing comma", `{"op":"stock.set",}`, false},
		{"missing colon", `{"op" "stock.set"}`, false},
		{"unterminated", `{"op":"stock.set"`, false},
		{"unterminated string", `{"op":"stock.set`, false},
		{"array", `[]`, false},
		{"empty", ``, false},
		{"just a string", `"x"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want stock.Job
			wantErr := json.Unmarshal([]byte(tt.raw), &want)
			var got stock.Job
			err := decodeJob([]byte(tt.raw), &got)
			if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
				t.Fatalf("error %v, want %v", err, wantErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("job %+v, want %+v", got, want)
			}
			var fast stock.Job
			d := jobDecoder{b: []byte(tt.raw)}
			if ok := d.job(&fast); ok != tt.fast {
				t.Errorf("fast path took it: %v, want %v", ok, tt.fast)
			}
		})
	}
}
