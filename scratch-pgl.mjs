import { PGlite } from '@electric-sql/pglite';
let t=Date.now(); const db = new PGlite(); await db.waitReady; console.log('mem create', Date.now()-t, process.memoryUsage().rss/1e6|0);
await db.exec('create table x(a int); insert into x values (1)');
t=Date.now(); const c = await db.clone(); console.log('clone', Date.now()-t);
t=Date.now(); const blob = await db.dumpDataDir('none'); console.log('dump', Date.now()-t, blob.size);
t=Date.now(); const d2 = new PGlite({loadDataDir: blob}); await d2.waitReady; console.log('load', Date.now()-t, (await d2.query('select * from x')).rows, process.memoryUsage().rss/1e6|0);
// concurrency: query during transaction
const p = db.transaction(async tx => { await tx.query('insert into x values (2)'); await new Promise(r=>setTimeout(r,200)); await tx.query('insert into x values (3)'); });
const q = db.query('select count(*) from x').then(r=>console.log('outside query during tx sees', r.rows));
await Promise.all([p,q]);
try { await db.query('select pg_advisory_xact_lock(1)'); console.log('adv ok'); } catch(e) { console.log('adv err', e.message) }
const r = await db.query("select 1.5::numeric as n, 5::bigint as b, now() as t, '{1,2}'::int[] as arr, '\\x0102'::bytea as by");
console.log(r.rows);
