package console

// The messages of lots, bins and packs (issue 29), numbered apart from the
// other catalogs so that each list grows on its own.
const (
	msgKindRelocation msg = iota + 6000
	msgErrExpired
	msgNoLots
	msgNoLot
	msgNoLocations
	msgColLot
	msgColLocation
	msgRelocated
	msgUnplaced
	msgExpiresBad
	msgExpiresNeedsLot
	msgBinAdded
)

// lotsCatalog returns the messages of lots, bins and packs in English and
// Spanish.
func lotsCatalog() map[msg][2]string {
	return map[msg][2]string{
		msgKindRelocation: {"relocation", "reubicación"},
		msgErrExpired: {"Lot %s expired on %s: an expired lot is sold or sent only when an admin names it.",
			"El lote %s caducó el %s: un lote caducado solo se vende o envía si lo indica un administrador."},
		msgNoLots:      {"No stock.", "Sin existencias."},
		msgNoLot:       {"(no lot)", "(sin lote)"},
		msgNoLocations: {"No locations.", "No hay ubicaciones."},
		msgColLot:      {"LOT", "LOTE"},
		msgColLocation: {"LOCATION", "UBICACIÓN"},
		msgRelocated: {"Moved %s of %s to %s; the stock stays %s.",
			"Movidas %s de %s a %s; las existencias siguen en %s."},
		msgUnplaced:        {"unplaced", "sin ubicar"},
		msgExpiresBad:      {"--expires: %q is not a day written YYYY-MM-DD", "--expires: %q no es un día escrito AAAA-MM-DD"},
		msgExpiresNeedsLot: {"--expires needs --lot", "--expires necesita --lot"},
		msgBinAdded:        {"Created location %s.", "Ubicación %s creada."},
	}
}
