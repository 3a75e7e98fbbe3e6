/**
 * Entry point of a scan-chunk worker thread (bundled as dist/scanChunkWorker.js), started by `parallelScan`.
 * It loads the grammars once, then analyses the chunks of files it is sent (see scanChunk.ts) and answers with the
 * detection of each file. It reads files from the disk itself; estimating, advising and linking stay with the caller.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Parsers } from '../detect/parser';
import { analyzeChunk, diskReader } from './scanChunk';
import type { ChunkWorkerData, ChunkWorkerToHost, HostToChunkWorker } from './parallelScan';

const port = parentPort;
if (!port) throw new Error('scanChunkWorker must run in a worker thread');
const { root, maxFileBytes } = workerData as ChunkWorkerData;

const send = (message: ChunkWorkerToHost): void => port.postMessage(message);
const logger = { warn: (message: string) => send({ type: 'log', message }) };
const parsers = new Parsers();
const reader = diskReader(root);
const ready = parsers.load(['python', 'typescript', 'tsx', 'javascript']);

port.on('message', (message: HostToChunkWorker) => {
  ready
    .then(() => {
      const results = analyzeChunk(parsers, reader, message.files, maxFileBytes, logger, message.deferWeak);
      send({ type: 'chunk', chunk: message.chunk, results });
    })
    .catch((err: unknown) => send({ type: 'failed', chunk: message.chunk, message: (err as Error)?.stack ?? String(err) }));
});
