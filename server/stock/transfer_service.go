package stock

import "context"

// TransferStock sends in.Quantity units of in.SKU from the local warehouse
// to in.To: it records a TRANSFER_OUT at once and returns the transfer,
// IN_TRANSIT. A transfer beyond the stock is INSUFFICIENT_STOCK, as a sale
// is; one to the local warehouse is INVALID_INPUT and one to a warehouse
// that is not a member of the network (unknown, or departed) NOT_FOUND. The
// same idempotency key sent again returns the same transfer, and with a
// different request is INVALID_INPUT.
func (s *Service) TransferStock(ctx context.Context, in TransferInput) (*Transfer, error) {
	return call(ctx, s, OpTransferSend, &in)
}

// ReceiveTransfer receives a transfer to the local warehouse: it records a
// TRANSFER_IN (creating the product from the sender's catalogue data when
// the warehouse has none) and marks it RECEIVED. Receiving a received
// transfer returns it unchanged; a cancelled one, or one whose sender asked
// to cancel it, is INVALID_INPUT; one of another receiver FORBIDDEN; one
// this node has not learnt of yet NOT_FOUND.
func (s *Service) ReceiveTransfer(ctx context.Context, id string) (*Transfer, error) {
	return call(ctx, s, OpTransferReceive, &TransferRef{ID: id})
}

// CancelTransfer cancels a transfer: on its receiver at once (CANCELLED);
// on its sender it asks the receiver to (CANCEL_REQUESTED), and the stock
// comes back once the receiver's cancellation has replicated back. A
// received transfer is INVALID_INPUT; cancelling again returns it as it
// is; a node that is neither side is FORBIDDEN.
func (s *Service) CancelTransfer(ctx context.Context, id string) (*Transfer, error) {
	return call(ctx, s, OpTransferCancel, &TransferRef{ID: id})
}

// SettleTransfers takes the follow-up steps the local warehouse owes:
// confirming the cancellations its senders asked for, and taking back the
// stock of its transfers its receivers cancelled. The writer checks each
// transfer's state in the same transaction, so calling it any number of
// times takes each step once. It returns the transfers it changed.
func (s *Service) SettleTransfers(ctx context.Context) ([]Transfer, error) {
	r, err := call(ctx, s, OpTransferSettle, &Empty{})
	if err != nil {
		return nil, err
	}
	return r.Transfers, nil
}

// Transfer returns the transfer with id as this node knows it, or
// NOT_FOUND.
func (s *Service) Transfer(ctx context.Context, id string) (*Transfer, error) {
	return call(ctx, s, OpTransferGet, &TransferRef{ID: id})
}

// Transfers returns a page of the transfers this node knows, newest first.
func (s *Service) Transfers(ctx context.Context, q TransferQuery) (*TransferPage, error) {
	return call(ctx, s, OpTransferList, &q)
}

// TransfersByID returns the transfers with ids (at most MaxPageSize) that
// this node knows, in no particular order; unknown ids are left out.
func (s *Service) TransfersByID(ctx context.Context, ids []string) ([]Transfer, error) {
	p, err := call(ctx, s, OpTransferGetMany, &TransferIDs{IDs: ids})
	if err != nil {
		return nil, err
	}
	return p.Transfers, nil
}
