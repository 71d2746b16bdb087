// The system under test: a database of the harness's own (machine PostgreSQL or embedded) and the
// server jar started on it, with a raised rate limit and webhooks to loopback allowed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { Api, sleep } from './util.mjs';

export function freePort(host) {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function ensureJar(root, log) {
  const jar = path.join(root, 'target', 'waitroom.jar');
  if (fs.existsSync(jar)) return jar;
  log('building target/waitroom.jar (mvn -B -q package -DskipTests)');
  const r = spawnSync('mvn', ['-B', '-q', '-o', 'package', '-DskipTests'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0 || !fs.existsSync(jar)) throw new Error('could not build target/waitroom.jar');
  return jar;
}

/** The machine's PostgreSQL (a database of our own, dropped at the end) or an embedded one. */
export class BenchDatabase {
  constructor({ embedded, pgHost, pgPort, workDir }) {
    this.embedded = embedded;
    this.host = pgHost;
    this.port = pgPort;
    this.name = `waitroom_bench_${process.pid}`;
    this.dataDir = path.join(workDir, `data-${process.pid}`);
  }

  create() {
    fs.mkdirSync(this.dataDir, { recursive: true });
    if (this.embedded) return;
    this.psql('postgres', `CREATE DATABASE ${this.name}`);
  }

  /** For the server's environment. */
  url() {
    return this.embedded ? '' : `postgresql://postgres@${this.host}:${this.port}/${this.name}`;
  }

  /** pgbench/psql connection arguments (the embedded port is in its postmaster.pid). */
  connArgs() {
    if (!this.embedded) return ['-h', this.host, '-p', String(this.port), '-U', 'postgres', '-d', this.name];
    const pid = fs.readFileSync(path.join(this.dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n');
    return ['-h', '127.0.0.1', '-p', pid[3].trim(), '-U', 'postgres', '-d', 'postgres'];
  }

  psql(db, sql, vars = {}) {
    const conn = db === 'postgres' && !this.embedded
      ? ['-h', this.host, '-p', String(this.port), '-U', 'postgres', '-d', 'postgres']
      : this.connArgs();
    const args = [...conn, '-v', 'ON_ERROR_STOP=1', '-qAtX'];
    for (const [k, v] of Object.entries(vars)) args.push('-v', `${k}=${v}`);
    const r = spawnSync('psql', [...args, ...(sql.endsWith('.sql') ? ['-f', sql] : ['-c', sql])], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`psql failed: ${r.stderr.trim()}`);
    return r.stdout.trim();
  }

  drop() {
    if (!this.embedded) {
      try { this.psql('postgres', `DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`); } catch { /* best effort */ }
    }
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** One server process; a crash while the harness runs is a failure of the run. */
export class BenchServer {
  /** {@code env}: more of the server's environment (WAITROOM_SMTP_URL for the e-mail figures). */
  constructor({ root, jar, host, db, logFile, heap, env = {} }) {
    Object.assign(this, { root, jar, host, db, logFile, heap, extraEnv: env });
    this.secret = crypto.randomBytes(32).toString('hex');
    this.crashed = null;
  }

  async start() {
    this.port = await freePort(this.host);
    const urlHost = this.host.includes(':') ? `[${this.host}]` : this.host;
    this.base = `http://${urlHost}:${this.port}`;
    const env = {
      ...process.env,
      WAITROOM_PORT: String(this.port),
      WAITROOM_HOST: this.host,
      WAITROOM_DATA_DIR: this.db.dataDir,
      WAITROOM_DATABASE_URL: this.db.url(),
      WAITROOM_JWT_SECRET: this.secret,
      WAITROOM_RATE_LIMIT_PER_MINUTE: '100000000',
      WAITROOM_WEBHOOK_ALLOW_PRIVATE: 'true',
      WAITROOM_REDIS_URL: '',
      WAITROOM_SMTP_URL: '', // e-mail off unless a figure turns it on
      ...this.extraEnv,
    };
    const jvm = this.heap ? [`-Xmx${this.heap}`, `-Xms${this.heap}`] : [];
    const out = fs.openSync(this.logFile, 'a');
    this.proc = spawn('java', [...jvm, '-jar', this.jar], { cwd: this.root, env, stdio: ['ignore', out, out] });
    this.proc.on('exit', (code, signal) => {
      if (!this.stopping) this.crashed = `server exited (code ${code}, signal ${signal}); see ${this.logFile}`;
    });
    this.api = new Api(this.base);
    const deadline = Date.now() + 120000;
    for (;;) {
      if (this.crashed) throw new Error(this.crashed);
      try {
        const r = await this.api.get('/readyz', null, { expect: [200, 503] });
        if (r.status === 200) break;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) throw new Error(`server not ready after 120 s; see ${this.logFile}`);
      await sleep(200);
    }
    return this;
  }

  get pid() { return this.proc.pid; }

  check() { if (this.crashed) throw new Error(this.crashed); }

  /** Any OutOfMemoryError in the server's log so far. */
  oomInLog() {
    try { return /OutOfMemoryError/.test(fs.readFileSync(this.logFile, 'utf8')); } catch { return false; }
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.stopping = true;
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 20000);
    await exited;
    clearTimeout(t);
  }
}
