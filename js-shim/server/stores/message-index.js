// The message index every store keeps beside its outcome log, so "why this message"
// (`GET /report/messages/<actionId>`, runtime.message) reads one send's lines instead of the
// whole log: the lines that name the send (`sent`, then delivered, opened, clicked, ...), in
// the order they were logged. It follows the log's own life (src/measurement `compact`): when a
// journey is rolled up its lines go from the index too, except the `sent` line, which the
// roll-up keeps as the message's record until the retention horizon (`forgetBefore`), and then
// that goes as well. Erase all (shop/redact) empties it with the log.

/** What the index needs of a log line: the send it names, whether it is that send's `sent`
 * line, and when (ms). null: the line names no send (abandoned, ordered, expired). */
export function indexEntry(line) {
  // Most lines name no send; skip the parse for them.
  if (!line.includes('"send"')) return null;
  const o = JSON.parse(line);
  return typeof o.send === 'string' ? { send: o.send, sent: o.kind === 'sent', at: Number(o.at) || 0 } : null;
}
