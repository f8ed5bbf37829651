import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  // The core tables live in db/schema.ts; each area adds its own file under db/schema/.
  schema: ['./db/schema.ts', './db/schema/*.ts'],
  out: './db/migrations',
});
