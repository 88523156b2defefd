// stdout and stderr for the CLI, without building node's stream until something needs it
// (issue 14, §7). process.stdout on a pipe is a whole net.Socket (the net module, the stream
// machinery): several ms of a one-shot command such as `autodl validate … --json | jq`. Here
// a write to a pipe or a file goes straight to the descriptor (fs.writeSync, all of it, in
// order); a terminal, a full non-blocking pipe (EAGAIN), or any use other than write / isTTY /
// an 'error' listener gets the real stream, and from then on everything goes through it.
import type { EventEmitter } from 'node:events';
import { fstatSync, writeSync } from 'node:fs';

type Std = NodeJS.WriteStream;
type Callback = (err?: Error | null) => void;

function lazyStd(fd: 1 | 2): Std {
  let real: Std | undefined;
  let charDevice: boolean | undefined;
  const errorListeners: Array<{ once: boolean; fn: (e: Error) => void }> = [];
  const materialize = (): Std => {
    if (real === undefined) {
      real = fd === 1 ? process.stdout : process.stderr;
      const emitter: EventEmitter = real;
      for (const l of errorListeners.splice(0)) (l.once ? emitter.once : emitter.on).call(emitter, 'error', l.fn);
    }
    return real;
  };
  // a terminal (or /dev/null, cheap) is a character device: it gets the real stream
  const isCharDevice = (): boolean => {
    if (charDevice === undefined) {
      try {
        charDevice = fstatSync(fd).isCharacterDevice();
      } catch {
        charDevice = true; // cannot tell: let node decide
      }
    }
    return charDevice;
  };
  const write = (chunk: string | Uint8Array, encoding?: BufferEncoding | Callback, cb?: Callback): boolean => {
    if (typeof encoding === 'function') {
      cb = encoding;
      encoding = undefined;
    }
    if (real !== undefined || isCharDevice()) return encoding ? materialize().write(chunk, encoding, cb) : materialize().write(chunk, cb);
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, encoding ?? 'utf8') : chunk;
    let done = 0;
    try {
      while (done < bytes.length) done += writeSync(fd, bytes, done);
    } catch (e) {
      // a full non-blocking pipe: the stream queues the rest; anything else (EPIPE …) is
      // reported as the stream would report it, on its 'error' listeners
      const stream = materialize();
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return stream.write(bytes.subarray(done), cb);
      process.nextTick(() => stream.emit('error', e));
      if (cb) process.nextTick(cb, e as Error);
      return false;
    }
    if (cb) process.nextTick(cb, null);
    return true;
  };
  const listen =
    (once: boolean) =>
    (event: string | symbol, fn: (...args: unknown[]) => void): Std => {
      if (real === undefined && event === 'error') errorListeners.push({ once, fn });
      else {
        const emitter: EventEmitter = materialize();
        (once ? emitter.once : emitter.on).call(emitter, event, fn);
      }
      return proxy;
    };
  const on = listen(false);
  const once = listen(true);
  const proxy: Std = new Proxy({} as Std, {
    get(_target, key) {
      if (key === 'write') return write;
      if (key === 'on' || key === 'addListener') return on;
      if (key === 'once') return once;
      if (key === 'isTTY' && real === undefined && !isCharDevice()) return undefined;
      const stream = materialize();
      const value = (stream as unknown as Record<PropertyKey, unknown>)[key];
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(stream) : value;
    },
    has(_target, key) {
      return key in materialize();
    },
  });
  return proxy;
}

/** The CLI's stdout (see above). */
export const stdOut: Std = lazyStd(1);
/** The CLI's stderr (see above). */
export const stdErr: Std = lazyStd(2);
