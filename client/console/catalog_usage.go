package console

// The console's own refusals of a command line (exit 2), numbered apart
// from the other catalogs so that each list grows on its own.
const (
	msgUsageMissing msg = iota + 9000
	msgUsageUnexpected
	msgUsageNotWhole
	msgUsageAtLeast
	msgUsageNotZero
	msgUsageKind
	msgUsageProductAdd
	msgUsageTokenRole
	msgUsageTokenName
	msgUsageTokenExpires
	msgUsageTransferTo
	msgUsageTransferStatus
	msgUsageUnknownCommand
	msgUsageFlagUnknown
	msgUsageFlagUnknownTakes
	msgUsageFlagNoValue
	msgUsageFlagBadValue
	msgUsageSeeHelp
	msgUsageNoFile
	msgUsageFileDenied
	msgUsageFile
)

// usageCatalog returns the command-line refusals in English and Spanish.
func usageCatalog() map[msg][2]string {
	return map[msg][2]string{
		msgUsageMissing:    {"missing %s", "falta %s"},
		msgUsageUnexpected: {"unexpected argument %q", "argumento de más: %q"},
		msgUsageNotWhole:   {"%s: %q is not a whole number", "%s: %q no es un número entero"},
		msgUsageAtLeast:    {"%s: must be at least %d", "%s: debe ser al menos %d"},
		msgUsageNotZero:    {"%s: must not be 0", "%s: no puede ser 0"},
		msgUsageKind: {"KIND: %q is not purchase, sale, return or adjustment",
			"TIPO: %q no es compra, venta, devolución ni ajuste (ni purchase, sale, return o adjustment)"},
		msgUsageProductAdd: {"product add needs --sku, --name and --price", "product add necesita --sku, --name y --price"},
		msgUsageTokenRole: {"token create needs --role viewer, operator or admin",
			"token create necesita --role viewer, operator o admin"},
		msgUsageTokenName: {"token create needs --name", "token create necesita --name"},
		msgUsageTokenExpires: {"--expires-in: %q is not a positive duration such as 720h",
			"--expires-in: %q no es una duración positiva como 720h"},
		msgUsageTransferTo: {"missing --to WAREHOUSE", "falta --to ALMACÉN"},
		msgUsageTransferStatus: {"--status: %q is not in_transit, cancel_requested, received or cancelled",
			"--status: %q no es in_transit, cancel_requested, received ni cancelled"},
		msgUsageUnknownCommand:   {"unknown command %q", "orden desconocida: %q"},
		msgUsageFlagUnknown:      {"unknown flag %s", "opción desconocida: %s"},
		msgUsageFlagUnknownTakes: {"unknown flag %s; %s takes %s", "opción desconocida: %s; %s admite %s"},
		msgUsageFlagNoValue:      {"flag %s needs a value", "la opción %s necesita un valor"},
		msgUsageFlagBadValue:     {"flag %s: %q is not a valid value", "opción %s: %q no es un valor válido"},
		msgUsageSeeHelp:          {"%s\nstockmesh help", "%s\nstockmesh help"},
		msgUsageNoFile:           {"%s: no such file", "%s: no existe ese fichero"},
		msgUsageFileDenied:       {"%s: permission denied", "%s: sin permiso"},
		msgUsageFile:             {"%s: %v", "%s: %v"},
	}
}
