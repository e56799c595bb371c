package console

// msg identifies a sentence of the catalog.
type msg int

// The catalog's messages.
const (
	msgMenuTitle msg = iota + 1
	msgMenuAdd
	msgMenuGet
	msgMenuUpdateStock
	msgMenuList
	msgMenuDelete
	msgMenuMove
	msgMenuHistory
	msgMenuTransfer
	msgMenuWatch
	msgMenuWarehouses
	msgMenuExit
	msgMenuChoose
	msgMenuBadChoice
	msgInterrupted
	msgBye

	msgFieldSKU
	msgFieldName
	msgFieldDescription
	msgFieldPrice
	msgFieldQuantity
	msgFieldReorderPoint
	msgFieldNote
	msgFieldReference
	msgFieldKind
	msgFieldSearch
	msgFieldHowMany
	msgFieldNewQuantity
	msgFieldAmount
	msgFieldSignedAmount

	msgBadInt
	msgBadMin
	msgBadPrice
	msgNotZero
	msgRequired
	msgBadYesNo
	msgBadChoice

	msgConfirmDelete
	msgCancelled
	msgDeleted
	msgCreated
	msgUpdated
	msgStockSet
	msgRecorded
	msgNoProducts
	msgNoMovements
	msgTotalProducts

	msgColSKU
	msgColName
	msgColQuantity
	msgColPrice
	msgColReorder
	msgColWarehouse
	msgColUpdated
	msgColDescription
	msgColTime
	msgColKind
	msgColBalance
	msgColReference
	msgColNote
	msgColActor
	msgColID
	msgColLastChange
	msgColLocal
	msgColSeq
	msgColAsOf
	msgColDigest
	msgColStatus
	msgColLastSeen
	msgColBehind
	msgStatusLocal
	msgStatusOnline
	msgStatusOffline
	msgStatusDeparted
	msgStatusLocalLeft
	msgStatusNotFollowed
	msgNodeLeft
	msgReplicaFork
	msgReplicaUnverifiable
	msgLocalMark
	msgNoLevels
	msgBelowReorder
	msgYes
	msgNo

	msgKindPurchase
	msgKindSale
	msgKindReturn
	msgKindAdjustment
	msgKindTransferOut
	msgKindTransferIn

	msgErrNotFound
	msgErrAlreadyExists
	msgErrInsufficientStock
	msgErrShortfall
	msgErrInvalidInput
	msgErrUnauthenticated
	msgErrForbidden
	msgErrNoWarehouse
	msgErrNotOwner
	msgErrNotOwnerUnknown
	msgErrUnavailable
	msgErrOutcomeUnknown
	msgErrInternal
	msgErrUntrusted
	msgErrOther
	msgErrConfig

	msgWatchTitle
	msgWatchConnected
	msgWatchConnectedIn
	msgWatchConnectedAll
	msgWatchConnecting
	msgWatchFailed
	msgWatchMerged
	msgWatchEmpty

	msgTokenCreated
	msgTokenRevoked
	msgTokenActive
	msgTokenRevokedStatus
	msgTokenExpired
	msgColRole
	msgColCreated
	msgColExpires
	msgTransferSent
	msgTransferReceived
	msgTransferCancelled
	msgTransferCancelRequested
	msgNoTransfers
	msgColFrom
	msgColTo
	msgTransferInTransit
	msgTransferCancelRequestedStatus
	msgTransferReceivedStatus
	msgTransferCancelledStatus
	msgTransferActSend
	msgTransferActIncoming
	msgTransferActAll
	msgTransferActReceive
	msgTransferActCancel
	msgFieldTransferAction
	msgFieldTransferID
	msgFieldTo
	msgColInTransit

	msgUsage
)

