/**
 * Binary encoding of the lean path's answers straight into their frame.
 *
 * `toBinary` from protobuf-es allocates two fresh ArrayBuffers per call (its writer's buffer and
 * the result it slices out), and the frame around the message was a third buffer and a copy:
 * under load that was about a tenth of the server's CPU per call, most of it in allocation and
 * the garbage collection after it. This encoder writes into one scratch buffer kept for the
 * process and copies the result once into a pooled Buffer that already has room for the frame's
 * prefix (and a suffix, for gRPC-Web's trailer frame).
 *
 * It covers the field shapes the ChainService answers use (strings, bools, 32-bit integers,
 * enums, int64, nested and repeated messages, repeated strings, string maps; implicit and explicit
 * presence). A message type with any other shape, a value protobuf-es would reject or convert, or a
 * message of the wrong type goes to `toBinary`, so its bytes, and its errors, stay protobuf-es's
 * own. The bytes are the same as `toBinary`'s: fields in number order, unknown fields last.
 */
import { type DescField, type DescMessage, ScalarType, toBinary } from '@bufbuild/protobuf';

/** How one field is written. */
const Kind = {
  String: 0,
  Bool: 1,
  Int32: 2,
  Uint32: 3,
  Int64: 4,
  Enum: 5,
  Message: 6,
  MessageList: 7,
  StringList: 8,
  StringMap: 9,
} as const;
type Kind = (typeof Kind)[keyof typeof Kind];

interface FieldPlan {
  kind: Kind;
  localName: string;
  /** The field's tag (number and wire type), as the varint's value. */
  tag: number;
  /** Explicit presence: written when the property is set on the message itself. */
  explicit: boolean;
  /** Implicit presence of an enum: its zero value, not written. */
  enumZero: number;
  /** A message field's (or list item's) plan. */
  message: MessagePlan | undefined;
}

interface MessagePlan {
  typeName: string;
  fields: FieldPlan[];
}

/** The encoder cannot write this value as protobuf-es would: `toBinary` must. */
class NotCovered {}
const notCovered = new NotCovered();

const WIRE_VARINT = 0;
const WIRE_LEN = 2;
/** Types of google.protobuf that are plain messages locally (no unwrapping, no JSON form). */
const PLAIN_WELL_KNOWN = new Set(['google.protobuf.Timestamp', 'google.protobuf.Duration']);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

const plans = new WeakMap<DescMessage, MessagePlan | null>();

/** The plan of a message type, or null when some field of it (or of a child) is not covered. */
function planOf(desc: DescMessage, planning: Set<DescMessage> = new Set()): MessagePlan | null {
  const known = plans.get(desc);
  if (known !== undefined) return known;
  // Recursive types are left to toBinary: no answer of the service has one.
  if (planning.has(desc)) return null;
  if (desc.typeName.startsWith('google.protobuf.') && !PLAIN_WELL_KNOWN.has(desc.typeName)) {
    plans.set(desc, null);
    return null;
  }
  planning.add(desc);
  const fields: FieldPlan[] = [];
  let covered = true;
  for (const field of [...desc.fields].sort((a, b) => a.number - b.number)) {
    const plan = planField(field, planning);
    if (!plan) {
      covered = false;
      break;
    }
    fields.push(plan);
  }
  planning.delete(desc);
  const plan = covered ? { typeName: desc.typeName, fields } : null;
  plans.set(desc, plan);
  return plan;
}

function planField(field: DescField, planning: Set<DescMessage>): FieldPlan | undefined {
  if (field.oneof) return undefined;
  const base = {
    localName: field.localName,
    explicit: field.presence !== IMPLICIT,
    enumZero: 0,
    message: undefined,
  };
  const tag = (wire: number) => ((field.number << 3) | wire) >>> 0;
  switch (field.fieldKind) {
    case 'scalar': {
      // Proto2 required fields have their own error: toBinary's.
      if (field.presence === LEGACY_REQUIRED) return undefined;
      const kind = scalarKind(field.scalar, field.longAsString);
      if (kind === undefined) return undefined;
      return { ...base, kind, tag: tag(kind === Kind.String ? WIRE_LEN : WIRE_VARINT) };
    }
    case 'enum': {
      if (field.presence === LEGACY_REQUIRED) return undefined;
      const zero = field.enum.values[0]?.number ?? 0;
      return { ...base, kind: Kind.Enum, enumZero: zero, tag: tag(WIRE_VARINT) };
    }
    case 'message': {
      if (field.delimitedEncoding || field.presence === LEGACY_REQUIRED) return undefined;
      const message = planOf(field.message, planning);
      if (!message) return undefined;
      return { ...base, kind: Kind.Message, tag: tag(WIRE_LEN), message };
    }
    case 'list': {
      if (field.listKind === 'message') {
        if (field.delimitedEncoding) return undefined;
        const message = planOf(field.message, planning);
        if (!message) return undefined;
        return { ...base, explicit: false, kind: Kind.MessageList, tag: tag(WIRE_LEN), message };
      }
      if (field.listKind === 'scalar' && field.scalar === ScalarType.STRING)
        return { ...base, explicit: false, kind: Kind.StringList, tag: tag(WIRE_LEN) };
      return undefined;
    }
    case 'map':
      if (
        field.mapKey === ScalarType.STRING &&
        field.mapKind === 'scalar' &&
        field.scalar === ScalarType.STRING
      )
        return { ...base, explicit: false, kind: Kind.StringMap, tag: tag(WIRE_LEN) };
      return undefined;
  }
}

