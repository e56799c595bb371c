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

// PAGE_SIZE is the node's largest page of products (stock.MaxPageSize).
export const PAGE_SIZE = 500;

// productPages returns one query reading the next page of products of
// each warehouse in cursors (warehouse id → the cursor to read after, null
// for the first page), under aliases w0, w1, …: one request per round
// for every warehouse.
export function productPages(cursors) {
  const ids = Object.keys(cursors);
  const vars = {};
  const params = [];
  const fields = ids.map((id, i) => {
    vars['w' + i] = id;
    vars['a' + i] = cursors[id];
    params.push(`$w${i}: ID, $a${i}: String`);
    return `w${i}: products(warehouse: $w${i}, first: ${PAGE_SIZE}, after: $a${i}) {
    edges { node { sku name quantity available reorderPoint belowReorderPoint } }
    pageInfo { hasNextPage endCursor }
  }`;
  });
  return { query: `query Products(${params.join(', ')}) {\n  ${fields.join('\n  ')}\n}`, vars, ids };
}

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

export const HISTORY = `query History($sku: ID!, $from: Time!, $to: Time!, $step: ReportGroup!) {
  stockHistory(sku: $sku, from: $from, to: $to, step: $step) { warehouse { id } at quantity }
}`;

export const PRODUCT_DETAIL = `query ProductDetail($sku: ID!) {
  movements(filter: { sku: $sku }, first: 20) {
    edges { node { id kind quantity balance createdAt warehouse { id } } }
  }
}`;

export const PRODUCT_LOTS = `query ProductLots($sku: ID!) {
  product(sku: $sku) {
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
