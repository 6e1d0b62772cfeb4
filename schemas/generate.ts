// Writes schemas/json/<Record>.schema.json from the zod record schemas: `npm run schemas`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { RECORD_SCHEMAS } from './records.js';

const outDir = new URL('./json/', import.meta.url);
mkdirSync(outDir, { recursive: true });

for (const [name, schema] of Object.entries(RECORD_SCHEMAS)) {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12' });
  const file = new URL(`${name}.schema.json`, outDir);
  writeFileSync(file, JSON.stringify(json, null, 2) + '\n');
  console.log(`wrote schemas/json/${name}.schema.json`);
}