// catalog returns every message in English and Spanish, indexed by Lang.
func catalog() map[msg][2]string {
	return map[msg][2]string{
		msgMenuTitle:       {"stockmesh — %s", "stockmesh — %s"},
		msgMenuAdd:         {"Add product", "Añadir producto"},
		msgMenuGet:         {"Get product", "Consultar producto"},
		msgMenuUpdateStock: {"Update stock", "Actualizar existencias"},
		msgMenuList:        {"List products", "Listar productos"},
		msgMenuDelete:      {"Delete product", "Eliminar producto"},
		msgMenuMove:        {"Record a movement", "Registrar un movimiento"},
		msgMenuHistory:     {"Movement history", "Historial de movimientos"},
		msgMenuTransfer:    {"Transfer to another warehouse", "Transferir a otro almacén"},
		msgMenuWatch:       {"Watch live stock", "Ver existencias en vivo"},
		msgMenuWarehouses:  {"Warehouses", "Almacenes"},
		msgMenuExit:        {"Exit", "Salir"},
		msgMenuChoose:      {"Choose an option", "Elija una opción"},
		msgMenuBadChoice:   {"There is no option %q; choose a number from the menu.", "No existe la opción %q; elija un número del menú."},
		msgInterrupted:     {"Interrupted; back to the menu.", "Interrumpido; de vuelta al menú."},
		msgBye:             {"Goodbye.", "Hasta luego."},

		msgFieldSKU:          {"SKU", "SKU"},
		msgFieldName:         {"Name", "Nombre"},
		msgFieldDescription:  {"Description", "Descripción"},
		msgFieldPrice:        {"Price", "Precio"},
		msgFieldQuantity:     {"Quantity", "Cantidad"},
		msgFieldReorderPoint: {"Reorder point", "Punto de pedido"},
		msgFieldNote:         {"Note", "Nota"},
		msgFieldReference:    {"Reference (order number)", "Referencia (n.º de pedido)"},
		msgFieldKind:         {"Kind", "Tipo"},
		msgFieldSearch:       {"Search (empty for all)", "Buscar (vacío para todos)"},
		msgFieldHowMany:      {"How many", "Cuántos"},
		msgFieldNewQuantity:  {"New quantity", "Nueva cantidad"},
		msgFieldAmount:       {"Units", "Unidades"},
		msgFieldSignedAmount: {"Units (+ adds, - removes)", "Unidades (+ suma, - resta)"},

		msgBadInt:    {"%q is not a whole number; please type digits, such as 12.", "%q no es un número entero; escriba cifras, por ejemplo 12."},
		msgBadMin:    {"The number must be at least %d.", "El número debe ser al menos %d."},
		msgBadPrice:  {"%q is not a price; type it like 9.99 (at most four decimals, not negative).", "%q no es un precio; escríbalo como 9,99 (cuatro decimales como mucho, no negativo)."},
		msgNotZero:   {"The number must not be 0.", "El número no puede ser 0."},
		msgRequired:  {"This field is required.", "Este campo es obligatorio."},
		msgBadYesNo:  {"Please answer y or n.", "Responda s o n."},
		msgBadChoice: {"Choose one of the numbers shown.", "Elija uno de los números mostrados."},

		msgConfirmDelete: {"Delete %s (%s, %d in stock)? [y/N]", "¿Eliminar %s (%s, %d en existencia)? [s/N]"},
		msgCancelled:     {"Cancelled; nothing was deleted.", "Cancelado; no se eliminó nada."},
		msgDeleted:       {"Deleted %s.", "Eliminado %s."},
		msgCreated:       {"Created %s.", "Creado %s."},
		msgUpdated:       {"Updated %s.", "Actualizado %s."},
		msgStockSet:      {"Stock of %s is now %s.", "Las existencias de %s son ahora %s."},
		msgRecorded:      {"Recorded. Stock of %s is now %s.", "Registrado. Las existencias de %s son ahora %s."},
		msgNoProducts:    {"No products.", "No hay productos."},
		msgNoMovements:   {"No movements.", "No hay movimientos."},
		msgTotalProducts: {"Products: %d.", "Productos: %d."},

		msgColSKU:            {"SKU", "SKU"},
		msgColName:           {"NAME", "NOMBRE"},
		msgColQuantity:       {"QUANTITY", "CANTIDAD"},
		msgColPrice:          {"PRICE", "PRECIO"},
		msgColReorder:        {"REORDER AT", "PEDIR EN"},
		msgColWarehouse:      {"WAREHOUSE", "ALMACÉN"},
		msgColUpdated:        {"UPDATED", "ACTUALIZADO"},
		msgColDescription:    {"DESCRIPTION", "DESCRIPCIÓN"},
		msgColTime:           {"TIME", "HORA"},
		msgColKind:           {"KIND", "TIPO"},
		msgColBalance:        {"BALANCE", "SALDO"},
		msgColReference:      {"REFERENCE", "REFERENCIA"},
		msgColNote:           {"NOTE", "NOTA"},
		msgColActor:          {"BY", "POR"},
		msgColID:             {"ID", "ID"},
		msgColLastChange:     {"LAST CHANGE", "ÚLTIMO CAMBIO"},
		msgColLocal:          {"LOCAL", "LOCAL"},
		msgColSeq:            {"SEQ", "SEC"},
		msgColAsOf:           {"AS OF", "A FECHA DE"},
		msgColDigest:         {"DIGEST", "RESUMEN"},
		msgColStatus:         {"STATUS", "ESTADO"},
		msgColLastSeen:       {"LAST SEEN", "VISTO"},
		msgColBehind:         {"BEHIND", "PENDIENTES"},
		msgStatusLocal:       {"this node", "este nodo"},
		msgStatusOnline:      {"online", "en línea"},
		msgStatusOffline:     {"offline", "sin conexión"},
		msgStatusDeparted:    {"departed", "salió de la red"},
		msgStatusLocalLeft:   {"this node, left the network", "este nodo, salió de la red"},
		msgStatusNotFollowed: {"not followed", "sin seguimiento"},
		msgNodeLeft: {"This node left the network: it records no more changes and follows no other warehouse; its data stays readable.",
			"Este nodo salió de la red: no registra más cambios ni sigue a ningún otro almacén; sus datos se pueden seguir consultando."},
		msgReplicaFork: {"%s signed two different histories (a restored backup or a copied data folder writing again): this node no longer applies its log (found in what %s served, %s). See the README's Signed histories.",
			"%s firmó dos historiales distintos (una copia de seguridad restaurada o una carpeta de datos copiada que vuelve a escribir): este nodo ya no aplica su registro (visto en lo que sirvió %s, %s). Véase «Signed histories» en el README."},
		msgReplicaUnverifiable: {"The log of %s that %s served failed verification (%s: %s): it was refused and is fetched from another member.",
			"El registro de %s que sirvió %s no superó la verificación (%s: %s): se rechazó y se pide a otro miembro."},
		msgLocalMark:    {"(this node)", "(este nodo)"},
		msgNoLevels:     {"No warehouse this node holds has %s.", "Ningún almacén de este nodo tiene %s."},
		msgBelowReorder: {"(below reorder point)", "(bajo el punto de pedido)"},
		msgYes:          {"yes", "sí"},
		msgNo:           {"no", "no"},

		msgKindPurchase:    {"purchase", "compra"},
		msgKindSale:        {"sale", "venta"},
		msgKindReturn:      {"return", "devolución"},
		msgKindAdjustment:  {"adjustment", "ajuste"},
		msgKindTransferOut: {"transfer out", "salida por transferencia"},
		msgKindTransferIn:  {"transfer in", "entrada por transferencia"},

		msgErrNotFound:          {"Product not found.", "Producto no encontrado."},
		msgErrAlreadyExists:     {"A product with that SKU already exists.", "Ya existe un producto con ese SKU."},
		msgErrInsufficientStock: {"Not enough stock for that.", "No hay existencias suficientes para eso."},
		msgErrShortfall:         {"Not enough stock of %s: %d in stock, %d requested.", "No hay existencias suficientes de %s: %d en existencia, %d solicitadas."},
		msgErrInvalidInput:      {"The node refused the data: %s", "El nodo rechazó los datos: %s"},
		msgErrUnauthenticated:   {"Not allowed: the node did not accept the token.", "No permitido: el nodo no aceptó el token."},
		msgErrForbidden:         {"Not allowed: %s", "No permitido: %s"},
		msgErrNoWarehouse:       {"This node holds nothing of warehouse %s.", "Este nodo no tiene nada del almacén %s."},
		msgErrNotOwner: {"Warehouse %s belongs to the node at %s; make this change there.",
			"El almacén %s pertenece al nodo %s; haga este cambio allí."},
		msgErrNotOwnerUnknown: {"Warehouse %s belongs to another node; make this change there.",
			"El almacén %s pertenece a otro nodo; haga este cambio allí."},
		msgErrUnavailable: {"The node at %s is unreachable; is it running?", "No se puede contactar con el nodo en %s; ¿está en marcha?"},
		msgErrOutcomeUnknown: {"The node could not confirm whether the change was saved; check before repeating it.",
			"El nodo no pudo confirmar si el cambio se guardó; compruébelo antes de repetirlo."},
		msgErrInternal:  {"The node had an internal error; try again later.", "El nodo tuvo un error interno; inténtelo más tarde."},
		msgErrUntrusted: {"The node's certificate is not signed by the configured CA; the connection was refused.", "El certificado del nodo no está firmado por la CA configurada; se rechazó la conexión."},
		msgErrOther:     {"Error: %v", "Error: %v"},
		msgErrConfig:    {"Cannot connect: %v", "No se puede conectar: %v"},

		msgWatchTitle:        {"Live stock — %s    (q + Enter to quit)", "Existencias en vivo — %s    (q + Intro para salir)"},
		msgWatchConnected:    {"connected, %d products", "conectado, %d productos"},
		msgWatchConnectedIn:  {"connected, %d products of warehouse %s", "conectado, %d productos del almacén %s"},
		msgWatchConnectedAll: {"connected, %d products in %d warehouses", "conectado, %d productos en %d almacenes"},
		msgWatchConnecting:   {"connecting…", "conectando…"},
		msgWatchFailed:       {"stopped: %s", "detenido: %s"},
		msgWatchMerged:       {"(merged)", "(agrupado)"},
		msgWatchEmpty:        {"No products yet.", "Todavía no hay productos."},

		msgTokenCreated:       {"Token %s for %s (%s); keep it now, it is not shown again:", "Token %s para %s (%s); guárdelo ahora, no se vuelve a mostrar:"},
		msgTokenRevoked:       {"Revoked token %s (%s).", "Revocado el token %s (%s)."},
		msgTokenActive:        {"active", "activo"},
		msgTokenRevokedStatus: {"revoked", "revocado"},
		msgTokenExpired:       {"expired", "caducado"},
		msgColRole:            {"ROLE", "ROL"},
		msgColCreated:         {"CREATED", "CREADO"},
		msgColExpires:         {"EXPIRES", "CADUCA"},

		msgTransferSent:     {"Transfer %s: %s × %s on its way to %s.", "Traslado %s: %s × %s en camino a %s."},
		msgTransferReceived: {"Transfer %s received: %s × %s.", "Traslado %s recibido: %s × %s."},
		msgTransferCancelled: {"Transfer %s cancelled; its stock returns to %s.",
			"Traslado %s cancelado; sus existencias vuelven a %s."},
		msgTransferCancelRequested: {"Cancellation of transfer %s requested; the stock returns once %s confirms it.",
			"Cancelación del traslado %s solicitada; las existencias vuelven cuando %s la confirme."},
		msgNoTransfers:                   {"No transfers.", "No hay traslados."},
		msgColFrom:                       {"FROM", "ORIGEN"},
		msgColTo:                         {"TO", "DESTINO"},
		msgTransferInTransit:             {"in transit", "en tránsito"},
		msgTransferCancelRequestedStatus: {"cancel requested", "cancelación solicitada"},
		msgTransferReceivedStatus:        {"received", "recibido"},
		msgTransferCancelledStatus:       {"cancelled", "cancelado"},
		msgTransferActSend:               {"Send a transfer", "Enviar un traslado"},
		msgTransferActIncoming:           {"Incoming transfers", "Traslados entrantes"},
		msgTransferActAll:                {"All transfers", "Todos los traslados"},
		msgTransferActReceive:            {"Receive a transfer", "Recibir un traslado"},
		msgTransferActCancel:             {"Cancel a transfer", "Cancelar un traslado"},
		msgFieldTransferAction:           {"What to do", "Qué hacer"},
		msgFieldTransferID:               {"Transfer id", "Id del traslado"},
		msgFieldTo:                       {"To warehouse", "Almacén de destino"},
		msgColInTransit:                  {"IN TRANSIT", "EN TRÁNSITO"},

		msgUsage: {usageEN, usageES},
	}
}
