package graph

import (
	"context"
	"time"

	"github.com/stockmesh/stockmesh/graph/model"
	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/member"
	"github.com/stockmesh/stockmesh/server/stock"
)

// Warehouse is the resolver for the warehouse field.
func (r *expiringLotResolver) Warehouse(ctx context.Context, obj *stock.ExpiringLot) (*stock.Warehouse, error) {
	return r.Stock.Warehouse(ctx, obj.Warehouse)
}

// Parent is the resolver for the parent field.
func (r *locationResolver) Parent(ctx context.Context, obj *stock.Location) (*string, error) {
	return nonEmpty(obj.Parent), nil
}

// Location is the resolver for the location field.
func (r *lotQuantityResolver) Location(ctx context.Context, obj *stock.LotQuantity) (*string, error) {
	return nonEmpty(obj.Location), nil
}

// Warehouse is the resolver for the warehouse field.
func (r *lowStockAlertResolver) Warehouse(ctx context.Context, obj *stock.LowStockAlert) (*stock.Warehouse, error) {
	return r.Stock.Warehouse(ctx, obj.Warehouse)
}

// Product is the resolver for the product field.
func (r *lowStockAlertResolver) Product(ctx context.Context, obj *stock.LowStockAlert) (*stock.Product, error) {
	p, err := r.Stock.Product(ctx, stock.ProductRef{SKU: obj.SKU, Warehouse: obj.Warehouse})
	if stock.CodeOf(err) == stock.CodeNotFound {
		return nil, nil // deleted since
	}
	return p, err
}

// Warehouse is the resolver for the warehouse field.
func (r *movementResolver) Warehouse(ctx context.Context, obj *stock.Movement) (*stock.Warehouse, error) {
	return r.Stock.Warehouse(ctx, obj.Warehouse)
}

// Transfer is the resolver for the transfer field.
func (r *movementResolver) Transfer(ctx context.Context, obj *stock.Movement) (*stock.Transfer, error) {
	return r.transferOf(ctx, obj)
}

// Lots is the resolver for the lots field.
func (r *movementResolver) Lots(ctx context.Context, obj *stock.Movement) ([]*stock.LotQuantity, error) {
	return stock.Pointers(obj.LotsOrNoLot()), nil
}

// Location is the resolver for the location field.
func (r *movementResolver) Location(ctx context.Context, obj *stock.Movement) (*string, error) {
	return nonEmpty(obj.Location), nil
}

// Pack is the resolver for the pack field.
func (r *movementResolver) Pack(ctx context.Context, obj *stock.Movement) (*string, error) {
	return nonEmpty(obj.Pack), nil
}

// PackQuantity is the resolver for the packQuantity field.
func (r *movementResolver) PackQuantity(ctx context.Context, obj *stock.Movement) (*int64, error) {
	return packQuantity(obj), nil
}

// CreateProduct is the resolver for the createProduct field.
func (r *mutationResolver) CreateProduct(ctx context.Context, input stock.CreateProductInput) (*stock.Product, error) {
	return r.Stock.CreateProduct(ctx, input)
}

// UpdateProduct is the resolver for the updateProduct field.
func (r *mutationResolver) UpdateProduct(ctx context.Context, sku string, input stock.UpdateProductInput, warehouse *string) (*stock.Product, error) {
	return r.Stock.UpdateProduct(ctx, stock.ProductUpdate{SKU: sku, Warehouse: deref(warehouse), Update: input})
}

// DeleteProduct is the resolver for the deleteProduct field.
func (r *mutationResolver) DeleteProduct(ctx context.Context, sku string, warehouse *string) (*stock.Product, error) {
	return r.Stock.DeleteProduct(ctx, stock.ProductRef{SKU: sku, Warehouse: deref(warehouse)})
}

// RecordMovement is the resolver for the recordMovement field.
func (r *mutationResolver) RecordMovement(ctx context.Context, input stock.MovementInput) (*stock.Movement, error) {
	return r.Stock.RecordMovement(ctx, input)
}

// SetStock is the resolver for the setStock field.
func (r *mutationResolver) SetStock(ctx context.Context, sku string, quantity int64, note *string, warehouse *string) (*stock.Movement, error) {
	return r.Stock.SetStock(ctx, stock.StockCount{SKU: sku, Quantity: quantity, Note: deref(note), Warehouse: deref(warehouse)})
}

