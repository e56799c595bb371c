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
	}
}
