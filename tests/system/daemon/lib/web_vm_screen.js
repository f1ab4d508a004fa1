// web_vm_screen.js URL TOKEN VM MARKER - drive berthd's web console in Debian's chromium
// (headless, playwright-core from web/node_modules) through a Linux VM's screen, in step
// with web_console_rig.sh's side in the rig, by files in $SCRATCH (each wait bounded, and
// given up when that side is done: inside-done): log in; VM is in the list, stopped; start
// it and see it running (-> started); open its screen in noVNC; once the guest's shell runs
// on tty1 (guest-ready), type `echo MARKER > /dev/ttyS0` on the screen (-> typed) and wait
// until the serial log has it (marker-seen); the screen shows text; ask for a screendump
// (-> want-dump), and after it (dumped) write noVNC's frame to vnc.rgba (RGBA, the
// screendump's size) for the comparison. Exits 0 when all held, 1 with what went wrong; a
// screenshot of the page in $SCRATCH/screen.png either way.
"use strict";
const fs = require("fs");
const path = require("path");
const { run } = require("./browser.js");

const [url, token, vm, marker] = process.argv.slice(2);
const scratch = process.env.SCRATCH;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const touch = (name) => fs.writeFileSync(path.join(scratch, name), "");

async function waitFile(name, seconds) {
  for (let i = 0; i < seconds * 4; i++) {
    if (fs.existsSync(path.join(scratch, name))) return;
    if (fs.existsSync(path.join(scratch, "inside-done")))
      throw new Error(`the rig's side ended before '${name}'`);
    await sleep(250);
  }
  throw new Error(`no '${name}' within ${seconds} s`);
}

// typeKeys: type text key by key, as a person does on a US keyboard: noVNC sends the keys'
// scan codes (QEMU's extended key event), so Shift must be pressed as a key of its own for
// capitals and '>'; at a person's pace (berth-vmm holds keys the guest's PS/2 queue has no
// room for yet, so a slow guest loses none).
async function typeKeys(page, text) {
  const shifted = { ">": "Period" };
  for (const c of text) {
    if (c === "\n") await page.keyboard.press("Enter");
    else if (/[A-Z]/.test(c)) await page.keyboard.press(`Shift+Key${c}`);
    else if (shifted[c]) await page.keyboard.press(`Shift+${shifted[c]}`);
    else await page.keyboard.type(c);
    await sleep(60);
  }
}

// The screen's canvas: [width, height, pixels that are not black]
const litPixels = () => {
  const c = document.querySelector("#vnc canvas");
  if (!c || !c.width) return [0, 0, 0];
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let lit = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] || d[i + 1] || d[i + 2]) lit++;
  return [c.width, c.height, lit];
};

run(path.join(scratch, "screen.png"), async (page) => {
  await page.goto(url, { timeout: 60000 });
  await page.fill("#token", token);
  await page.click("#login button[type=submit]");
  const row = page.locator(`tr[data-server="${vm}"]`);
  await row.waitFor({ timeout: 60000 });
  const state = () => row.locator("td").nth(2).textContent();
  console.log("ok: logged in; the list shows", (await row.textContent()).trim());
  if ((await state()) !== "stopped") throw new Error(`${vm} is ${await state()}, not stopped`);

  await row.locator("button[data-action=start]").click();
  await page.waitForFunction(
    (name) => document.querySelector(`tr[data-server="${name}"] td:nth-child(3)`)?.textContent === "running",
    vm,
    { timeout: 120000 }
  );
  console.log("ok: started from the page:", (await row.textContent()).trim());
  touch("started");

  await row.locator("button[data-action=screen]").click();
  await page.waitForFunction(() => document.querySelector("#vnc canvas")?.width > 0, null, { timeout: 60000 });
  await waitFile("guest-ready", 300);
  const canvas = page.locator("#vnc canvas");
  await canvas.click(); // noVNC takes the keyboard on a click
  await typeKeys(page, `\necho ${marker} > /dev/ttyS0\n`);
  touch("typed");
  await waitFile("marker-seen", 120);
  console.log(`ok: typed 'echo ${marker} > /dev/ttyS0' on the VM's screen in noVNC`);

  // The guest's text on the screen: a shell prompt and the command, light on black.
  await page.waitForFunction(() => {
    const c = document.querySelector("#vnc canvas");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let lit = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] || d[i + 1] || d[i + 2]) lit++;
    return lit > 500;
  }, null, { timeout: 60000 });
  const [w, h, lit] = await page.evaluate(litPixels);
  await canvas.screenshot({ path: path.join(scratch, "canvas.png") });
  console.log(`ok: the VM's screen in noVNC, ${w}x${h}, ${lit} lit pixels (its text)`);

  touch("want-dump");
  await waitFile("dumped", 120);
  await sleep(2000); // frames in flight when the screendump was taken
  const b64 = await page.evaluate(() => {
    const c = document.querySelector("#vnc canvas");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let s = "";
    for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode.apply(null, d.subarray(i, i + 0x8000));
    return btoa(s);
  });
  fs.writeFileSync(path.join(scratch, "vnc.rgba"), Buffer.from(b64, "base64"));
  const err = await page.textContent("#error");
  if (err) throw new Error("the page says: " + err);
});
