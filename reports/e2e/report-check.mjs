// Opens a tcpct Allure report in Debian's headless Chromium and checks, as a person would, that a
// failed scenario is one click away with its steps, its failed step, and its attachments.
// Usage: node report-check.mjs REPORT_DIR SCENARIO_ID SCREENSHOT.png   (exit 0 ok, 1 a check failed)
import { chromium } from 'playwright-core';

const [reportDir, scenarioId, screenshot] = process.argv.slice(2);
if (!reportDir || !scenarioId || !screenshot) {
  console.error('usage: node report-check.mjs REPORT_DIR SCENARIO_ID SCREENSHOT.png');
  process.exit(2);
}
const fail = (what) => { console.error('report check: ' + what); process.exitCode = 1; };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto('file://' + reportDir + '/index.html#categories');
  const category = page.locator('.node__title', { hasText: 'Conformance failures' }).first();
  await category.waitFor({ timeout: 15000 });
  await category.click();
  // every failure-message group under the category, opened until the scenario's row shows
  const groups = page.locator('.tree__content .node__title');
  let row = page.locator('.node__leaf', { hasText: scenarioId }).first();
  for (let i = 1; i < await groups.count() && !(await row.isVisible()); i++) {
    await groups.nth(i).click();
  }
  if (!(await row.isVisible())) {
    fail(`expecting ${scenarioId} under "Conformance failures", but it is not there`);
  } else {
    await row.click();
    await page.locator('.step__title').first().waitFor({ timeout: 10000 });
    const steps = await page.locator('.step__title').allInnerTexts();
    if (!steps.some(s => s.includes('peer sends'))) fail(`expecting "peer sends" steps, but saw ${JSON.stringify(steps)}`);
    const failedSteps = await page.locator('.step .status-failed, .step__status_failed, .step .fa-times-circle').count();
    const body = await page.locator('.test-result').innerText().catch(() => '');
    if (failedSteps === 0 && !/expected .* from target/.test(body)) fail('expecting the failed step and its sentence, but saw neither');
    const attachments = await page.locator('.attachment-row').allInnerTexts();
    for (const name of ['wire.pcap', 'ladder.svg', 'agent.log']) {
      if (!attachments.some(a => a.includes(name))) fail(`expecting attachment ${name}, but saw ${JSON.stringify(attachments)}`);
    }
    console.log(`report check: ${scenarioId}: ${steps.length} steps, attachments ${attachments.map(a => a.split('\n')[0]).join(', ')}`);
  }
  await page.screenshot({ path: screenshot });
} finally {
  await browser.close();
}
