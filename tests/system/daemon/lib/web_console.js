// web_console.js URL TOKEN SERVER MARKER [VM] - drive berthd's web console in Debian's chromium
// (headless, playwright-core from web/node_modules): a wrong token is refused at log-in;
// the right one shows SERVER in the list; its console opens in xterm.js, a command typed
// there prints MARKER; VM's screen opens in noVNC (a canvas of the guest's size, not of one
// colour). Exits 0 when all held, 1 with what went wrong; a screenshot in
// $SCRATCH/web.png either way.
"use strict";
const path = require("path");
const { run } = require("./browser.js");

const [url, token, server, marker, vm] = process.argv.slice(2);

run(path.join(process.env.SCRATCH || "/tmp", "web.png"), async (page) => {
  await page.goto(url);
  await page.fill("#token", "berth_000000000000_" + "0".repeat(64));
  await page.click("#login button[type=submit]");
  await page.waitForFunction(() => document.getElementById("login-error").textContent !== "");
  console.log("ok: a wrong token is refused:", await page.textContent("#login-error"));

  await page.fill("#token", token);
  await page.click("#login button[type=submit]");
  const row = page.locator(`tr[data-server="${server}"]`);
  await row.waitFor({ timeout: 15000 });
  console.log("ok: the list shows", (await row.textContent()).trim());
  if (!(await page.evaluate(() => sessionStorage.getItem("berth-token"))))
    throw new Error("the token is not in sessionStorage");

  await row.locator("button[data-action=console]").click();
  await page.locator("#terminal .xterm").waitFor({ timeout: 15000 });
  await page.waitForTimeout(500); // the WebSocket opens
  await page.locator("#terminal .xterm").click();
  await page.keyboard.type("\n");
  const cmd = marker.replace(/42/, "$((6*7))");
  await page.keyboard.type(`echo ${cmd}\n`);
  await page.waitForFunction(
    (m) => (document.querySelector("#terminal .xterm-rows") || {}).textContent?.includes(m),
    marker,
    { timeout: 20000 }
  );
  console.log("ok: the console in xterm.js printed", marker);

  if (vm) {
    const vmRow = page.locator(`tr[data-server="${vm}"]`);
    await vmRow.locator("button[data-action=screen]").click();
    // noVNC draws on a canvas once the RFB handshake is through (ServerInit: a size)
    await page.waitForFunction(
      () => {
        const c = document.querySelector("#vnc canvas");
        return c && c.width > 0 && c.height > 0;
      },
      null,
      { timeout: 20000 }
    );
    // the firmware's text: more than one colour on the canvas
    await page.waitForFunction(
      () => {
        const c = document.querySelector("#vnc canvas");
        const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
        for (let i = 4; i < d.length; i += 4)
          if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) return true;
        return false;
      },
      null,
      { timeout: 30000 }
    );
    const err = await page.textContent("#error");
    if (err) throw new Error("the screen: " + err);
    const size = await page.evaluate(() => {
      const c = document.querySelector("#vnc canvas");
      return c.width + "x" + c.height;
    });
    console.log("ok: the VM's screen in noVNC,", size, "and not of one colour");
  }
});
