#!/usr/bin/python3
"""Starts Debian's Patroni 3.0.2 with upstream's fix for the etcd3 leader key (Patroni 3.0.3).

The bug (docs/lab.md, "A stalled leader overwrites the new leader's key"): when the leader's lease has
expired (its HA loop stalled on a hung drive, or it was cut off and its own etcd member still served it
the old leader key after the heal), Etcd3._update_leader grants a new lease and *puts* the leader key
unconditionally, taking leadership back from the member elected meanwhile, whose acknowledged commits
are then rewound away.

Upstream's fix (patroni/patroni#2689, released in 3.0.3) writes the key only in a transaction: renew it
if it still names this member, or create it if nobody holds it; otherwise update_leader fails and the HA
loop demotes this member, as it should. This launcher applies that logic to the installed package and
runs Patroni's own main(); `pxchaos lab up --no-leader-key-fix` runs /usr/bin/patroni instead, so the
loss stays reproducible.
"""
import logging
import sys
import time

from patroni.__main__ import main
from patroni.dcs import Leader, ReturnFalseException, catch_return_false_exception
from patroni.dcs import etcd3

logger = logging.getLogger('patroni.dcs.etcd3')


@catch_return_false_exception
def _update_leader(self):
    retry = self._retry.copy()

    def _retry(*args, **kwargs):
        kwargs['retry'] = retry
        return retry(*args, **kwargs)

    self._run_and_handle_exceptions(self._do_refresh_lease, True, retry=_retry)

    if not self._lease:
        return False
    cluster = self.cluster
    leader_lease = cluster and isinstance(cluster.leader, Leader) and cluster.leader.session
    if leader_lease == self._lease:
        return True

    retry.deadline = retry.stoptime - time.time()
    if retry.deadline < 1:
        raise etcd3.Etcd3Error('update_leader timeout')

    key = etcd3.base64_encode(self.leader_path)
    name = etcd3.base64_encode(self._name)
    put = {'request_put': {'key': key, 'value': name, 'lease': self._lease}}
    still_ours = {'key': key, 'target': 'VALUE', 'value': name}
    nobody_holds_it = {'key': key, 'target': 'CREATE', 'create_revision': '0'}
    try:
        if self._run_and_handle_exceptions(self._client.txn, still_ours, put, retry=_retry):
            return True
        if self._run_and_handle_exceptions(self._client.txn, nobody_holds_it, put, retry=_retry):
            return True
    except ReturnFalseException:
        return False
    logger.warning('leader key is held by another member: not taking it back (pxchaos leader-key fix)')
    return False


etcd3.Etcd3._update_leader = _update_leader

if __name__ == '__main__':
    sys.exit(main())
