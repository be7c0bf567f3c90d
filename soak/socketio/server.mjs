// The yardstick of scripts/bench-sockets: a Socket.IO 4 server under the same soak as ours.
// Customers send our protocol's messages as Socket.IO "message" events and get our server's
// messages back: the answers the built-in simulator gives for each route, recorded by the soak
// in ANSWERS. Replaying costs less than quoting, so the comparison favours Socket.IO.
//   PORT=3918 ANSWERS=answers.json node server.mjs
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { Server } from "socket.io";

const port = Number(process.env.PORT ?? 3918);
// { "NO 0150>NO 9900": [ServerMessage, ...] }: accepted, one outcome per product, done.
const answers = JSON.parse(readFileSync(process.env.ANSWERS, "utf8"));
let sockets = 0;

const http = createServer((req, res) => {
  if (req.url === "/healthz") {
    const body = JSON.stringify({ sockets, rss_bytes: process.memoryUsage.rss() });
    // A length, not chunks: the soak reads plain bodies.
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  } else {
    res.writeHead(404).end();
  }
});

// WebSocket only, no compression: the same wire as ours.
const io = new Server(http, { transports: ["websocket"], perMessageDeflate: false });
io.on("connection", (socket) => {
  sockets += 1;
  socket.on("disconnect", () => (sockets -= 1));
  socket.on("message", (message) => {
    if (message.type === "ping") {
      socket.emit("message", { type: "pong", nonce: message.nonce });
    } else if (message.type === "search") {
      const { from, to } = message.request;
      const route = `${from.country} ${from.postal_code}>${to.country} ${to.postal_code}`;
      for (const answer of answers[route] ?? []) {
        socket.emit("message", { ...answer, search_id: message.search_id });
      }
    }
  });
});

http.listen(port, "127.0.0.1", () => console.log(`socket.io on 127.0.0.1:${port}`));
