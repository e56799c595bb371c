package console

// Messages that guide a person past a mistake: prices refused as
// ambiguous, skus that differ only in case, repeated movements, command
// groups, missing settings. They have a block of their own, numbered apart
// from catalog's, so that both lists grow without touching each other.
const (
	msgPriceAmbiguous msg = iota + 1000
	msgPriceFlag
	msgDidYouMean
	msgSKUExists
	msgOversaleRetry
	msgNewUnits
	msgBadMax
	msgRepeatRefused
	msgRepeatOtherNote
	msgRepeatAsk
	msgRepeatKept
	msgGroupUsage
	msgGroupUnknown
	msgNothingToUpdate
	msgNoSettings
	msgNoCA
	msgConfigExists
	msgConfigWritten
	msgConfigNoCA
	msgConfigToken
	msgConfigNoToken
	msgConfigNoHome
	msgNoToken
	msgBelowReorderLegend
	msgWatchWaiting
	msgWatchReconnectingIn
	msgWatchRetrying
)

// guidanceCatalog returns the guidance messages in English and Spanish.
func guidanceCatalog() map[msg][2]string {
	return map[msg][2]string{
		msgPriceAmbiguous: {
			"%q is ambiguous as a price: in English write a point before the decimals, such as 1234.50 or 1,234.50 (thousands grouped only when there are decimals).",
			"%q es ambiguo como precio: en español escriba una coma antes de los decimales, por ejemplo 1234,50 o 1.234,50 (millares agrupados solo si hay decimales).",
		},
		msgPriceFlag: {
			"--price: %s",
			"--price: %s (o use --lang en para escribirlo con punto decimal)",
		},
		msgDidYouMean: {"No product %s; did you mean %s?", "No hay ningún producto %s; ¿quería decir %s?"},
		msgSKUExists: {"A product %s already exists (%s, %s in stock); choose another SKU.",
			"Ya existe un producto %s (%s, %s en existencia); elija otro SKU."},
		msgOversaleRetry: {"Change the quantity? [y/N]", "¿Cambiar la cantidad? [s/N]"},
		msgNewUnits:      {"Units (at most %s)", "Unidades (como mucho %s)"},
		msgBadMax:        {"The number must be at most %d.", "El número debe ser como mucho %d."},
		msgRepeatRefused: {
			"Not applied again: the %s of %s × %s with reference %s was already recorded (%s). Add --allow-repeat to record it a second time.",
			"No se aplicó otra vez: ese movimiento (%s de %s × %s con referencia %s) ya se registró (%s). Añada --allow-repeat para registrarlo una segunda vez.",
		},
		msgRepeatOtherNote: {"with another note", "con otra nota"},
		msgRepeatAsk: {
			"The %s of %s × %s with reference %s was already recorded (%s). Record it again? [y/N]",
			"Ese movimiento (%s de %s × %s con referencia %s) ya se registró (%s). ¿Registrarlo otra vez? [s/N]",
		},
		msgRepeatKept:   {"Not recorded again.", "No se registró otra vez."},
		msgGroupUsage:   {"stockmesh %s needs one of these commands:\n%s", "stockmesh %s necesita una de estas órdenes:\n%s"},
		msgGroupUnknown: {"unknown command %q; stockmesh %s takes:\n%s", "orden desconocida %q; stockmesh %s admite:\n%s"},
		msgNothingToUpdate: {
			"product update %s: nothing to change; give at least one of --name, --description, --price, --quantity, --reorder.",
			"product update %s: nada que cambiar; indique al menos una de --name, --description, --price, --quantity, --reorder.",
		},
		msgNoSettings: {
			"Which node? Point stockmesh at one with --server URL --ca FILE --token TOKEN, the variables STOCKMESH_SERVER, STOCKMESH_CA and STOCKMESH_TOKEN, or the config file %s (\"stockmesh config init\", run beside the node's data folder, writes it).",
			"¿Qué nodo? Indíquelo con --server URL --ca FICHERO --token TOKEN, las variables STOCKMESH_SERVER, STOCKMESH_CA y STOCKMESH_TOKEN, o el fichero de configuración %s (\"stockmesh config init\", ejecutado junto a la carpeta de datos del nodo, lo escribe).",
		},
		msgNoCA: {
			"Cannot connect: no CA certificate at %s (the default, looked for in %s, since neither --ca, STOCKMESH_CA nor the config file names one).",
			"No se puede conectar: no hay certificado de CA en %s (el valor por defecto, buscado en %s, pues ni --ca, ni STOCKMESH_CA, ni el fichero de configuración indican uno).",
		},
		msgConfigExists: {"%s already exists; nothing was written. Add --force to replace it.",
			"%s ya existe; no se escribió nada. Añada --force para reemplazarlo."},
		msgConfigWritten: {"Wrote %s: server %s, CA %s, %s.", "Escrito %s: servidor %s, CA %s, %s."},
		msgConfigNoCA: {"config init: cannot read the CA certificate %s: %v. Give --ca FILE, or run it beside the node's data folder.",
			"config init: no se puede leer el certificado de la CA %s: %v. Indique --ca FICHERO, o ejecútelo junto a la carpeta de datos del nodo."},
		msgConfigToken:   {"the token (the file is readable by you only)", "el token (el fichero solo lo puede leer usted)"},
		msgConfigNoToken: {"no token (add a \"token = …\" line, or set STOCKMESH_TOKEN)", "sin token (añada una línea \"token = …\", o defina STOCKMESH_TOKEN)"},
		msgConfigNoHome: {"config init: there is no home directory (HOME or XDG_CONFIG_HOME) to keep the config file in.",
			"config init: no hay directorio personal (HOME o XDG_CONFIG_HOME) donde guardar el fichero de configuración."},
		msgNoToken: {
			"Not allowed: no token was given, and there is no %s in %s (the node's admin token, read when neither --token, STOCKMESH_TOKEN nor the config file gives one).",
			"No permitido: no se indicó ningún token, y no hay %s en %s (el token de administración del nodo, que se lee cuando ni --token, ni STOCKMESH_TOKEN, ni el fichero de configuración indican uno).",
		},
		msgBelowReorderLegend: {"! at or below its reorder point (%d).", "! en su punto de pedido o por debajo (%d)."},
		msgWatchWaiting:       {"Nothing to show until the node answers.", "Nada que mostrar hasta que el nodo responda."},
		msgWatchReconnectingIn: {"reconnecting… next attempt in %s (attempt %d); last error: %s",
			"reconectando… siguiente intento en %s (intento %d); último error: %s"},
		msgWatchRetrying: {"reconnecting… trying now (attempt %d); last error: %s",
			"reconectando… intentándolo ahora (intento %d); último error: %s"},
	}
}
