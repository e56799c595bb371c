// i18n.js: the dashboard's words in English and Spanish, and numbers and
// dates in the chosen language's formats (Intl). The language comes from
// the switch once used (localStorage), else from the browser's language.

const words = {
  en: {
    title: 'stockmesh dashboard',
    loading: 'Loading…',
    tokenLabel: 'Bearer token',
    tokenPlaceholder: 'paste a token, or open this page as /dashboard#token=…',
    useToken: 'Use token',
    forget: 'Forget token',
    tokenNeeded: 'A token is needed to see the dashboard.',
    tokenRefused: 'The node refused this token: {0}',
    signedAs: '{0} ({1})',
    live: 'live',
    reconnecting: 'reconnecting…',
    network: 'Network',
    warehouse: 'Warehouse',
    status: 'Status',
    online: 'online',
    offline: 'offline',
    departed: 'departed',
    thisNode: 'this node',
    lastSeen: 'Last seen',
    behind: 'Behind',
    seq: 'Seq',
    digest: 'Digest',
    asOf: 'As of',
    problem: 'Replica problem',
    none: '—',
    stock: 'Stock',
    search: 'Search sku or name',
    products: '{0} products',
    sku: 'SKU',
    name: 'Name',
    onHand: 'on hand',
    available: 'available',
    inTransit: 'in transit',
    low: 'at or below its reorder point ({0})',
    product: 'Product',
    pickProduct: 'Pick a product in the table or a list to see its stock over time.',
    period: 'Period',
    days30: '30 days, by day',
    weeks26: '26 weeks, by week',
    months24: '24 months, by month',
    noHistory: 'No stock in this period.',
    movements: 'Recent movements',
    kind: 'Kind',
    quantity: 'Quantity',
    balance: 'Balance',
    when: 'When',
    lots: 'Lots',
    lot: 'Lot',
    noLot: '(no lot)',
    expires: 'Expires',
    locations: 'Locations',
    unplaced: '(unplaced)',
    transfers: 'Transfers',
    incoming: 'Incoming',
    outgoing: 'Outgoing',
    elsewhere: 'Between other warehouses',
    noTransfers: 'Nothing on its way.',
    from: 'From',
    to: 'To',
    receive: 'Receive',
    cancel: 'Cancel',
    actionFailed: '{0} failed: {1}',
    lowStock: 'Low stock',
    noLowStock: 'No product is at or below its reorder point.',
    expiring: 'Lots expiring within 30 days',
    noExpiring: 'No lot expires soon.',
    reorderPoint: 'reorder point',
    language: 'Language',
    IN_TRANSIT: 'in transit',
    CANCEL_REQUESTED: 'cancel requested',
    RECEIVED: 'received',
    CANCELLED: 'cancelled',
    UNVERIFIABLE: 'unverifiable entries',
    FORK: 'fork',
    VIEWER: 'viewer',
    OPERATOR: 'operator',
    ADMIN: 'admin',
    PURCHASE: 'purchase',
    SALE: 'sale',
    RETURN: 'return',
    ADJUSTMENT: 'adjustment',
    TRANSFER_OUT: 'transfer out',
    TRANSFER_IN: 'transfer in',
    RELOCATION: 'relocation',
  },
  es: {
    title: 'Panel de stockmesh',
    loading: 'Cargando…',
    tokenLabel: 'Token de acceso',
    tokenPlaceholder: 'pegue un token, o abra esta página como /dashboard#token=…',
    useToken: 'Usar token',
    forget: 'Olvidar token',
    tokenNeeded: 'Hace falta un token para ver el panel.',
    tokenRefused: 'El nodo rechazó este token: {0}',
    signedAs: '{0} ({1})',
    live: 'en vivo',
    reconnecting: 'reconectando…',
    network: 'Red',
    warehouse: 'Almacén',
    status: 'Estado',
    online: 'en línea',
    offline: 'sin conexión',
    departed: 'salió de la red',
    thisNode: 'este nodo',
    lastSeen: 'Visto por última vez',
    behind: 'Retraso',
    seq: 'Seq',
    digest: 'Resumen',
    asOf: 'Al',
    problem: 'Problema de réplica',
    none: '—',
    stock: 'Existencias',
    search: 'Buscar sku o nombre',
    products: '{0} productos',
    sku: 'SKU',
    name: 'Nombre',
    onHand: 'en almacén',
    available: 'disponible',
    inTransit: 'en tránsito',
    low: 'en o bajo su punto de pedido ({0})',
    product: 'Producto',
    pickProduct: 'Elija un producto en la tabla o en una lista para ver sus existencias en el tiempo.',
    period: 'Periodo',
    days30: '30 días, por día',
    weeks26: '26 semanas, por semana',
    months24: '24 meses, por mes',
    noHistory: 'Sin existencias en este periodo.',
    movements: 'Movimientos recientes',
    kind: 'Tipo',
    quantity: 'Cantidad',
    balance: 'Saldo',
    when: 'Cuándo',
    lots: 'Lotes',
    lot: 'Lote',
    noLot: '(sin lote)',
    expires: 'Caduca',
    locations: 'Ubicaciones',
    unplaced: '(sin ubicar)',
    transfers: 'Traspasos',
    incoming: 'Entrantes',
    outgoing: 'Salientes',
    elsewhere: 'Entre otros almacenes',
    noTransfers: 'Nada en camino.',
    from: 'Desde',
    to: 'Hacia',
    receive: 'Recibir',
    cancel: 'Cancelar',
    actionFailed: '{0} falló: {1}',
    lowStock: 'Existencias bajas',
    noLowStock: 'Ningún producto está en o bajo su punto de pedido.',
    expiring: 'Lotes que caducan en 30 días',
    noExpiring: 'Ningún lote caduca pronto.',
    reorderPoint: 'punto de pedido',
    language: 'Idioma',
    IN_TRANSIT: 'en tránsito',
    CANCEL_REQUESTED: 'cancelación pedida',
    RECEIVED: 'recibido',
    CANCELLED: 'cancelado',
    UNVERIFIABLE: 'entradas no verificables',
    FORK: 'bifurcación',
    VIEWER: 'lector',
    OPERATOR: 'operador',
    ADMIN: 'administrador',
    PURCHASE: 'compra',
    SALE: 'venta',
    RETURN: 'devolución',
    ADJUSTMENT: 'ajuste',
    TRANSFER_OUT: 'salida por traspaso',
    TRANSFER_IN: 'entrada por traspaso',
    RELOCATION: 'reubicación',
  },
};

