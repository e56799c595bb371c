package console

// The messages of everyday use (warehouses by name, repeated receipts,
// import wording, the node's refusals in the person's language), numbered
// apart from the other catalogs so that each list grows on its own.
const (
	msgOr msg = iota + 3000
	msgWarehouseDidYouMean
	msgWarehouseAmbiguous
	msgWarehouseUnknown
	msgNoOtherWarehouse
	msgTransferAlreadyReceived
	msgKindFilterBad
	msgBadWhen
	msgToBeforeFrom
)

// everydayCatalog returns the everyday-use messages in English and Spanish.
func everydayCatalog() map[msg][2]string {
	return map[msg][2]string{
		msgOr: {" or ", " o "},
		msgWarehouseDidYouMean: {"There is no warehouse %s; did you mean %s?",
			"No hay ningún almacén %s; ¿quería decir %s?"},
		msgWarehouseAmbiguous: {"%q names more than one warehouse: %s; give its id.",
			"%q nombra más de un almacén: %s; indique su id."},
		msgWarehouseUnknown: {"There is no warehouse %s; this node knows %s.",
			"No hay ningún almacén %s; este nodo conoce %s."},
		msgNoOtherWarehouse: {"This node knows no other warehouse to send stock to.",
			"Este nodo no conoce ningún otro almacén al que enviar existencias."},
		msgTransferAlreadyReceived: {"Transfer %s was already received on %s: %s × %s; nothing changed.",
			"El traslado %s ya se recibió el %s: %s × %s; no cambió nada."},
		msgKindFilterBad: {"--kind: %q is not a kind of movement; use purchase, sale, return, adjustment, transfer_out or transfer_in.",
			"--kind: %q no es un tipo de movimiento; use compra, venta, devolución, ajuste, salida o entrada (o sus nombres en inglés)."},
		msgBadWhen: {"%s: %q is not a day (2026-11-01) or a time (2026-11-01T10:00:00Z).",
			"%s: %q no es un día (2026-11-01) ni una hora (2026-11-01T10:00:00Z)."},
		msgToBeforeFrom: {"--to %s ends before --from %s begins; a day given as --to counts whole.",
			"--to %s termina antes de que empiece --from %s; un día dado como --to cuenta entero."},
	}
}
