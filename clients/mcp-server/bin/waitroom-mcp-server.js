#!/usr/bin/env node
// npx @waitroom-io/mcp-server: see ../README.md and ../lib/bridge.js.
import { main } from '../lib/bridge.js';

const code = await main();
// Waits still in flight would hold the process open; stdin has ended, so nobody reads them.
process.stdout.write('', () => process.exit(code));
setTimeout(() => process.exit(code), 1000).unref();
