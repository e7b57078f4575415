// The operator console: a client of the daemon's HTTP API (docs/api.md) with the admin token,
// which it keeps in sessionStorage, so only for this tab. Everything it shows is set as text,
// never as markup: VCM names come from tenants.
'use strict';

(() => {
  const TOKEN_KEY = 'vcmctl.adminToken';
  const KIB = 1024;
  const MIB = 1024 * 1024;
  /** The disk bar spans this much of the limit, so the limit line stands inside it. */
  const BAR_SPAN = 1.25;

  const ACTIONS = {
    start: {
      title: 'Start VCM',
      text: (v) => `Start VCM ${v.name} (${v.uuid})?`,
      ok: 'Start',
      call: (v) => api('POST', `/v1/vcms/${v.uuid}/start`, {}),
    },
    stop: {
      title: 'Stop VCM',
      text: (v) => `Stop VCM ${v.name} (${v.uuid})? It keeps its enrolment and Security World. `
        + 'A VCM its tenant is using stops only with Force stop.',
      ok: 'Stop',
      call: (v) => api('POST', `/v1/vcms/${v.uuid}/stop`, { force: false }),
    },
    'force-stop': {
      title: 'Force stop VCM',
      text: (v) => `Force stop VCM ${v.name} (${v.uuid}) even if its tenant is using it? `
        + 'The tenant will have to restart its hardserver.',
      ok: 'Force stop',
      call: (v) => api('POST', `/v1/vcms/${v.uuid}/stop`, { force: true }),
    },
    delete: {
      title: 'Delete VCM',
      text: (v) => `Delete VCM ${v.name} (${v.uuid})? Its secrets and data are destroyed; this cannot be undone.`,
      ok: 'Delete',
      call: (v) => api('POST', `/v1/vcms/${v.uuid}/delete`, { force: false }),
    },
  };

  const view = { vcms: new Map(), history: null, timer: null, refreshMs: 5000, loading: null, version: null };

  const $ = (selector, root = document) => root.querySelector(selector);

  function el(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (name === 'text') {
        node.textContent = value;
      } else {
        node.setAttribute(name, value);
      }
    }
    children.forEach((child) => node.append(child));
    return node;
  }

  function setText(node, text) {
    if (node.textContent !== text) {
      node.textContent = text;
    }
  }

  // ---- the API ---------------------------------------------------------------------------------

  /** A refusal or failure: its message is the daemon's one line, as the command lines print it. */
  class ApiError extends Error {
    constructor(message, status) {
      super(message);
      this.status = status;
    }
  }

  async function api(method, path, body) {
    const headers = { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) || ''}` };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    let response;
    try {
      response = await fetch(path, {
        method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new ApiError(`cannot reach the orchestrator at ${window.location.origin}`
        + ' (is it running? start it with bin/orchestrator serve)', 0);
    }
    let json = null;
    try {
      json = await response.json();
    } catch (e) {
      json = null;
    }
    if (response.ok && json) {
      return json;
    }
    const message = json && json.error && typeof json.error.message === 'string'
      ? coded(json.error.code, json.error.message)
      : `the orchestrator at ${window.location.origin} answered HTTP ${response.status}`;
    throw new ApiError(message, response.status);
  }

  /**
   * The refusal as the command lines print it: "R5 VCM_IN_USE: …", or "NOT_FOUND: …" outside
   * the rules (docs/rules.md); the operator guide's own mismatch text stays as it is.
   */
  function coded(code, message) {
    if (typeof code !== 'string' || code === '' || code === 'PROPERTY_MISMATCH') {
      return message;
    }
    const rule = /^(R\d+): ([\s\S]*)$/.exec(message);
    return rule ? `${rule[1]} ${code}: ${rule[2]}` : `${code}: ${message}`;
  }

  // ---- signing in ------------------------------------------------------------------------------

  function showLogin(error) {
    stopRefreshing();
    $('#fleet').hidden = true;
    $('#sign-out').hidden = true;
    $('#login').hidden = false;
    setText($('#login-error'), error || '');
    $('#token').value = '';
    $('#token').focus();
  }

  function signOut(error) {
    sessionStorage.removeItem(TOKEN_KEY);
    view.vcms.clear();
    view.history = null;
    $('#hsms').replaceChildren();
    $('#history').hidden = true;
    showLogin(error);
  }

  async function signIn(event) {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('#token').value.trim());
    setText($('#login-error'), '');
    try {
      await refresh();
    } catch (e) {
      signOut(`ERROR: ${e.message}`);
      return;
    }
    $('#login').hidden = true;
    $('#fleet').hidden = false;
    $('#sign-out').hidden = false;
    const first = $('#hsms button:not([disabled])');
    if (first) {
      first.focus();
    }
  }

  // ---- refreshing ------------------------------------------------------------------------------

  function stopRefreshing() {
    clearTimeout(view.timer);
    view.timer = null;
  }

  function scheduleRefresh() {
    stopRefreshing();
    view.timer = setTimeout(async () => {
      try {
        await refresh();
      } catch (e) {
        if (e.status === 401) {
          signOut(`ERROR: ${e.message}`);
          return;
        }
        showError(e.message);
      }
      if (sessionStorage.getItem(TOKEN_KEY)) {
        scheduleRefresh();
      }
    }, view.refreshMs);
  }

  /** Reads everything once; one refresh at a time, later callers share the one in flight. */
  function refresh() {
    if (!view.loading) {
      view.loading = load().finally(() => {
        view.loading = null;
      });
    }
    return view.loading;
  }

  async function load() {
    const [list, version] = await Promise.all([api('GET', '/v1/hsms'),
      view.version ? Promise.resolve(view.version) : api('GET', '/v1/version')]);
    view.version = version;
    setText($('#version'), `version ${version.version}`);
    const hsms = await Promise.all(list.hsms.map(async (esn) => {
      const q = `?esn=${encodeURIComponent(esn)}`;
      const [info, vcms, stats, poller] = await Promise.all([api('GET', `/v1/hsm/info${q}`),
        api('GET', `/v1/vcms${q}`), api('GET', `/v1/stats${q}`), api('GET', `/v1/stats/poller${q}`)]);
      return { esn, info, vcms: vcms.vcms, stats: stats.stats, poller };
    }));
    const history = view.history ? await loadHistory(view.history) : null;
    render(hsms);
    if (history) {
      renderHistory(history);
    }
    // Never slower than the stats arrive, never faster than once a second.
    const delay = hsms.length ? Math.min(...hsms.map((h) => h.poller.delay_seconds)) : 5;
    view.refreshMs = Math.round(Math.min(10, Math.max(1, delay)) * 1000);
    setText($('#refreshed'), `updated ${new Date().toLocaleTimeString()}`);
  }

  // ---- rendering -------------------------------------------------------------------------------

  function render(hsms) {
    const root = $('#hsms');
    const seen = new Set();
    view.vcms.clear();
    for (const hsm of hsms) {
      seen.add(hsm.esn);
      let section = root.querySelector(`section.hsm[data-esn="${CSS.escape(hsm.esn)}"]`);
      if (!section) {
        section = hsmSection(hsm.esn);
        root.append(section);
      }
      renderHsm(section, hsm);
    }
    root.querySelectorAll('section.hsm').forEach((s) => {
      if (!seen.has(s.dataset.esn)) {
        s.remove();
      }
    });
  }

  function hsmSection(esn) {
    const id = `hsm-${esn.replace(/[^A-Za-z0-9-]/g, '')}`;
    const fact = (name, label) => el('div', {}, el('dt', { text: label }), el('dd', { 'data-fact': name }));
    const headings = ['Name and UUID', 'State', 'Address', 'Properties', 'Enrolled', 'Hardserver restart',
      'Disk', 'Actions'];
    return el('section', { class: 'hsm', 'data-esn': esn, 'aria-labelledby': `${id}-title` },
      el('h2', { id: `${id}-title`, text: `HSM ${esn}` }),
      el('dl', { class: 'facts' }, fact('licence', 'Licence'), fact('speed', 'Speed rating'),
        fact('active', 'Active / max'), fact('created', 'Created / max'), fact('network', 'Networking'),
        fact('pending', 'Pending networking'), fact('clock', 'Module clock'), fact('freshness', 'Stats')),
      el('div', { class: 'table-wrap' },
        el('table', { class: 'vcms' },
          el('caption', { text: `VCMs of ${esn}` }),
          el('thead', {}, el('tr', {}, ...headings.map((h) => el('th', { scope: 'col', text: h })))),
          el('tbody'))),
      el('p', { class: 'empty muted', text: 'No VCMs on this HSM yet.', hidden: '' }));
  }

  function renderHsm(section, hsm) {
    const { info, poller } = hsm;
    const fact = (name) => section.querySelector(`[data-fact="${name}"]`);
    setText(fact('licence'), `${info.multi_tenant ? 'multi-tenant' : 'single-tenant'}`
      + (info.features ? `, features ${info.features}` : ''));
    setText(fact('speed'), info.speed_rating);
    setText(fact('active'), `${info.vcms_active} / ${info.max_active_vcms}`);
    setText(fact('created'), `${info.vcms_created} / ${info.max_creatable_vcms}`);
    setText(fact('network'), info.network || 'not set');
    setText(fact('pending'), info.pending_network ? `${info.pending_network} (at the next reset)` : 'none');
    setText(fact('clock'), clock(info.module_time));
    const now = Date.parse(info.module_time);
    const last = poller.last_completed_at ? Date.parse(poller.last_completed_at) : null;
    const pollStale = last === null || now - last > poller.stale_after_seconds * 1000;
    const freshness = fact('freshness');
    setText(freshness, (last === null ? 'no poll completed yet' : `last poll ${ago(now - last)}`)
      + `, every ${poller.delay_seconds} s` + (pollStale && last !== null ? ' — stale' : ''));
    freshness.classList.toggle('stale', pollStale && last !== null);

    const stats = new Map(hsm.stats.map((s) => [s.uuid, s]));
    const body = section.querySelector('tbody');
    const seen = new Set();
    for (const vcm of hsm.vcms) {
      seen.add(vcm.uuid);
      view.vcms.set(vcm.uuid, vcm);
      let row = body.querySelector(`tr[data-uuid="${vcm.uuid}"]`);
      if (!row) {
        row = vcmRow(vcm.uuid);
        body.append(row);
      }
      renderVcm(row, vcm, stats.get(vcm.uuid), poller, now);
    }
    body.querySelectorAll('tr[data-uuid]').forEach((row) => {
      if (!seen.has(row.dataset.uuid)) {
        row.remove();
      }
    });
    section.querySelector('p.empty').hidden = hsm.vcms.length > 0;
  }

  function vcmRow(uuid) {
    const cell = (col, label, ...children) => el('td', { 'data-col': col, 'data-label': label }, ...children);
    const button = (action, label) => el('button', { type: 'button', 'data-action': action, text: label });
    return el('tr', { 'data-uuid': uuid },
      el('th', { scope: 'row', 'data-label': 'VCM' },
        el('span', { 'data-col': 'name', class: 'name' }), el('span', { 'data-col': 'uuid', class: 'uuid' })),
      cell('state', 'State', el('span', { class: 'state' })),
      cell('address', 'Address'),
      cell('properties', 'Properties'),
      cell('enrolled', 'Enrolled'),
      cell('restart', 'Hardserver restart'),
      cell('disk', 'Disk',
        el('div', { class: 'disk', role: 'meter', 'aria-valuemin': '0' },
          el('div', { class: 'disk-fill' }), el('div', { class: 'disk-limit' })),
        el('div', { class: 'disk-text' }), el('div', { class: 'freshness' })),
      cell('actions', 'Actions', el('div', { class: 'actions' }, button('start', 'Start'), button('stop', 'Stop'),
        button('force-stop', 'Force stop'), button('delete', 'Delete'), button('history', 'History'))));
  }

  function renderVcm(row, vcm, stats, poller, now) {
    const col = (name) => row.querySelector(`[data-col="${name}"]`);
    setText(col('name'), vcm.name);
    setText(col('uuid'), vcm.uuid);
    const badge = col('state').firstChild;
    setText(badge, vcm.state);
    badge.className = `state state-${vcm.state}`;
    setText(col('address'), vcm.properties.ip_address);
    setText(col('properties'), properties(vcm.properties));
    setText(col('enrolled'), vcm.enrolled ? 'yes' : 'no');
    const restart = col('restart');
    setText(restart, vcm.hardserver_restart_required ? 'required' : 'no');
    restart.classList.toggle('warn-text', vcm.hardserver_restart_required);
    renderDisk(col('disk'), vcm, stats, poller, now);

    const active = vcm.state === 'active';
    const enable = { start: vcm.state === 'inactive', stop: active, 'force-stop': active, delete: !active };
    row.querySelectorAll('button[data-action]').forEach((b) => {
      const action = b.dataset.action;
      b.disabled = action in enable && !enable[action];
      b.setAttribute('aria-label', `${b.textContent} ${vcm.name}`);
    });
  }

  function renderDisk(cell, vcm, stats, poller, now) {
    const limit = poller.disk_limit_bytes;
    const meter = cell.querySelector('.disk');
    const fill = cell.querySelector('.disk-fill');
    const collected = stats && stats.collected_at ? Date.parse(stats.collected_at) : null;
    const bytes = collected === null ? 0 : stats.disk_bytes;
    const level = vcm.state === 'disk-limit-stopped' ? 'alarm'
      : collected !== null && stats.approaching_disk_limit ? 'warning' : 'ok';
    meter.className = `disk disk-${level}`;
    meter.setAttribute('aria-valuemax', String(limit));
    meter.setAttribute('aria-valuenow', String(bytes));
    meter.setAttribute('aria-label', `Disk use of ${vcm.name}`);
    fill.style.width = `${Math.min(100, (bytes / (limit * BAR_SPAN)) * 100)}%`;
    cell.querySelector('.disk-limit').style.left = `${100 / BAR_SPAN}%`;
    const text = collected === null ? 'not collected yet'
      : `${size(bytes)} of ${size(limit)} (${Math.floor((bytes / limit) * 100)} %)`
        + (level === 'alarm' ? ', stopped for the limit' : level === 'warning' ? ', near the limit' : '');
    setText(cell.querySelector('.disk-text'), text);
    meter.setAttribute('aria-valuetext', text);
    const freshness = cell.querySelector('.freshness');
    const stale = collected !== null && (now - collected > poller.stale_after_seconds * 1000 || !stats.answering);
    setText(freshness, collected === null ? '' : `collected ${ago(now - collected)}`
      + (stale ? (stats.answering ? ' — stale' : ' — not answering') : ''));
    freshness.classList.toggle('stale', stale);
  }

  function properties(p) {
    const flags = ['autostart', 'restrict_startup', 'serial_cardreader'].filter((f) => p[f]);
    return [...flags, p.features || 'no features'].join(', ');
  }

  // ---- history -------------------------------------------------------------------------------

  async function loadHistory(of) {
    const answer = await api('GET', `/v1/vcms/${of.uuid}/history`);
    return { of, events: answer.events };
  }

  async function openHistory(vcm) {
    view.history = { uuid: vcm.uuid, name: vcm.name };
    try {
      renderHistory(await loadHistory(view.history));
    } catch (e) {
      showError(e.message);
      return;
    }
    $('#history').hidden = false;
    $('#history-title').focus();
  }

  function renderHistory({ of, events }) {
    setText($('#history-title'), `History of ${of.name} (${of.uuid})`);
    const timeline = $('#timeline');
    // Events are only ever appended: redraw only when there are new ones.
    const drawn = `${of.uuid}:${events.length}`;
    if (timeline.dataset.drawn === drawn) {
      return;
    }
    timeline.dataset.drawn = drawn;
    timeline.replaceChildren(...events.map((e) => el('li', { class: 'event', 'data-seq': String(e.seq) },
      el('time', { datetime: e.at, text: clock(e.at) }),
      el('span', { class: 'what', text: e.event }),
      el('span', { class: 'who', text: `by ${e.by}` }),
      el('span', { class: 'digest', text: e.request_digest ? `request ${e.request_digest}` : 'no request' }))));
  }

  function closeHistory() {
    view.history = null;
    $('#history').hidden = true;
  }

  // ---- actions ---------------------------------------------------------------------------------

  function showError(message) {
    setText($('#action-done'), '');
    setText($('#action-error'), `ERROR: ${message}`);
  }

  function confirmed(action, vcm) {
    const dialog = $('#confirm');
    setText($('#confirm-title'), action.title);
    setText($('#confirm-text'), action.text(vcm));
    setText($('#confirm-ok'), action.ok);
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
      dialog.returnValue = '';
      dialog.showModal();
      // Cancel first: Enter alone never confirms a destructive action.
      $('#confirm-cancel').focus();
    });
  }

  async function act(button) {
    const vcm = view.vcms.get(button.closest('tr').dataset.uuid);
    if (!vcm) {
      return;
    }
    if (button.dataset.action === 'history') {
      await openHistory(vcm);
      return;
    }
    const action = ACTIONS[button.dataset.action];
    if (!(await confirmed(action, vcm))) {
      button.focus();
      return;
    }
    try {
      const answer = await action.call(vcm);
      setText($('#action-error'), '');
      setText($('#action-done'), `VCM ${answer.name}: ${answer.state}`
        + (answer.hardserver_restart_required ? '; its tenant must restart the hardserver' : ''));
    } catch (e) {
      if (e.status === 401) {
        signOut(`ERROR: ${e.message}`);
        return;
      }
      showError(e.message);
    }
    try {
      await refresh();
    } catch (e) {
      showError(e.message);
    }
    if (document.contains(button) && !button.disabled) {
      button.focus();
    } else {
      const row = document.querySelector(`tr[data-uuid="${vcm.uuid}"]`);
      const next = row ? row.querySelector('button:not([disabled])') : $('#hsms button:not([disabled])');
      if (next) {
        next.focus();
      }
    }
  }

  // ---- formatting ------------------------------------------------------------------------------

  function clock(iso) {
    return `${iso.replace('T', ' ').replace(/\.\d+/, '').replace('Z', '')} UTC`;
  }

  function ago(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
  }

  function size(bytes) {
    if (bytes >= MIB) {
      return `${bytes % MIB === 0 ? bytes / MIB : (bytes / MIB).toFixed(1)} MiB`;
    }
    return bytes >= KIB ? `${(bytes / KIB).toFixed(1)} KiB` : `${bytes} B`;
  }

  // ---- start -----------------------------------------------------------------------------------

  document.addEventListener('DOMContentLoaded', () => {
    $('#login-form').addEventListener('submit', async (event) => {
      await signIn(event);
      if (sessionStorage.getItem(TOKEN_KEY)) {
        scheduleRefresh();
      }
    });
    $('#sign-out').addEventListener('click', () => signOut(''));
    $('#history-close').addEventListener('click', closeHistory);
    $('#confirm-cancel').addEventListener('click', () => $('#confirm').close('cancel'));
    $('#confirm-ok').addEventListener('click', () => $('#confirm').close('ok'));
    $('#hsms').addEventListener('click', (event) => {
      const button = event.target.closest('button[data-action]');
      if (button && !button.disabled) {
        act(button);
      }
    });
    if (sessionStorage.getItem(TOKEN_KEY)) {
      $('#token').value = sessionStorage.getItem(TOKEN_KEY);
      $('#login-form').requestSubmit();
    } else {
      showLogin('');
    }
  });
})();
