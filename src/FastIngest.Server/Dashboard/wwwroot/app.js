// FastIngest dashboard: one module, no framework. The view's whole state lives in the URL
// (?tenant=&range=&tz=&from=&to=&live=), so a link reproduces it and back/forward walk through views.
// No tenant in the URL = the "All tenants" overview (a card per tenant) for callers who may read several.
// Data: the JSON API of docs/dashboard.md (/api/v1/...); the key, when the server needs one, stays in
// sessionStorage and goes out as "Authorization: Bearer".

const PANELS = ['summary', 'traffic', 'status', 'cache', 'top_files_downloads', 'top_files_bytes',
  'visitors', 'pixel', 'events', 'event_paths', 'refusals', 'sources', 'devices'];
const RANGES = ['today', '24h', '7d', '30d', '12m', 'custom'];
const LIVE_MS = 5000;
const OVERVIEW_MAX = 12;     // cards on the overview: 24 panel requests per refresh at most
const KEY_STORE = 'fastingest.key';
const BYTE_COLUMNS = new Set(['bytes_sent', 'body_bytes_sent']);
const METRIC_LABELS = {
  requests: 'Requests', bytes_sent: 'Bytes sent', visitors: 'Visitors', cache_hit_ratio: 'Cache hit ratio',
  error_rate: 'Error rate (5xx)', pixel_hits: 'Pixel hits', events: 'Events',
};

const $ = (id) => document.getElementById(id);
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const signedPercent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1, signDisplay: 'exceptZero' });
const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

let generation = 0;          // a newer load makes older answers stale
let inFlight = null;         // AbortController of the load under way
let liveTimer = 0;
let charts = [];
let cardCharts = [];
let lastTenants = [];
let me = null;

// ---- state <-> URL ---------------------------------------------------------------------------------

function readState() {
  const q = new URLSearchParams(location.search);
  const range = RANGES.includes(q.get('range')) ? q.get('range') : '24h';
  return {
    tenant: q.get('tenant') || '',
    range,
    tz: validZone(q.get('tz')) ? q.get('tz') : browserZone,
    from: q.get('from') || '',
    to: q.get('to') || '',
    live: q.get('live') !== 'off',
  };
}

function writeState(state, replace) {
  const url = urlOf(state);
  if (url === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', url); else history.pushState(null, '', url);
}

function urlOf(state) {
  const q = new URLSearchParams();
  if (state.tenant) q.set('tenant', state.tenant);
  q.set('range', state.range);
  q.set('tz', state.tz);
  if (state.range === 'custom') { q.set('from', state.from); q.set('to', state.to); }
  if (!state.live) q.set('live', 'off');
  return '/?' + q.toString();
}

function validZone(tz) {
  if (!tz) return false;
  try { new Intl.DateTimeFormat('en-US', { timeZone: tz }); return true; } catch { return false; }
}

// ---- time zones: the browser has no "midnight in zone X", so it is found from the zone's offset --------

function offsetMs(utcMs, tz) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
    hour: 'numeric', minute: 'numeric', second: 'numeric',
  }).formatToParts(new Date(utcMs));
  const v = Object.fromEntries(parts.map((p) => [p.type, Number(p.value)]));
  return Date.UTC(v.year, v.month - 1, v.day, v.hour, v.minute, v.second) - Math.floor(utcMs / 1000) * 1000;
}

// The UTC instant of the wall-clock time y-m-d h:00 in tz (twice, so a DST change in between settles).
function zoned(y, m, d, h, tz) {
  const wall = Date.UTC(y, m, d, h);
  let utc = wall - offsetMs(wall, tz);
  utc = wall - offsetMs(utc, tz);
  return utc;
}

function wallDate(utcMs, tz) {
  const local = new Date(utcMs + offsetMs(utcMs, tz));
  return { y: local.getUTCFullYear(), m: local.getUTCMonth(), d: local.getUTCDate(), h: local.getUTCHours() };
}

