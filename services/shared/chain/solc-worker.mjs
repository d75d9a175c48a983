// solc-js compiles synchronously for seconds: run it on a worker thread so the caller's event loop
// (a coordinator's heartbeats and bids, a prover's proving) keeps going. Input and output are
// solc's standard JSON.
import { parentPort, workerData } from 'node:worker_threads';
import solc from 'solc';

parentPort?.postMessage(solc.compile(workerData));
