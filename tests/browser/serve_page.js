// The web app in a real browser: Debian's chromium, headless, driven through the DevTools
// protocol by puppeteer-core (which never downloads a browser). Opens the page, uploads two
// examples through the file inputs, starts a small job, waits for the progress bar to finish,
// checks that every player reads a duration and the spectrogram image decodes, that the job
// list survives a reload, and that the Classify view answers; saves a screenshot.
//   node serve_page.js URL SCREENSHOT.png EXAMPLES_DIR
'use strict';
const puppeteer = require('puppeteer-core');
const path = require('path');
const [url, shot, examples] = process.argv.slice(2);
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';

function check(ok, what) { if (!ok) throw new Error(what); }

(async () => {
  const browser = await puppeteer.launch({
    executablePath: chromium, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
           '--no-first-run', '--autoplay-policy=no-user-gesture-required'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.setViewport({ width: 1200, height: 1600 });
    await page.goto(url, { waitUntil: 'load' });
    const paint = await page.evaluate(() => {
      const p = performance.getEntriesByName('first-contentful-paint')[0] || performance.getEntriesByType('paint')[0];
      return p ? p.startTime : null;
    });
    console.log('first paint: ' + (paint === null ? '?' : paint.toFixed(1)) + ' ms');
    if (process.env.PAINT_ONLY) { // scripts/bench_serve.sh: the first paint of N more fresh loads
      const t = [];
      for (let i = 0; i < Number(process.env.PAINT_ONLY); i++) {
        await page.goto(url + '?' + i, { waitUntil: 'load' });
        await new Promise((r) => setTimeout(r, 100));
        t.push(await page.evaluate(() => { const e = performance.getEntriesByName('first-contentful-paint')[0]; return e ? e.startTime : NaN; }));
      }
      t.sort((a, b) => a - b);
      console.log('paint: median ' + t[t.length >> 1].toFixed(1) + ' ms, max ' + t[t.length - 1].toFixed(1) + ' ms over ' + t.length + ' loads');
      return;
    }
    await page.waitForFunction(() => document.querySelectorAll('#preset option').length > 0 &&
                               document.querySelectorAll('#content-example option').length > 1, { timeout: 10000 });
    const content = await page.$('#content-file'), style = await page.$('#style-file');
    await content.uploadFile(path.join(examples, 'rock_sectoid_feelings.flac'));
    await style.uploadFile(path.join(examples, 'techno_torustrooper_tt1.flac'));
    await page.select('#preset', 'default');
    await page.evaluate(() => { document.querySelector('details').open = true; });
    const small = { filters: '16', iterations: '3', griffin_lim_iterations: '2', content_duration: '2', style_duration: '2' };
    for (const k in small) await page.type('#opt-' + k, small[k]);
    await page.click('#start');
    await page.waitForSelector('#progress', { timeout: 20000 });
    await page.waitForFunction(() => { const p = document.getElementById('progress'); return p && p.value === 1 && document.getElementById('spectrograms'); },
                               { timeout: 120000 });
    const media = await page.evaluate(async () => {
      const wait = (a) => new Promise((res) => {
        if (a.readyState >= 1) return res();
        a.addEventListener('loadedmetadata', () => res()); a.addEventListener('error', () => res()); a.load();
      });
      const img = document.getElementById('spectrograms');
      if (!img.complete) await new Promise((res) => { img.onload = res; img.onerror = res; });
      const out = {};
      for (const k of ['content', 'style', 'result']) { const a = document.getElementById('player-' + k); await wait(a); out[k] = a.duration; }
      out.img = img.naturalWidth;
      out.quality = document.querySelectorAll('#quality tr').length;
      out.status = document.getElementById('job-status').textContent;
      return out;
    });
    console.log('players: ' + JSON.stringify(media));
    for (const k of ['content', 'style', 'result']) check(isFinite(media[k]) && media[k] > 0, k + ' player has no duration: ' + media[k]);
    check(Math.abs(media.result - 2) < 0.1, 'the result lasts ' + media.result + ' s, not 2');
    check(media.img > 0, 'the spectrogram image does not decode');
    check(media.quality >= 5, 'no quality numbers');
    check(media.status === 'done', 'status: ' + media.status);
    await page.screenshot({ path: shot, fullPage: true });
    // the job list survives a reload (it comes from the API)
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(() => document.querySelectorAll('#jobs li .state.done').length >= 1, { timeout: 10000 });
    // the Classify view, with a bundled example
    await page.click('#tab-classify');
    await page.select('#classify-example', 'metal_sectoid_metal_madness.flac');
    await page.click('#classify-start');
    await page.waitForSelector('#classify-table tr:nth-child(2)', { timeout: 60000 });
    const genres = await page.$$eval('#classify-table td', (tds) => tds.map((t) => t.textContent));
    console.log('classify: ' + genres.join(' '));
    check(genres.length >= 2, 'no genres');
    check(errors.length === 0, 'page errors: ' + errors.join('; '));
    console.log('browser: ok');
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error('browser: FAIL: ' + e.message); process.exit(1); });