function isoDay(utcMs, tz) {
  const w = wallDate(utcMs, tz);
  return `${w.y}-${String(w.m + 1).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
}

// [from, to) of the state's range as UTC milliseconds; relative ranges end at the next whole minute/hour/day.
function window_(state, now = Date.now()) {
  const minute = 60_000, hour = 3_600_000;
  const today = wallDate(now, state.tz);
  const startOfDay = (offsetDays) => zoned(today.y, today.m, today.d + offsetDays, 0, state.tz);
  switch (state.range) {
    case 'today': return [startOfDay(0), startOfDay(1)];
    case '7d': { const to = Math.ceil((now + 1) / hour) * hour; return [to - 7 * 24 * hour, to]; }
    case '30d': return [startOfDay(-29), startOfDay(1)];
    case '12m': return [startOfDay(-364), startOfDay(1)];
    case 'custom': {
      const [fy, fm, fd] = (state.from || isoDay(now, state.tz)).split('-').map(Number);
      const [ty, tm, td] = (state.to || state.from || isoDay(now, state.tz)).split('-').map(Number);
      return [zoned(fy, fm - 1, fd, 0, state.tz), zoned(ty, tm - 1, td + 1, 0, state.tz)];
    }
    default: { const to = Math.ceil((now + 1) / minute) * minute; return [to - 24 * hour, to]; }
  }
}

// ---- the API -----------------------------------------------------------------------------------------

class HttpError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

async function api(path, signal) {
  const headers = { Accept: 'application/json' };
  const key = sessionStorage.getItem(KEY_STORE);
  if (key) headers.Authorization = 'Bearer ' + key;
  const response = await fetch(path, { headers, signal, cache: 'no-store' });
  if (!response.ok) {
    let message = response.statusText;
    try { message = (await response.json()).error || message; } catch { /* not JSON */ }
    throw new HttpError(response.status, message);
  }
  return response;
}

function panelQuery(state, panel, format) {
  const [from, to] = window_(state);
  const q = new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), tz: state.tz });
  if (format) q.set('format', format);
  return `/api/v1/tenants/${encodeURIComponent(state.tenant)}/panels/${panel}?${q}`;
}

// ---- rendering -------------------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v; else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

function formatBytes(n) {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0, v = n;
  while (Math.abs(v) >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return (i === 0 ? integer.format(v) : decimal.format(v)) + ' ' + units[i];
}

function formatCell(column, value, tz) {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'number') {
    if (column.endsWith('ratio') || column === 'error_rate' || column === 'share') return percent.format(value);
    return Number.isInteger(value) ? integer.format(value) : decimal.format(value);
  }
  if (column === 'time') return formatTime(value, tz);
  return String(value);
}

function formatTime(iso, tz) {
  return new Intl.DateTimeFormat(undefined, { timeZone: tz, dateStyle: 'short', timeStyle: 'short' }).format(new Date(iso));
}

function renderTable(container, data, tz, extra) {
  const columns = extra ? [...data.columns, extra.column] : data.columns;
  const head = el('tr', {}, ...columns.map((c) => el('th', { scope: 'col', text: c.replaceAll('_', ' ') })));
  const body = el('tbody');
  for (const row of data.rows) {
    const values = extra ? [...row, extra.value(row)] : row;
    body.append(el('tr', {}, ...values.map((v, i) => el(i === 0 ? 'th' : 'td', {
      scope: i === 0 ? 'row' : undefined,
      class: typeof v === 'number' ? 'num' : undefined,
      'data-value': v === null ? '' : String(v),
      title: BYTE_COLUMNS.has(columns[i]) && typeof v === 'number' ? formatBytes(v) : undefined,
      text: formatCell(columns[i], v, tz),
    }))));
  }
  const table = el('table', {}, el('thead', {}, head), body);
  container.replaceChildren(data.rows.length ? table : el('p', { class: 'note', text: 'No data in this range.' }));
}

function renderSummary(data) {
  const cards = data.rows.map(([metric, value, previous, change]) => {
    const shown = value === null ? '–'
      : metric === 'bytes_sent' ? formatBytes(value)
        : metric.endsWith('ratio') || metric === 'error_rate' ? percent.format(value) : integer.format(value);
    const trend = change === null ? 'flat' : change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
    return el('div', { class: 'card', 'data-metric': metric },
      el('div', { class: 'label', text: METRIC_LABELS[metric] || metric }),
      el('div', { class: 'value', 'data-value': value === null ? '' : String(value), title: typeof value === 'number' ? String(value) : undefined, text: shown }),
      el('div', { class: 'change ' + trend, 'data-value': change === null ? '' : String(change),
        title: 'previous period: ' + (previous === null ? '–' : decimal.format(previous)),
        text: change === null ? 'no previous data' : signedPercent.format(change) + ' vs previous' }));
  });
  $('headline').replaceChildren(...cards);
}

function renderTraffic(section, data, tz) {
  renderTable(section.querySelector('.table'), data, tz);
  for (const chart of charts) chart.destroy();
  charts = [];
  if (typeof uPlot === 'undefined') return;
  const xs = data.rows.map((r) => Date.parse(r[0]) / 1000);
  const width = Math.max(300, section.clientWidth - 32);
  const base = (label, color, values, fmt) => ({
    width, height: 180, tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), tz),
    legend: { show: true },
    scales: { y: { range: (u, min, max) => [0, max > 0 ? max * 1.05 : 1] } },
    series: [{}, { label, stroke: color, fill: color + '22', width: 1.5, value: (u, v) => (v === null ? '–' : fmt(v)) }],
    axes: [{}, { values: (u, ticks) => ticks.map(fmt), size: 70 }],
    data: [xs, values],
  });
  charts.push(new uPlot(base('Requests', '#2563eb', data.rows.map((r) => r[1]), (v) => integer.format(v)), undefined, $('chart-requests')));
  charts.push(new uPlot(base('Bytes sent', '#16a34a', data.rows.map((r) => r[2]), formatBytes), undefined, $('chart-bytes')));
  $('chart-requests').replaceChildren(charts[0].root);
  $('chart-bytes').replaceChildren(charts[1].root);
}

function renderPanel(panel, data, state) {
  const section = document.querySelector(`[data-panel="${panel}"]`);
  section.dataset.grain = data.grain || '';
  if (panel === 'summary') renderSummary(data);
  else if (panel === 'traffic') renderTraffic(section, data, state.tz);
  else if (panel === 'cache' || panel === 'status') {
    const total = data.rows.reduce((s, r) => s + (r[1] || 0), 0);
    renderTable(section.querySelector('.table'), data, state.tz, { column: 'share', value: (r) => (total ? r[1] / total : null) });
    if (panel === 'cache') {
      const hit = data.rows.find((r) => r[0] === 'hit');
      $('cache-ratio').textContent = total && hit ? percent.format(hit[1] / total) : '';
    }
  } else renderTable(section.querySelector('.table'), data, state.tz);
}

// CSV: the API's own format=csv with the same parameters; fetched (the key is a header, not a cookie)
// and handed to the browser as a blob download under the name the API chose.
async function downloadCsv(panel) {
  const state = readState();
  try {
    const response = await api(panelQuery(state, panel, 'csv'));
    const match = /filename="?([^";]+)"?/.exec(response.headers.get('Content-Disposition') || '');
    const url = URL.createObjectURL(await response.blob());
    const a = el('a', { href: url, download: match ? match[1] : `${state.tenant}-${panel}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (error) { showError(error); }
}

