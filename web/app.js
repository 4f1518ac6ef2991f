// audiostyle's page: plain JavaScript over the JSON API (/api/...), no framework.
'use strict';
var $ = function (id) { return document.getElementById(id); };
var picked = { content: null, style: null, classify: null }; // a File or {example: name}
var current = null, events = null;

function el(tag, attrs, text) {
  var e = document.createElement(tag);
  for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
}
function fmt(v, d) { return v === null || v === undefined ? '–' : Number(v).toFixed(d === undefined ? 3 : d); }
function fmtTime(s) { if (s === null || s === undefined || s < 0) return '?'; s = Math.ceil(s); return Math.floor(s / 60) + ':' + ('0' + s % 60).slice(-2); }
function api(method, url, body) {
  return fetch(url, { method: method, body: body }).then(function (r) {
    return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || r.statusText); return j; });
  });
}
function fileFor(which) {
  var p = picked[which];
  if (!p) return Promise.reject(new Error('choose a ' + which + ' file'));
  if (p instanceof Blob) return Promise.resolve(p);
  return fetch('/api/examples/' + encodeURIComponent(p.example)).then(function (r) {
    if (!r.ok) throw new Error('example ' + p.example + ' not found');
    return r.blob().then(function (b) { return new File([b], p.example, { type: b.type }); });
  });
}
function choose(which, v) {
  picked[which] = v;
  $(which + '-chosen').textContent = v ? (v.name || v.example) : '';
}
function setupPicker(which) {
  var input = $(which + '-file'), sel = $(which + '-example'), drop = $('drop-' + which);
  input.addEventListener('change', function () { if (input.files[0]) { sel.value = ''; choose(which, input.files[0]); } });
  sel.addEventListener('change', function () { if (sel.value) { input.value = ''; choose(which, { example: sel.value }); } });
  drop.addEventListener('dragover', function (e) { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', function () { drop.classList.remove('over'); });
  drop.addEventListener('drop', function (e) {
    e.preventDefault(); drop.classList.remove('over');
    if (e.dataTransfer.files[0]) { sel.value = ''; choose(which, e.dataTransfer.files[0]); }
  });
}

// the form: the preset's choices and the other fields come from the option table (/api/options)
function buildForm(fields) {
  var more = $('more');
  fields.forEach(function (f) {
    if (f.name === 'preset') {
      f.choices.split('|').forEach(function (c) { $('preset').appendChild(el('option', { value: c }, c)); });
      $('preset').value = f['default'] || 'default';
      return;
    }
    var show = ['filters', 'iterations', 'griffin_lim_iterations', 'content_offset', 'content_duration', 'style_offset', 'style_duration', 'seed'];
    if (show.indexOf(f.name) < 0) return;
    var lab = el('label', { title: f.help }, f.name.replace(/_/g, ' ') + ' ');
    var inp = el('input', { name: f.name, type: 'number', step: f.type === 'number' ? 'any' : '1', min: f.min, max: f.max,
                            placeholder: f['default'] || f.default_text || '' });
    inp.id = 'opt-' + f.name;
    lab.appendChild(inp);
    more.appendChild(lab);
  });
}

function startJob(e) {
  e.preventDefault();
  $('form-error').textContent = '';
  $('start').disabled = true;
  Promise.all([fileFor('content'), fileFor('style')]).then(function (files) {
    var fd = new FormData();
    fd.append('content', files[0], files[0].name);
    fd.append('style', files[1], files[1].name);
    fd.append('preset', $('preset').value);
    Array.prototype.forEach.call($('more').querySelectorAll('input'), function (i) { if (i.value !== '') fd.append(i.name, i.value); });
    return api('POST', '/api/jobs', fd);
  }).then(function (j) { refreshJobs(); show(j.id); })
    .catch(function (err) { $('form-error').textContent = err.message; })
    .then(function () { $('start').disabled = false; });
}

function refreshJobs() {
  return api('GET', '/api/jobs').then(function (r) {
    var ul = $('jobs');
    ul.textContent = '';
    r.jobs.forEach(function (j) {
      var li = el('li');
      li.dataset.id = j.id;
      if (j.id === current) li.className = 'on';
      li.appendChild(el('span', { 'class': 'state ' + j.state }, j.state));
      li.appendChild(document.createTextNode(' ' + j.content + ' in the style of ' + j.style + ' — ' + new Date(j.created * 1000).toLocaleString()));
      li.addEventListener('click', function () { show(j.id); });
      ul.appendChild(li);
    });
    if (!current && r.jobs.length) show(r.jobs[0].id);
  }).catch(function () {});
}

function show(id) {
  current = id;
  try { localStorage.setItem('audiostyle.job', id); } catch (e) {}
  Array.prototype.forEach.call($('jobs').children, function (li) { li.className = li.dataset.id === id ? 'on' : ''; });
  if (events) { events.close(); events = null; }
  api('GET', '/api/jobs/' + id).then(function (j) {
    render(j);
    if (j.state === 'queued' || j.state === 'running') {
      events = new EventSource('/api/jobs/' + id + '/events');
      var on = function (ev) { var k = JSON.parse(ev.data); if (k.id === current) render(k); if (ev.type === 'end') { events.close(); events = null; refreshJobs(); } };
      events.addEventListener('progress', on);
      events.addEventListener('end', on);
    }
  }).catch(function (err) { $('job').textContent = err.message; });
}

function genreText(list) { return (list || []).map(function (g) { return g.genre + ' ' + (100 * g.probability).toFixed(1) + ' %'; }).join(', '); }

function render(j) {
  var box = $('job');
  var live = box.dataset.id === j.id && box.dataset.state === j.state && (j.state === 'queued' || j.state === 'running');
  if (!live) {
    box.textContent = '';
    box.dataset.id = j.id; box.dataset.state = j.state;
    box.appendChild(el('h2', {}, j.content + ' in the style of ' + j.style));
    box.appendChild(el('p', { id: 'job-status' }));
    if (j.state === 'queued' || j.state === 'running') {
      box.appendChild(el('progress', { id: 'progress', max: 1, value: 0 }));
      var b = el('button', { 'class': 'btn cancel', id: 'cancel', type: 'button' }, 'Cancel');
      b.addEventListener('click', function () { api('DELETE', '/api/jobs/' + j.id).then(refreshJobs).catch(function (e) { $('job-status').textContent = e.message; }); });
      box.appendChild(b);
    }
  }
  var st = $('job-status');
  if (j.state === 'queued') st.textContent = 'queued, position ' + j.position;
  else if (j.state === 'running') {
    var stage = j.stage === 'griffin-lim' ? 'Griffin-Lim' : 'optimising';
    st.textContent = (j.stage ? stage + ': iteration ' + j.iteration + ' of ' + j.iterations : 'starting') +
      (j.content_loss !== null ? ' — content loss ' + fmt(j.content_loss, 4) + ', style loss ' + fmt(j.style_loss, 4) : '') +
      ' — ETA ' + fmtTime(j.eta_seconds);
    var p = $('progress');
    if (p && j.iterations) p.value = (j.stage === 'griffin-lim' ? 0.8 + 0.2 * j.iteration / j.iterations : 0.8 * j.iteration / j.iterations);
  } else if (j.state === 'done') st.textContent = 'done';
  else st.textContent = j.state + (j.error && j.error !== 'cancelled' ? ': ' + j.error : '');
  if (j.state !== 'done' || live) return;
  var r = j.result || {}, f = j.files;
  var pr = el('progress', { id: 'progress', max: 1, value: 1 });
  box.appendChild(pr);
  var players = el('div', { 'class': 'players' });
  [['content', f.content], ['style', f.style], ['result', f.wav]].forEach(function (x) {
    var d = el('div'); d.appendChild(el('b', {}, x[0])); d.appendChild(el('br'));
    var a = el('audio', { controls: '', preload: 'metadata', src: x[1], id: 'player-' + x[0] }); d.appendChild(a);
    players.appendChild(d);
  });
  box.appendChild(players);
  box.appendChild(el('img', { 'class': 'spec', id: 'spectrograms', src: f.spectrograms, alt: 'content, style and result spectrograms' }));
  if (r.genres) {
    var t = el('table'); t.appendChild(el('tr')).appendChild(el('th', { colspan: 2 }, 'genres (built-in model)'));
    ['content', 'style', 'result'].forEach(function (k) { var tr = el('tr'); tr.appendChild(el('td', {}, k)); tr.appendChild(el('td', {}, genreText(r.genres[k]))); t.appendChild(tr); });
    var gs = r.genre_shift;
    if (gs) { var tr = el('tr'); tr.appendChild(el('td', {}, 'genre shift')); tr.appendChild(el('td', {}, gs.genre + ' (the style\'s top genre): ' + (100 * gs.content).toFixed(1) + ' % in the content → ' + (100 * gs.result).toFixed(1) + ' % in the result')); t.appendChild(tr); }
    box.appendChild(t);
  }
  if (r.quality) {
    var q = el('table', { id: 'quality' }); q.appendChild(el('tr')).appendChild(el('th', { colspan: 2 }, 'quality'));
    for (var k in r.quality) { var tr2 = el('tr'); tr2.appendChild(el('td', {}, k.replace(/_/g, ' '))); tr2.appendChild(el('td', {}, fmt(r.quality[k]))); q.appendChild(tr2); }
    box.appendChild(q);
  }
  box.appendChild(el('p', {}, r.iterations + ' iterations, ' + r.evaluations + ' evaluations in ' + fmt(r.optimize_seconds, 1) + ' s; content loss ' + fmt(r.content_loss, 4) + ', style loss ' + fmt(r.style_loss, 4)));
  var dl = el('p');
  [['result.wav', f.wav], ['result.flac', f.flac], ['spectrograms.png', f.spectrograms], ['the full report', f.report]].forEach(function (x, i) {
    if (i) dl.appendChild(document.createTextNode(' · '));
    var a = el('a', { href: x[1] }, x[0]); if (i < 3) a.setAttribute('download', x[0]); else a.setAttribute('target', '_blank');
    dl.appendChild(a);
  });
  box.appendChild(dl);
}

function classify(e) {
  e.preventDefault();
  $('classify-error').textContent = ''; $('classify-result').textContent = '';
  fileFor('classify').then(function (file) {
    var fd = new FormData(); fd.append('file', file, file.name);
    return api('POST', '/api/classify', fd);
  }).then(function (r) {
    var one = r[0] || {}, t = el('table', { id: 'classify-table' });
    t.appendChild(el('tr')).appendChild(el('th', { colspan: 2 }, one.file || ''));
    (one.genres || []).forEach(function (g) { var tr = el('tr'); tr.appendChild(el('td', {}, g.genre)); tr.appendChild(el('td', {}, (100 * g.probability).toFixed(1) + ' %')); t.appendChild(tr); });
    $('classify-result').appendChild(t);
    if (one.warning) $('classify-result').appendChild(el('p', {}, one.warning));
  }).catch(function (err) { $('classify-error').textContent = err.message; });
}

function tab(which) {
  $('view-transfer').hidden = which !== 'transfer'; $('view-classify').hidden = which !== 'classify';
  $('tab-transfer').className = 'tab' + (which === 'transfer' ? ' on' : '');
  $('tab-classify').className = 'tab' + (which === 'classify' ? ' on' : '');
}

setupPicker('content'); setupPicker('style'); setupPicker('classify');
$('job-form').addEventListener('submit', startJob);
$('classify-form').addEventListener('submit', classify);
$('tab-transfer').addEventListener('click', function () { tab('transfer'); });
$('tab-classify').addEventListener('click', function () { tab('classify'); });
api('GET', '/api/options').then(function (o) { buildForm(o.fields); }).catch(function () {});
api('GET', '/api/examples').then(function (r) {
  ['content', 'style', 'classify'].forEach(function (w) {
    r.examples.forEach(function (x) { $(w + '-example').appendChild(el('option', { value: x.name }, x.name)); });
  });
}).catch(function () {});
try { current = localStorage.getItem('audiostyle.job'); } catch (e) {}
refreshJobs().then(function () { if (current) show(current); });
