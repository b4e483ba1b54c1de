/**
 * The schemas' zod: zod/mini, whose functions a bundle keeps one by one, where the classic API's
 * chained methods keep every schema type's whole class (60 KiB more of the submit bundle). Import
 * it as `import * as z from './zod.ts'` (a namespace re-exported as one value would keep all of
 * zod). The English messages the classic API loads by itself are configured here: they are the
 * REJECTED reasons' messages (docs/request.md).
 */
import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());

export * from 'zod/mini';
