/** What the ARM readers of one run share: the readers, the recorder, the run's options and its bounded call. */
import type { Recorder } from '../probes/recorder.js';
import type { Facts } from '../report/types.js';
import type { LoginEventsReader } from './login-events.js';
import type { ArmApi } from './sdk.js';

export interface ArmReadOptions {
  subscription?: string;
  budget: AbortSignal;
  deadlineAt: number;
  /** Called as soon as the registry itself is read, before the slower reads that follow. */
  onRegistry?: (facts: Facts) => void;
  /** Recent failed logins from the resource logs, when a workspace is configured. */
  loginEvents?: LoginEventsReader;
  /** The AKS cluster the client runs in: a resource id, or `resourceGroup/name` in the registry's subscription. */
  aksCluster?: string;
}

export interface Reading {
  api: ArmApi;
  recorder: Recorder;
  options: ArmReadOptions;
  /** A call bounded by the run's budget, retried after 429's Retry-After within it. */
  call: <T>(fn: () => Promise<T>) => Promise<T>;
}
