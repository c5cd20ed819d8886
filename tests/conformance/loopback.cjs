// Preloaded into the stdio→HTTP bridge (`node --require`): a server that listens on a port
// without naming a host (express's `app.listen(port)`, as supergateway does) listens on
// 127.0.0.1 only, so the test bridge is never reachable from another machine.
"use strict";
const net = require("node:net");
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === "number" && (args.length === 1 || typeof args[1] === "function")) {
    args.splice(1, 0, "127.0.0.1");
  }
  return listen.apply(this, args);
};
