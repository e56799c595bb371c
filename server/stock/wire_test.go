package stock

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// filler sets every field of a value, recursively, to a non-zero value
// distinct from every other field's, so that a round trip that drops,
// swaps or mangles a field shows. It fails the test on a field it cannot
// fill, so a field added later with a new kind is never skipped silently.
type filler struct {
	t     testing.TB
	plain bool // strings that JSON writes without escapes (the hand decoder's fast path)
	n     int  // values filled so far
}

var (
	timeType  = reflect.TypeFor[time.Time]()
	priceType = reflect.TypeFor[Price]()
)

// fill fills v, which path names in failure messages.
func (f *filler) fill(v reflect.Value, path string) {
	f.t.Helper()
	f.n++
	switch v.Type() {
	case timeType:
		v.Set(reflect.ValueOf(time.Date(2000+f.n, time.Month(1+f.n%12), 1+f.n%28, f.n%24, 59, 58, 123_456_700+f.n, time.UTC)))
		return
	case priceType: // ten-thousandths, never negative
		v.SetInt(12_345_6789 + int64(f.n))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(f.str())
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		x := -(int64(1)<<53 + int64(f.n)) // beyond a float64's exact integers
		if v.OverflowInt(x) {
			x = -int64(1 + f.n%100)
		}
		v.SetInt(x)
	case reflect.Float64:
		v.SetFloat(float64(f.n) + 0.1) // days of cover: a fraction JSON carries exactly
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		x := uint64(1)<<53 + uint64(f.n)
		if v.OverflowUint(x) {
			x = uint64(1 + f.n%100)
		}
		v.SetUint(x)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem(), "*"+path)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			f.fill(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for i := range 2 {
			k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			f.fill(k, fmt.Sprintf("%s key %d", path, i))
			f.fill(e, fmt.Sprintf("%s[%v]", path, k))
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			sf := v.Type().Field(i)
			if sf.Tag.Get("wire") == "encoded" { // the value's own encoding, not a field of it (ChangeBatch.Encoded)
				continue
			}
			if sf.Tag.Get("wire") == "local" { // kept by the database handler for itself, never sent (Transfer.CancelledBy)
				continue
			}
			if !sf.IsExported() || sf.Tag.Get("json") == "-" {
				f.t.Fatalf("%s.%s: a field JSON does not carry", path, sf.Name)
			}
			f.fill(v.Field(i), path+"."+sf.Name)
		}
	default:
		f.t.Fatalf("%s: cannot fill a %s of kind %s: teach the filler (and any hand-written codec) about it",
			path, v.Type(), v.Kind())
	}
}

// str returns the next distinct string: one full of what JSON escapes,
// or, when plain, one it writes as it is.
func (f *filler) str() string {
	f.n++
	if f.plain {
		return fmt.Sprintf("s%d-ñ€😀/'", f.n)
	}
	return fmt.Sprintf("s%d \"quoted\" back\\slash <&> ñ€😀 \u2028\u2029 \x01\t\n end", f.n)
}

// filled returns a new value from newV, filled.
func (f *filler) filled(newV func() any, path string) any {
	f.t.Helper()
	v := newV()
	f.fill(reflect.ValueOf(v).Elem(), path)
	return v
}

// TestWireRoundTrip fills every request and reply type of stock.Ops and
// checks that each survives the wire unchanged, with its job's meta.
func TestWireRoundTrip(t *testing.T) {
	styles := []struct {
		name  string
		plain bool
	}{{"escaped", false}, {"plain", true}}
	for _, op := range Ops {
		for _, st := range styles {
			t.Run(op.Name+"/"+st.name, func(t *testing.T) {
				f := &filler{t: t, plain: st.plain}
				req := f.filled(op.NewReq, "request")
				meta := JobMeta{Op: op.Name, Actor: f.str(), Key: f.str()}
				raw, err := EncodeJob(meta, req)
				if err != nil {
					t.Fatalf("EncodeJob: %v", err)
				}
				gotMeta, body, err := DecodeJob(raw)
				if err != nil || gotMeta != meta {
					t.Fatalf("DecodeJob = %+v, %v; want %+v", gotMeta, err, meta)
				}
				gotReq := op.NewReq()
				if err := DecodeValue(body, gotReq); err != nil {
					t.Fatalf("DecodeValue(%s): %v", body, err)
				}
				if !reflect.DeepEqual(gotReq, req) {
					t.Errorf("request changed on the wire:\n got %+v\nwant %+v\nbody %s", gotReq, req, body)
				}
				rep := f.filled(op.NewReply, "reply")
				raw = EncodeReply(rep)
				gotRep := op.NewReply()
				if err := DecodeReply(raw, gotRep); err != nil {
					t.Fatalf("DecodeReply(%s): %v", raw, err)
				}
				if !reflect.DeepEqual(gotRep, rep) {
					t.Errorf("reply changed on the wire:\n got %+v\nwant %+v\nraw %s", gotRep, rep, raw)
				}
			})
		}
	}
}

