// Drives a server's 2025-11-25 tasks with the TypeScript SDK's own tasks client
// (`client.experimental.tasks`) over Streamable HTTP and prints a JSON report. It decides
// nothing: the Rust test asserts on the report.
//
//   node tasks_client.mjs http://127.0.0.1:PORT/mcp
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const url = new URL(process.argv[2]);
const client = new Client({ name: 'mcpgen-tasks-e2e', version: '1.0.0' }, { capabilities: { elicitation: {} } });
// Elicitations a task sends while it waits: recorded, and accepted.
const elicitations = [];
client.setRequestHandler(ElicitRequestSchema, async (request) => {
  elicitations.push({
    message: request.params.message,
    relatedTask: request.params._meta?.['io.modelcontextprotocol/related-task']?.taskId,
  });
  return { action: 'accept', content: { confirm: true } };
});
await client.connect(new StreamableHTTPClientTransport(url));

/** One message of a task stream, reduced to what the test checks. */
function summary(message) {
  switch (message.type) {
    case 'taskCreated':
      return { type: message.type, taskId: message.task.taskId, status: message.task.status, ttl: message.task.ttl };
    case 'taskStatus':
      return { type: message.type, taskId: message.task.taskId, status: message.task.status };
    case 'result':
      return {
        type: message.type,
        text: message.result.content?.[0]?.text,
        isError: message.result.isError ?? false,
        relatedTask: message.result._meta?.['io.modelcontextprotocol/related-task']?.taskId,
      };
    case 'error':
      return { type: message.type, code: message.error.code, message: message.error.message };
    default:
      return { type: message.type };
  }
}

/** Every message of a task-augmented call, and the progress reported for it. */
async function stream(name, args, options = {}) {
  const progress = [];
  const messages = [];
  const onprogress = (p) => progress.push(p.progress);
  for await (const message of client.experimental.tasks.callToolStream({ name, arguments: args }, undefined, {
    ...options,
    onprogress,
  })) {
    messages.push(summary(message));
  }
  return { messages, progress };
}

const report = {};
const tools = await client.listTools();
report.taskSupport = Object.fromEntries(
  tools.tools.filter((t) => t.execution?.taskSupport).map((t) => [t.name, t.execution.taskSupport]),
);
report.capability = client.getServerCapabilities()?.tasks ?? null;

report.completed = await stream('slow_compute', { seconds: 1, label: 'e2e' }, { task: { ttl: 60000 } });
report.failed = await stream('failing_job', {}, { task: {} });

// Cancel a long task from beside its stream, then read the stream to its end.
{
  const messages = [];
  const calls = client.experimental.tasks.callToolStream(
    { name: 'slow_compute', arguments: { seconds: 60, label: 'to-cancel' } },
    undefined,
    { task: { ttl: 60000 } },
  );
  const first = await calls.next();
  messages.push(summary(first.value));
  const cancelled = await client.experimental.tasks.cancelTask(first.value.task.taskId);
  for await (const message of calls) {
    messages.push(summary(message));
  }
  const again = await client.experimental.tasks.cancelTask(first.value.task.taskId).then(
    () => null,
    (e) => e.code,
  );
  report.cancelled = { messages, cancelStatus: cancelled.status, cancelAgainCode: again };
}

// A task that asks the user (over the session's GET stream) before it finishes.
report.elicited = { ...(await stream('confirm_delete', { filename: 'notes.txt' }, { task: {} })), elicitations };

report.listed = (await client.experimental.tasks.listTasks()).tasks.map((t) => ({ taskId: t.taskId, status: t.status }));

// A required task tool called without a task is refused by the server (sent as a plain
// request: the SDK's `callTool` would refuse it before sending).
report.requiredWithoutTask = await client
  .request({ method: 'tools/call', params: { name: 'failing_job', arguments: {} } }, CallToolResultSchema)
  .then(() => null, (e) => e.code);

await client.close();
console.log(JSON.stringify(report));
