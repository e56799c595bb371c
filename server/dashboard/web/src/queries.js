// queries.js: every GraphQL operation the dashboard sends.

export const ME = `query Me { me { name role } localWarehouse { id name } warehouses { id } }`;

export const NETWORK = `query Network {
  warehouses {
    id name local online lastSeen departed departedAt behind
    replica { seq digest asOf problem { kind servedBy since detail } }
  }
}`;

// NETWORK_FIRST is the network without the replicas' digests, which a node
// computes over each whole log the first time: the page asks it first, so
// that the digests do not slow its first load down.
export const NETWORK_FIRST = `query NetworkFirst {
  warehouses { id name local online lastSeen departed departedAt behind }
}`;

// ON_NETWORK is a warehouse each time what the node knows of it changes
// (online, behind, its replica's seq, digest or problem), at most a few
// times a second per warehouse.
export const ON_NETWORK = `subscription LiveNetwork {
  networkChanged {
    id name local online lastSeen departed departedAt behind
    replica { seq digest asOf problem { kind servedBy since detail } }
  }
}`;

// FIRST_SCREEN is how many skus the first page of the stock table holds:
// a screenful and more, shown before the rest is read.
export const FIRST_SCREEN = 100;

// TABLE_PAGE is the node's largest page of the stock table
// (stock.MaxStockTableRows): the rest comes in pages of that many.
export const TABLE_PAGE = 5000;

// STOCK_TABLE reads a page of the stock table in columns: one warehouse
// per column, one sku per row, in transit as the node counts it.
export const STOCK_TABLE = `query StockTable($first: Int!, $after: ID) {
  stockTable(first: $first, after: $after) {
    skus names hasNextPage endCursor
    columns { warehouse quantity available reorderPoint inTransit }
  }
}`;

// IN_TRANSIT reads the units of a sku on their way to each warehouse,
// after a transfer of it changed.
export const IN_TRANSIT = `query InTransit($sku: ID!) { stockLevels(sku: $sku) { warehouse { id } inTransit } }`;

const TRANSFER_FIELDS = `id status sku quantity reference createdAt from { id name } to { id name }`;

export const TRANSFERS = `query Transfers($status: TransferStatus) {
  transfers(status: $status, first: 500) { edges { node { ${TRANSFER_FIELDS} } } }
}`;

export const RECEIVE = `mutation Receive($id: ID!) { receiveTransfer(id: $id) { ${TRANSFER_FIELDS} } }`;
export const CANCEL = `mutation Cancel($id: ID!) { cancelTransfer(id: $id) { ${TRANSFER_FIELDS} } }`;

export const ALERTS = `query Alerts($days: Int!) {
  lowStock { sku name quantity reorderPoint warehouse { id } }
  expiringLots(withinDays: $days) { sku code expiresOn quantity warehouse { id } }
}`;

export const HISTORY = `query History($sku: ID!, $from: Time!, $to: Time!, $step: ReportGroup!, $zone: String) {
  stockHistory(sku: $sku, from: $from, to: $to, step: $step, timeZone: $zone) { warehouse { id } at quantity }
}`;

export const PRODUCT_DETAIL = `query ProductDetail($sku: ID!) {
  movements(filter: { sku: $sku }, first: 20) {
    edges { node { id kind quantity balance createdAt warehouse { id } } }
  }
}`;

// PRODUCT_LOTS reads a product's lots and locations in one warehouse (the
// replicas hold both, as their logs carry them).
export const PRODUCT_LOTS = `query ProductLots($sku: ID!, $warehouse: ID) {
  product(sku: $sku, warehouse: $warehouse) {
    lots { code expiresOn quantity }
    locations { location { code path } quantity }
  }
}`;

export const ON_STOCK = `subscription LiveStock {
  stockChanged { warehouse { id } sku quantity available deleted }
}`;

export const ON_TRANSFER = `subscription LiveTransfers { transferUpdated { ${TRANSFER_FIELDS} } }`;

export const ON_LOW = `subscription LiveLowStock {
  lowStockAlert { warehouse { id } sku low quantity reorderPoint product { name } }
}`;

export const ON_EXPIRING = `subscription LiveExpiring($days: Int!) {
  lotExpiring(withinDays: $days) { warehouse { id } sku code expiresOn quantity }
}`;
