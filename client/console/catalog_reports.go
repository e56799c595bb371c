package console

// The messages of reports, exports and imports, numbered apart from the
// catalog's own so that both lists grow without renumbering each other.
const (
	msgWatchLow msg = iota + 2000
	msgNoReportRows
	msgColDay
	msgColWeek
	msgColMonth
	msgColIn
	msgColOut
	msgColNet
	msgColCount
	msgColValue
	msgColChange
	msgColFields
	msgCSVWritten
	msgImportDone
	msgImportValid
	msgImportLine
	msgChangeCreated
	msgChangeUpdated
	msgChangeDeleted
)

// reportCatalog returns the report messages in English and Spanish.
func reportCatalog() map[msg][2]string {
	return map[msg][2]string{
		msgWatchLow:      {"LOW", "BAJO"},
		msgNoReportRows:  {"No movements match.", "Ningún movimiento coincide."},
		msgColDay:        {"DAY", "DÍA"},
		msgColWeek:       {"WEEK", "SEMANA"},
		msgColMonth:      {"MONTH", "MES"},
		msgColIn:         {"IN", "ENTRADAS"},
		msgColOut:        {"OUT", "SALIDAS"},
		msgColNet:        {"NET", "NETO"},
		msgColCount:      {"MOVEMENTS", "MOVIMIENTOS"},
		msgColValue:      {"VALUE", "VALOR"},
		msgColChange:     {"CHANGE", "CAMBIO"},
		msgColFields:     {"FIELDS", "CAMPOS"},
		msgCSVWritten:    {"Wrote %s (%d bytes).", "Escrito %s (%d bytes)."},
		msgImportDone:    {"Imported %s: %d created, %d updated, %d unchanged.", "Importado %s: %d creados, %d actualizados, %d sin cambios."},
		msgImportValid:   {"%s is valid: %d products (--dry-run: nothing was imported).", "%s es válido: %d productos (--dry-run: no se importó nada)."},
		msgImportLine:    {"  line %d: %s", "  línea %d: %s"},
		msgChangeCreated: {"created", "creado"},
		msgChangeUpdated: {"updated", "modificado"},
		msgChangeDeleted: {"deleted", "eliminado"},
	}
}
