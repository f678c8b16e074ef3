import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The package version, read once (compiled code lives in dist/, two levels below the root). */
export const VERSION: string = (JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
