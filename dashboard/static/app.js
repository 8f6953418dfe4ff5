/* The operations dashboard's page. Reads the overview the server builds once per refresh
   (/api/overview, the same for every tab), the series it keeps (/api/series), and on demand
   job lists, searches and timelines. Actions are POSTs with the session's CSRF token. */
(() => {
'use strict';
const $ = (id) => document.getElementById(id);
const HISTORY = 60, STALE_HEARTBEAT = 15;
const hist = { depth: [], confirmed: [] };
let last = null, lastOkAt = null, paused = false, timer = null, inFlight = false, pollMs = 2000;
let csrf = null;
const jobsView = { queue: 'hold', state: 'dead' };
let currentCheckin = null, currentRange = '1h';

/* ---------- formatting (every field may be null) ---------- */
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const sum = (...xs) => xs.some(isNum) ? xs.reduce((a, x) => a + (isNum(x) ? x : 0), 0) : null;
const int = (v) => isNum(v) ? Math.round(v).toLocaleString() : '—';
const pct = (v, digits = 1) => isNum(v) ? (v * 100).toFixed(digits) + '%' : '—';
function age(s) {
  if (!isNum(s)) return '—';
  const neg = s < 0; s = Math.abs(s);
  let t;
  if (s < 60) t = s.toFixed(s < 10 ? 1 : 0) + ' s';
  else if (s < 3600) t = Math.floor(s / 60) + 'm ' + String(Math.floor(s % 60)).padStart(2, '0') + 's';
  else t = Math.floor(s / 3600) + 'h ' + String(Math.floor((s % 3600) / 60)).padStart(2, '0') + 'm';
  return neg ? '-' + t : t;
}
function ms(v) {
  if (!isNum(v)) return '—';
  if (v < 10) return v.toFixed(1) + ' ms';
  if (v < 1000) return Math.round(v) + ' ms';
  return (v / 1000).toFixed(2) + ' s';
}
const ts = (s) => s ? String(s).replace('T', ' ').replace(/\.\d+$/, '') : '—';
function parseTs(s) { const d = s ? new Date(String(s).replace(' ', 'T')) : null; return d && !isNaN(d) ? d : null; }
const money = (cents, cur) => isNum(cents) ? (cents / 100).toFixed(2) + ' ' + (cur || '') : '—';

/* ---------- DOM helpers ---------- */
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'style') el.style.cssText = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat()) if (kid != null && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
  return el;
}
function setText(id, txt) { const el = typeof id === 'string' ? $(id) : id; if (el.textContent !== txt) el.textContent = txt; return el; }
function fillBody(tableId, rows, cols, emptyMsg) {
  const tb = $(tableId).tBodies[0];
  tb.replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { class: 'empty', colspan: cols }, emptyMsg))]));
}
const td = (v, cls) => h('td', { class: cls }, v);
const num = (v, cls) => h('td', { class: 'num' + (cls ? ' ' + cls : '') }, v);
function kv(id, items) {
  $(id).replaceChildren(...items.map(([k, v, cls]) => h('div', {}, h('dt', {}, k), h('dd', { class: cls }, v))));
}
const ciLink = (id) => h('a', { class: 'ci', href: '#checkins/' + id, 'data-checkin': id }, id);

/* ---------- HTTP ---------- */
async function getJson(path) {
  const res = await fetch(path, { cache: 'no-store', credentials: 'same-origin', headers: { Accept: 'application/json' } });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
  if (!res.ok) {
    const err = new Error((data && data.detail) || `HTTP ${res.status}`);
    err.status = res.status; err.code = data && data.code;
    throw err;
  }
  return data;
}
async function post(path, body) {
  if (!csrf) await loadSession();
  const res = await fetch(path, {
    method: 'POST', cache: 'no-store', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify(body || {}),
  });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
  return { ok: res.ok, status: res.status, data: data || {} };
}
async function loadSession() {
  const s = await getJson('/api/session');
  csrf = s.csrf_token;
  setText('operator', 'Signed in as ' + s.user);
}
function flash(ok, msg) {
  const el = $('flash');
  el.className = 'flash ' + (ok ? 'ok' : 'bad');
  el.textContent = msg;
  el.hidden = false;
  el.dataset.ok = ok ? 'true' : 'false';
}

