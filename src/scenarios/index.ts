// The scenarios by name.
import type {ScenarioName} from './defaults.js';
import {acceptOverflow} from './accept-overflow.js';
import {bindFirst} from './bind-first.js';
import {fdLimit} from './fd-limit.js';
import {fourTuple} from './four-tuple.js';
import {hello} from './hello.js';
import {ipv6} from './ipv6.js';
import {million} from './million.js';
import {onePort} from './one-port.js';
import {portExhaustion} from './port-exhaustion.js';
import {portSearch} from './port-search.js';
import {ramp} from './ramp.js';
import {timeWait} from './time-wait.js';
import type {Scenario} from './types.js';

// Every scenario, by the name `tcp-trace run <name>` takes.
export const SCENARIOS: Record<ScenarioName, Scenario> = {
  ramp,
  'four-tuple': fourTuple,
  'port-exhaustion': portExhaustion,
  'fd-limit': fdLimit,
  hello,
  million,
  'bind-first': bindFirst,
  'accept-overflow': acceptOverflow,
  ipv6,
  'one-port': onePort,
  'time-wait': timeWait,
  'port-search': portSearch,
};
