// `npm start`: Parley on Node with the SQLite file PARLEY_DB, migrations applied first.
import { startParley } from './server.js';

const port = Number(process.env.PORT ?? 3000);
const running = await startParley({
  port,
  host: process.env.HOST ?? '0.0.0.0',
  dbFile: process.env.PARLEY_DB ?? 'data/parley.db',
  filesDir: process.env.PARLEY_FILES,
  publicUrl: process.env.PARLEY_PUBLIC_URL,
  secret: process.env.PARLEY_SECRET,
  eventRetentionMs: process.env.PARLEY_EVENTS_RETENTION_DAYS ? Number(process.env.PARLEY_EVENTS_RETENTION_DAYS) * 86_400_000 : undefined,
  outboxLeaseMs: process.env.PARLEY_OUTBOX_LEASE_MS ? Number(process.env.PARLEY_OUTBOX_LEASE_MS) : undefined,
  bootstrapAdmin: { email: process.env.PARLEY_ADMIN_EMAIL ?? 'admin@localhost', password: process.env.PARLEY_ADMIN_PASSWORD },
});

if (running.admin) {
  // Printed once, on the first start of an empty store.
  console.log(`\nAdmin login (shown once):\n  email:     ${running.admin.email}\n  password:  ${running.admin.password}\n  API token: ${running.admin.token}\n`);
}
console.log(`Parley listening on ${running.url}`);

// SIGTERM/SIGINT: graceful stop within 10 s (8 s grace for sends and requests in flight); a
// second signal, or the grace running out, exits at once.
let stopping = false;
const stop = async () => {
  if (stopping) process.exit(1);
  stopping = true;
  setTimeout(() => process.exit(1), 9_500).unref();
  await running.close(8_000);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
