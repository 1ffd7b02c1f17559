// Kill the storage/HA agent on the primary's node and restart it inside its grace window:
// writes may stall but none fails or is lost, and the primary stays where it was.
// The target and SUT come from the configuration (the local lab when nothing is configured); the
// fault's node from the placement (`--placement`, config `placement`: primary unless set).
import { defineScenario } from '../lib/scenario/define-scenario.js';

await defineScenario('agent-restart-within-grace');
