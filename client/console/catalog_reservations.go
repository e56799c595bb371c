package console

// The messages of reservations and of who can supply (issue 28), numbered
// apart from the other catalogs so that each list grows on its own.
const (
	msgReserved msg = iota + 4000
	msgReservedUntil
	msgReservationReleased
	msgReservationFulfilled
	msgReservationEnded
	msgNoReservations
	msgReservationActive
	msgReservationFulfilledStatus
	msgReservationReleasedStatus
	msgReservationExpiredStatus
	msgReservationAtRiskLegend
	msgColFulfilled
	msgColReserved
	msgColAvailable
	msgErrShortfallReserved
	msgBadExpires
	msgWhoHasNone
	msgReservationsStatusBad
	msgOverReserved
)

// reservationsCatalog returns the reservation messages in English and Spanish.
func reservationsCatalog() map[msg][2]string {
	return map[msg][2]string{
		msgReserved:            {"Reserved %s × %s for reservation %s.", "Reservadas %s × %s en la reserva %s."},
		msgReservedUntil:       {"Reserved %s × %s for reservation %s, until %s.", "Reservadas %s × %s en la reserva %s, hasta %s."},
		msgReservationReleased: {"Reservation %s released: %s × %s are available again.", "Reserva %s liberada: %s × %s vuelven a estar disponibles."},
		msgReservationFulfilled: {"Reservation %s fulfilled: sold %s × %s (movement %s).",
			"Reserva %s servida: vendidas %s × %s (movimiento %s)."},
		msgReservationEnded: {"Reservation %s had already ended (%s); nothing changed.",
			"La reserva %s ya había terminado (%s); no cambió nada."},
		msgNoReservations:             {"No reservations.", "No hay reservas."},
		msgReservationActive:          {"active", "activa"},
		msgReservationFulfilledStatus: {"fulfilled", "servida"},
		msgReservationReleasedStatus:  {"released", "liberada"},
		msgReservationExpiredStatus:   {"expired", "caducada"},
		msgReservationAtRiskLegend: {"! at risk: the product's stock no longer covers it.",
			"! en riesgo: las existencias del producto ya no la cubren."},
		msgColFulfilled: {"SOLD", "VENDIDAS"},
		msgColReserved:  {"RESERVED", "RESERVADAS"},
		msgColAvailable: {"AVAILABLE", "DISPONIBLES"},
		msgErrShortfallReserved: {"Not enough available stock of %s: %d in stock, %d reserved for orders, %d available, %d requested.",
			"No hay existencias disponibles suficientes de %s: %d en existencia, %d reservadas para pedidos, %d disponibles, %d solicitadas."},
		msgBadExpires: {"--expires: %q is not a duration such as 90m, 2h or 1d.",
			"--expires: %q no es una duración como 90m, 2h o 1d."},
		msgWhoHasNone: {"No warehouse this node holds can supply %s × %s now.",
			"Ningún almacén de este nodo puede servir %s × %s ahora."},
		msgOverReserved: {"(! %s not covered by the stock)", "(! %s sin cubrir por las existencias)"},
		msgReservationsStatusBad: {"--status: %q is not active, fulfilled, released or expired.",
			"--status: %q no es active, fulfilled, released ni expired (activa, servida, liberada, caducada)."},
	}
}
