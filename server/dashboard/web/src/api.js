// api.js: the dashboard's way to the node. Queries and mutations are POSTs
// to the page's GraphQL endpoint with the token in the Authorization
// header; subscriptions go over one graphql-ws websocket, the token in
// connection_init's payload. The token is never put in a URL.
import { createClient } from 'graphql-ws/client';

// GraphQLError is a GraphQL error answer: code is its extensions.code.
export class GraphQLError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code || 'INTERNAL';
  }
}

// endpoints returns the HTTP and websocket URLs of the endpoint path.
function endpoints(endpoint) {
  const url = new URL(endpoint, location.href);
  const ws = new URL(url.href);
  ws.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return { http: url.href, ws: ws.href };
}

// connect returns the node's API for token: query(text, variables) and
// subscribe(text, variables, onData) returning an unsubscribe function;
// onStatus(connected) follows the websocket, true again after each
// reconnection (the caller then reads again what it may have missed).
export function connect(endpoint, token, onStatus) {
  const e = endpoints(endpoint);
  const auth = { Authorization: `Bearer ${token}` };

  async function query(text, variables = {}) {
    const res = await fetch(e.http, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...auth },
      body: JSON.stringify({ query: text, variables }),
      credentials: 'omit',
      cache: 'no-store',
    });
    let body;
    try {
      body = await res.json();
    } catch {
      throw new GraphQLError(`HTTP ${res.status}`, res.status === 401 ? 'UNAUTHENTICATED' : 'INTERNAL');
    }
    if (body.errors && body.errors.length) {
      const err = body.errors[0];
      throw new GraphQLError(err.message, err.extensions && err.extensions.code);
    }
    return body.data;
  }

  let connectedOnce = false;
  const ws = createClient({
    url: e.ws,
    connectionParams: auth,
    lazy: false,
    keepAlive: 15000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    on: {
      connected: () => {
        onStatus(true, connectedOnce);
        connectedOnce = true;
      },
      closed: () => onStatus(false, connectedOnce),
    },
  });

  function subscribe(text, variables, onData) {
    return ws.subscribe(
      { query: text, variables },
      {
        next: (msg) => msg.data && onData(msg.data),
        error: () => {},
        complete: () => {},
      },
    );
  }

  return { query, subscribe, close: () => ws.dispose() };
}

const KEY = 'stockmesh.dashboard.token';

// takeToken moves a token from the URL fragment (#token=…, which browsers
// never send to the server) into session storage, removes it from the
// address bar, and returns the token the dashboard should use ('' for none).
export function takeToken() {
  const params = new URLSearchParams(location.hash.slice(1));
  const fromURL = params.get('token');
  if (fromURL !== null) {
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + location.search + (rest ? '#' + rest : ''));
    storeToken(fromURL.trim());
  }
  return sessionStorage.getItem(KEY) || '';
}

// storeToken keeps token for this tab's session ('' forgets it).
export function storeToken(token) {
  if (token) sessionStorage.setItem(KEY, token);
  else sessionStorage.removeItem(KEY);
}
