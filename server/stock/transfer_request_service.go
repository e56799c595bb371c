package stock

import "context"

// RequestTransfer asks warehouse in.From for in.Quantity units of in.SKU
// for the local warehouse and returns the request, OPEN. The same
// idempotency key sent again returns the same request. A source that left
// the network is refused, saying so.
func (s *Service) RequestTransfer(ctx context.Context, in RequestTransferInput) (*TransferRequest, error) {
	return call(ctx, s, OpRequestCreate, &in)
}

// AcceptTransferRequest accepts a request the local warehouse is the
// source of, sending quantity units (nil: all it asks for) as a transfer
// whose reference is the request, in the same write. Accepting an
// accepted request returns it as it is.
func (s *Service) AcceptTransferRequest(ctx context.Context, id string, quantity *int64) (*TransferRequest, error) {
	return call(ctx, s, OpRequestAccept, &RequestDecision{ID: id, Quantity: quantity})
}

// DeclineTransferRequest declines a request the local warehouse is the
// source of, with reason.
func (s *Service) DeclineTransferRequest(ctx context.Context, id, reason string) (*TransferRequest, error) {
	return call(ctx, s, OpRequestDecline, &RequestDecision{ID: id, Reason: reason})
}

// CancelTransferRequest cancels a request of the local warehouse while it
// is OPEN.
func (s *Service) CancelTransferRequest(ctx context.Context, id string) (*TransferRequest, error) {
	return call(ctx, s, OpRequestCancel, &RequestDecision{ID: id})
}

// TransferRequest returns the request with id as this node holds it, or
// NOT_FOUND.
func (s *Service) TransferRequest(ctx context.Context, id string) (*TransferRequest, error) {
	return call(ctx, s, OpRequestGet, &RequestDecision{ID: id})
}

// TransferRequests returns a page of the requests this node holds, newest
// first.
func (s *Service) TransferRequests(ctx context.Context, q TransferRequestQuery) (*TransferRequestPage, error) {
	return call(ctx, s, OpRequestList, &q)
}