/* ---------- sparkline: values over the last HISTORY updates, null = gap ---------- */
function sparkline(svg, values, color) {
  const W = 200, H = 36, P = 3;
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  const known = values.filter(isNum);
  if (!known.length) { svg.replaceChildren(); return; }
  let lo = Math.min(...known), hi = Math.max(...known);
  if (hi === lo) { hi = lo + 1; lo = lo - (lo > 0 ? 1 : 0); }
  const step = (W - 2 * P) / (HISTORY - 1);
  const off = HISTORY - values.length;
  const x = (i) => (P + (off + i) * step).toFixed(1);
  const y = (v) => (H - P - ((v - lo) / (hi - lo)) * (H - 2 * P)).toFixed(1);
  let line = '', area = '', seg = [];
  const flush = () => {
    if (!seg.length) return;
    line += seg.map(([i, v], k) => `${k ? 'L' : 'M'}${x(i)} ${y(v)}`).join('');
    area += `M${x(seg[0][0])} ${H - P}` + seg.map(([i, v]) => `L${x(i)} ${y(v)}`).join('') + `L${x(seg[seg.length - 1][0])} ${H - P}Z`;
    seg = [];
  };
  values.forEach((v, i) => { if (isNum(v)) seg.push([i, v]); else flush(); });
  flush();
  const NS = 'http://www.w3.org/2000/svg';
  const mk = (tag, attrs) => { const e = document.createElementNS(NS, tag); for (const k in attrs) e.setAttribute(k, attrs[k]); return e; };
  svg.replaceChildren(
    mk('path', { d: area, fill: color, 'fill-opacity': '0.15', stroke: 'none' }),
    mk('path', { d: line, fill: 'none', stroke: color, 'stroke-width': '1.6', 'vector-effect': 'non-scaling-stroke', 'stroke-linejoin': 'round' }));
}
function pushHist(key, v) { hist[key].push(isNum(v) ? v : null); if (hist[key].length > HISTORY) hist[key].shift(); }

