// Vite's `?raw` imports (a file's text), which the Workers test pool supports.
declare module "*?raw" {
  const text: string;
  export default text;
}
