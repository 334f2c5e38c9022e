/**
 * gRPC server reflection (grpc.reflection.v1 and v1alpha), served from the generated descriptors,
 * so grpcurl, Postman and Python tooling can list the services and fetch their file descriptors.
 * connect-es ships no reflection service of its own, hence this one.
 */
import {
  create,
  createRegistry,
  type DescFile,
  type DescService,
  toBinary,
} from '@bufbuild/protobuf';
import type { GenFile } from '@bufbuild/protobuf/codegenv2';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { ConnectRouter } from '@connectrpc/connect';
import * as v1 from './gen/grpc/reflection/v1/reflection_pb.js';
import * as v1alpha from './gen/grpc/reflection/v1alpha/reflection_pb.js';

/** The reflection files, so a server can also describe reflection itself. */
export const reflectionFiles: readonly GenFile[] = [
  v1.file_grpc_reflection_v1_reflection,
  v1alpha.file_grpc_reflection_v1alpha_reflection,
];

/** gRPC status code NOT_FOUND, as reflection's ErrorResponse carries it. */
const NOT_FOUND = 5;

/** Answers reflection questions about a fixed set of services and files. */
export class ReflectionIndex {
  private readonly files = new Map<string, DescFile>();
  private readonly bytes = new Map<string, Uint8Array>();
  private readonly registry;
  /** The fully-qualified names of the served services. */
  readonly serviceNames: string[];

  constructor(services: readonly DescService[], files: readonly DescFile[]) {
    // Keyed by the .proto path clients ask for (DescFile.name drops the ".proto").
    const add = (f: DescFile) => {
      if (this.files.has(f.proto.name)) return;
      this.files.set(f.proto.name, f);
      for (const d of f.dependencies) add(d);
    };
    for (const f of files) add(f);
    for (const s of services) add(s.file);
    this.registry = createRegistry(...this.files.values());
    this.serviceNames = services.map((s) => s.typeName);
  }

  private serialize(file: DescFile): Uint8Array {
    let b = this.bytes.get(file.name);
    if (!b) {
      b = toBinary(FileDescriptorProtoSchema, file.proto);
      this.bytes.set(file.name, b);
    }
    return b;
  }

  /** The file and every file it imports (transitively), dependencies first. */
  fileWithDependencies(file: DescFile): Uint8Array[] {
    const out: Uint8Array[] = [];
    const seen = new Set<string>();
    const visit = (f: DescFile) => {
      if (seen.has(f.name)) return;
      seen.add(f.name);
      // The file asked for goes first: some clients read element 0 as the answer.
      out.push(this.serialize(f));
      for (const d of f.dependencies) visit(d);
    };
    visit(file);
    return out;
  }

  /** The file with this .proto path, e.g. `mystira/chain/v1/chain_service.proto`. */
  fileByName(name: string): DescFile | undefined {
    return this.files.get(name);
  }

  /** The file that defines a message, enum, service, method, field or enum value. */
  fileContainingSymbol(symbol: string): DescFile | undefined {
    const name = symbol.startsWith('.') ? symbol.slice(1) : symbol;
    const desc = this.registry.get(name);
    if (desc) return desc.file;
    const dot = name.lastIndexOf('.');
    if (dot < 0) return undefined;
    // "pkg.Service.Method" or "pkg.Message.field": look up the parent.
    const parent = this.registry.get(name.slice(0, dot));
    return parent?.file;
  }
}

type ReflectionModule = typeof v1 | typeof v1alpha;

/** What a reflection response answers: one member of its `message_response` oneof. */
type ReflectionReply = v1.ServerReflectionResponse['messageResponse'];

function impl(mod: ReflectionModule, index: ReflectionIndex) {
  // The v1 and v1alpha messages are identical field for field; one function builds both.
  const m = mod as typeof v1;
  const answer = (req: v1.ServerReflectionRequest): v1.ServerReflectionResponse => {
    const reply = (messageResponse: ReflectionReply) =>
      create(m.ServerReflectionResponseSchema, {
        validHost: req.host,
        originalRequest: req,
        messageResponse,
      });
    const error = (code: number, message: string) =>
      reply({
        case: 'errorResponse',
        value: create(m.ErrorResponseSchema, { errorCode: code, errorMessage: message }),
      });
    const files = (f: DescFile | undefined, what: string) =>
      f
        ? reply({
            case: 'fileDescriptorResponse',
            value: create(m.FileDescriptorResponseSchema, {
              fileDescriptorProto: index.fileWithDependencies(f),
            }),
          })
        : error(NOT_FOUND, `${what} not found`);
    const q = req.messageRequest;
    switch (q.case) {
      case 'listServices':
        return reply({
          case: 'listServicesResponse',
          value: create(m.ListServiceResponseSchema, {
            service: index.serviceNames.map((name) => create(m.ServiceResponseSchema, { name })),
          }),
        });
      case 'fileByFilename':
        return files(index.fileByName(q.value), `file ${q.value}`);
      case 'fileContainingSymbol':
        return files(index.fileContainingSymbol(q.value), `symbol ${q.value}`);
      case 'fileContainingExtension':
        // None of the served files declares extensions.
        return error(
          NOT_FOUND,
          `extension ${q.value.containingType}(${q.value.extensionNumber}) not found`,
        );
      case 'allExtensionNumbersOfType':
        return reply({
          case: 'allExtensionNumbersResponse',
          value: create(m.ExtensionNumberResponseSchema, {
            baseTypeName: q.value,
            extensionNumber: [],
          }),
        });
      default:
        return error(3, 'empty reflection request');
    }
  };
  return {
    async *serverReflectionInfo(requests: AsyncIterable<v1.ServerReflectionRequest>) {
      for await (const req of requests) yield answer(req);
    },
  };
}

/**
 * Registers grpc.reflection.v1 and v1alpha on a Connect router. `services` are the services to
 * list (include the reflection services themselves if you want them listed); `files` are extra
 * files to make findable (every service's own file and all imports are included already).
 */
export function registerReflection(
  router: ConnectRouter,
  services: readonly DescService[],
  files: readonly DescFile[] = [],
): ReflectionIndex {
  const index = new ReflectionIndex(services, files);
  router.service(v1.ServerReflection, impl(v1, index));
  router.service(v1alpha.ServerReflection, impl(v1alpha, index) as never);
  return index;
}
