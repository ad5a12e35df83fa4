// A stand-in for the Lambda Node.js runtime, in its own process as on AWS: it imports the
// function's module once (the init phase, top-level await included), then calls the exported
// handler with each event the parent sends, one at a time, and posts back its result or error.
// The parent ends it with SIGTERM, as Lambda does when it retires an execution environment.
//
//   fork('lambda-runtime.mjs', [moduleFile, exportName], { env: the function's variables })
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const [file, name] = process.argv.slice(2);
const handler = (await import(pathToFileURL(file)))[name];
if (typeof handler !== 'function') throw new Error(`${file} exports no function ${name}`);

const functionName = 'rekindle-RekindleFunction-AbC123';
let queue = Promise.resolve();
process.on('message', ({ id, event }) => {
  queue = queue.then(async () => {
    const deadline = Date.now() + 30_000;
    const context = {
      awsRequestId: randomUUID(), functionName, functionVersion: '$LATEST', memoryLimitInMB: '512',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
      logGroupName: `/aws/lambda/${functionName}`, logStreamName: '2026/12/02/[$LATEST]0123456789abcdef',
      callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => deadline - Date.now(),
    };
    try {
      process.send({ id, result: await handler(event, context) });
    } catch (error) {
      process.send({ id, error: { errorType: error?.name, errorMessage: String(error?.message ?? error) } });
    }
  });
});
process.once('SIGTERM', () => process.exit(0));
process.send({ ready: true });
