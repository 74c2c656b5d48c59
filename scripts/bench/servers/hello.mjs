import http from "node:http";

// The cold-start anchor: the least a Node HTTP server is, started as its own process
// (`PORT=n node scripts/bench/servers/hello.mjs`), so the bench times Node's own start.
// Plain JavaScript, as `npm start`'s start.mjs is: a .ts file would add Node's type
// stripping (~110 ms here) to the anchor alone. An ES module like the server's bundle: its
// `import` of node:http loads undici (the namespace reads every export), which the
// template needs anyway; a CommonJS require would not (~65 ms less here).
http.createServer((_req, res) => res.end("hello")).listen(Number(process.env.PORT), "127.0.0.1");
