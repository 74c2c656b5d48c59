import http from "node:http";

// The cold-start anchor: the least a Node HTTP server is, started as its own process
// (`PORT=n node scripts/bench/servers/hello.mjs`), so the bench times Node's own start.
// Plain JavaScript, as `npm start`'s start.cjs is: a .ts file would add Node's type
// stripping (~110 ms here) to the anchor alone. An ES module: its `import` of node:http
// loads undici (the namespace reads every export), which the template loads too (fetch's
// Headers, from its first call); a CommonJS require would not (~65 ms less here). Kept
// as it was when the server's bundle became CommonJS, so runs stay comparable.
http.createServer((_req, res) => res.end("hello")).listen(Number(process.env.PORT), "127.0.0.1");
