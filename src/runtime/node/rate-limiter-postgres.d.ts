// rate-limiter-flexible ships types for its index only; this file is its PostgreSQL store.
declare module "rate-limiter-flexible/lib/RateLimiterPostgres.js" {
  export { RateLimiterPostgres as default } from "rate-limiter-flexible";
}
