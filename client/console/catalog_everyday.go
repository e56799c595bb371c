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
	msgImportSemicolons
	msgImportUnknownColumn
	msgImportNoColumn
	msgImportEmpty
	msgImportPriceComma
	msgImportPriceBad
	msgImportNotWhole
	msgImportInvalidOne
	msgImportInvalidMany
	msgImportDryInvalidOne
	msgImportDryInvalidMany
	msgErrInvalidInputNoDetail
	msgErrForbiddenRole
	msgErrForbiddenNeeds
	msgErrForbiddenNoDetail
	msgRoleViewer
	msgRoleOperator
	msgRoleAdmin
	msgImportNodeLine
	msgAsOfNow
	msgAsOfNowOnline
	msgAsOfBehind
	msgAsOfOffline
	msgAsOfDeparted
	msgAsOfStopped
	msgInTransitTo
	msgBelowReorderLegendAll
	msgFieldFromDay
	msgFieldToDay
	msgFieldWarehouse
	msgEveryWarehouse
	msgOwnWarehouse
	msgAnyKind
	msgBadDay
	msgLineTooLong
	msgLineCharacters
	msgLineEncoding
	msgLineRange
	msgLineTooLarge
	msgLineDuplicate
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
		msgKindFilterBad: {"--kind: %q is not a kind of movement; use purchase, sale, return, adjustment, transfer_out, transfer_in or relocation.",
			"--kind: %q no es un tipo de movimiento; use compra, venta, devolución, ajuste, salida, entrada o reubicación (o sus nombres en inglés)."},
		msgBadWhen: {"%s: %q is not a day (2026-11-01) or a time (2026-11-01T10:00:00Z).",
			"%s: %q no es un día (2026-11-01) ni una hora (2026-11-01T10:00:00Z)."},
		msgImportSemicolons: {"The file's columns are separated by semicolons (%q), as spreadsheets set to Spanish save CSV; save it as CSV with commas (\"CSV UTF-8, comma-delimited\"), with prices written with a point, such as 7.50.",
			"Las columnas del fichero están separadas por punto y coma (%q), como guardan CSV las hojas de cálculo en español; guárdelo como CSV separado por comas («CSV UTF-8, delimitado por comas»), con los precios escritos con punto, por ejemplo 7.50."},
		msgImportUnknownColumn: {"line 1: unknown column %q; the columns are %s.",
			"línea 1: columna desconocida %q; las columnas son %s."},
		msgImportNoColumn: {"line 1: the header has no %s column; the columns are %s.",
			"línea 1: la cabecera no tiene la columna %s; las columnas son %s."},
		msgImportEmpty: {"%s is empty.", "%s está vacío."},
		msgImportPriceComma: {"price %q: in a CSV file prices are written with a point before the decimals in every language: %s.",
			"precio %q: en un fichero CSV los precios se escriben con punto antes de los decimales, en cualquier idioma: %s."},
		msgImportPriceBad: {"price %q is not an amount such as 19.99 (a point before at most four decimals, no thousands separator).",
			"precio %q no es un importe como 19.99 (punto antes de cuatro decimales como mucho, sin separador de millares)."},
		msgImportNotWhole:    {"%s: %q is not a whole number.", "%s: %q no es un número entero."},
		msgImportInvalidOne:  {"%s was not imported: 1 line is invalid.", "No se importó %s: 1 línea no es válida."},
		msgImportInvalidMany: {"%s was not imported: %d lines are invalid.", "No se importó %s: %d líneas no son válidas."},
		msgImportDryInvalidOne: {"%s is not valid: 1 line is invalid (--dry-run: nothing was imported).",
			"%s no es válido: 1 línea no es válida (--dry-run: no se importó nada)."},
		msgImportDryInvalidMany: {"%s is not valid: %d lines are invalid (--dry-run: nothing was imported).",
			"%s no es válido: %d líneas no son válidas (--dry-run: no se importó nada)."},
		msgErrInvalidInputNoDetail: {"The node refused the data.",
			"El nodo rechazó los datos (su explicación, en inglés, con --lang en)."},
		msgErrForbiddenRole: {"Not allowed: the token %q has the %s role, which does not allow this.",
			"No permitido: el token «%s» tiene el rol %s, que no permite hacer esto (véase la tabla de roles del README)."},
		msgErrForbiddenNeeds: {"Not allowed: this needs the %s role (or higher); the token %q has the %s role.",
			"No permitido: esto necesita el rol %s (o uno superior); el token «%s» tiene el rol %s."},
		msgErrForbiddenNoDetail: {"Not allowed: this node does not allow this to this token.",
			"No permitido: este nodo no permite hacer esto con este token (su explicación, en inglés, con --lang en)."},
		msgRoleViewer:     {"viewer", "viewer (consulta)"},
		msgRoleOperator:   {"operator", "operator (operador)"},
		msgRoleAdmin:      {"admin", "admin (administrador)"},
		msgImportNodeLine: {"the node refused this line", "el nodo rechazó esta línea (su explicación, en inglés, con --lang en)"},
		msgAsOfNow:        {"now", "ahora"},
		msgAsOfNowOnline:  {"now (online)", "ahora (en línea)"},
		msgAsOfBehind:     {"(online, %s changes behind)", "(en línea, faltan %s cambios)"},
		msgAsOfOffline:    {"(offline)", "(sin conexión)"},
		msgAsOfDeparted:   {"(departed)", "(salió de la red)"},
		msgAsOfStopped:    {"(replica stopped; see warehouses)", "(réplica detenida; véase warehouses)"},
		msgInTransitTo:    {"%s to %s", "%s a %s"},
		msgBelowReorderLegendAll: {"! at or below its reorder point in that warehouse (%d).",
			"! en su punto de pedido o por debajo en ese almacén (%d)."},
		msgFieldFromDay:   {"From day (2026-11-01; empty: from the first)", "Desde el día (2026-11-01; vacío: desde el primero)"},
		msgFieldToDay:     {"To day, included (empty: until now)", "Hasta el día, incluido (vacío: hasta ahora)"},
		msgFieldWarehouse: {"Warehouse", "Almacén"},
		msgEveryWarehouse: {"every warehouse this node holds", "todos los almacenes de este nodo"},
		msgOwnWarehouse:   {"this node's own", "el de este nodo"},
		msgAnyKind:        {"any kind", "cualquier tipo"},
		msgLineTooLong:    {"%s is longer than %d characters.", "%s tiene más de %d caracteres."},
		msgLineCharacters: {"%s %q contains spaces or control characters.", "%s %q contiene espacios o caracteres de control."},
		msgLineEncoding:   {"%s is not valid UTF-8 text; save the file as CSV UTF-8.", "%s no es texto UTF-8 válido; guarde el fichero como CSV UTF-8."},
		msgLineRange:      {"%s: %s is out of range (%s to %s).", "%s: %s está fuera de rango (de %s a %s)."},
		msgLineTooLarge:   {"%s %q is too large.", "%s %q es demasiado grande."},
		msgLineDuplicate:  {"sku %s is on line %d too.", "el sku %s también está en la línea %d."},
		msgBadDay:         {"%q is not a day; type it like 2026-11-01, or leave it empty.", "%q no es un día; escríbalo como 2026-11-01, o déjelo vacío."},
		msgToBeforeFrom: {"--to %s ends before --from %s begins; a day given as --to counts whole.",
			"--to %s termina antes de que empiece --from %s; un día dado como --to cuenta entero."},
	}
}