// ---- loading ---------------------------------------------------------------------------------------

function showMessage(text) {
  $('message').textContent = text;
  $('message').hidden = !text;
}

function showError(error) {
  if (error.name === 'AbortError') return;
  // Without access (no key, or a tenant this key may not read) the last view's numbers must not stay up
  // under another tenant's name.
  if (error.status === 401 || error.status === 404) { $('panels').hidden = true; $('overview').hidden = true; }
  if (error.status === 401) {
    $('key-form').hidden = false;
    showMessage(sessionStorage.getItem(KEY_STORE) ? 'That API key is not accepted here.' : '');
    return;
  }
  if (error.status === 404) { showMessage('No such tenant, or this key may not read it.'); return; }
  if (error.status === 429) { showMessage('Rate limited; the next refresh tries again.'); return; }
  showMessage(`The API answered ${error.status || ''}: ${error.message}`);
}

async function loadMe() {
  const response = await api('/api/v1/me');
  me = await response.json();
  $('open-banner').hidden = me.access !== 'open';
  $('key-form').hidden = true;
}

async function loadTenants(state) {
  const filter = $('tenant-filter').value.trim();
  const q = new URLSearchParams({ limit: '200' });
  if (filter) q.set('q', filter);
  const body = await (await api('/api/v1/tenants?' + q)).json();
  const names = body.tenants.slice();
  if (state.tenant && !names.includes(state.tenant)) names.unshift(state.tenant);
  if (!(me && me.tenant)) names.unshift('');
  const select = $('tenant');
  // Rewritten only when it changed, so a live refresh never closes a list the user has open.
  if ([...select.options].map((o) => o.value).join('\n') !== names.join('\n')) {
    select.replaceChildren(...names.map((n) => el('option', { value: n, text: n || 'All tenants' })));
  }
  select.value = state.tenant;
  $('tenant-note').textContent = body.truncated ? 'More tenants than shown: type to narrow.' : `${integer.format(body.tenants.length)} tenant(s)`;
  lastTenants = body.tenants;
  lastTenants.truncated = body.truncated;
  return body.tenants;
}

