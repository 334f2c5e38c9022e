/**
 * Ownership decisions, in one place: an account belongs to the token subject that created it
 * (`Account.ownerId`), and a story to the owner of its author account. Roles do not override
 * ownership: `admin` runs the operations routes, `payer` pays royalties, neither reads or edits
 * anyone's accounts or stories.
 *
 * A foreign resource is 403, not 404: ids are random UUIDs, so "it exists" tells a caller nothing
 * the id did not, and a clear 403 is easier to act on than a 404 that may be a lie.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Account, Story, StoryContributor } from '../domain.ts';
import type { AccountService } from '../services/accounts.ts';
import type { StoryView } from '../views.ts';
import { forbidden, signedIn } from './authenticate.ts';
import type { Caller } from './verifier.ts';

export class Ownership {
  readonly #accounts: AccountService;

  constructor(accounts: AccountService) {
    this.#accounts = accounts;
  }

  /** Whether `caller` owns the account (reads it through the account cache). */
  async ownsAccount(
    caller: Caller | undefined,
    accountId: string,
    signal?: AbortSignal,
  ): Promise<boolean> {
    if (!caller) return false;
    const account = await this.#accounts.find(accountId, signal);
    return account !== undefined && ownedBy(account, caller);
  }

  requireAccount(caller: Caller, account: Account): void {
    if (!ownedBy(account, caller)) throw forbidden('this account is not yours');
  }

  /** 403 unless the caller owns the story's author account. */
  async requireAuthor(caller: Caller, story: Story, signal?: AbortSignal): Promise<void> {
    if (!(await this.ownsAccount(caller, story.authorId, signal)))
      throw forbidden('only the author of this story may do this');
  }

  /**
   * How the caller may see the story: in full as its author, as the public view once it is
   * published; a draft is nobody else's business (401 anonymous, 403 signed in).
   */
  async viewOf(
    req: FastifyRequest,
    reply: FastifyReply,
    story: Story,
    signal?: AbortSignal,
  ): Promise<StoryView> {
    if (await this.ownsAccount(req.caller, story.authorId, signal)) return 'full';
    if (story.status === 'published') return 'public';
    signedIn(req, reply); // anonymous: 401, sign in first
    throw forbidden('this story is a draft; only its author may read it');
  }

  /** The story's contributors whose accounts the caller owns (the author is one, usually). */
  async contributorsOwnedBy(
    caller: Caller,
    story: Story,
    signal?: AbortSignal,
  ): Promise<StoryContributor[]> {
    const ids = story.contributors.map((c) => c.accountId);
    const mine = new Set(
      (await this.#accounts.findMany(ids, signal))
        .filter((a) => ownedBy(a, caller))
        .map((a) => a.id),
    );
    return story.contributors.filter((c) => mine.has(c.accountId));
  }
}

function ownedBy(account: Account, caller: Caller): boolean {
  return account.ownerId !== undefined && account.ownerId === caller.subject;
}
