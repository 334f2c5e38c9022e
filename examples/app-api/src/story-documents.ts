/**
 * `Repository<Story>` over a `Repository<StoryDocument>`: the domain shape outside, the stored
 * shape (see entities.ts) inside. Every method translates items on the way in and out and passes
 * specifications through unchanged: the fields a query can name (authorId, status, createdAt,
 * contributorIds, registration.*) are the same in both shapes; scenarios, contributors and the
 * license are stored as JSON text.
 */
import type {
  CallOptions,
  Id,
  PageOptions,
  Repository,
  RepositoryPage,
  StreamOptions,
  WriteOptions,
} from '@mystira/repository';
import type { SpecSource } from '@mystira/specification';
import type { Story, StoryLicense, StoryRegistration } from './domain.ts';
import type { StoryDocument } from './entities.ts';

export function toDocument(story: Story): StoryDocument {
  const doc: StoryDocument = {
    id: story.id,
    version: story.version ?? 0,
    authorId: story.authorId,
    title: story.title,
    summary: story.summary,
    status: story.status,
    scenariosJson: JSON.stringify(story.scenarios),
    contributorsJson: JSON.stringify(story.contributors),
    contributorIds: story.contributors.map((c) => c.accountId),
    createdAt: story.createdAt,
    updatedAt: story.updatedAt,
  };
  if (story.registration) doc.registration = withoutUndefined(story.registration);
  if (story.license) doc.licenseJson = JSON.stringify(story.license);
  return doc;
}

export function toStory(doc: StoryDocument): Story {
  const story: Story = {
    id: doc.id,
    authorId: doc.authorId,
    title: doc.title,
    summary: doc.summary,
    scenarios: JSON.parse(doc.scenariosJson),
    contributors: JSON.parse(doc.contributorsJson),
    status: doc.status as Story['status'],
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
    version: doc.version,
  };
  if (doc.registration) story.registration = doc.registration as StoryRegistration;
  if (doc.licenseJson) story.license = JSON.parse(doc.licenseJson) as StoryLicense;
  return story;
}

/** Optional fields are absent, never `undefined` (Cosmos drops them; equality checks should not see them). */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * A projected row (spec with `select`) is passed through as it is, and so is undefined (no row);
 * whole documents are mapped.
 */
function out<R>(row: R): R {
  const r = row as unknown as Partial<StoryDocument>;
  return r && typeof r.scenariosJson === 'string' && typeof r.contributorsJson === 'string'
    ? (toStory(r as StoryDocument) as unknown as R)
    : row;
}

type Spec<R> = SpecSource<StoryDocument, R>;

export class StoryRepository implements Repository<Story> {
  readonly entity;
  readonly documents: Repository<StoryDocument>;

  constructor(documents: Repository<StoryDocument>) {
    this.documents = documents;
    this.entity = documents.entity;
  }

  async getById(id: Id, options?: CallOptions): Promise<Story | undefined> {
    const doc = await this.documents.getById(id, options);
    return doc && toStory(doc);
  }

  async getMany(ids: readonly Id[], options?: CallOptions): Promise<Story[]> {
    return (await this.documents.getMany(ids, options)).map(toStory);
  }

  async list<R = Story>(spec: SpecSource<Story, R>, options?: CallOptions): Promise<R[]> {
    return (await this.documents.list(spec as unknown as Spec<R>, options)).map(out);
  }

  async *stream<R = Story>(spec: SpecSource<Story, R>, options?: StreamOptions): AsyncIterable<R> {
    for await (const row of this.documents.stream(spec as unknown as Spec<R>, options))
      yield out(row);
  }

  async first<R = Story>(
    spec: SpecSource<Story, R>,
    options?: CallOptions,
  ): Promise<R | undefined> {
    return out(await this.documents.first(spec as unknown as Spec<R>, options));
  }

  async single<R = Story>(
    spec: SpecSource<Story, R>,
    options?: CallOptions,
  ): Promise<R | undefined> {
    return out(await this.documents.single(spec as unknown as Spec<R>, options));
  }

  count(spec: SpecSource<Story, unknown>, options?: CallOptions): Promise<number> {
    return this.documents.count(spec as unknown as Spec<unknown>, options);
  }

  any(spec: SpecSource<Story, unknown>, options?: CallOptions): Promise<boolean> {
    return this.documents.any(spec as unknown as Spec<unknown>, options);
  }

  async page<R = Story>(
    spec: SpecSource<Story, R>,
    options?: PageOptions,
  ): Promise<RepositoryPage<R>> {
    const page = await this.documents.page(spec as unknown as Spec<R>, options);
    return { items: page.items.map(out), total: page.total, cursor: page.cursor };
  }

  async add(item: Story, options?: CallOptions): Promise<Story> {
    return toStory(await this.documents.add(toDocument(item), options));
  }

  async addMany(items: readonly Story[], options?: CallOptions): Promise<Story[]> {
    return (await this.documents.addMany(items.map(toDocument), options)).map(toStory);
  }

  async update(item: Story, options?: WriteOptions): Promise<Story> {
    return toStory(await this.documents.update(toDocument(item), options));
  }

  async upsert(item: Story, options?: CallOptions): Promise<Story> {
    return toStory(await this.documents.upsert(toDocument(item), options));
  }

  delete(id: Id, options?: WriteOptions): Promise<void> {
    return this.documents.delete(id, options);
  }

  /**
   * Drops cached copies of these stories when the documents are read through a cache (an
   * If-Match newer than the cached copy is judged by what is stored); a no-op without one.
   */
  async invalidate(ids: readonly Id[]): Promise<void> {
    const documents = this.documents as Partial<{ invalidate(ids: readonly Id[]): Promise<void> }>;
    await documents.invalidate?.(ids);
  }
}