// CreateJoinToken is the resolver for the createJoinToken field.
func (r *mutationResolver) CreateJoinToken(ctx context.Context, expiresIn *int64, warehouse *string, rejoin *bool) (*member.JoinToken, error) {
	net, err := r.admin(ctx)
	if err != nil {
		return nil, err
	}
	spec := member.TokenSpec{TTL: seconds(expiresIn)}
	if warehouse != nil {
		spec.Warehouse = *warehouse
	}
	if rejoin != nil {
		spec.Rejoin = *rejoin
	}
	return net.CreateJoinToken(ctx, spec)
}

// LeaveNetwork is the resolver for the leaveNetwork field.
func (r *mutationResolver) LeaveNetwork(ctx context.Context) (*stock.Warehouse, error) {
	net, err := r.admin(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := net.Leave(ctx); err != nil {
		return nil, err
	}
	return r.Stock.LocalWarehouse(ctx)
}

// RemoveWarehouse is the resolver for the removeWarehouse field.
func (r *mutationResolver) RemoveWarehouse(ctx context.Context, id string) (*stock.Warehouse, error) {
	net, err := r.admin(ctx)
	if err != nil {
		return nil, err
	}
	return net.Remove(ctx, id)
}

// CreateToken is the resolver for the createToken field.
func (r *mutationResolver) CreateToken(ctx context.Context, name string, role auth.Role, expiresAt *time.Time) (*model.CreatedToken, error) {
	m, err := r.tokens()
	if err != nil {
		return nil, err
	}
	secret, t, err := m.Create(ctx, name, role, expiresAt)
	if err != nil {
		return nil, err
	}
	return createdToken(secret, t), nil
}

// RevokeToken is the resolver for the revokeToken field.
func (r *mutationResolver) RevokeToken(ctx context.Context, id string) (*stock.Token, error) {
	m, err := r.tokens()
	if err != nil {
		return nil, err
	}
	return m.Revoke(ctx, id)
}

// TransferStock is the resolver for the transferStock field.
func (r *mutationResolver) TransferStock(ctx context.Context, input stock.TransferInput) (*stock.Transfer, error) {
	return r.Desk.Send(ctx, input)
}

// ReceiveTransfer is the resolver for the receiveTransfer field.
func (r *mutationResolver) ReceiveTransfer(ctx context.Context, id string) (*stock.Transfer, error) {
	return r.Desk.Receive(ctx, id)
}

// CancelTransfer is the resolver for the cancelTransfer field.
func (r *mutationResolver) CancelTransfer(ctx context.Context, id string) (*stock.Transfer, error) {
	return r.Desk.Cancel(ctx, id)
}

// RotateKeys is the resolver for the rotateKeys field.
func (r *mutationResolver) RotateKeys(ctx context.Context) (*stock.KeyRotation, error) {
	return r.Stock.RotateKeys(ctx)
}

// ReserveStock is the resolver for the reserveStock field.
func (r *mutationResolver) ReserveStock(ctx context.Context, input stock.ReserveStockInput) (*stock.Reservation, error) {
	return r.Stock.ReserveStock(ctx, input)
}

// ReleaseReservation is the resolver for the releaseReservation field.
func (r *mutationResolver) ReleaseReservation(ctx context.Context, id string) (*stock.Reservation, error) {
	return r.Stock.ReleaseReservation(ctx, id)
}

// FulfilReservation is the resolver for the fulfilReservation field.
func (r *mutationResolver) FulfilReservation(ctx context.Context, id string, quantity *int64) (*stock.Reservation, error) {
	return r.Stock.FulfilReservation(ctx, id, quantity)
}

// StartStocktake is the resolver for the startStocktake field.
func (r *mutationResolver) StartStocktake(ctx context.Context, input stock.StartStocktakeInput) (*stock.Stocktake, error) {
	return r.Stock.StartStocktake(ctx, input)
}

// RecordCount is the resolver for the recordCount field.
func (r *mutationResolver) RecordCount(ctx context.Context, input stock.RecordCountInput) (*stock.StocktakeLine, error) {
	return r.Stock.RecordCount(ctx, input)
}

// FinalizeStocktake is the resolver for the finalizeStocktake field.
func (r *mutationResolver) FinalizeStocktake(ctx context.Context, id string) (*stock.Stocktake, error) {
	return r.Stock.FinalizeStocktake(ctx, id)
}

// CancelStocktake is the resolver for the cancelStocktake field.
func (r *mutationResolver) CancelStocktake(ctx context.Context, id string) (*stock.Stocktake, error) {
	return r.Stock.CancelStocktake(ctx, id)
}

// CreateLocation is the resolver for the createLocation field.
func (r *mutationResolver) CreateLocation(ctx context.Context, input stock.CreateLocationInput) (*stock.Location, error) {
	return r.Stock.CreateLocation(ctx, input)
}

// UpdateLocation is the resolver for the updateLocation field.
func (r *mutationResolver) UpdateLocation(ctx context.Context, input stock.UpdateLocationInput) (*stock.Location, error) {
	return r.Stock.UpdateLocation(ctx, input)
}

// RelocateStock is the resolver for the relocateStock field.
func (r *mutationResolver) RelocateStock(ctx context.Context, input stock.RelocateStockInput) (*stock.Movement, error) {
	return r.Stock.RelocateStock(ctx, input)
}

// RequestTransfer is the resolver for the requestTransfer field.
func (r *mutationResolver) RequestTransfer(ctx context.Context, input stock.RequestTransferInput) (*stock.TransferRequest, error) {
	return r.Stock.RequestTransfer(ctx, input)
}

// AcceptTransferRequest is the resolver for the acceptTransferRequest field.
func (r *mutationResolver) AcceptTransferRequest(ctx context.Context, id string, quantity *int64) (*stock.TransferRequest, error) {
	return r.Stock.AcceptTransferRequest(ctx, id, quantity)
}

// DeclineTransferRequest is the resolver for the declineTransferRequest field.
func (r *mutationResolver) DeclineTransferRequest(ctx context.Context, id string, reason *string) (*stock.TransferRequest, error) {
	return r.Stock.DeclineTransferRequest(ctx, id, deref(reason))
}

// CancelTransferRequest is the resolver for the cancelTransferRequest field.
func (r *mutationResolver) CancelTransferRequest(ctx context.Context, id string) (*stock.TransferRequest, error) {
	return r.Stock.CancelTransferRequest(ctx, id)
}

// Warehouse is the resolver for the warehouse field.
func (r *productResolver) Warehouse(ctx context.Context, obj *stock.Product) (*stock.Warehouse, error) {
	return r.Stock.Warehouse(ctx, obj.Warehouse)
}

// Movements is the resolver for the movements field.
func (r *productResolver) Movements(ctx context.Context, obj *stock.Product, first *int64, after *string) (*model.MovementConnection, error) {
	q := stock.MovementQuery{Filter: stock.MovementFilter{Warehouse: obj.Warehouse, SKU: obj.SKU}, First: pageSize(first), After: deref(after)}
	page, err := r.Stock.Movements(ctx, q)
	return movementConnection(page, q.After), err
}

// History is the resolver for the history field.
func (r *productResolver) History(ctx context.Context, obj *stock.Product) ([]*stock.ProductChange, error) {
	return r.Stock.ProductHistory(ctx, stock.ProductRef{SKU: obj.SKU, Warehouse: obj.Warehouse})
}

// Unit is the resolver for the unit field.
func (r *productResolver) Unit(ctx context.Context, obj *stock.Product) (string, error) {
	return obj.BaseUnit(), nil
}

// Packs is the resolver for the packs field.
func (r *productResolver) Packs(ctx context.Context, obj *stock.Product) ([]*stock.Pack, error) {
	return stock.Pointers(obj.PackList()), nil
}

// Lots is the resolver for the lots field.
func (r *productResolver) Lots(ctx context.Context, obj *stock.Product) ([]*stock.Lot, error) {
	return r.productLots(ctx, obj)
}

// Locations is the resolver for the locations field.
func (r *productResolver) Locations(ctx context.Context, obj *stock.Product) ([]*stock.LocationStock, error) {
	ls, err := r.Stock.ProductLocations(ctx, stock.ProductRef{SKU: obj.SKU, Warehouse: obj.Warehouse})
	return stock.Pointers(ls), err
}

// LocalWarehouse is the resolver for the localWarehouse field.
func (r *queryResolver) LocalWarehouse(ctx context.Context) (*stock.Warehouse, error) {
	return r.Stock.LocalWarehouse(ctx)
}

// Warehouses is the resolver for the warehouses field.
func (r *queryResolver) Warehouses(ctx context.Context) ([]*stock.Warehouse, error) {
	return r.Stock.Warehouses(ctx)
}

// Product is the resolver for the product field.
func (r *queryResolver) Product(ctx context.Context, sku string, warehouse *string) (*stock.Product, error) {
	return r.Stock.Product(ctx, stock.ProductRef{SKU: sku, Warehouse: deref(warehouse)})
}

// Products is the resolver for the products field.
func (r *queryResolver) Products(ctx context.Context, warehouse *string, search *string, first *int64, after *string) (*model.ProductConnection, error) {
	q := stock.ProductQuery{Warehouse: deref(warehouse), Search: deref(search), First: pageSize(first), After: deref(after)}
	page, err := r.Stock.Products(ctx, q)
	return productConnection(page, q.After), err
}

// Movements is the resolver for the movements field.
func (r *queryResolver) Movements(ctx context.Context, filter *stock.MovementFilter, first *int64, after *string) (*model.MovementConnection, error) {
	q := stock.MovementQuery{First: pageSize(first), After: deref(after)}
	if filter != nil {
		q.Filter = *filter
	}
	page, err := r.Stock.Movements(ctx, q)
	return movementConnection(page, q.After), err
}

// StockLevels is the resolver for the stockLevels field.
func (r *queryResolver) StockLevels(ctx context.Context, sku string) ([]*stock.StockLevel, error) {
	return r.Stock.StockLevels(ctx, sku)
}

// MovementReport is the resolver for the movementReport field.
func (r *queryResolver) MovementReport(ctx context.Context, filter *stock.MovementFilter, groupBy []stock.ReportGroup, timeZone *string) ([]*stock.ReportRow, error) {
	q := stock.ReportQuery{GroupBy: groupBy, TimeZone: deref(timeZone)}
	if filter != nil {
		q.Filter = *filter
	}
	return r.Stock.MovementReport(ctx, q)
}

// StockAt is the resolver for the stockAt field.
func (r *queryResolver) StockAt(ctx context.Context, sku string, at time.Time, warehouse *string) (int64, error) {
	return r.Stock.StockAt(ctx, stock.StockAtQuery{SKU: sku, At: at, Warehouse: deref(warehouse)})
}

// LowStock is the resolver for the lowStock field.
func (r *queryResolver) LowStock(ctx context.Context, warehouse *string) ([]*stock.Product, error) {
	return r.Stock.LowStock(ctx, deref(warehouse))
}

// Tokens is the resolver for the tokens field.
func (r *queryResolver) Tokens(ctx context.Context) ([]*stock.Token, error) {
	return r.listTokens(ctx)
}

// AuditLog is the resolver for the auditLog field.
func (r *queryResolver) AuditLog(ctx context.Context, first *int64, after *string, actor *string, from *time.Time, to *time.Time) (*model.AuditConnection, error) {
	q := stock.AuditQuery{First: pageSize(first), After: deref(after), Actor: deref(actor), From: from, To: to}
	page, err := r.Stock.AuditLog(ctx, q)
	return auditConnection(page, q.After), err
}

// Transfers is the resolver for the transfers field.
func (r *queryResolver) Transfers(ctx context.Context, status *stock.TransferStatus, warehouse *string, first *int64, after *string) (*model.TransferConnection, error) {
	p, err := r.Desk.List(ctx, stock.TransferQuery{Status: derefStatus(status), Warehouse: deref(warehouse),
		First: pageSize(first), After: deref(after)})
	if err != nil {
		return nil, err
	}
	return transferConnection(p, deref(after)), nil
}

// Transfer is the resolver for the transfer field.
func (r *queryResolver) Transfer(ctx context.Context, id string) (*stock.Transfer, error) {
	return r.Desk.Get(ctx, id)
}

// Reservations is the resolver for the reservations field.
func (r *queryResolver) Reservations(ctx context.Context, status *stock.ReservationStatus, sku *string, warehouse *string, first *int64, after *string) (*model.ReservationConnection, error) {
	q := reservationQuery(status, sku, warehouse, first, after)
	p, err := r.Stock.Reservations(ctx, q)
	if err != nil {
		return nil, err
	}
	return reservationConnection(p, q.After), nil
}

// Reservation is the resolver for the reservation field.
func (r *queryResolver) Reservation(ctx context.Context, id string) (*stock.Reservation, error) {
	return r.Stock.Reservation(ctx, id)
}

// Availability is the resolver for the availability field.
func (r *queryResolver) Availability(ctx context.Context, sku string, quantity int64) ([]*stock.StockLevel, error) {
	return r.Stock.Availability(ctx, sku, quantity)
}

// Stocktakes is the resolver for the stocktakes field.
func (r *queryResolver) Stocktakes(ctx context.Context, status *stock.StocktakeStatus, warehouse *string, first *int64, after *string) (*model.StocktakeConnection, error) {
	q := stock.StocktakeQuery{Warehouse: deref(warehouse), First: pageSize(first), After: deref(after)}
	if status != nil {
		q.Status = *status
	}
	p, err := r.Stock.Stocktakes(ctx, q)
	if err != nil {
		return nil, err
	}
	return stocktakeConnection(p, q.After), nil
}

// Stocktake is the resolver for the stocktake field.
func (r *queryResolver) Stocktake(ctx context.Context, id string) (*stock.Stocktake, error) {
	return r.Stock.Stocktake(ctx, id)
}

// ExpiringLots is the resolver for the expiringLots field.
func (r *queryResolver) ExpiringLots(ctx context.Context, withinDays int64, warehouse *string) ([]*stock.ExpiringLot, error) {
	return r.expiringLots(ctx, withinDays, warehouse)
}

// Locations is the resolver for the locations field.
func (r *queryResolver) Locations(ctx context.Context, warehouse *string) ([]*stock.Location, error) {
	ls, err := r.Stock.Locations(ctx, deref(warehouse))
	return stock.Pointers(ls), err
}

// ReplenishmentPlan is the resolver for the replenishmentPlan field.
func (r *queryResolver) ReplenishmentPlan(ctx context.Context, warehouse *string, sku *string) ([]*stock.TransferSuggestion, error) {
	return r.Stock.ReplenishmentPlan(ctx, deref(warehouse), deref(sku))
}

// TransferRequests is the resolver for the transferRequests field.
func (r *queryResolver) TransferRequests(ctx context.Context, status *stock.TransferRequestStatus, warehouse *string, first *int64, after *string) (*model.TransferRequestConnection, error) {
	q := stock.TransferRequestQuery{Warehouse: deref(warehouse), First: pageSize(first), After: deref(after)}
	if status != nil {
		q.Status = *status
	}
	p, err := r.Stock.TransferRequests(ctx, q)
	if err != nil {
		return nil, err
	}
	return requestConnection(p, deref(after)), nil
}

// Me is the resolver for the me field.
func (r *queryResolver) Me(ctx context.Context) (*auth.Principal, error) {
	return stock.Me(ctx)
}

// StockHistory is the resolver for the stockHistory field.
func (r *queryResolver) StockHistory(ctx context.Context, sku string, warehouse *string, from time.Time, to time.Time, step stock.ReportGroup, timeZone *string) ([]*stock.StockPoint, error) {
	q := stock.StockHistoryQuery{SKU: sku, Warehouse: deref(warehouse), From: from, To: to, Step: step, TimeZone: deref(timeZone)}
	return r.Stock.StockHistory(ctx, q)
}

// StockTable is the resolver for the stockTable field.
func (r *queryResolver) StockTable(ctx context.Context, first *int64, after *string) (*stock.StockTable, error) {
	return r.Stock.StockTable(ctx, stock.StockTableQuery{First: pageSize(first), After: deref(after)})
}

// Warehouse is the resolver for the warehouse field.
func (r *reservationResolver) Warehouse(ctx context.Context, obj *stock.Reservation) (*stock.Warehouse, error) {
	return r.Stock.Warehouse(ctx, obj.Warehouse)
}

// Reserved is the resolver for the reserved field.
func (r *stockChangeResolver) Reserved(ctx context.Context, obj *model.StockChange) (int64, error) {
	return r.reservedOf(ctx, obj), nil
}

// Available is the resolver for the available field.
func (r *stockChangeResolver) Available(ctx context.Context, obj *model.StockChange) (int64, error) {
	return stock.Available(obj.Quantity, r.reservedOf(ctx, obj)), nil
}

// Lots is the resolver for the lots field.
func (r *stockChangeResolver) Lots(ctx context.Context, obj *model.StockChange) ([]*stock.LotQuantity, error) {
	return changeLots(obj), nil
}

// Location is the resolver for the location field.
func (r *stockChangeResolver) Location(ctx context.Context, obj *model.StockChange) (*string, error) {
	return changeLocation(obj), nil
}

// Warehouse is the resolver for the warehouse field.
func (r *stockLevelResolver) Warehouse(ctx context.Context, obj *stock.StockLevel) (*stock.Warehouse, error) {
	return r.Stock.Warehouse(ctx, obj.Warehouse)
}

// Warehouse is the resolver for the warehouse field.
func (r *stockPointResolver) Warehouse(ctx context.Context, obj *stock.StockPoint) (*stock.Warehouse, error) {
	return r.Stock.Warehouse(ctx, obj.Warehouse)
}

// Warehouse is the resolver for the warehouse field.
func (r *stocktakeResolver) Warehouse(ctx context.Context, obj *stock.Stocktake) (*stock.Warehouse, error) {
	return r.Stock.Warehouse(ctx, obj.Warehouse)
}

// StockChanged is the resolver for the stockChanged field.
func (r *subscriptionResolver) StockChanged(ctx context.Context, warehouse *string, sku *string) (<-chan *model.StockChange, error) {
	return subscribe(ctx, r.Feed, filterOf(warehouse, sku), stockChangedBuffer, r.stockChange)
}

// MovementRecorded is the resolver for the movementRecorded field.
func (r *subscriptionResolver) MovementRecorded(ctx context.Context, warehouse *string, sku *string) (<-chan *stock.Movement, error) {
	return subscribe(ctx, r.Feed, filterOf(warehouse, sku), movementRecordedBuffer, r.movement)
}

// LowStockAlert is the resolver for the lowStockAlert field.
func (r *subscriptionResolver) LowStockAlert(ctx context.Context, warehouse *string) (<-chan *stock.LowStockAlert, error) {
	return subscribe(ctx, r.Feed, filterOf(warehouse, nil), lowStockAlertBuffer, newCrossings(r.Stock).alert)
}

// TransferUpdated is the resolver for the transferUpdated field.
func (r *subscriptionResolver) TransferUpdated(ctx context.Context, warehouse *string) (<-chan *stock.Transfer, error) {
	return watchTransfers(ctx, r.Desk, deref(warehouse))
}

// LotExpiring is the resolver for the lotExpiring field.
func (r *subscriptionResolver) LotExpiring(ctx context.Context, warehouse *string, withinDays int64) (<-chan *stock.ExpiringLot, error) {
	return r.watchExpiring(ctx, deref(warehouse), int(min(max(withinDays, -1), 1<<20)))
}

// ReplenishmentNeeded is the resolver for the replenishmentNeeded field.
func (r *subscriptionResolver) ReplenishmentNeeded(ctx context.Context, warehouse *string) (<-chan *stock.TransferSuggestion, error) {
	return subscribe(ctx, r.Feed, filterOf(warehouse, nil), replenishmentNeededBuffer, r.needed(newCrossings(r.Stock)))
}

// TransferRequestUpdated is the resolver for the transferRequestUpdated field.
func (r *subscriptionResolver) TransferRequestUpdated(ctx context.Context, warehouse *string) (<-chan *stock.TransferRequest, error) {
	return watchRequests(ctx, r.Requests, deref(warehouse))
}

// NetworkChanged is the resolver for the networkChanged field.
func (r *subscriptionResolver) NetworkChanged(ctx context.Context) (<-chan *stock.Warehouse, error) {
	return watchNetwork(ctx, r.Stock, r.NetWatch)
}

// From is the resolver for the from field.
func (r *transferResolver) From(ctx context.Context, obj *stock.Transfer) (*stock.Warehouse, error) {
	return r.Stock.Warehouse(ctx, obj.From)
}

// To is the resolver for the to field.
func (r *transferResolver) To(ctx context.Context, obj *stock.Transfer) (*stock.Warehouse, error) {
	return r.Stock.Warehouse(ctx, obj.To)
}

// From is the resolver for the from field.
func (r *transferRequestResolver) From(ctx context.Context, obj *stock.TransferRequest) (*stock.Warehouse, error) {
	return r.Stock.Warehouse(ctx, obj.From)
}

// To is the resolver for the to field.
func (r *transferRequestResolver) To(ctx context.Context, obj *stock.TransferRequest) (*stock.Warehouse, error) {
	return r.Stock.Warehouse(ctx, obj.To)
}

// Transfer is the resolver for the transfer field.
func (r *transferRequestResolver) Transfer(ctx context.Context, obj *stock.TransferRequest) (*stock.Transfer, error) {
	return r.requestTransfer(ctx, obj)
}

// Online is the resolver for the online field.
func (r *warehouseResolver) Online(ctx context.Context, obj *stock.Warehouse) (bool, error) {
	m, ok := r.member(obj.ID)
	return ok && m.Online, nil
}

// LastSeen is the resolver for the lastSeen field.
func (r *warehouseResolver) LastSeen(ctx context.Context, obj *stock.Warehouse) (*time.Time, error) {
	m, _ := r.member(obj.ID)
	return m.LastSeen, nil
}

// Behind is the resolver for the behind field.
func (r *warehouseResolver) Behind(ctx context.Context, obj *stock.Warehouse) (int64, error) {
	m, _ := r.member(obj.ID)
	return m.Behind, nil
}

// Replica is the resolver for the replica field.
func (r *warehouseResolver) Replica(ctx context.Context, obj *stock.Warehouse) (*stock.Replica, error) {
	return r.Stock.Replica(ctx, obj.ID)
}

// ExpiringLot returns ExpiringLotResolver implementation.
func (r *Resolver) ExpiringLot() ExpiringLotResolver { return &expiringLotResolver{r} }

// Location returns LocationResolver implementation.
func (r *Resolver) Location() LocationResolver { return &locationResolver{r} }

// LotQuantity returns LotQuantityResolver implementation.
func (r *Resolver) LotQuantity() LotQuantityResolver { return &lotQuantityResolver{r} }

// LowStockAlert returns LowStockAlertResolver implementation.
func (r *Resolver) LowStockAlert() LowStockAlertResolver { return &lowStockAlertResolver{r} }

// Movement returns MovementResolver implementation.
func (r *Resolver) Movement() MovementResolver { return &movementResolver{r} }

// Mutation returns MutationResolver implementation.
func (r *Resolver) Mutation() MutationResolver { return &mutationResolver{r} }

// Product returns ProductResolver implementation.
func (r *Resolver) Product() ProductResolver { return &productResolver{r} }

// Query returns QueryResolver implementation.
func (r *Resolver) Query() QueryResolver { return &queryResolver{r} }

// Reservation returns ReservationResolver implementation.
func (r *Resolver) Reservation() ReservationResolver { return &reservationResolver{r} }

// StockChange returns StockChangeResolver implementation.
func (r *Resolver) StockChange() StockChangeResolver { return &stockChangeResolver{r} }

// StockLevel returns StockLevelResolver implementation.
func (r *Resolver) StockLevel() StockLevelResolver { return &stockLevelResolver{r} }

// StockPoint returns StockPointResolver implementation.
func (r *Resolver) StockPoint() StockPointResolver { return &stockPointResolver{r} }

// Stocktake returns StocktakeResolver implementation.
func (r *Resolver) Stocktake() StocktakeResolver { return &stocktakeResolver{r} }

// Subscription returns SubscriptionResolver implementation.
func (r *Resolver) Subscription() SubscriptionResolver { return &subscriptionResolver{r} }

// Transfer returns TransferResolver implementation.
func (r *Resolver) Transfer() TransferResolver { return &transferResolver{r} }

// TransferRequest returns TransferRequestResolver implementation.
func (r *Resolver) TransferRequest() TransferRequestResolver { return &transferRequestResolver{r} }

// Warehouse returns WarehouseResolver implementation.
func (r *Resolver) Warehouse() WarehouseResolver { return &warehouseResolver{r} }

type (
	expiringLotResolver     struct{ *Resolver }
	locationResolver        struct{ *Resolver }
	lotQuantityResolver     struct{ *Resolver }
	lowStockAlertResolver   struct{ *Resolver }
	movementResolver        struct{ *Resolver }
	mutationResolver        struct{ *Resolver }
	productResolver         struct{ *Resolver }
	queryResolver           struct{ *Resolver }
	reservationResolver     struct{ *Resolver }
	stockChangeResolver     struct{ *Resolver }
	stockLevelResolver      struct{ *Resolver }
	stockPointResolver      struct{ *Resolver }
	stocktakeResolver       struct{ *Resolver }
	subscriptionResolver    struct{ *Resolver }
	transferResolver        struct{ *Resolver }
	transferRequestResolver struct{ *Resolver }
	warehouseResolver       struct{ *Resolver }
)
