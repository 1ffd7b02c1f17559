// Partition the primary's node with iptables (SSH excepted): the SUT moves the primary to a
// replica; no acknowledged write is lost; after the heal the old primary rejoins as a replica.
// The target and SUT come from the configuration (the local lab when nothing is configured); the
// fault's node from the placement (`--placement`, config `placement`: primary unless set).
import { defineScenario } from '../lib/scenario/define-scenario.js';

await defineScenario('network-partition');
