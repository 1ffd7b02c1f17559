// Keep the agent on the primary's node down past its grace window: the SUT fails over to a
// replica with every acknowledged write; when the agent returns, the old node rejoins as a replica.
// The target and SUT come from the configuration (the local lab when nothing is configured); the
// fault's node from the placement (`--placement`, config `placement`: primary unless set).
import { defineScenario } from '../lib/scenario/define-scenario.js';

await defineScenario('agent-down-past-grace');
