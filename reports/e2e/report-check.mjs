// Opens a tcpct Allure report in Debian's headless Chromium and checks, as a person would, that a
// failed scenario is one click away with its steps, its failed step, and its attachments, and that its
// ladder diagram shows whole (nothing drawn past its right or bottom edge, measured on the rendered SVG).
// With "known": the scenario is a known deviation and must sit under the "Known deviations" category with
// its expected.json reason, and not under the red "Conformance failures".
// Usage: node report-check.mjs REPORT_DIR SCENARIO_ID SCREENSHOT.png [known]   (exit 0 ok, 1 a check failed)
import { chromium } from 'playwright-core';

const [reportDir, scenarioId, screenshot, mode] = process.argv.slice(2);
if (!reportDir || !scenarioId || !screenshot || (mode && mode !== 'known')) {
  console.error('usage: node report-check.mjs REPORT_DIR SCENARIO_ID SCREENSHOT.png [known]');
  process.exit(2);
}
const known = mode === 'known';
const fail = (what) => { console.error('report check: ' + what); process.exitCode = 1; };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto('file://' + reportDir + '/index.html#categories');
  const categoryName = known ? 'Known deviations' : 'Conformance failures';
  await page.locator('.node__title').first().waitFor({ timeout: 15000 });
  const categories = (await page.locator('.node__title').allInnerTexts()).map(t => t.split('\n')[0].trim());
  if (known) {
    // the scenario must not be among the red failures: open that category (when there is one) and look
    const red = page.locator('.node__title', { hasText: 'Conformance failures' });
    if (await red.count() > 0) {
      await red.first().click();
      const inner = page.locator('.tree__content .node__title');
      for (let i = 1; i < await inner.count(); i++) await inner.nth(i).click();
      if (await page.locator('.node__leaf', { hasText: scenarioId }).count() > 0) {
        fail(`expecting known deviation ${scenarioId} outside "Conformance failures", but it is there`);
      }
      await page.goto('file://' + reportDir + '/index.html#categories');
      await page.reload();
      await page.locator('.node__title').first().waitFor({ timeout: 15000 });
    }
  }
  const category = page.locator('.node__title', { hasText: categoryName }).first();
  if (await category.count() === 0) {
    fail(`expecting a category "${categoryName}", but the categories are ${JSON.stringify(categories)}`);
  } else {
  await category.click();
  // every failure-message group under the category, opened until the scenario's row shows
  const groups = page.locator('.tree__content .node__title');
  let row = page.locator('.node__leaf', { hasText: scenarioId }).first();
  for (let i = 1; i < await groups.count() && !(await row.isVisible()); i++) {
    await groups.nth(i).click();
  }
  if (!(await row.isVisible())) {
    fail(`expecting ${scenarioId} under "${categoryName}", but it is not there`);
  } else {
    await row.click();
    await page.locator('.step__title').first().waitFor({ timeout: 10000 });
    const steps = await page.locator('.step__title').allInnerTexts();
    if (!steps.some(s => s.includes('peer sends'))) fail(`expecting "peer sends" steps, but saw ${JSON.stringify(steps)}`);
    const failedSteps = await page.locator('.step .status-failed, .step__status_failed, .step .fa-times-circle').count();
    const body = await page.locator('.test-result').innerText().catch(() => '');
    if (known) {
      if (!/known deviation \((FAILED|NON_STRICT|UNIMPLEMENTED), as expected\.json says: /.test(body)) {
        fail(`expecting the message "known deviation (..., as expected.json says: REASON)", but the page says ${JSON.stringify(body.slice(0, 400))}`);
      }
    } else if (failedSteps === 0 && !/expected .* from target/.test(body)) fail('expecting the failed step and its sentence, but saw neither');
    const attachments = await page.locator('.attachment-row').allInnerTexts();
    for (const name of ['wire.pcap', 'ladder.svg', 'agent.log']) {
      if (!attachments.some(a => a.includes(name))) fail(`expecting attachment ${name}, but saw ${JSON.stringify(attachments)}`);
    }
    console.log(`report check: ${scenarioId}: ${steps.length} steps, attachments ${attachments.map(a => a.split('\n')[0]).join(', ')}`);
    await ladderIsWhole(browser, page);
  }
  }
  await page.screenshot({ path: screenshot });
} finally {
  await browser.close();
}

// Opens the ladder.svg attachment, renders the SVG alone at its own size, and measures every drawn element:
// each must end inside the picture's width and height (text measured with the browser's real font).
async function ladderIsWhole(browser, page) {
  await page.locator('.attachment-row', { hasText: 'ladder.svg' }).first().click();
  const embed = page.locator('object.attachment__embed[type="image/svg+xml"]').first();
  await embed.waitFor({ timeout: 10000 });
  const data = await embed.getAttribute('data');
  const svgPage = await browser.newPage();
  try {
    await svgPage.goto(data);
    const r = await svgPage.evaluate(() => {
      const svg = document.documentElement;
      const w = svg.width.baseVal.value, h = svg.height.baseVal.value;
      const out = [];
      for (const el of svg.querySelectorAll('text, line, rect, path')) {
        if (el.closest('defs, marker')) continue;
        const b = el.getBBox();
        if (b.x < -0.5 || b.y < -0.5 || b.x + b.width > w + 0.5 || b.y + b.height > h + 0.5) {
          out.push(`${el.tagName} "${(el.textContent || '').slice(0, 40)}" ends at ${Math.round(b.x + b.width)},${Math.round(b.y + b.height)}`);
        }
      }
      return { w, h, n: svg.querySelectorAll('text').length, out };
    });
    if (r.n < 3) fail(`expecting a ladder with its rows, but the SVG has ${r.n} texts`);
    if (r.out.length > 0) fail(`expecting the ladder (${r.w} x ${r.h}) to hold all it draws, but ${r.out.length} elements are cut off: ${r.out.slice(0, 3).join('; ')}`);
    else console.log(`report check: ladder ${r.w} x ${r.h} px holds all ${r.n} texts`);
  } finally {
    await svgPage.close();
  }
}