/* ---------- overview ---------- */
function render(d) {
  const queues = Array.isArray(d.queues) ? d.queues : [];
  const workers = Array.isArray(d.workers) ? d.workers : [];
  const c = d.checkins || {}, seats = d.seats || {}, locks = d.locks || {}, pay = d.payments || {}, lat = d.latency_ms || {};
  const att = d.attention || {};
  if (isNum(d.refresh_secs)) pollMs = Math.max(500, d.refresh_secs * 1000);

  const depth = queues.length ? sum(...queues.map((q) => sum(q.pending, q.scheduled))) : null;
  const oldest = queues.map((q) => q.oldest_pending_age_secs).filter(isNum);
  const running = sum(...queues.map((q) => q.running)), dead = sum(...queues.map((q) => q.dead));
  setText('queue-depth', int(depth));
  setText('queue-sub', `oldest waiting ${age(oldest.length ? Math.max(...oldest) : null)} · running ${int(running)} · dead ${int(dead)}`);
  $('card-depth').className = 'card' + (isNum(dead) && dead > 0 ? ' bad' : oldest.some((a) => a > 30) ? ' warn' : '');
  setText('nav-dead', dead > 0 ? String(dead) : '');
  fillBody('queues', queues.map((q) => {
    const oa = q.oldest_pending_age_secs;
    return h('tr', { 'data-queue': q.name }, td(q.name), num(int(q.pending)), num(int(q.scheduled)),
      num(int(q.running)), num(int(q.dead), q.dead > 0 ? 'bad' : ''), num(int(q.backlog)), num(int(q.not_admitted), q.not_admitted > 0 ? 'warn' : ''),
      num(age(oa), isNum(oa) && oa > 120 ? 'bad' : isNum(oa) && oa > 30 ? 'warn' : ''),
      num(int(q.workers), q.workers === 0 && q.backlog > 0 ? 'bad' : ''));
  }), 9, 'No queues reported');

  setText('confirmed', int(c.confirmed));
  setText('checkin-sub', `in flight ${int(sum(c.queued, c.held, c.paying))} · oldest queued ${age(c.oldest_queued_age_secs)}`);
  kv('checkin-states', [
    ['Queued', int(c.queued), c.queued > 0 ? 'warn' : ''], ['Held', int(c.held)], ['Paying', int(c.paying)],
    ['Confirmed', int(c.confirmed), 'ok'], ['Rejected', int(c.rejected)], ['Payment failed', int(c.payment_failed), c.payment_failed > 0 ? 'bad' : ''],
    ['Expired', int(c.expired)], ['Cancelled', int(c.cancelled)], ['Oldest queued', age(c.oldest_queued_age_secs), c.oldest_queued_age_secs > 30 ? 'bad' : ''],
  ]);

  setText('seats-hb', `${int(seats.held)} / ${int(seats.booked)}`);
  setText('seats-sub', `available ${int(seats.available)}`);

  const attentionTotal = sum(att.refunds_owed, att.checkins_stuck);
  setText('attention-total', int(attentionTotal));
  setText('attention-sub', `refunds owed ${int(att.refunds_owed)} · stuck check-ins ${int(att.checkins_stuck)}`);
  $('card-attention').className = 'card' + (attentionTotal > 0 ? ' bad' : '');
  setText('nav-attention', attentionTotal > 0 ? String(attentionTotal) : '');

  const lockTotal = sum(locks.acquired, locks.contended, locks.no_quorum);
  const contention = isNum(lockTotal) && lockTotal > 0 && isNum(locks.contended) ? locks.contended / lockTotal : null;
  const noQuorum = isNum(locks.no_quorum) && locks.no_quorum > 0;
  setText('lock-contention', pct(contention));
  setText('lock-sub', `acquired ${int(locks.acquired)} · contended ${int(locks.contended)} · no quorum ${int(locks.no_quorum)}`);
  $('card-locks').className = 'card' + (noQuorum ? ' bad' : contention > 0.2 ? ' warn' : '');
  $('lock-warning').hidden = !noQuorum;
  kv('lock-stats', [
    ['Acquired', int(locks.acquired)], ['Contended', int(locks.contended), locks.contended > 0 ? 'warn' : ''],
    ['No quorum', int(locks.no_quorum), noQuorum ? 'bad' : ''], ['Contention', pct(contention)],
  ]);

  const fr = pay.failure_rate_last_hour;
  setText('payment-failures', pct(fr));
  setText('payment-sub', `succeeded ${int(pay.succeeded)} · declined ${int(pay.declined)} · failed ${int(pay.failed)}`);
  $('card-payments').className = 'card' + (fr > 0.2 ? ' bad' : fr > 0.05 ? ' warn' : '');
  kv('payment-stats', [
    ['Pending', int(pay.pending)], ['Succeeded', int(pay.succeeded), 'ok'], ['Declined', int(pay.declined), pay.declined > 0 ? 'warn' : ''],
    ['Refunded', int(pay.refunded)], ['Refund refused', int(pay.refund_refused), pay.refund_refused > 0 ? 'bad' : ''],
    ['Failed', int(pay.failed), pay.failed > 0 ? 'bad' : ''],
    ['Given up, still being checked with the provider', int(pay.awaiting_reconciliation), pay.awaiting_reconciliation > 0 ? 'warn' : ''],
    ['Failure rate (1 h)', pct(fr)],
  ]);
  const declines = (Array.isArray(pay.declines_by_code) ? pay.declines_by_code : []).slice().sort((a, b) => (b.count || 0) - (a.count || 0));
  const dTotal = sum(...declines.map((x) => x.count));
  fillBody('declines', declines.map((x) => h('tr', {}, td(x.code || '—', 'mono'), num(int(x.count)),
    num(isNum(x.count) && dTotal > 0 ? pct(x.count / dTotal, 0) : '—'))), 3, 'No declines');

  const latRow = (label, p) => h('tr', {}, td(label), num(ms(lat[p + '_p50'])), num(ms(lat[p + '_p95'])), num(ms(lat[p + '_p99']), lat[p + '_p99'] > 1000 ? 'warn' : ''));
  fillBody('latency', [latRow('queued → held', 'queued_to_held'), latRow('paying → confirmed', 'paying_to_confirmed')], 4, '');
  setText('latency-sample', `sample: ${int(lat.sample)} check-ins`);

  const ws = workers.slice().sort((a, b) => String(a.queue).localeCompare(String(b.queue)) || String(a.name).localeCompare(String(b.name)));
  fillBody('workers', ws.map((w) => {
    const a = w.last_heartbeat_age_secs, stale = !isNum(a) || a > STALE_HEARTBEAT;
    const cell = h('td', { class: 'num' + (stale ? ' bad' : ' ok') }, age(a));
    if (stale) cell.append(' ', h('span', { class: 'pill bad' }, 'stale'));
    return h('tr', { 'data-stale': stale ? 'true' : 'false' }, td(w.name || '—', 'mono'), td(w.queue || '—'), cell);
  }), 3, 'No workers reporting');

  const sweeps = Array.isArray(d.sweeps) ? d.sweeps : [];
  fillBody('sweeps', sweeps.map((s) => {
    const t0 = parseTs(s.tick_at), t1 = parseTs(s.finished_at);
    const fin = s.finished_at ? ts(s.finished_at) + (t0 && t1 ? ` (${ms(t1 - t0)})` : '') : 'not finished';
    return h('tr', {}, td(ts(s.tick_at)), td(s.worker || '—', 'mono'), td(fin, s.finished_at ? '' : 'warn'),
      num(int(s.holds_released)), num(int(s.checkins_expired)), num(int(s.redriven)));
  }), 6, 'No sweeps yet');

  const scaling = Array.isArray(d.scaling_decisions) ? d.scaling_decisions : [];
  fillBody('scaling', scaling.map((s) => h('tr', {}, td(ts(s.decided_at)), td(s.backend), num(`${s.from} → ${s.to}`),
    num(int(s.backlog)), num(age(s.oldest_secs)), td(s.reason, 'wrap'))), 6, 'No decisions recorded');

  const flights = Array.isArray(d.flights) ? d.flights : [];
  fillBody('flights', flights.map((f) => {
    const total = isNum(f.seats) && f.seats > 0 ? f.seats : null;
    const bw = total && isNum(f.booked) ? (f.booked / total) * 100 : 0, hw = total && isNum(f.held) ? (f.held / total) * 100 : 0;
    const bar = h('div', { class: 'fill', role: 'img', 'aria-label': `${bw.toFixed(0)}% booked, ${hw.toFixed(0)}% held` },
      h('span', { class: 'booked', style: `width:${bw.toFixed(2)}%` }), h('span', { class: 'held', style: `width:${hw.toFixed(2)}%` }));
    return h('tr', { 'data-flight': f.id }, td(f.code || String(f.id)), td(ts(f.departure_at)), td(`${f.origin || ''} → ${f.destination || ''}`),
      num(String(f.id)), num(int(f.seats)), num(int(f.available)), num(int(f.held)), num(int(f.booked)),
      h('td', {}, bar), num(total ? (bw + hw).toFixed(1) + '%' : '—'));
  }), 10, 'No flights');

  renderAttention(d);
  renderActions(Array.isArray(d.actions) ? d.actions : [], false);

  pushHist('depth', depth); pushHist('confirmed', c.confirmed);
  sparkline($('spark-depth'), hist.depth, 'var(--accent)');
  sparkline($('spark-confirmed'), hist.confirmed, 'var(--ok)');
}

