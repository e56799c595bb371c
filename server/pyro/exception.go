package pyro

import (
	"fmt"
	"strings"
)

// Python exception classes this package raises in clients. Only builtins and
// Pyro4.errors classes survive an unmodified client's deserializer.
const (
	pyKeyError       = "builtins.KeyError"
	pyValueError     = "builtins.ValueError"
	pyTypeError      = "builtins.TypeError"
	pyAttributeError = "builtins.AttributeError"
	pyRuntimeError   = "builtins.RuntimeError"
	pyPermissionErr  = "builtins.PermissionError"
	pyPyroError      = "Pyro4.errors.PyroError"
	pyNamingError    = "Pyro4.errors.NamingError"
	pyDaemonError    = "Pyro4.errors.DaemonError"
	pySerializeError = "Pyro4.errors.SerializeError"
)

// PyError is an error the client receives as the Python exception Class
// (module-qualified) constructed with Message.
type PyError struct {
	Class   string
	Message string
}

// Error returns the class's short name and the message.
func (e *PyError) Error() string {
	return e.Class[strings.LastIndex(e.Class, ".")+1:] + ": " + e.Message
}

func pyErrorf(class, format string, args ...any) *PyError {
	return &PyError{Class: class, Message: fmt.Sprintf(format, args...)}
}

// exceptionDict is the serialized form of e that Pyro4 clients rebuild into
// an exception.
func (e *PyError) exceptionDict() Dict {
	return Dict{
		{"__class__", e.Class},
		{"__exception__", true},
		{"args", Tuple{e.Message}},
		{"attributes", Dict{}},
	}
}
