// Named append-only logs every store keeps (`appendLog`, `readLog`): the console's audit log,
// the playbook's publications, and each contact's timeline, which holds personal data (the
// messages as rendered) and so goes with the contact on erasure, purge and forget.

export const AUDIT_LOG = 'audit';
export const POLICY_LOG = 'policies';

/** The log a contact's timeline is kept in. */
export function timelineLog(contactId) {
  return `timeline:${contactId}`;
}
