// playground.js starts GraphiQL against the page's endpoint and sends the
// user's bearer token on every request: as the Authorization header over
// HTTP, and in connection_init's payload over the websocket. The token comes
// from the form or once from the URL fragment (#token=…, which browsers never
// send to the server); it is kept in sessionStorage, or in localStorage when
// the user asks to be remembered. On a first visit the editor holds the
// page's data-default-query (a stockmesh example) instead of GraphiQL's
// generic welcome; later visits keep what the user last wrote.
(function () {
  'use strict';

  var KEY = 'stockmesh.playground.token';
  var form = document.getElementById('token-form');
  var input = document.getElementById('token');
  var remember = document.getElementById('remember');
  var state = document.getElementById('token-state');
  var mount = document.getElementById('graphiql');
  var root = ReactDOM.createRoot(mount);
  var generation = 0;

  function endpoints() {
    var url = new URL(mount.dataset.endpoint, location.href);
    var ws = new URL(url.href);
    ws.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return { url: url.href, subscriptionUrl: ws.href };
  }

  function tokenFromFragment() {
    var params = new URLSearchParams(location.hash.slice(1));
    var token = params.get('token');
    if (token === null) {
      return null;
    }
    params.delete('token');
    var rest = params.toString();
    history.replaceState(null, '', location.pathname + location.search + (rest ? '#' + rest : ''));
    return token.trim();
  }

  function storedToken() {
    return sessionStorage.getItem(KEY) || localStorage.getItem(KEY) || '';
  }

  function store(token, keep) {
    sessionStorage.removeItem(KEY);
    localStorage.removeItem(KEY);
    if (token) {
      (keep ? localStorage : sessionStorage).setItem(KEY, token);
    }
  }

  function fetcher(token) {
    var auth = token ? { Authorization: 'Bearer ' + token } : {};
    var e = endpoints();
    return GraphiQL.createFetcher({
      url: e.url,
      subscriptionUrl: e.subscriptionUrl,
      headers: auth,
      wsConnectionParams: auth,
      enableIncrementalDelivery: false
    });
  }

  function start(token) {
    form.classList.toggle('missing', !token);
    state.textContent = token ? 'token set' : 'no token: requests will be refused';
    input.value = '';
    generation += 1;
    root.render(React.createElement(GraphiQL, {
      key: 'token-' + generation, // a new token needs a new websocket client
      fetcher: fetcher(token),
      defaultQuery: mount.dataset.defaultQuery,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false
    }));
  }

  form.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var token = input.value.trim();
    store(token, remember.checked);
    start(token);
  });

  document.getElementById('forget').addEventListener('click', function () {
    store('', false);
    start('');
  });

  var initial = tokenFromFragment();
  if (initial !== null) {
    store(initial, localStorage.getItem(KEY) !== null);
  }
  remember.checked = localStorage.getItem(KEY) !== null;
  start(storedToken());
})();
