// Burrow inspector: the live request list (server-sent events), the detail view, replay, curl and HAR.
// No build step and no dependencies: this file is served as is from the agent.
(() => {
  'use strict';
  const $ = (sel) => document.querySelector(sel);
  const list = $('#requests');
  const detail = $('#detail');
  const entries = new Map(); // id -> summary (the API's request object without raw)
  let selected = null;

  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v; else if (k === 'text') node.textContent = v;
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c);
    return node;
  };

  const fmtDuration = (ns) => {
    const ms = ns / 1e6;
    if (ms < 1) return `${(ns / 1e3).toFixed(0)} µs`;
    if (ms < 1000) return `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;
    return `${(ms / 1000).toFixed(2)} s`;
  };
  const fmtSize = (n) => n < 1024 ? `${n} B` : n < 1048576 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1048576).toFixed(1)} MB`;
  const fmtTime = (iso) => new Date(iso).toLocaleTimeString([], { hour12: false });
  const methodClass = (m) => ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(m) ? `m-${m}` : 'm-other';
  const statusOf = (r) => r.response ? r.response.status_code : 0;
  const header = (headers, name) => {
    for (const [k, v] of Object.entries(headers || {})) if (k.toLowerCase() === name.toLowerCase()) return v[0];
    return undefined;
  };

  function toast(text) {
    const t = $('#toast');
    t.textContent = text;
    t.classList.add('show');
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => t.classList.remove('show'), 1800);
  }

  // :: the list

  function matches(r) {
    const text = $('#filter-text').value.trim().toLowerCase();
    const method = $('#filter-method').value;
    const status = $('#filter-status').value;
    if (method && r.request.method !== method) return false;
    const code = statusOf(r);
    if (status === 'err' && code < 400 && code !== 0) return false;
    if (status && status !== 'err' && String(code)[0] !== status) return false;
    if (!text) return true;
    const hay = [r.request.method, r.request.uri, String(code), r.tunnel_name, r.remote_addr,
      JSON.stringify(r.request.headers), JSON.stringify(r.response ? r.response.headers : {})].join(' ').toLowerCase();
    return hay.includes(text);
  }

  function row(r, fresh) {
    const code = statusOf(r);
    const size = r.response ? r.response.body_size : 0;
    const li = el('li', {
      class: `req${fresh ? ' fresh' : ''}${selected === r.id ? ' selected' : ''}`, 'data-id': r.id, tabindex: 0,
      onclick: () => select(r.id), onkeydown: (e) => { if (e.key === 'Enter') select(r.id); },
    },
      el('span', { class: `method ${methodClass(r.request.method)}`, text: r.request.method }),
      el('span', { class: 'path', title: r.request.uri }, r.request.uri,
        r.replay ? el('span', { class: 'badge badge-replay', text: 'replay' }) : null,
        r.upgraded ? el('span', { class: 'badge badge-ws', text: 'upgrade' }) : null),
      el('span', { class: `status s${String(code)[0]}`, text: code ? String(code) : 'ERR', title: r.error || '' }),
      el('span', { class: 'num muted', text: fmtDuration(r.duration) }),
      el('span', { class: 'num muted', text: fmtSize(size) }),
      el('span', { class: 'num muted', text: fmtTime(r.start) }));
    li.hidden = !matches(r);
    return li;
  }

  function add(r, fresh) {
    entries.set(r.id, r);
    list.prepend(row(r, fresh));
    updateEmpty();
  }

  function refilter() {
    for (const li of list.children) li.hidden = !matches(entries.get(li.dataset.id));
    updateEmpty();
  }

  function updateEmpty() {
    const visible = [...list.children].some((li) => !li.hidden);
    $('#empty').hidden = visible;
    $('#empty').querySelector('p').textContent = entries.size === 0 ? 'No requests yet.' : 'No request matches the filters.';
  }

  async function loadInitial() {
    const res = await fetch('/api/requests/http?limit=1000');
    const body = await res.json();
    for (const r of body.requests.reverse()) if (!entries.has(r.id)) add(r, false);
  }

  function listen() {
    const events = new EventSource('/inspect/events');
    events.addEventListener('request', (e) => {
      const r = JSON.parse(e.data);
      if (!entries.has(r.id)) add(r, true);
    });
    events.addEventListener('clear', () => {
      entries.clear();
      list.replaceChildren();
      selected = null;
      detail.replaceChildren(el('div', { class: 'placeholder muted', text: 'Select a request to see it in full.' }));
      updateEmpty();
    });
    events.onopen = () => { if (listen.reconnected) loadInitial(); listen.reconnected = true; };
  }

  // :: the detail

  function highlightJson(text) {
    const frag = document.createDocumentFragment();
    const re = /("(?:\\.|[^"\\])*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;
    let last = 0;
    for (let m; (m = re.exec(text));) {
      frag.append(text.slice(last, m.index));
      if (m[1]) {
        frag.append(el('span', { class: m[2] ? 'j-key' : 'j-str', text: m[1] }));
        if (m[2]) frag.append(m[2]);
      } else if (m[3]) frag.append(el('span', { class: 'j-num', text: m[3] }));
      else frag.append(el('span', { class: 'j-lit', text: m[4] }));
      last = re.lastIndex;
    }
    frag.append(text.slice(last));
    return frag;
  }

  function bodyBlock(view, which) {
    if (!view || view.kind === 'empty') return el('div', { class: 'body-head' }, el('span', { text: 'No body' }));
    const label = { json: 'JSON', form: 'Form', text: 'Text', binary: 'Binary (hex)' }[view.kind] || view.kind;
    const info = [label, fmtSize(view.size)];
    if (view.content_encoding) info.push(`${view.content_encoding} → ${fmtSize(view.decoded_size)}`);
    const pre = el('pre', { class: `body${view.kind === 'binary' ? ' hex' : ''}`, id: `${which}-body`, 'data-kind': view.kind });
    if (view.kind === 'json') pre.append(highlightJson(view.text)); else pre.textContent = view.text || '';
    return el('div', {},
      el('div', { class: 'body-head' }, el('span', { text: info.join(' · ') }), el('span', { text: view.content_type || '' })),
      pre,
      view.decode_error ? el('div', { class: 'cut', text: view.decode_error }) : null,
      view.truncated ? el('div', { class: 'cut', text: `Cut: ${fmtSize(view.kept)} of ${fmtSize(view.size)} kept (the per-request capture limit).` }) : null);
  }

  function headersTable(headers) {
    const rows = [];
    for (const [k, vs] of Object.entries(headers || {})) for (const v of vs) rows.push(el('tr', {}, el('td', { text: k }), el('td', { text: v })));
    return el('table', { class: 'headers' }, el('tbody', {}, ...rows));
  }

  async function select(id) {
    selected = id;
    for (const li of list.children) li.classList.toggle('selected', li.dataset.id === id);
    const [full, reqBody, resBody] = await Promise.all([
      fetch(`/api/requests/http/${id}`).then((r) => r.ok ? r.json() : null),
      fetch(`/inspect/body/${id}/request`).then((r) => r.ok ? r.json() : null),
      fetch(`/inspect/body/${id}/response`).then((r) => r.ok ? r.json() : null),
    ]);
    if (selected !== id) return;
    if (!full) {
      detail.replaceChildren(el('div', { class: 'placeholder muted', text: 'This request is no longer kept (the capture budget is full).' }));
      return;
    }
    render(full, reqBody, resBody);
  }

  function render(r, reqBody, resBody) {
    const code = statusOf(r);
    const total = r.timings.total || r.duration;
    const wait = r.timings.headers ?? total;
    const waitPct = total ? Math.max(2, Math.min(100, (wait / total) * 100)) : 100;
    detail.replaceChildren(...[
      el('div', { class: 'summary' },
        el('span', { class: `method ${methodClass(r.request.method)}`, text: r.request.method }),
        el('h1', { text: r.request.uri }),
        r.replay ? el('span', { class: 'badge badge-replay', text: 'replay' }) : null,
        el('span', { class: `status s${String(code)[0]}`, text: r.response ? r.response.status : 'no response' })),
      el('div', { class: 'meta' },
        el('span', {}, 'Tunnel ', el('b', { text: r.tunnel_name })),
        el('span', {}, 'From ', el('b', { text: r.remote_addr })),
        el('span', {}, 'At ', el('b', { text: new Date(r.start).toLocaleString() })),
        el('span', {}, 'Duration ', el('b', { text: fmtDuration(r.duration) })),
        r.timings.headers != null ? el('span', {}, 'First byte ', el('b', { text: fmtDuration(r.timings.headers) })) : null,
        r.replay_of ? el('span', {}, 'Replay of ', el('a', { href: '#', onclick: (e) => { e.preventDefault(); select(r.replay_of); }, text: r.replay_of })) : null),
      el('div', { class: 'timing', title: 'waiting for the response headers, then the body' },
        el('div', { class: 'wait', style: `width:${waitPct}%` }), el('div', { class: 'recv', style: `width:${100 - waitPct}%` })),
      el('div', { class: 'actions' },
        el('button', { class: 'btn btn-primary', id: 'replay', type: 'button', onclick: () => replay({ id: r.id }), text: 'Replay' }),
        el('button', { class: 'btn', id: 'edit-replay', type: 'button', onclick: () => openEditor(r, reqBody), text: 'Edit & replay' }),
        el('button', { class: 'btn', id: 'copy-curl', type: 'button', onclick: () => copy(curlFor(r), 'Copied as curl'), text: 'Copy as curl' }),
        el('a', { class: 'btn btn-ghost', href: `/inspect/har?id=${r.id}`, download: true, text: 'HAR' })),
      r.error ? el('div', { class: 'card' }, el('h2', { text: 'Error' }), el('div', { class: 'startline error', text: r.error })) : null,
      el('div', { class: 'card', id: 'request-card' },
        el('h2', {}, el('span', { text: 'Request' }), el('span', { text: r.request.proto })),
        el('div', { class: 'startline', text: `${r.request.method} ${r.request.uri} ${r.request.proto}` }),
        headersTable(r.request.headers),
        bodyBlock(reqBody, 'req')),
      r.response ? el('div', { class: 'card', id: 'response-card' },
        el('h2', {}, el('span', { text: 'Response' }), el('span', { text: fmtSize(r.response.body_size) })),
        el('div', { class: 'startline', text: `${r.response.proto} ${r.response.status}` }),
        headersTable(r.response.headers),
        bodyBlock(resBody, 'resp')) : null,
    ].filter(Boolean));
  }

  // :: actions

  function rawBody(r) {
    const bin = atob(r.request.raw || '');
    const at = bin.indexOf('\r\n\r\n');
    const bytes = Uint8Array.from(at < 0 ? '' : bin.slice(at + 4), (c) => c.charCodeAt(0));
    try { return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), bytes }; } catch { return { text: null, bytes }; }
  }

  const shellQuote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
  const skipForCurl = new Set(['host', 'content-length', 'connection', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'accept-encoding']);

  function curlFor(r) {
    const host = header(r.request.headers, 'Host') || 'localhost';
    const scheme = header(r.request.headers, 'X-Forwarded-Proto') || 'https';
    const parts = ['curl'];
    if (r.request.method !== 'GET') parts.push('-X', r.request.method);
    parts.push(shellQuote(`${scheme}://${host}${r.request.uri}`));
    for (const [k, vs] of Object.entries(r.request.headers || {})) {
      if (skipForCurl.has(k.toLowerCase())) continue;
      for (const v of vs) parts.push('-H', shellQuote(`${k}: ${v}`));
    }
    const body = rawBody(r);
    if (body.bytes.length) parts.push(body.text !== null ? '--data-raw' : '--data-binary', body.text !== null ? shellQuote(body.text) : '@body.bin');
    return parts.join(' ');
  }

  async function copy(text, done) {
    try { await navigator.clipboard.writeText(text); } catch {
      const area = el('textarea', {}, text);
      document.body.append(area); area.select(); document.execCommand('copy'); area.remove();
    }
    toast(done);
  }

  async function replay(payload) {
    const res = await fetch('/api/requests/http', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
    if (res.status === 204) {
      const id = res.headers.get('X-Burrow-Request-Id');
      toast('Replayed');
      if (id) setTimeout(() => select(id), 150);
      return null;
    }
    const err = await res.json().catch(() => ({ msg: `HTTP ${res.status}` }));
    toast(err.msg);
    return err.msg;
  }

  function openEditor(r, reqBody) {
    const dialog = $('#edit-dialog');
    const method = $('#edit-method');
    if (![...method.options].some((o) => o.value === r.request.method)) method.append(el('option', { text: r.request.method }));
    method.value = r.request.method;
    $('#edit-path').value = r.request.uri;
    const lines = [];
    for (const [k, vs] of Object.entries(r.request.headers || {})) {
      if (['content-length', 'transfer-encoding', 'connection'].includes(k.toLowerCase())) continue;
      for (const v of vs) lines.push(`${k}: ${v}`);
    }
    $('#edit-headers').value = lines.join('\n');
    const raw = rawBody(r);
    $('#edit-body').value = reqBody && reqBody.kind === 'json' && !reqBody.content_encoding ? reqBody.text : (raw.text ?? '');
    $('#edit-error').hidden = true;
    dialog.dataset.id = r.id;
    dialog.showModal();
  }

  async function sendEdited() {
    const dialog = $('#edit-dialog');
    const headers = {};
    for (const line of $('#edit-headers').value.split('\n')) {
      if (!line.trim()) continue;
      const at = line.indexOf(':');
      if (at <= 0) { showEditError(`Not a header: ${line}`); return; }
      const name = line.slice(0, at).trim();
      (headers[name] = headers[name] || []).push(line.slice(at + 1).trim());
    }
    const err = await replay({ id: dialog.dataset.id, method: $('#edit-method').value, uri: $('#edit-path').value, headers, body: $('#edit-body').value });
    if (err) showEditError(err); else dialog.close();
  }

  function showEditError(text) {
    const p = $('#edit-error');
    p.textContent = text;
    p.hidden = false;
  }

  // :: header: tunnels and session

  async function refreshStatus() {
    try {
      const [status, tunnels] = await Promise.all([fetch('/api/status').then((r) => r.json()), fetch('/api/tunnels').then((r) => r.json())]);
      const pill = $('#session');
      pill.textContent = status.status + (status.session.legs[0].latency ? ` · ${status.session.legs[0].latency}` : '');
      pill.className = `pill ${status.status === 'online' ? 'pill-ok' : 'pill-warn'}`;
      pill.title = status.reason || 'Session with the edge';
      $('#tunnels').replaceChildren(...tunnels.tunnels.map((t) => el('div', { class: 'tunnel', title: t.name },
        el('a', { href: t.public_url, target: '_blank', rel: 'noopener', text: t.public_url.replace(/^https?:\/\//, '') }),
        el('span', { class: 'arrow', text: '→' }), el('span', { class: 'addr', text: t.config.addr }))));
    } catch {
      $('#session').textContent = 'agent stopped';
      $('#session').className = 'pill pill-warn';
    }
  }

  $('#filter-text').addEventListener('input', refilter);
  $('#filter-method').addEventListener('change', refilter);
  $('#filter-status').addEventListener('change', refilter);
  $('#clear').addEventListener('click', () => fetch('/api/requests/http', { method: 'DELETE' }));
  $('#edit-send').addEventListener('click', sendEdited);
  $('#edit-cancel').addEventListener('click', () => $('#edit-dialog').close());

  updateEmpty();
  listen();
  loadInitial();
  refreshStatus();
  setInterval(refreshStatus, 5000);
})();
