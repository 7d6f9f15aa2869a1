/** Vite's asset URL imports (`…?url` is the URL of the emitted file). */
declare module '*?url' {
  const url: string;
  export default url;
}
