import {
  enumName,
  field,
  isObject,
  optionalString,
  requiredString,
  type JsonObject,
} from './px-json-fields.js';
import { PxStateUnreadable } from './px-state-unreadable.js';
import { requirePxctlJson } from './pxctl-output.js';

/**
 * One PX volume as the harness needs it, read from any of the JSON encodings PX prints for it
 * (SOURCES.md "Fields a parser must read" C and G): `pxctl -j volume inspect|list` (lowercase short
 * enum names, uint64 as strings), Go `encoding/json` of SDK structs and legacy REST on 9001 (integer
 * enums, numbers), the SDK REST gateway (full enum names), camelCase or snake_case keys, bare or
 * wrapped in an SDK response (`{volume, name, labels}`).
 */

/** `VOLUME_STATUS_*` (api.proto) and pxctl's short names, folded to what a fault run asks. */
export type PxVolumeStatus = 'up' | 'down' | 'degraded' | 'unknown';

/** `VOLUME_STATE_*`; `VOLUME_STATE_DETATCHING` (sic) reads as `detaching`. */
export type PxVolumeState =
  | 'attached'
  | 'detached'
  | 'detaching'
  | 'try-detaching'
  | 'pending'
  | 'available'
  | 'error'
  | 'deleted'
  | 'restore'
  | 'unknown';

/** One entry of `runtime_state`: what the PX data path says of one replica set. */
export interface PxReplicaSetRuntime {
  /** `ID`: the replica set's index, as PX writes it (`"0"`). */
  set: string | undefined;
  /** `RuntimeState` as PX writes it: `clean`, `resync`. */
  state: string;
  /** `ReplicaSetCurrMid`: the nodes in the set now. */
  currentNodes: string[];
  /** `ReplNewNodeMid`: nodes being added by an HA increase (empty when none). */
  haIncreaseNodes: string[];
}

export interface PxVolume {
  id: string;
  name: string;
  status: PxVolumeStatus;
  /** The status as PX spelt it, folded to lowercase without the enum prefix (`up`, `not_present`). */
  rawStatus: string;
  state: PxVolumeState;
  /** `attached_on` as PX gives it: a node id (pxctl, SDK) or an IP (older output); see `resolvePxNode`. */
  attachedOn: string | undefined;
  /** `spec.ha_level`: the replication factor asked for. */
  haLevel: number;
  /**
   * Every node holding a replica: the union over `replica_sets`. Not `replica_sets.length`: an
   * aggregated repl-1 volume has three sets of one node, a repl-2 volume one set of two.
   */
  replicaNodes: string[];
  replicaSets: string[][];
  runtime: PxReplicaSetRuntime[];
}

const STATUS_NAMES = ['none', 'not_present', 'up', 'down', 'degraded'] as const;
const STATE_NAMES = [
  'none',
  'pending',
  'available',
  'attached',
  'detached',
  'detatching',
  'error',
  'deleted',
  'try_detaching',
  'restore',
] as const;

function volumeStatus(raw: string): PxVolumeStatus {
  return raw === 'up' || raw === 'down' || raw === 'degraded' ? raw : 'unknown';
}

function volumeState(raw: string): PxVolumeState {
  switch (raw) {
    case 'attached':
    case 'detached':
    case 'pending':
    case 'available':
    case 'error':
    case 'deleted':
    case 'restore':
      return raw;
    case 'detatching':
    case 'detaching':
      return 'detaching';
    case 'try_detaching':
      return 'try-detaching';
    default:
      return 'unknown';
  }
}

function haLevel(spec: JsonObject, what: string): number {
  const v = field(spec, 'ha_level');
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
    throw new PxStateUnreadable(`${what}: spec.ha_level is not a replication factor (${JSON.stringify(v)})`);
  return n;
}

