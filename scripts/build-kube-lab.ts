// Builds (or finds cached) the kube lab's Kubernetes binaries and images, so CI shows the ~8-minute
// cold build as its own step with its time.
import { ensureKubeBinaries } from '../lib/kube-lab/kube-binaries.js';
import { ensureKubeImages } from '../lib/kube-lab/kube-images.js';

const started = performance.now();
const seconds = (): string => ((performance.now() - started) / 1000).toFixed(1);
const binaries = await ensureKubeBinaries((line) => console.log(`[${seconds()}s] ${line}`));
console.log(`kubernetes binaries ${binaries.built ? 'built' : 'cached'} in ${binaries.dir} (${seconds()}s)`);
const images = await ensureKubeImages(binaries, (line) => console.log(`[${seconds()}s] ${line}`));
console.log(`kube lab images ready (${seconds()}s): ${Object.values(images).join(', ')}`);