// languages lists the languages the dashboard speaks.
export const languages = Object.keys(words);

const KEY = 'stockmesh.dashboard.lang';

// initialLanguage returns the language last chosen with the switch, else
// the browser's when the dashboard speaks it, else English.
export function initialLanguage() {
  const saved = localStorage.getItem(KEY);
  if (saved && words[saved]) return saved;
  for (const l of navigator.languages || [navigator.language]) {
    const base = String(l).slice(0, 2).toLowerCase();
    if (words[base]) return base;
  }
  return 'en';
}

// saveLanguage remembers the switch's choice on this browser.
export function saveLanguage(lang) {
  localStorage.setItem(KEY, lang);
}

// translator returns t(key, ...args) for lang, with its Intl formats as
// t.num, t.date, t.day.
export function translator(lang) {
  const dict = words[lang] || words.en;
  const t = (key, ...args) => {
    const s = dict[key] ?? words.en[key] ?? key;
    return s.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)]));
  };
  const num = new Intl.NumberFormat(lang);
  const date = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' });
  const day = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeZone: 'UTC' });
  t.lang = lang;
  t.num = (n) => (n === null || n === undefined ? '' : num.format(n));
  t.date = (s) => (s ? date.format(new Date(s)) : t('none'));
  t.day = (s) => (s ? day.format(new Date(s.length === 10 ? s + 'T00:00:00Z' : s)) : t('none'));
  return t;
}
