/** pxctl on a PX node, and inside the PX pod (the workshop's container `portworx` mounts the node's /opt/pwx). */
export const PXCTL = '/opt/pwx/bin/pxctl';
