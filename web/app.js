// app.js - berthd's web console: log in with a token (kept in sessionStorage), the
// project's servers, start/stop/restart, a server's console in xterm.js and a VM's screen in
// noVNC over the WebSocket routes (the token as a Sec-WebSocket-Protocol value: a browser cannot set
// Authorization on a WebSocket). Plain DOM, no framework.
"use strict";

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("berth-token");
let session = null; // { ws, term } of the open console
let timer = null;

async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.error || res.status + " " + res.statusText);
  return json;
}

function mib(bytes) {
  return bytes >= 1 << 30 ? bytes / (1 << 30) + "G" : bytes / (1 << 20) + "M";
}

function button(label, fn) {
  const b = document.createElement("button");
  b.textContent = label;
  b.dataset.action = label;
  b.addEventListener("click", fn);
  return b;
}

async function act(name, action) {
  try {
    await api("PUT", `/1.0/servers/${encodeURIComponent(name)}/state`, { action });
    $("error").textContent = "";
  } catch (e) {
    $("error").textContent = `${action} ${name}: ${e.message}`;
  }
  setTimeout(refresh, 500);
}

async function refresh() {
  let list;
  try {
    list = await api("GET", "/1.0/servers");
  } catch (e) {
    $("error").textContent = e.message;
    return;
  }
  const servers = Array.isArray(list) ? list : list.servers || [];
  const body = $("servers").querySelector("tbody");
  body.replaceChildren();
  for (const s of servers) {
    const tr = document.createElement("tr");
    tr.dataset.server = s.name;
    for (const v of [s.name, s.kind, s.state, s.cpus, mib(s.memory), s.address || ""]) {
      const td = document.createElement("td");
      td.textContent = v;
      tr.append(td);
    }
    const td = document.createElement("td");
    for (const a of ["start", "stop", "restart"]) td.append(button(a, () => act(s.name, a)));
    td.append(button("console", () => openConsole(s.name)));
    if (s.kind === "vm") td.append(button("screen", () => openScreen(s.name)));
    tr.append(td);
    body.append(tr);
  }
}

let screen = null; // the open VM screen's noVNC RFB

function closeScreen() {
  if (!screen) return;
  screen.disconnect();
  screen = null;
  $("screen").hidden = true;
}

// A VM's screen in noVNC: GET .../vnc/ws (409 when berthd runs it without a display).
function openScreen(name) {
  closeScreen();
  $("screen").hidden = false;
  $("screen-name").textContent = name;
  const url = `wss://${location.host}/1.0/servers/${encodeURIComponent(name)}/vnc/ws`;
  screen = new BerthRFB($("vnc"), url, { wsProtocols: ["berth", token] });
  screen.scaleViewport = true;
  screen.addEventListener("disconnect", () => {
    $("error").textContent = `the screen of ${name} closed (a VM without a display?)`;
  });
}

function closeConsole() {
  if (!session) return;
  session.ws.close();
  session.term.dispose();
  session = null;
  $("console").hidden = true;
}

function openConsole(name) {
  closeConsole();
  $("console").hidden = false;
  $("console-name").textContent = name;
  const term = new Terminal({ convertEol: false, cursorBlink: true });
  term.open($("terminal"));
  const url = `wss://${location.host}/1.0/servers/${encodeURIComponent(name)}/console/ws`;
  const ws = new WebSocket(url, ["berth", token]);
  ws.binaryType = "arraybuffer";
  ws.onmessage = (ev) =>
    term.write(typeof ev.data === "string" ? ev.data : new Uint8Array(ev.data));
  ws.onclose = () => term.write("\r\n[console closed]\r\n");
  const enc = new TextEncoder();
  term.onData((d) => ws.readyState === WebSocket.OPEN && ws.send(enc.encode(d)));
  session = { ws, term };
  term.focus();
}

function show() {
  const in_ = !!token;
  $("login").hidden = in_;
  $("main").hidden = !in_;
  $("logout").hidden = !in_;
  clearInterval(timer);
  if (in_) {
    refresh();
    timer = setInterval(refresh, 5000);
  }
}

$("login").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  token = $("token").value.trim();
  try {
    await api("GET", "/1.0/servers");
    sessionStorage.setItem("berth-token", token);
    $("login-error").textContent = "";
  } catch (e) {
    token = null;
    $("login-error").textContent = "log-in refused: " + e.message;
  }
  show();
});
$("logout").addEventListener("click", () => {
  closeConsole();
  closeScreen();
  sessionStorage.removeItem("berth-token");
  token = null;
  show();
});
$("console-close").addEventListener("click", closeConsole);
$("screen-close").addEventListener("click", closeScreen);
show();
