package stock

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

var wireSeed = flag.Uint64("wire.seed", 0, "seed of the random codec tests (0: a new one)")

// codecSeed returns the seed of a random test, logged so a failure can be
// rerun with -wire.seed.
func codecSeed(t *testing.T) uint64 {
	seed := *wireSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (rerun with -wire.seed=%d)", seed, seed)
	return seed
}

// rng returns a generator for the subtest name under seed.
func rng(seed uint64, name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// pieces are what random strings are made of: what JSON escapes, what
// encoding/json escapes for HTML and JavaScript, multi-byte runes and
// invalid UTF-8.
var pieces = []string{
	"a", "Z", "0", " ", "~", "/", "'", `"`, `\`, "<", ">", "&", "\x00", "\x01", "\x1f", "\b", "\f", "\n",
	"\r", "\t", "\x7f", "é", "ñ", "€", "😀", "\u00a0", "\u2028", "\u2029", "\ufffd", "\ufeff", "\xff",
	"\xc3", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf", "\x80",
}

// randString returns "" a quarter of the time, else a mix of pieces,
// random runes and random bytes.
func randString(r *rand.Rand) string {
	if r.IntN(4) == 0 {
		return ""
	}
	var b strings.Builder
	for range 1 + r.IntN(12) {
		switch r.IntN(6) {
		case 0:
			b.WriteRune(rune(r.IntN(0x110000)))
		case 1:
			b.WriteByte(byte(r.IntN(256)))
		default:
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
	}
	return b.String()
}

// randInt returns an extreme, small or random int64.
func randInt(r *rand.Rand) int64 {
	switch r.IntN(6) {
	case 0:
		return []int64{0, -1, 1, math.MinInt64, math.MaxInt64, 1 << 53, -(1 << 53) - 1}[r.IntN(7)]
	case 1:
		return r.Int64N(200) - 100
	}
	return int64(r.Uint64())
}

// randTime returns a time json.Marshal usually accepts, in UTC or another
// zone, with or without nanoseconds; now and then one it refuses (a year
// outside 0 to 9999, an offset of a day or more), or the zero time, or one
// with a monotonic reading.
func randTime(r *rand.Rand) time.Time {
	const min, max = -62167219200, 253402300799 // 0000-01-01 to 9999-12-31 UTC
	switch r.IntN(20) {
	case 0:
		return time.Time{}
	case 1:
		return time.Now()
	case 2:
		return time.Date([]int{-1, 10000, 12345, -5000}[r.IntN(4)], 3, 1, 0, 0, 0, 0, time.UTC)
	case 3:
		return time.Date(9999, 12, 31, 23, 30, 0, 0, time.UTC).In(time.FixedZone("", 3600))
	case 4:
		return time.Date(0, 1, 1, 0, 30, 0, 0, time.UTC).In(time.FixedZone("", -3600))
	}
	t := time.Unix(min+r.Int64N(max-min), 0)
	switch r.IntN(4) {
	case 0:
	case 1:
		t = t.Add(time.Duration(r.IntN(1000)) * time.Millisecond)
	default:
		t = t.Add(time.Duration(r.IntN(1e9)))
	}
	switch r.IntN(4) {
	case 0:
		return t.UTC()
	case 1:
		return t.In(time.FixedZone("", []int{86400, -86400, 86399, -86399, 90000}[r.IntN(5)]))
	}
	return t.In(time.FixedZone("X", r.IntN(2*86400-1)-86399))
}

func randMovement(r *rand.Rand) *Movement {
	m := &Movement{ID: randString(r), Warehouse: randString(r), Seq: randInt(r), SKU: randString(r),
		Kind: Kind(randString(r)), Quantity: randInt(r), Balance: randInt(r), Reference: randString(r),
		Note: randString(r), Actor: randString(r), IdempotencyKey: randString(r), CreatedAt: randTime(r)}
	if r.IntN(4) == 0 {
		m.NamedLot = &LotInput{Code: randString(r), ExpiresOn: Date(randString(r))}
	}
	return m
}

func randEntry(r *rand.Rand) *LogEntry {
	e := &LogEntry{Origin: randString(r), Seq: randInt(r), At: randTime(r), Type: EntryType(randString(r))}
	switch r.IntN(10) {
	case 0: // not a movement entry: encoding/json writes it
		e.Product = &Product{SKU: randString(r), Price: Price(r.Int64N(int64(MaxPrice))), CreatedAt: randTime(r)}
	case 1:
		e.Changed = []string{}
	case 2:
		e.Changed = []string{randString(r)}
	}
	if r.IntN(10) > 0 {
		e.Movement = randMovement(r)
	}
	switch r.IntN(20) { // beside a movement, what only encoding/json writes
	case 0:
		e.Reservation = &Reservation{ID: randString(r), SKU: randString(r), Quantity: randInt(r), Reference: randString(r)}
	case 1:
		e.Stocktake = &Stocktake{ID: randString(r), Note: randString(r)}
	case 2:
		e.Transfer = &Transfer{ID: randString(r), Reference: randString(r)}
	case 3:
		e.From = randInt(r)
	case 4:
		e.Actor = randString(r)
	}
	if r.IntN(4) == 0 {
		n := randInt(r)
		e.Reserved = &n
	}
	return e
}

func randError(r *rand.Rand) *Error {
	e := &Error{Code: Code(randString(r)), Message: randString(r)}
	if r.IntN(2) == 0 {
		e.Reason = randString(r)
	}
	if r.IntN(10) == 0 {
		e.Shortfall = &Shortfall{SKU: randString(r), InStock: randInt(r), Requested: randInt(r)}
	}
	return e
}

// TestHandEncodersMatchMarshal checks that each hand-written encoder, and
// EncodeValue, writes exactly what json.Marshal writes, for random values.
func TestHandEncodersMatchMarshal(t *testing.T) {
	seed := codecSeed(t)
	cases := []struct {
		name string
		gen  func(*rand.Rand) any
		// hand encodes v with the hand-written encoder, or returns nil
		// when EncodeValue would not use it.
		hand func(v any) []byte
	}{
		{"movement", func(r *rand.Rand) any { return randMovement(r) }, func(v any) []byte {
			if m := v.(*Movement); m != nil && jsonTime(m.CreatedAt) {
				return appendMovement(nil, m)
			}
			return nil
		}},
		{"movement input", func(r *rand.Rand) any {
			return &MovementInput{SKU: randString(r), Kind: Kind(randString(r)), Quantity: randInt(r),
				Reference: randString(r), Note: randString(r), IdempotencyKey: randString(r)}
		}, func(v any) []byte {
			if in := v.(*MovementInput); in != nil {
				return appendMovementInput(nil, in)
			}
			return nil
		}},
		{"movement entry", func(r *rand.Rand) any { return randEntry(r) }, func(v any) []byte {
			if e := v.(*LogEntry); fastEntry(e) {
				return appendEntry(nil, e)
			}
			return nil
		}},
		{"batch", func(r *rand.Rand) any {
			b := &ChangeBatch{Epoch: randString(r)}
			for range r.IntN(4) {
				b.Entries = append(b.Entries, *randEntry(r))
			}
			return b
		}, func(v any) []byte {
			b := v.(*ChangeBatch)
			for i := range b.Entries {
				if !fastEntry(&b.Entries[i]) {
					return nil
				}
			}
			return appendBatch(nil, b)
		}},
		{"error", func(r *rand.Rand) any { return randError(r) }, func(v any) []byte {
			if e := v.(*Error); e != nil && e.Shortfall == nil {
				return appendError(nil, e)
			}
			return nil
		}},
		{"movement page", func(r *rand.Rand) any {
			p := &MovementPage{HasNext: r.IntN(2) == 0}
			if r.IntN(8) > 0 {
				p.Movements = []Movement{}
			}
			for range r.IntN(4) {
				p.Movements = append(p.Movements, *randMovement(r))
			}
			return p
		}, func(v any) []byte {
			if p := v.(*MovementPage); fastPage(p) {
				return appendMovementPage(nil, p)
			}
			return nil
		}},
		{"expiring lots", func(r *rand.Rand) any {
			l := &ExpiringLots{}
			if r.IntN(8) > 0 {
				l.Lots = []ExpiringLot{}
			}
			for range r.IntN(4) {
				l.Lots = append(l.Lots, ExpiringLot{Warehouse: randString(r), SKU: randString(r), Code: randString(r),
					ExpiresOn: Date(randString(r)), Quantity: randInt(r)})
			}
			return l
		}, func(v any) []byte {
			if l := v.(*ExpiringLots); l.Lots != nil {
				return appendExpiringLots(nil, l)
			}
			return nil
		}},
		{"nil pointers", func(r *rand.Rand) any {
			return []any{(*Movement)(nil), (*MovementInput)(nil), (*LogEntry)(nil), (*Error)(nil)}[r.IntN(4)]
		}, func(any) []byte { return nil }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rng(seed, c.name)
			const n = 3000
			handled := 0
			for i := range n {
				v := c.gen(r)
				want, werr := json.Marshal(v)
				got, gerr := encodeValueSafely([]byte("prefix"), v)
				if (gerr != nil) != (werr != nil) || (werr == nil && string(got) != "prefix"+string(want)) {
					t.Fatalf("value %d, %#v:\nEncodeValue  %q, %v\njson.Marshal %q, %v", i, v, got, gerr, want, werr)
				}
				if hand := c.hand(v); hand != nil {
					handled++
					if werr != nil || !bytes.Equal(hand, want) {
						t.Fatalf("value %d, %#v:\nhand-written %q\njson.Marshal %q, %v", i, v, hand, want, werr)
					}
				}
			}
			if c.name != "nil pointers" && handled < n/5 {
				t.Errorf("the hand-written encoder took only %d of %d values", handled, n)
			}
		})
	}
}

// TestFastEntryKeepsEveryField sets, beside a movement, each other field
// of LogEntry in turn (found by reflection, so a field added later is
// covered) and checks that EncodeValue writes the entry, and a batch of
// it, as json.Marshal does: the hand-written encoder of movement entries
// writes only the movement, so it must refuse an entry carrying anything
// else (a reservation or a stocktake beside the movement was once dropped).
func TestFastEntryKeepsEveryField(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 5, time.UTC)
	base := LogEntry{Origin: "MAD-1", Seq: 7, At: at, Type: EntryMovement, Movement: &Movement{ID: "MAD-1:7",
		Warehouse: "MAD-1", Seq: 7, SKU: "A1", Kind: KindSale, Quantity: -1, Balance: 3, CreatedAt: at}}
	typ := reflect.TypeOf(base)
	for i := range typ.NumField() {
		f := typ.Field(i)
		switch f.Name {
		case "Origin", "Seq", "At", "Type", "Movement":
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			e := base
			v := reflect.ValueOf(&e).Elem().Field(i)
			setSome(t, v)
			want, err := json.Marshal(&e)
			if err != nil {
				t.Fatal(err)
			}
			got, err := EncodeValue(nil, &e)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("entry with %s:\nEncodeValue  %s, %v\njson.Marshal %s", f.Name, got, err, want)
			}
			b := &ChangeBatch{Entries: []LogEntry{e}}
			want, _ = json.Marshal(b)
			if got, err = EncodeValue(nil, b); err != nil || !bytes.Equal(got, want) {
				t.Fatalf("batch of an entry with %s:\nEncodeValue  %s, %v\njson.Marshal %s", f.Name, got, err, want)
			}
		})
	}
}

// TestWithReserved: a movement entry's encoding with Reserved added by
// WithReserved is the encoding of the entry with Reserved, as
// json.Marshal writes it, also for an entry encoding/json writes.
func TestWithReserved(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for _, e := range []LogEntry{
		{Origin: "MAD-1", Seq: 7, At: at, Type: EntryMovement, Movement: &Movement{ID: "MAD-1:7", SKU: "A1", CreatedAt: at}},
		{Origin: "MAD-1", Seq: 7, At: at, Type: EntryMovement, Actor: "x", Movement: &Movement{ID: "MAD-1:7", SKU: "A1", CreatedAt: at}},
	} {
		data, err := EncodeValue(nil, &e)
		if err != nil {
			t.Fatal(err)
		}
		n := int64(-12)
		e.Reserved = &n
		want, _ := json.Marshal(&e)
		if got := WithReserved(data, n); !bytes.Equal(got, want) {
			t.Errorf("WithReserved %s\njson.Marshal  %s", got, want)
		}
	}
}

// setSome sets v, a zero field, to a value encoding/json writes.
func setSome(t *testing.T, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Int, reflect.Int64:
		v.SetInt(3)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		if e := v.Elem(); e.Kind() != reflect.Struct {
			setSome(t, e)
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
		}
	default:
		t.Fatalf("no value for a field of kind %s", v.Kind())
	}
}

// encodeValueSafely is EncodeValue with a panic turned into an error.
func encodeValueSafely(b []byte, v any) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return EncodeValue(b, v)
}

// decodeValueSafely is DecodeValue with a panic turned into an error.
func decodeValueSafely(data []byte, v any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return DecodeValue(data, v)
}

// decodeInputs are tricky JSON texts for the hand-written decoders: each
// must give json.Unmarshal's result and error, whichever path it takes.
var decodeInputs = []struct {
	name, in string
}{
	{"movement input", `{"sku":"A1","kind":"SALE","quantity":3,"reference":"R","note":"n","idempotencyKey":"k"}`},
	{"movement page", `{"movements":[{"id":"MAD-1:7","warehouse":"MAD-1","seq":7,"sku":"A1","kind":"SALE","quantity":-3,"balance":4,"createdAt":"2026-11-30T10:06:04Z"},{"id":"MAD-1:6","seq":6,"createdAt":"2026-11-30T10:06:03.5Z"}],"hasNext":true}`},
	{"empty movement page", `{"movements":[],"hasNext":false}`},
	{"expiring lots", `{"lots":[{"warehouse":"MAD-1","sku":"A1","code":"L1","expiresOn":"2026-12-01","quantity":3},{"warehouse":"B","sku":"ñ","code":"","expiresOn":"","quantity":-1}]}`},
	{"expiring lots empty", `{"lots":[]}`},
	{"expiring lots null", `{"lots":null}`},
	{"expiring lot with another key", `{"lots":[{"warehouse":"A","lot":"L1"}]}`},
	{"expiring lot quantity twice", `{"lots":[{"quantity":1,"quantity":2}]}`},
	{"movement page, null movements", `{"movements":null,"hasNext":true}`},
	{"movement page, bad boolean", `{"movements":[],"hasNext":tru}`},
	{"movement page, hasNext twice", `{"hasNext":true,"hasNext":false}`},
	{"movement", `{"id":"MAD-1:7","warehouse":"MAD-1","seq":7,"sku":"A1","kind":"SALE","quantity":-3,"balance":4,"reference":"R","note":"n","actor":"admin","idempotencyKey":"k","createdAt":"2026-11-30T10:06:04.475930935Z"}`},
	{"movement naming a lot", `{"id":"MAD-1:7","sku":"A1","kind":"SALE","quantity":-3,"createdAt":"2026-11-30T10:06:04Z","lots":[{"code":"L1","expiresOn":"2027-01-31","quantity":3}],"namedLot":{"code":"L1"}}`},
	{"movement naming a lot with expiry", `{"namedLot":{"code":"L1","expiresOn":"2027-01-31"}}`},
	{"movement naming a lot oddly", `{"namedLot":{"code":"L1","extra":1}}`},
	{"movement naming a null lot", `{"namedLot":null}`},
	{"movement without options", `{"id":"MAD-1:7","warehouse":"MAD-1","seq":7,"sku":"A1","kind":"SALE","quantity":-3,"balance":4,"createdAt":"2026-11-30T10:06:04Z"}`},
	{"movement time with offset", `{"createdAt":"2026-11-30T10:06:04.5+02:00"}`},
	{"movement time lower-case z", `{"createdAt":"2026-11-30T10:06:04.5z"}`},
	{"movement time trailing zeros", `{"createdAt":"2026-11-30T10:06:04.500Z"}`},
	{"movement time hour 24", `{"createdAt":"2026-11-30T24:00:00Z"}`},
	{"movement time month 13", `{"createdAt":"2026-13-30T10:00:00Z"}`},
	{"movement time space", `{"createdAt":"2026-11-30 10:00:00Z"}`},
	{"movement time not a string", `{"createdAt":20261130}`},
	{"movement time null", `{"createdAt":null}`},
	{"movement year 0", `{"createdAt":"0000-01-01T00:00:00Z"}`},
	{"entry", `{"origin":"MAD-1","seq":7,"at":"2026-11-30T10:06:04.475930935Z","type":"movement","movement":{"id":"MAD-1:7","warehouse":"MAD-1","seq":7,"sku":"A1","kind":"SALE","quantity":-3,"balance":4,"createdAt":"2026-11-30T10:06:04.475930935Z"}}`},
	{"entry with a product", `{"origin":"MAD-1","seq":1,"at":"2026-11-30T10:06:04Z","type":"product.created","product":{"sku":"A"}}`},
	{"batch", `{"epoch":"e1","entries":[{"origin":"A","seq":1,"at":"2026-11-30T10:06:04Z","type":"movement","movement":{"sku":"A1","createdAt":"2026-11-30T10:06:04Z"}},{"origin":"A","seq":2,"at":"2026-11-30T10:06:05Z","type":"movement","movement":{}}]}`},
	{"batch empty", `{"entries":[]}`},
	{"batch null entries", `{"epoch":"e","entries":null}`},
	{"batch trailing comma", `{"entries":[{},]}`},
	{"batch of non-objects", `{"entries":[1,2]}`},
	{"stock count", `{"sku":"A1","quantity":7,"note":"counted"}`},
	{"empty object", `{}`},
	{"white space", " \t\r\n{ \"sku\" :\t\"A1\" ,\n\"quantity\" : 3 \r} \n"},
	{"non-ASCII", `{"sku":"ñ€😀","note":"` + "\u2028\u2029" + `"}`},
	{"empty strings", `{"sku":"","note":"","kind":""}`},
	{"escaped quote", `{"sku":"a\"b"}`},
	{"escaped unicode", `{"sku":"A\u0031","note":"\u00e9\ud83d\ude00"}`},
	{"escaped slash and controls", `{"note":"\/\b\f\n\r\t\\"}`},
	{"lone surrogate escape", `{"sku":"\ud800"}`},
	{"bad escape", `{"sku":"\x"}`},
	{"raw control character", "{\"sku\":\"a\x01b\"}"},
	{"raw tab", "{\"sku\":\"a\tb\"}"},
	{"invalid UTF-8", "{\"sku\":\"a\xffb\",\"note\":\"\xc3\"}"},
	{"invalid UTF-8 in a key", "{\"sk\xffu\":\"a\"}"},
	{"DEL", "{\"sku\":\"\x7f\"}"},
	{"duplicate key", `{"sku":"A","sku":"B"}`},
	{"duplicate quantity", `{"quantity":1,"quantity":2}`},
	{"key in another case", `{"SKU":"A","Quantity":2}`},
	{"key in another case after", `{"sku":"A","SKU":"B"}`},
	{"escaped key", `{"s\u006bu":"A"}`},
	{"unknown key", `{"sku":"A","extra":1}`},
	{"unknown nested key", `{"extra":{"a":[1,2,{"b":null}]},"sku":"A"}`},
	{"key of the other type", `{"kind":"SALE","reference":"R"}`},
	{"18 digits", `{"quantity":999999999999999999}`},
	{"18 digits negative", `{"quantity":-999999999999999999}`},
	{"19 digits", `{"quantity":1234567890123456789}`},
	{"max int64", `{"quantity":9223372036854775807}`},
	{"min int64", `{"quantity":-9223372036854775808}`},
	{"past max int64", `{"quantity":9223372036854775808}`},
	{"past min int64", `{"quantity":-9223372036854775809}`},
	{"20 digits", `{"quantity":12345678901234567890}`},
	{"zero", `{"quantity":0}`},
	{"negative zero", `{"quantity":-0}`},
	{"leading zero", `{"quantity":01}`},
	{"leading zeros", `{"quantity":-007}`},
	{"float", `{"quantity":1.5}`},
	{"integral float", `{"quantity":2.0}`},
	{"exponent", `{"quantity":1e3}`},
	{"capital exponent", `{"quantity":1E+2}`},
	{"negative exponent", `{"quantity":100e-2}`},
	{"plus sign", `{"quantity":+1}`},
	{"bare minus", `{"quantity":-}`},
	{"leading dot", `{"quantity":.5}`},
	{"quantity as string", `{"quantity":"3"}`},
	{"sku as number", `{"sku":3}`},
	{"sku as bool", `{"sku":true}`},
	{"null", `null`},
	{"null fields", `{"sku":null,"quantity":null,"note":null}`},
	{"array", `[]`},
	{"string", `"A1"`},
	{"empty input", ``},
	{"only space", "  \n"},
	{"unterminated object", `{"sku":"A"`},
	{"unterminated string", `{"sku":"A`},
	{"key without value", `{"sku":}`},
	{"key without colon", `{"sku" "A"}`},
	{"trailing comma", `{"sku":"A",}`},
	{"leading comma", `{,"sku":"A"}`},
	{"missing comma", `{"sku":"A" "quantity":1}`},
	{"trailing garbage", `{"sku":"A"}x`},
	{"trailing object", `{"sku":"A"}{}`},
	{"trailing comma after object", `{"sku":"A"},`},
	{"byte order mark", "\xef\xbb\xbf{}"},
	{"vertical tab as space", "{\v}"},
	{"NUL after", "{}\x00"},
}

// TestDecodeValueMatchesUnmarshal checks that DecodeValue of the requests
// with hand-written decoders gives json.Unmarshal's result and error, into
// new values and into values that already hold something.
func TestDecodeValueMatchesUnmarshal(t *testing.T) {
	for _, c := range decodeInputs {
		t.Run(c.name, func(t *testing.T) { checkDecode(t, []byte(c.in)) })
	}
}

// FuzzDecodeValue runs checkDecode on arbitrary input; go test runs it on
// decodeInputs.
func FuzzDecodeValue(f *testing.F) {
	for _, c := range decodeInputs {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkDecode(t, data) })
}

// checkDecode compares DecodeValue with json.Unmarshal on data for every
// type with a hand-written decoder.
func checkDecode(t *testing.T, data []byte) {
	t.Helper()
	targets := []struct {
		name string
		new  func() any
	}{
		{"*MovementInput", func() any { return new(MovementInput) }},
		{"*MovementInput held", func() any {
			return &MovementInput{SKU: "OLD", Kind: KindReturn, Quantity: 42, Reference: "r", Note: "n", IdempotencyKey: "k"}
		}},
		{"*StockCount", func() any { return new(StockCount) }},
		{"*StockCount held", func() any { return &StockCount{SKU: "OLD", Quantity: 42, Note: "n"} }},
		{"nil *MovementInput", func() any { return (*MovementInput)(nil) }},
		{"nil *StockCount", func() any { return (*StockCount)(nil) }},
		{"*Movement", func() any { return new(Movement) }},
		{"*Movement held", func() any {
			return &Movement{ID: "X:1", Warehouse: "X", Seq: 1, SKU: "OLD", Kind: KindSale, Quantity: -1, Balance: 3,
				Reference: "r", Note: "n", Actor: "a", IdempotencyKey: "k", CreatedAt: time.Date(2020, 1, 2, 3, 4, 5, 6, time.UTC)}
		}},
		{"*Movement naming a lot", func() any { return &Movement{SKU: "OLD", NamedLot: &LotInput{Code: "OLD", ExpiresOn: "2020-01-01"}} }},
		{"nil *Movement", func() any { return (*Movement)(nil) }},
		{"*LogEntry", func() any { return new(LogEntry) }},
		{"*LogEntry held", func() any {
			return &LogEntry{Origin: "X", Seq: 9, Type: EntryProductCreated, Product: &Product{SKU: "OLD"}}
		}},
		{"*ChangeBatch", func() any { return new(ChangeBatch) }},
		{"*MovementPage", func() any { return new(MovementPage) }},
		{"*MovementPage held", func() any { return &MovementPage{Movements: []Movement{{ID: "X:1"}}, HasNext: true} }},
		{"nil *MovementPage", func() any { return (*MovementPage)(nil) }},
		{"*ExpiringLots", func() any { return new(ExpiringLots) }},
		{"*ExpiringLots held", func() any { return &ExpiringLots{Lots: []ExpiringLot{{SKU: "OLD", Quantity: 9}}} }},
		{"nil *ExpiringLots", func() any { return (*ExpiringLots)(nil) }},
		{"*ChangeBatch held", func() any { return &ChangeBatch{Epoch: "e0", Entries: []LogEntry{{Origin: "X", Seq: 1}}} }},
	}
	for _, tg := range targets {
		got, want := tg.new(), tg.new()
		gerr := decodeValueSafely(data, got)
		werr := json.Unmarshal(data, want)
		if fmt.Sprint(gerr) != fmt.Sprint(werr) || reflect.TypeOf(gerr) != reflect.TypeOf(werr) {
			t.Errorf("%s from %q: DecodeValue error %v (%T), json.Unmarshal %v (%T)", tg.name, data, gerr, gerr, werr, werr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s from %q: DecodeValue gave %+v, json.Unmarshal %+v", tg.name, data, got, want)
		}
	}
}

// TestEntryHead reads the origin and seq of encoded log entries of every
// type, and refuses what it cannot read.
func TestEntryHead(t *testing.T) {
	at := time.Date(2026, 11, 30, 10, 0, 0, 5, time.UTC)
	for _, e := range []*LogEntry{
		{Origin: "MAD-1", Seq: 7, At: at, Type: EntryMovement, Movement: &Movement{ID: "MAD-1:7", Warehouse: "MAD-1", Seq: 7, CreatedAt: at}},
		{Origin: `B"C`, Seq: 1, At: at, Type: EntryProductCreated, Product: &Product{SKU: "A"}},
	} {
		b, err := EncodeValue(nil, e)
		if err != nil {
			t.Fatal(err)
		}
		origin, seq, ok := EntryHead(b)
		if e.Origin == `B"C` { // escaped: the head reader gives up, the caller decodes it all
			if ok {
				t.Errorf("EntryHead(%s) = %q, %d, true; want false", b, origin, seq)
			}
			continue
		}
		if !ok || origin != e.Origin || seq != e.Seq {
			t.Errorf("EntryHead(%s) = %q, %d, %v", b, origin, seq, ok)
		}
	}
	for _, bad := range []string{``, `{}`, `{"seq":1,"origin":"A"}`, `{"origin":"A"}`, `[1]`} {
		if _, _, ok := EntryHead([]byte(bad)); ok {
			t.Errorf("EntryHead(%q) read a head", bad)
		}
	}
}
