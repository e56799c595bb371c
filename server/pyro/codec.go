package pyro

import (
	"errors"
	"fmt"
)

// Serializer ids on the wire.
const (
	SerializerSerpent = 1
	SerializerJSON    = 2
	SerializerMarshal = 3
	serializerPing    = 42 // what Message.ping() sends; never decoded
)

// ErrSerializer reports a serializer id this package does not speak.
var ErrSerializer = errors.New("pyro: unsupported serializer")

// encodeValue serializes v with the serializer id ser.
func encodeValue(ser uint16, v any) ([]byte, error) {
	switch ser {
	case SerializerSerpent:
		return encodeSerpent(v)
	case SerializerJSON:
		return encodeJSON(v)
	}
	return nil, fmt.Errorf("%w: %d", ErrSerializer, ser)
}

// decodeValue parses data serialized with the serializer id ser.
func decodeValue(ser uint16, data []byte) (any, error) {
	switch ser {
	case SerializerSerpent:
		return parseSerpent(data)
	case SerializerJSON:
		return parseJSON(data)
	}
	return nil, fmt.Errorf("%w: %d", ErrSerializer, ser)
}

// supported reports whether ser is a serializer this package speaks.
func supported(ser uint16) bool {
	return ser == SerializerSerpent || ser == SerializerJSON
}