/* ---------- attention ---------- */
function renderAttention(d) {
  const refunds = Array.isArray(d.refunds_owed) ? d.refunds_owed : [];
  const tb = $('refunds').tBodies[0];
  // Keep rows (and a half-typed note) that are still owed.
  const want = refunds.map((r) => r.checkin_id).join(',');
  if (tb.dataset.ids !== want) {
    tb.dataset.ids = want;
    fillBody('refunds', refunds.map((r) => {
      const note = h('input', { type: 'text', maxlength: '500', placeholder: 'how it was dealt with', 'aria-label': 'Note' });
      const btn = h('button', { type: 'button', class: 'act primary', 'data-resolve': r.checkin_id }, 'Mark handled');
      btn.addEventListener('click', () => resolveRefund(r.checkin_id, note.value, btn));
      return h('tr', { 'data-checkin': r.checkin_id }, h('td', {}, ciLink(r.checkin_id)), num(money(r.amount_cents, r.currency)),
        td(r.provider_charge_id || '—', 'mono'), td(ts(r.refused_at)), h('td', {}, note), h('td', {}, btn));
    }), 6, 'No refused refunds owed');
  }
  const stuck = Array.isArray(d.stuck_checkins) ? d.stuck_checkins : [];
  fillBody('stuck', stuck.map((c) => {
    const btn = h('button', { type: 'button', class: 'act primary', 'data-redrive': c.id }, 'Re-drive');
    btn.addEventListener('click', () => redrive(c.id, '', btn));
    return h('tr', { 'data-checkin': c.id }, h('td', {}, ciLink(c.id)), td(c.pnr), td(c.passenger), td(c.flight_code),
      td(c.state, 'warn'), td(ts(c.updated_at)), h('td', {}, btn));
  }), 7, 'No stuck check-ins');
}