// google.protobuf.FeatureSet.FieldPresence: IMPLICIT is proto3's default presence.
const IMPLICIT = 2;
const LEGACY_REQUIRED = 3;

function scalarKind(type: ScalarType, longAsString: boolean): Kind | undefined {
  switch (type) {
    case ScalarType.STRING:
      return Kind.String;
    case ScalarType.BOOL:
      return Kind.Bool;
    case ScalarType.INT32:
      return Kind.Int32;
    case ScalarType.UINT32:
      return Kind.Uint32;
    case ScalarType.INT64:
      return longAsString ? undefined : Kind.Int64;
    default:
      return undefined;
  }
}

/** Encoding is synchronous, so one scratch buffer serves every call. */
const SCRATCH_BYTES = 16 * 1024;
/** Grown for a large answer, it is dropped after it rather than kept at that size. */
const SCRATCH_KEPT_BYTES = 1024 * 1024;
let scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
let pos = 0;

function ensure(bytes: number): void {
  if (pos + bytes <= scratch.length) return;
  let size = scratch.length * 2;
  while (size < pos + bytes) size *= 2;
  const grown = Buffer.allocUnsafeSlow(size);
  scratch.copy(grown, 0, 0, pos);
  scratch = grown;
}

function varint32(value: number): void {
  ensure(5);
  let v = value >>> 0;
  while (v > 0x7f) {
    scratch[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  scratch[pos++] = v;
}

/** A varint of a 64-bit value given as its unsigned low and high 32 bits. */
function varint64(lo: number, hi: number): void {
  ensure(10);
  let low = lo >>> 0;
  let high = hi >>> 0;
  while (high !== 0 || low > 0x7f) {
    scratch[pos++] = (low & 0x7f) | 0x80;
    low = ((low >>> 7) | (high << 25)) >>> 0;
    high >>>= 7;
  }
  scratch[pos++] = low;
}

function varintSize(value: number): number {
  let size = 1;
  for (let v = value >>> 0; v > 0x7f; v >>>= 7) size++;
  return size;
}

/** The length prefix of what was written from `start` on, where `reserved` bytes were kept. */
function closeLength(start: number, reserved: number): void {
  const length = pos - start - reserved;
  const size = varintSize(length);
  if (size !== reserved) {
    ensure(size - reserved);
    scratch.copyWithin(start + size, start + reserved, pos);
    pos += size - reserved;
  }
  const end = pos;
  pos = start;
  varint32(length);
  pos = end;
}

function writeString(value: unknown): void {
  if (typeof value !== 'string') throw notCovered;
  // At most 3 bytes per UTF-16 unit; the prefix is sized for that and shrunk after.
  const reserved = varintSize(value.length * 3);
  ensure(reserved + value.length * 3);
  const start = pos;
  pos += reserved;
  pos += scratch.write(value, pos, 'utf8');
  closeLength(start, reserved);
}

function writeInt32(value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw notCovered;
  if (value > 0x7fffffff || value < -0x80000000) throw notCovered;
  // A negative int32 is sign-extended to 64 bits on the wire (ten bytes).
  if (value >= 0) varint32(value);
  else varint64(value, 0xffffffff);
}

function writeUint32(value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw notCovered;
  if (value > 0xffffffff || value < 0) throw notCovered;
  varint32(value);
}

function writeInt64(value: unknown): void {
  if (typeof value !== 'bigint' || value < INT64_MIN || value > INT64_MAX) throw notCovered;
  if (value >= 0n && value <= 0xffffffffn) {
    varint32(Number(value));
    return;
  }
  const u = BigInt.asUintN(64, value);
  varint64(Number(u & 0xffffffffn), Number(u >> 32n));
}

function writeValue(field: FieldPlan, value: unknown): void {
  switch (field.kind) {
    case Kind.String:
      varint32(field.tag);
      writeString(value);
      return;
    case Kind.Bool:
      if (typeof value !== 'boolean') throw notCovered;
      varint32(field.tag);
      ensure(1);
      scratch[pos++] = value ? 1 : 0;
      return;
    case Kind.Int32:
    case Kind.Enum:
      varint32(field.tag);
      writeInt32(value);
      return;
    case Kind.Uint32:
      varint32(field.tag);
      writeUint32(value);
      return;
    case Kind.Int64:
      varint32(field.tag);
      writeInt64(value);
      return;
    case Kind.Message:
      writeChild(field, value);
      return;
    case Kind.MessageList: {
      if (!Array.isArray(value)) throw notCovered;
      for (const item of value) writeChild(field, item);
      return;
    }
    case Kind.StringList: {
      if (!Array.isArray(value)) throw notCovered;
      for (const item of value) {
        varint32(field.tag);
        writeString(item);
      }
      return;
    }
    case Kind.StringMap: {
      if (typeof value !== 'object' || value === null) throw notCovered;
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        varint32(field.tag);
        ensure(1);
        const start = pos++;
        varint32((1 << 3) | WIRE_LEN);
        writeString(key);
        varint32((2 << 3) | WIRE_LEN);
        writeString(record[key]);
        closeLength(start, 1);
      }
      return;
    }
  }
}

function writeChild(field: FieldPlan, value: unknown): void {
  if (typeof value !== 'object' || value === null) throw notCovered;
  varint32(field.tag);
  ensure(1);
  const start = pos++;
  writeMessage(field.message as MessagePlan, value as Record<string, unknown>);
  closeLength(start, 1);
}

/** Whether a field with implicit presence holds its zero value (protobuf-es leaves it out). */
function isZero(field: FieldPlan, value: unknown): boolean {
  switch (field.kind) {
    case Kind.String:
      return value === '';
    case Kind.Bool:
      return value === false;
    case Kind.Enum:
      return value === field.enumZero;
    case Kind.Int32:
    case Kind.Uint32:
    case Kind.Int64:
      // protobuf-es compares loosely (`!= 0`); other values equal to 0 ("0") are not written
      // here, they go to toBinary.
      return value === 0 || value === 0n;
    default:
      // Lists and maps are written item by item (none when empty); messages have explicit
      // presence.
      return false;
  }
}

function writeMessage(plan: MessagePlan, message: Record<string, unknown>): void {
  if (message.$typeName !== plan.typeName) throw notCovered;
  const fields = plan.fields;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as FieldPlan;
    const value = message[field.localName];
    if (field.explicit) {
      if (value === undefined || !Object.hasOwn(message, field.localName)) continue;
    } else if (isZero(field, value)) continue;
    writeValue(field, value);
  }
  const unknown = message.$unknown;
  if (unknown !== undefined) {
    if (!Array.isArray(unknown)) throw notCovered;
    for (const { no, wireType, data } of unknown as {
      no: number;
      wireType: number;
      data: Uint8Array;
    }[]) {
      varint32(((no << 3) | wireType) >>> 0);
      ensure(data.length);
      scratch.set(data, pos);
      pos += data.length;
    }
  }
}

