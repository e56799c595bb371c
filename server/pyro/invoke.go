package pyro

import (
	"context"
	"errors"
	"fmt"
)

// handle answers one frame after the handshake: INVOKE or PING.
func (d *daemon) handle(ctx context.Context, c *conn, f *Frame) error {
	if err := verify(d.key, f); err != nil {
		return fmt.Errorf("%w: %s", ErrProtocol, clientText(err))
	}
	switch f.Type {
	case MsgPing:
		return d.send(c, &Frame{Type: MsgPing, Seq: f.Seq, Serializer: f.Serializer,
			Annotations: corr(f), Payload: []byte("pong")})
	case MsgInvoke:
	default:
		return fmt.Errorf("%w: unexpected message type %d", ErrProtocol, f.Type)
	}
	if !supported(f.Serializer) {
		return fmt.Errorf("%w: %d", ErrSerializer, f.Serializer)
	}
	data, err := f.payload(MaxRequest)
	if err != nil {
		return err
	}
	result, flags, err := d.runLimited(ctx, f, data)
	if f.Flags&FlagOneway != 0 {
		return nil
	}
	return d.reply(c, f, result, flags, err)
}

// runLimited is run in one of the daemon's maxCalls turns; a call that
// waits FrameTimeout for one gets a RuntimeError to retry.
func (d *daemon) runLimited(ctx context.Context, f *Frame, data []byte) (any, uint16, error) {
	if err := acquire(ctx, d.limits.calls, 1); err != nil {
		return nil, f.Flags & FlagBatch, pyErrorf(pyRuntimeError, "servidor ocupado, reintente más tarde")
	}
	defer d.limits.calls.Release(1)
	return d.run(ctx, f, data)
}

// run decodes and executes an INVOKE payload; the error, if any, is the
// exception for the client.
func (d *daemon) run(ctx context.Context, f *Frame, data []byte) (any, uint16, error) {
	cl, err := decodeCall(f.Serializer, data)
	if err != nil {
		return nil, 0, pyErrorf(pySerializeError, "invalid call data: %s", clientText(err))
	}
	if f.Flags&FlagBatch != 0 {
		if len(cl.Args) > MaxBatch {
			return nil, FlagBatch, pyErrorf(pyValueError, "un lote de %d llamadas supera el máximo de %d; divídalo", len(cl.Args), MaxBatch)
		}
		return d.batch(ctx, cl), FlagBatch, nil
	}
	v, err := d.call(ctx, cl.Object, cl.Method, cl.Args, cl.Kwargs)
	return v, 0, err
}

// call runs one method of one object. It sets no deadline of its own (a
// timer per call is measurable here): the objects bound their calls, the
// inventory's through the job queue's deadline on every job.
func (d *daemon) call(ctx context.Context, objectID, method string, args []any, kwargs Dict) (any, error) {
	obj, ok := d.objects[objectID]
	if !ok {
		return nil, pyErrorf(pyDaemonError, "unknown object")
	}
	if !hasMethod(obj, method) {
		return nil, pyErrorf(pyAttributeError, "remote object '%s' has no exposed attribute or method '%s'", objectID, method)
	}
	return obj.invoke(ctx, method, args, kwargs)
}

// batch runs a <batch> call's (method, args, kwargs) triples in order and
// stops at the first failure, whose slot holds an _ExceptionWrapper.
func (d *daemon) batch(ctx context.Context, cl call) List {
	results := List{}
	for _, raw := range cl.Args {
		t, ok := items(raw)
		var v any
		var err error
		if !ok || len(t) != 3 {
			err = pyErrorf(pySerializeError, "invalid batch call")
		} else {
			method, _ := t[0].(string)
			args, _ := items(t[1])
			kwargs, _ := t[2].(Dict)
			v, err = d.call(ctx, cl.Object, method, args, kwargs)
		}
		if err != nil {
			return append(results, Dict{{"__class__", "Pyro4.futures._ExceptionWrapper"},
				{"exception", d.exception(err).exceptionDict()}})
		}
		results = append(results, v)
	}
	return results
}

// reply sends a RESULT: the value, or the exception when err is set.
func (d *daemon) reply(c *conn, req *Frame, v any, flags uint16, err error) error {
	var payload []byte
	anns := corr(req)
	if err == nil {
		if payload, err = encodeValue(req.Serializer, v); err != nil {
			err = pyErrorf(pySerializeError, "cannot serialize the result: %s", clientText(err))
		} else if len(payload) > MaxReply {
			payload, err = nil, pyErrorf(pyValueError, "la respuesta ocupa %d bytes, más que el máximo de %d; pida menos", len(payload), MaxReply)
		}
	}
	if err != nil {
		flags, anns = flags|FlagException, nil
		if payload, err = encodeValue(req.Serializer, d.exception(err).exceptionDict()); err != nil {
			return err
		}
	}
	return d.send(c, &Frame{Type: MsgResult, Flags: flags, Seq: req.Seq, Serializer: req.Serializer,
		Annotations: anns, Payload: payload})
}

// exception turns err into the exception a client receives; errors that
// are not a *PyError are logged and shown as an internal error.
func (d *daemon) exception(err error) *PyError {
	var pe *PyError
	if errors.As(err, &pe) {
		return pe
	}
	d.log.Error("pyro call failed", "err", err)
	return pyErrorf(pyPyroError, "error interno del servidor")
}
