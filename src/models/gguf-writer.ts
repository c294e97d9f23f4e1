/**
 * A minimal GGUF v3 writer: header, typed key/value metadata, tensor infos, aligned tensor data.
 *
 * Layout (ggml's docs/gguf.md, "GGUF v3"), all little-endian:
 *   magic "GGUF" | u32 version=3 | u64 tensor_count | u64 kv_count
 *   kv_count × (string key | u32 value_type | value)
 *   tensor_count × (string name | u32 n_dims | u64 ne[n_dims] | u32 ggml_type | u64 offset)
 *   padding to `general.alignment` (32) | tensor data, each tensor starting at an aligned offset
 * Strings are u64 byte length + UTF-8 bytes (no terminator). `ne[0]` is the innermost (contiguous) dimension, so a
 * PyTorch weight of shape [out, in] is written with ne = [in, out].
 */
import { writeFileAtomic } from "../io/jsonl.js";

/** GGUF metadata value types (gguf.md `gguf_metadata_value_type`). */
export const GGUFValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

/** ggml tensor types we write. */
export const GGMLType = { F32: 0, F16: 1 } as const;
export type GGMLTypeId = (typeof GGMLType)[keyof typeof GGMLType];

export const GGUF_ALIGNMENT = 32;

/** One typed metadata value. Arrays hold scalars or strings of a single type. */
export type GgufValue =
  | { type: "u32"; value: number }
  | { type: "i32"; value: number }
  | { type: "f32"; value: number }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | { type: "string[]"; value: readonly string[] }
  | { type: "i32[]"; value: ArrayLike<number> }
  | { type: "f32[]"; value: ArrayLike<number> };

export interface GgufTensor {
  /** llama.cpp tensor name, e.g. `blk.0.attn_q.weight`. */
  name: string;
  /** ggml dims, innermost first (ne[0], ne[1], ...). */
  dims: number[];
  type: GGMLTypeId;
  /** Element values, row-major over `dims` reversed (length = product of dims). Encoded as `type`. */
  data: Float32Array;
}

/** Convert one float32 to IEEE-754 binary16 bits (round to nearest even; overflow → ±Inf). */
const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);
export function float32ToFloat16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow
  if (e <= 0) {
    if (e < -10) return sign; // underflow to zero
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++; // may carry into the exponent: still correct
  return sign | half;
}

class ByteSink {
  private chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32LE(v >>> 0);
    this.push(b);
  }
  i32(v: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32LE(v | 0);
    this.push(b);
  }
  u64(v: number): void {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64LE(BigInt(v));
    this.push(b);
  }
  f32(v: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeFloatLE(v);
    this.push(b);
  }
  str(s: string): void {
    const bytes = Buffer.from(s, "utf8");
    this.u64(bytes.length);
    this.push(bytes);
  }
  pad(alignment: number): void {
    const rem = this.length % alignment;
    if (rem) this.push(Buffer.alloc(alignment - rem));
  }
  concat(): Buffer {
    return Buffer.concat(this.chunks, this.length);
  }
}

/** GGUF's element type tag and little-endian writer of each scalar and array element type (gguf-py constants.py). */
const ELEMENT = {
  u32: { tag: GGUFValueType.UINT32, write: (sink: ByteSink, x: number) => sink.u32(x) },
  i32: { tag: GGUFValueType.INT32, write: (sink: ByteSink, x: number) => sink.i32(x) },
  f32: { tag: GGUFValueType.FLOAT32, write: (sink: ByteSink, x: number) => sink.f32(x) },
} as const;

/** Write one metadata value: its type tag, then the value (arrays: element tag, u64 count, elements). */
function writeValue(sink: ByteSink, v: GgufValue): void {
  switch (v.type) {
    case "u32":
    case "i32":
    case "f32":
      sink.u32(ELEMENT[v.type].tag);
      ELEMENT[v.type].write(sink, v.value);
      return;
    case "bool":
      sink.u32(GGUFValueType.BOOL);
      sink.push(Buffer.from([v.value ? 1 : 0]));
      return;
    case "string":
      sink.u32(GGUFValueType.STRING);
      sink.str(v.value);
      return;
    case "string[]":
      writeArrayHeader(sink, GGUFValueType.STRING, v.value.length);
      for (const s of v.value) sink.str(s);
      return;
    case "i32[]":
    case "f32[]": {
      const element = ELEMENT[v.type === "i32[]" ? "i32" : "f32"];
      writeArrayHeader(sink, element.tag, v.value.length);
      for (let i = 0; i < v.value.length; i++) element.write(sink, v.value[i]);
      return;
    }
  }
}

function writeArrayHeader(sink: ByteSink, elementTag: number, length: number): void {
  sink.u32(GGUFValueType.ARRAY);
  sink.u32(elementTag);
  sink.u64(length);
}

function encodeTensor(t: GgufTensor): Buffer {
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== n) throw new Error(`tensor ${t.name}: ${t.data.length} values for dims [${t.dims.join(", ")}]`);
  if (t.type === GGMLType.F32) return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const b = Buffer.allocUnsafe(2 * n);
  for (let i = 0; i < n; i++) b.writeUInt16LE(float32ToFloat16Bits(t.data[i]), 2 * i);
  return b;
}

/**
 * Serialize a GGUF v3 file to a Buffer.
 * @param metadata ordered key → typed value (`general.alignment` is added as 32 when absent)
 * @param tensors tensors in file order; data offsets are aligned to 32 bytes
 */
export function encodeGguf(metadata: ReadonlyMap<string, GgufValue> | Record<string, GgufValue>, tensors: readonly GgufTensor[]): Buffer {
  const kv = new Map(metadata instanceof Map ? metadata : Object.entries(metadata));
  if (!kv.has("general.alignment")) kv.set("general.alignment", { type: "u32", value: GGUF_ALIGNMENT });
  const alignmentValue = kv.get("general.alignment");
  const alignment = alignmentValue?.type === "u32" ? alignmentValue.value : GGUF_ALIGNMENT;

  const head = new ByteSink();
  head.push(Buffer.from("GGUF", "ascii"));
  head.u32(3);
  head.u64(tensors.length);
  head.u64(kv.size);
  for (const [key, value] of kv) {
    head.str(key);
    writeValue(head, value);
  }
  const encoded = tensors.map(encodeTensor);
  let offset = 0;
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i];
    head.str(t.name);
    head.u32(t.dims.length);
    for (const d of t.dims) head.u64(d);
    head.u32(t.type);
    head.u64(offset);
    offset += encoded[i].length;
    offset += (alignment - (offset % alignment)) % alignment;
  }
  head.pad(alignment);
  const body = new ByteSink();
  for (const e of encoded) {
    body.push(e);
    body.pad(alignment);
  }
  return Buffer.concat([head.concat(), body.concat()]);
}

/** Write a GGUF file atomically (temp file + rename), so a crash never leaves a torn model. */
export function writeGgufFile(file: string, metadata: ReadonlyMap<string, GgufValue> | Record<string, GgufValue>, tensors: readonly GgufTensor[]): number {
  const buf = encodeGguf(metadata, tensors);
  writeFileAtomic(file, buf);
  return buf.length;
}
