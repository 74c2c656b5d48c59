import http from "node:http";

// The cold-start anchor: the least a Node HTTP server is, started as its own process
// (`PORT=n node scripts/bench/servers/hello.ts`), so the bench times Node's own start.
http.createServer((_req, res) => res.end("hello")).listen(Number(process.env.PORT), "127.0.0.1");
