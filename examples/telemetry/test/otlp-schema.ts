/**
 * The OTLP trace messages (opentelemetry/proto collector/trace/v1, trace/v1, common/v1,
 * resource/v1) for decoding in tests, through protobufjs: a decoder independent of both the
 * SDK's serializer and src/otlp-span-writer.ts.
 */
import protobuf from 'protobufjs';

const SCHEMA = `
syntax = "proto3";
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans {
  Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3;
}
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope {
  string name = 1; string version = 2; repeated KeyValue attributes = 3;
  uint32 dropped_attributes_count = 4;
}
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
  string name = 5; int32 kind = 6;
  fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10;
  repeated Event events = 11; uint32 dropped_events_count = 12;
  repeated Link links = 13; uint32 dropped_links_count = 14;
  Status status = 15; fixed32 flags = 16;
  message Event {
    fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3;
    uint32 dropped_attributes_count = 4;
  }
  message Link {
    bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4;
    uint32 dropped_attributes_count = 5; fixed32 flags = 6;
  }
}
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
`;

const request = protobuf.parse(SCHEMA).root.lookupType('ExportTraceServiceRequest');

// biome-ignore lint/suspicious/noExplicitAny: a decoded message, read by tests field by field
export type Decoded = any;

/**
 * An ExportTraceServiceRequest as a plain object: 64-bit numbers as decimal text, bytes as hex,
 * every field present (absent ones at their default), so that two encodings of one message that
 * differ only in which defaults they wrote decode alike.
 */
export function decodeTraceRequest(bytes: Uint8Array): Decoded {
  // As a Buffer, so that its bytes fields decode as Buffers (hex below) whatever the input was.
  const message = request.decode(Buffer.from(bytes));
  const object = request.toObject(message, { longs: String, defaults: true, arrays: true });
  return JSON.parse(
    JSON.stringify(object, (_key, value) =>
      value && value.type === 'Buffer' && Array.isArray(value.data)
        ? Buffer.from(value.data).toString('hex')
        : value,
    ),
  );
}
