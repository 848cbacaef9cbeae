// Drives ngrok's own Node SDK (@ngrok/ngrok) for Burrow's end-to-end tests: one forward() with the
// options given as JSON in argv[2], reported as JSON lines on stdout:
//   {"event":"online","url":...,"id":...}   forward() resolved
//   {"event":"error","message":...,"errorCode":...}   forward() rejected (then exit 2)
//   {"event":"status","status":...}   the SDK's onStatusChange (connected, closed, ...)
//   {"event":"closed"}   after the "close" command: listener.close() resolved
// Commands on stdin, one per line: "close", "exit".
import ngrok from '@ngrok/ngrok';
import readline from 'node:readline';

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const options = JSON.parse(process.argv[2]);
options.onStatusChange = (status) => out({ event: 'status', status });

let listener;
try {
  listener = await ngrok.forward(options);
  out({ event: 'online', url: listener.url(), id: listener.id() });
} catch (e) {
  out({ event: 'error', message: String(e?.message ?? e), errorCode: e?.errorCode ?? null });
  process.exit(2);
}

readline.createInterface({ input: process.stdin }).on('line', async (line) => {
  try {
    if (line === 'close') {
      await listener.close();
      out({ event: 'closed' });
    } else if (line === 'exit') {
      process.exit(0);
    }
  } catch (e) {
    out({ event: 'error', message: String(e?.message ?? e), errorCode: e?.errorCode ?? null });
  }
});
