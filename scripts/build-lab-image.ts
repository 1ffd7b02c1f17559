import { ensureLabImage } from '../lib/lab/lab-image.js';
const t0 = Date.now();
const tag = await ensureLabImage((l) => console.log(l));
console.log('TAG', tag, (Date.now() - t0) / 1000, 's');