// TestWireErrorRoundTrip checks that an error reply carries its code,
// message and shortfall.
func TestWireErrorRoundTrip(t *testing.T) {
	full := (&filler{t: t}).filled(func() any { return new(Error) }, "error").(*Error)
	if full.Shortfall == nil {
		t.Fatal("filler left Shortfall nil")
	}
	cases := []struct {
		name string
		e    *Error
	}{
		{"with shortfall", full},
		{"without shortfall", &Error{Code: full.Code, Message: full.Message}},
		{"plain", Errorf(CodeNotFound, "product %s not found", "A1")},
		{"empty message", &Error{Code: CodeInternal}},
		{"shortfall of zeros", &Error{Code: CodeInsufficientStock, Message: "x", Shortfall: &Shortfall{}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := EncodeError(c.e)
			err := DecodeReply(raw, new(Movement))
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("DecodeReply(%s) = %v, want an *Error", raw, err)
			}
			if !reflect.DeepEqual(got, c.e) {
				t.Errorf("error changed on the wire:\n got %+v (%+v)\nwant %+v (%+v)", got, got.Shortfall, c.e, c.e.Shortfall)
			}
		})
	}
}

// TestDecodeJobRefusesMalformed checks that a header that is not in the
// wire format is refused rather than misread.
func TestDecodeJobRefusesMalformed(t *testing.T) {
	good, err := EncodeJob(JobMeta{Op: "product.get", Actor: "ana", Key: "k"}, &ProductRef{SKU: "A"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		raw  []byte
	}{
		{"empty", nil},
		{"other version", append([]byte{wireVersion + 1}, good[1:]...)},
		{"version only", []byte{wireVersion}},
		{"name longer than the job", []byte{wireVersion, 50, 'a'}},
		{"huge length", []byte{wireVersion, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}},
		{"varint without end", []byte{wireVersion, 0x80}},
		{"no key", good[:1+1+len("product.get")+1+len("ana")]},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if m, body, err := DecodeJob(c.raw); err == nil {
				t.Errorf("DecodeJob(%q) = %+v, %q, nil; want an error", c.raw, m, body)
			}
		})
	}
}

// TestEncodedBatch: a batch that carries the bytes it was decoded from is
// written as those bytes, which decode to the same batch.
func TestEncodedBatch(t *testing.T) {
	f := &filler{t: t, plain: true}
	b := f.filled(func() any { return new(ChangeBatch) }, "batch").(*ChangeBatch)
	b.Proof.ServedBy = "" // set by the fetching node, after decoding
	served, err := EncodeValue(nil, b)
	if err != nil {
		t.Fatal(err)
	}
	got := new(ChangeBatch)
	if err := DecodeValue(served, got); err != nil {
		t.Fatal(err)
	}
	got.Encoded = served
	job, err := EncodeJob(JobMeta{Op: OpApplyChanges.Name}, got)
	if err != nil {
		t.Fatal(err)
	}
	_, body, err := DecodeJob(job)
	if err != nil || !bytes.Equal(body, served) {
		t.Fatalf("the job carries %q, %v; want the served bytes %q", body, err, served)
	}
	again := new(ChangeBatch)
	if err := DecodeValue(body, again); err != nil || !reflect.DeepEqual(again, b) {
		t.Fatalf("decoded %+v, %v; want %+v", again, err, b)
	}
}
