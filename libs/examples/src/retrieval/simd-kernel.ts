/** How many query dimensions one call of the kernel adds into the scores. */
export const KERNEL_WIDTH = 8;

/**
 * `accumulate(scores, end, c0…c7, w0…w7)`: for every slot from byte `scores` to `end` (f64
 * scores, two slots per step), `score += w0·c0[slot] + w1·c1[slot] + … + w7·c7[slot]`, where
 * `c_k` is the byte offset of a Float32 column. The same operations in the same order as
 * `accumulateInJs` (each float promoted to f64, products summed left to right, then added to the
 * score), two slots at a time in f64x2 lanes: IEEE arithmetic, so the scores are bit for bit the
 * ones of the JavaScript loop, about 4x sooner (V8 does not vectorise JavaScript).
 */
export interface AccumulateKernel {
  (scores: number, end: number, ...columnsThenWeights: number[]): void;
}

interface WasmInstance {
  exports: Record<string, unknown>;
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Bytes in a WebAssembly page; 65,536 pages is the most 32-bit addressing reaches. */
export const WASM_PAGE = 65_536;
export const WASM_MAX_PAGES = 65_536;

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;

function uleb(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest) byte |= 0x80;
    out.push(byte);
  } while (rest);
  return out;
}
const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (text: string) => [...uleb(text.length), ...Buffer.from(text)];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const localGet = (index: number) => [0x20, ...uleb(index)];
const localSet = (index: number) => [0x21, ...uleb(index)];
const localTee = (index: number) => [0x22, ...uleb(index)];
const simd = (opcode: number, ...immediates: number[]) => [0xfd, ...uleb(opcode), ...immediates];
const V128_LOAD = 0;
const V128_STORE = 11;
const F64X2_SPLAT = 20;
const V128_LOAD64_ZERO = 93;
const F64X2_PROMOTE_LOW_F32X4 = 95;
const F64X2_ADD = 240;
const F64X2_MUL = 242;
/** memarg: 8-byte alignment, offset 0. */
const MEMARG = [3, 0];

/** The module's bytes, written out here because the repository has no WebAssembly toolchain. */
function kernelBytes(): Uint8Array {
  const width = KERNEL_WIDTH;
  // Locals: params scores, end, c0…c7, w0…w7; then the f32 byte offset and the splatted weights.
  const scores = 0;
  const end = 1;
  const column = (k: number) => 2 + k;
  const weight = (k: number) => 2 + width + k;
  const offset = 2 + 2 * width;
  const splat = (k: number) => offset + 1 + k;
  const body: number[] = [];
  for (let k = 0; k < width; k++) body.push(...localGet(weight(k)), ...simd(F64X2_SPLAT), ...localSet(splat(k)));
  body.push(0x02, 0x40, 0x03, 0x40); // block, loop
  body.push(...localGet(scores), ...localGet(scores), ...simd(V128_LOAD, ...MEMARG));
  for (let k = 0; k < width; k++) {
    body.push(...localGet(column(k)), ...localGet(offset), 0x6a /* i32.add */);
    body.push(...simd(V128_LOAD64_ZERO, ...MEMARG), ...simd(F64X2_PROMOTE_LOW_F32X4));
    body.push(...localGet(splat(k)), ...simd(F64X2_MUL));
    if (k > 0) body.push(...simd(F64X2_ADD));
  }
  body.push(...simd(F64X2_ADD), ...simd(V128_STORE, ...MEMARG));
  body.push(...localGet(offset), 0x41, 8, 0x6a, ...localSet(offset)); // offset += 8 (two f32)
  body.push(...localGet(scores), 0x41, 16, 0x6a, ...localTee(scores), ...localGet(end)); // scores += 16
  body.push(0x49 /* i32.lt_u */, 0x0d, 0 /* br_if loop */, 0x0b, 0x0b, 0x0b);
  const code = [
    ...vector([
      [1, I32],
      [width, V128],
    ]),
    ...body,
  ];
  const params = [...Array<number>(2 + width).fill(I32), ...Array<number>(width).fill(F64)];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, vector([[0x60, ...vector(params.map((type) => [type])), 0]])),
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0]])),
    ...section(3, vector([[0]])),
    ...section(7, vector([[...name('accumulate'), 0x00, 0]])),
    ...section(10, vector([[...uleb(code.length), ...code]])),
  ]);
}

let compiled: object | null | undefined;

/** The compiled kernel, or null where this runtime has no WebAssembly SIMD. */
function kernelModule(): object | null {
  if (compiled === undefined) {
    const bytes = kernelBytes();
    compiled = wasm?.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

/**
 * Linear memory of `bytes` with the kernel bound to it, or a plain ArrayBuffer and no kernel
 * (not wanted, no SIMD here, more than 32-bit addressing reaches, or no memory to be had).
 */
export function scoringMemory(bytes: number, simdWanted: boolean): { buffer: ArrayBuffer; kernel?: AccumulateKernel } {
  const pages = Math.ceil(bytes / WASM_PAGE);
  const module = simdWanted && pages <= WASM_MAX_PAGES ? kernelModule() : null;
  if (!wasm || !module) return { buffer: new ArrayBuffer(bytes) };
  let memory: WasmMemory;
  try {
    memory = new wasm.Memory({ initial: pages, maximum: pages });
  } catch {
    // Each memory reserves address space; a process runs out after some ten thousand of them.
    return { buffer: new ArrayBuffer(bytes) };
  }
  const instance = new wasm.Instance(module, { env: { memory } });
  return { buffer: memory.buffer, kernel: instance.exports.accumulate as AccumulateKernel };
}
