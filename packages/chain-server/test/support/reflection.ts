/**
 * Reading grpc.reflection answers as a client does: the services a listServices answer names,
 * and the file descriptors a file answer carries, put in the order a FileDescriptorSet wants.
 */
import { fromBinary } from '@bufbuild/protobuf';
import { type FileDescriptorProto, FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type * as reflectionV1 from '../../src/gen/grpc/reflection/v1/reflection_pb.js';

type Answer = reflectionV1.ServerReflectionResponse | undefined;

/** The service names a listServices answer lists; none for any other answer. */
export function listedServices(res: Answer): string[] {
  return res?.messageResponse.case === 'listServicesResponse'
    ? res.messageResponse.value.service.map((s) => s.name)
    : [];
}

/** The file descriptors a fileContainingSymbol or fileByFilename answer carries. */
export function servedFiles(res: Answer): FileDescriptorProto[] {
  if (res?.messageResponse.case !== 'fileDescriptorResponse')
    throw new Error(`expected file descriptors, got ${res?.messageResponse.case}`);
  return res.messageResponse.value.fileDescriptorProto.map((b) =>
    fromBinary(FileDescriptorProtoSchema, b),
  );
}

/**
 * `root` and the files it imports, found among `files`, dependencies first (as a
 * FileDescriptorSet wants them). An answer is self-contained when that is every file it carries.
 */
export function dependenciesFirst(
  files: FileDescriptorProto[],
  root: string,
): FileDescriptorProto[] {
  const ordered: FileDescriptorProto[] = [];
  const add = (name: string) => {
    const f = files.find((x) => x.name === name);
    if (!f || ordered.includes(f)) return;
    for (const d of f.dependency) add(d);
    ordered.push(f);
  };
  add(root);
  return ordered;
}
