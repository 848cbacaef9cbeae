// Burrow admin page: plain JS, no build step. The API key lives in sessionStorage (this tab only)
// and is sent as a Bearer header; every call goes to the same /api/v1 the CLI uses.
'use strict';

const KEY = 'burrow.admin.apiKey';
const $ = (id) => document.getElementById(id);
let timer = null;

function apiKey() { return sessionStorage.getItem(KEY); }

// body: an object sent as JSON, or a string sent as it is (a traffic policy document).
async function api(method, path, body) {
  const init = { method, headers: { 'Authorization': 'Bearer ' + apiKey() } };
  if (typeof body === 'string') {
    init.headers['Content-Type'] = 'application/yaml';
    init.body = body;
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch('/api/v1/' + path, init);
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(data && data.msg ? `${data.error_code}: ${data.msg}` : `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text === null || text === undefined || text === '' ? '-' : String(text);
  if (className) td.className = className;
  return td;
}

function button(label, className, onClick) {
  const td = document.createElement('td');
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.className = className;
  b.addEventListener('click', async () => {
    b.disabled = true;
    try { await onClick(); } catch (e) { showError(e); } finally { b.disabled = false; }
  });
  td.appendChild(b);
  return td;
}

function fill(tableId, rows, columns, empty) {
  const tbody = $(tableId).querySelector('tbody');
  const fresh = document.createDocumentFragment();
  if (rows.length === 0) {
    const tr = document.createElement('tr');
    const td = cell(empty, 'empty');
    td.colSpan = columns;
    tr.appendChild(td);
    fresh.appendChild(tr);
  }
  for (const row of rows) fresh.appendChild(row);
  tbody.replaceChildren(fresh);
}

function row(id, cells) {
  const tr = document.createElement('tr');
  tr.dataset.id = id;
  for (const c of cells) tr.appendChild(c);
  return tr;
}

function bytes(n) {
  if (n < 1024) return n + ' B';
  if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB';
  if (n < 1073741824) return (n / 1048576).toFixed(1) + ' MiB';
  return (n / 1073741824).toFixed(2) + ' GiB';
}

function duration(s) {
  if (s < 60) return s + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm' + String(s % 60).padStart(2, '0') + 's';
  return Math.floor(s / 3600) + 'h' + String(Math.floor(s % 3600 / 60)).padStart(2, '0') + 'm';
}

function time(t) { return t ? new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-'; }

function showError(e) {
  if (e && e.status === 401) { logout('The API key was refused: ' + e.message); return; }
  $('error').textContent = e ? e.message : '';
}

async function refreshLive() {
  const [sessions, tunnels] = await Promise.all([api('GET', 'sessions'), api('GET', 'tunnels')]);
  fill('sessions', sessions.map(s => row(s.id, [
    cell(s.id), cell(`${s.agent_name} ${s.agent_version}`), cell(s.remote_address), cell(s.connected ? 'connected' : 'away'),
    cell(duration(s.uptime_seconds)), cell(s.tunnel_count), cell(s.traffic.requests), cell(s.traffic.connections),
    cell(bytes(s.traffic.bytes_in)), cell(bytes(s.traffic.bytes_out)),
    button('Kill', 'danger', async () => { await api('DELETE', 'sessions/' + encodeURIComponent(s.id)); await refreshLive(); }),
  ])), 11, 'No live sessions.');
  fill('tunnels', tunnels.map(t => row(t.id, [
    cell(t.id), cell(t.session_id), cell(t.proto), cell(t.urls[0] || t.hostname), cell(t.forwards_to),
    cell(t.traffic.requests), cell(t.traffic.connections), cell(bytes(t.traffic.bytes_in)), cell(bytes(t.traffic.bytes_out)),
    button('Traffic', '', async () => { trafficTunnel = { id: t.id, url: t.urls[0] || t.hostname }; await refreshTraffic(); }),
  ])), 10, 'No tunnels.');
  if (trafficTunnel) await refreshTraffic();
  $('status').textContent = `${sessions.length} session(s), ${tunnels.length} tunnel(s) · updated ${new Date().toLocaleTimeString()}`;
}

// The edge's log of the chosen tunnel's recent requests (or tcp/tls connections), newest first.
let trafficTunnel = null;

async function refreshTraffic() {
  let entries;
  try {
    entries = await api('GET', 'tunnels/' + encodeURIComponent(trafficTunnel.id) + '/traffic?limit=50');
  } catch (e) {
    if (e.status === 404) { trafficTunnel = null; $('traffic-section').hidden = true; return; }
    throw e;
  }
  $('traffic-section').hidden = false;
  $('traffic-tunnel').textContent = `${trafficTunnel.url} · ${trafficTunnel.id}`;
  fill('traffic', entries.map(e => row('', [
    cell(time(e.time)), cell(e.client), cell(e.path ? `${e.method} ${e.path}` : e.method), cell(e.status || ''),
    cell(e.duration_ms.toFixed(1) + ' ms'), cell(bytes(e.bytes_in)), cell(bytes(e.bytes_out)), cell(e.error_code, e.error_code ? 'error-code' : ''),
  ])), 8, 'No traffic yet.');
}

async function refreshTokens() {
  const tokens = await api('GET', 'authtokens');
  fill('tokens', tokens.map(t => row(t.id, [
    cell(t.id, t.revoked_at ? 'revoked' : ''), cell(t.name), cell(t.hint + '…'),
    cell(t.scopes.hostnames.length ? t.scopes.hostnames.join(', ') : 'any'), cell(time(t.created_at)), cell(time(t.revoked_at)),
    t.revoked_at ? cell('') : button('Revoke', 'danger', async () => { await api('DELETE', 'authtokens/' + encodeURIComponent(t.id)); await refreshTokens(); }),
  ])), 7, 'No authtokens.');
}

function lines(text) { return text.replace(/\n$/, '').split('\n').length; }

async function refreshDomains() {
  const domains = await api('GET', 'reserved_domains');
  fill('domains', domains.map(d => row(d.id, [
    cell(d.id), cell(d.hostname), cell(d.description), cell(d.traffic_policy ? `pinned (${lines(d.traffic_policy)} lines)` : ''), cell(time(d.created_at)),
    button('Policy', 'plain', async () => openPolicy(d)),
    button('Release', 'danger', async () => { await api('DELETE', 'reserved_domains/' + encodeURIComponent(d.id)); closePolicy(d.id); await refreshDomains(); }),
  ])), 7, 'No reserved domains.');
}

// The editor of the traffic policy the operator pins to one reserved domain.
let policyDomain = null;

function openPolicy(d) {
  policyDomain = d.id;
  $('policy-host').textContent = d.hostname;
  $('policy-text').value = d.traffic_policy || '';
  $('policy-error').textContent = '';
  $('policy-editor').hidden = false;
  $('policy-text').focus();
}

function closePolicy(id) {
  if (id !== undefined && id !== policyDomain) return;
  policyDomain = null;
  $('policy-editor').hidden = true;
}

async function savePolicy(text) {
  const path = 'reserved_domains/' + encodeURIComponent(policyDomain) + '/traffic_policy';
  try {
    if (text === null) await api('DELETE', path); else await api('PUT', path, text);
    $('policy-error').textContent = '';
    closePolicy();
    await refreshDomains();
  } catch (e) {
    if (e.status === 401) { showError(e); return; }
    $('policy-error').textContent = e.message;
  }
}

// A failing renewal shows here within a poll: the state, the CA's own words, and when the edge tries again.
async function refreshCertificates() {
  const certificates = await api('GET', 'certificates');
  fill('certificates', certificates.map(c => row(c.names.join(','), [
    cell(c.names.join(', ')), cell(c.state, 'state-' + c.state), cell(c.issuer), cell(time(c.not_after)),
    cell(c.last_error, 'wrap'), cell(time(c.next_attempt)),
  ])), 6, 'No certificates (the edge gets one over ACME with --acme-email).');
}

// Who is in the cluster, their load, and the node link from this node (its RTT is the link's last ping).
async function refreshNodes() {
  const nodes = await api('GET', 'nodes');
  fill('nodes', nodes.map(n => row(n.name, [
    cell(n.self ? n.name + ' (this node)' : n.name), cell(n.state, 'state-' + n.state), cell(n.link_addr), cell(n.agent_addr),
    cell(time(n.started_at)), cell(time(n.heartbeat_at)),
    cell(n.load && typeof n.load === 'object' ? Object.entries(n.load).map(([k, v]) => k + '=' + v).join(' ') : '-'),
    cell(n.link), cell(n.link_rtt_ms == null ? '-' : n.link_rtt_ms + ' ms'),
  ])), 9, 'Not a node of a cluster (start the edge with --node-name, see docs/cluster.md).');
}

async function poll() {
  try { await Promise.all([refreshLive(), refreshCertificates(), refreshNodes()]); $('error').textContent = ''; } catch (e) { showError(e); }
}

async function start() {
  try {
    await Promise.all([refreshLive(), refreshTokens(), refreshDomains(), refreshCertificates(), refreshNodes()]);
  } catch (e) {
    if (e.status === 401) { logout('The API key was refused: ' + e.message); return; }
    showError(e);
  }
  $('login').hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
  clearInterval(timer);
  timer = setInterval(poll, 2000);
}

function logout(message) {
  clearInterval(timer);
  sessionStorage.removeItem(KEY);
  $('app').hidden = true;
  $('logout').hidden = true;
  $('login').hidden = false;
  $('status').textContent = '';
  $('login-error').textContent = message || '';
}

$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem(KEY, $('api-key').value.trim());
  $('api-key').value = '';
  $('login-error').textContent = '';
  start();
});

$('logout').addEventListener('click', () => logout(''));

$('token-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const hostnames = $('token-hostnames').value.split(',').map(h => h.trim()).filter(h => h);
  try {
    const created = await api('POST', 'authtokens', { name: $('token-name').value.trim(), scopes: { hostnames } });
    $('token-secret').textContent = created.token;
    $('token-secret-box').hidden = false;
    $('token-name').value = '';
    $('token-hostnames').value = '';
    $('error').textContent = '';
    await refreshTokens();
  } catch (err) { showError(err); }
});

$('domain-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  try {
    await api('POST', 'reserved_domains', { hostname: $('domain-hostname').value.trim(), description: $('domain-description').value.trim() || null });
    $('domain-hostname').value = '';
    $('domain-description').value = '';
    $('error').textContent = '';
    await refreshDomains();
  } catch (err) { showError(err); }
});

$('policy-save').addEventListener('click', () => savePolicy($('policy-text').value));
$('policy-clear').addEventListener('click', () => savePolicy(null));
$('policy-close').addEventListener('click', () => closePolicy());

if (apiKey()) start();