async function resolveRefund(id, note, btn) {
  if (btn) btn.disabled = true;
  const r = await post(`/api/checkins/${encodeURIComponent(id)}/resolve-refund`, { note });
  if (btn) btn.disabled = false;
  if (r.ok) { flash(true, `Refused refund of ${id} marked handled.`); $('refunds').tBodies[0].dataset.ids = 'stale'; }
  else flash(false, `Not marked handled: ${r.data.detail || 'HTTP ' + r.status}`);
  refreshSoon(id);
}
async function redrive(id, note, btn) {
  if (btn) btn.disabled = true;
  const r = await post(`/api/checkins/${encodeURIComponent(id)}/redrive`, { note });
  if (btn) btn.disabled = false;
  if (r.ok) flash(true, `Check-in ${id} re-driven: ${String(r.data.outcome).replace(/_/g, ' ')}.`);
  else flash(false, `Not re-driven: ${r.data.detail || 'HTTP ' + r.status}`);
  refreshSoon(id);
}
function refreshSoon(id) {
  loadActions();
  if (currentCheckin && currentCheckin === id) { loadTimeline(id); setTimeout(() => loadTimeline(id), 1500); }
  if (currentView() === 'jobs') loadJobs();
}

/* ---------- actions log ---------- */
function renderActions(actions, full) {
  const tb = $('actions').tBodies[0];
  if (!full && tb.dataset.full === 'true') return;
  tb.dataset.full = full ? 'true' : 'false';
  fillBody('actions', actions.map((a) => h('tr', { 'data-action': a.action },
    td(ts(a.acted_at)), td(a.operator), td(a.action.replace(/_/g, ' ')),
    h('td', {}, a.checkin_id ? ciLink(a.checkin_id) : a.target), td(a.outcome.replace(/_/g, ' ')), td(a.note || '—', 'wrap'))), 6, 'No operator actions yet');
}
async function loadActions() {
  try { renderActions((await getJson('/api/actions')).actions || [], true); } catch (_) { /* shown on next overview */ }
}

