/** Where a streamed response goes: status and headers once, frames, then the end. */
export interface StreamSink {
  head(status: number, header: Headers): void;
  /** Writes a frame; false when the caller should wait for drained() before the next. */
  write(frame: Uint8Array): boolean;
  /** Resolves when more can be written, or at once when the client is gone. */
  drained(): Promise<void>;
  /** Ends the response, with HTTP trailers (gRPC) when given. */
  end(trailer?: Headers): void;
  /** True once the client is gone: nothing more can be written. */
  gone(): boolean;
}