async function load({ quiet = false } = {}) {
  const state = readState();
  syncControls(state);
  if (inFlight) inFlight.abort();
  const controller = new AbortController();
  inFlight = controller;
  const mine = ++generation;
  try {
    if (!me) await loadMe();
    // A live refresh updates the list too (a new tenant shows up), unless the user is in the picker.
    const inPicker = document.activeElement === $('tenant') || document.activeElement === $('tenant-filter');
    if (!state.tenant && me && me.tenant) {
      // A tenant key reads one tenant: straight to it.
      state.tenant = me.tenant;
      writeState(state, true);
    }
    if (!quiet || !$('tenant').options.length || !inPicker) await loadTenants(state);
    syncControls(state);
    const [from, to] = window_(state);
    for (const label of document.querySelectorAll('.range-label')) {
      label.textContent = `${formatTime(new Date(from).toISOString(), state.tz)} – ${formatTime(new Date(to).toISOString(), state.tz)} (${state.tz})`;
    }
    let answers;
    if (state.tenant) {
      answers = await Promise.all(PANELS.map(async (panel) => [panel, await (await api(panelQuery(state, panel), controller.signal)).json()]));
      if (mine !== generation) return;
      for (const [panel, data] of answers) renderPanel(panel, data, state);
    } else {
      if (!lastTenants.length) { showMessage('No tenant has data yet: send some traffic, then reload.'); return; }
      const shown = lastTenants.slice(0, OVERVIEW_MAX);
      const cards = await Promise.all(shown.map(async (tenant) => {
        const one = { ...state, tenant };
        const [summary, traffic] = await Promise.all(['summary', 'traffic'].map(async (panel) => (await api(panelQuery(one, panel), controller.signal)).json()));
        return { tenant, summary, traffic };
      }));
      if (mine !== generation) return;
      renderOverview(cards, state);
      answers = cards.map((c) => [c.tenant, c.traffic]);
    }
    showMessage('');
    $('key-form').hidden = true;
    $('panels').hidden = !state.tenant;
    $('overview').hidden = !!state.tenant;
    const latest = answers.map(([, d]) => d.updated).filter(Boolean).sort().pop();
    const mark = $('updated');
    mark.dataset.updated = latest || new Date().toISOString();
    mark.dataset.from = new Date(from).toISOString();
    mark.dataset.to = new Date(to).toISOString();
    mark.dataset.loads = String(Number(mark.dataset.loads || 0) + 1);
    mark.textContent = 'Last updated ' + new Intl.DateTimeFormat(undefined, { timeZone: state.tz, timeStyle: 'medium' }).format(new Date());
    document.body.dataset.tenant = state.tenant;
  } catch (error) {
    if (mine === generation) showError(error);
  } finally {
    if (inFlight === controller) inFlight = null;
    scheduleLive();
  }
}

// The overview: per tenant its name (a link to its full view, same range and zone), its requests and
// bytes (from `summary`) and a small requests chart (from `traffic`).
function renderOverview(cards, state) {
  for (const chart of cardCharts) chart.destroy();
  cardCharts = [];
  const total = lastTenants.length;
  $('overview-note').textContent = total > cards.length || lastTenants.truncated
    ? `showing ${cards.length} of ${integer.format(total)}${lastTenants.truncated ? '+' : ''}: filter to narrow` : '';
  const nodes = cards.map(({ tenant, summary, traffic }) => {
    const value = (metric) => (summary.rows.find((r) => r[0] === metric) || [])[1] ?? null;
    const requests = value('requests'), bytes = value('bytes_sent');
    const link = el('a', { href: urlOf({ ...state, tenant }), text: tenant });
    link.addEventListener('click', (e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      change((s) => { s.tenant = tenant; });
    });
    const spark = el('div', { class: 'spark', role: 'img', 'aria-label': `Requests over time for ${tenant}` });
    const card = el('article', { class: 'tenant-card', 'data-tenant': tenant },
      el('h3', {}, link),
      el('div', { class: 'figures' },
        el('span', {}, el('b', { 'data-metric': 'requests', 'data-value': requests === null ? '' : String(requests), text: requests === null ? '–' : integer.format(requests) }), ' requests'),
        el('span', {}, el('b', { 'data-metric': 'bytes_sent', 'data-value': bytes === null ? '' : String(bytes), text: formatBytes(bytes) }), ' sent')),
      spark);
    return [card, spark, traffic];
  });
  $('tenant-cards').replaceChildren(...nodes.map(([card]) => card));
  if (typeof uPlot === 'undefined') return;
  for (const [, spark, traffic] of nodes) {
    cardCharts.push(new uPlot({
      width: Math.max(200, spark.clientWidth), height: 80, legend: { show: false }, cursor: { show: false },
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), state.tz),
      scales: { y: { range: (u, min, max) => [0, max > 0 ? max * 1.05 : 1] } },
      series: [{}, { stroke: '#2563eb', fill: '#2563eb22', width: 1.5 }],
      axes: [{ show: false }, { show: false }],
      data: [traffic.rows.map((r) => Date.parse(r[0]) / 1000), traffic.rows.map((r) => r[1])],
    }, undefined, spark));
  }
}

