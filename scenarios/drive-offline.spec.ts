// Take the primary's data drive offline (I/O errors; `driveMode: hang` in the config for hung
// I/O): the primary moves to a node with a healthy drive, no acknowledged write is lost.
// The target and SUT come from the configuration (the local lab when nothing is configured); the
// fault's node from the placement (`--placement`, config `placement`: primary unless set).
import { defineScenario } from '../lib/scenario/define-scenario.js';

await defineScenario('drive-offline');
