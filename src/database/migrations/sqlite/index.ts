import { GlobalResourceSettings1764400000001 } from '../common/1764400000001-GlobalResourceSettings.js';
import { EventKindIndexes1764700000000 } from '../common/1764700000000-EventKindIndexes.js';
import { RunnerActivePair1764600000000 } from '../common/1764600000000-RunnerActivePair.js';
import { WorldVersion1764800000000 } from '../common/1764800000000-WorldVersion.js';
import { Initial1764400000000 } from './1764400000000-Initial.js';
import { EnforcerState1764500000000 } from './1764500000000-EnforcerState.js';

/** Applied in order at start and by `bisk migrate`; generated against SQLite (`npm run migration:generate:sqlite`). */
export const SQLITE_MIGRATIONS = [Initial1764400000000, GlobalResourceSettings1764400000001, EnforcerState1764500000000, RunnerActivePair1764600000000, EventKindIndexes1764700000000, WorldVersion1764800000000];
