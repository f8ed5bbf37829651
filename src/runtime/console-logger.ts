// The domain's Logger as JSON lines on console (Workers: Workers Logs / `wrangler tail`).
import type { Logger } from '../domain/deps.js';

const LEVELS = { debug: 20, info: 30, warn: 40, error: 50 } as const;

export function consoleLogger(level = 'info'): Logger {
  const min = LEVELS[level as keyof typeof LEVELS] ?? LEVELS.info;
  const at = (name: keyof typeof LEVELS) => (obj: object, msg?: string) => {
    if (LEVELS[name] >= min) console.log(JSON.stringify({ level: name, time: Date.now(), ...obj, msg }));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