function replicaSets(vol: JsonObject, what: string): string[][] {
  const sets = field(vol, 'replica_sets');
  if (!Array.isArray(sets) || sets.length === 0) throw new PxStateUnreadable(`${what}: no replica_sets`);
  return sets.map((set, i) => {
    const nodes = isObject(set) ? set.nodes : undefined;
    if (!Array.isArray(nodes) || nodes.length === 0 || !nodes.every((n) => typeof n === 'string' && n !== ''))
      throw new PxStateUnreadable(`${what}: replica_sets[${i}] has no node ids`);
    return nodes as string[];
  });
}

/** `"a,b"` → `['a', 'b']`; `""` or absent → `[]`. */
function idList(value: unknown): string[] {
  return typeof value === 'string' ? value.split(',').filter((s) => s !== '') : [];
}

function runtime(vol: JsonObject, what: string): PxReplicaSetRuntime[] {
  const entries = field(vol, 'runtime_state');
  if (entries === undefined) return [];
  if (!Array.isArray(entries)) throw new PxStateUnreadable(`${what}: runtime_state is not a list`);
  return entries.map((entry, i) => {
    const rs = isObject(entry) ? field(entry, 'runtime_state') : undefined;
    if (!isObject(rs) || typeof rs.RuntimeState !== 'string')
      throw new PxStateUnreadable(`${what}: runtime_state[${i}] has no RuntimeState`);
    return {
      set: typeof rs.ID === 'string' ? rs.ID : undefined,
      state: rs.RuntimeState.toLowerCase(),
      currentNodes: idList(rs.ReplicaSetCurrMid),
      haIncreaseNodes: idList(rs.ReplNewNodeMid),
    };
  });
}

/** One volume object, bare or wrapped in an SDK inspect response (`{volume, name, labels}`). */
export function readPxVolume(value: unknown): PxVolume {
  const vol = isObject(value) && isObject(value.volume) ? value.volume : value;
  if (!isObject(vol)) throw new PxStateUnreadable(`a PX volume is not a JSON object`);
  const id = requiredString(vol, 'id', 'PX volume');
  const what = `PX volume ${id}`;
  const locator = field(vol, 'locator');
  const spec = field(vol, 'spec');
  if (!isObject(locator)) throw new PxStateUnreadable(`${what}: no locator`);
  if (!isObject(spec)) throw new PxStateUnreadable(`${what}: no spec`);
  const rawStatus = enumName(vol, 'status', 'volume_status_', STATUS_NAMES, what);
  const rawState = enumName(vol, 'state', 'volume_state_', STATE_NAMES, what);
  if (rawStatus === undefined) throw new PxStateUnreadable(`${what}: no status`);
  if (rawState === undefined) throw new PxStateUnreadable(`${what}: no state`);
  const state = volumeState(rawState);
  const attachedOn = optionalString(vol, 'attached_on', what);
  if (state === 'attached' && attachedOn === undefined)
    throw new PxStateUnreadable(`${what}: state attached but no attached_on`);
  const sets = replicaSets(vol, what);
  return {
    id,
    name: requiredString(locator, 'name', what),
    status: volumeStatus(rawStatus),
    rawStatus,
    state,
    attachedOn,
    haLevel: haLevel(spec, what),
    replicaNodes: [...new Set(sets.flat())],
    replicaSets: sets,
    runtime: runtime(vol, what),
  };
}

/**
 * The volumes in `pxctl -j volume inspect|list` stdout (a JSON array, with PX's own log lines before
 * or after it: pxctl-output.ts), or in one SDK/REST response: a volume, `{volume, …}`, or
 * `{volumes: […]}`.
 */
export function parsePxVolumes(text: string): PxVolume[] {
  const doc = requirePxctlJson(text, 'PX volume output');
  if (Array.isArray(doc)) return doc.map(readPxVolume);
  if (isObject(doc) && Array.isArray(doc.volumes)) return doc.volumes.map(readPxVolume);
  return [readPxVolume(doc)];
}
