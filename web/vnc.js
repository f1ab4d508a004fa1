// vnc.js - the entry scripts/web-build bundles into novnc.js: noVNC's RFB client as a global
// for app.js. A module script, since noVNC awaits at its top level.
import RFB from "@novnc/novnc";

window.BerthRFB = RFB;