/**
 * `message` encoded as `schema`, in a new Buffer with `headroom` bytes left free before it and
 * `suffix` copied after it (so the message is `length - headroom - suffix.length` bytes).
 */
export function encodeInto(
  schema: DescMessage,
  message: unknown,
  headroom: number,
  suffix?: Buffer,
): Buffer {
  const plan = planOf(schema);
  if (plan && typeof message === 'object' && message !== null) {
    pos = 0;
    try {
      writeMessage(plan, message as Record<string, unknown>);
      const length = pos;
      const buffer = Buffer.allocUnsafe(headroom + length + (suffix?.length ?? 0));
      scratch.copy(buffer, headroom, 0, length);
      if (suffix) suffix.copy(buffer, headroom + length);
      return buffer;
    } catch (e) {
      if (e !== notCovered) throw e;
    } finally {
      pos = 0;
      if (scratch.length > SCRATCH_KEPT_BYTES) scratch = Buffer.allocUnsafeSlow(SCRATCH_BYTES);
    }
  }
  const bytes = toBinary(schema, message as never);
  const buffer = Buffer.allocUnsafe(headroom + bytes.length + (suffix?.length ?? 0));
  buffer.set(bytes, headroom);
  if (suffix) suffix.copy(buffer, headroom + bytes.length);
  return buffer;
}