/* ---------- jobs ---------- */
async function loadJobs() {
  for (const b of document.querySelectorAll('[data-queue]')) if (b.tagName === 'BUTTON') b.setAttribute('aria-pressed', String(b.dataset.queue === jobsView.queue));
  for (const b of document.querySelectorAll('button[data-state]')) b.setAttribute('aria-pressed', String(b.dataset.state === jobsView.state));
  const q = last && Array.isArray(last.queues) ? last.queues.find((x) => x.name === jobsView.queue) : null;
  if (q) for (const [k, v] of [['waiting', q.pending], ['scheduled', q.scheduled], ['running', q.running], ['dead', q.dead]]) {
    const el = document.querySelector(`[data-count="${k}"]`); if (el) el.textContent = `(${int(v)})`;
  }
  const table = $('jobs');
  table.dataset.loading = 'true';
  try {
    const r = await getJson(`/api/jobs?queue=${jobsView.queue}&state=${jobsView.state}&limit=200`);
    const dead = jobsView.state === 'dead';
    fillBody('jobs', r.jobs.map((j) => {
      const when = isNum(j.due_in_secs) ? 'due in ' + age(j.due_in_secs) : isNum(j.last_run_age_secs) ? age(j.last_run_age_secs) + ' ago' : '—';
      const acts = h('td', {});
      if (dead) {
        const retry = h('button', { type: 'button', class: 'act primary', 'data-retry': j.id }, 'Retry');
        const discard = h('button', { type: 'button', class: 'act danger', 'data-discard': j.id }, 'Discard');
        retry.addEventListener('click', () => jobAction('retry', j, retry));
        discard.addEventListener('click', () => jobAction('discard', j, discard));
        acts.append(retry, ' ', discard);
      }
      return h('tr', { 'data-job': j.id }, h('td', {}, ciLink(j.id)),
        td(j.checkin_state ? j.checkin_state + (j.checkin_reason ? ` (${j.checkin_reason})` : '') : 'no such check-in', j.checkin_state ? '' : 'warn'),
        td(j.status || '—'), num(int(j.attempts)), td(j.last_error || '—', j.last_error ? 'err' : ''), num(when), td(j.worker || '—', 'mono'), acts);
    }), 8, `No ${jobsView.state} jobs in the ${jobsView.queue} queue`);
  } catch (e) {
    fillBody('jobs', [], 8, 'Jobs could not be read: ' + e.message);
  } finally {
    table.dataset.loading = 'false';
  }
}
async function jobAction(kind, job, btn) {
  btn.disabled = true;
  const r = await post(`/api/jobs/${job.queue}/${encodeURIComponent(job.id)}/${kind}`, { note: $('job-note').value });
  btn.disabled = false;
  if (r.ok) flash(true, `${kind === 'retry' ? 'Retried' : 'Discarded'} the dead ${job.queue} job of ${job.id}.`);
  else flash(false, `Not done: ${r.data.detail || String(r.data.outcome || '').replace(/_/g, ' ') || 'HTTP ' + r.status}`);
  loadJobs(); loadActions();
}
for (const b of document.querySelectorAll('button[data-queue]')) b.addEventListener('click', () => { jobsView.queue = b.dataset.queue; loadJobs(); });
for (const b of document.querySelectorAll('button[data-state]')) b.addEventListener('click', () => { jobsView.state = b.dataset.state; loadJobs(); });
$('jobs-refresh').addEventListener('click', loadJobs);

/* ---------- search and timeline ---------- */
async function search(q) {
  q = q.trim();
  if (!q) return;
  $('search-q').value = q;
  try {
    const r = await getJson('/api/search?q=' + encodeURIComponent(q));
    $('search-results').hidden = false;
    fillBody('search-passengers', (r.passengers || []).map((p) => h('tr', {}, td(p.name), td(p.pnr), td(`${p.flight_code} (#${p.flight_id})`), td(ts(p.departure_at)))), 4, 'A check-in id: no booking listed');
    fillBody('search-checkins', (r.checkins || []).map((c) => h('tr', { 'data-checkin': c.id }, h('td', {}, ciLink(c.id)), td(c.passenger),
      td(`${c.flight_code} (#${c.flight_id})`), td(c.seat || '—'), td(c.state), td(c.reason || '—'), td(c.payment_state || '—'), td(ts(c.created_at)), td(ts(c.updated_at)))), 9, 'No check-ins');
    const only = (r.checkins || []).length === 1 ? r.checkins[0].id : null;
    if (only) loadTimeline(only);
    else if (!(r.checkins || []).length && !(r.passengers || []).length) flash(false, `Nothing found for ${q}.`);
  } catch (e) {
    flash(false, `Search failed: ${e.message}`);
  }
}
$('search-form').addEventListener('submit', (ev) => { ev.preventDefault(); search($('search-q').value); });

