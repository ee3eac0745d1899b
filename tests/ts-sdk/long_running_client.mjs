// Calls the long-running operations of fixtures/long-running.yaml, served by `mcpgen run`
// against `mcpgen mock`, as 2025-11-25 tasks with the TypeScript SDK's tasks client
// (`client.experimental.tasks.callToolStream`) over Streamable HTTP, and prints a JSON report.
// It decides nothing: the Rust test asserts on the report.
//
//   node long_running_client.mjs http://127.0.0.1:PORT/mcp http://127.0.0.1:MOCK_PORT
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const url = new URL(process.argv[2]);
const mock = process.argv[3];
const client = new Client({ name: 'mcpgen-long-running-e2e', version: '1.0.0' });
await client.connect(new StreamableHTTPClientTransport(url));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The requests the mock recorded for `operation`'s polls. */
async function polls(operation) {
  const recorded = await (await fetch(`${mock}/__mcpgen/requests`)).json();
  return recorded.filter((r) => r.operation === `${operation} (poll)`).length;
}

/** One message of a task stream, reduced to what the test checks. */
function summary(message) {
  switch (message.type) {
    case 'taskCreated':
    case 'taskStatus':
      return { type: message.type, taskId: message.task.taskId, status: message.task.status };
    case 'result':
      return {
        type: message.type,
        text: message.result.content?.[0]?.text,
        structured: message.result.structuredContent ?? null,
        isError: message.result.isError ?? false,
      };
    case 'error':
      return { type: message.type, code: message.error.code, message: message.error.message };
    default:
      return { type: message.type };
  }
}

/** Every message of a task-augmented call, and the progress reported for it. */
async function stream(name, args, task = {}) {
  const progress = [];
  const messages = [];
  const onprogress = (p) => progress.push(p.progress);
  for await (const message of client.experimental.tasks.callToolStream({ name, arguments: args }, undefined, {
    task,
    onprogress,
  })) {
    messages.push(summary(message));
  }
  return { messages, progress };
}

const report = {};
const tools = (await client.listTools()).tools;
report.taskSupport = Object.fromEntries(tools.map((t) => [t.name, t.execution?.taskSupport ?? null]));
report.descriptions = Object.fromEntries(tools.map((t) => [t.name, t.description]));
report.outputSchemas = Object.fromEntries(tools.map((t) => [t.name, t.outputSchema ?? null]));

report.createJob = await stream('createJob', { name: 'nightly' }, { ttl: 60000 });
report.createJobPolls = await polls('createJob');
report.exportReport = await stream('exportReport', { reportId: 'r-7' });
report.trainModel = await stream('trainModel', { dataset: 'd' });
report.importData = await stream('importData', {});

// Without a task: the API's first answer, as before.
const plain = await client.callTool({ name: 'createJob', arguments: { name: 'plain' } });
report.plain = { text: plain.content?.[0]?.text, isError: plain.isError ?? false };

// Cancelled while it polls: the mock's record of its polls stops growing.
{
  const calls = client.experimental.tasks.callToolStream(
    { name: 'importData', arguments: {} },
    undefined,
    { task: { ttl: 60000 } },
  );
  const first = await calls.next();
  const taskId = first.value.task.taskId;
  const before = await polls('importData');
  while ((await polls('importData')) < before + 2) {
    await sleep(50);
  }
  const cancelled = await client.experimental.tasks.cancelTask(taskId);
  const atCancel = await polls('importData');
  const messages = [summary(first.value)];
  for await (const message of calls) {
    messages.push(summary(message));
  }
  await sleep(1500);
  const later = await polls('importData');
  report.cancelled = { taskId, status: cancelled.status, messages, pollsBefore: before, atCancel, later };
}

// A task whose ttl is over is gone (the ttl outlasts the operation's polls).
{
  const ttl = 8000;
  const created = Date.now();
  const short = await stream('exportReport', { reportId: 'short-lived' }, { ttl });
  const taskId = short.messages[0].taskId;
  const during = await client.experimental.tasks.getTask(taskId).then(
    (t) => t.status,
    (e) => ({ code: e.code }),
  );
  await sleep(Math.max(0, created + ttl + 1000 - Date.now()));
  const after = await client.experimental.tasks.getTask(taskId).then(
    (t) => t.status,
    (e) => ({ code: e.code, message: e.message }),
  );
  report.expired = { taskId, last: short.messages.at(-1), during, after };
}

await client.close();
console.log(JSON.stringify(report));
