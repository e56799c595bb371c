package console

// Usage texts, one per language.
const (
	usageEN = `Usage: stockmesh [flags] [command]

Without a command, stockmesh shows the interactive menu.

Commands:
  product add --sku SKU --name NAME --price 9.99 [--quantity N] [--description D] [--reorder N] [--max N]
              [--unit kg] [--packs box=12,tray=30]
  product get SKU
  product update SKU [--name N] [--description D] [--price P] [--quantity N] [--reorder N] [--max N] [--note N]
  product delete SKU [--yes]
  product history SKU
  products [--warehouse ID|all] [--search TEXT]
       (all: every warehouse the node holds side by side, with the units in transit to each)
  stock set SKU QUANTITY [--note N]
  stock levels SKU
  move purchase|sale|return|adjustment SKU QUANTITY [--ref REF] [--note N] [--key KEY] [--allow-repeat]
       (with --ref, the same movement run again is refused unless --allow-repeat)
       [--lot CODE [--expires YYYY-MM-DD]] [--location BIN] [--pack NAME]
       (a sale without --lot takes the soonest-expiring lots first; --pack box: QUANTITY in boxes)
  lots SKU [--warehouse ID]   (the stock by lot, soonest-expiring first)
  bins [--warehouse ID]       (the locations, by path, with the units at each)
  bins add CODE [--parent CODE] [--name NAME]
  relocate SKU QUANTITY --to BIN [--from BIN] [--lot CODE]
       (moves units between locations; the stock does not change)
  history [--sku SKU] [--kind KIND,…] [--warehouse ID] [--ref REF] [--from DAY] [--to DAY]
          [--lot CODE] [--location BIN] [--first N] [--csv FILE]   (default: every warehouse the node holds)
       (--from DAY starts at the day's beginning, --to DAY takes in the whole day, both in this
        computer's time zone; a time such as 2026-11-01T10:00:00Z is exact, --to's exclusive;
        kinds: purchase, sale, return, adjustment, transfer_out, transfer_in)
  report [--group-by month,sku] [--tz ZONE] [history's filters] [--csv FILE]
       (groups: sku, kind, warehouse, day, week, month, lot)
  import FILE.csv [--dry-run]   (columns: sku,name,description,price,quantity,reorderPoint,maxStock)
  watch [--sku SKU] [--warehouse ID|all]
       (default: this node's own warehouse; all: every warehouse it holds; LOW: at or below the reorder point)
  warehouses
  transfer SKU QUANTITY --to WAREHOUSE [--ref REF] [--note N] [--key KEY]
  transfers [--incoming] [--status in_transit|cancel_requested|received|cancelled] [--first N]
  receive ID
  cancel ID
       (on the receiving node: cancelled at once; on the sending node: a request
        the receiver confirms, then the stock returns)
  reserve SKU QUANTITY [--ref REF] [--expires 2h] [--key KEY]
       (holds units for an order: plain sales and transfers cannot take them)
  reservations [--status active|fulfilled|released|expired] [--sku SKU] [--warehouse ID] [--first N]
       (! marks a reservation the stock no longer covers)
  release ID
  fulfil ID [--quantity N]   (records the sale; with --quantity, sells N and releases the rest)
  who-has SKU QUANTITY       (the warehouses that can supply QUANTITY now, most available first)
  replenish [--warehouse W] [--request]
       (the transfers that bring products at or below their reorder point back up; --request
        asks their sources for those to this node's warehouse)
  requests [--incoming] [--first N]   (--incoming: those this node's warehouse decides)
  accept ID [--qty N]        (sends the transfer)
  decline ID [--reason R]
  count [ID]                 (counting on the floor: pick an open stocktake or start one, then
                              a sku and what the shelf holds, one after another; an empty sku ends)
  stocktake start [--sku A,B] [--note N]   (default: every live product)
  stocktake show [ID]
  stocktake finalize ID      (posts each line's variance as an ADJUSTMENT; sales during the count
                              are not variances)
  stocktake cancel ID
  token create --role viewer|operator|admin --name NAME [--expires-in 720h]
  token list
  token revoke ID
       (tokens: admins only; the secret is shown once)
  config init [--force]
       (writes the settings below to the config file, once; --force replaces it)
  version

Prices are written 9.99: a point before the decimals; thousands may be grouped as the console
shows them (12,345.50) when there are decimals, never without (1,000 is refused as ambiguous).

Flags (anywhere on the line):
  --server URL   node address (STOCKMESH_SERVER; default: the address in ./data/node.addr,
                 else https://localhost:8443)
  --token TOKEN  access token (STOCKMESH_TOKEN; default ./data/admin.token)
  --ca FILE      CA certificate (STOCKMESH_CA; default ./data/tls/ca.crt)
  --lang en|es   language (default from LANG)
  --json         machine-readable output
  --version      the version
Settings may also live in ~/.config/stockmesh/config as "key = value" lines
(server, token, ca, lang); "stockmesh config init", run beside the node's
data folder, writes them so that stockmesh works from any directory.

Exit codes: 0 success, 1 request refused, 2 usage, 3 node unreachable.
`
	usageES = `Uso: stockmesh [opciones] [orden]

Sin orden, stockmesh muestra el menú interactivo.

Órdenes:
  product add --sku SKU --name NOMBRE --price 9,99 [--quantity N] [--description D] [--reorder N] [--max N]
              [--unit kg] [--packs caja=12,bandeja=30]
  product get SKU
  product update SKU [--name N] [--description D] [--price P] [--quantity N] [--reorder N] [--max N] [--note N]
  product delete SKU [--yes]
  product history SKU
  products [--warehouse ID|all] [--search TEXTO]
       (all o todos: todos los almacenes del nodo, uno junto a otro, con lo que va en tránsito a cada uno)
  stock set SKU CANTIDAD [--note N]
  stock levels SKU
  move purchase|sale|return|adjustment SKU CANTIDAD [--ref REF] [--note N] [--key CLAVE] [--allow-repeat]
       (también compra|venta|devolucion|ajuste; con --ref, el mismo movimiento
       repetido se rechaza salvo con --allow-repeat)
       [--lot CÓDIGO [--expires AAAA-MM-DD]] [--location UBICACIÓN] [--pack NOMBRE]
       (una venta sin --lot toma primero los lotes que antes caducan; --pack caja: CANTIDAD en cajas)
  lots SKU [--warehouse ID]   (las existencias por lote, primero las que antes caducan)
  bins [--warehouse ID]       (las ubicaciones, por ruta, con las unidades de cada una)
  bins add CÓDIGO [--parent CÓDIGO] [--name NOMBRE]
  relocate SKU CANTIDAD --to UBICACIÓN [--from UBICACIÓN] [--lot CÓDIGO]
       (mueve unidades entre ubicaciones; las existencias no cambian)
  history [--sku SKU] [--kind TIPO] [--warehouse ID] [--ref REF] [--from DÍA] [--to DÍA]
          [--lot CÓDIGO] [--location UBICACIÓN] [--first N] [--csv FICHERO]   (por defecto, todos los almacenes del nodo)
       (--from DÍA empieza al principio del día, --to DÍA abarca el día entero, ambos en la zona
        horaria de este ordenador; una hora como 2026-11-01T10:00:00Z es exacta, y en --to excluida;
        tipos: compra, venta, devolución, ajuste, salida, entrada, o en inglés)
  report [--group-by month,sku] [--tz ZONA] [los filtros de history] [--csv FICHERO]
       (grupos: sku, kind, warehouse, day, week, month, lot)
  import FICHERO.csv [--dry-run]   (columnas: sku,name,description,price,quantity,reorderPoint,maxStock)
  watch [--sku SKU] [--warehouse ID|all]
       (por defecto, el almacén de este nodo; all o todos: todos los que tiene;
       BAJO: en el punto de pedido o por debajo)
  warehouses
  transfer SKU CANTIDAD --to ALMACÉN [--ref REF] [--note N] [--key CLAVE]
  transfers [--incoming] [--status in_transit|cancel_requested|received|cancelled] [--first N]
  receive ID
  cancel ID
       (en el nodo que recibe: se cancela en el acto; en el que envía: una
        solicitud que el receptor confirma, y entonces vuelven las existencias)
  reserve SKU CANTIDAD [--ref REF] [--expires 2h] [--key CLAVE]
       (aparta unidades para un pedido: ni las ventas sin reserva ni los traslados pueden tomarlas)
  reservations [--status activa|servida|liberada|caducada] [--sku SKU] [--warehouse ID] [--first N]
       (! marca una reserva que las existencias ya no cubren)
  release ID
  fulfil ID [--quantity N]   (registra la venta; con --quantity, vende N y libera el resto)
  who-has SKU CANTIDAD       (los almacenes que pueden servir CANTIDAD ahora, los de más disponibles primero)
  replenish [--warehouse W] [--request]
       (los traspasos que reponen los productos en su punto de pedido o por debajo; --request
        los solicita a sus orígenes para el almacén de este nodo)
  requests [--incoming] [--first N]   (--incoming: las que decide el almacén de este nodo)
  accept ID [--qty N]        (envía el traspaso)
  decline ID [--reason R]
  count [ID]                 (recuento en el almacén: elija un inventario abierto o empiece uno, y
                              luego un sku y lo que hay en la estantería, uno tras otro; un sku vacío termina)
  stocktake start [--sku A,B] [--note N]   (por omisión: todos los productos)
  stocktake show [ID]
  stocktake finalize ID      (registra la diferencia de cada línea como un AJUSTE; las ventas durante
                              el recuento no son diferencias)
  stocktake cancel ID
  token create --role viewer|operator|admin --name NOMBRE [--expires-in 720h]
  token list
  token revoke ID
       (tokens: solo administradores; el secreto se muestra una vez)
  config init [--force]
       (escribe la configuración de abajo en el fichero, una vez; --force lo reemplaza)
  version

Los precios se escriben 9,99: coma antes de los decimales; los millares pueden ir agrupados como
los muestra la consola (12.345,50) si hay decimales, nunca sin ellos (1.500 se rechaza por ambiguo).

Opciones (en cualquier lugar de la línea):
  --server URL   dirección del nodo (STOCKMESH_SERVER; por defecto, la de ./data/node.addr,
                 si no https://localhost:8443)
  --token TOKEN  token de acceso (STOCKMESH_TOKEN; por defecto ./data/admin.token)
  --ca FICHERO   certificado de la CA (STOCKMESH_CA; por defecto ./data/tls/ca.crt)
  --lang en|es   idioma (por defecto según LANG)
  --json         salida para programas
  --version      la versión
La configuración también puede estar en ~/.config/stockmesh/config, con
líneas "clave = valor" (server, token, ca, lang); "stockmesh config init",
ejecutado junto a la carpeta de datos del nodo, la escribe para que stockmesh
funcione desde cualquier directorio.

Códigos de salida: 0 éxito, 1 petición rechazada, 2 uso incorrecto, 3 nodo inalcanzable.
`
)