async function loadTimeline(id) {
  currentCheckin = id;
  try {
    const r = await getJson(`/api/checkins/${encodeURIComponent(id)}/timeline`);
    const c = r.checkin || {};
    $('timeline-panel').hidden = false;
    $('timeline-panel').dataset.checkin = id;
    $('timeline-panel').dataset.state = c.state || '';
    setText('tl-id', id);
    $('tl-summary').replaceChildren(...[
      ['PNR', c.pnr], ['Passenger', c.passenger], ['Flight', c.flight_code ? `${c.flight_code} (#${c.flight_id}, ${ts(c.departure_at)})` : null],
      ['Seat', c.seat], ['State', c.state], ['Reason', c.reason], ['Payment', c.payment_state],
    ].map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', { 'data-field': k.toLowerCase() }, v || '—'))));
    const refusedOpen = c.payment_state === 'refund_refused' && !(r.timeline || []).some((e) => e.source === 'operator' && e.kind === 'resolve_refund');
    $('tl-redrive').hidden = !(c.state === 'queued' || c.state === 'paying');
    $('tl-resolve').hidden = !refusedOpen;
    fillBody('timeline', (r.timeline || []).map((e) => h('tr', { 'data-source': e.source, 'data-kind': e.kind },
      td(ts(e.at)), h('td', {}, h('span', { class: 'src ' + e.source }, e.source.replace('_', ' '))), td(e.kind.replace(/_/g, ' ')), td(e.detail, 'wrap'))), 4, 'Nothing recorded');
  } catch (e) {
    flash(false, `Timeline not loaded: ${e.message}`);
  }
}
$('tl-redrive').addEventListener('click', () => currentCheckin && redrive(currentCheckin, $('tl-note').value, $('tl-redrive')));
$('tl-resolve').addEventListener('click', () => currentCheckin && resolveRefund(currentCheckin, $('tl-note').value, $('tl-resolve')));
document.addEventListener('click', (ev) => {
  const a = ev.target.closest('a[data-checkin]');
  if (!a) return;
  ev.preventDefault();
  location.hash = '#checkins/' + a.dataset.checkin;
});

/* ---------- charts (uPlot, vendored) ---------- */
const charts = {};
const COLORS = { a: '#0b5cad', b: '#1f7a44', c: '#b3261e', d: '#a35f00', e: '#6a3fb5' };
function chartSpec() {
  const perMin = (v, step) => v == null ? null : v * 60 / step;
  return {
    throughput: { series: [['confirmed', COLORS.b, (c, s) => c.counters.confirmed.map((v) => perMin(v, s))], ['held', COLORS.a, (c, s) => c.counters.held.map((v) => perMin(v, s))]] },
    failures: { series: [['payment failed', COLORS.c, (c, s) => c.counters.payment_failed.map((v) => perMin(v, s))], ['rejected', COLORS.d, (c, s) => c.counters.rejected.map((v) => perMin(v, s))], ['expired', COLORS.e, (c, s) => c.counters.expired.map((v) => perMin(v, s))]] },
    queue: { series: [['hold depth', COLORS.a, (c) => c.gauges.depth_hold], ['payment depth', COLORS.b, (c) => c.gauges.depth_payment], ['oldest hold (s)', COLORS.c, (c) => c.gauges.oldest_hold_secs, 'y2'], ['oldest payment (s)', COLORS.d, (c) => c.gauges.oldest_payment_secs, 'y2']] },
    latency: { series: [['p50 (ms)', COLORS.b, (c) => c.gauges.held_p50_ms], ['p95 (ms)', COLORS.d, (c) => c.gauges.held_p95_ms], ['p99 (ms)', COLORS.c, (c) => c.gauges.held_p99_ms]] },
    workers: { series: [['live workers', COLORS.a, (c) => c.gauges.workers_live], ['autoscaler target', COLORS.e, (c) => c.gauges.workers_target], ['decisions', COLORS.c, (c) => c.counters.scaling_decisions.map((v) => v ? v : null), 'y2', true]] },
  };
}
function drawCharts(cols) {
  if (typeof uPlot === 'undefined') return;
  const specs = chartSpec();
  for (const [name, spec] of Object.entries(specs)) {
    const el = $('chart-' + name);
    const data = [cols.t, ...spec.series.map(([, , f]) => f(cols, cols.step_secs))];
    // What the test and a screen reader can read: the highest value of each series.
    el.dataset.points = String(cols.t.length);
    spec.series.forEach(([label, , ], i) => {
      const known = data[i + 1].filter(isNum);
      el.dataset['max' + i] = String(known.length ? Math.max(...known) : 0);
      // For the per-minute counters: how many events the range holds.
      el.dataset['total' + i] = String(Math.round(known.reduce((a, v) => a + v, 0) * cols.step_secs / 60));
    });
    el.setAttribute('aria-label', spec.series.map(([label], i) => `${label}: max ${el.dataset['max' + i]}`).join('; '));
    const width = Math.max(300, el.clientWidth || 540);
    if (!charts[name] || charts[name].width !== width) {
      if (charts[name]) charts[name].destroy();
      const hasY2 = spec.series.some((s) => s[3] === 'y2');
      charts[name] = new uPlot({
        width, height: 220,
        scales: { x: { time: true }, y: { range: (u, lo, hi) => [0, Math.max(1, hi * 1.1)] }, y2: { range: (u, lo, hi) => [0, Math.max(1, (hi || 0) * 1.1)] } },
        axes: [{}, { scale: 'y' }, ...(hasY2 ? [{ scale: 'y2', side: 1, grid: { show: false } }] : [])],
        series: [{}, ...spec.series.map(([label, color, , scale, points]) => ({
          label, stroke: color, width: 1.6, scale: scale || 'y', spanGaps: false,
          points: points ? { show: true, size: 8, fill: color } : { show: false },
          paths: points ? () => null : undefined,
        }))],
      }, data, el);
    } else {
      charts[name].setData(data);
    }
  }
  setText('series-info', `${cols.t.length} points every ${cols.step_secs} s`);
}
async function loadSeries() {
  try { drawCharts(await getJson('/api/series?range=' + currentRange)); } catch (_) { /* next time */ }
}
for (const b of document.querySelectorAll('button[data-range]')) {
  b.addEventListener('click', () => {
    currentRange = b.dataset.range;
    for (const o of document.querySelectorAll('button[data-range]')) o.setAttribute('aria-pressed', String(o === b));
    loadSeries();
  });
}
window.addEventListener('resize', () => { if (currentView() === 'charts') loadSeries(); });

/* ---------- views ---------- */
function currentView() { return (location.hash.replace('#', '').split('/')[0]) || 'overview'; }
function showView() {
  const [view, arg] = location.hash.replace('#', '').split('/');
  const v = view || 'overview';
  for (const s of document.querySelectorAll('section.view')) s.hidden = s.id !== 'view-' + v;
  for (const a of document.querySelectorAll('nav.tabs a')) {
    if (a.dataset.view === v) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  $('flash').hidden = true;
  if (v === 'jobs') loadJobs();
  if (v === 'charts') loadSeries();
  if (v === 'actions') loadActions();
  if (v === 'checkins' && arg) { $('search-q').value = arg; search(arg); }
}
window.addEventListener('hashchange', showView);

/* ---------- polling the shared overview ---------- */
function showUpdated() {
  const el = $('updated');
  if (!lastOkAt) return;
  const secs = Math.round((Date.now() - lastOkAt) / 1000);
  const server = last && last.generated_at ? ` · server ${ts(last.generated_at)}` : '';
  el.textContent = `Last updated ${lastOkAt.toLocaleTimeString()} (${secs < 1 ? 'just now' : secs + ' s ago'})${server}${paused ? ' · paused' : ''}`;
  el.className = secs > 3 * pollMs / 1000 + 2 ? 'stale' : 'fresh';
}
setInterval(showUpdated, 1000);
function showError(msg) {
  const el = $('error');
  el.textContent = msg + (last ? ` Showing data from ${lastOkAt.toLocaleTimeString()}.` : '');
  el.hidden = false;
}
let ticks = 0;
async function poll() {
  if (inFlight) return;
  inFlight = true;
  try {
    const data = await getJson('/api/overview');
    render(data);
    last = data; lastOkAt = new Date();
    $('error').hidden = true;
    showUpdated();
    ticks++;
    if (currentView() === 'charts' && ticks % 2 === 0) loadSeries();
  } catch (e) {
    pushHist('depth', null); pushHist('confirmed', null);
    showError(e.status === 401 ? 'Signed out: reload the page to sign in again.' : e instanceof TypeError ? 'Cannot reach the dashboard server.' : 'Update failed: ' + e.message);
    showUpdated();
  } finally {
    inFlight = false;
    schedule();
  }
}
function schedule() { clearTimeout(timer); timer = paused ? null : setTimeout(poll, pollMs); }
$('pause').addEventListener('click', () => {
  paused = !paused;
  const b = $('pause');
  b.textContent = paused ? 'Resume' : 'Pause';
  b.setAttribute('aria-pressed', String(paused));
  if (paused) clearTimeout(timer); else poll();
  showUpdated();
});

loadSession().catch(() => {});
showView();
poll();
})();
