package pyro

import "context"

// DaemonName is the object id every Pyro4 daemon serves for itself.
const DaemonName = "Pyro.Daemon"

// daemonObject is Pyro.Daemon: metadata of the other objects and ping.
type daemonObject struct {
	objects map[string]object // the daemon's table, fixed after construction
}

var _ object = (*daemonObject)(nil)

func (o *daemonObject) methods() []string {
	return []string{"get_metadata", "info", "ping", "registered"}
}

func (o *daemonObject) invoke(_ context.Context, method string, args []any, kwargs Dict) (any, error) {
	switch method {
	case "get_metadata":
		a, err := bind(method, []param{{name: "objectId"}, {name: "as_lists", optional: true, def: false}}, args, kwargs)
		if err != nil {
			return nil, err
		}
		id, _ := a[0].(string)
		obj, ok := o.objects[id]
		if !ok {
			return nil, pyErrorf(pyDaemonError, "unknown object")
		}
		return metadata(obj), nil
	case "ping":
		return nil, nil
	case "info":
		return "stockmesh Pyro4-compatible daemon", nil
	case "registered":
		ids := List{}
		for id := range o.objects {
			ids = append(ids, id)
		}
		return ids, nil
	}
	return nil, pyErrorf(pyAttributeError, "remote object '%s' has no exposed attribute or method '%s'", DaemonName, method)
}
