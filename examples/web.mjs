// A web process: serves the store on 127.0.0.1:$PORT and counts visits.
import { createServer } from 'node:http';
import { load, save } from './store.mjs';

const port = Number(process.env.PORT ?? 5000);
const server = createServer((request, response) => {
  const data = load() ?? {};
  data.visits = (data.visits ?? 0) + 1;
  save(data);
  console.log(`${request.method} ${request.url} -> visit ${data.visits}`);
  response.setHeader('content-type', 'application/json');
  response.end(`${JSON.stringify({ process: process.env.PS, ...data })}\n`);
});
server.listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}`));
process.on('SIGTERM', () => {
  console.log('SIGTERM: closing the server');
  server.close(() => process.exit(0));
});
