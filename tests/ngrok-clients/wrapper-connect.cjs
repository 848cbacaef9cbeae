// Drives the npm "ngrok" package (v4, the wrapper that spawns an ngrok binary and talks to its agent API) for
// Burrow's end-to-end tests: its binPath points at a folder whose "ngrok" runs burrow. Options come as JSON in
// argv[2] (binDir is turned into binPath); events are JSON lines on stdout:
//   {"event":"connected","url":...}  {"event":"disconnected"}  {"event":"killed"}  {"event":"error","message":...}
// Commands on stdin, one per line: "disconnect", "kill".
const ngrok = require('ngrok');
const readline = require('node:readline');

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const options = JSON.parse(process.argv[2]);
const binDir = options.binDir;
delete options.binDir;
options.binPath = () => binDir;
let url;

(async () => {
  try {
    url = await ngrok.connect(options);
    out({ event: 'connected', url });
  } catch (e) {
    out({ event: 'error', message: String(e?.message ?? e), body: e?.body ?? null });
    process.exit(2);
  }
})();

readline.createInterface({ input: process.stdin }).on('line', async (line) => {
  try {
    if (line === 'disconnect') {
      await ngrok.disconnect(url);
      out({ event: 'disconnected' });
    } else if (line === 'kill') {
      await ngrok.kill();
      out({ event: 'killed' });
    }
  } catch (e) {
    out({ event: 'error', message: String(e?.message ?? e), body: e?.body ?? null });
  }
});
