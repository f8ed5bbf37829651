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
  bootstrapAdmin: { email: process.env.PARLEY_ADMIN_EMAIL ?? 'admin@localhost', password: process.env.PARLEY_ADMIN_PASSWORD },
});

if (running.admin) {
  // Printed once, on the first start of an empty store.
  console.log(`\nAdmin login (shown once):\n  email:     ${running.admin.email}\n  password:  ${running.admin.password}\n  API token: ${running.admin.token}\n`);
}
console.log(`Parley listening on ${running.url}`);

const stop = async () => { await running.close(); process.exit(0); };
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
