// Statem.call/cast take inline event literals with payload fields (no excess-property error).
import type { Pid } from '@corral/actor';
import { expectTypeOf } from 'vitest';
import { Statem } from '../src/index.js';

declare const lock: Pid;
expectTypeOf(Statem.call<boolean>(lock, { type: 'enter', code: '1234' })).toEqualTypeOf<Promise<boolean>>();
Statem.cast(lock, { type: 'enter', code: '1234' });
Statem.cast(lock, 'lock');
// @ts-expect-error an event needs a type
Statem.cast(lock, { code: '1234' });
