/** The local lab: a 3- or 5-node etcd + Patroni + PostgreSQL 15 cluster in Docker containers. */
export { labUp, type Lab, type LabUpOptions } from './lab-up.js';
export { labDown, type LabDownResult } from './lab-down.js';
export { labStatus, type LabStatus, type LabNodeStatus } from './lab-status.js';
export { inspectLab, labCredentials, type LabInfo, type LabNodeInfo } from './lab-inspect.js';
export { DEFAULT_TIMINGS, type PatroniTimings } from './lab-timings.js';
