// ONNX Runtime's own per-node profile of one ONNX model (CPU execution
// provider, all graph optimizations, as ../shared/peers/ort_bench.js times
// it): node ort_profile.js MODEL.onnx N,C,H,W ITERS THREADS PREFIX
// Runs 2 warm-up and ITERS profiled runs on random input and leaves ORT's
// JSON trace in PREFIX_<date>.json (enableProfiling / profileFilePrefix);
// prints the trace's path.
const ort = require('onnxruntime-node');
async function main() {
  const [model, shapeArg, itersArg, threadsArg, prefix] = process.argv.slice(2);
  const shape = shapeArg.split(',').map(Number);
  const s = await ort.InferenceSession.create(model, {
    intraOpNumThreads: +threadsArg, interOpNumThreads: 1,
    graphOptimizationLevel: 'all', executionMode: 'sequential',
    enableProfiling: true, profileFilePrefix: prefix});
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.random() * 2 - 1;
  const feeds = {[s.inputNames[0]]: new ort.Tensor('float32', data, shape)};
  for (let i = 0; i < 2 + +itersArg; i++) await s.run(feeds);
  s.endProfiling();
  await s.release();
}
main().catch(e => { console.error(String(e)); process.exit(1); });