function scheduleLive() {
  clearTimeout(liveTimer);
  if (!readState().live || document.visibilityState !== 'visible') return;
  liveTimer = setTimeout(() => load({ quiet: true }), LIVE_MS);
}

// ---- controls --------------------------------------------------------------------------------------

function syncControls(state) {
  for (const radio of document.querySelectorAll('input[name="range"]')) radio.checked = radio.value === state.range;
  $('custom-range').hidden = state.range !== 'custom';
  if (state.range === 'custom') {
    $('from').value = state.from;
    $('to').value = state.to;
  }
  $('tz').value = state.tz;
  $('live').checked = state.live;
  if ([...$('tenant').options].some((o) => o.value === state.tenant)) $('tenant').value = state.tenant;
}

function fillZones() {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const first = [[browserZone, `Browser (${browserZone})`], ['UTC', 'UTC']];
  const seen = new Set(first.map(([z]) => z));
  const options = first.map(([value, text]) => el('option', { value, text }));
  for (const z of zones) if (!seen.has(z)) options.push(el('option', { value: z, text: z }));
  $('tz').replaceChildren(...options);
}

function change(mutate) {
  const state = readState();
  mutate(state);
  writeState(state, false);
  load();
}

function wire() {
  $('tenant').addEventListener('change', (e) => change((s) => { s.tenant = e.target.value; }));
  let filterTimer = 0;
  $('tenant-filter').addEventListener('input', () => {
    clearTimeout(filterTimer);
    // The overview's cards follow the filter; a tenant's view only narrows the list.
    filterTimer = setTimeout(() => (readState().tenant ? loadTenants(readState()).catch(showError) : load()), 200);
  });
  for (const radio of document.querySelectorAll('input[name="range"]')) {
    radio.addEventListener('change', () => change((s) => {
      s.range = radio.value;
      if (s.range === 'custom' && !s.from) {
        const [from, to] = window_({ ...s, range: '7d' });
        s.from = isoDay(from, s.tz);
        s.to = isoDay(to - 1, s.tz);
      }
    }));
  }
  for (const id of ['from', 'to']) {
    $(id).addEventListener('change', () => change((s) => { s.range = 'custom'; s.from = $('from').value; s.to = $('to').value; }));
  }
  $('tz').addEventListener('change', (e) => change((s) => { s.tz = e.target.value; }));
  $('live').addEventListener('change', (e) => change((s) => { s.live = e.target.checked; }));
  $('controls').addEventListener('submit', (e) => e.preventDefault());
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(KEY_STORE, $('key').value.trim());
    $('key').value = '';
    me = null;
    $('tenant').replaceChildren();
    load();
  });
  for (const section of document.querySelectorAll('[data-panel]')) {
    const panel = section.dataset.panel;
    const button = el('button', { type: 'button', class: 'csv', 'data-csv': panel, text: 'CSV' });
    button.setAttribute('aria-label', `Download ${section.querySelector('h2').firstChild.textContent.trim()} as CSV`);
    button.addEventListener('click', () => downloadCsv(panel));
    section.querySelector('h2').after(button);
  }
  window.addEventListener('popstate', () => load());
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') load({ quiet: true }); else clearTimeout(liveTimer); });
}

fillZones();
wire();
load();
