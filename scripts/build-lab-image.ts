// Builds (or finds cached) the lab image, so CI shows the build as its own step with its time.
import { ensureLabImage } from '../lib/lab/lab-image.js';

const started = performance.now();
const tag = await ensureLabImage((line) => console.log(line));
console.log(`lab image ${tag} ready in ${((performance.now() - started) / 1000).toFixed(1)}s`);
