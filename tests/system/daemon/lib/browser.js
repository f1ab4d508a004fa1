// browser.js - what the web console's browser tests share: run(SHOT, body) opens a page in
// Debian's chromium (headless, as root with --no-sandbox, through playwright-core from
// web/node_modules; berthd's certificate is self-signed), runs body(page), takes a
// screenshot into SHOT either way, and exits 0, or 1 with what went wrong.
"use strict";
const path = require("path");
const { chromium } = require(path.join(__dirname, "../../../../web/node_modules/playwright-core"));

async function withPage(shot, body) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox"],
  });
  const page = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
  try {
    await body(page);
  } finally {
    await page.screenshot({ path: shot });
    await browser.close();
  }
}

function run(shot, body) {
  withPage(shot, body).then(
    () => process.exit(0),
    (e) => {
      console.log("FAIL:", e.message);
      process.exit(1);
    }
  );
}

module.exports = { run };
