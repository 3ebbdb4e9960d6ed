// Worker panel. Receives `{type:'state', state}` (see src/extension/panelProtocol.ts) and renders it
// with createElement/textContent only, so nothing from user code is ever parsed as HTML.
// @ts-check
(function () {
  // @ts-ignore acquireVsCodeApi is injected by VS Code
  const vscode = acquireVsCodeApi();
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));
  const SVG = 'http://www.w3.org/2000/svg';
  const TREE = ['start', '1', '2', '3', '4', '5', 'cpu-formula', '6', 'cores', 'memory', 'pool', 'after-fix', 'ccu'];
  /** @type {any} */
  let state;
  let focusKey = '';

  /** @param {string} tag @param {Record<string, any>} [attrs] @param {(Node|string|null|undefined)[]} [kids] */
  function h(tag, attrs, kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') el.textContent = String(v);
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of kids || []) if (c !== null && c !== undefined) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
    return el;
  }
  /** @param {string} tag @param {Record<string, string|number>} attrs */
  function s(tag, attrs) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    return el;
  }
  /** @param {string} text @param {Record<string,string>} t */
  function copyButton(text, t) {
    return h('button', { class: 'secondary', text: t.copy, onclick: () => vscode.postMessage({ type: 'copy', text }) });
  }

  function render() {
    const t = state.strings;
    app.replaceChildren(
      folderPicker(t), header(t), actions(t), inputs(t), chart(t), trace(t), findings(t), snippets(t), warnings(t),
    );
    const focused = app.querySelector('.focused');
    if (focused && focusKey) { focused.scrollIntoView({ block: 'center' }); focusKey = ''; }
  }

  /** One panel per workspace folder: a picker when the workspace has several. */
  function folderPicker(t) {
    if (!state.folders || state.folders.length < 2) return null;
    const select = h('select', { id: 'folder', onchange: () => vscode.postMessage({ type: 'pickFolder', folder: select.value }) },
      state.folders.map((f) => h('option', { value: f.uri, selected: f.uri === state.folder, text: f.name })));
    return h('label', { class: 'field folder' }, [h('span', { text: t.folder }), select]);
  }

  function header(t) {
    return h('section', { class: 'hero' }, [
      h('div', { class: 'label', text: t.recommended }),
      h('div', { id: 'workers', class: 'workers', text: String(state.workers) }),
      h('div', { id: 'reason', class: 'reason', text: state.reason }),
      state.processPool > 0 ? h('div', { class: 'muted', text: t.pool.replace('{0}', String(state.processPool)) }) : null,
      state.afterFix.processPool > 0 && (state.afterFix.workers !== state.workers || state.afterFix.processPool !== state.processPool)
        ? h('div', { class: 'muted', text: t.afterFixPool.replace('{0}', String(state.afterFix.workers)).replace('{1}', String(state.afterFix.processPool)) })
        : state.afterFix.workers !== state.workers ? h('div', { class: 'muted', text: t.afterFix.replace('{0}', String(state.afterFix.workers)) }) : null,
      state.estimate ? h('div', { class: 'muted', id: 'estimate', text: `${t.estimated}: ${state.estimate}` }) : null,
    ]);
  }

  function actions(t) {
    if (!state.actions.length) return null;
    return h('section', {}, [h('h2', { text: t.actions }), h('ol', {}, state.actions.map((a) => h('li', { text: a })))]);
  }

  function inputs(t) {
    const i = state.inputs;
    /** @param {string} key @param {number|null} value @param {string} step */
    const field = (key, value, step) => h('label', { class: 'field' }, [
      h('span', { text: t[key] }),
      h('input', { type: 'number', id: `in-${key}`, min: '0', step, value: value === null ? '' : String(value) }),
      i.origin[key] ? h('span', { class: 'origin', text: `${t.from} ${i.origin[key]}` }) : null,
    ]);
    const form = h('form', { id: 'inputs', class: 'inputs' }, [
      field('cores', i.cores, 'any'), field('memoryMb', i.memoryMb, '1'), field('rps', i.rps, 'any'),
      field('ccu', i.ccu, '1'), field('targetLatencyMs', i.targetLatencyMs, 'any'),
      h('label', { class: 'check' }, [h('input', { type: 'checkbox', id: 'in-cannotRefactor', checked: i.cannotRefactor }), h('span', { text: t.cannotRefactor })]),
      h('div', { class: 'field wide' }, [
        h('span', { text: t.loadTest }),
        h('button', { type: 'button', class: 'secondary', text: t.loadTestPick, onclick: () => vscode.postMessage({ type: 'pickLoadTest' }) }),
        h('span', { class: 'origin', text: i.loadTestFile }),
      ]),
      h('label', { class: 'field' }, [h('span', { text: t.loadTestWorkers }), h('input', { type: 'number', id: 'in-loadTestWorkers', min: '1', step: '1', value: i.loadTestWorkers === null ? '' : String(i.loadTestWorkers) })]),
      h('label', { class: 'field wide' }, [h('span', { text: t.loadTestPaste }), h('textarea', { id: 'in-loadTestText', rows: '3', text: i.loadTestText })]),
      h('div', { class: 'buttons' }, [
        h('button', { type: 'submit', text: t.apply }),
        h('button', { type: 'button', class: 'secondary', text: t.reset, onclick: () => vscode.postMessage({ type: 'setInputs', inputs: {} }) }),
      ]),
    ]);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      /** @param {string} k */
      const num = (k) => { const v = /** @type {HTMLInputElement} */ (document.getElementById(`in-${k}`)).value; return v === '' ? undefined : Number(v); };
      const orig = state.inputs;
      /** @param {string} k */
      const changed = (k) => { const v = num(k); return v === undefined || (v === orig[k] && !orig.overridden.includes(k)) ? undefined : v; };
      vscode.postMessage({ type: 'setInputs', inputs: {
        cores: changed('cores'), memoryMb: changed('memoryMb'), rps: changed('rps'), ccu: num('ccu'), targetLatencyMs: changed('targetLatencyMs'),
        cannotRefactor: /** @type {HTMLInputElement} */ (document.getElementById('in-cannotRefactor')).checked,
        loadTestWorkers: num('loadTestWorkers'), loadTestFile: orig.loadTestFile || undefined,
        loadTestText: /** @type {HTMLTextAreaElement} */ (document.getElementById('in-loadTestText')).value,
      } });
    });
    return h('section', {}, [h('h2', { text: t.inputs }), form]);
  }

  function chart(t) {
    const rows = state.handlers;
    if (!rows.length) return h('section', {}, [h('h2', { text: t.handlers }), h('p', { class: 'muted', text: t.noHandlers })]);
    const max = Math.max(1, ...rows.map((r) => r.cpuMs + r.ioMs + r.blockingMs));
    const rowH = 22, labelW = 220, barW = 360, width = labelW + barW + 90;
    const svg = s('svg', { class: 'chart', width, height: rows.length * rowH + 4, viewBox: `0 0 ${width} ${rows.length * rowH + 4}`, role: 'img' });
    svg.append(Object.assign(s('title', {}), { textContent: t.handlers }));
    rows.forEach((r, i) => {
      const y = i * rowH + 2;
      const g = s('g', { class: `row${r.focused ? ' focused' : ''}`, tabindex: 0 });
      g.addEventListener('click', () => vscode.postMessage({ type: 'reveal', kind: 'handler', index: i }));
      if (r.focused) g.append(s('rect', { class: 'focus', x: 0, y, width, height: rowH - 2 }));
      const label = s('text', { x: 4, y: y + 14, class: 'label' });
      label.textContent = r.label.length > 30 ? r.label.slice(0, 29) + '…' : r.label;
      const tip = s('title', {});
      tip.textContent = `${r.label}: CPU ${r.cpuMs} ms, I/O ${r.ioMs} ms, ${t.legendBlocking} ${r.blockingMs} ms, ${r.findings} ${t.blockers}`;
      g.append(tip, label);
      let x = labelW;
      for (const [cls, ms] of [['cpu', r.cpuMs], ['io', r.ioMs], ['blocking', r.blockingMs]]) {
        const w = (Number(ms) / max) * barW;
        if (w > 0) g.append(s('rect', { class: `bar ${cls}`, x, y: y + 3, width: Math.max(1, w), height: rowH - 8 }));
        x += w;
      }
      const total = s('text', { x: x + 6, y: y + 14, class: 'value' });
      total.textContent = `${Math.round(r.cpuMs + r.ioMs + r.blockingMs)} ms${r.findings ? ` · ${r.findings}⚠` : ''}`;
      g.append(total);
      svg.append(g);
    });
    const legend = h('div', { class: 'legend' }, [
      h('span', { class: 'swatch cpu' }), h('span', { text: t.legendCpu }),
      h('span', { class: 'swatch io' }), h('span', { text: t.legendIo }),
      h('span', { class: 'swatch blocking' }), h('span', { text: t.legendBlocking }),
    ]);
    return h('section', { id: 'handlers' }, [h('h2', { text: t.handlers }), legend, h('div', { class: 'scroll' }, [svg])]);
  }

  function trace(t) {
    const taken = new Map(state.trace.map((x) => [x.step, x]));
    const items = TREE.filter((id) => taken.has(id) || !['cores', 'memory', 'pool', 'after-fix', 'ccu'].includes(id)).map((id) => {
      const step = taken.get(id);
      return h('li', { class: step ? 'taken' : 'skipped' }, [
        h('div', { class: 'q', text: t[`tree.${id}`] || (step && step.question) || id }),
        step ? h('div', { class: 'a', text: `→ ${step.answer}${step.measured ? ` (${t.measured})` : step.estimated ? ` (${t.estimated})` : ''}` }) : null,
        step ? h('div', { class: 'why muted', text: step.why }) : null,
      ]);
    });
    return h('section', { id: 'trace' }, [h('h2', { text: t.trace }), h('ol', { class: 'tree' }, items)]);
  }

  function findings(t) {
    const list = state.findings;
    if (!list.length) return h('section', {}, [h('h2', { text: t.findings }), h('p', { class: 'muted', text: t.noFindings })]);
    return h('section', { id: 'findings' }, [
      h('h2', { text: `${t.findings} (${list.length})` }),
      h('ul', { class: 'findings' }, list.map((f, index) => h('li', {}, [
        h('a', { href: '#', text: `${f.file}:${f.line}`, onclick: (/** @type {Event} */ e) => { e.preventDefault(); vscode.postMessage({ type: 'reveal', kind: 'finding', index }); } }),
        ' ', h('code', { text: f.code }), ' ', h('span', { text: f.message }),
      ]))),
    ]);
  }

  function snippets(t) {
    const sn = state.snippets;
    return h('section', { id: 'snippets' }, [
      h('h2', { text: t.snippets }),
      h('div', { class: 'snippet' }, [h('pre', { id: 'command', text: sn.command }), copyButton(sn.command, t)]),
      h('div', { class: 'snippet' }, [h('pre', { text: sn.compose }), copyButton(sn.compose, t)]),
    ]);
  }

  function warnings(t) {
    if (!state.warnings.length) return null;
    return h('section', { id: 'warnings' }, [h('h2', { text: t.warnings }), h('ul', {}, state.warnings.map((w) => h('li', { class: 'warning', text: w })))]);
  }

  window.addEventListener('message', (event) => {
    const msg = event.data;
    if (!msg || typeof msg !== 'object') return;
    if (msg.type === 'state') { state = msg.state; focusKey = state.handlers.some((/** @type {any} */ x) => x.focused) ? 'y' : ''; render(); }
  });
  vscode.postMessage({ type: 'ready' });
})();
