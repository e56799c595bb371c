package console

// The messages of stocktakes (issue 28), numbered apart from the other
// catalogs so that each list grows on its own.
const (
	msgStocktakeStarted msg = iota + 5000
	msgStocktakeFinalized
	msgStocktakeCancelled
	msgStocktakeEnded
	msgNoStocktakes
	msgStocktakeOpenStatus
	msgStocktakeFinalizedStatus
	msgStocktakeCancelledStatus
	msgStocktakeSummary
	msgStocktakePick
	msgStocktakeNew
	msgStocktakeOption
	msgCountCounting
	msgFieldCountSKU
	msgFieldCounted
	msgCountRecorded
	msgCountDone
	msgColSnapshot
	msgColCounted
	msgColExpected
	msgColVariance
	msgColCountedBy
)

// stocktakeCatalog returns the stocktake messages in English and Spanish.
func stocktakeCatalog() map[msg][2]string {
	return map[msg][2]string{
		msgStocktakeStarted: {"Stocktake %s started: %s lines to count.", "Inventario %s empezado: %s líneas que contar."},
		msgStocktakeFinalized: {"Stocktake %s finalized: variance value %s.",
			"Inventario %s cerrado: valor de las diferencias %s."},
		msgStocktakeCancelled:       {"Stocktake %s cancelled; nothing was posted.", "Inventario %s cancelado; no se registró nada."},
		msgStocktakeEnded:           {"Stocktake %s had already ended (%s); nothing changed.", "El inventario %s ya había terminado (%s); no cambió nada."},
		msgNoStocktakes:             {"No stocktakes.", "No hay inventarios."},
		msgStocktakeOpenStatus:      {"open", "abierto"},
		msgStocktakeFinalizedStatus: {"finalized", "cerrado"},
		msgStocktakeCancelledStatus: {"cancelled", "cancelado"},
		msgStocktakeSummary: {"Stocktake %s (%s, %s): %s of %s lines counted, variance value %s.",
			"Inventario %s (%s, %s): %s de %s líneas contadas, valor de las diferencias %s."},
		msgStocktakePick:   {"Stocktake", "Inventario"},
		msgStocktakeNew:    {"start a new stocktake of every product", "empezar un inventario nuevo de todos los productos"},
		msgStocktakeOption: {"%s, started %s, %s of %s counted", "%s, empezado %s, %s de %s contadas"},
		msgCountCounting: {"Counting stocktake %s: type a sku, then what the shelf holds; an empty sku ends.",
			"Contando el inventario %s: escriba un sku y luego lo que hay en la estantería; un sku vacío termina."},
		msgFieldCountSKU: {"SKU (empty: done)", "SKU (vacío: terminar)"},
		msgFieldCounted:  {"Counted", "Contadas"},
		msgCountRecorded: {"%s: counted %s, expected %s, variance %s.", "%s: contadas %s, esperadas %s, diferencia %s."},
		msgCountDone: {"%s counts recorded. Finalize with: stockmesh stocktake finalize %s",
			"%s recuentos registrados. Ciérrelo con: stockmesh stocktake finalize %s"},
		msgColSnapshot:  {"SNAPSHOT", "FOTO"},
		msgColCounted:   {"COUNTED", "CONTADAS"},
		msgColExpected:  {"EXPECTED", "ESPERADAS"},
		msgColVariance:  {"VARIANCE", "DIFERENCIA"},
		msgColCountedBy: {"COUNTED BY", "CONTADO POR"},
	}
}
