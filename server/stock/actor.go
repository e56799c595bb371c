package stock

import "context"

type actorKey struct{}

// WithActor returns a context naming who makes the requests sent with it;
// the name is recorded on the movements they create.
func WithActor(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, actorKey{}, name)
}

// ActorFrom returns the actor WithActor stored, or "".
func ActorFrom(ctx context.Context) string {
	s, _ := ctx.Value(actorKey{}).(string)
	return s
}
