package gqlws

import (
	"encoding/json"
	"strconv"
)

// Message types of the two subprotocols, as the server sends them.
const (
	msgAck      = "connection_ack"
	msgConnErr  = "connection_error" // graphql-ws only
	msgKA       = "ka"               // graphql-ws only
	msgPing     = "ping"             // graphql-transport-ws only
	msgPong     = "pong"             // graphql-transport-ws only
	msgError    = "error"
	msgComplete = "complete"
)

// dataType is the type of a message carrying a result: "next" on
// graphql-transport-ws, "data" on graphql-ws.
func dataType(legacy bool) string {
	if legacy {
		return "data"
	}
	return "next"
}

// appendFrameHeader appends the header of an unmasked, final websocket
// text frame of n payload bytes (RFC 6455 section 5.2): what a server
// sends, with no extension negotiated.
func appendFrameHeader(dst []byte, n int) []byte {
	const text = 0x81 // FIN, opcode 1
	switch {
	case n < 126:
		return append(dst, text, byte(n))
	case n <= 0xffff:
		return append(dst, text, 126, byte(n>>8), byte(n))
	default:
		return append(dst, text, 127, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32),
			byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
}

// frame returns one message as a complete websocket text frame:
// {"id":…,"type":t,"payload":…}, id and payload omitted when empty. id is
// already JSON (a quoted string, see quote).
func frame(t string, id, payload []byte) []byte {
	n := len(`{"type":""}`) + len(t)
	if len(id) > 0 {
		n += len(`"id":,`) + len(id)
	}
	if len(payload) > 0 {
		n += len(`,"payload":`) + len(payload)
	}
	b := appendFrameHeader(make([]byte, 0, n+10), n)
	b = append(b, '{')
	if len(id) > 0 {
		b = append(b, `"id":`...)
		b = append(b, id...)
		b = append(b, ',')
	}
	b = append(b, `"type":"`...)
	b = append(b, t...)
	b = append(b, '"')
	if len(payload) > 0 {
		b = append(b, `,"payload":`...)
		b = append(b, payload...)
	}
	return append(b, '}')
}

// quote returns id as a JSON string.
func quote(id string) []byte {
	b, err := json.Marshal(id)
	if err != nil { // invalid UTF-8 is replaced, never refused, so this cannot happen
		return []byte(strconv.Quote(id))
	}
	return b
}
