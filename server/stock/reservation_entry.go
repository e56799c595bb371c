package stock

// checkReservation checks a reservation entry's reservation: the entry's
// own (its warehouse, an id of that warehouse), the status the entry's
// type leaves, the facts of that status (a sale and what it sold once
// fulfilled, an end time once ended, an expiry for an expired one), and
// the API's rules for sku, quantities and text.
func (e *LogEntry) checkReservation() error {
	r := e.Reservation
	n, idOK := seqAfter(r.ID, e.Origin+":R")
	switch {
	case r.Warehouse != e.Origin:
		return InvalidEntry(e, "reservation.warehouse", "is not the entry's origin")
	case !idOK || (e.Type == EntryReservationCreated && n != e.Seq):
		return InvalidEntry(e, "reservation.id", "%.80q is not the reservation id of %s its entry makes", r.ID, e.Origin)
	case r.Status != reservationStatusOf[e.Type]:
		return InvalidEntry(e, "reservation.status", "%.40q is not the status a %s entry leaves", r.Status, e.Type)
	case r.AtRisk:
		return InvalidEntry(e, "reservation.atRisk", "is computed by listings, never logged")
	case (r.EndedAt != nil) == (r.Status == ReservationActive):
		return InvalidEntry(e, "reservation.endedAt", "is set exactly when the reservation ended")
	case r.Status == ReservationExpired && r.ExpiresAt == nil:
		return InvalidEntry(e, "reservation.expiresAt", "an expired reservation had an expiry")
	case (r.Status == ReservationFulfilled) != (r.Sale != ""):
		return InvalidEntry(e, "reservation.sale", "is set exactly when the reservation was fulfilled")
	case r.Fulfilled < 0 || r.Fulfilled > r.Quantity || (r.Status == ReservationFulfilled) != (r.Fulfilled > 0):
		return InvalidEntry(e, "reservation.fulfilled", "%d is not a part of %d sold exactly when fulfilled", r.Fulfilled, r.Quantity)
	}
	if _, ok := seqAfter(r.Sale, e.Origin+":"); r.Sale != "" && !ok {
		return InvalidEntry(e, "reservation.sale", "is not a movement id of %s", e.Origin)
	}
	err := exactSKU(r.SKU)
	if err == nil {
		err = checkQuantity("quantity", r.Quantity, 1, MaxQuantity)
	}
	if err == nil {
		err = checkQuantity("balance", r.Balance, 0, MaxStock)
	}
	if err == nil {
		err = checkQuantity("reserved", r.Reserved, 0, MaxStock*MaxQuantity)
	}
	if err == nil {
		err = exactText("reference", r.Reference, MaxReferenceLen, false)
	}
	if err == nil {
		err = exactText("idempotencyKey", r.IdempotencyKey, MaxKeyLen, false)
	}
	if err == nil {
		err = checkTime("createdAt", r.CreatedAt)
	}
	if err == nil && r.ExpiresAt != nil {
		err = checkTime("expiresAt", *r.ExpiresAt)
	}
	if err == nil && r.EndedAt != nil {
		err = checkTime("endedAt", *r.EndedAt)
	}
	return asEntryError(e, "reservation", err)
}

// reservationChange is the stock change a reservation entry makes seen:
// the product's stock unchanged (Delta 0) and the units now held.
func reservationChange(e *LogEntry) Change {
	r := e.Reservation
	reserved := r.Reserved
	return Change{Warehouse: e.Origin, SKU: r.SKU, Quantity: r.Balance, Reserved: &reserved,
		Reference: r.Reference, Actor: e.Actor, Seq: e.Seq, At: e.At}
}
