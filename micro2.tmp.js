const { generateDocuments } = require('./dist/loader/document-generator.js');
const Database = require('better-sqlite3');
const sqlite3 = require('sqlite3');
const fs = require('fs');
const N = 412343, U = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const docs = [...generateDocuments(N)];
const ddl = `CREATE TABLE t (UBID CHAR(36) PRIMARY KEY); INSERT INTO t VALUES ('${U}');
CREATE TABLE d (UBID CHAR(36) NOT NULL REFERENCES t(UBID) ON DELETE CASCADE, uniqueId VARCHAR(10) NOT NULL, state VARCHAR(4) NOT NULL DEFAULT 'INIT' CHECK (state IN ('INIT','SENT','DONE')), SMScount INTEGER NOT NULL, "when" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, data JSON NOT NULL, PRIMARY KEY (UBID, uniqueId))`;
const up = `ON CONFLICT (UBID, uniqueId) DO UPDATE SET SMScount=excluded.SMScount, data=excluded.data, state='INIT', "when"=CURRENT_TIMESTAMP`;
function clean(f) { for (const x of [f, f + '-wal', f + '-shm']) fs.rmSync(x, { force: true }); }
const mode = process.argv[2];
(async () => {
 if (mode === 'bs' || mode === 'bsfull') {
  clean('/tmp/r.db'); const db = new Database('/tmp/r.db'); db.pragma('journal_mode=WAL'); db.pragma('synchronous=' + (mode === 'bs' ? 'NORMAL' : 'FULL')); db.pragma('foreign_keys=ON'); db.exec(ddl);
  const rows = docs.map(d => [U, d.uniqueId, d.SMScount, JSON.stringify(d.data)]);
  const st = db.prepare(`INSERT INTO d (UBID, uniqueId, SMScount, data) VALUES (?,?,?,?) ${up}`);
  const tx = db.transaction((b) => { for (const r of b) st.run(r); });
  const s = Date.now(); for (let i = 0; i < N; i += 5000) tx(rows.slice(i, i + 5000));
  console.log(mode, Math.round(N / ((Date.now() - s) / 1000)), 'docs/s');
 } else {
  clean('/tmp/r2.db'); const db = new sqlite3.Database('/tmp/r2.db');
  const run = (sql, p = []) => new Promise((res, rej) => db.run(sql, p, function (e) { e ? rej(e) : res(this.changes); }));
  await run('PRAGMA journal_mode=WAL'); await run('PRAGMA foreign_keys=ON'); if (mode === 'jsonnormal') await run('PRAGMA synchronous=NORMAL');
  for (const s of ddl.split(';')) await run(s);
  const bodies = []; for (let i = 0; i < N; i += 5000) bodies.push(JSON.stringify(docs.slice(i, i + 5000)));
  const sql = `INSERT INTO d (UBID, uniqueId, SMScount, data) SELECT ?, value->>'uniqueId', value->>'SMScount', value->'data' FROM json_each(?) WHERE true ${up}`;
  const s = Date.now(); for (const b of bodies) { await run('BEGIN'); await run(sql, [U, b]); await run('COMMIT'); }
  console.log(mode, Math.round(N / ((Date.now() - s) / 1000)), 'docs/s');
 }
})();
