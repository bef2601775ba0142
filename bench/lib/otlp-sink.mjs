// An OTLP/HTTP receiver in a process of its own (forked by a bench): takes every export, answers
// 200 and counts the spans in it, so tracing is measured with a real exporter that is never
// slowed by its receiver. argv: port. Sends 'ready' when listening; answers 'count' messages
// with { requests, spans, bytes }.
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
let requests = 0;
let spans = 0;
let bytes = 0;
createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks);
    requests++;
    bytes += body.length;
    // The JSON encoding names each span's id once ("spanId"); parent ids are "parentSpanId".
    spans += body.toString('utf8').split('"spanId"').length - 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
}).listen(port, '127.0.0.1', () => process.send('ready'));
process.on('message', (message) => {
  if (message === 'count') process.send({ requests, spans, bytes });
});
